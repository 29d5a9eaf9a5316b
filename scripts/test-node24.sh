#!/usr/bin/env bash
# Runs the test suite again on Node 24 (the Docker image's line). The binary comes from the npm
# registry (package `node`, which installs `node-<os>-<arch>`), into .cache/, so a clean checkout
# needs nothing else. Expects `npm test` to have installed, started the services and built.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=.cache/node24
if [ ! -x "$dir/node_modules/.bin/node" ]; then
  npm install --no-save --no-audit --no-fund --no-package-lock --prefix "$dir" node@24 >/dev/null
fi
node24="$(cd "$dir/node_modules/.bin" && pwd)/node"
echo "test suite on Node $("$node24" --version)"
# PATH first, so that everything the tests spawn (process.execPath, node scripts) is Node 24 too.
PATH="$(dirname "$node24"):$PATH" exec "$node24" node_modules/jest/bin/jest.js --maxWorkers=2 "$@"
