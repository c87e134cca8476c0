#!/usr/bin/env bash
# npm run fuzz: the long schema-driven fuzz run (test/fuzz/openapi-fuzz.test.ts with many more examples
# per operation than the short pass in `npm test`). FUZZ_MAX_EXAMPLES and FUZZ_SEED override; extra
# arguments go to Jest (e.g. -t 'as teacher'). The report is .data/fuzz-report-long.json.
set -euo pipefail
export FUZZ_MAX_EXAMPLES="${FUZZ_MAX_EXAMPLES:-200}"
export FUZZ_SEED="${FUZZ_SEED:-$RANDOM}"
exec bash "$(dirname "${BASH_SOURCE[0]}")/test.sh" test/fuzz/openapi-fuzz.test.ts "$@"
