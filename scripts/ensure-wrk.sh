#!/usr/bin/env bash
# Installs wrk (Debian package), the HTTP load generator of `make bench`. Idempotent.
set -euo pipefail
if command -v wrk >/dev/null 2>&1; then
  exit 0
fi
echo "installing wrk from Debian's packages..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq wrk >/dev/null
