#!/usr/bin/env bash
# Python tools for CI and the scripts, pinned: `scripts/pyenv.sh NAME` makes (or reuses) the venv
# ~/.cache/halocline-venvs/NAME with exactly the packages of scripts/requirements/NAME.txt (a full
# `pip freeze`, transitive packages included, so a new release on PyPI never changes what CI runs) and
# prints its path. The venv is rebuilt when the requirements file or the Python version changes (a stamp
# file holds their digest). On failure it prints why on stderr and exits 1; callers decide whether to skip
# (visibly) or fail. `scripts/pyenv.sh --freeze NAME` rewrites the requirements file from the venv.
set -euo pipefail
cd "$(dirname "$0")/.."
root=${HALOCLINE_VENV_DIR:-${HOME}/.cache/halocline-venvs}
if [ "${1:-}" = "--freeze" ]; then
  name=$2
  { echo "# pip freeze of the $name venv (scripts/pyenv.sh installs exactly these); regenerate with scripts/pyenv.sh --freeze $name"
    "$root/$name/bin/pip" freeze; } >"scripts/requirements/$name.txt"
  exit 0
fi
name=${1:?usage: scripts/pyenv.sh NAME | --freeze NAME}
req="scripts/requirements/$name.txt"
[ -f "$req" ] || { echo "pyenv: no $req" >&2; exit 1; }
venv="$root/$name"
stamp=$( { cat "$req"; python3 --version; } | sha256sum | cut -d' ' -f1)
if [ ! -f "$venv/.halocline-stamp" ] || [ "$(cat "$venv/.halocline-stamp")" != "$stamp" ]; then
  python3 -m venv --help >/dev/null 2>&1 || { echo "pyenv: python3 has no venv module (apt-get install python3-venv)" >&2; exit 1; }
  rm -rf "$venv"
  mkdir -p "$root"
  python3 -m venv "$venv" >&2
  if ! "$venv/bin/pip" install -q --disable-pip-version-check --no-deps -r "$req" >&2; then
    echo "pyenv: pip could not install $req" >&2
    rm -rf "$venv"
    exit 1
  fi
  echo "$stamp" >"$venv/.halocline-stamp"
fi
echo "$venv"
