#!/usr/bin/env bash
# Starts local Postgres and Redis when they are not answering and this machine has them.
set -euo pipefail

pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
redis_up() { [ "$(printf 'PING\r\n' | timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/6379; cat >&3; head -c 5 <&3' 2>/dev/null)" = "+PONG" ]; }

if ! pg_up; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "starting Postgres"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  else
    echo "Postgres is not reachable on 127.0.0.1:5432 and cannot be started here" >&2
    exit 1
  fi
fi
if ! redis_up; then
  if command -v redis-server >/dev/null 2>&1; then
    echo "starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  else
    echo "Redis is not reachable on 127.0.0.1:6379 and cannot be started here" >&2
    exit 1
  fi
fi
for _ in $(seq 1 50); do
  if pg_up && redis_up; then
    exit 0
  fi
  sleep 0.2
done
echo "Postgres or Redis did not come up" >&2
exit 1
