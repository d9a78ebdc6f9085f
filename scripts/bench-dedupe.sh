#!/usr/bin/env bash
# Benchmark crmgate's fuzzy dedupe for quality and speed on a generated lead list with known duplicates.
#
#   scripts/bench-dedupe.sh                    # build, 1M rows, seed 7
#   SKIP_BUILD=1 ROWS=100000 scripts/bench-dedupe.sh
#
# Steps: ../shared/bench/gen_leads.py --rows ROWS --seed 7 --truth (cached in .bench/); then, in the same run:
#   1. crmgate dedupe FILE --mapping mappings/sources/generic-leads.yaml --clusters ... (timed: wall, peak memory)
#   2. ../shared/bench/score_dedupe.py on its clusters: pairwise precision, recall, F1, recall per variation,
#      and recall on duplicates whose e-mail changed or is missing (email_alt, email_missing)
#   3. the exact-email baseline (score_dedupe.py --baseline-email), the anchor the issue names
#   4. with SPLINK=1, Splink (DuckDB backend, unsupervised) in a venv, as the issue's reference (slow: minutes, GBs)
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
PY=${PYTHON:-python3}
mkdir -p .bench
if [ ! -f ../shared/bench/gen_leads.py ]; then
  echo "bench-dedupe.sh needs the workplace's lead generator at ../shared/bench/gen_leads.py, which a clone does not have;" >&2
  echo "scripts/bench-people.sh measures the matcher on the repository's own generator (scripts/bench/gen_people.py)." >&2
  exit 2
fi
[ -n "${SKIP_BUILD:-}" ] || swift build -c release --product crmgate >&2
BIN=${CRMGATE:-.build/release/crmgate}
SRC=.bench/leads-$ROWS-s7.csv TRUTH=.bench/leads-$ROWS-s7.truth.csv
if [ ! -f $TRUTH ] || [ ! -f $SRC ]; then $PY ../shared/bench/gen_leads.py --rows $ROWS --seed 7 --out $SRC --truth $TRUTH --quiet; fi
OUT=.bench/dedupe-clusters-$ROWS.csv
echo "dedupe benchmark: $ROWS rows (seed 7), $(du -h $SRC | cut -f1)"
/usr/bin/time -f '%e %M' -o .bench/time.txt $BIN dedupe $SRC --mapping mappings/sources/generic-leads.yaml --clusters $OUT --review .bench/dedupe-review-$ROWS.csv | tee .bench/dedupe-out.txt
read -r secs kb < .bench/time.txt
echo
echo "crmgate dedupe: $secs s wall, $((kb / 1024)) MB peak, $(awk -v n=$ROWS -v s=$secs 'BEGIN{printf "%.0f", n/s}') rows/s"
$PY ../shared/bench/score_dedupe.py --truth $TRUTH --pred $OUT > .bench/dedupe-score.txt
head -4 .bench/dedupe-score.txt
awk '/email_alt|email_missing/ {split($2, a, "/"); f += $2; t += $4} END {if (t) printf "changed or missing e-mail: %d / %d found (%.1f%%)\n", f, t, 100 * f / t}' .bench/dedupe-score.txt
echo
echo "reference: exact e-mail only"
$PY ../shared/bench/score_dedupe.py --truth $TRUTH --baseline-email $SRC > .bench/dedupe-baseline.txt
head -3 .bench/dedupe-baseline.txt
if [ -n "${SPLINK:-}" ]; then
  VENV=.bench/venv-splink
  [ -x $VENV/bin/python ] || { $PY -m venv $VENV && $VENV/bin/pip install -q 'splink>=4' duckdb; }
  echo; echo "reference: Splink (DuckDB, unsupervised)"
  /usr/bin/time -f '%e s wall, %M KB peak' $VENV/bin/python scripts/bench/splink_dedupe.py $SRC .bench/splink-clusters-$ROWS.csv
  $PY ../shared/bench/score_dedupe.py --truth $TRUTH --pred .bench/splink-clusters-$ROWS.csv > .bench/splink-score.txt
  head -3 .bench/splink-score.txt
fi
