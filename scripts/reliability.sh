#!/usr/bin/env bash
# Issue #9 in one run, longer than CI's short version: the whole test suite (the bad-input table's tests), every
# fuzz target, the crash schedules with more kill points, and a longer soak. Every step runs even when an earlier
# one fails; a summary and one exit status come at the end.
#
#   scripts/reliability.sh     # fuzz 10 million executions per target (hours on 2 cores), 200 kill points, 10 min soak
#   FUZZ_RUNS= FUZZ_SECONDS=600 CRASH_POINTS=50 SOAK_SECONDS=60 scripts/reliability.sh   # fuzz by time instead
#   FUZZ_TARGETS="csv xml" scripts/reliability.sh
set -uo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests || exit 1
results=()
step() {
  local name=$1
  shift
  local t0=$SECONDS
  if "$@"; then results+=("ok      $name ($((SECONDS - t0)) s)"); else results+=("FAILED  $name ($((SECONDS - t0)) s)"); fi
}
step "test suite" swift test --skip-build
# shellcheck disable=SC2086
step "fuzzing" env FUZZ_RUNS="${FUZZ_RUNS-10000000}" FUZZ_SECONDS="${FUZZ_SECONDS:-600}" scripts/fuzz.sh ${FUZZ_TARGETS:-}
step "crash schedules" env CRMGATE_CRASH_POINTS="${CRASH_POINTS:-200}" swift test --skip-build --filter "ImportCrashScheduleTests|SyncCrashTests"
step "soak" env CRMGATE_SOAK_SECONDS="${SOAK_SECONDS:-600}" swift test --skip-build --filter SoakTests
echo
printf '%s\n' "${results[@]}"
for r in "${results[@]}"; do [[ $r == FAILED* ]] && exit 1; done
exit 0
