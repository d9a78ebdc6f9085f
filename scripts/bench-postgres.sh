#!/usr/bin/env bash
# The import into PostgreSQL, side by side with `psql \copy` of the same CSV and with crmgate's SQLite import,
# in one run, on a throw-away cluster on 127.0.0.1 (scripts/postgres.sh).
#
#   scripts/bench-postgres.sh                     # release build, 1M rows
#   SKIP_BUILD=1 ROWS=200000 scripts/bench-postgres.sh
#
# Contenders, each timed by /usr/bin/time -v (wall seconds, peak RSS of the client process):
#   psql-copy       psql \copy FILE into a table with the CSV's 16 columns (text): the raw load, no mapping,
#                   no normalisation, no matching, no ledger; the floor for any import
#   crmgate-pg      crmgate import FILE --store postgresql://… (map, normalise, match, COPY rows and ledger, one transaction)
#   crmgate-sqlite  crmgate import FILE --store FILE.sqlite (the embedded default)
# The server's own memory is not in the peak RSS column (it is the same server for the first two).
# Exit status is non-zero only when a contender failed, never on a ratio.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "bench: $*" >&2; }
BENCH=.bench
ROWS=${ROWS:-1000000}
SEED=7
MAPPING=mappings/sources/generic-leads.yaml
GEN_LEADS=${GEN_LEADS:-../shared/bench/gen_leads.py}
mkdir -p "$BENCH"

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  log "swift build -c release --product crmgate"
  swift build -c release --product crmgate >&2
fi
CRMGATE=${CRMGATE:-$PWD/.build/release/crmgate}
[[ -x $CRMGATE ]] || { log "no crmgate at $CRMGATE"; exit 1; }

FILE="$BENCH/leads-$ROWS-s$SEED.csv"
if [[ ! -s $FILE ]]; then
  log "generating $FILE"
  python3 "$GEN_LEADS" --rows "$ROWS" --seed "$SEED" --format csv --out "$FILE.tmp" >&2
  mv "$FILE.tmp" "$FILE"
fi
BYTES=$(stat -c %s "$FILE")

PGDIR="$PWD/$BENCH/pg"
eval "$(scripts/postgres.sh start "$PGDIR")"
trap 'scripts/postgres.sh stop "$PGDIR"' EXIT
export PGPASSFILE=$CRMGATE_TEST_PGPASSFILE
BASE=${CRMGATE_TEST_POSTGRES%/*}

fresh_db() { psql "$CRMGATE_TEST_POSTGRES" -qc "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null 2>&1; }

declare -A WALL RSS STATUS
run() { # NAME CMD...
  local name=$1; shift
  local code=0
  /usr/bin/time -v -o "$BENCH/pg-$name.time" "$@" >"$BENCH/pg-$name.out" 2>"$BENCH/pg-$name.err" </dev/null || code=$?
  STATUS[$name]=$code
  WALL[$name]=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$BENCH/pg-$name.time")
  RSS[$name]=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$BENCH/pg-$name.time")
  [[ $code -eq 0 ]] || { log "$name failed ($code):"; tail -5 "$BENCH/pg-$name.err" >&2; }
}

HEADER=$(head -1 "$FILE")
COLS=$(echo "$HEADER" | tr ',' '\n' | awk '{ gsub(/[^A-Za-z0-9]/, "_"); printf "%s\"%s\" text", (NR > 1 ? ", " : ""), tolower($0) }')
fresh_db bench_copy
psql "$BASE/bench_copy" -qc "CREATE TABLE leads_csv ($COLS)" >/dev/null
run psql-copy psql "$BASE/bench_copy" -qc "\\copy leads_csv FROM '$FILE' WITH (FORMAT csv, HEADER true)"

fresh_db bench_import
run crmgate-pg "$CRMGATE" import "$FILE" --mapping "$MAPPING" --store "$BASE/bench_import" --quiet --json --rejects "$BENCH/pg-rejects.csv"

rm -f "$BENCH/pg-bench.sqlite"*
run crmgate-sqlite "$CRMGATE" import "$FILE" --mapping "$MAPPING" --store "$BENCH/pg-bench.sqlite" --quiet --json --rejects "$BENCH/sqlite-rejects.csv"

loaded=$(psql "$BASE/bench_copy" -Atc "SELECT count(*) FROM leads_csv" 2>/dev/null || echo "?")
imported=$(psql "$BASE/bench_import" -Atc "SELECT count(*) FROM import_rows" 2>/dev/null || echo "?")
echo
echo "PostgreSQL import of $ROWS generated leads ($(awk -v b="$BYTES" 'BEGIN { printf "%.1f", b / 1e6 }') MB), commit $(git rev-parse --short HEAD)"
printf '%-15s %9s %11s %8s %12s %8s  %s\n' contender wall_s rows/s MB/s peak_RSS_MB status note
for name in psql-copy crmgate-pg crmgate-sqlite; do
  w=${WALL[$name]:-0}
  note=""
  [[ $name == psql-copy ]] && note="rows loaded: $loaded"
  [[ $name == crmgate-pg ]] && note="ledger rows: $imported"
  printf '%-15s %9.2f %11.0f %8.1f %12s %8s  %s\n' "$name" "$w" "$(awk -v r="$ROWS" -v w="$w" 'BEGIN { print (w > 0 ? r / w : 0) }')" \
    "$(awk -v b="$BYTES" -v w="$w" 'BEGIN { print (w > 0 ? b / 1e6 / w : 0) }')" "${RSS[$name]:-?}" \
    "$([[ ${STATUS[$name]} -eq 0 ]] && echo ok || echo "FAILED")" "$note"
done
ratio() { awk -v a="${WALL[$1]:-0}" -v b="${WALL[$2]:-0}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }'; }
echo "crmgate-pg / psql-copy: $(ratio crmgate-pg psql-copy)x (the full import against the raw load)"
echo "crmgate-pg / crmgate-sqlite: $(ratio crmgate-pg crmgate-sqlite)x"
failed=0
for name in psql-copy crmgate-pg crmgate-sqlite; do [[ ${STATUS[$name]} -eq 0 ]] || failed=1; done
exit $failed
