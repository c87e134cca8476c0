#!/usr/bin/env bash
# npm run bench: the same set-up as npm test (embedded stack, migrated test database, test
# configuration), then the benchmark runner; arguments go to the runner.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$HOMEROOM_ROOT/scripts/lib.sh"
source "$HOMEROOM_ROOT/scripts/test-env.sh"

trap teardown_test_environment EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

setup_test_environment
cd "$HOMEROOM_ROOT"
node dist/bench/run.js "$@"
