#!/usr/bin/env bash
# Benchmark crmgate's CSV import against reference runs by DuckDB and Polars.
#
#   scripts/bench-import.sh                        # build, 1M rows, all contenders
#   SKIP_BUILD=1 ROWS=200000 scripts/bench-import.sh
#   BIG=1 scripts/bench-import.sh                  # also a 10M-row file (1M file's rows x10)
#
# Environment:
#   ROWS        data-row counts to generate, space or comma separated (default 1000000)
#   BIG=1       also run on a 10M-row file: the 1M file's data rows 10 times, header once.
#               Its blocks repeat, so every row after the first block has a duplicate email.
#   SKIP_BUILD=1  do not run `swift build -c release --product crmgate`
#   CRMGATE     the crmgate binary to run (default: the release build's)
#   GEN_LEADS   lead generator (default ../shared/bench/gen_leads.py, from the repo root)
#   ONLY        run only these contenders (space separated):
#               scan import polars-read duckdb-job polars-job
#   PYTHON      interpreter for the reference venv (default python3)
#   REPEAT      rounds (default 1; odd is best): every contender runs once a round, even rounds in the reverse
#               order, so that the machine's noise spreads over all; the ratios are of the medians, each round's
#               shown too (rounds where both sides succeeded)
#
# Contenders, each timed by /usr/bin/time -v (wall seconds, peak RSS):
#   scan         crmgate csv scan FILE                   reads the CSV alone, prints a count
#   import       crmgate import FILE ... --json           full import into a fresh SQLite store
#   polars-read  Polars read_csv alone                    reference for `scan`
#   duckdb-job   DuckDB: read, normalise email/phone, keep first row per email, write a .duckdb
#   polars-job   Polars: the same job, writing a CSV
# The references' exact semantics are in scripts/bench/reference.py.
#
# Everything is cached in .bench/ (gitignored): lead files, the venv, stores, results.
# Each run's table is also written to .bench/results-<timestamp>.txt.
# Exit status is non-zero when any contender failed (the table still prints).
set -euo pipefail

ORIG_PWD=$PWD
cd "$(dirname "$0")/.."

abspath() { case $1 in /*) echo "$1" ;; *) echo "$ORIG_PWD/$1" ;; esac; }
log() { echo "bench: $*" >&2; }
die() { log "$*"; exit 1; }

BENCH=.bench
SEED=7
MAPPING=mappings/sources/generic-leads.yaml
ROWS=${ROWS:-1000000}
BIG=${BIG:-0}
ONLY=${ONLY:-scan import polars-read duckdb-job polars-job}
REPEAT=${REPEAT:-1}
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || die "REPEAT must be a positive whole number, not '$REPEAT'"
PYTHON=${PYTHON:-python3}
if [[ -n ${GEN_LEADS:-} ]]; then GEN_LEADS=$(abspath "$GEN_LEADS"); else GEN_LEADS=../shared/bench/gen_leads.py; fi

wants() { [[ " $ONLY " == *" $1 "* ]]; }

mkdir -p "$BENCH"

# --- tools ---------------------------------------------------------------------
if ! command -v /usr/bin/time >/dev/null; then
    log "installing GNU time (apt package 'time')"
    SUDO=; [[ $(id -u) -eq 0 ]] || SUDO=sudo
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq time >/dev/null
fi

# --- 1. crmgate release build --------------------------------------------------
if wants scan || wants import; then
    if [[ ${SKIP_BUILD:-0} != 1 ]]; then
        log "swift build -c release --product crmgate"
        swift build -c release --product crmgate
        CRMGATE=${CRMGATE:-$(swift build -c release --show-bin-path)/crmgate}
    fi
    if [[ -n ${CRMGATE:-} ]]; then CRMGATE=$(abspath "$CRMGATE"); else CRMGATE=$PWD/.build/release/crmgate; fi
    [[ -x $CRMGATE ]] || die "no crmgate binary at $CRMGATE (build it, or set CRMGATE=...)"
    [[ -f $MAPPING ]] || log "warning: $MAPPING is missing; the import run will likely fail"
fi

# --- 2. lead files (cached) ----------------------------------------------------
FILES=() FILE_ROWS=()

gen_leads() { # ROWS -> path of the cached file
    local n=$1 out="$BENCH/leads-$1-s$SEED.csv"
    if [[ ! -s $out ]]; then
        log "generating $out"
        "$PYTHON" "$GEN_LEADS" --rows "$n" --seed "$SEED" --format csv --out "$out.tmp" >&2
        mv "$out.tmp" "$out"
    fi
    echo "$out"
}

for n in ${ROWS//,/ }; do
    [[ $n =~ ^[0-9]+$ ]] || die "ROWS: not a number: $n"
    FILES+=("$(gen_leads "$n")") FILE_ROWS+=("$n")
done

if [[ $BIG == 1 ]]; then
    base=$(gen_leads 1000000)
    big="$BENCH/leads-10000000-x10-s$SEED.csv"
    if [[ ! -s $big ]]; then
        log "building $big (1M file's data rows x10)"
        # The header is one physical line (no quoted newlines in it), so tail -n +2
        # leaves exactly the data records.
        { head -n 1 "$base"; for _ in 1 2 3 4 5 6 7 8 9 10; do tail -n +2 "$base"; done; } >"$big.tmp"
        mv "$big.tmp" "$big"
    fi
    FILES+=("$big") FILE_ROWS+=(10000000)
fi

# --- Python references' venv (cached) -----------------------------------------
VENV=$BENCH/venv
if wants polars-read || wants duckdb-job || wants polars-job; then
    if ! "$VENV/bin/python" -c 'import duckdb, polars' 2>/dev/null; then
        log "creating $VENV with duckdb and polars"
        "$PYTHON" -m venv "$VENV"
        "$VENV/bin/pip" install --quiet --upgrade pip
        "$VENV/bin/pip" install --quiet duckdb polars
    fi
    REF=("$VENV/bin/python" scripts/bench/reference.py)
fi

# --- 3. runs -------------------------------------------------------------------
STAMP=$(date +%Y%m%d-%H%M%S)
RUN_DIR=$BENCH/runs/$STAMP
mkdir -p "$RUN_DIR"
MANIFEST=$RUN_DIR/manifest.tsv
: >"$MANIFEST"
FAILED=0

# run FILE ROWS KEY LABEL CMD... : time one contender, record it in the manifest.
run() {
    local file=$1 rows=$2 key=$3 name=$4; shift 4
    local tag; tag="$RUN_DIR/$(basename "$file" .csv).$key.$ROUND"
    log "$name on $(basename "$file")"
    local code=0
    /usr/bin/time -v -o "$tag.time" "$@" >"$tag.out" 2>"$tag.err" </dev/null || code=$?
    if [[ $code -ne 0 ]]; then
        FAILED=$((FAILED + 1))
        log "  $name failed (exit $code), see $tag.err"
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$file" "$rows" "$(stat -c %s "$file")" "$name" \
        "$code" "$tag.time" "$tag.out" "$tag.err" "$ROUND" >>"$MANIFEST"
}

# One contender on FILE (ROWS data rows).
contender() {
    local f=$2 n=$3
    case $1 in
        scan) run "$f" "$n" scan "crmgate csv scan" "$CRMGATE" csv scan "$f" ;;
        import)
            local store=$BENCH/bench.sqlite
            rm -f "$store" "$store-wal" "$store-shm" "$BENCH/rejects.csv"
            run "$f" "$n" import "crmgate import" "$CRMGATE" import "$f" --mapping "$MAPPING" \
                --store "$store" --json --rejects "$BENCH/rejects.csv"
            ;;
        polars-read) run "$f" "$n" polars-read "polars read_csv" "${REF[@]}" polars-read "$f" ;;
        duckdb-job) run "$f" "$n" duckdb-job "duckdb job" "${REF[@]}" duckdb-job "$f" "$BENCH/ref.duckdb" ;;
        polars-job) run "$f" "$n" polars-job "polars job" "${REF[@]}" polars-job "$f" "$BENCH/ref-polars.csv" ;;
    esac
}
ORDER=()
for c in scan import polars-read duckdb-job polars-job; do wants $c && ORDER+=("$c"); done

for i in "${!FILES[@]}"; do
    f=${FILES[$i]} n=${FILE_ROWS[$i]}
    for ((ROUND = 1; ROUND <= REPEAT; ROUND++)); do
        cat "$f" >/dev/null # same warm page cache for every contender
        # Even rounds in the reverse order: what comes of running first or last falls on every contender.
        if ((ROUND % 2 == 1)); then
            for c in "${ORDER[@]}"; do contender "$c" "$f" "$n"; done
        else
            for ((k = ${#ORDER[@]} - 1; k >= 0; k--)); do contender "${ORDER[$k]}" "$f" "$n"; done
        fi
    done
done

# --- 4. report -----------------------------------------------------------------
RESULTS=$BENCH/results-$STAMP.txt
{
    echo "crmgate import benchmark  $STAMP"
    echo "commit: $(git describe --always --dirty 2>/dev/null || echo 'none yet')"
    echo "host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
    if [[ -n ${REF:-} ]]; then
        echo "references: $("$VENV/bin/python" -c 'import duckdb, polars; print(f"duckdb {duckdb.__version__}, polars {polars.__version__}")')"
    fi
    "$PYTHON" scripts/bench/report.py "$MANIFEST"
    echo
    echo "rows/s = data rows / wall seconds; MB = 10^6 bytes; wall and peak RSS from /usr/bin/time -v"
    echo "(Python references include interpreter start-up; 'inner' is the time measured inside the run)."
} | tee "$RESULTS"
log "written $RESULTS (raw runs in $RUN_DIR)"

[[ $FAILED -eq 0 ]] || die "$FAILED contender run(s) failed"
