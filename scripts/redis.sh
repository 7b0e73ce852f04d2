#!/usr/bin/env bash
# A throw-away Redis server for the job queue's tests (tests/jobs: several `mtb serve` and
# `mtb worker` processes sharing PostgreSQL and Redis), so that the site setup is proven against
# the real broker a site runs, not only against the embedded SQLite queue.
#
#   scripts/redis.sh [--stop-with PID]   start one; prints ONE line on stdout, its URL:
#                                        redis://:<password>@127.0.0.1:<port>/0
#   scripts/redis.sh stop DIR            stop it and remove its directory (DIR is printed on
#                                        stderr when it starts)
#
# Installs Debian's redis-server with apt when it is missing (as root, or with sudo otherwise),
# like scripts/postgres.sh does for PostgreSQL. The server lives in a new temporary directory,
# listens on 127.0.0.1 on a free port only, needs a random password, and keeps nothing on disk
# (no RDB snapshots, no AOF: its data is the tests'). With --stop-with PID a detached watchdog
# stops it once process PID has ended (scripts/test.sh passes its own PID).
#
# Everything but the URL goes to stderr. When no server can be installed or started: nothing on
# stdout, a message on stderr, exit status 1, and the tests that need it skip, saying so.
set -euo pipefail

say() { echo "scripts/redis.sh: $*" >&2; }
die() { say "$*"; exit 1; }

redis_bin() {
  if command -v redis-server >/dev/null 2>&1; then command -v redis-server; return 0; fi
  if [ -x /usr/bin/redis-server ]; then echo /usr/bin/redis-server; return 0; fi
  return 1
}

install_redis() {
  command -v apt-get >/dev/null 2>&1 \
    || die "redis-server is not installed and there is no apt-get: install redis-server"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "redis-server is not installed; installing it needs root or sudo"
    sudo="sudo -n"
  fi
  say "installing Debian's redis-server with apt-get (once)"
  $sudo apt-get update -qq >&2 || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >/dev/null \
    || die "apt-get install redis-server failed"
  # Debian starts a system-wide server on 6379 after installing it; ours never uses it
}

free_port() {
  local python
  for python in python3 python; do
    if command -v "$python" >/dev/null 2>&1; then
      "$python" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()' && return 0
    fi
  done
  echo $((20000 + RANDOM % 20000))
}

stop_server() {
  local base="$1"
  [ -d "$base" ] || return 0
  if [ -f "$base/redis.pid" ]; then
    local pid
    pid="$(cat "$base/redis.pid" 2>/dev/null || true)"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  rm -rf -- "$base"
}

if [ "${1:-}" = "stop" ]; then
  [ $# -eq 2 ] || die "usage: scripts/redis.sh stop DIR"
  case "$(basename "$2")" in
    mtb-redis.*) stop_server "$2" ;;
    *) die "$2 is not a directory made by scripts/redis.sh" ;;
  esac
  exit 0
fi

owner_pid=""
if [ "${1:-}" = "--stop-with" ]; then
  [ $# -eq 2 ] || die "usage: scripts/redis.sh --stop-with PID"
  owner_pid="$2"
elif [ $# -ne 0 ]; then
  die "usage: scripts/redis.sh [--stop-with PID] | scripts/redis.sh stop DIR"
fi

started=$SECONDS
if ! BIN="$(redis_bin)"; then
  install_redis
  BIN="$(redis_bin)" || die "apt-get installed redis-server but it was not found"
fi

BASE="$(mktemp -d "${TMPDIR:-/tmp}/mtb-redis.XXXXXX")" || die "cannot make a temporary directory"
chmod 700 "$BASE"
ok=0
cleanup() { if [ "$ok" -ne 1 ]; then stop_server "$BASE"; fi; }
trap cleanup EXIT

password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
[ ${#password} -eq 32 ] || die "could not make a random password"

port=""
for _attempt in 1 2 3 4 5; do
  candidate="$(free_port)"
  cat >"$BASE/redis.conf" <<CONF
bind 127.0.0.1
port $candidate
protected-mode yes
requirepass $password
dir $BASE
pidfile $BASE/redis.pid
logfile $BASE/redis.log
daemonize yes
save ""
appendonly no
CONF
  chmod 600 "$BASE/redis.conf"
  if "$BIN" "$BASE/redis.conf" >/dev/null 2>&1; then
    for _ in $(seq 1 50); do
      if [ -s "$BASE/redis.pid" ] && grep -q "Ready to accept connections" "$BASE/redis.log" 2>/dev/null; then
        port="$candidate"
        break
      fi
      sleep 0.1
    done
  fi
  [ -n "$port" ] && break
  # not started on this port (taken meanwhile): stop what may have started, try another
  if [ -f "$BASE/redis.pid" ]; then kill "$(cat "$BASE/redis.pid")" 2>/dev/null || true; fi
  rm -f "$BASE/redis.pid"
done
if [ -z "$port" ]; then
  tail -n 20 "$BASE/redis.log" >&2 2>/dev/null || true
  die "the Redis server did not start (log above)"
fi

version="$("$BIN" --version | sed -n 's/.*v=\([0-9.]*\).*/\1/p')"
if [ -n "$owner_pid" ]; then
  script="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
  setsid bash -c '
    owner="$1"; script="$2"; base="$3"
    tail --pid="$owner" -f /dev/null 2>/dev/null || while kill -0 "$owner" 2>/dev/null; do
      sleep 1
    done
    exec "$script" stop "$base"
  ' watchdog "$owner_pid" "$script" "$BASE" </dev/null >/dev/null 2>&1 &
  say "Redis $version on 127.0.0.1:$port, in $BASE; stops when process $owner_pid ends" \
    "($((SECONDS - started)) s)"
else
  say "Redis $version on 127.0.0.1:$port, in $BASE; stop it with: scripts/redis.sh stop $BASE" \
    "($((SECONDS - started)) s)"
fi
ok=1
echo "redis://:$password@127.0.0.1:$port/0"
