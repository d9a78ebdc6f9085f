#!/usr/bin/env python3
"""Digest of what an import sequence leaves in a store, for ImportGoldenTests.

    scripts/import-golden.py path/to/crmgate     # prints the digests the test compares with
    scripts/import-golden.py path/to/crmgate --skip change_seq   # leaves a column out too (to show what else moved)

Runs the same imports as `Tests/CRMImportTests/ImportGoldenTests.swift` into a fresh SQLite store and prints
FNV-1a 64 digests of each table's rows (ordered by rowid; every column but the random `id` and the clock's
`updated_at`) and of the import ledger. Each value is its text, its decimal integer, or "\\0N" for NULL;
values end with \\x1f, rows with \\x1e. Used to check that an optimisation of the import writer changes
nothing: run it with the binary before and after the change.
"""
import os
import sqlite3
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STEPS = [
    ("fixtures/csv/gen-leads-2000.csv", "mappings/sources/generic-leads.yaml"),
    ("fixtures/csv/gen-leads-3000-s11.csv", "mappings/sources/generic-leads.yaml"),
    ("fixtures/csv/generic-leads.csv", "mappings/sources/generic-leads.yaml"),
    ("fixtures/csv/gen-leads-2000.csv", "mappings/sources/generic-leads.yaml"),
    ("fixtures/csv/opportunities.csv", "mappings/sources/opportunities.yaml"),
]


def fnv(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def dump(db, sql):
    out = bytearray()
    for row in db.execute(sql):
        for v in row:
            out += b"\0N" if v is None else str(v).encode("utf-8")
            out += b"\x1f"
        out += b"\x1e"
    return bytes(out)


def table_sql(db, table, skip=()):
    cols = [r[1] for r in db.execute(f"PRAGMA table_info({table})") if r[1] not in ("id", "updated_at", "merged_into", *skip)]
    return f"SELECT {', '.join(cols)} FROM {table} ORDER BY rowid"


def main():
    crmgate = sys.argv[1]
    skip = sys.argv[3:4] if len(sys.argv) > 3 and sys.argv[2] == "--skip" else []
    with tempfile.TemporaryDirectory() as d:
        store = os.path.join(d, "crm.sqlite")
        for src, mapping in STEPS:
            subprocess.run(
                [crmgate, "import", src, "--mapping", mapping, "--store", store, "--rejects", os.path.join(d, "r.csv")],
                cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        db = sqlite3.connect(store)
        for t in ("leads", "opportunities"):
            print(f"{t}: 0x{fnv(dump(db, table_sql(db, t, skip))):016x}")
        ledger = "SELECT import_id, row, line, outcome, record_rowid, reason FROM import_rows ORDER BY import_id, row"
        print(f"ledger: 0x{fnv(dump(db, ledger)):016x}")


if __name__ == "__main__":
    main()
