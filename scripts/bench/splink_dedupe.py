#!/usr/bin/env python3
"""Reference deduplication of a lead CSV with Splink (DuckDB backend), unsupervised.

    splink_dedupe.py LEADS.csv CLUSTERS.csv [--threshold 0.9] [--u-pairs 1e7] [--seed 7]

Run inside a venv holding `splink>=4` and `duckdb` (scripts/bench-dedupe.sh with SPLINK=1 makes
.bench/venv-splink). The input is a lead CSV as written by ../shared/bench/gen_leads.py (columns
First Name, Last Name, Email, Phone, Company, Job Title, Street, City, State, Postcode, Country,
...); the output is `row,source_id,cluster` (what score_dedupe.py reads): one line per data row,
row = 1-based data-row number, source_id empty, rows with the same cluster are one entity.

Steps (no labels are used anywhere):
  1. load the CSV into DuckDB (all columns text) and normalise a little: trim + lower-case
     everywhere, accents stripped from names / company / street / city, e-mail user part without
     a +tag, phone reduced to digits (compared on its last 10 and last 8 digits, so "+1 (415) ..."
     and "415.555...", "+44 (0)20 ..." and "020 ..." agree), company without punctuation and legal
     form (Inc, LLC, GmbH, ...);
  2. blocking rules for predictions: email; phone (last 8 digits); postcode + first 3 letters of
     last name; postcode + first letter of first name; company + last name + first letter of first
     name; street + postcode (each under ~5M pairs on 1M rows; company + first letter alone would
     be ~130M);
  3. comparisons (Fellegi-Sunter levels): first / last name (exact, Jaro-Winkler >= 0.92 / 0.8),
     email (exact, exact user part, Jaro-Winkler >= 0.88 on user part), phone (last 10 digits,
     last 8 digits), company (exact, Jaro-Winkler >= 0.92 / 0.8), street (exact, Levenshtein <= 2,
     Jaro-Winkler >= 0.85), location (postcode + city, postcode, city); term-frequency adjustments
     on the exact levels of names, e-mail user, company, street, postcode and city, so common
     values (big companies, the few shared office addresses, "ken@...") count less;
  4. prior from deterministic rules (exact email or exact phone + last name, assumed recall 0.8),
     u by random sampling, m by EM over three blocking rules (email; phone; postcode + last name);
  5. predict pairs with match probability >= --threshold, connected components at the same
     threshold, write the clusters.
Prints the time of each step on stderr. Works with Splink 4 (Linker(table, settings, db_api)) and
Splink 5 (db_api.register(table)).
"""

import argparse
import logging
import sys
import time

import duckdb
import splink
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

SPLINK_MAJOR = int(splink.__version__.split(".")[0])

LEGAL_FORMS = (
    "incorporated|inc|llc|l l c|ltd|limited|corporation|corp|company|co|gmbh|g m b h|ag|a g|"
    "s a s|sas|s a|sa|plc|pty ltd|pty|k k|kk|kabushiki kaisha|llp|sp z o o"
)

PREPARE_SQL = r"""
CREATE MACRO wtrim(s) AS trim(s, chr(32) || chr(9) || chr(10) || chr(13) || chr(160));
CREATE TABLE leads AS
WITH raw AS (
    SELECT rowid + 1 AS unique_id, * FROM raw_csv
), t AS (
    SELECT unique_id,
        nullif(lower(strip_accents(wtrim("First Name"))), '') AS first_name,
        nullif(lower(strip_accents(wtrim("Last Name"))), '') AS last_name,
        nullif(lower(wtrim(Email)), '') AS email,
        nullif(regexp_replace(coalesce(Phone, ''), '[^0-9]', '', 'g'), '') AS phone,
        nullif(trim(regexp_replace(regexp_replace(
            lower(strip_accents(replace(coalesce(Company, ''), '&', ' and '))),
            '[^\p{L}\p{N}]+', ' ', 'g'), '\s+', ' ', 'g')), '') AS company_raw,
        nullif(trim(regexp_replace(lower(strip_accents(coalesce(Street, ''))), '[^\p{L}\p{N}]+', ' ', 'g')), '')
            AS street,
        nullif(lower(strip_accents(wtrim(City))), '') AS city,
        nullif(upper(replace(wtrim(Postcode), ' ', '')), '') AS postcode
    FROM raw
)
SELECT unique_id, first_name, last_name, email,
    nullif(regexp_replace(split_part(email, '@', 1), '\+.*$', ''), '') AS email_user,
    phone,
    right(phone, 10) AS phone10,
    right(phone, 8) AS phone8,
    coalesce(nullif(trim(regexp_replace(company_raw, '( ({legal}))+$', '')), ''), company_raw) AS company,
    street, city, postcode,
    substr(first_name, 1, 1) AS first_initial,
    substr(last_name, 1, 3) AS last3
FROM t
ORDER BY unique_id
""".replace("{legal}", LEGAL_FORMS)


def name_levels(col):
    return cl.CustomComparison(
        comparison_levels=[
            cll.NullLevel(col),
            cll.ExactMatchLevel(col, term_frequency_adjustments=True),
            cll.JaroWinklerLevel(col, 0.92),
            cll.JaroWinklerLevel(col, 0.8),
            cll.ElseLevel(),
        ],
        output_column_name=col,
    )


def settings():
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        probability_two_random_records_match=1e-5,
        blocking_rules_to_generate_predictions=[
            block_on("email"),
            block_on("phone8"),
            block_on("postcode", "last3"),
            block_on("postcode", "first_initial"),
            block_on("company", "last_name", "first_initial"),
            block_on("street", "postcode"),
        ],
        comparisons=[
            name_levels("first_name"),
            name_levels("last_name"),
            cl.CustomComparison(
                comparison_levels=[
                    cll.NullLevel("email"),
                    cll.ExactMatchLevel("email"),
                    cll.ExactMatchLevel("email_user", term_frequency_adjustments=True),
                    cll.JaroWinklerLevel("email_user", 0.88),
                    cll.ElseLevel(),
                ],
                output_column_name="email",
            ),
            cl.CustomComparison(
                comparison_levels=[
                    cll.NullLevel("phone"),
                    cll.ExactMatchLevel("phone10"),
                    cll.ExactMatchLevel("phone8"),
                    cll.ElseLevel(),
                ],
                output_column_name="phone",
            ),
            cl.CustomComparison(
                comparison_levels=[
                    cll.NullLevel("company"),
                    cll.ExactMatchLevel("company", term_frequency_adjustments=True),
                    cll.JaroWinklerLevel("company", 0.92),
                    cll.JaroWinklerLevel("company", 0.8),
                    cll.ElseLevel(),
                ],
                output_column_name="company",
            ),
            cl.CustomComparison(
                comparison_levels=[
                    cll.NullLevel("street"),
                    cll.ExactMatchLevel("street", term_frequency_adjustments=True),
                    cll.LevenshteinLevel("street", 2),
                    cll.JaroWinklerLevel("street", 0.85),
                    cll.ElseLevel(),
                ],
                output_column_name="street",
            ),
            cl.CustomComparison(
                comparison_levels=[
                    cll.And(cll.NullLevel("postcode"), cll.NullLevel("city")),
                    cll.And(cll.ExactMatchLevel("postcode"), cll.ExactMatchLevel("city")).configure(
                        tf_adjustment_column="postcode"),
                    cll.ExactMatchLevel("postcode", term_frequency_adjustments=True),
                    cll.ExactMatchLevel("city", term_frequency_adjustments=True),
                    cll.ElseLevel(),
                ],
                output_column_name="location",
            ),
        ],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("src", help="lead CSV (gen_leads.py)")
    ap.add_argument("out", help="clusters CSV to write: row,source_id,cluster")
    ap.add_argument("--threshold", type=float, default=0.9, help="match probability to link (default 0.9)")
    ap.add_argument("--u-pairs", type=float, default=1e7, help="random pairs for u estimation (default 1e7)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--verbose", action="store_true", help="Splink's own INFO logging")
    a = ap.parse_args()

    t0 = last = time.perf_counter()

    def step(what):
        nonlocal last
        now = time.perf_counter()
        print("splink: %-34s %7.1f s" % (what, now - last), file=sys.stderr, flush=True)
        last = now

    con = duckdb.connect()
    con.execute(
        "CREATE TABLE raw_csv AS SELECT * FROM read_csv(?, header = true, all_varchar = true, "
        "quote = '\"', escape = '\"', strict_mode = false)",
        [a.src],
    )
    con.execute(PREPARE_SQL)
    con.execute("DROP TABLE raw_csv")
    n = con.execute("SELECT count(*) FROM leads").fetchall()[0][0]
    step("load + normalise %d rows" % n)

    db_api = DuckDBAPI(connection=con)
    log_level = logging.INFO if a.verbose else logging.WARNING
    if SPLINK_MAJOR >= 5:
        linker = Linker(db_api.register("leads"), settings(), log_level=log_level)
    else:
        linker = Linker("leads", settings(), db_api, set_up_basic_logging=a.verbose)

    linker.training.estimate_probability_two_random_records_match(
        [block_on("email"), block_on("phone10", "last_name")], recall=0.8
    )
    step("prior (deterministic rules)")
    linker.training.estimate_u_using_random_sampling(max_pairs=a.u_pairs, seed=a.seed)
    step("u (random sampling, %.0g pairs)" % a.u_pairs)
    for rule in (block_on("email"), block_on("phone10"), block_on("postcode", "last_name")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    step("m (EM, 3 blocking rules)")

    pred = linker.inference.predict(threshold_match_probability=a.threshold)
    npairs = con.execute("SELECT count(*) FROM %s" % pred.physical_name).fetchall()[0][0]
    step("predict (%d pairs >= %g)" % (npairs, a.threshold))
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        pred, threshold_match_probability=a.threshold
    )
    step("cluster")

    con.execute(
        "COPY (SELECT unique_id AS row, NULL::VARCHAR AS source_id, cluster_id AS cluster FROM %s ORDER BY unique_id) "
        "TO '%s' (HEADER, DELIMITER ',')" % (clusters.physical_name, a.out.replace("'", "''"))
    )
    nc, nm = con.execute(
        "SELECT count(DISTINCT cluster_id), count(*) - count(DISTINCT cluster_id) FROM %s" % clusters.physical_name
    ).fetchall()[0]
    step("write")
    print("splink %s: %d rows -> %d clusters (%d rows merged) in %.1f s"
          % (splink.__version__, n, nc, nm, time.perf_counter() - t0), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
