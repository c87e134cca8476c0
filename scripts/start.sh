#!/usr/bin/env bash
# npm start: installs what is missing, brings up the embedded stack, builds, migrates the dev database
# and runs the worker and the API until Ctrl-C, which stops them and the services this run started.
#
# External services: a DATABASE_URL, TEMPORAL_ADDRESS or CLAMD_HOST given in the environment means
# that service runs elsewhere; its embedded counterpart is then neither started nor stopped.
set -euo pipefail

external_services=""
[ -z "${DATABASE_URL:-}" ] || external_services+=" postgres"
[ -z "${TEMPORAL_ADDRESS:-}" ] || external_services+=" temporal"
[ -z "${CLAMD_HOST:-}" ] || external_services+=" clamd"

source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$HOMEROOM_ROOT/scripts/lib.sh"

READY_TIMEOUT_SECONDS="${HOMEROOM_READY_TIMEOUT_SECONDS:-120}"
API_URL="http://$API_HOST:$API_PORT"
API_LOG="$HOMEROOM_LOG_DIR/api.log"
WORKER_LOG="$HOMEROOM_LOG_DIR/worker.log"

embedded_services=""
for service in postgres temporal clamd; do
  case " $external_services " in *" $service "*) ;; *) embedded_services+=" $service" ;; esac
done

api_pid=""
worker_pid=""
stack_record=""

stop_everything() {
  trap - EXIT INT TERM
  [ -z "$api_pid" ] || stop_pid "$api_pid" api
  [ -z "$worker_pid" ] || stop_pid "$worker_pid" worker
  if [ -n "$stack_record" ]; then
    local started
    started=$(cat "$stack_record" 2>/dev/null || true)
    rm -f "$stack_record"
    [ -z "$started" ] || bash "$HOMEROOM_ROOT/scripts/stack.sh" down --only "$started"
  fi
}
trap stop_everything EXIT
trap 'log "stopping Homeroom"; exit 130' INT
trap 'log "stopping Homeroom"; exit 143' TERM

show_logs_and_die() {
  local file
  for file in "$WORKER_LOG" "$API_LOG"; do
    log "--- last lines of $file"
    tail -n 30 "$file" >&2 || true
  done
  die "$1"
}

apps_alive() { kill -0 "$api_pid" 2>/dev/null && kill -0 "$worker_pid" 2>/dev/null; }

wait_for_readiness() {
  local deadline=$((SECONDS + READY_TIMEOUT_SECONDS))
  until http_ok "$API_URL/health/ready"; do
    apps_alive || show_logs_and_die "the API or the worker exited during start-up"
    [ "$SECONDS" -lt "$deadline" ] ||
      show_logs_and_die "$API_URL/health/ready did not answer 200 within ${READY_TIMEOUT_SECONDS}s"
    sleep 0.5
  done
}

bash "$HOMEROOM_ROOT/scripts/bootstrap.sh"
if port_open "$API_HOST" "$API_PORT"; then
  die "something already listens on $API_HOST:$API_PORT (another npm start?); set API_PORT to use another port"
fi
if [ -n "$embedded_services" ]; then
  mkdir -p "$HOMEROOM_RUN_DIR"
  stack_record=$(mktemp "$HOMEROOM_RUN_DIR/start-started.XXXXXX")
  bash "$HOMEROOM_ROOT/scripts/stack.sh" up --only "$embedded_services" --record "$stack_record"
fi
build_project
load_local_secrets

export DATABASE_URL="${DATABASE_URL:-$(local_database_url "$PG_DATABASE_DEV")}"
export TEMPORAL_ADDRESS="${TEMPORAL_ADDRESS:-$TEMPORAL_HOST_LOCAL:$TEMPORAL_PORT_LOCAL}"
export TEMPORAL_NAMESPACE="${TEMPORAL_NAMESPACE:-$TEMPORAL_NAMESPACE_DEV}"
export STORAGE_DIR="${STORAGE_DIR:-$HOMEROOM_DATA_DIR/blobs}"
export LOG_DIR="${LOG_DIR:-$HOMEROOM_LOG_DIR}"
export HOMEROOM_ENV="${HOMEROOM_ENV:-local}"
export LOG_LEVEL="${LOG_LEVEL:-info}"
mkdir -p "$STORAGE_DIR" "$LOG_DIR"

# `npx homeroom …` in another terminal reads this when DATABASE_URL is not set (bin/homeroom.js), so
# operator commands reach the same database, Temporal namespace and keys as this run.
(
  umask 077
  for name in HOMEROOM_ENV DATABASE_URL TEMPORAL_ADDRESS TEMPORAL_NAMESPACE STORAGE_DIR PAYLOAD_CODEC_KEY \
    PAYLOAD_CODEC_KEY_ID MASTER_KEYS ACTIVE_MASTER_KEY_ID CLAMD_HOST CLAMD_PORT; do
    printf '%s=%s\n' "$name" "${!name:-}"
  done >"$HOMEROOM_DATA_DIR/local.env"
)

run_migrations

cd "$HOMEROOM_ROOT"
node dist/apps/worker/src/main.js >>"$WORKER_LOG" 2>&1 &
worker_pid=$!
node dist/apps/api/src/main.js >>"$API_LOG" 2>&1 &
api_pid=$!

wait_for_readiness

temporal_ui="(external Temporal: see its own UI)"
case " $embedded_services " in *" temporal "*) temporal_ui="http://$TEMPORAL_HOST_LOCAL:$TEMPORAL_UI_PORT" ;; esac
database_shown=$(redact_url "$DATABASE_URL")
case " $embedded_services " in *" postgres "*) database_shown=$DATABASE_URL ;; esac
cat <<EOF

Homeroom is running (Ctrl-C stops it).
  API          $API_URL
  API docs     $API_URL/docs
  Operators    http://${OPS_HOST:-127.0.0.1}:${OPS_PORT:-3001}/health, /event-loop, /metrics   (loopback only)
  Worker ops   http://${WORKER_OPS_HOST:-127.0.0.1}:${WORKER_OPS_PORT:-3002}/metrics   (loopback only)
  Temporal UI  $temporal_ui   namespace $TEMPORAL_NAMESPACE
  Temporal     $TEMPORAL_ADDRESS
  PostgreSQL   $database_shown
  clamd        $CLAMD_HOST:$CLAMD_PORT
  Logs         $HOMEROOM_LOG_DIR   (api.log, worker.log, postgres.log, temporal.log, clamd.log)

EOF

status=0
wait -n "$api_pid" "$worker_pid" || status=$?
if ! kill -0 "$api_pid" 2>/dev/null; then api_pid=""; fi
if ! kill -0 "$worker_pid" 2>/dev/null; then worker_pid=""; fi
show_logs_and_die "the API or the worker stopped (exit status $status)"
