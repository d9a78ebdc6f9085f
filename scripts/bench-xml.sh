#!/usr/bin/env bash
# Benchmark crmgate's XML reading and import against `xmllint --stream --noout` on the same file.
#
#   scripts/bench-xml.sh                    # build, 1M-row XML (~600 MB), all contenders
#   SKIP_BUILD=1 ROWS=200000 scripts/bench-xml.sh
#
# Contenders, each under /usr/bin/time -v (wall seconds, peak RSS):
#   xmllint      xmllint --stream --noout FILE         libxml2's own streaming parse, nothing kept
#   xml scan     crmgate xml scan FILE --mapping M     the reader alone: records and their 17 fields
#   xml import   crmgate import FILE --mapping M       the whole import into a fresh store
#   csv import   crmgate import of the same leads as CSV (gen_leads.py --format csv, same seed), the reference for
#                the XML import
#   csv ids      the same CSV with the XML's record ids as a first column `Id`, imported as external ids (system
#                generic-xml), as the XML mapping imports its `@id`: the same data and the same store work as the XML
#                import (an external id per record, their index), so the ratio to it is the XML reading's own cost
# Then the ratios with their targets (issue 19): xml scan / xmllint <= 1.5x, xml import / csv import <= 1.5x (both
# CSV references shown).
# Exits non-zero only when a contender fails, never on a ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
BENCH=.bench
MAPPING=mappings/sources/generic-leads-xml.yaml
CRMGATE=${CRMGATE:-.build/release/crmgate}
GEN_LEADS=${GEN_LEADS:-../shared/bench/gen_leads.py}
mkdir -p "$BENCH"

command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
command -v xmllint >/dev/null || { apt-get update -qq && apt-get install -y -qq libxml2-utils >/dev/null; }
[[ ${SKIP_BUILD:-0} == 1 ]] || swift build -c release --product crmgate

FILE=$BENCH/leads-$ROWS-s7.xml
[[ -s $FILE ]] || python3 "$GEN_LEADS" --rows "$ROWS" --seed 7 --format xml --out "$FILE" --quiet
cat "$FILE" > /dev/null  # warm the page cache for every contender alike
SIZE=$(stat -c %s "$FILE")

run() {  # name, command...
    local name=$1; shift
    local log; log=$(mktemp)
    /usr/bin/time -v "$@" > "$log.out" 2> "$log" || { echo "$name FAILED: $(tail -1 "$log")"; FAILED=1; return; }
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$log")
    WALL[$name]=$wall
    rss=$(awk -F': ' '/Maximum resident set size/ {print int($2/1024)}' "$log")
    python3 - "$name" "$wall" "$rss" "$ROWS" "$SIZE" "$log.out" <<'PY'
import sys
name, wall, rss, rows, size, out = sys.argv[1], float(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
note = open(out).read().strip().splitlines()
print(f"{name:<12} {wall:8.2f} {rows/wall/1000:9.1f}k {size/1e6/wall:8.1f} {rss:>9}   {note[0][:70] if note else ''}")
PY
    rm -f "$log" "$log.out"
}

declare -A WALL
FAILED=0
CSV=$BENCH/leads-$ROWS-s7.csv
[[ -s $CSV ]] || python3 "$GEN_LEADS" --rows "$ROWS" --seed 7 --out "$CSV" --quiet
echo "XML benchmark: $FILE, $ROWS records, $((SIZE / 1000000)) MB, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-12s %8s %10s %8s %9s   %s\n' contender seconds rows/s MB/s "peak MB" result
run xmllint xmllint --stream --noout "$FILE"
run "xml scan" "$CRMGATE" xml scan "$FILE" --mapping "$MAPPING"
rm -f "$BENCH/xml-bench.sqlite"*
run "xml import" "$CRMGATE" import "$FILE" --mapping "$MAPPING" --store "$BENCH/xml-bench.sqlite" --rejects "$BENCH/xml-rejects.csv" --quiet --json
rm -f "$BENCH/csv-bench.sqlite"*
run "csv import" "$CRMGATE" import "$CSV" --mapping mappings/sources/generic-leads.yaml --store "$BENCH/csv-bench.sqlite" --rejects "$BENCH/csv-rejects.csv" --quiet --json
IDS=$BENCH/leads-$ROWS-s7-ids.csv
IDS_MAPPING=$BENCH/generic-leads-ids.yaml
if [[ ! -s $IDS || $IDS -ot $CSV ]]; then
    python3 - "$CSV" "$IDS.tmp" <<'PY'
import csv, sys
# gen_leads.py numbers the XML's records 1, 2, 3 ... in file order (<lead id="1">): the same ids, as a column.
with open(sys.argv[1], newline="") as f, open(sys.argv[2], "w", newline="") as o:
    r, w = csv.reader(f), csv.writer(o, lineterminator="\n")
    w.writerow(["Id"] + next(r))
    for i, row in enumerate(r, 1):
        w.writerow([str(i)] + row)
PY
    mv "$IDS.tmp" "$IDS"
fi
sed 's/^match: \[email\].*/external_id: Id\nsystem: generic-xml\nmatch: [email]/' mappings/sources/generic-leads.yaml > "$IDS_MAPPING"
grep -q '^external_id: Id' "$IDS_MAPPING" || { echo "could not make $IDS_MAPPING" >&2; exit 1; }
rm -f "$BENCH/ids-bench.sqlite"*
run "csv ids" "$CRMGATE" import "$IDS" --mapping "$IDS_MAPPING" --store "$BENCH/ids-bench.sqlite" --rejects "$BENCH/ids-rejects.csv" --quiet --json

ratio() {  # label, numerator, denominator, target
    if [[ -n ${WALL[$2]:-} && -n ${WALL[$3]:-} ]]; then
        awk -v l="$1" -v a="${WALL[$2]}" -v b="${WALL[$3]}" -v t="$4" 'BEGIN { printf "%-26s %6.2fx   target <= %sx\n", l, a / b, t }'
    fi
}
echo
ratio "xml scan / xmllint" "xml scan" xmllint 1.5
ratio "xml import / csv import" "xml import" "csv import" 1.5
ratio "xml import / csv ids" "xml import" "csv ids" 1.5
exit $FAILED
