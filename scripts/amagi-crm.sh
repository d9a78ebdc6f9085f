#!/usr/bin/env bash
# Starts and stops a local amagi-crm (PyPI "amagi-crm" 0.1.0: FastAPI + SQLite) on 127.0.0.1,
# the real CRM the test suite syncs against.
#
#   scripts/amagi-crm.sh start DIR   prints, on stdout and nothing else:
#                                      AMAGI_URL=http://127.0.0.1:PORT/api
#                                      AMAGI_TOKEN_FILE=DIR/data/token
#                                      AMAGI_PID=PID
#   scripts/amagi-crm.sh stop DIR    stops only the server recorded in DIR/run/server.pid
#
# The venv with the pinned packages below is kept in ${CRMGATE_PEER_CACHE:-$HOME/.cache/crmgate-peers}
# and reused when it imports amagi_crm 0.1.0, so only the first start pays pip.
# DIR/data (keys, database, token) is made on the first start in DIR and reused after; DIR/run has
# server.pid and server.out (the server's log). The port is one the OS says is free, unless PORT is set.
# Needs python3 >= 3.10 with venv (Debian: python3-venv); CRMGATE_PYTHON picks another interpreter.
set -euo pipefail

VERSION=0.1.0
HOST=127.0.0.1
READY_TIMEOUT=60
# Pinned: amagi-crm and every package it pulls in.
REQUIREMENTS=(
  amagi-crm==0.1.0
  annotated-doc==0.0.7
  annotated-types==0.8.0
  anyio==4.16.0
  cffi==2.1.1
  click==8.5.1
  cryptography==50.0.2
  fastapi==0.165.0
  h11==0.16.0
  idna==3.20
  opentelemetry-api==1.45.2
  pycparser==3.12
  pydantic==2.14.4
  pydantic_core==2.50.5
  SQLAlchemy==2.1.9
  starlette==1.10.0
  typing-inspection==0.4.5
  typing_extensions==4.16.0
  uvicorn==0.54.0
)

log() { printf '[amagi-crm] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
usage() { echo "usage: $0 start DIR | stop DIR" >&2; exit 2; }

# True when PID is alive and is an amagi-crm server.
is_server() {
  local pid="$1" cmd
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  cmd="$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmd" == *amagi-crm* && "$cmd" == *serve* ]]
}

venv_ok() {
  [[ -x "$VENV/bin/python" ]] && [[ "$("$VENV/bin/python" -c \
    'import amagi_crm, importlib.metadata as m; print(m.version("amagi-crm"))' 2>/dev/null)" == "$VERSION" ]]
}

ensure_venv() {
  local cache="${CRMGATE_PEER_CACHE:-$HOME/.cache/crmgate-peers}" py="${CRMGATE_PYTHON:-python3}"
  VENV="$cache/amagi-crm-$VERSION-venv"
  mkdir -p "$cache"
  venv_ok && { log "reusing venv $VENV"; return; }
  # One builder at a time: parallel test runs wait here for the first one's pip.
  exec 9> "$cache/amagi-crm-$VERSION.lock"
  flock 9
  if ! venv_ok; then
    command -v "$py" >/dev/null || die "$py not found; install python3 (>= 3.10) or set CRMGATE_PYTHON"
    "$py" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || die "$py is older than 3.10; set CRMGATE_PYTHON"
    log "creating venv $VENV with $("$py" -V 2>&1)"
    rm -rf "$VENV"
    "$py" -m venv "$VENV" >&2 || die "$py -m venv failed (on Debian: apt-get install python3-venv)"
    log "installing ${REQUIREMENTS[*]}"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input "${REQUIREMENTS[@]}" >&2 \
      || { rm -rf "$VENV"; die "pip install failed"; }
    venv_ok || { rm -rf "$VENV"; die "the new venv does not import amagi_crm $VERSION"; }
  else
    log "reusing venv $VENV (another start built it meanwhile)"
  fi
  flock -u 9
  exec 9>&-
}

free_port() {
  "$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# http_status URL [TOKEN]: the HTTP status code, or 000 when nothing answers.
http_status() {
  "$VENV/bin/python" - "$@" <<'EOF'
import sys, urllib.request, urllib.error
req = urllib.request.Request(sys.argv[1])
if len(sys.argv) > 2:
    req.add_header("Authorization", "Bearer " + sys.argv[2])
try:
    with urllib.request.urlopen(req, timeout=5) as r:
        print(r.status)
except urllib.error.HTTPError as e:
    print(e.code)
except Exception:
    print("000")
EOF
}

start() {
  local dir="$1"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  local data="$dir/data" run="$dir/run"
  local envfile="$data/amagi.env" tokenfile="$data/token" pidfile="$run/server.pid" out="$run/server.out"
  mkdir -p "$run"

  if [[ -f "$pidfile" ]] && is_server "$(cat "$pidfile")"; then
    die "a server already runs from $dir (PID $(cat "$pidfile")); run: $0 stop $dir"
  fi
  ensure_venv

  local port="${PORT:-}"
  [[ -n "$port" ]] || port="$(free_port)"
  [[ "$port" =~ ^[0-9]+$ ]] || die "bad port '$port'"
  # SO_REUSEADDR as the server binds: a port left in TIME_WAIT by the server just stopped is free to it (a trial's
  # restart on the same PORT was refused for a minute).
  "$VENV/bin/python" -c 'import socket, sys; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1])))' "$port" 2>/dev/null \
    || die "port $port on $HOST is in use; set another PORT or leave PORT unset"

  # The CLI reads these from the environment before the env file: keep the caller's out.
  unset DATABASE_URL $(compgen -v AMAGI_CRM_ || true)
  local cli=("$VENV/bin/amagi-crm" --env-file "$envfile")

  mkdir -p "$data"
  chmod 700 "$data"
  if [[ ! -s "$tokenfile" ]]; then
    local o
    if [[ ! -f "$envfile" ]]; then
      log "initialising keys, database and admin user in $data"
      o="$(cd "$run" && "${cli[@]}" init --admin admin --timezone UTC --database-url "sqlite:///$data/amagi_crm.db" 2>&1)" \
        || die "amagi-crm init failed: $o"
    else
      log "$data has a database but no token; adding an admin user"
      o="$(cd "$run" && "${cli[@]}" user add "admin-$(date +%s)" --role admin 2>&1)" || die "amagi-crm user add failed: $o"
    fi
    local token
    token="$(grep -o 'acrm_[A-Za-z0-9_-]*' <<<"$o" | head -n 1 || true)"
    [[ -n "$token" ]] || die "no acrm_ token in the CLI output: $o"
    (umask 077; printf '%s\n' "$token" > "$tokenfile")
  else
    log "reusing database and token in $data"
  fi
  chmod 600 "$tokenfile" "$envfile"
  local token
  token="$(tr -d '[:space:]' < "$tokenfile")"

  log "starting amagi-crm on $HOST:$port"
  # The server must not inherit the caller's other descriptors: a test runner that waits for this script
  # (Foundation's Process watches a socket that only closes when every holder exits) would wait forever.
  (
    for fd in /proc/self/fd/*; do
      fd="${fd##*/}"
      if [[ "$fd" =~ ^[0-9]+$ ]] && (( fd > 2 )); then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    cd "$run" && exec nohup "${cli[@]}" serve --host "$HOST" --port "$port" > "$out" 2>&1 < /dev/null
  ) &
  local pid=$!
  echo "$pid" > "$pidfile"

  local base="http://$HOST:$port" deadline=$((SECONDS + READY_TIMEOUT)) health=000 me=000
  while (( SECONDS < deadline )); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$pidfile"
      log "server log ($out), last 30 lines:"; tail -n 30 "$out" >&2 || true
      die "the server exited during start-up"
    fi
    health="$(http_status "$base/healthz")"
    if [[ "$health" == 200 ]]; then
      me="$(http_status "$base/api/me" "$token")"
      [[ "$me" == 200 ]] && break
    fi
    sleep 0.5
  done
  if [[ "$health" != 200 || "$me" != 200 ]]; then
    kill -TERM "$pid" 2>/dev/null || true
    rm -f "$pidfile"
    log "server log ($out), last 30 lines:"; tail -n 30 "$out" >&2 || true
    die "not ready after ${READY_TIMEOUT} s: GET /healthz answered $health, GET /api/me with the token $me"
  fi
  log "ready: PID $pid, log $out"
  printf 'AMAGI_URL=%s/api\nAMAGI_TOKEN_FILE=%s\nAMAGI_PID=%s\n' "$base" "$tokenfile" "$pid"
}

stop() {
  local dir="$1" pid
  local pidfile="$dir/run/server.pid"
  if [[ ! -f "$pidfile" ]]; then
    log "no $pidfile: nothing to stop"
    return 0
  fi
  pid="$(cat "$pidfile")"
  if is_server "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 20); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "PID $pid still runs 10 s after TERM: sending KILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    log "stopped PID $pid"
  elif [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
    log "PID $pid is not an amagi-crm server: left alone"
  else
    log "PID $pid is not running"
  fi
  rm -f "$pidfile"
}

[[ $# -eq 2 && -n "$2" ]] || usage
case "$1" in
  start) start "$2" ;;
  stop) stop "$2" ;;
  *) usage ;;
esac
