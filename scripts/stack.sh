#!/usr/bin/env bash
# The embedded local stack under .data/: PostgreSQL 15, the Temporal dev server (with its Web UI) and
# clamd with the project's signature database.
#
#   stack.sh up [--only "postgres temporal clamd"] [--record FILE]
#       starts each service whose port does not answer yet; --record writes the names of the
#       services this invocation started, so the caller can stop exactly those.
#   stack.sh down [--only "..."]   stops the services it finds pid files for
#   stack.sh status                 prints each service, up or down, with its address
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$HOMEROOM_ROOT/scripts/lib.sh"

ALL_SERVICES="postgres temporal clamd"
PG_BIN_DIR="${PG_BIN_DIR:-/usr/lib/postgresql/15/bin}"
PG_DATA_DIR="$HOMEROOM_DATA_DIR/pg"
PG_SOCKET_DIR="$HOMEROOM_RUN_DIR/postgres"
TEMPORAL_DATA_DIR="$HOMEROOM_DATA_DIR/temporal"
TEMPORAL_PID_FILE="$HOMEROOM_RUN_DIR/temporal.pid"
TEMPORAL_ADDRESS_LOCAL="$TEMPORAL_HOST_LOCAL:$TEMPORAL_PORT_LOCAL"
TEMPORAL_UI_URL="http://$TEMPORAL_HOST_LOCAL:$TEMPORAL_UI_PORT"
CLAMD_DIR="$HOMEROOM_DATA_DIR/clamd"
CLAMD_CONF="$CLAMD_DIR/clamd.conf"
CLAMD_PID_FILE="$HOMEROOM_RUN_DIR/clamd.pid"
CLAMAV_DB_DIR="$HOMEROOM_ROOT/scripts/clamav/db"
START_TIMEOUT_SECONDS="${HOMEROOM_START_TIMEOUT_SECONDS:-90}"

# --- PostgreSQL --------------------------------------------------------------------------------

postgres_up() { port_open "$PGHOST_LOCAL" "$PGPORT_LOCAL"; }

# The cluster's owner (the `postgres` user when we are root) must be able to reach .data/pg.
make_data_dir_traversable() {
  is_root || return 0
  local dir="" part
  local -a parts
  IFS=/ read -ra parts <<<"${HOMEROOM_DATA_DIR#/}"
  for part in "${parts[@]}"; do
    dir+="/$part"
    if ! runuser -u postgres -- test -x "$dir"; then
      log "stack: allowing other users to traverse (not list) $dir for the PostgreSQL cluster"
      chmod o+x "$dir"
    fi
  done
}

owned_by_db_user() {
  local path=$1
  mkdir -p "$path"
  if is_root; then chown postgres:postgres "$path"; fi
}

init_postgres_cluster() {
  log "stack: creating the PostgreSQL cluster in $PG_DATA_DIR"
  owned_by_db_user "$PG_DATA_DIR"
  chmod 700 "$PG_DATA_DIR"
  run_as_db_user "$PG_BIN_DIR/initdb" -D "$PG_DATA_DIR" --encoding=UTF8 --no-locale \
    --auth-local=peer --auth-host=scram-sha-256 --no-instructions \
    >"$HOMEROOM_LOG_DIR/postgres-initdb.log" 2>&1 ||
    {
      tail -n 20 "$HOMEROOM_LOG_DIR/postgres-initdb.log" >&2
      die "initdb failed"
    }
}

# The login role the apps use, kept in sync with PG_PASSWORD_LOCAL through the cluster owner's
# peer-authenticated socket, so a changed password cannot lock us out.
sync_postgres_role() {
  local role=${PG_SUPERUSER_LOCAL//\'/\'\'} password=${PG_PASSWORD_LOCAL//\'/\'\'}
  printf '%s\n' \
    "SELECT format('CREATE ROLE %I', '$role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') \\gexec" \
    "SELECT format('ALTER ROLE %I WITH LOGIN SUPERUSER CREATEDB PASSWORD %L', '$role', '$password') \\gexec" |
    run_as_db_user psql -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PGPORT_LOCAL" -d postgres >/dev/null
}

# Our own cluster (not merely something on the port): its socket is in our run directory.
own_postgres_running() { [ -S "$PG_SOCKET_DIR/.s.PGSQL.$PGPORT_LOCAL" ]; }

start_postgres() {
  make_data_dir_traversable
  [ -f "$PG_DATA_DIR/PG_VERSION" ] || init_postgres_cluster
  owned_by_db_user "$PG_SOCKET_DIR"
  local log_file="$HOMEROOM_LOG_DIR/postgres.log"
  touch "$log_file"
  if is_root; then chown postgres:postgres "$log_file"; fi
  run_as_db_user setsid "$PG_BIN_DIR/pg_ctl" -D "$PG_DATA_DIR" -l "$log_file" -w -t "$START_TIMEOUT_SECONDS" \
    -o "-c listen_addresses=$PGHOST_LOCAL -c port=$PGPORT_LOCAL -c unix_socket_directories=$PG_SOCKET_DIR" \
    start >/dev/null 8>&- ||
    {
      tail -n 20 "$log_file" >&2
      die "PostgreSQL did not start (log: $log_file)"
    }
}

ensure_postgres_databases() {
  if own_postgres_running; then sync_postgres_role; fi
  ensure_local_database "$PG_DATABASE_DEV"
  ensure_local_database "$PG_DATABASE_TEST"
}

stop_postgres() {
  [ -f "$PG_DATA_DIR/postmaster.pid" ] || return 0
  run_as_db_user "$PG_BIN_DIR/pg_ctl" -D "$PG_DATA_DIR" -m fast -w stop >/dev/null
}

# --- Temporal ----------------------------------------------------------------------------------

temporal_up() { port_open "$TEMPORAL_HOST_LOCAL" "$TEMPORAL_PORT_LOCAL"; }

temporal_healthy() {
  "$TEMPORAL_BIN" operator cluster health --address "$TEMPORAL_ADDRESS_LOCAL" 2>/dev/null | grep -q SERVING
}

local_namespaces() {
  printf '%s\n' "$TEMPORAL_NAMESPACE_DEV" "$TEMPORAL_NAMESPACE_TEST" | sort -u
}

# start-dev registers --search-attribute on its namespaces; this also covers a server that was
# started without them, or a namespace that was added later.
ensure_search_attributes() {
  local namespace existing attribute name type
  for namespace in $(local_namespaces); do
    existing=$("$TEMPORAL_BIN" operator search-attribute list --namespace "$namespace" \
      --address "$TEMPORAL_ADDRESS_LOCAL")
    for attribute in $TEMPORAL_SEARCH_ATTRIBUTES; do
      name=${attribute%%=*}
      type=${attribute#*=}
      if ! grep -qw -- "$name" <<<"$existing"; then
        "$TEMPORAL_BIN" operator search-attribute create --namespace "$namespace" --name "$name" \
          --type "$type" --address "$TEMPORAL_ADDRESS_LOCAL" >/dev/null
      fi
    done
  done
}

temporal_started_and_healthy() { pid_file_alive "$TEMPORAL_PID_FILE" && temporal_healthy; }
temporal_ui_answers() { pid_file_alive "$TEMPORAL_PID_FILE" && http_ok "$TEMPORAL_UI_URL/"; }

start_temporal() {
  [ -x "$TEMPORAL_BIN" ] || die "$TEMPORAL_BIN is missing: run npm run bootstrap"
  mkdir -p "$TEMPORAL_DATA_DIR"
  local log_file="$HOMEROOM_LOG_DIR/temporal.log"
  # WAL with synchronous=normal: with SQLite's default journal every persistence write waits for a full
  # fsync, and under the test suite's concurrent load writes time out ("context canceled"), stalling
  # workflows for tens of seconds. WAL stays consistent after a crash; a power cut may lose the last
  # commits of this development server, which is acceptable here.
  local -a args=(server start-dev --ip "$TEMPORAL_HOST_LOCAL" --port "$TEMPORAL_PORT_LOCAL"
    --ui-port "$TEMPORAL_UI_PORT" --db-filename "$TEMPORAL_DATA_DIR/temporal.db" --log-level warn
    --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal)
  local namespace attribute
  for namespace in $(local_namespaces); do args+=(--namespace "$namespace"); done
  for attribute in $TEMPORAL_SEARCH_ATTRIBUTES; do args+=(--search-attribute "$attribute"); done
  setsid nohup "$TEMPORAL_BIN" "${args[@]}" >>"$log_file" 2>&1 </dev/null 8>&- &
  echo $! >"$TEMPORAL_PID_FILE"
  if ! wait_until "$START_TIMEOUT_SECONDS" "Temporal on $TEMPORAL_ADDRESS_LOCAL" temporal_started_and_healthy ||
    ! wait_until "$START_TIMEOUT_SECONDS" "the Temporal UI on $TEMPORAL_UI_URL" temporal_ui_answers; then
    tail -n 20 "$log_file" >&2
    die "Temporal did not start (log: $log_file)"
  fi
}

stop_temporal() {
  pid_file_alive "$TEMPORAL_PID_FILE" || {
    rm -f "$TEMPORAL_PID_FILE"
    return 0
  }
  local pid
  pid=$(cat "$TEMPORAL_PID_FILE")
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = temporal ] && stop_pid "$pid" temporal
  rm -f "$TEMPORAL_PID_FILE"
}

# --- clamd -------------------------------------------------------------------------------------

clamd_ping() {
  # shellcheck disable=SC2016 # the inner shell expands its own arguments
  timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2" && printf "zPING\0" >&3 &&
    IFS= read -r -d "" reply <&3 && [ "$reply" = PONG ]' _ "$1" "$2" 2>/dev/null
}

clamd_up() { port_open "$CLAMD_HOST_LOCAL" "$CLAMD_PORT"; }

render_clamd_conf() {
  local stream_max=$((UPLOAD_MAX_BYTES + 1048576))
  local file_max=$((UPLOAD_MAX_BYTES * 4))
  sed -e "s|@DATABASE_DIR@|$CLAMAV_DB_DIR|g" -e "s|@CLAMD_DIR@|$CLAMD_DIR|g" \
    -e "s|@RUN_DIR@|$HOMEROOM_RUN_DIR|g" -e "s|@LOG_DIR@|$HOMEROOM_LOG_DIR|g" \
    -e "s|@TCP_ADDR@|$CLAMD_HOST_LOCAL|g" -e "s|@TCP_PORT@|$CLAMD_PORT|g" \
    -e "s|@STREAM_MAX_LENGTH@|$stream_max|g" -e "s|@MAX_FILE_SIZE@|$file_max|g" \
    -e "s|@MAX_SCAN_SIZE@|$file_max|g" \
    "$HOMEROOM_ROOT/scripts/clamav/clamd.conf.template" >"$CLAMD_CONF"
}

# One malformed line silently drops a whole database file, so prove that the signatures load and
# match before serving: a clean file must pass and the EICAR marker must be found.
validate_signature_database() {
  local probe="$CLAMD_DIR/tmp/signature-probe.txt" output status=0
  printf 'Homeroom signature self-test: EICAR-STANDARD-ANTIVIRUS-TEST-FILE\n' >"$probe"
  output=$(clamscan --no-summary --database="$CLAMAV_DB_DIR" "$CLAMD_CONF" "$probe" 2>&1) || status=$?
  rm -f "$probe"
  if [ "$status" != 1 ] || ! grep -q "$probe: Homeroom.Test.EICAR.UNOFFICIAL FOUND" <<<"$output" ||
    ! grep -q "$CLAMD_CONF: OK" <<<"$output"; then
    printf '%s\n' "$output" >&2
    die "the signature database in $CLAMAV_DB_DIR does not load or does not match (clamscan exit $status)"
  fi
}

clamd_started_and_answering() {
  kill -0 "$clamd_pid" 2>/dev/null && clamd_ping "$CLAMD_HOST_LOCAL" "$CLAMD_PORT"
}

start_clamd() {
  have clamd || die "clamd is missing: run npm run bootstrap"
  mkdir -p "$CLAMD_DIR/tmp"
  render_clamd_conf
  validate_signature_database
  local log_file="$HOMEROOM_LOG_DIR/clamd.log"
  setsid nohup clamd -c "$CLAMD_CONF" >/dev/null 2>>"$log_file" </dev/null 8>&- &
  clamd_pid=$!
  if ! wait_until "$START_TIMEOUT_SECONDS" "clamd on $CLAMD_HOST_LOCAL:$CLAMD_PORT" clamd_started_and_answering; then
    tail -n 20 "$log_file" >&2
    die "clamd did not start (log: $log_file)"
  fi
  # clamd writes its PidFile itself, after loading the database; make it certain before returning.
  echo "$clamd_pid" >"$CLAMD_PID_FILE"
}

stop_clamd() {
  pid_file_alive "$CLAMD_PID_FILE" || {
    rm -f "$CLAMD_PID_FILE"
    return 0
  }
  local pid
  pid=$(cat "$CLAMD_PID_FILE")
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = clamd ] && stop_pid "$pid" clamd
  rm -f "$CLAMD_PID_FILE"
}

# --- commands ----------------------------------------------------------------------------------

prepare_dirs() {
  mkdir -p "$HOMEROOM_RUN_DIR" "$HOMEROOM_LOG_DIR"
  chmod 755 "$HOMEROOM_DATA_DIR" "$HOMEROOM_RUN_DIR" "$HOMEROOM_LOG_DIR"
}

# Serializes concurrent up/down; every service is spawned with fd 8 closed so it cannot hold the lock.
lock_stack() {
  exec 8>"$HOMEROOM_RUN_DIR/stack.lock"
  flock 8
}

check_service_names() {
  local name
  for name in $1; do
    case " $ALL_SERVICES " in *" $name "*) ;; *) die "unknown service '$name' (known: $ALL_SERVICES)" ;; esac
  done
}

address_of() {
  case $1 in
    postgres) echo "$PGHOST_LOCAL:$PGPORT_LOCAL" ;;
    temporal) echo "$TEMPORAL_ADDRESS_LOCAL" ;;
    clamd) echo "$CLAMD_HOST_LOCAL:$CLAMD_PORT" ;;
  esac
}

cmd_up() {
  local only=$ALL_SERVICES record=""
  while [ $# -gt 0 ]; do
    case $1 in
      --only) only=$2; shift 2 ;;
      --record) record=$2; shift 2 ;;
      *) die "unknown option for up: $1" ;;
    esac
  done
  check_service_names "$only"
  prepare_dirs
  lock_stack
  [ -z "$record" ] || : >"$record"
  load_local_secrets
  local service started=()
  for service in $ALL_SERVICES; do
    case " $only " in *" $service "*) ;; *) continue ;; esac
    if ! "${service}_up"; then
      "start_$service"
      started+=("$service")
      log "stack: started $service on $(address_of "$service")"
      [ -z "$record" ] || echo "${started[*]}" >"$record"
    fi
    case $service in
      postgres) ensure_postgres_databases ;;
      temporal) ensure_search_attributes ;;
    esac
  done
}

cmd_down() {
  local only=$ALL_SERVICES
  while [ $# -gt 0 ]; do
    case $1 in
      --only) only=$2; shift 2 ;;
      *) die "unknown option for down: $1" ;;
    esac
  done
  check_service_names "$only"
  prepare_dirs
  lock_stack
  local service
  for service in clamd temporal postgres; do
    case " $only " in *" $service "*) "stop_$service" ;; esac
  done
}

cmd_status() {
  local service state
  for service in $ALL_SERVICES; do
    if "${service}_up"; then state=up; else state=down; fi
    printf '%-9s %-5s %s\n' "$service" "$state" "$(address_of "$service")"
  done
  if http_ok "$TEMPORAL_UI_URL/"; then state=up; else state=down; fi
  printf '%-9s %-5s %s\n' "ui" "$state" "$TEMPORAL_UI_URL"
}

command=${1:-}
[ $# -eq 0 ] || shift
case $command in
  up) cmd_up "$@" ;;
  down) cmd_down "$@" ;;
  status) cmd_status ;;
  *) die "usage: stack.sh up [--only \"$ALL_SERVICES\"] [--record FILE] | down [--only LIST] | status" ;;
esac
