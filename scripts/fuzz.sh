#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer, with AddressSanitizer) of the readers crmgate trusts least:
#   csv        Sources/CRMCSV parser: every delimiter, field limits; chunking invariance; write-then-read round trip
#   csvreader  Sources/CRMCSV reader: every encoding (detected or given), transcoding in chunks, delimiter sniffing,
#              CSVReader on a file (in /dev/shm) against the parser
#   xml        Sources/CRMXML + libxml2: records up to the first fault; chunking invariance; DOCTYPE/bombs refused
#   json       Sources/CRMSync/JSONValue.swift: remote answers; write-then-read round trip
#   normalize  Sources/CRMDedupe normalisers and similarity: idempotent folding, ranges, symmetry
#   mapping    CRMMapping (with Yams, instrumented by a SwiftPM build in .build-fuzz): mapping-file decoding,
#              then mapping a row through every transform the file names
#   export-csv, export-ndjson, export-xlsx, export-ics
#              Sources/CRMExport (with CRMStore and GRDB, instrumented by the same SwiftPM build): any record saved in
#              a real SQLite store exports to a well-formed file whose values read back exactly (one binary,
#              Tests/Fuzz/FuzzExport.swift, the format chosen by FUZZ_EXPORT)
#
#   scripts/fuzz.sh                 # every target for FUZZ_SECONDS (default 60) each
#   FUZZ_SECONDS=10 scripts/fuzz.sh csv json
#   FUZZ_RUNS=100000 scripts/fuzz.sh     # a fixed number of executions per target instead of a time
#   FUZZ_SEED=1                          # libFuzzer's random seed (CI uses a fixed one, so its run is repeatable)
#   FUZZ_OUT=/tmp/f                      # another place for binaries, logs and corpora (default .build/fuzz)
#
# Seeds come from fixtures/ (and fixtures/fuzz/<target>/, where inputs that once failed are kept as regression
# fixtures). A crash, a hang over 1 s per input (-timeout=1) or a sanitizer report fails the run; libFuzzer writes
# the input to fixtures/fuzz/<target>/crash-* (commit it: it becomes a seed of every later run).
# Prints executions and coverage (cov / ft) per target.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${FUZZ_SECONDS:-60}
TARGETS=${*:-csv csvreader xml json normalize mapping export-csv export-ndjson export-xlsx export-ics}
OUT=${FUZZ_OUT:-.build/fuzz}  # binaries, logs and the growing corpora
mkdir -p $OUT
XML_FLAGS="-I Sources/CLibXML2 -Xcc -I/usr/include/libxml2 -lxml2"
# SwiftPM builds instrumented in release (-O: the shipped code, and several times faster than -Onone under the fuzzer),
# with testing enabled so that a harness can reach a module's internal writers. One set of flags for every target, so
# that building one does not rebuild another's.
swiftpm_instrumented() {
  swift build -c release --target "$1" --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer -Xswiftc -sanitize=address \
    -Xswiftc -enable-testing -Xcc -fsanitize=fuzzer-no-link -Xcc -fsanitize=address > $OUT/build-$1-deps.log 2>&1 \
    || { cat $OUT/build-$1-deps.log >&2; exit 1; }
}
build() {
  local t=$1
  case $t in
    csv) srcs="Sources/CRMCSV/*.swift Tests/Fuzz/CSVFuzzSupport.swift Tests/Fuzz/FuzzCSV.swift"; extra="" ;;
    csvreader) srcs="Sources/CRMCSV/*.swift Tests/Fuzz/CSVFuzzSupport.swift Tests/Fuzz/FuzzCSVReader.swift"; extra="" ;;
    xml) srcs="Sources/CRMXML/*.swift Tests/Fuzz/FuzzXML.swift"; extra="$XML_FLAGS" ;;
    json) srcs="Sources/CRMSync/JSONValue.swift Sources/CRMSync/SyncError.swift Tests/Fuzz/FuzzJSON.swift"; extra="" ;;
    normalize)  # one module: the `import CRMModel` lines are dropped, StringSimilarity.swift and DigitFolding.swift compiled in
      sed '/^import CRMModel$/d' Sources/CRMDedupe/Similarity.swift > $OUT/Similarity.swift
      sed '/^import CRMModel$/d' Sources/CRMDedupe/Normalize.swift > $OUT/Normalize.swift
      srcs="$OUT/Normalize.swift $OUT/Similarity.swift Sources/CRMModel/StringSimilarity.swift Sources/CRMModel/DigitFolding.swift Tests/Fuzz/FuzzNormalize.swift"; extra="" ;;
    mapping)
      # CRMMapping needs Yams (with its C part) and CRMCSV (the csv block's names): build those targets instrumented with
      # SwiftPM, link the harness to them.
      # Release (-O): the same code as the shipped binary, and several times faster than -Onone under the fuzzer.
      swiftpm_instrumented CRMMapping
      srcs="Tests/Fuzz/FuzzMapping.swift $(find .build-fuzz/release/CYaml.build -name '*.o') $(ls .build-fuzz/release/Yams.build/*.o .build-fuzz/release/CRMModel.build/*.o .build-fuzz/release/CRMCSV.build/*.o .build-fuzz/release/CRMMapping.build/*.o)"
      extra="-I .build-fuzz/release/Modules -Xcc -fmodule-map-file=.build-fuzz/checkouts/Yams/Sources/CYaml/include/module.modulemap" ;;
    export-*)
      [ -x $OUT/fuzz-export ] && [ -n "${EXPORT_BUILT:-}" ] && return 0  # one binary for the four formats
      swiftpm_instrumented CRMExport
      local r=.build-fuzz/release
      srcs="Tests/Fuzz/FuzzExport.swift Sources/CRMSync/JSONValue.swift Sources/CRMSync/SyncError.swift"
      srcs="$srcs $(ls $r/GRDB.build/*.o $r/CRMModel.build/*.o $r/CRMCSV.build/*.o $r/CRMStore.build/*.o $r/CRMExport.build/*.o)"
      extra="-I $r/Modules -I Sources/CZlib -I Sources/CDeflate -I Sources/CLibPQ -I Sources/CSQLiteTuning -Xcc -I/usr/include/postgresql -I .build-fuzz/checkouts/GRDB.swift/Sources/GRDBSQLite $XML_FLAGS"
      extra="$extra -lsqlite3 -lpq -lz -ldeflate"
      t=export
      EXPORT_BUILT=1 ;;
    *) echo "unknown target $t" >&2; exit 64 ;;
  esac
  # shellcheck disable=SC2086
  swiftc -sanitize=fuzzer,address -parse-as-library -O -wmo -module-name Fuzz${t//-/_} $extra $srcs -o $OUT/fuzz-$t 2> $OUT/build-$t.log \
    || { cat $OUT/build-$t.log >&2; exit 1; }
}
seeds() {
  local t=$1 dir=$OUT/corpus-$t
  mkdir -p $dir fixtures/fuzz/$t
  case $t in
    csv) find fixtures/csv -type f -size -16k -exec cp {} $dir/ \; ;;
    csvreader) for f in $(find fixtures/csv -type f -size -16k); do  # control bytes: comma, 4 KiB limit; detect
                 { printf '\x0c\x80'; cat "$f"; } > $dir/$(basename "$f"); done ;;
    xml) find fixtures/xml -type f -size -16k -exec cp {} $dir/ \; ;;
    json) cp fixtures/json/*.json $dir/  # answers of the three test remotes (Tests/Remotes/capture_json_fixtures.py)
          printf '[1,-2.5e3,"\\u00e9\\ud83d\\ude00",true,null,{}]' > $dir/escapes.json ;;
    normalize)  # pairs of names, companies and streets from a lead list fixture, NUL between the two
      python3 - fixtures/csv/generic-leads.csv $dir <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
for i, (a, b) in enumerate(zip(rows, rows[1:])):
    for key in ("First Name", "Company", "Street"):
        open(f"{sys.argv[2]}/{key.split()[0].lower()}-{i}", "wb").write(f"{a[key]}\0{b[key]}".encode())
PY
      ;;
    export-*)  # a control byte, then first name / company / notes / tags (0x1F between) / custom, 0x1E between
      printf '\x00Ann\x1eAcme, Inc.\x1e=1+1 "quoted"\nline\x1evip\x1fnew lead\x1e_x0041_ \xef\xbf\xbe' > $dir/plain
      printf '\x0b\xe2\x80\xae\xf0\x9f\x98\x80\r\n\x1e\x07\x1b[0m;\\,\x1e\xef\xbb\xbf\x1e\x1e+43 1 555' > $dir/controls
      printf '\x05%s\x1e%s' "$(head -c 300 /dev/zero | tr '\0' 'x')" "$(printf 'é%.0s' $(seq 80))" > $dir/long ;;
    mapping) for f in mappings/sources/*.yaml; do
               printf '%s\0Ann\x1fLee\x1fann@example.com\x1f(415) 555-0101\x1f31.12.2024\x1f1.234,56' "$(cat $f)" > $dir/$(basename $f)
             done ;;
  esac
  cp fixtures/fuzz/$t/* $dir/ 2>/dev/null || true
}
export SWIFT_BACKTRACE=enable=no  # a fatal error in a target is reported by libFuzzer, not the Swift backtracer
# No allocation stacks and a small quarantine: about a fifth faster; detection is the same (rerun a kept input
# with ASAN_OPTIONS= for full stacks).
export ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=0:quarantine_size_mb=8}
# One target's fuzzer; its summary line goes to $OUT/result-<target>, its exit status to $OUT/rc-<target>.
fuzz() {
  set +e  # runs in the background: its failure is reported, not fatal to the loop
  local t=$1 limit="-max_total_time=$SECONDS_EACH" maxlen=4096 binary=$OUT/fuzz-$1 rc
  [ -n "${FUZZ_RUNS:-}" ] && limit="-runs=$FUZZ_RUNS"
  [ -n "${FUZZ_SEED:-}" ] && limit="$limit -seed=$FUZZ_SEED"
  [ $t = normalize ] && maxlen=512  # two strings: names, companies, streets are far shorter than 256 bytes
  [ $t = csvreader ] && maxlen=2048
  case $t in export-*) binary=$OUT/fuzz-export; export FUZZ_EXPORT=${t#export-} ;; esac
  # shellcheck disable=SC2086
  $binary $OUT/corpus-$t $limit -timeout=1 -rss_limit_mb=2048 -max_len=$maxlen -print_final_stats=1 \
      -artifact_prefix=fixtures/fuzz/$t/ > $OUT/fuzz-$t.log 2>&1
  rc=$?
  local execs cov
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' $OUT/fuzz-$t.log | awk '{print $2}')
  cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' $OUT/fuzz-$t.log | tail -1)
  if [ $rc -eq 0 ]; then
    echo "$t: ok, ${execs:-?} executions, $cov, corpus $(ls $OUT/corpus-$t | wc -l) inputs" > $OUT/result-$t
  else
    { echo "$t: FAILED (exit $rc) after ${execs:-?} executions; input kept in fixtures/fuzz/$t/; log $OUT/fuzz-$t.log"
      grep -m5 -E 'ERROR|Fatal error|SUMMARY|deadly signal|timeout' $OUT/fuzz-$t.log || true; } > $OUT/result-$t
  fi
  echo $rc > $OUT/rc-$t
}
# Each target's fuzzer runs in the background while the next target builds: a fuzzer uses one core, and so do
# most builds, so on two cores one fuzzer runs beside a build, and once nothing is left to build, as many
# fuzzers as there are cores.
cores=$(nproc)
builds_left() {  # whether a target after $1 still has a binary to build
  local seen=0 u
  for u in $TARGETS; do
    if [ $seen = 1 ]; then case $u in export-*) [ -z "${EXPORT_BUILT:-}" ] && return 0 ;; *) return 0 ;; esac; fi
    [ "$u" = "$1" ] && seen=1
  done
  return 1
}
# The SwiftPM builds first, on both cores and with no fuzzer beside them (a fuzzer beside one ran slowly enough for
# ICU's first load to pass the one-second timeout); the harnesses' own builds below then find them done.
case " $TARGETS " in *" mapping "*) echo "== building CRMMapping instrumented" >&2; swiftpm_instrumented CRMMapping ;; esac
case " $TARGETS " in *" export-"*) echo "== building CRMExport instrumented" >&2; swiftpm_instrumented CRMExport ;; esac
for t in $TARGETS; do
  rm -f $OUT/result-$t $OUT/rc-$t
  echo "== $t: building" >&2
  build $t
  seeds $t
  slots=$cores
  builds_left $t && slots=$((cores > 1 ? cores - 1 : 1))
  while [ "$(jobs -rp | wc -l)" -ge $slots ]; do wait -n || true; done
  fuzz $t &
done
wait
rm -rf /dev/shm/crmgate-fuzz-export-* /dev/shm/crmgate-fuzz-csvreader-*  # the harnesses' scratch stores and files
status=0
for t in $TARGETS; do
  cat $OUT/result-$t 2>/dev/null || echo "$t: FAILED (no result; log $OUT/fuzz-$t.log)"
  [ "$(cat $OUT/rc-$t 2>/dev/null)" = 0 ] || status=1
done
exit $status
