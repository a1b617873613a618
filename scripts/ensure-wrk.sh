#!/usr/bin/env bash
# Installs wrk (Debian package), the HTTP load generator of `make bench`. Idempotent; without
# it (no root, no network) the benchmark falls back to its own Python load generator.
set -euo pipefail
if command -v wrk >/dev/null 2>&1; then
  exit 0
fi
echo "installing wrk from Debian's packages..."
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }; then
  echo "wrk could not be installed: the benchmark drives every page with its Python generator"
fi
