#!/usr/bin/env bash
# `npm test`: installs what is missing, makes sure Postgres/Redis run, builds, runs every tier.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
bash scripts/services.sh
npm run build
exec npx jest --maxWorkers=2 "$@"
