# Helpers shared by the stack scripts. Source after scripts/env.sh.
# shellcheck shell=bash

log() { printf '%s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

is_root() { [ "$(id -u)" -eq 0 ]; }

have() { command -v "$1" >/dev/null 2>&1; }

# True when something accepts TCP connections on host:port.
port_open() {
  # shellcheck disable=SC2016 # the inner shell expands its own arguments
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# wait_until <seconds> <description> <command...>: polls the command twice a second.
wait_until() {
  local limit=$1 what=$2
  shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "gave up after ${limit}s waiting for $what"
      return 1
    fi
    sleep 0.5
  done
}

# True when the URL answers HTTP 200.
http_ok() {
  if have curl; then
    [ "$(curl -s -o /dev/null -m 3 -w '%{http_code}' "$1")" = 200 ]
  else
    node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(3000) })
      .then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))' "$1"
  fi
}

# True when the pid in the file belongs to a live process.
pid_file_alive() {
  local pid
  [ -s "$1" ] && pid=$(cat "$1") && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# stop_pid <pid> <name>: SIGTERM, then wait up to 30s, then SIGKILL.
stop_pid() {
  local pid=$1 name=$2
  kill -TERM "$pid" 2>/dev/null || return 0
  local deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      warn "$name (pid $pid) ignored SIGTERM for 30s; killing it"
      kill -KILL "$pid" 2>/dev/null
      break
    fi
    sleep 0.2
  done
}

# PostgreSQL's initdb and postgres refuse to run as root: as root the local cluster belongs to the
# unprivileged `postgres` system user, otherwise to whoever runs the scripts.
run_as_db_user() {
  if is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

SECRETS_FILE="$HOMEROOM_DATA_DIR/secrets.env"

# Exports every variable of the local secrets file that the environment does not already set, so
# values given from outside (an operator's own keys) win.
load_local_secrets() {
  [ -f "$SECRETS_FILE" ] || die "$SECRETS_FILE is missing: run npm run bootstrap"
  local line name value
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in '' | '#'*) continue ;; esac
    name=${line%%=*}
    value=${line#*=}
    value=${value#\"}
    value=${value%\"}
    if [ -z "${!name+x}" ]; then export "$name=$value"; fi
  done <"$SECRETS_FILE"
}

url_encode() { node -p 'encodeURIComponent(process.argv[1])' "$1"; }

# The local cluster's superuser URL for a database.
local_database_url() {
  printf 'postgresql://%s:%s@%s:%s/%s' "$(url_encode "$PG_SUPERUSER_LOCAL")" \
    "$(url_encode "$PG_PASSWORD_LOCAL")" "$PGHOST_LOCAL" "$PGPORT_LOCAL" "$1"
}

# psql against the local cluster as its superuser role, quiet and failing on the first error.
local_psql() {
  PGPASSWORD="$PG_PASSWORD_LOCAL" psql -X -q -v ON_ERROR_STOP=1 -h "$PGHOST_LOCAL" -p "$PGPORT_LOCAL" \
    -U "$PG_SUPERUSER_LOCAL" "$@"
}

ensure_local_database() {
  local name=$1
  if [ "$(local_psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'")" != 1 ]; then
    local_psql -d postgres -c "CREATE DATABASE \"$name\" OWNER \"$PG_SUPERUSER_LOCAL\""
  fi
}

recreate_local_database() {
  local name=$1
  local_psql -d postgres -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)"
  local_psql -d postgres -c "CREATE DATABASE \"$name\" OWNER \"$PG_SUPERUSER_LOCAL\""
}

MIGRATE_CLI="$HOMEROOM_ROOT/dist/libs/db/migrate-cli.js"

run_migrations() {
  [ -f "$MIGRATE_CLI" ] || die "the build did not produce $MIGRATE_CLI"
  (cd "$HOMEROOM_ROOT" && node "$MIGRATE_CLI")
}

build_project() {
  (cd "$HOMEROOM_ROOT" && npm run build --silent) || die "npm run build failed"
}

# Prints the URL without its credentials, for messages.
redact_url() { sed -E 's|//[^@/]*@|//|' <<<"$1"; }
