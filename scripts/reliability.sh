#!/usr/bin/env bash
# Issue #9 in one run: fuzzing, crash schedules and the soak, longer than CI's short version.
#
#   scripts/reliability.sh                       # fuzz 10 min per target, 200 kill points, soak 10 min
#   FUZZ_SECONDS=60 CRASH_POINTS=50 SOAK_SECONDS=60 scripts/reliability.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
FUZZ_SECONDS=${FUZZ_SECONDS:-600} scripts/fuzz.sh
CRMGATE_CRASH_POINTS=${CRASH_POINTS:-200} swift test --skip-build --filter "ImportCrashScheduleTests|SyncCrashTests"
CRMGATE_SOAK_SECONDS=${SOAK_SECONDS:-600} swift test --skip-build --filter SoakTests
