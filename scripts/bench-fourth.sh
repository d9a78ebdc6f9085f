#!/usr/bin/env bash
# Scores `crmgate dedupe` on the fourth person generator (scripts/bench/fourth/gen.py: written by a helper who saw
# neither the repository's generators nor the matcher's code; households, namesakes in one suburb, a small name list).
#
#   scripts/bench-fourth.sh                  # build, generate, run the files, print the table
#   SKIP_BUILD=1 scripts/bench-fourth.sh
#   SKIP_BUILD=1 SPLINK=1 scripts/bench-fourth.sh   # and Splink (DuckDB, unsupervised) on the same files
#   scripts/bench-fourth.sh --help           # this text
#
# Files (names and address only): A 2,000 people + 2,000 duplicates (one each, 1-3 error classes, 5% households,
# 3% namesakes); B 3,000 + 3,000 (up to four each, 1-5 classes, 20% households, 5% namesakes); C 12,000 + 8,000 (up
# to three each, 1-4 classes, 10% households, 5% namesakes) with seeds 303-308: the seeds where namesakes used to pass
# the match weight. Pairwise precision, recall and F1 against the generator's truth.
#
# With SPLINK=1, Splink dedupes each file too (scripts/bench/splink_people.py, in the venv .bench/venv-splink, made
# with `python3 -m venv` and `pip install 'splink>=4' duckdb` when it cannot import them), scored the same way.
#
# Environment: CRMGATE (binary; default the release build), PY (python3), SPLINK=1.
# Output in .bench/fourth/. Exit status is non-zero only when a contender fails, never on a score.
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0; fi
if [[ $# -gt 0 ]]; then echo "bench-fourth.sh: no arguments expected (see --help)" >&2; exit 2; fi
cd "$(dirname "$0")/.."
PY=${PY:-python3}
DIR=.bench/fourth
T=scripts/bench/fourth
mkdir -p "$DIR"
if [[ ${SKIP_BUILD:-0} != 1 && -z ${CRMGATE:-} ]]; then swift build -c release --product crmgate >&2; fi
CRMGATE=${CRMGATE:-$PWD/.build/release/crmgate}
[[ -x $CRMGATE ]] || { echo "bench-fourth.sh: no crmgate binary at $CRMGATE" >&2; exit 1; }
gen() { # name seed args... (made again when the arguments change; written under a temporary name, then moved)
  local n=$1 s=$2; shift 2
  local stamp="--seed $s $*"
  if [[ -f $DIR/$n.csv && -f $DIR/$n.truth.csv && $(cat "$DIR/$n.args" 2>/dev/null) == "$stamp" ]]; then return; fi
  rm -f "$DIR/$n.args"
  $PY $T/gen.py "$DIR/tmp-$n.csv" --seed "$s" "$@" >&2
  mv "$DIR/tmp-$n.truth.csv" "$DIR/$n.truth.csv"
  mv "$DIR/tmp-$n.csv" "$DIR/$n.csv"
  echo "$stamp" > "$DIR/$n.args"
}
gen A 101 --originals 2000 --dups 2000 --max-dups 1 --min-err 1 --max-err 3 --households 0.05 --namesakes 0.03
gen B 202 --originals 3000 --dups 3000 --max-dups 4 --min-err 1 --max-err 5 --households 0.20 --namesakes 0.05
for s in 303 304 305 306 307 308; do
  gen C$s $s --originals 12000 --dups 8000 --max-dups 3 --min-err 1 --max-err 4 --households 0.10 --namesakes 0.05
done
VENV=.bench/venv-splink
if [[ -n ${SPLINK:-} ]] && ! $VENV/bin/python -c 'import splink, duckdb' 2>/dev/null; then
  echo "making $VENV (splink, duckdb)" >&2
  [[ -x $VENV/bin/python ]] || $PY -m venv $VENV
  $VENV/bin/pip install -q 'splink>=4' duckdb
fi
printf '%-6s %-8s %6s %9s %7s %7s %6s %6s %7s\n' file tool rows precision recall F1 fp fn seconds
failed=0
score() { # file tool clusters
  # A scorer that fails is reported, not fatal: the exit status speaks for the contenders only.
  local s
  s=$($PY $T/score.py "$DIR/$1.csv" "$3" | tee "${3%.csv}.score.txt") || {
    echo "score.py failed on $1 ($2)" >&2
    return 0
  }
  local rows=- fp=- fn=- p=- r=- f=-
  read -r rows fp fn < <(sed -n 's/.*rows \([0-9]*\) .* FP \([0-9]*\) FN \([0-9]*\).*/\1 \2 \3/p' <<< "$s") || true
  read -r p r f < <(sed -n 's/precision \([0-9.]*\) recall \([0-9.]*\) F1 \([0-9.]*\)/\1 \2 \3/p' <<< "$s") || true
  printf '%-6s %-8s %6s %9s %7s %7s %6s %6s %7s\n' "$1" "$2" "$rows" "$p" "$r" "$f" "$fp" "$fn" \
    "$(cat "${3%.csv}.time")"
}
# splink_people.py reads gen_people.py's columns: the same fields, no phone or e-mail.
to_people() { # data.csv people.csv
  $PY - "$1" "$2" <<'EOF2'
import csv, sys
header = "Record ID,Given Name,Surname,Street Number,Address 1,Address 2,Suburb,Postcode,State,Phone,Email"
with open(sys.argv[1], newline="") as i, open(sys.argv[2], "w", newline="") as o:
    w = csv.writer(o)
    w.writerow(header.split(","))
    for r in csv.DictReader(i):
        w.writerow([r["rec_id"], r["given_name"], r["surname"], r["street_number"], r["address_1"], r["address_2"],
                    r["suburb"], r["postcode"], r["state"], "", ""])
EOF2
}
for n in A B C303 C304 C305 C306 C307 C308; do
  if /usr/bin/time -f '%e' -o "$DIR/$n.clusters.time" "$CRMGATE" dedupe "$DIR/$n.csv" \
    --mapping scripts/bench/third/names.yaml --clusters "$DIR/$n.clusters.csv" --review "$DIR/$n.review.csv" \
    > "$DIR/$n.out" 2> "$DIR/$n.err"; then
    score "$n" crmgate "$DIR/$n.clusters.csv"
  else
    echo "crmgate failed on $n (see $DIR/$n.err)" >&2
    failed=1
  fi
  if [[ -n ${SPLINK:-} ]]; then
    to_people "$DIR/$n.csv" "$DIR/$n.people.csv" || { echo "converting $n for splink failed" >&2; failed=1; continue; }
    if /usr/bin/time -f '%e' -o "$DIR/$n.splink.time" $VENV/bin/python scripts/bench/splink_people.py \
      "$DIR/$n.people.csv" "$DIR/$n.splink.csv" > "$DIR/$n.splink.log" 2>&1; then
      score "$n" splink "$DIR/$n.splink.csv"
    else
      echo "splink failed on $n (see $DIR/$n.splink.log)" >&2
      failed=1
    fi
  fi
done
echo "targets (issue 16): precision >= 0.99 always; no lower than Splink on the same file"
exit $failed
