#!/usr/bin/env bash
# Installs the OpenID provider that the single sign-on tests start (oidc-provider from npm, locked
# by tests/oidc/package-lock.json) into build/oidc-provider, not into the repository. Does
# nothing when that lock file is installed already.
set -euo pipefail
cd "$(dirname "$0")/.."
source=tests/oidc
target=build/oidc-provider
if [ -f "$target/node_modules/oidc-provider/package.json" ] \
    && cmp -s "$source/package-lock.json" "$target/package-lock.json"; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "the single sign-on tests need Node.js 20 or later with npm" >&2
  exit 1
fi
echo "installing the test OpenID provider (oidc-provider) into $target..."
rm -rf "$target"
mkdir -p "$target"
cp "$source/package.json" "$source/package-lock.json" "$target/"
(cd "$target" && npm ci --silent --no-audit --no-fund --ignore-scripts)
