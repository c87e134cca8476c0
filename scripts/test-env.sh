# The environment `npm test` and `npm run bench` run in: the embedded stack, a migrated test database
# and the test configuration. Source after scripts/env.sh and scripts/lib.sh.
# shellcheck shell=bash

TEST_STACK_RECORD=""

# Brings up what is missing and exports the test configuration. Local values are forced so that a
# shell configured for an external deployment can never point the tests at it.
setup_test_environment() {
  bash "$HOMEROOM_ROOT/scripts/bootstrap.sh"
  mkdir -p "$HOMEROOM_RUN_DIR"
  TEST_STACK_RECORD=$(mktemp "$HOMEROOM_RUN_DIR/test-started.XXXXXX")
  bash "$HOMEROOM_ROOT/scripts/stack.sh" up --record "$TEST_STACK_RECORD"
  build_project
  load_local_secrets

  # CI starts from a clean database; developers sharing one stack reuse it unless they ask.
  local reset=${HOMEROOM_TEST_DB_RESET:-0}
  if [ -z "${HOMEROOM_TEST_DB_RESET:-}" ] && [ "${CI:-}" = true ]; then reset=1; fi
  if [ "$reset" = 1 ]; then
    recreate_local_database "$PG_DATABASE_TEST"
  else
    ensure_local_database "$PG_DATABASE_TEST"
  fi
  export DATABASE_URL TEST_ADMIN_DATABASE_URL
  DATABASE_URL=$(local_database_url "$PG_DATABASE_TEST")
  TEST_ADMIN_DATABASE_URL=$(local_database_url postgres)
  run_migrations >/dev/null

  export TEMPORAL_ADDRESS="$TEMPORAL_HOST_LOCAL:$TEMPORAL_PORT_LOCAL"
  export TEMPORAL_NAMESPACE="$TEMPORAL_NAMESPACE_TEST"
  export CLAMD_HOST="$CLAMD_HOST_LOCAL"
  export HOMEROOM_ENV=test
  # Suites run many APIs and workers at once: each operator listener takes a free port.
  export OPS_PORT=0
  export WORKER_OPS_PORT=0
  export STORAGE_DIR="$HOMEROOM_DATA_DIR/test-blobs"
  export LOG_DIR="$HOMEROOM_DATA_DIR/test-logs"
  export LOG_LEVEL="${LOG_LEVEL:-warn}"
  mkdir -p "$STORAGE_DIR" "$LOG_DIR"
}

# Stops only the services setup_test_environment started: the stack is left as it was found.
teardown_test_environment() {
  [ -n "$TEST_STACK_RECORD" ] || return 0
  local started
  started=$(cat "$TEST_STACK_RECORD" 2>/dev/null || true)
  rm -f "$TEST_STACK_RECORD"
  TEST_STACK_RECORD=""
  [ -z "$started" ] || bash "$HOMEROOM_ROOT/scripts/stack.sh" down --only "$started"
}
