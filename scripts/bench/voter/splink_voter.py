#!/usr/bin/env python3
"""Reference deduplication of gen.py's voter file with Splink (DuckDB backend), unsupervised.

    splink_voter.py VOTERS.csv CLUSTERS.csv [--threshold 0.9] [--u-pairs 1e7] [--seed 7] [--verbose]

Run inside a venv holding `splink>=4` and `duckdb` (scripts/bench-voter.sh with SPLINK=1 makes .bench/venv-splink).
The input has gen.py's columns (voter_reg_num, first_name, middle_name, last_name, name_suffix, age, gender,
res_street_address, res_city, zip_code, phone); the output is `row,source_id,cluster` as `crmgate dedupe --clusters`
writes it (row = 1-based data row, source_id = voter_reg_num, rows with the same cluster are one person).

Steps (no labels are used; the settings follow scripts/bench/splink_people.py's pattern):
  1. load the CSV into DuckDB (all text) and normalise: trim, lower-case, names without anything but letters, the
     street address with punctuation as spaces and runs of spaces as one, age as an integer;
  2. blocking rules for predictions: first + last; last + zip; first + zip; street + city; first + middle + city
     (a new last name in the same city);
  3. comparisons (Fellegi-Sunter levels): first and last name (exact with term frequencies, Jaro-Winkler >= 0.92 /
     0.80); middle name (exact, an initial against a name it begins or two equal initials, Jaro-Winkler >= 0.88);
     age (exact, within 1, within 3 years); street address (exact with term frequencies, Levenshtein <= 2,
     Jaro-Winkler >= 0.88); location (zip + city, zip, city: city and zip are one comparison as they go together);
     the voter_reg_num, the suffix, the gender and the phone are not compared;
  4. prior from deterministic rules (first + last + street, first + middle + last + city; assumed recall 0.7), u by
     random sampling (--u-pairs), m by EM over the blocking rules first + last (m of middle, age, street,
     location) and street + city (m of the names);
  5. predict pairs with match probability >= --threshold, connected components at the same threshold, write the
     clusters.
Prints the time of each step on stderr. Works with Splink 4 (Linker(table, settings, db_api)) and Splink 5
(db_api.register(table)).
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


def prepare_sql():
    def letters(col):
        return "nullif(regexp_replace(lower(strip_accents(coalesce(\"%s\", ''))), '[^a-z]', '', 'g'), '')" % col

    return """
CREATE TABLE voters AS
SELECT rowid + 1 AS unique_id, voter_reg_num AS record_id,
    {first} AS first_name, {middle} AS middle_name, {last} AS last_name,
    TRY_CAST(nullif(trim(age), '') AS INTEGER) AS age,
    nullif(trim(regexp_replace(lower(coalesce(res_street_address, '')), '[^a-z0-9]+', ' ', 'g')), '') AS street,
    nullif(lower(trim(res_city)), '') AS city,
    nullif(trim(zip_code), '') AS zip
FROM raw_csv
ORDER BY unique_id
""".format(first=letters("first_name"), middle=letters("middle_name"), last=letters("last_name"))


def name_comparison(col):
    return cl.CustomComparison(
        comparison_levels=[
            cll.NullLevel(col),
            cll.ExactMatchLevel(col, term_frequency_adjustments=True),
            cll.JaroWinklerLevel(col, 0.92),
            cll.JaroWinklerLevel(col, 0.80),
            cll.ElseLevel(),
        ],
        output_column_name=col,
    )


def settings():
    initial = ("substr(middle_name_l, 1, 1) = substr(middle_name_r, 1, 1) "
               "AND (length(middle_name_l) = 1 OR length(middle_name_r) = 1)")
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        probability_two_random_records_match=1e-4,
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "last_name"),
            block_on("last_name", "zip"),
            block_on("first_name", "zip"),
            block_on("street", "city"),
            block_on("first_name", "middle_name", "city"),
        ],
        comparisons=[
            name_comparison("first_name"),
            cl.CustomComparison(
                comparison_levels=[
                    cll.NullLevel("middle_name"),
                    cll.ExactMatchLevel("middle_name", term_frequency_adjustments=True),
                    cll.CustomLevel(initial, label_for_charts="initial agrees"),
                    cll.JaroWinklerLevel("middle_name", 0.88),
                    cll.ElseLevel(),
                ],
                output_column_name="middle_name",
            ),
            name_comparison("last_name"),
            cl.CustomComparison(
                comparison_levels=[
                    cll.NullLevel("age"),
                    cll.ExactMatchLevel("age"),
                    cll.AbsoluteDifferenceLevel("age", 1),
                    cll.AbsoluteDifferenceLevel("age", 3),
                    cll.ElseLevel(),
                ],
                output_column_name="age",
            ),
            cl.CustomComparison(
                comparison_levels=[
                    cll.NullLevel("street"),
                    cll.ExactMatchLevel("street", term_frequency_adjustments=True),
                    cll.LevenshteinLevel("street", 2),
                    cll.JaroWinklerLevel("street", 0.88),
                    cll.ElseLevel(),
                ],
                output_column_name="street",
            ),
            cl.CustomComparison(
                comparison_levels=[
                    cll.And(cll.NullLevel("zip"), cll.NullLevel("city")),
                    cll.And(cll.ExactMatchLevel("zip"), cll.ExactMatchLevel("city")).configure(
                        tf_adjustment_column="city"),
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
    ap.add_argument("src", help="voter CSV (gen.py)")
    ap.add_argument("out", help="clusters CSV to write: row,source_id,cluster")
    ap.add_argument("--threshold", type=float, default=0.9, help="match probability to link (default 0.9)")
    ap.add_argument("--u-pairs", type=float, default=1e7, help="random pairs for u estimation (default 1e7)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--verbose", action="store_true", help="Splink's own INFO logging")
    ap.add_argument("--model", help="also save the trained model (Splink settings JSON) here")
    a = ap.parse_args()

    t0 = last = time.perf_counter()

    def step(what):
        nonlocal last
        now = time.perf_counter()
        print("splink: %-40s %7.1f s" % (what, now - last), file=sys.stderr, flush=True)
        last = now

    con = duckdb.connect()
    con.execute(
        "CREATE TABLE raw_csv AS SELECT * FROM read_csv(?, header = true, all_varchar = true, "
        "quote = '\"', escape = '\"', strict_mode = false)",
        [a.src],
    )
    cols = [r[0] for r in con.execute("DESCRIBE raw_csv").fetchall()]
    want = ["voter_reg_num", "first_name", "middle_name", "last_name", "age", "res_street_address", "res_city",
            "zip_code"]
    missing = [c for c in want if c not in cols]
    if missing:
        print("splink_voter.py: %s has no column %s (not a gen.py file?)" % (a.src, ", ".join(missing)),
              file=sys.stderr)
        return 2
    con.execute(prepare_sql())
    con.execute("DROP TABLE raw_csv")
    n = con.execute("SELECT count(*) FROM voters").fetchall()[0][0]
    step("load + normalise %d rows" % n)

    db_api = DuckDBAPI(connection=con)
    log_level = logging.INFO if a.verbose else logging.WARNING
    if SPLINK_MAJOR >= 5:
        linker = Linker(db_api.register("voters"), settings(), log_level=log_level)
    else:
        linker = Linker("voters", settings(), db_api, set_up_basic_logging=a.verbose)

    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "last_name", "street"), block_on("first_name", "middle_name", "last_name", "city")],
        recall=0.7,
    )
    step("prior (deterministic rules)")
    linker.training.estimate_u_using_random_sampling(max_pairs=a.u_pairs, seed=a.seed)
    step("u (random sampling, %.0g pairs)" % a.u_pairs)
    for rule in (block_on("first_name", "last_name"), block_on("middle_name", "street", "city")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    step("m (EM, 2 blocking rules)")
    if a.model:
        linker.misc.save_model_to_json(a.model, overwrite=True)

    pred = linker.inference.predict(threshold_match_probability=a.threshold)
    npairs = con.execute("SELECT count(*) FROM %s" % pred.physical_name).fetchall()[0][0]
    step("predict (%d pairs >= %g)" % (npairs, a.threshold))
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        pred, threshold_match_probability=a.threshold
    )
    step("cluster")

    con.execute(
        "COPY (SELECT c.unique_id AS row, v.record_id AS source_id, c.cluster_id AS cluster "
        "FROM %s c JOIN voters v USING (unique_id) ORDER BY c.unique_id) TO '%s' (HEADER, DELIMITER ',')"
        % (clusters.physical_name, a.out.replace("'", "''"))
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
