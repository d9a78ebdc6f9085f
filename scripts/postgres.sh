#!/usr/bin/env bash
# Starts and stops a throw-away PostgreSQL cluster on 127.0.0.1 for the test suite and the benchmarks.
#
#   scripts/postgres.sh start DIR   makes a cluster in DIR/data (initdb, scram-sha-256 for TCP) unless one is
#                                   there, starts it on a free port and prints, on stdout and nothing else:
#                                     CRMGATE_TEST_POSTGRES=postgresql://crmgate@127.0.0.1:PORT/postgres
#                                     CRMGATE_TEST_PGPASSFILE=DIR/pgpass
#   scripts/postgres.sh stop DIR    stops the cluster of DIR (fast shutdown)
#   scripts/postgres.sh restart DIR restarts it on the same port (the fault tests' "database restart")
#
# The password is random, written to DIR/pgpass (mode 600, .pgpass format) and nowhere else. The server
# refuses to run as root: as root the cluster belongs to the `postgres` user (Debian's postgresql package
# makes it) and DIR is handed to that user. Needs Debian's postgresql (scripts/install-deps.sh installs it).
set -euo pipefail

log() { printf '[postgres] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
usage() { echo "usage: $0 start DIR | stop DIR | restart DIR" >&2; exit 2; }

[[ $# -eq 2 ]] || usage
cmd="$1"
dir="$2"

bindir="${CRMGATE_PG_BINDIR:-}"
if [[ -z "$bindir" ]]; then
  for d in /usr/lib/postgresql/*/bin; do [[ -x "$d/initdb" ]] && bindir="$d"; done
fi
[[ -n "$bindir" && -x "$bindir/initdb" ]] || die "no PostgreSQL server found (install Debian's postgresql: scripts/install-deps.sh)"

# The server must not hold the descriptors of whoever started this script (a test process waits for every holder
# of the pipe or socket it gave its child): close everything above stderr.
close_inherited() {
  local fd
  for fd in /proc/$$/fd/*; do
    fd="${fd##*/}"
    if [[ "$fd" =~ ^[0-9]+$ ]] && (( fd > 2 )); then eval "exec $fd>&-" 2>/dev/null || true; fi
  done
}
close_inherited

# Runs a server program as the cluster's owner.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

case "$cmd" in
  start)
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    if [[ ! -f "$dir/data/PG_VERSION" ]]; then
      password="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
      pwfile="$dir/initpw"
      (umask 077; printf '%s\n' "$password" > "$pwfile")
      mkdir -p "$dir/data" "$dir/run"
      if [[ $(id -u) -eq 0 ]]; then
        getent passwd postgres >/dev/null || die "no 'postgres' user to run the server as (install Debian's postgresql)"
        chown postgres "$dir" "$dir/data" "$dir/run" "$pwfile"
        chmod 755 "$dir"
      fi
      as_owner "$bindir/initdb" -D "$dir/data" -U crmgate --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
        -E UTF8 --locale=C.UTF-8 >"$dir/run/initdb.out" 2>&1 || { cat "$dir/run/initdb.out" >&2; die "initdb failed"; }
      rm -f "$pwfile"
      port="${PORT:-$(free_port)}"
      echo "$port" > "$dir/port"
      (umask 077; printf '127.0.0.1:%s:*:crmgate:%s\n' "$port" "$password" > "$dir/pgpass")
      [[ $(id -u) -eq 0 ]] && chown root "$dir/pgpass"
    fi
    port="$(cat "$dir/port")"
    if ! as_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      # -k: the Unix socket in DIR/run, not /var/run/postgresql (which may not exist or be writable).
      as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/run/server.log" -w -t 60 \
        -o "-h 127.0.0.1 -p $port -k $dir/run -c fsync=off -c max_connections=200" start >/dev/null \
        || { tail -20 "$dir/run/server.log" >&2; die "the server did not start"; }
    fi
    echo "CRMGATE_TEST_POSTGRES=postgresql://crmgate@127.0.0.1:$port/postgres"
    echo "CRMGATE_TEST_PGPASSFILE=$dir/pgpass"
    ;;
  stop)
    [[ -d "$dir/data" ]] || exit 0
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  restart)
    port="$(cat "$dir/port")"
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/run/server.log" -m fast -w -t 60 \
      -o "-h 127.0.0.1 -p $port -k $dir/run -c fsync=off -c max_connections=200" restart >/dev/null \
      || { tail -20 "$dir/run/server.log" >&2; die "the server did not restart"; }
    ;;
  *) usage ;;
esac
