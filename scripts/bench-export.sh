#!/usr/bin/env bash
# Benchmark crmgate's export (CSV and XLSX) against a DuckDB COPY of the same rows.
#
#   scripts/bench-export.sh                          # build, 1M rows, all contenders
#   SKIP_BUILD=1 ROWS=20000 scripts/bench-export.sh
#
# Environment:
#   ROWS        data rows to generate (default 1000000)
#   SKIP_BUILD=1  do not run `swift build -c release --product crmgate`
#   CRMGATE     the crmgate binary to run (default: the release build's)
#   ONLY        run only these contenders (space separated): csv xlsx duckdb
#   REPEAT      rounds of the contenders (default 1); odd rounds in the order below, even ones reversed; the
#               ratios are of the medians, each round's after them
#   REUSE_STORE=1  keep .bench/export-bench.sqlite when it was imported from the same file
#               (default: a fresh store every run)
#   NO_CHECK=1  skip the sanity checks after the runs
#   PYTHON      interpreter for the generator and the venv (default python3)
#
# Steps:
#   1. .bench/opportunities-ROWS-s7.csv from scripts/bench/gen_opportunities.py (cached): the
#      header of fixtures/csv/opportunities.csv, values in its formats, unique name+customer.
#   2. crmgate import of that file into a fresh .bench/export-bench.sqlite (not a contender,
#      its seconds are printed); stops unless `rejected` is 0.
#   3. DuckDB table of the same rows in .bench/export-ref.duckdb (untimed, cached), typed like
#      the mapping (scripts/bench/duck_export.py).
#   4. Contenders, each timed by /usr/bin/time -v (wall seconds, peak RSS):
#        crmgate export csv    crmgate export opportunities --format csv  --out .bench/export.csv
#        crmgate export xlsx   crmgate export opportunities --format xlsx --out .bench/export.xlsx
#        duckdb COPY           COPY (SELECT * FROM opportunities) TO '.bench/duck-export.csv'
#                              (HEADER, DELIMITER ',') in Python; 'inner' = connect + COPY
#   5. The table (also in .bench/results-export-<timestamp>.txt) and the XLSX / CSV time ratio.
#   6. Sanity checks (scripts/bench/check_export.py): record counts with Python's csv module,
#      every CSV value against its source row, the XLSX opened with openpyxl (read-only).
#
# Exit status is non-zero when a contender or a sanity check failed (the table still prints).
set -euo pipefail

ORIG_PWD=$PWD
cd "$(dirname "$0")/.."

abspath() { case $1 in /*) echo "$1" ;; *) echo "$ORIG_PWD/$1" ;; esac; }
log() { echo "bench: $*" >&2; }
die() { log "$*"; exit 1; }

BENCH=.bench
SEED=7
MAPPING=mappings/sources/opportunities.yaml
ROWS=${ROWS:-1000000}
ONLY=${ONLY:-csv xlsx duckdb}
PYTHON=${PYTHON:-python3}
STORE=$BENCH/export-bench.sqlite
DUCKDB_FILE=$BENCH/export-ref.duckdb

[[ $ROWS =~ ^[0-9]+$ && $ROWS -gt 0 ]] || die "ROWS: not a positive number: $ROWS"
wants() { [[ " $ONLY " == *" $1 "* ]]; }

mkdir -p "$BENCH"

# --- tools ---------------------------------------------------------------------
if ! command -v /usr/bin/time >/dev/null; then
    log "installing GNU time (apt package 'time')"
    SUDO=; [[ $(id -u) -eq 0 ]] || SUDO=sudo
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq time >/dev/null
fi

# --- crmgate release build -----------------------------------------------------
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    log "swift build -c release --product crmgate"
    swift build -c release --product crmgate
    CRMGATE=${CRMGATE:-$(swift build -c release --show-bin-path)/crmgate}
fi
# CRMGATE= is relative to the caller's directory; the default is the repo's release build.
if [[ -n ${CRMGATE:-} ]]; then CRMGATE=$(abspath "$CRMGATE"); else CRMGATE=$PWD/.build/release/crmgate; fi
if [[ ! -x $CRMGATE ]]; then
    log "no crmgate binary at $CRMGATE yet; waiting 30 s (it may be being rebuilt)"
    sleep 30
fi
[[ -x $CRMGATE ]] || die "no crmgate binary at $CRMGATE (build it, or set CRMGATE=...)"
"$CRMGATE" export --help >/dev/null 2>&1 || die "$CRMGATE has no 'export' subcommand (an older build?)"
[[ -f $MAPPING ]] || die "$MAPPING is missing"

# --- Python venv: duckdb, openpyxl (cached) -------------------------------------
VENV=$BENCH/venv
if ! "$VENV/bin/python" -c 'import duckdb, openpyxl' 2>/dev/null; then
    if [[ ! -x $VENV/bin/python ]]; then
        log "creating $VENV"
        "$PYTHON" -m venv "$VENV"
        "$VENV/bin/pip" install --quiet --upgrade pip
    fi
    log "installing duckdb and openpyxl into $VENV"
    "$VENV/bin/pip" install --quiet duckdb openpyxl
fi
VPY=$VENV/bin/python

# --- 1. opportunities file (cached) --------------------------------------------
SRC=$BENCH/opportunities-$ROWS-s$SEED.csv
if [[ ! -s $SRC ]]; then
    log "generating $SRC"
    "$PYTHON" scripts/bench/gen_opportunities.py --rows "$ROWS" --seed "$SEED" --out "$SRC.tmp"
    mv "$SRC.tmp" "$SRC"
fi
SRC_STAMP="$(realpath "$SRC") $(stat -c '%s %Y' "$SRC")"

STAMP=$(date +%Y%m%d-%H%M%S)
RUN_DIR=$BENCH/runs/export-$STAMP
mkdir -p "$RUN_DIR"

# seconds of a /usr/bin/time -v file
wall_of() { "$PYTHON" -c 'import sys; sys.path.insert(0, "scripts/bench"); from report import parse_time_file; w, _ = parse_time_file(sys.argv[1]); print(f"{w:.2f}" if w is not None else "?")' "$1"; }

# --- 2. import into a fresh store (not a contender) ----------------------------
if [[ ${REUSE_STORE:-0} == 1 && -s $STORE && "$(cat "$STORE.src" 2>/dev/null)" == "$SRC_STAMP" ]]; then
    log "reusing $STORE (imported from $SRC)"
else
    rm -f "$STORE" "$STORE-wal" "$STORE-shm" "$STORE.src"
    log "importing $SRC into $STORE"
    code=0
    /usr/bin/time -v -o "$RUN_DIR/import.time" "$CRMGATE" import "$SRC" --mapping "$MAPPING" --store "$STORE" \
        --quiet --json --rejects "$BENCH/export-import.rejects.csv" >"$RUN_DIR/import.out" 2>"$RUN_DIR/import.err" </dev/null || code=$?
    [[ $code -eq 0 ]] || die "crmgate import failed (exit $code): $(tail -n 3 "$RUN_DIR/import.err")"
    summary=$("$PYTHON" - "$RUN_DIR/import.out" <<'EOF'
import json, sys
obj = None
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.strip()
    if line.startswith("{"):
        try: obj = json.loads(line)
        except ValueError: pass
if obj is None:
    print("none")
else:
    print(obj.get("rejected", "?"), obj.get("created", "?"), obj.get("merged", "?"), obj.get("read", "?"),
          f"{float(obj.get('seconds', 0)):.2f}", "|".join(str(r) for r in obj.get("reject_reasons", []))[:300])
EOF
)
    [[ $summary != none ]] || die "crmgate import printed no JSON summary (see $RUN_DIR/import.out)"
    read -r rejected created merged read_rows inner reasons <<<"$summary"
    log "import: $(wall_of "$RUN_DIR/import.time") s wall (inner ${inner} s): read=$read_rows created=$created merged=$merged rejected=$rejected"
    [[ $rejected == 0 ]] || die "the import rejected $rejected row(s) (the generator should produce none): ${reasons:-} -- see $BENCH/export-import.rejects.csv"
    [[ $created == "$ROWS" ]] || log "warning: the import created $created records, not $ROWS (merged=$merged): row counts will not match"
    echo "$SRC_STAMP" >"$STORE.src"
fi

# --- 3. DuckDB reference table (untimed, cached) -------------------------------
if wants duckdb; then
    if [[ -s $DUCKDB_FILE && "$(cat "$DUCKDB_FILE.src" 2>/dev/null)" == "$SRC_STAMP" ]]; then
        log "reusing $DUCKDB_FILE"
    else
        rm -f "$DUCKDB_FILE.src"
        log "loading $SRC into $DUCKDB_FILE"
        loaded=$("$VPY" scripts/bench/duck_export.py load "$SRC" "$DUCKDB_FILE")
        log "duckdb load: $loaded"
        echo "$SRC_STAMP" >"$DUCKDB_FILE.src"
    fi
fi

# --- 4. runs -------------------------------------------------------------------
MANIFEST=$RUN_DIR/manifest.tsv
: >"$MANIFEST"
FAILED=0

# run KEY LABEL OUTPUT CMD... : time one contender, record it in the manifest.
run() {
    local key=$1 name=$2 output=$3; shift 3
    local tag="$RUN_DIR/$key"
    rm -f "$output"
    cat "$STORE" >/dev/null # the same warm page cache for every contender
    [[ ! -f $DUCKDB_FILE ]] || cat "$DUCKDB_FILE" >/dev/null
    log "$name"
    local code=0
    /usr/bin/time -v -o "$tag.time" "$@" >"$tag.out" 2>"$tag.err" </dev/null || code=$?
    if [[ $code -ne 0 ]]; then
        FAILED=$((FAILED + 1))
        log "  $name failed (exit $code), see $tag.err"
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$ROWS" "$code" "$tag.time" "$tag.out" "$tag.err" "$output" >>"$MANIFEST"
}

one() {
    case $1 in
    csv) run "csv-$2" "crmgate export csv" "$BENCH/export.csv" \
        "$CRMGATE" export opportunities --store "$STORE" --format csv --out "$BENCH/export.csv" ;;
    xlsx) run "xlsx-$2" "crmgate export xlsx" "$BENCH/export.xlsx" \
        "$CRMGATE" export opportunities --store "$STORE" --format xlsx --out "$BENCH/export.xlsx" ;;
    duckdb) run "duckdb-$2" "duckdb COPY csv" "$BENCH/duck-export.csv" \
        "$VPY" scripts/bench/duck_export.py export "$DUCKDB_FILE" "$BENCH/duck-export.csv" ;;
    esac
}
REPEAT=${REPEAT:-1}
for ((round = 1; round <= REPEAT; round++)); do
    order=(csv xlsx duckdb)
    ((round % 2 == 1)) || order=(duckdb xlsx csv)
    for c in "${order[@]}"; do
        if wants "$c"; then one "$c" "$round"; fi
    done
done

# --- 5. report -----------------------------------------------------------------
RESULTS=$BENCH/results-export-$STAMP.txt
{
    echo "crmgate export benchmark  $STAMP"
    echo "commit: $(git describe --always --dirty 2>/dev/null || echo 'none yet')"
    echo "crmgate: $CRMGATE (built $(date -u -r "$CRMGATE" '+%Y-%m-%d %H:%M:%S UTC'))"
    echo "host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "reference: duckdb $("$VPY" -c 'import duckdb; print(duckdb.__version__)')"
    echo "source: $SRC: $ROWS data rows, $("$PYTHON" -c 'import os, sys; print(f"{os.path.getsize(sys.argv[1]) / 1e6:.1f}")' "$SRC") MB"
    [[ ! -f $RUN_DIR/import.time ]] || echo "import (not a contender): $(wall_of "$RUN_DIR/import.time") s wall"
    echo
    "$PYTHON" scripts/bench/report_export.py "$MANIFEST"
    echo
    echo "rows/s = data rows / wall seconds; MB = 10^6 bytes; wall and peak RSS from /usr/bin/time -v"
    echo "(crmgate writes 14 columns incl. id and updated_at, DuckDB the 12 mapped ones; 'inner' is the"
    echo " time the program measured itself; DuckDB's wall includes Python and duckdb start-up)."
} | tee "$RESULTS"

# --- 6. sanity checks ----------------------------------------------------------
if [[ ${NO_CHECK:-0} != 1 ]]; then
    args=(--rows "$ROWS" --source "$SRC")
    if wants csv && [[ -s $BENCH/export.csv ]]; then args+=(--csv "$BENCH/export.csv"); fi
    if wants xlsx && [[ -s $BENCH/export.xlsx ]]; then args+=(--xlsx "$BENCH/export.xlsx"); fi
    if wants duckdb && [[ -s $BENCH/duck-export.csv ]]; then args+=(--duck "$BENCH/duck-export.csv"); fi
    log "sanity checks"
    code=0
    { echo; echo "sanity checks"; "$VPY" scripts/bench/check_export.py "${args[@]}"; } 2>&1 | tee -a "$RESULTS" || code=$?
    [[ $code -eq 0 ]] || FAILED=$((FAILED + 1))
fi
log "written $RESULTS (raw runs in $RUN_DIR)"

[[ $FAILED -eq 0 ]] || die "$FAILED contender run(s) or check(s) failed"
