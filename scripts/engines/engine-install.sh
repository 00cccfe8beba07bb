#!/usr/bin/env bash
# engine-install.sh NAME VENV_DIR
#
# Creates VENV_DIR and installs a pinned SNS/SQS engine into it, without Docker.
#   NAME = localstack   localstack-core 2026.3.0 (host mode), Python 3.13 (pyenv)
#          ministack    ministack 1.5.33, Python 3.11 (else 3.12, 3.13)
#          moto         moto[server] 5.2.5, Python 3.11 (else 3.12, 3.13); also the client venv for
#                       probe.py / throughput.py (it brings boto3 and cryptography)
# Idempotent: when VENV_DIR already holds that engine at the pinned version (stamp file + installed
# version both checked) it does nothing. A VENV_DIR that holds something else is rebuilt, but only if it
# is a venv (has pyvenv.cfg) or empty; anything else is an error.
# Override the interpreter with ENGINE_PYTHON=/path/to/python.
set -euo pipefail

die() {
  echo "engine-install: $*" >&2
  exit 1
}

[ "$#" -eq 2 ] || die "usage: $0 localstack|ministack|moto VENV_DIR"
name=$1
venv=$2

case "$name" in
  localstack)
    pythons=(3.13)
    dist=localstack-core
    version=2026.3.0
    # cbor2 6 / pyopenssl 26 / cryptography 47 broke the 2026.3.0 runtime when measured; keep these caps.
    specs=("localstack-core[runtime]==$version" 'cbor2<6' 'pyopenssl<26' 'cryptography>=45.0.7,<47' service-identity)
    ;;
  ministack)
    pythons=(3.11 3.12 3.13)
    dist=ministack
    version=1.5.33
    specs=("ministack==$version")
    ;;
  moto)
    pythons=(3.11 3.12 3.13)
    dist=moto
    version=5.2.5
    specs=("moto[server]==$version")
    ;;
  *) die "unknown engine '$name' (want localstack, ministack or moto)" ;;
esac

stamp_text="$name ${specs[*]}"
stamp="$venv/.engine-stamp"

# Prints an interpreter for major.minor $1: pyenv's newest install of it, else pythonX.Y on PATH.
find_python() {
  local want=$1 prefix candidate
  if command -v pyenv >/dev/null 2>&1; then
    # `pyenv prefix 3.13` resolves to the newest installed 3.13.x on pyenv >= 2.3; try the list too.
    if prefix=$(pyenv prefix "$want" 2>/dev/null) && [ -x "$prefix/bin/python$want" ]; then
      echo "$prefix/bin/python$want"
      return 0
    fi
    candidate=$(pyenv versions --bare 2>/dev/null | grep -E "^${want//./\\.}\.[0-9]+$" | sort -V | tail -n 1 || true)
    if [ -n "$candidate" ] && prefix=$(pyenv prefix "$candidate" 2>/dev/null) && [ -x "$prefix/bin/python$want" ]; then
      echo "$prefix/bin/python$want"
      return 0
    fi
  fi
  if candidate=$(command -v "python$want" 2>/dev/null) && "$candidate" -c 'import venv' >/dev/null 2>&1; then
    echo "$candidate"
    return 0
  fi
  return 1
}

installed_version() {
  "$venv/bin/python" -c "import importlib.metadata as m, sys; print(m.version(sys.argv[1]))" "$dist" 2>/dev/null
}

python_ok() {
  local got
  got=$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || return 1
  local p
  for p in "${pythons[@]}"; do [ "$got" = "$p" ] && return 0; done
  return 1
}

if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$stamp_text" ] &&
  python_ok && [ "$(installed_version || true)" = "$version" ]; then
  echo "engine-install: $name $version already in $venv (python $("$venv/bin/python" -V 2>&1)); nothing to do"
  exit 0
fi

if [ -n "${ENGINE_PYTHON:-}" ]; then
  python=$ENGINE_PYTHON
  [ -x "$python" ] || die "ENGINE_PYTHON=$python is not executable"
else
  python=
  for p in "${pythons[@]}"; do
    if python=$(find_python "$p"); then break; fi
    python=
  done
  [ -n "$python" ] || die "no Python ${pythons[*]} found for $name (pyenv install ${pythons[0]}, or set ENGINE_PYTHON)"
fi

if [ -e "$venv" ]; then
  if [ -f "$venv/pyvenv.cfg" ] || [ -z "$(ls -A "$venv")" ]; then
    echo "engine-install: $venv holds another install; rebuilding it"
    rm -rf -- "$venv"
  else
    die "$venv exists and is not a venv; refusing to touch it"
  fi
fi

echo "engine-install: $name $version into $venv with $python ($("$python" -V 2>&1))"
start=$SECONDS
"$python" -m venv "$venv" || die "venv creation failed"
"$venv/bin/python" -m pip install --quiet --upgrade pip || die "pip upgrade failed"
"$venv/bin/python" -m pip install --quiet "${specs[@]}" || die "pip install ${specs[*]} failed"

got=$(installed_version) || die "$dist is not importable from $venv after install"
[ "$got" = "$version" ] || die "$dist $got installed, wanted $version"

# Does the engine's entry point at least import?
case "$name" in
  localstack) "$venv/bin/python" -c 'import localstack.runtime.main' || die "localstack.runtime.main does not import" ;;
  ministack) [ -x "$venv/bin/ministack" ] || die "no ministack console script in $venv/bin" ;;
  moto) [ -x "$venv/bin/moto_server" ] || die "no moto_server console script in $venv/bin" ;;
esac
"$venv/bin/python" -m pip check >&2 || echo "engine-install: warning: pip check reports conflicts (above)" >&2

printf '%s\n' "$stamp_text" >"$stamp"
echo "engine-install: $name $version installed in $((SECONDS - start)) s"
