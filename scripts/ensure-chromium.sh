#!/usr/bin/env bash
# Installs Debian's Chromium (and fonts for Latin, Arabic, Cyrillic) for the browser tests.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "dejavu"; then
  exit 0
fi
echo "installing Chromium and fonts from Debian's packages..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium fonts-dejavu-core fontconfig >/dev/null
