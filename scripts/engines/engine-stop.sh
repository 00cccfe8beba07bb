#!/usr/bin/env bash
# engine-stop.sh NAME STATE_DIR
#
# Stops the engine engine-start.sh started: SIGTERM to its process group (its PID is the group id, see
# engine-start.sh), waits up to ENGINE_STOP_GRACE seconds (default 10), then SIGKILL to the group.
# Idempotent: no PID file, or a PID that is gone or now belongs to another process (start time differs
# from STATE_DIR/NAME.start), means nothing to stop and exit 0.
set -euo pipefail

die() {
  echo "engine-stop: $*" >&2
  exit 1
}

[ "$#" -eq 2 ] || die "usage: $0 localstack|ministack|moto STATE_DIR"
name=$1
state=$2
grace=${ENGINE_STOP_GRACE:-10}
pidfile="$state/$name.pid"
startfile="$state/$name.start"

if [ ! -f "$pidfile" ]; then
  echo "engine-stop: $name: no PID file ($pidfile); nothing to stop" >&2
  exit 0
fi
pid=$(cat "$pidfile")
case "$pid" in '' | *[!0-9]*) die "bad PID file $pidfile: '$pid'" ;; esac

proc_start_time() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  # shellcheck disable=SC2086 # split on purpose
  set -- $stat
  echo "${20}"
}

alive() { kill -0 -- "-$pid" 2>/dev/null || kill -0 "$pid" 2>/dev/null; }

if kill -0 "$pid" 2>/dev/null && [ -f "$startfile" ] &&
  [ "$(proc_start_time "$pid" || true)" != "$(cat "$startfile")" ]; then
  echo "engine-stop: $name: PID $pid now belongs to another process; stale PID file removed" >&2
  rm -f "$pidfile" "$startfile"
  exit 0
fi

# Signal the group when PID leads one (engine-start.sh's setsid), else the PID alone.
if [ "$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')" = "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
  target=("--" "-$pid")
else
  target=("$pid")
fi

if ! alive; then
  echo "engine-stop: $name: PID $pid is not running" >&2
  rm -f "$pidfile" "$startfile"
  exit 0
fi

kill -TERM "${target[@]}" 2>/dev/null || true
deadline=$((SECONDS + grace))
while alive && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
if alive; then
  echo "engine-stop: $name: still running ${grace}s after SIGTERM; sending SIGKILL" >&2
  kill -KILL "${target[@]}" 2>/dev/null || true
  for _ in 1 2 3 4 5 6 7 8 9 10; do alive || break; sleep 0.2; done
  alive && die "$name (PID/group $pid) survived SIGKILL"
  echo "engine-stop: $name stopped (SIGKILL)" >&2
else
  echo "engine-stop: $name stopped (SIGTERM)" >&2
fi
rm -f "$pidfile" "$startfile"
