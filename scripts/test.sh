#!/usr/bin/env bash
# `npm test`: installs what is missing (packages, and Chromium for the web app's browser tests),
# makes sure Postgres/Redis run, builds (the web app too), runs every tier.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
bash scripts/install-browser.sh
bash scripts/services.sh
npm run build
exec npx jest --maxWorkers=2 "$@"
