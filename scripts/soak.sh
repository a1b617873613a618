#!/usr/bin/env bash
# The long form of the reliability tests (tests/reliability): concurrent saves, a PostgreSQL
# restart and killed gunicorn workers under load, for SOAK_SECONDS each (default 600).
#   make soak                      # 10 minutes per test
#   SOAK_SECONDS=120 make soak     # shorter
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-postgres.sh >/dev/null
PORTAL_TEST_DATABASE_URL=$(bash scripts/ensure-postgres.sh --url)
export PORTAL_TEST_DATABASE_URL
export PORTAL_RELIABILITY_SECONDS="${SOAK_SECONDS:-600}"
exec .venv/bin/pytest -q tests/reliability "$@"
