#!/usr/bin/env bash
# The main job: install, start Postgres/Redis if needed, build, migrate, start the sandbox,
# API and worker, then run the demo through the public API. `--keep-running` leaves them up.
# Honours DATABASE_URL, REDIS_URL, REDIS_PREFIX, PORT, SANDBOX_PORT (and the other variables of
# API.md), DEMO_CONTACTS (10000) and DEMO_MPS (500).
set -euo pipefail
STARTED=$(date +%s)
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

port_busy() { node -e "const s=require('net').connect($1,'127.0.0.1');s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(1))"; }
for p in "$PORT" "$SANDBOX_PORT"; do
  if port_busy "$p"; then
    echo "port $p is already in use (another engine or demo?); stop it or set PORT / SANDBOX_PORT" >&2
    exit 1
  fi
done

echo "==> installing dependencies"
# The build needs the dev dependencies (TypeScript, types) even when NODE_ENV=production.
NODE_ENV=development npm_config_include=dev bash scripts/install.sh
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
show_log() {
  echo "---- last lines of .data/logs/$1.log ----" >&2
  tail -n 20 ".data/logs/$1.log" >&2 || true
}
wait_http() {
  local url=$1 name=$2 pid=$3
  for _ in $(seq 1 150); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$name exited during start-up" >&2
      show_log "$name"
      return 1
    fi
    if node -e "fetch('$url').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"; then return 0; fi
    sleep 0.2
  done
  echo "$name did not come up within 30 s" >&2
  show_log "$name"
  return 1
}

# Services stop when the script ends, unless --keep-running was given and the demo succeeded.
DEMO_OK=0
on_exit() {
  if [ "$KEEP" = 0 ] || [ "$DEMO_OK" = 0 ]; then stop_all; fi
}
trap on_exit EXIT
echo "==> starting sandbox, API and worker"
start sandbox node dist/apps/sandbox/src/main.js
wait_http "http://127.0.0.1:$SANDBOX_PORT/_sandbox/health" sandbox "${PIDS[0]}"
start api node dist/apps/api/src/main.js
start worker node dist/apps/worker/src/main.js
wait_http "http://127.0.0.1:$PORT/health" api "${PIDS[1]}"
if ! kill -0 "${PIDS[2]}" 2>/dev/null; then
  echo "worker exited during start-up" >&2
  show_log worker
  exit 1
fi

echo "==> running the demo"
if ! API_URL="http://127.0.0.1:$PORT" SANDBOX_URL="http://127.0.0.1:$SANDBOX_PORT" node dist/scripts/demo.js; then
  for name in api worker; do show_log "$name"; done
  exit 1
fi
DEMO_OK=1
echo ""
echo "main job done in $(($(date +%s) - STARTED)) s (install, build, migrate, start, demo)"

if [ "$KEEP" = 1 ]; then
  echo "services keep running: sandbox, API and worker (pids ${PIDS[*]}; logs in .data/logs/)"
  echo "  web app:  http://127.0.0.1:$PORT/app  (sign in with API_KEY from .data/dev.env)"
  echo "  explore:  http://127.0.0.1:$PORT/docs  (API key: API_KEY in .data/dev.env)"
  echo "  CLI:      export MMLITE_API_URL=http://127.0.0.1:$PORT MMLITE_API_KEY=\$(grep ^API_KEY= .data/dev.env | cut -d= -f2)"
  echo "            npm run cli -- campaigns list"
  echo "  stop:     kill ${PIDS[*]}"
else
  echo "stopping the services (run with --keep-running to explore the API afterwards)"
fi
