#!/usr/bin/env bash
# Installs the Debian packages the tests use and starts the services they talk to,
# when they are missing or down. Fails (exit 1) when something cannot be had:
# tests that need a service never skip.
set -euo pipefail

log() { printf '[services] %s\n' "$*"; }
die() { printf '[services] FAILED: %s\n' "$*" >&2; exit 1; }

need_packages=()
[ -x /usr/bin/chromium ] || need_packages+=(chromium)
[ -x /usr/bin/chromedriver ] || need_packages+=(chromium-driver)
command -v softhsm2-util >/dev/null 2>&1 || need_packages+=(softhsm2)
if [ ${#need_packages[@]} -gt 0 ]; then
  log "installing Debian packages: ${need_packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq "${need_packages[@]}" >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1 || true
    apt-get install -y -qq "${need_packages[@]}" >/dev/null || die "apt-get install ${need_packages[*]}"
  fi
fi
/usr/bin/chromium --version >/dev/null 2>&1 || die "chromium does not run (Debian package chromium)"

redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
if ! redis_up; then
  command -v redis-server >/dev/null 2>&1 || die "redis-server is not installed (Debian package redis-server)"
  log "starting Redis on 127.0.0.1:6379"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 50); do redis_up && break; sleep 0.2; done
fi
redis_up || die "Redis on 127.0.0.1:6379 is not reachable"

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
if ! pg_up; then
  command -v pg_ctlcluster >/dev/null 2>&1 || die "PostgreSQL is not installed (Debian package postgresql)"
  log "starting PostgreSQL on 127.0.0.1:5432"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  for _ in $(seq 1 50); do pg_up && break; sleep 0.2; done
fi
pg_up || die "PostgreSQL on 127.0.0.1:5432 is not reachable"
psql -h 127.0.0.1 -U postgres -d test -tAc 'select 1' >/dev/null 2>&1 \
  || die "PostgreSQL database 'test' is not reachable with trust auth as postgres"

log "ready: chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}'), redis, postgresql, softhsm2"
