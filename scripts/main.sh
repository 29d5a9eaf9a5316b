#!/usr/bin/env bash
# The main job: install, start Postgres/Redis if needed, build, migrate, start the sandbox,
# API and worker, then run the demo through the public API. `--keep-running` leaves them up.
set -euo pipefail
cd "$(dirname "$0")/.."
KEEP=0
for arg in "$@"; do
  case "$arg" in
    --keep-running) KEEP=1 ;;
    *) echo "unknown option: $arg (known: --keep-running)" >&2; exit 2 ;;
  esac
done

mkdir -p .data/logs
if [ ! -f .data/dev.env ]; then
  rnd() { node -e "process.stdout.write(require('crypto').randomBytes($1).toString('hex'))"; }
  cat > .data/dev.env <<ENV
APP_SECRET=$(rnd 16)
WEBHOOK_VERIFY_TOKEN=$(rnd 8)
ENCRYPTION_KEY=$(rnd 32)
API_KEY=mml_dev_$(rnd 16)
ENV
  echo "wrote .data/dev.env (secrets for this machine's demo)"
fi
set -a
# shellcheck disable=SC1091
. .data/dev.env
set +a
export NODE_ENV="${NODE_ENV:-production}"
export PORT="${PORT:-3000}"
export SANDBOX_PORT="${SANDBOX_PORT:-4010}"
export GRAPH_API_BASE_URL="${GRAPH_API_BASE_URL:-http://127.0.0.1:$SANDBOX_PORT}"
export LOG_FORMAT="${LOG_FORMAT:-json}"

echo "==> installing dependencies"
bash scripts/install.sh
echo "==> checking Postgres and Redis"
bash scripts/services.sh
echo "==> building"
npm run build --silent
echo "==> migrating"
npm run migrate --silent

PIDS=()
stop_all() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
start() {
  local name=$1
  shift
  "$@" >".data/logs/$name.log" 2>&1 &
  PIDS+=($!)
  echo "    $name started (pid $!, log .data/logs/$name.log)"
}
wait_http() {
  for _ in $(seq 1 150); do
    if node -e "fetch('$1').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"; then return 0; fi
    sleep 0.2
  done
  echo "$2 did not come up; see .data/logs/$2.log" >&2
  return 1
}

if [ "$KEEP" = 0 ]; then trap stop_all EXIT; fi
echo "==> starting sandbox, API and worker"
start sandbox node dist/apps/sandbox/src/main.js
start api node dist/apps/api/src/main.js
start worker node dist/apps/worker/src/main.js
wait_http "http://127.0.0.1:$SANDBOX_PORT/_sandbox/health" sandbox
wait_http "http://127.0.0.1:$PORT/health" api

echo "==> running the demo"
API_URL="http://127.0.0.1:$PORT" SANDBOX_URL="http://127.0.0.1:$SANDBOX_PORT" node dist/scripts/demo.js

if [ "$KEEP" = 1 ]; then
  echo "services keep running (pids ${PIDS[*]}); stop them with: kill ${PIDS[*]}"
fi
