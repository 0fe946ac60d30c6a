#!/usr/bin/env bash
# Called by scripts/setup: the browser of the browser tests (tests/browser), Debian's Chromium
# at /usr/bin/chromium (or $CHROMIUM). Playwright for Python (requirements/test.txt) drives it
# through executable_path; no browser build is downloaded (`playwright install` is not used).
# Fast when it is there: one test of a file.
set -euo pipefail
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ -x "$chromium" ]; then
  exit 0
fi
if [ -n "${CHROMIUM:-}" ]; then
  echo "error: \$CHROMIUM=$CHROMIUM is not an executable" >&2
  exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null || ! sudo -n true 2>/dev/null; then
    cat >&2 <<'MSG'
error: the browser tests need Chromium at /usr/bin/chromium. Install it with
  sudo apt-get install chromium
(or point $CHROMIUM at a Chromium or Chrome binary) and run again.
MSG
    exit 1
  fi
  sudo=(sudo -n)
fi
started=$(date +%s)
echo "Installing Debian's chromium for the browser tests (apt) ..." >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null
echo "Chromium ready: $("$chromium" --version 2>/dev/null) ($(( $(date +%s) - started )) s)" >&2
