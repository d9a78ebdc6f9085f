#!/usr/bin/env python3
"""Sanity checks for scripts/bench-export.sh's outputs (run with the bench venv: needs openpyxl).

    check_export.py --rows N --source GEN.csv [--csv OUT.csv] [--xlsx OUT.xlsx] [--duck DUCK.csv]

  --csv   crmgate's CSV: N+1 records counted with the csv module (header + N), the
          default columns, and every row's values against the generated source row
          with the same name (what mappings/sources/opportunities.yaml should have
          stored: upper-cased currency, "25%" -> 25, lower-cased email, the Created
          minute as a UTC instant); names starting with = + - @ must come back
          prefixed with ' (formula neutralisation).
  --xlsx  crmgate's XLSX opens with openpyxl (read_only=True); its sheets are the data
          sheet(s) and "Pipeline"; the first sheet has N+1 rows (N <= 1048575): counted
          with openpyxl when N <= 200000, above that (openpyxl would take minutes) by
          counting the <row elements of the sheet's XML; its first rows hold the
          source's values in typed cells; the Pipeline sheet's counts and sums
          match the source.
  --duck  DuckDB's CSV: N+1 records.

Prints one line per check (ok / FAIL / note) and exits 1 when any check failed.
"""

import argparse
import csv
import datetime as dt
import math
import sys
import time
from collections import defaultdict
from decimal import Decimal, InvalidOperation

XLSX_ROW_LIMIT = 1_048_575  # data rows per sheet (Excel's 1,048,576 less the header)
XLSX_COUNT_LIMIT = 200_000  # above this, do not count the XLSX's rows
SAMPLE = 2000  # XLSX rows compared value by value
MAX_EXAMPLES = 3

EXPECTED_COLUMNS = ["id", "name", "stage", "amount", "currency", "probability", "expected_close", "owner",
                    "customer_name", "contact_name", "contact_email", "source", "created_at", "updated_at"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

failures = 0


def report(ok, what, detail=""):
    global failures
    if not ok:
        failures += 1
    print(f"  {'ok  ' if ok else 'FAIL'}  {what}" + (f": {detail}" if detail else ""))


def note(what):
    print(f"  note  {what}")


def count_records(path, encoding="utf-8-sig"):
    with open(path, encoding=encoding, newline="") as f:
        return sum(1 for _ in csv.reader(f))


def expected_from_source(src):
    """The field values the mapping should store for a generated row (as strings, None for empty)."""
    (name, stage, amount, currency, prob, close, owner, customer, contact, email, source, created) = src
    return {
        "name": name,
        "stage": stage,
        "amount": Decimal(amount) if amount else None,
        "currency": currency.upper(),
        "probability": int(prob.strip().rstrip("%").strip()) if prob else None,
        "expected_close": close or None,
        "owner": owner,
        "customer_name": customer,
        "contact_name": contact,
        "contact_email": email.lower(),
        "source": source,
        "created_at": dt.datetime.strptime(created, "%Y-%m-%d %H:%M") if created else None,
    }


def parse_instant(text):
    """An ISO 8601 instant as a naive UTC datetime."""
    d = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if d.tzinfo is not None:
        d = d.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return d


def csv_cell_value(col, text):
    """A crmgate CSV cell as the comparable value."""
    if col == "name":
        if text.startswith("'") and text[1:].startswith(FORMULA_START):
            return text[1:]
        return text
    if text == "":
        return None if col in ("amount", "probability", "expected_close", "created_at") else ""
    if col == "amount":
        try:
            return Decimal(text)
        except InvalidOperation:
            return f"<not a number: {text!r}>"
    if col == "probability":
        try:
            return int(text)
        except ValueError:
            return f"<not an integer: {text!r}>"
    if col == "created_at":
        try:
            return parse_instant(text)
        except ValueError:
            return f"<not an instant: {text!r}>"
    return text


def check_csv(path, source, rows):
    print(f"crmgate CSV {path}")
    n = count_records(path)
    report(n == rows + 1, "records (csv module)", f"{n:,} (want {rows + 1:,}: header + {rows:,})")
    with open(path, "rb") as f:
        head = f.read(4096)
    note("starts with a UTF-8 BOM" if head.startswith(b"\xef\xbb\xbf") else "no UTF-8 BOM")
    note("CRLF line ends" if b"\r\n" in head else "LF line ends")

    mismatches = defaultdict(int)
    examples = defaultdict(list)
    neutralised = unneutralised = 0
    in_order = True
    compared = missing = 0
    with open(path, encoding="utf-8-sig", newline="") as fe, open(source, encoding="utf-8", newline="") as fs:
        er, sr = csv.reader(fe), csv.reader(fs)
        header = next(er)
        next(sr)
        report(header == EXPECTED_COLUMNS, "header", ",".join(header))
        idx = {c: i for i, c in enumerate(header)}
        pending = {}  # name -> source row, once the orders differ
        for erow in er:
            name_text = erow[idx["name"]] if "name" in idx else ""
            name = csv_cell_value("name", name_text)
            src = None
            if in_order:
                s = next(sr, None)
                if s is not None and s[0] == name:
                    src = s
                else:
                    in_order = False
                    if s is not None:
                        pending[s[0]] = s
            if src is None:
                src = pending.pop(name, None)
                while src is None:
                    s = next(sr, None)
                    if s is None:
                        break
                    if s[0] == name:
                        src = s
                    else:
                        pending[s[0]] = s
            if src is None:
                missing += 1
                if len(examples["(no source row)"]) < MAX_EXAMPLES:
                    examples["(no source row)"].append(name_text)
                continue
            compared += 1
            if src[0].startswith(FORMULA_START):
                if name_text.startswith("'"):
                    neutralised += 1
                else:
                    unneutralised += 1
                    if len(examples["neutralisation"]) < MAX_EXAMPLES:
                        examples["neutralisation"].append(f"{name_text!r}")
            want = expected_from_source(src)
            for col, w in want.items():
                if col not in idx:
                    continue
                got = csv_cell_value(col, erow[idx[col]])
                if got != w:
                    mismatches[col] += 1
                    if len(examples[col]) < MAX_EXAMPLES:
                        examples[col].append(f"{erow[idx[col]]!r} for source {w!s} (row {src[0]!r})")
            for col in ("id", "updated_at"):
                if col in idx and not erow[idx[col]]:
                    mismatches[col] += 1
    report(missing == 0, "every exported row has its source row", f"{missing:,} without" if missing else "")
    note("rows come out in the source file's order" if in_order else "rows come out in another order than the source's")
    report(unneutralised == 0, "formula-like names prefixed with '",
           f"{neutralised:,} prefixed, {unneutralised:,} not" + (f", e.g. {examples['neutralisation']}" if unneutralised else ""))
    for col in EXPECTED_COLUMNS:
        if col in mismatches:
            report(False, f"values of {col}", f"{mismatches[col]:,} of {compared:,} rows differ, e.g. " + "; ".join(examples[col]))
    if not mismatches:
        report(True, "values", f"{compared:,} rows match the source")


def xlsx_value(col, v):
    """An openpyxl cell value as the comparable value."""
    if v is None:
        return None if col in ("amount", "probability", "expected_close", "created_at") else ""
    if col == "amount":
        return Decimal(str(v)) if isinstance(v, (int, float)) else f"<{type(v).__name__} {v!r}>"
    if col == "probability":
        return int(v) if isinstance(v, (int, float)) and float(v).is_integer() else f"<{type(v).__name__} {v!r}>"
    if col == "expected_close":
        return v.date().isoformat() if isinstance(v, dt.datetime) else (
            v.isoformat() if isinstance(v, dt.date) else f"<{type(v).__name__} {v!r}>")
    if col == "created_at":
        if isinstance(v, dt.datetime):
            return v.replace(microsecond=0) if v.microsecond >= 999000 or v.microsecond <= 1000 else v
        return f"<{type(v).__name__} {v!r}>"
    return v if isinstance(v, str) else str(v)


def close_enough(col, got, want):
    if col == "amount" and isinstance(got, Decimal) and isinstance(want, Decimal):
        return abs(got - want) < Decimal("0.005")
    if col == "created_at" and isinstance(got, dt.datetime) and isinstance(want, dt.datetime):
        return abs((got - want).total_seconds()) < 1
    return got == want


def count_xml_rows(path, sheet):
    """<row elements in xl/worksheets/sheetN.xml, streamed (cell text cannot hold a raw '<')."""
    import zipfile

    n, tail = 0, b""
    with zipfile.ZipFile(path) as z, z.open(f"xl/worksheets/sheet{sheet}.xml") as f:
        while True:
            block = f.read(1 << 22)
            if not block:
                return n
            n += (tail + block).count(b"<row") - tail.count(b"<row")
            tail = block[-8:]


def check_xlsx(path, source, rows):
    import openpyxl

    print(f"crmgate XLSX {path}")
    t0 = time.perf_counter()
    try:
        wb = openpyxl.load_workbook(path, read_only=True)
    except Exception as e:  # noqa: BLE001 - any failure to open is the finding
        report(False, "opens with openpyxl (read_only)", f"{type(e).__name__}: {e}")
        return
    # Without a <dimension> in the sheet, openpyxl reads the whole sheet XML to size it.
    report(True, "opens with openpyxl (read_only)", f"in {time.perf_counter() - t0:.1f} s")
    names = wb.sheetnames
    data_sheets = max(1, math.ceil(rows / XLSX_ROW_LIMIT))
    report(len(names) == data_sheets + 1 and names[-1] == "Pipeline",
           "sheets", f"{names} (want {data_sheets} data sheet(s) and Pipeline)")
    ws = wb[names[0]]
    try:
        note(f"first sheet's declared dimension: {ws.calculate_dimension()}")
    except ValueError:
        note("first sheet declares no <dimension>: openpyxl's read-only open parses the whole sheet to size it")

    # Value check on the first SAMPLE rows (in source order, as crmgate writes them).
    with open(source, encoding="utf-8", newline="") as fs:
        sr = csv.reader(fs)
        next(sr)
        first = [next(sr) for _ in range(min(rows, SAMPLE))]
    by_name = {s[0]: s for s in first}
    it = ws.iter_rows(values_only=True)
    header = list(next(it, ()) or ())
    report(header == EXPECTED_COLUMNS, "header row", ",".join(str(h) for h in header))
    idx = {c: i for i, c in enumerate(header)}
    mismatches, examples, seen = defaultdict(int), defaultdict(list), 0
    counted = 1
    for row in it:
        counted += 1
        if seen < len(first):
            seen += 1
            src = by_name.get(row[idx["name"]]) if "name" in idx else None
            if src is None:
                mismatches["name"] += 1
                if len(examples["name"]) < MAX_EXAMPLES:
                    examples["name"].append(repr(row[idx["name"]]) if "name" in idx else "?")
                continue
            want = expected_from_source(src)
            for col, w in want.items():
                if col not in idx:
                    continue
                got = xlsx_value(col, row[idx[col]])
                if not close_enough(col, got, w):
                    mismatches[col] += 1
                    if len(examples[col]) < MAX_EXAMPLES:
                        examples[col].append(f"{row[idx[col]]!r} for source {w!s}")
        elif rows > XLSX_COUNT_LIMIT:
            break
    for col in EXPECTED_COLUMNS:
        if col in mismatches:
            report(False, f"XLSX values of {col}", f"{mismatches[col]:,} of the first {seen:,} rows differ, e.g. " + "; ".join(examples[col]))
    if not mismatches:
        report(True, "XLSX values", f"the first {seen:,} rows match the source (typed cells)")
    if rows <= XLSX_COUNT_LIMIT:
        want = min(rows, XLSX_ROW_LIMIT) + 1
        report(counted == want, "rows in the first sheet", f"{counted:,} (want {want:,})")
    else:
        # openpyxl would take minutes: count the <row elements of the sheet's XML instead.
        want = min(rows, XLSX_ROW_LIMIT) + 1
        counted = count_xml_rows(path, 1)
        report(counted == want, "rows in the first sheet (counted in its XML, not with openpyxl)",
               f"{counted:,} (want {want:,})")

    # Pipeline sheet against the source.
    if "Pipeline" in names:
        count, total, weighted = defaultdict(int), defaultdict(Decimal), defaultdict(Decimal)
        with open(source, encoding="utf-8", newline="") as fs:
            sr = csv.reader(fs)
            next(sr)
            for s in sr:  # only the summed columns (expected_from_source is slow on 1M rows)
                key = (s[1], s[3].upper())
                amount = Decimal(s[2]) if s[2] else Decimal(0)
                count[key] += 1
                total[key] += amount
                weighted[key] += amount * (int(s[4].strip().rstrip("%").strip()) if s[4] else 0)
        prow = list(wb["Pipeline"].iter_rows(values_only=True))
        bad, seen_keys = [], set()
        for r in prow[1:]:
            if not r or r[0] is None:
                continue
            key = (r[0], r[1])
            seen_keys.add(key)
            got_total = Decimal(str(r[3])) if r[3] is not None else None
            got_weighted = Decimal(str(r[4])) if r[4] is not None else None
            want_weighted = weighted[key] / 100
            if r[2] != count.get(key) or got_total is None or abs(got_total - total[key]) > Decimal("0.01") \
                    or got_weighted is None or abs(got_weighted - want_weighted) > Decimal("0.01"):
                bad.append(f"{key}: {r[2:]} vs {count.get(key)}, {total[key]}, {want_weighted.quantize(Decimal('0.01'))}")
        absent = set(count) - seen_keys
        report(not bad and not absent, "Pipeline sheet (count, total, weighted per stage and currency)",
               f"{len(prow) - 1} rows" + (f"; {len(bad)} differ, e.g. {bad[:2]}" if bad else "")
               + (f"; missing {sorted(absent)[:3]}" if absent else ""))
    wb.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--csv")
    ap.add_argument("--xlsx")
    ap.add_argument("--duck")
    a = ap.parse_args()
    if a.csv:
        check_csv(a.csv, a.source, a.rows)
    if a.xlsx:
        check_xlsx(a.xlsx, a.source, a.rows)
    if a.duck:
        print(f"DuckDB CSV {a.duck}")
        n = count_records(a.duck, encoding="utf-8")
        report(n == a.rows + 1, "records (csv module)", f"{n:,} (want {a.rows + 1:,})")
    print(f"sanity checks: {'all passed' if failures == 0 else f'{failures} FAILED'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
