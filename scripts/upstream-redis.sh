#!/usr/bin/env bash
# Builds redis-server from Redis's own release sources and prints the directory that holds it.
#
# Why: Debian's redis-server (the one the tests use) links the system's Lua, while a build from
# Redis's sources (redis.io, the official container images, most package managers) runs its
# bundled Lua 5.1, compiled with LUA_COMPAT_LSTR 1, and its bundled cjson. The two compile
# dtps's function library differently: a nested [[ in a Lua comment loaded on Debian's and
# failed the whole library on the other. `pnpm run test:upstream` runs the engine tests on this
# build. The release tarball is taken from Debian's source package, which carries it unchanged
# (redis_<version>.orig.tar.gz), checked against the digest pinned below, and built once into
# .cache/ (about 2 minutes on 2 cores).
set -euo pipefail
VERSION=7.0.15
SHA256=4b1dc4ee6d622a09fff9c6777191209750fb5e5a725ef78ea012d6eef4c22982
URL="http://deb.debian.org/debian/pool/main/r/redis/redis_${VERSION}.orig.tar.gz"
root="$(cd "$(dirname "$0")/.." && pwd)/.cache/upstream-redis"
src="$root/redis-$VERSION"
if [[ ! -x "$src/src/redis-server" ]]; then
  mkdir -p "$root"
  tarball="$root/redis-$VERSION.tar.gz"
  if ! echo "$SHA256  $tarball" | sha256sum --check --status 2>/dev/null; then
    curl --fail --silent --show-error --location --retry 3 --output "$tarball" "$URL" >&2
    echo "$SHA256  $tarball" | sha256sum --check --status ||
      { echo "upstream-redis: $tarball does not match the pinned SHA-256" >&2; exit 1; }
  fi
  rm -rf "$src"
  tar -xzf "$tarball" -C "$root"
  make -C "$src/src" -j"$(nproc)" BUILD_TLS=no redis-server >"$root/build.log" 2>&1 ||
    { tail -30 "$root/build.log" >&2; echo "upstream-redis: build failed (log: $root/build.log)" >&2; exit 1; }
fi
echo "$src/src"
