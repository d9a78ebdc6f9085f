#!/usr/bin/env bash
# Scores `crmgate dedupe` on the third person generator (scripts/bench/third/gen.py: Febrl-style, written by a
# helper who had not seen the repository's other generators), side by side with Splink on the same files.
#
#   scripts/bench-third.sh                   # build, generate (seed 4), run the 8 files, print the table
#   SKIP_BUILD=1 SPLINK=1 scripts/bench-third.sh   # also Splink (DuckDB, unsupervised) on the names variants
#   scripts/bench-third.sh --help            # this text
#
# Files (shuffled, CSV): A 500 people + 500 duplicates (one each), B 4,000 + 1,000 (up to five each),
# C 2,000 + 3,000 (up to five each), D 5,000 + 5,000 (one each); each with date of birth and id (`full`)
# and with names and address only (`names`). Duplicates carry 1-4 modifications (typos, OCR, phonetic,
# missing and replaced values, split and merged words, swapped fields, transposed digits).
#
# Environment: CRMGATE (binary; default the release build), SEED (default 4), SPLINK=1, PY (python3).
# Output in .bench/third/: data/, <file>_<variant>.{clusters.csv,out,score.txt,time}; the table is printed.
# Exit status is non-zero only when a contender fails, never on a score.
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0; fi
if [[ $# -gt 0 ]]; then echo "bench-third.sh: no arguments expected (settings are environment variables; see --help)" >&2; exit 2; fi
cd "$(dirname "$0")/.."
PY=${PY:-python3}
SEED=${SEED:-4}
DIR=.bench/third
T=scripts/bench/third
mkdir -p "$DIR/data"
if [[ ${SKIP_BUILD:-0} != 1 && -z ${CRMGATE:-} ]]; then swift build -c release --product crmgate >&2; fi
CRMGATE=${CRMGATE:-$PWD/.build/release/crmgate}
[[ -x $CRMGATE ]] || { echo "bench-third.sh: no crmgate binary at $CRMGATE" >&2; exit 1; }
if [[ ! -f $DIR/data/D_truth.csv || $(cat "$DIR/data/seed" 2>/dev/null) != "$SEED" ]]; then
  $PY $T/gen.py --out "$DIR/data" --seed "$SEED" >&2
  echo "$SEED" > "$DIR/data/seed"
fi
VENV=.bench/venv-splink
if [[ -n ${SPLINK:-} ]] && ! $VENV/bin/python -c 'import splink, duckdb' 2>/dev/null; then
  echo "making $VENV (splink, duckdb)" >&2
  [[ -x $VENV/bin/python ]] || $PY -m venv $VENV
  $VENV/bin/pip install -q 'splink>=4' duckdb
fi
printf '%-4s %-7s %-8s %6s %9s %7s %7s %5s %5s %7s %7s\n' file variant tool rows precision recall F1 fp fn seconds peakMB
failed=0
score() { # tool file variant clusters time-file
  local s
  s=$($PY $T/score.py "$DIR/data/$2_$3.csv" "$4" "$DIR/data/$2_truth.csv" --variant "$3")
  local rows p r f fp fn secs kb
  rows=$(sed -n 's/.*rows \([0-9]*\),.*/\1/p' <<< "$s" | head -1)
  read -r fp fn < <(sed -n 's/.* fp \([0-9]*\), fn \([0-9]*\).*/\1 \2/p' <<< "$s" | head -1)
  read -r p r f < <(sed -n 's/precision \([0-9.]*\) *recall \([0-9.]*\) *F1 \([0-9.]*\).*/\1 \2 \3/p' <<< "$s" | head -1)
  read -r secs kb < "$5"
  printf '%-4s %-7s %-8s %6s %9s %7s %7s %5s %5s %7s %7d\n' "$2" "$3" "$1" "$rows" "$p" "$r" "$f" "$fp" "$fn" "$secs" $((kb / 1024))
}
for f in A B C D; do
  for v in full names; do
    n=${f}_$v
    if /usr/bin/time -f '%e %M' -o "$DIR/$n.time" "$CRMGATE" dedupe "$DIR/data/$n.csv" --mapping $T/$v.yaml \
      --clusters "$DIR/$n.clusters.csv" --show-model > "$DIR/$n.out" 2> "$DIR/$n.err"; then
      $PY $T/score.py "$DIR/data/$n.csv" "$DIR/$n.clusters.csv" "$DIR/data/${f}_truth.csv" --variant $v --detail \
        > "$DIR/$n.score.txt"
      score crmgate $f $v "$DIR/$n.clusters.csv" "$DIR/$n.time"
    else
      echo "crmgate failed on $n (see $DIR/$n.err)" >&2
      failed=1
    fi
    if [[ -n ${SPLINK:-} && $v == names ]]; then
      # splink_people.py reads gen_people.py's columns: the same fields, no phone or e-mail.
      $PY - "$DIR/data/$n.csv" "$DIR/$n.people.csv" <<'EOF'
import csv, sys
with open(sys.argv[1], newline="") as i, open(sys.argv[2], "w", newline="") as o:
    w = csv.writer(o)
    w.writerow("Record ID,Given Name,Surname,Street Number,Address 1,Address 2,Suburb,Postcode,State,Phone,Email".split(","))
    for r in csv.DictReader(i):
        w.writerow([r["rec_id"], r["given_name"], r["surname"], r["street_number"], r["address_1"], r["address_2"],
                    r["suburb"], r["postcode"], r["state"], "", ""])
EOF
      if /usr/bin/time -f '%e %M' -o "$DIR/$n.splink.time" $VENV/bin/python scripts/bench/splink_people.py \
        "$DIR/$n.people.csv" "$DIR/$n.splink.csv" 2> "$DIR/$n.splink.log"; then
        score splink $f $v "$DIR/$n.splink.csv" "$DIR/$n.splink.time"
      else
        echo "splink failed on $n (see $DIR/$n.splink.log)" >&2
        failed=1
      fi
    fi
  done
done
echo "targets (issue 16): precision >= 0.99 always; F1 >= 0.98 at 100k on the repository's second generator" \
  "(scripts/bench-people.sh); here: no lower than Splink on the same file"
exit $failed
