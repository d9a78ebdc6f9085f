#!/usr/bin/env bash
# The fuzzy matcher on a second, independent generator (scripts/bench/gen_people.py: its own names, Australian
# addresses, 13 error classes, households and namesakes as hard negatives), quality and speed, four variants (VARIANTS= picks):
#
#   scripts/bench-people.sh                  # build, 100k rows, seed 1
#   SKIP_BUILD=1 ROWS=20000 scripts/bench-people.sh
#   SKIP_BUILD=1 ROWS=20000 SPLINK=1 scripts/bench-people.sh     # and Splink on the same files
#
# Variant "ids": date of birth and national id compared (scripts/bench/people-ids.yaml, a `dedupe:` section);
# variant "names": name, address and phone only (scripts/bench/people.yaml); variant "names-solo": the same
# columns with one person per address (gen_people.py --family-rate 0), where a row with the same last name and
# address and another first name is the same person with a replaced first name (see `households` in README);
# variant "names-address": the names-solo list with its Phone and Email columns emptied (names and address only,
# for both tools).
# Scored by scripts/bench/score_pairs.py
# (pairwise precision/recall/F1, recall per error class, hard negatives merged). Targets (issue 16): precision
# >= 0.99, F1 >= 0.98.
#
# With SPLINK=1, per variant, Splink (DuckDB backend, unsupervised: scripts/bench/splink_people.py, which uses
# the date of birth and national id when the file has them) dedupes the same file in the venv .bench/venv-splink
# (made with `python3 -m venv` and `pip install 'splink>=4' duckdb` when it cannot import them), timed the same
# way (wall seconds, peak MB), scored by score_pairs.py with the same arguments (full report in
# .bench/people-ROWS-VARIANT.splink.score.txt, step times in ...splink.log), and a table puts the two side by side.
# Exits non-zero only when a step fails, never on a figure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-100000}
PY=${PYTHON:-python3}
mkdir -p .bench
[ -n "${SKIP_BUILD:-}" ] || swift build -c release --product crmgate >&2
BIN=${CRMGATE:-.build/release/crmgate}
VENV=.bench/venv-splink
if [ -n "${SPLINK:-}" ] && ! $VENV/bin/python -c 'import splink, duckdb' 2>/dev/null; then
  echo "making $VENV (splink, duckdb)" >&2
  [ -x $VENV/bin/python ] || $PY -m venv $VENV
  $VENV/bin/pip install -q 'splink>=4' duckdb
fi
field() { awk -v k="$1" '$1 == k && NF == 2 { print $2 }' "$2"; }   # a figure of a score_pairs.py report
row() { printf '  %-8s %9s %7s %7s %8s %7s\n' "$@"; }
for variant in ${VARIANTS:-ids names names-solo names-address}; do
  base=.bench/people-$ROWS-$variant
  flag=(); mapping=scripts/bench/people.yaml
  if [ $variant = ids ]; then flag=(--with-ids); mapping=scripts/bench/people-ids.yaml; fi
  if [ $variant = names-solo ] || [ $variant = names-address ]; then flag=(--family-rate 0); fi
  if [ ! -f $base.csv ]; then
    $PY scripts/bench/gen_people.py --rows "$ROWS" --seed 1 "${flag[@]}" --out $base.tmp.csv --truth $base.truth.csv \
      --classes $base.classes.csv --negatives $base.neg.csv --quiet
    [ $variant != names-address ] || $PY - "$base.tmp.csv" <<'PYEOF'
import csv, os, sys
path = sys.argv[1]
with open(path, newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f))
for r in rows[1:]:
    r[9] = r[10] = ""  # Phone, Email
with open(path + ".tmp", "w", newline="", encoding="utf-8") as f:
    csv.writer(f, lineterminator="\r\n").writerows(rows)
os.replace(path + ".tmp", path)
PYEOF
    mv $base.tmp.csv $base.csv
  fi
  score=(--truth $base.truth.csv --classes $base.classes.csv --negatives $base.neg.csv)
  echo "== $variant: $ROWS rows ($(du -h $base.csv | cut -f1)), mapping $mapping"
  /usr/bin/time -f '%e %M' -o .bench/people-time.txt $BIN dedupe $base.csv --mapping $mapping --clusters $base.clusters.csv > $base.out.txt
  read -r secs kb < .bench/people-time.txt
  # The summary lines, with the lines that continue them (indented under the values).
  awk '/^(pairs compared|pairs complete|matches|households|review)/ { p = 1; print; next } /^                / { if (p) print; next } { p = 0 }' $base.out.txt
  echo "crmgate dedupe: $secs s wall, $((kb / 1024)) MB peak"
  $PY scripts/bench/score_pairs.py "${score[@]}" --pred $base.clusters.csv > $base.score.txt
  grep -vE '^  [1-4] ' $base.score.txt
  if [ -n "${SPLINK:-}" ]; then
    echo
    echo "Splink (DuckDB, unsupervised) on the same file:"
    if ! /usr/bin/time -f '%e %M' -o .bench/people-splink-time.txt \
        $VENV/bin/python scripts/bench/splink_people.py $base.csv $base.splink.csv 2> $base.splink.log; then
      cat $base.splink.log >&2
      echo "bench-people.sh: splink_people.py failed on $base.csv" >&2
      exit 1
    fi
    read -r ssecs skb < .bench/people-splink-time.txt
    tail -1 $base.splink.log
    $PY scripts/bench/score_pairs.py "${score[@]}" --pred $base.splink.csv > $base.splink.score.txt
    grep -A3 '^hard negatives' $base.splink.score.txt || true
    echo
    echo "$variant, $ROWS rows (Splink's full report: $base.splink.score.txt)"
    row tool precision recall F1 seconds MB
    row crmgate "$(field precision $base.score.txt)" "$(field recall $base.score.txt)" "$(field f1 $base.score.txt)" "$secs" $((kb / 1024))
    row splink "$(field precision $base.splink.score.txt)" "$(field recall $base.splink.score.txt)" \
      "$(field f1 $base.splink.score.txt)" "$ssecs" $((skb / 1024))
  fi
  echo
done
