#!/usr/bin/env bash
# `npm run bench`: builds, makes sure Postgres and Redis run, then runs every benchmark and prints
# one table of figures beside their targets (scripts/bench/run-all.ts). Loopback only, bounded
# (< 10 minutes). Arguments are passed on, e.g. `npm run bench -- --only campaign,governor`.
# Exits non-zero only when a benchmark fails to run, not when a figure misses its target.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-browser.sh
npm run build
bash scripts/services.sh
exec node dist/scripts/bench/run-all.js "$@"
