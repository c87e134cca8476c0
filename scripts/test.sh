#!/usr/bin/env bash
# npm test: installs what is missing, brings up the embedded stack, builds, migrates the test database
# and runs every Jest suite against the real services (extra arguments go to Jest, e.g. a path).
# A full run (no arguments) first runs the type check and lint, as a reviewer would; either failing
# fails the run. The stack is left as it was found. The last line is always `tests: N passed, N failed`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$HOMEROOM_ROOT/scripts/lib.sh"
source "$HOMEROOM_ROOT/scripts/test-env.sh"

# Several checkouts may share one .data (a developer's trees beside each other): each can name its own.
RESULTS_FILE="${HOMEROOM_TEST_RESULTS_FILE:-$HOMEROOM_DATA_DIR/jest-results.json}"

# Counts from Jest's JSON report; a suite that failed to run counts as a failure.
print_summary() {
  local counts="0 0"
  if [ -s "$RESULTS_FILE" ]; then
    counts=$(node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      console.log(r.numPassedTests, r.numFailedTests + r.numRuntimeErrorTestSuites);' "$RESULTS_FILE" 2>/dev/null ||
      echo "0 0")
  fi
  passed=${counts% *}
  failed=$((${counts#* } + CHECKS_FAILED))
  printf 'tests: %s passed, %s failed\n' "$passed" "$failed"
}

finish() {
  local status=$?
  trap - EXIT
  teardown_test_environment || status=1
  print_summary
  if [ "$status" = 0 ] && { [ "$failed" != 0 ] || [ "$passed" = 0 ]; }; then status=1; fi
  exit "$status"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

CHECKS_FAILED=0
# Each failing check counts as one failed test, so CI's summary line cannot read as green.
run_check() {
  local name=$1
  shift
  log "test: $name"
  if ! "$@"; then
    warn "test: $name failed"
    CHECKS_FAILED=$((CHECKS_FAILED + 1))
  fi
}

rm -f "$RESULTS_FILE"
setup_test_environment
cd "$HOMEROOM_ROOT"
if [ $# -eq 0 ]; then
  run_check "type check" npm run --silent typecheck
  run_check "lint" npm run --silent lint
  run_check "layer rules (dependency-cruiser)" npm run --silent depcruise
fi
npx --no-install jest --ci --json --outputFile="$RESULTS_FILE" "$@"
