#!/usr/bin/env bash
# Start/stop/inspect both local servers (PostgreSQL + Kafka) used by naloxone
# development and tests.
#
#   deploy/local/servers.sh up|down|status|env
#
# 'up' installs what is missing (one after the other: apt/dpkg hold a lock),
# then starts PostgreSQL and Kafka in parallel, reusing running ones.
# 'env' prints DATABASE_URL / KAFKA_BOOTSTRAP lines for `eval`.
set -euo pipefail

LOG_TAG=servers
# shellcheck source=_lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/_lib.sh"

PG="$LOCAL_DIR/pg.sh"
KAFKA="$LOCAL_DIR/kafka.sh"

print_where() {
  echo "PostgreSQL: $("$PG" url)  (databases: ${NALOX_PG_DATABASES:-training inventory incidents diversion views gateway})"
  echo "Kafka:      $("$KAFKA" bootstrap)"
  echo "State/logs: $STATE_DIR  ($STATE_DIR/log)"
}

cmd_up() {
  local t0=$SECONDS
  "$PG" install
  "$KAFKA" install
  "$PG" start &
  local pg_pid=$!
  "$KAFKA" start &
  local kafka_pid=$!
  local pg_rc=0 kafka_rc=0
  wait "$pg_pid" || pg_rc=$?
  wait "$kafka_pid" || kafka_rc=$?
  if [ "$pg_rc" -ne 0 ] || [ "$kafka_rc" -ne 0 ]; then
    die "start failed (pg.sh start rc=$pg_rc, kafka.sh start rc=$kafka_rc)"
  fi
  log "both up in $((SECONDS - t0))s"
  print_where
}

cmd_down() {
  local rc=0
  "$KAFKA" stop || rc=1
  "$PG" stop || rc=1
  return "$rc"
}

cmd_status() {
  local rc=0
  "$PG" status || rc=1
  "$KAFKA" status || rc=1
  if [ "$rc" -eq 0 ]; then print_where; fi
  return "$rc"
}

cmd_env() {
  echo "export DATABASE_URL='$("$PG" url)'"
  echo "export KAFKA_BOOTSTRAP='$("$KAFKA" bootstrap)'"
}

case "${1:-}" in
  up)     cmd_up ;;
  down)   cmd_down ;;
  status) cmd_status ;;
  env)    cmd_env ;;
  *) echo "usage: $0 up|down|status|env" >&2; exit 2 ;;
esac
