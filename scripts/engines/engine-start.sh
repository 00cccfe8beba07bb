#!/usr/bin/env bash
# engine-start.sh NAME VENV_DIR PORT STATE_DIR
#
# Starts an engine installed by engine-install.sh in the background, bound to 127.0.0.1:PORT, in a session
# (and so a process group) of its own. Writes STATE_DIR/NAME.pid (the PID, which is also the process group
# id), STATE_DIR/NAME.start (the process start time, so engine-stop.sh never signals a reused PID) and logs
# to STATE_DIR/NAME.log. Waits for the engine's health check (ENGINE_START_TIMEOUT seconds, default 60),
# then prints the endpoint URL as the only line on stdout. On failure: the log's tail, exit 1, nothing left
# running.
#   NAME = localstack | ministack | moto
# LocalStack's gateway: LOCALSTACK_GATEWAY_SERVER (default hypercorn, which binds only GATEWAY_LISTEN; the
# twisted default binds 0.0.0.0 whatever GATEWAY_LISTEN says).
set -euo pipefail

die() {
  echo "engine-start: $*" >&2
  exit 1
}

[ "$#" -eq 4 ] || die "usage: $0 localstack|ministack|moto VENV_DIR PORT STATE_DIR"
name=$1
venv=$2
port=$3
state=$4
timeout=${ENGINE_START_TIMEOUT:-60}
host=127.0.0.1
url="http://$host:$port"

case "$port" in '' | *[!0-9]*) die "PORT must be a number, got '$port'" ;; esac
if [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then die "PORT out of range: $port"; fi
[ -x "$venv/bin/python" ] || die "$venv/bin/python missing: run engine-install.sh $name $venv first"

mkdir -p "$state"
state=$(cd "$state" && pwd)
venv=$(cd "$venv" && pwd)
pidfile="$state/$name.pid"
startfile="$state/$name.start"
log="$state/$name.log"

proc_start_time() { # field 22 of /proc/PID/stat (after the "(comm)" field, which may hold spaces)
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  # shellcheck disable=SC2086 # split on purpose
  set -- $stat
  echo "${20}"
}

if [ -f "$pidfile" ]; then
  old=$(cat "$pidfile")
  if [ -n "$old" ] && kill -0 "$old" 2>/dev/null &&
    [ "$(proc_start_time "$old" || true)" = "$(cat "$startfile" 2>/dev/null || true)" ]; then
    die "$name already running as PID $old (see $pidfile); stop it with engine-stop.sh $name $state"
  fi
  rm -f "$pidfile" "$startfile"
fi

# Refuse a port something already listens on (the engine would fail, or we would health-check the wrong one).
if "$venv/bin/python" - "$host" "$port" <<'EOF'; then
import socket, sys
s = socket.socket()
s.settimeout(1)
sys.exit(0 if s.connect_ex((sys.argv[1], int(sys.argv[2]))) == 0 else 1)
EOF
  die "something already listens on $host:$port"
fi

case "$name" in
  localstack)
    ls_root="$state/localstack"
    mkdir -p "$ls_root/fs" "$ls_root/volume"
    # shellcheck disable=SC2054 # the comma is in the value SERVICES=sns,sqs
    cmd=(env
      SERVICES=sns,sqs
      GATEWAY_LISTEN="$host:$port"
      GATEWAY_SERVER="${LOCALSTACK_GATEWAY_SERVER:-hypercorn}"
      LOCALSTACK_HOST="$host:$port"
      EAGER_SERVICE_LOADING=1
      OVERRIDE_IN_DOCKER=0
      FILESYSTEM_ROOT="$ls_root/fs"
      LOCALSTACK_VOLUME_DIR="$ls_root/volume"
      DNS_ADDRESS=0
      DISABLE_EVENTS=1
      LOCALSTACK_TELEMETRY_DISABLED=1
      SQS_ENDPOINT_STRATEGY=path
      "$venv/bin/python" -m localstack.runtime.main)
    health_path=/_localstack/health
    ;;
  ministack)
    mkdir -p "$state/ministack-tmp"
    # shellcheck disable=SC2054 # the comma is in the value SERVICES=sns,sqs
    cmd=(env
      GATEWAY_PORT="$port"
      BIND_HOST="$host"
      SERVICES=sns,sqs
      TMPDIR="$state/ministack-tmp"
      "$venv/bin/ministack")
    health_path=/_ministack/health
    ;;
  moto)
    cmd=("$venv/bin/moto_server" -H "$host" -p "$port")
    health_path=/moto-api/
    ;;
  *) die "unknown engine '$name' (want localstack, ministack or moto)" ;;
esac

echo "engine-start: starting $name on $url (log $log)" >&2
{
  echo "=== engine-start $(date -u +%Y-%m-%dT%H:%M:%SZ): ${cmd[*]}"
} >>"$log"
# setsid: a session and process group of its own (a background child of a script is no group leader, so
# setsid does not fork and $! is the engine's PID and its group id).
setsid "${cmd[@]}" >>"$log" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$pidfile"
proc_start_time "$pid" >"$startfile" || true

fail() {
  echo "engine-start: $name: $*; last lines of $log:" >&2
  tail -n 40 "$log" >&2 || true
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 -- "-$pid" 2>/dev/null || break; sleep 1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$pidfile" "$startfile"
  exit 1
}

# Healthy: LocalStack/ministack list sns and sqs as running/available; moto answers its API page.
healthy() {
  "$venv/bin/python" - "$url$health_path" "$name" <<'EOF'
import json, sys, urllib.request
url, name = sys.argv[1], sys.argv[2]
try:
    with urllib.request.urlopen(url, timeout=2) as r:
        body = r.read()
        if r.status != 200:
            sys.exit(1)
except Exception:
    sys.exit(1)
if name == "moto":
    sys.exit(0)
try:
    services = json.loads(body).get("services", {})
except ValueError:
    sys.exit(1)
ok = all(services.get(s) in ("running", "available") for s in ("sns", "sqs"))
sys.exit(0 if ok else 1)
EOF
}

t0=$SECONDS
until healthy; do
  kill -0 "$pid" 2>/dev/null || fail "exited before it was healthy"
  [ $((SECONDS - t0)) -lt "$timeout" ] || fail "not healthy after ${timeout}s"
  sleep 0.5
done
echo "engine-start: $name healthy after $((SECONDS - t0)) s, PID $pid" >&2
echo "$url"
