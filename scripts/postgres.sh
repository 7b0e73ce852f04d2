#!/usr/bin/env bash
# A throw-away PostgreSQL server for the case store's tests (tests/store), so that they prove the
# store against the real server a hospital runs, not only against SQLite.
#
#   scripts/postgres.sh [--stop-with PID]   start one; prints ONE line on stdout, its URL:
#                                           postgresql+psycopg://mtb:<pw>@127.0.0.1:<port>/mtb_test
#   scripts/postgres.sh stop DATADIR        stop it and remove its directory (DATADIR is printed
#                                           on stderr when it starts)
#
# Installs Debian's postgresql with apt when its server binaries are missing (as root, or with
# sudo otherwise), like scripts/test.sh does for chromium. The server lives in a new temporary
# directory (owned by the postgres user when run as root: PostgreSQL refuses to run as root),
# listens on 127.0.0.1 on a free port only, and has no data anyone needs: fsync is off for speed
# (the tests kill clients, never the server). The user mtb has a random password and may create
# databases (each test gets a fresh one). With --stop-with PID a detached watchdog stops the
# server and removes its directory once process PID has ended (scripts/test.sh passes its own
# PID, which becomes pytest's after `exec`), so no server outlives the test run.
#
# Everything but the URL goes to stderr. When no server can be installed or started: nothing on
# stdout, a message on stderr, exit status 1, and tests/store skips its PostgreSQL tests saying so.
set -euo pipefail

say() { echo "scripts/postgres.sh: $*" >&2; }
die() { say "$*"; exit 1; }

# The newest installed server's binaries (Debian keeps them off PATH, under /usr/lib/postgresql).
pg_bindir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
    echo "$dir"
    return 0
  fi
  if command -v pg_config >/dev/null 2>&1; then
    dir="$(pg_config --bindir 2>/dev/null || true)"
    if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return 0
    fi
  fi
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return 0
  fi
  return 1
}

# Run a server binary as the owner of the data: postgres when we are root, ourselves otherwise.
# From the server's directory, so that postgres never starts in a directory it cannot read.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    if command -v runuser >/dev/null 2>&1; then
      (cd "$BASE" && runuser -u postgres -- "$@")
    else
      local quoted
      quoted="$(printf '%q ' "$@")"
      (cd "$BASE" && su postgres -s /bin/sh -c "$quoted")
    fi
  else
    (cd "$BASE" && "$@")
  fi
}

install_postgres() {
  command -v apt-get >/dev/null 2>&1 \
    || die "PostgreSQL is not installed and there is no apt-get: install postgresql (server)"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 \
      || die "PostgreSQL is not installed; installing it needs root or sudo"
    sudo="sudo -n"
  fi
  say "installing Debian's postgresql with apt-get (once)"
  $sudo apt-get update -qq >&2 || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null \
    || die "apt-get install postgresql failed"
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
  BASE="$base"
  local bindir
  if [ -f "$base/data/postmaster.pid" ] && bindir="$(pg_bindir)"; then
    as_owner "$bindir/pg_ctl" -D "$base/data" -m immediate -w -t 20 stop >/dev/null 2>&1 || true
  fi
  rm -rf -- "$base"
}

if [ "${1:-}" = "stop" ]; then
  [ $# -eq 2 ] || die "usage: scripts/postgres.sh stop DATADIR"
  # accept the data directory itself or the directory holding it
  target="$2"
  if [ "$(basename "$target")" = "data" ] && [ -f "$target/PG_VERSION" ]; then
    target="$(dirname "$target")"
  fi
  case "$(basename "$target")" in
    mtb-pg.*) stop_server "$target" ;;
    *) die "$2 is not a directory made by scripts/postgres.sh" ;;
  esac
  exit 0
fi

owner_pid=""
if [ "${1:-}" = "--stop-with" ]; then
  [ $# -eq 2 ] || die "usage: scripts/postgres.sh --stop-with PID"
  owner_pid="$2"
elif [ $# -ne 0 ]; then
  die "usage: scripts/postgres.sh [--stop-with PID] | scripts/postgres.sh stop DATADIR"
fi

started=$SECONDS
if ! BIN="$(pg_bindir)"; then
  install_postgres
  BIN="$(pg_bindir)" || die "apt-get installed postgresql but no initdb/pg_ctl was found"
fi
if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
  die "running as root, but there is no postgres user to run the server as"
fi

BASE="$(mktemp -d "${TMPDIR:-/tmp}/mtb-pg.XXXXXX")" || die "cannot make a temporary directory"
chmod 700 "$BASE"
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$BASE"
fi
# from here on, a failure removes the half-made server
ok=0
cleanup() { if [ "$ok" -ne 1 ]; then stop_server "$BASE"; fi; }
trap cleanup EXIT

password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
[ ${#password} -eq 32 ] || die "could not make a random password"

as_owner "$BIN/initdb" -D "$BASE/data" -U postgres -E UTF8 --no-locale --no-sync \
  --auth-local=trust --auth-host=scram-sha-256 >"$BASE/initdb.log" 2>&1 \
  || { cat "$BASE/initdb.log" >&2; die "initdb failed"; }

# The port is free when asked, but another process may take it before the server binds it: retry.
port=""
for _attempt in 1 2 3 4 5; do
  candidate="$(free_port)"
  # (one line: pg_ctl hands these options to a shell)
  options="-c listen_addresses=127.0.0.1 -p $candidate -c unix_socket_directories='$BASE'"
  options+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  options+=" -c max_connections=200"
  if as_owner "$BIN/pg_ctl" -D "$BASE/data" -l "$BASE/server.log" -w -t 30 -o "$options" \
      start >/dev/null 2>&1; then
    port="$candidate"
    break
  fi
done
if [ -z "$port" ]; then
  tail -n 20 "$BASE/server.log" >&2 2>/dev/null || true
  die "the PostgreSQL server did not start (log above)"
fi

# Over the server's own socket (in the private directory, hence trust) as its superuser.
as_owner "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$BASE" -p "$port" -U postgres -d postgres \
  -c "CREATE ROLE mtb LOGIN CREATEDB PASSWORD '$password'" \
  -c "CREATE DATABASE mtb_test OWNER mtb" >&2 \
  || die "could not create the user mtb and the database mtb_test"

if [ -n "$owner_pid" ]; then
  # Detached (own session, no terminal, no inherited stdout: `$(...)` must not wait for it),
  # so that neither Ctrl-C nor the end of the caller leaves the server behind.
  script="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
  setsid bash -c '
    owner="$1"; script="$2"; base="$3"
    tail --pid="$owner" -f /dev/null 2>/dev/null || while kill -0 "$owner" 2>/dev/null; do
      sleep 1
    done
    exec "$script" stop "$base"
  ' watchdog "$owner_pid" "$script" "$BASE" </dev/null >/dev/null 2>&1 &
  say "PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port," \
    "data in $BASE; stops when process $owner_pid ends ($((SECONDS - started)) s)"
else
  say "PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port," \
    "data in $BASE; stop it with: scripts/postgres.sh stop $BASE ($((SECONDS - started)) s)"
fi
ok=1
echo "postgresql+psycopg://mtb:$password@127.0.0.1:$port/mtb_test"
