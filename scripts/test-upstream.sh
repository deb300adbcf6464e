#!/usr/bin/env bash
# `pnpm run test:upstream`: the engine tests again, on redis-server built from Redis's own
# sources (scripts/upstream-redis.sh says why). DTPS_SKIP_UPSTREAM=1 skips them, saying so, on
# a machine that cannot fetch the release tarball (offline, no curl or compiler).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${DTPS_SKIP_UPSTREAM:-}" == 1 ]]; then
  echo "test:upstream: skipped (DTPS_SKIP_UPSTREAM=1): the engine tests did not run on Redis built from its sources" >&2
  exit 0
fi
dir="$(bash scripts/upstream-redis.sh)"
PATH="$dir:$PATH" exec pnpm exec ava "packages/core/test/engine/**/*.test.ts"
