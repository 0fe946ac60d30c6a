# shellcheck shell=bash
# Sourced by the project's scripts: finds a Python >= 3.14.2 and prints its path.
# Order: $PYTHON, python3.14 on PATH, ../shared/toolchain/install-python.sh, else a clear error.

_vm_python_ok() {
  [ -n "$1" ] && "$1" -c 'import sys, ssl, sqlite3, venv; sys.exit(0 if sys.version_info >= (3, 14, 2) else 1)' >/dev/null 2>&1
}

find_python() {
  local root=$1 candidate installer prefix
  if [ -n "${PYTHON:-}" ]; then
    if _vm_python_ok "$PYTHON"; then echo "$PYTHON"; return 0; fi
    echo "error: \$PYTHON=$PYTHON is not a working Python >= 3.14.2" >&2
    return 1
  fi
  candidate=$(command -v python3.14 || true)
  if _vm_python_ok "$candidate"; then echo "$candidate"; return 0; fi
  installer="$root/../shared/toolchain/install-python.sh"
  if [ -f "$installer" ]; then
    prefix="${XDG_CACHE_HOME:-$HOME/.cache}/icws-voicemail/python3.14"
    echo "Installing Python 3.14 into $prefix ..." >&2
    candidate=$(bash "$installer" "$prefix" | tail -n 1)
    if _vm_python_ok "$candidate"; then echo "$candidate"; return 0; fi
  fi
  cat >&2 <<'MSG'
error: Home Assistant 2026.x needs Python >= 3.14.2, and none was found.
Install CPython 3.14 (for example from python.org or your distribution) and either put
python3.14 on PATH or run again with PYTHON=/path/to/python3.14.
MSG
  return 1
}
