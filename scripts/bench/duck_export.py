#!/usr/bin/env python3
"""DuckDB reference for scripts/bench-export.sh.

    duck_export.py load   CSV DB.duckdb   # untimed set-up: the opportunities table
    duck_export.py export DB.duckdb OUT   # the contender: COPY the table to a CSV

`load` reads the generated opportunities CSV the way mappings/sources/opportunities.yaml
does and keeps typed columns, in file order:

    name, stage, amount DECIMAL(18,2), currency (upper-cased), probability INTEGER
    ("25%" -> 25), expected_close DATE, owner, customer_name, contact_name,
    contact_email (lower-cased), source, created_at TIMESTAMP

`export` runs COPY (SELECT * FROM opportunities) TO OUT (HEADER, DELIMITER ',').
Both print one JSON line, e.g. {"rows": N, "seconds": S}; "seconds" is measured
inside Python after duckdb was imported (export: connect + COPY).
"""

import json
import os
import sys
import time


def sql_string(s):
    return "'" + s.replace("'", "''") + "'"


def load(csv_path, db):
    import duckdb

    for p in (db, db + ".wal"):
        if os.path.exists(p):
            os.remove(p)
    t0 = time.perf_counter()
    con = duckdb.connect(db)
    con.execute(
        r"""
        CREATE TABLE opportunities AS
        SELECT
            "Opportunity"                                                 AS name,
            "Stage"                                                       AS stage,
            CAST("Amount" AS DECIMAL(18, 2))                              AS amount,
            upper("Currency")                                             AS currency,
            CAST(regexp_replace("Probability", '\s*%$', '') AS INTEGER)   AS probability,
            CAST("Expected Close" AS DATE)                                AS expected_close,
            "Owner"                                                       AS owner,
            "Customer"                                                    AS customer_name,
            "Contact"                                                     AS contact_name,
            lower("Contact Email")                                        AS contact_email,
            "Source"                                                      AS source,
            strptime("Created", '%Y-%m-%d %H:%M')                         AS created_at
        FROM read_csv(?, header = true, delim = ',', quote = '"', escape = '"', all_varchar = true)
        """,
        [csv_path],
    )
    rows = con.execute("SELECT count(*) FROM opportunities").fetchone()[0]
    con.close()
    return {"rows": rows, "seconds": time.perf_counter() - t0}


def export(db, out):
    import duckdb

    if os.path.exists(out):
        os.remove(out)
    t0 = time.perf_counter()
    con = duckdb.connect(db, read_only=True)
    res = con.execute(f"COPY (SELECT * FROM opportunities) TO {sql_string(out)} (HEADER, DELIMITER ',')").fetchall()
    seconds = time.perf_counter() - t0
    # COPY answers with the number of rows it wrote.
    rows = res[0][0] if res and res[0] else None
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    con.close()
    return {"rows": rows, "seconds": seconds, "threads": threads}


def main(argv):
    if len(argv) != 4 or argv[1] not in ("load", "export"):
        sys.exit(__doc__)
    result = load(argv[2], argv[3]) if argv[1] == "load" else export(argv[2], argv[3])
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv)
