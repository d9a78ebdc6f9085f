#!/usr/bin/env bash
# Benchmark crmgate's sync against the generic test remote, side by side with a Python `requests` client.
#
#   scripts/bench-sync.sh                      # build, 100k leads, concurrency 8
#   SKIP_BUILD=1 ROWS=20000 scripts/bench-sync.sh
#   SKIP_BUILD=1 ROWS=20000 REPEAT=3 scripts/bench-sync.sh   # three rounds of the two pulls, medians compared
#
# Steps: generate ROWS leads (../shared/bench/gen_leads.py, seed 7, no duplicates) and import them into a fresh
# store; start Tests/Remotes/crm_remote.py (generic flavour, 127.0.0.1 only, page max 1000);
#   1. crmgate sync apply --direction push (POST with Idempotency-Key, CONC requests in flight)
#   2. REPEAT rounds (default 1; odd is best), each: crmgate sync apply --direction pull into an empty store (cursor
#      pages of 500), and the Python client pulling the same records into an empty SQLite table (a row per record
#      with its JSON; one transaction per page of 500); even rounds run Python first. The pull's ratio is of the
#      medians, each round's shown too; every run's record count is checked. Before 11aec7c the Python client pulled
#      the records it had pushed itself, which lack fields crmgate's profile sends: ratios from before differ.
#   3. the server is reset; the Python client pushes the same rows with a thread pool of CONC.
# For each: records, seconds, records/s, and CPU seconds of the client and of the server (from /proc).
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-100000}
CONC=${CONC:-8}
REPEAT=${REPEAT:-1}
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || { echo "REPEAT must be a positive whole number, not '$REPEAT'" >&2; exit 2; }
PY=${PYTHON:-python3}
mkdir -p .bench
[ -n "${SKIP_BUILD:-}" ] || swift build -c release --product crmgate >&2
BIN=${CRMGATE:-.build/release/crmgate}
VENV=.bench/venv-sync
[ -x $VENV/bin/python ] || { $PY -m venv $VENV && $VENV/bin/pip install -q requests; }
SRC=.bench/sync-leads-$ROWS.csv
[ -f $SRC ] || $PY ../shared/bench/gen_leads.py --rows $ROWS --dup-rate 0 --seed 7 --out $SRC --quiet
STORE=.bench/sync-push.sqlite PULL=.bench/sync-pull.sqlite
rm -f $STORE* $PULL*
$BIN import $SRC --mapping mappings/sources/generic-leads.yaml --store $STORE > /dev/null
export CRM_API_TOKEN=bench-$RANDOM$RANDOM
$PY Tests/Remotes/crm_remote.py --flavor generic --port 0 --page-max 1000 --no-parent-watch > .bench/remote.port &
SERVER=$!
trap 'kill -9 $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s .bench/remote.port ] && break; sleep 0.1; done
URL="http://127.0.0.1:$(awk '{print $2}' .bench/remote.port)"
cpu() { awk '{print ($14+$15)/100}' /proc/$1/stat; }
row() { printf '%-32s %8s records %8.2f s %10.0f rec/s   client CPU %6.2f s   server CPU %6.2f s\n' "$@"; }
rate() { awk -v n=$1 -v s=$2 'BEGIN{print (s>0)?n/s:0}'; }

run_crmgate() {  # label direction store
  local s0=$(cpu $SERVER) t0=$(date +%s.%N)
  /usr/bin/time -f '%U %S %M' -o .bench/time.txt $BIN sync apply --profile generic-rest --types leads --direction $2 \
      --concurrency $CONC --batch-size 500 --base-url $URL --store $3 > .bench/sync-out.txt
  local t1=$(date +%s.%N) s1=$(cpu $SERVER)
  local secs=$(awk -v a=$t0 -v b=$t1 'BEGIN{print b-a}') ccpu=$(awk '{print $1+$2}' .bench/time.txt) mem=$(awk '{print $3/1024}' .bench/time.txt)
  local n=$(grep -o "$4 [0-9]* created" .bench/sync-out.txt | awk '{print $2}')
  row "$1" "$n" "$secs" "$(rate $n $secs)" "$ccpu" "$(awk -v a=$s0 -v b=$s1 'BEGIN{print b-a}')"
  echo "    peak memory ${mem%.*} MB"
  eval "CG_${2}_SECS=$secs CG_${2}_N=$n"
  [ "$n" = "$ROWS" ] || { echo "$1 moved ${n:-no} records of $ROWS" >&2; BAD=1; }
  [ $2 = pull ] && CG_PULLS+=("$secs")
  return 0
}
run_python() {  # label args...
  local label=$1; shift
  local s0=$(cpu $SERVER)
  /usr/bin/time -f '%U %S %e' -o .bench/time.txt $VENV/bin/python scripts/bench/py_sync_client.py "$@" > .bench/py-out.txt
  local s1=$(cpu $SERVER) n=$(awk '{print $1}' .bench/py-out.txt) secs=$(awk '{print $2}' .bench/py-out.txt)
  local whole=$(awk '{print $3}' .bench/time.txt)
  row "$label" "$n" "$secs" "$(rate $n $secs)" "$(awk '{print $1+$2}' .bench/time.txt)" "$(awk -v a=$s0 -v b=$s1 'BEGIN{print b-a}')"
  echo "    whole process ${whole} s (the seconds above are the client's own timer, after start-up and imports)"
  eval "PY_${1%% *}_SECS=$secs PY_${1%% *}_N=$n PY_${1%% *}_WHOLE=$whole"
  [ "$n" = "$ROWS" ] || { echo "$label moved ${n:-no} records of $ROWS" >&2; BAD=1; }
  [ "${1%% *}" = pull ] && { PY_PULLS+=("$secs"); PY_WHOLES+=("$whole"); }
  return 0
}
CG_PULLS=() PY_PULLS=() PY_WHOLES=() BAD=0
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

echo "sync benchmark: $ROWS leads, concurrency $CONC, generic test remote at $URL"
run_crmgate "crmgate push" push $STORE push
pull_crmgate() { rm -f $PULL*; run_crmgate "crmgate pull (empty store)" pull $PULL pull; }
pull_python() {
  rm -f .bench/sync-py-pull.sqlite*
  run_python "pull python requests (sqlite)" pull $URL .bench/sync-py-pull.sqlite
}
for ((round = 1; round <= REPEAT; round++)); do
  if ((round % 2 == 1)); then pull_crmgate; pull_python; else pull_python; pull_crmgate; fi
done
curl -s -X POST $URL/_control/reset > /dev/null
run_python "push python requests" push $URL $SRC $CONC

# Ratios to the reference and the targets of issue 19 (a ratio never fails the script; a failed contender does).
status=$BAD
for d in push pull; do
  eval "c=\$CG_${d}_SECS p=\$PY_${d}_SECS pw=\$PY_${d}_WHOLE"
  target="≤ 1.0×"; [ $d = push ] && target="keep below 1.0× (0.34× at 85dca21)"
  if [ $d = pull ] && [ "$REPEAT" -gt 1 ]; then
    c=$(median "${CG_PULLS[@]}") p=$(median "${PY_PULLS[@]}") pw=$(median "${PY_WHOLES[@]}")
    rounds=$(for ((k = 0; k < REPEAT; k++)); do awk -v a="${CG_PULLS[$k]}" -v b="${PY_PULLS[$k]}" \
      'BEGIN{printf "%.2f× ", (b>0)?a/b:0}'; done)
    echo "pull, medians of $REPEAT rounds (by round: ${rounds% })"
  fi
  awk -v d=$d -v c=$c -v p=$p -v w=$pw -v t="$target" 'BEGIN{printf "ratio %s: crmgate %.2f s / python %.2f s = %.2f× (python whole process %.2f s: %.2f×)   target %s\n", d, c, p, (p>0)?c/p:0, w, (w>0)?c/w:0, t}'
done
exit $status
