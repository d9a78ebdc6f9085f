#!/usr/bin/env python3
"""Reference contenders for scripts/bench-import.sh (DuckDB and Polars).

    reference.py polars-read FILE             # read the CSV alone
    reference.py duckdb-job  FILE OUT.duckdb  # full job, result in a DuckDB file
    reference.py polars-job  FILE OUT.csv     # full job, result in a CSV

The full job is the same for both engines:
  * read every column as text (no type inference: "02139" stays "02139");
  * Email -> lower(trim(Email)), Phone -> digits only, with a leading '+' kept
    when the trimmed phone starts with one; a value that ends up empty is null;
  * keep the first row (in file order) per normalised email; rows whose
    email is empty are all kept;
  * write every column of the kept rows, in file order.
"trim" strips the same characters in both engines: space, tab, CR, LF.

Each command prints one JSON line, e.g. {"read": N, "kept": M, "seconds": S}
("read" is what Polars parsed; DuckDB's job gives only "kept"); "seconds" is measured inside Python,
after the engine was imported.  Only the engine in use is imported, so the
peak RSS that /usr/bin/time sees is that engine's.
"""

import json
import os
import sys
import time

TRIM = " \t\r\n"


def polars_read(path):
    import polars as pl

    t0 = time.perf_counter()
    df = pl.read_csv(path, infer_schema=False)
    return {"read": df.height, "seconds": time.perf_counter() - t0}


def polars_job(path, out):
    import polars as pl

    t0 = time.perf_counter()
    df = pl.read_csv(path, infer_schema=False)
    read = df.height
    email = pl.col("Email").str.strip_chars(TRIM).str.to_lowercase()
    phone = pl.col("Phone").str.strip_chars(TRIM)
    phone = (
        pl.when(phone.str.starts_with("+")).then(pl.lit("+")).otherwise(pl.lit(""))
        + phone.str.replace_all(r"[^0-9]", "")
    )
    df = df.with_columns(
        pl.when(email == "").then(None).otherwise(email).alias("Email"),
        pl.when(phone == "").then(None).otherwise(phone).alias("Phone"),
    )
    df = df.filter(pl.col("Email").is_null() | pl.col("Email").is_first_distinct())
    df.write_csv(out)
    return {"read": read, "kept": df.height, "seconds": time.perf_counter() - t0}


def duckdb_job(path, out):
    import duckdb

    for p in (out, out + ".wal"):
        if os.path.exists(p):
            os.remove(p)
    t0 = time.perf_counter()
    con = duckdb.connect(out)
    trim = TRIM.replace("'", "''")
    # Text-only read with RFC 4180 quoting (quoted fields hold commas, quotes,
    # newlines); rn is the row's position in the file.
    con.execute(
        f"""
        CREATE TABLE leads AS
        WITH src AS (
            SELECT row_number() OVER () AS rn, *
            FROM read_csv(?, header = true, delim = ',', quote = '"', escape = '"',
                          all_varchar = true)
        ),
        norm AS (
            SELECT * REPLACE (
                NULLIF(lower(trim("Email", '{trim}')), '') AS "Email",
                NULLIF(
                    CASE WHEN starts_with(trim("Phone", '{trim}'), '+') THEN '+' ELSE '' END
                    || regexp_replace("Phone", '[^0-9]', '', 'g'),
                    '') AS "Phone")
            FROM src
        )
        SELECT * EXCLUDE (rn) FROM norm
        WHERE "Email" IS NULL
           OR rn IN (SELECT min(rn) FROM norm WHERE "Email" IS NOT NULL GROUP BY "Email")
        ORDER BY rn
        """,
        [path],
    )
    kept = con.execute("SELECT count(*) FROM leads").fetchone()[0]
    con.close()
    return {"kept": kept, "seconds": time.perf_counter() - t0}


def main(argv):
    cmds = {"polars-read": (polars_read, 1), "polars-job": (polars_job, 2), "duckdb-job": (duckdb_job, 2)}
    if len(argv) < 2 or argv[1] not in cmds or len(argv) != 2 + cmds[argv[1]][1]:
        sys.exit(__doc__)
    fn, _ = cmds[argv[1]]
    result = fn(*argv[2:])
    result["seconds"] = round(result["seconds"], 3)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv)
