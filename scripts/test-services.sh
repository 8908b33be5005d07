#!/usr/bin/env bash
# Throw-away PostgreSQL and Redis for the tests, on loopback, free ports, in a temporary directory.
#
#   eval "$(scripts/test-services.sh start)"   starts both (or reuses the running set named by
#                                               PIKA_TEST_SERVICES_DIR) and prints `export` lines:
#       PIKA_TEST_POSTGRES_URL  postgresql://pika@127.0.0.1:PORT/pika_test  (trust auth, role pika owns the db)
#       PIKA_TEST_REDIS_URL     redis://127.0.0.1:PORT                      (no persistence)
#       PIKA_TEST_SERVICES      this script's absolute path (fault tests call its subcommands)
#       PIKA_TEST_SERVICES_DIR  the temporary directory (state, data, logs)
#   scripts/test-services.sh stop              stops both and removes the directory
#   scripts/test-services.sh stop-postgres|start-postgres|stop-redis|start-redis
#                                               one server down/up again, same port and data
#   scripts/test-services.sh status            prints each server's state; exit 1 if one is down
#
# Every subcommand but `start` finds the directory in PIKA_TEST_SERVICES_DIR (or `--dir DIR` after it).
# As root, PostgreSQL runs as the unprivileged `postgres` user (it refuses to run as root).
set -euo pipefail

SCRIPT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
STATE_NAME="state.env"

die() { echo "test-services: $*" >&2; exit 1; }

# --- Locating binaries -------------------------------------------------------------------------

pg_bindir() {
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"
    return
  fi
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  [[ -n "$dir" && -x "$dir/pg_ctl" ]] || die "PostgreSQL server binaries not found (run scripts/setup.sh)"
  echo "$dir"
}

# The user PostgreSQL runs as: ourselves, or `postgres` (else `nobody`) when we are root.
pg_user() {
  if [[ $(id -u) -ne 0 ]]; then id -un
  elif id postgres >/dev/null 2>&1; then echo postgres
  else echo nobody
  fi
}

# Runs a command as the PostgreSQL user.
as_pg() {
  if [[ $(id -u) -ne 0 ]]; then "$@"
  else runuser -u "$PG_USER" -- "$@"
  fi
}

# --- Ports ------------------------------------------------------------------------------------

# Any TCP socket on the port, in any state: a client's connection holding it as its local
# port makes the server's bind fail as surely as a listener does.
port_in_use() { ss -Htan "sport = :$1" 2>/dev/null | grep -q . ; }

# A port below the kernel's ephemeral range (ip_local_port_range, 32768 by default), so the
# many client connections the tests open cannot take it between this check and the bind.
free_port() {
  local port low=20000 high
  high="$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)"
  (( high > low + 1000 )) || high=$((low + 10000))
  for _ in $(seq 1 200); do
    port=$((low + RANDOM % (high - low)))
    [[ "$port" == "${1:-}" ]] && continue
    port_in_use "$port" || { echo "$port"; return; }
  done
  die "no free port found"
}

# --- State ------------------------------------------------------------------------------------

state_dir() {
  local dir="${DIR_ARG:-${PIKA_TEST_SERVICES_DIR:-}}"
  [[ -n "$dir" ]] || die "PIKA_TEST_SERVICES_DIR is not set (run: eval \"\$($SCRIPT start)\")"
  [[ -f "$dir/$STATE_NAME" ]] || die "no test services state in $dir"
  echo "$dir"
}

load_state() {
  DIR="$(state_dir)"
  # shellcheck disable=SC1090
  source "$DIR/$STATE_NAME"
}

print_exports() {
  echo "export PIKA_TEST_POSTGRES_URL=postgresql://pika@127.0.0.1:$PG_PORT/pika_test"
  echo "export PIKA_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
  echo "export PIKA_TEST_SERVICES=$SCRIPT"
  echo "export PIKA_TEST_SERVICES_DIR=$DIR"
}

# --- PostgreSQL -------------------------------------------------------------------------------

postgres_running() { as_pg "$PG_BIN/pg_ctl" -D "$DIR/pg" status >/dev/null 2>&1; }

start_postgres() {
  postgres_running && return 0
  as_pg "$PG_BIN/pg_ctl" -D "$DIR/pg" -l "$DIR/pglog/postgres.log" -w -t 30 -s \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$DIR/pgsock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { tail -n 20 "$DIR/pglog/postgres.log" >&2; die "PostgreSQL did not start"; }
  for _ in $(seq 1 100); do
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && return 0
    sleep 0.1
  done
  die "PostgreSQL does not answer on port $PG_PORT"
}

stop_postgres() {
  postgres_running || return 0
  as_pg "$PG_BIN/pg_ctl" -D "$DIR/pg" -m fast -w -t 30 -s stop >/dev/null
}

init_postgres() {
  mkdir -p "$DIR/pg" "$DIR/pgsock" "$DIR/pglog"
  if [[ $(id -u) -eq 0 ]]; then chown "$PG_USER" "$DIR/pg" "$DIR/pgsock" "$DIR/pglog"; fi
  as_pg "$PG_BIN/initdb" -D "$DIR/pg" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync \
    >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
  start_postgres
  "$PG_BIN/psql" -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres \
    -c "CREATE ROLE pika LOGIN CREATEDB" -c "CREATE DATABASE pika_test OWNER pika" >/dev/null
}

# --- Redis ------------------------------------------------------------------------------------

redis_running() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

start_redis() {
  redis_running && return 0
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
    --daemonize yes --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log" --dir "$DIR" >/dev/null
  for _ in $(seq 1 100); do
    redis_running && return 0
    sleep 0.05
  done
  die "Redis does not answer on port $REDIS_PORT"
}

stop_redis() {
  redis_running || return 0
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  for _ in $(seq 1 100); do
    redis_running || return 0
    sleep 0.05
  done
  die "Redis on port $REDIS_PORT does not stop"
}

# --- Commands ---------------------------------------------------------------------------------

cmd_start() {
  PG_BIN="$(pg_bindir)"
  PG_USER="$(pg_user)"
  # Reuse a running (or stopped) set named by the environment: start is idempotent.
  if [[ -n "${DIR_ARG:-${PIKA_TEST_SERVICES_DIR:-}}" && -f "${DIR_ARG:-${PIKA_TEST_SERVICES_DIR:-}}/$STATE_NAME" ]]; then
    load_state
    start_postgres
    start_redis
    print_exports
    return
  fi
  DIR="$(mktemp -d /tmp/pika-test-services.XXXXXX)"
  chmod 755 "$DIR"
  # A failed start leaves nothing behind.
  trap 'stop_postgres >/dev/null 2>&1 || true; { [[ -z "${REDIS_PORT:-}" ]] || stop_redis >/dev/null 2>&1; } || true; rm -rf "$DIR"' ERR EXIT
  PG_PORT="$(free_port)"
  REDIS_PORT="$(free_port "$PG_PORT")"
  cat >"$DIR/$STATE_NAME" <<EOF
PG_PORT=$PG_PORT
REDIS_PORT=$REDIS_PORT
PG_BIN=$PG_BIN
PG_USER=$PG_USER
EOF
  init_postgres
  start_redis
  trap - ERR EXIT
  print_exports
}

cmd_stop() {
  local dir="${DIR_ARG:-${PIKA_TEST_SERVICES_DIR:-}}"
  [[ -n "$dir" && -f "$dir/$STATE_NAME" ]] || { echo "test-services: nothing to stop" >&2; return 0; }
  load_state
  stop_postgres
  stop_redis
  rm -rf "$DIR"
}

cmd_status() {
  load_state
  local code=0
  if postgres_running && "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
    echo "postgres: running on 127.0.0.1:$PG_PORT"
  else
    echo "postgres: stopped (port $PG_PORT)"; code=1
  fi
  if redis_running; then echo "redis: running on 127.0.0.1:$REDIS_PORT"
  else echo "redis: stopped (port $REDIS_PORT)"; code=1
  fi
  echo "dir: $DIR"
  return "$code"
}

COMMAND="${1:-}"
shift || true
DIR_ARG=""
if [[ "${1:-}" == "--dir" ]]; then DIR_ARG="${2:?--dir needs a directory}"; fi

case "$COMMAND" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  stop-postgres) load_state; stop_postgres ;;
  start-postgres) load_state; start_postgres ;;
  stop-redis) load_state; stop_redis ;;
  start-redis) load_state; start_redis ;;
  *) sed -n '2,16p' "$SCRIPT" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
