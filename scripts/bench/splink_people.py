#!/usr/bin/env python3
"""Reference deduplication of a gen_people.py person list with Splink (DuckDB backend), unsupervised.

    splink_people.py PEOPLE.csv CLUSTERS.csv [--threshold 0.9] [--u-pairs 1e7] [--seed 7] [--verbose]

Run inside a venv holding `splink>=4` and `duckdb` (scripts/bench-people.sh with SPLINK=1 makes
.bench/venv-splink). The input is a person list as written by gen_people.py:

    Record ID,Given Name,Surname,Street Number,Address 1,Address 2,Suburb,Postcode,State,Phone,Email
    [,Date of Birth,National ID]        (--with-ids; used when the columns are there)

The output is `row,source_id,cluster` (what score_pairs.py reads, as `crmgate dedupe --clusters` writes
it): one line per data row, row = 1-based data-row number, source_id = the Record ID, rows with the same
cluster are one person.

Steps (no labels are used anywhere; the settings follow Splink's own FEBRL examples, the data set
gen_people.py's columns are modelled on, with a few standard additions):
  1. load the CSV into DuckDB (all columns text) and normalise: trim, lower-case, accents stripped;
     names, suburb and the address lines without spaces and punctuation (so "Mac Donald" and
     "MacDonald" agree), after spelling out common Australian street-type / unit abbreviations
     (St -> street, Rd -> road, Cres -> crescent, U -> unit, ...: a fixed standard list, STREET_WORDS);
     phone reduced to digits with +61 written as 0; e-mail lower-cased; date of birth as written
     (YYYY-MM-DD) and national id digits only;
  2. blocking rules for predictions (several field families, so that no single wrong or missing field
     hides a pair): surname + postcode; given + surname; given + postcode; postcode + street number;
     street number + address 1; phone; e-mail; and with the id columns date of birth and national id;
  3. comparisons (Fellegi-Sunter levels): given name and surname each as Splink's NameComparison
     (exact, Jaro-Winkler >= 0.92 / 0.88 / 0.7) plus a names-swapped level (ColumnsReversedLevel);
     street number (exact, Damerau-Levenshtein <= 1); address (exact on both lines, lines swapped,
     exact line 1, Jaro-Winkler >= 0.9 / 0.8 on line 1; a missing line 1 is neutral); location
     (postcode + suburb, postcode, suburb, postcode Damerau-Levenshtein <= 1, suburb Jaro-Winkler
     >= 0.88); phone (exact, Damerau-Levenshtein <= 1); e-mail (Splink's EmailComparison); with the id
     columns date of birth (Splink's DateOfBirthComparison: exact, Levenshtein <= 1, within 1 month /
     1 year / 10 years) and national id (exact, Damerau-Levenshtein <= 1 / 2). Term-frequency
     adjustments on the exact levels of names, street number, address, postcode, suburb and phone;
  4. prior from deterministic rules (names variant: given + surname + postcode + street number, or
     e-mail; ids variant: national id, or given + surname + date of birth; assumed recall 0.7), u by
     random sampling (--u-pairs), m by EM over the blocking rules given + surname, e-mail, and with the
     id columns date of birth. A file with no e-mail at all (bench-people.sh's names-address variant, one
     person per address) trains the names blocked on postcode + street number instead. The names are trained only in sessions that households do not share:
     blocked on postcode + street number or on phone (a shared landline), EM takes the members of a
     household for matches and learns that a different given name says little (m of its else level
     ~0.38), and then merges nearly every household;
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

# Common Australian street-type and unit abbreviations (Australia Post / AS 4590 style), spelled out
# before comparing. A standard cleaning list, not read from the generator.
STREET_WORDS = {
    "st": "street", "str": "street", "rd": "road", "ave": "avenue", "av": "avenue", "dr": "drive",
    "drv": "drive", "ct": "court", "crt": "court", "pl": "place", "cres": "crescent", "cr": "crescent",
    "cresc": "crescent", "la": "lane", "ln": "lane", "pde": "parade", "tce": "terrace", "terr": "terrace",
    "cl": "close", "hwy": "highway", "bvd": "boulevard", "blvd": "boulevard", "bvde": "boulevarde",
    "cct": "circuit", "cir": "circle", "gr": "grove", "gve": "grove", "esp": "esplanade", "sq": "square",
    "pkwy": "parkway", "pwy": "parkway", "wy": "way", "wlk": "walk", "trk": "track", "trl": "trail",
    "gdns": "gardens", "hts": "heights", "vw": "view", "cv": "cove", "gln": "glen", "rdge": "ridge",
    "ch": "chase", "bnd": "bend", "prom": "promenade", "qy": "quay", "ent": "entrance", "mwy": "motorway",
    "fwy": "freeway", "rte": "route", "cnr": "corner", "gra": "grange", "grn": "green",
    "hl": "hill", "lp": "loop", "mndr": "meander", "psge": "passage", "pt": "point",
    "rmbl": "ramble", "ri": "rise", "rdwy": "roadway", "sbwy": "subway", "vsta": "vista",
    "u": "unit", "apt": "apartment", "lvl": "level", "l": "level", "ste": "suite", "shp": "shop",
    "fl": "floor", "flr": "floor", "bldg": "building",
}


def expand_words(col):
    """SQL: the words of col (already lower-case, punctuation as spaces) with STREET_WORDS spelled out,
    joined without spaces; NULL when empty."""
    cases = " ".join("WHEN '%s' THEN '%s'" % (k, v) for k, v in STREET_WORDS.items())
    return ("nullif(array_to_string([CASE w %s ELSE w END FOR w IN string_split(trim(%s), ' ')], ''), '')"
            % (cases, col))


def prepare_sql(with_ids):
    def clean(col):  # lower, accents stripped, anything but letters and digits as one space
        return ("trim(regexp_replace(lower(strip_accents(coalesce(\"%s\", ''))), '[^\\p{L}\\p{N}]+', ' ', 'g'))"
                % col)

    def squeezed(col):  # as clean, without spaces
        return "nullif(replace(%s, ' ', ''), '')" % clean(col)

    ids = ""
    if with_ids:
        ids = """,
        nullif(trim("Date of Birth"), '') AS dob,
        nullif(regexp_replace(coalesce("National ID", ''), '[^0-9]', '', 'g'), '') AS national_id"""
    return """
CREATE TABLE people AS
WITH t AS (
    SELECT rowid + 1 AS unique_id, "Record ID" AS record_id,
        {given} AS given, {surname} AS surname,
        {number} AS street_number,
        {addr1} AS addr1, {addr2} AS addr2,
        {suburb} AS suburb,
        nullif(regexp_replace(coalesce(Postcode, ''), '[^0-9A-Za-z]', '', 'g'), '') AS postcode,
        nullif(regexp_replace(coalesce(Phone, ''), '[^0-9]', '', 'g'), '') AS phone_digits,
        nullif(lower(trim(Email)), '') AS email{ids}
    FROM raw_csv
)
SELECT * EXCLUDE (phone_digits),
    CASE WHEN phone_digits LIKE '61%' AND length(phone_digits) = 11 THEN '0' || substr(phone_digits, 3)
         ELSE phone_digits END AS phone,
    addr1 || '|' || coalesce(addr2, '') AS addr_full
FROM t
ORDER BY unique_id
""".format(given=squeezed("Given Name"), surname=squeezed("Surname"), number=squeezed("Street Number"),
           addr1=expand_words(clean("Address 1")), addr2=expand_words(clean("Address 2")),
           suburb=squeezed("Suburb"), ids=ids)


def name_comparison(col, other):
    return cl.CustomComparison(
        comparison_levels=[
            cll.NullLevel(col),
            cll.ExactMatchLevel(col, term_frequency_adjustments=True),
            cll.ColumnsReversedLevel(col, other, symmetrical=True).configure(
                label_for_charts="given name and surname swapped"),
            cll.JaroWinklerLevel(col, 0.92),
            cll.JaroWinklerLevel(col, 0.88),
            cll.JaroWinklerLevel(col, 0.7),
            cll.ElseLevel(),
        ],
        output_column_name=col,
    )


def settings(with_ids):
    rules = [
        block_on("surname", "postcode"),
        block_on("given", "surname"),
        block_on("given", "postcode"),
        block_on("postcode", "street_number"),
        block_on("street_number", "addr1"),
        block_on("phone"),
        block_on("email"),
    ]
    comparisons = [
        name_comparison("given", "surname"),
        name_comparison("surname", "given"),
        cl.CustomComparison(
            comparison_levels=[
                cll.NullLevel("street_number"),
                cll.ExactMatchLevel("street_number", term_frequency_adjustments=True),
                cll.DamerauLevenshteinLevel("street_number", 1),
                cll.ElseLevel(),
            ],
            output_column_name="street_number",
        ),
        cl.CustomComparison(
            comparison_levels=[
                cll.NullLevel("addr1"),
                cll.ExactMatchLevel("addr_full", term_frequency_adjustments=True),
                cll.ColumnsReversedLevel("addr1", "addr2", symmetrical=True).configure(
                    label_for_charts="address lines swapped"),
                cll.ExactMatchLevel("addr1", term_frequency_adjustments=True),
                cll.JaroWinklerLevel("addr1", 0.9),
                cll.JaroWinklerLevel("addr1", 0.8),
                cll.ElseLevel(),
            ],
            output_column_name="address",
        ),
        cl.CustomComparison(
            comparison_levels=[
                cll.And(cll.NullLevel("postcode"), cll.NullLevel("suburb")),
                cll.And(cll.ExactMatchLevel("postcode"), cll.ExactMatchLevel("suburb")).configure(
                    tf_adjustment_column="suburb"),
                cll.ExactMatchLevel("postcode", term_frequency_adjustments=True),
                cll.ExactMatchLevel("suburb", term_frequency_adjustments=True),
                cll.DamerauLevenshteinLevel("postcode", 1),
                cll.JaroWinklerLevel("suburb", 0.88),
                cll.ElseLevel(),
            ],
            output_column_name="location",
        ),
        cl.CustomComparison(
            comparison_levels=[
                cll.NullLevel("phone"),
                cll.ExactMatchLevel("phone", term_frequency_adjustments=True),
                cll.DamerauLevenshteinLevel("phone", 1),
                cll.ElseLevel(),
            ],
            output_column_name="phone",
        ),
        cl.EmailComparison("email"),
    ]
    if with_ids:
        rules += [block_on("dob"), block_on("national_id")]
        comparisons += [
            cl.DateOfBirthComparison("dob", input_is_string=True, datetime_format="%Y-%m-%d"),
            cl.DamerauLevenshteinAtThresholds("national_id", [1, 2]),
        ]
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        probability_two_random_records_match=1e-5,
        blocking_rules_to_generate_predictions=rules,
        comparisons=comparisons,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("src", help="person CSV (gen_people.py)")
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
    want = ["Record ID", "Given Name", "Surname", "Street Number", "Address 1", "Address 2", "Suburb",
            "Postcode", "Phone", "Email"]
    missing = [c for c in want if c not in cols]
    if missing:
        print("splink_people.py: %s has no column %s (not a gen_people.py file?)" % (a.src, ", ".join(missing)),
              file=sys.stderr)
        return 2
    with_ids = "Date of Birth" in cols and "National ID" in cols
    con.execute(prepare_sql(with_ids))
    con.execute("DROP TABLE raw_csv")
    n = con.execute("SELECT count(*) FROM people").fetchall()[0][0]
    step("load + normalise %d rows%s" % (n, " (with ids)" if with_ids else ""))

    db_api = DuckDBAPI(connection=con)
    log_level = logging.INFO if a.verbose else logging.WARNING
    if SPLINK_MAJOR >= 5:
        linker = Linker(db_api.register("people"), settings(with_ids), log_level=log_level)
    else:
        linker = Linker("people", settings(with_ids), db_api, set_up_basic_logging=a.verbose)

    if with_ids:
        prior_rules = [block_on("national_id"), block_on("given", "surname", "dob")]
        em_rules = [block_on("given", "surname"), block_on("email"), block_on("dob")]
    elif con.execute("SELECT count(email) FROM people").fetchall()[0][0] > 0:
        prior_rules = [block_on("given", "surname", "postcode", "street_number"), block_on("email")]
        em_rules = [block_on("given", "surname"), block_on("email")]
    else:
        # Names and address only (bench-people.sh's names-address variant, one person per address): the names' m from
        # pairs at one address, as Splink's examples train them when nothing else is left.
        prior_rules = [block_on("given", "surname", "postcode", "street_number")]
        em_rules = [block_on("given", "surname"), block_on("postcode", "street_number")]
    linker.training.estimate_probability_two_random_records_match(prior_rules, recall=0.7)
    step("prior (deterministic rules)")
    linker.training.estimate_u_using_random_sampling(max_pairs=a.u_pairs, seed=a.seed)
    step("u (random sampling, %.0g pairs)" % a.u_pairs)
    for rule in em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    step("m (EM, %d blocking rules)" % len(em_rules))
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
        "COPY (SELECT c.unique_id AS row, p.record_id AS source_id, c.cluster_id AS cluster "
        "FROM %s c JOIN people p USING (unique_id) ORDER BY c.unique_id) TO '%s' (HEADER, DELIMITER ',')"
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
