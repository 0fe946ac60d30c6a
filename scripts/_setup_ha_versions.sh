#!/usr/bin/env bash
# Called by scripts/setup: one environment per file in requirements/ha-versions/, for the e2e
# and browser tests on other Home Assistant versions than the unit tests' (scripts/test runs
# tests/e2e and tests/browser once more per environment, with HASS_PYTHON pointing at it).
#   requirements/ha-versions/<version>.txt  ->  .venv-ha-<version>/
# Only the `hass` child process runs there (pytest stays on .venv), so each environment holds
# Home Assistant and the packages of the integrations a `hass` process sets up, as pinned by
# that version (scripts/_dev/requirements.py --pins), with Home Assistant's own
# package_constraints.txt as constraints. uv (which Home Assistant installs into .venv)
# downloads in parallel and links from its cache. --compile-bytecode: Python would otherwise
# compile Home Assistant at every `hass` start where PYTHONDONTWRITEBYTECODE is set (it is on
# this machine), some 25 s a start on 2 cores.
# Idempotent: an environment whose file and this script are unchanged (hash stamp) is left
# alone; environments of versions no longer listed are removed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=scripts/_python.sh
. scripts/_python.sh

uv=.venv/bin/uv
wanted=()
for file in requirements/ha-versions/*.txt; do
  [ -e "$file" ] || continue
  version=$(basename "$file" .txt)
  venv=.venv-ha-$version
  wanted+=("$venv")
  stamp=$venv/.requirements.sha256
  want=$(cat "$file" "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1)
  if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    continue
  fi
  started=$(date +%s)
  echo "Installing Home Assistant $version into $venv (e2e and browser tests) ..." >&2
  rm -rf "$venv"
  "$(find_python "$root")" -m venv --without-pip "$venv"
  "$uv" pip install --quiet --compile-bytecode --python "$venv/bin/python" "homeassistant==$version"
  constraints=$("$venv/bin/python" -c \
    'import homeassistant, pathlib; print(pathlib.Path(homeassistant.__file__).with_name("package_constraints.txt"))')
  "$uv" pip install --quiet --compile-bytecode --python "$venv/bin/python" -r "$file" -c "$constraints"
  echo "$want" > "$stamp"
  echo "Home Assistant $version ready in $venv ($(( $(date +%s) - started )) s)" >&2
done
for venv in .venv-ha-*/; do
  venv=${venv%/}
  [ -d "$venv" ] || continue
  if [[ ! " ${wanted[*]} " == *" $venv "* ]]; then
    echo "Removing $venv (its version is no longer in requirements/ha-versions/)" >&2
    rm -rf "$venv"
  fi
done
