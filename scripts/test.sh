#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
swift test --skip-build
# The short version of the reliability checks (issue #9): the crash schedules and a 15-second soak ran above as
# tests; here every fuzz target for a fixed, seeded number of executions (scripts/reliability.sh runs it all longer).
FUZZ_RUNS=${FUZZ_RUNS:-20000} FUZZ_SEED=${FUZZ_SEED:-1} scripts/fuzz.sh
