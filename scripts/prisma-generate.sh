#!/usr/bin/env bash
# Generates the Prisma client into libs/db/generated. The generated client is engine-free, but
# `prisma generate` insists that a schema engine binary exists; it cannot be downloaded here, and any
# existing file satisfies the check.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$HOMEROOM_ROOT/scripts/lib.sh"

if [ -z "${PRISMA_SCHEMA_ENGINE_BINARY:-}" ]; then
  PRISMA_SCHEMA_ENGINE_BINARY="$HOMEROOM_TOOLS_DIR/prisma-schema-engine-placeholder"
  mkdir -p "$HOMEROOM_TOOLS_DIR"
  [ -e "$PRISMA_SCHEMA_ENGINE_BINARY" ] || touch "$PRISMA_SCHEMA_ENGINE_BINARY"
fi
export PRISMA_SCHEMA_ENGINE_BINARY
export PRISMA_HIDE_UPDATE_MESSAGE=1 CHECKPOINT_DISABLE=1

cd "$HOMEROOM_ROOT"
if ! output=$(npx --no-install prisma generate 2>&1); then
  printf '%s\n' "$output" >&2
  die "prisma generate failed"
fi
