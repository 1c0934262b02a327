#!/usr/bin/env bash
# Make sure what the test suite needs is there: PostgreSQL up, Debian's Chromium, PgBouncer and promtool
# installed. (The replica tests start the streaming replica and PgBouncer themselves: scripts/replica.sh.)
set -euo pipefail

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "starting PostgreSQL"
  if command -v pg_ctlcluster >/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  else
    echo "PostgreSQL is not installed; install it (apt-get install postgresql) or set TEST_DATABASE_URL" >&2
    exit 1
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  if command -v redis-server >/dev/null; then
    echo "starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --dir /tmp --logfile /tmp/redis-tanpuhui.log
  fi
fi

packages=()
# Chromium, and a CJK font so screenshots of the Chinese pages show characters, not boxes.
if [ ! -x /usr/bin/chromium ]; then
  packages+=(chromium fonts-wqy-microhei)
elif ! command -v fc-list >/dev/null || [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  packages+=(fonts-wqy-microhei)
fi
# PgBouncer (transaction pooling) for the pooler tests; pg_basebackup comes with the server package.
if ! command -v pgbouncer >/dev/null && [ ! -x /usr/sbin/pgbouncer ]; then
  packages+=(pgbouncer)
fi
if [ ${#packages[@]} -gt 0 ]; then
  echo "installing ${packages[*]} for browser and database tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${packages[@]}" >/dev/null
fi

# Docker Compose v2, for the test that the deployment's compose file is valid (`docker compose config`),
# where a docker CLI is installed (the test is skipped where none is).
if command -v docker >/dev/null; then
  bash "$(dirname "$0")/ensure-compose.sh" >/dev/null || echo "Docker Compose v2 could not be installed; its test is skipped" >&2
fi

# promtool, from Debian's prometheus package, validates what /metrics answers (the observability test;
# skipped with its reason where it cannot be installed). Recommends would pull in the exporters.
if ! command -v promtool >/dev/null && command -v apt-get >/dev/null; then
  echo "installing prometheus (promtool) for the metrics test"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus >/dev/null \
    || echo "could not install prometheus; the promtool test will be skipped" >&2
fi
