#!/usr/bin/env bash
# Browser suite entry point: bash .ci/browser/run.sh <path-to-switchboard-binary>
# Installs what is missing (Debian chromium + chromium-driver, a venv with selenium and pytest;
# quick when already there), then runs every test in this folder in headless Chromium.
# Exits non-zero on any failure; a test never skips. Screenshots land in <repo>/screenshots/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin="${1:?usage: run.sh <path-to-switchboard-binary>}"
case "$bin" in /*) ;; *) bin="$repo/$bin" ;; esac
[ -x "$bin" ] || { echo "not an executable: $bin" >&2; exit 2; }

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

venv="${SWITCHBOARD_BROWSER_VENV:-$HOME/.cache/switchboard-browser-venv}"
if ! "$venv/bin/python" -c 'import selenium, pytest' >/dev/null 2>&1; then
  echo "== creating $venv (selenium, pytest)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check selenium pytest
fi

echo "== browser suite ($(chromium --version 2>/dev/null | head -1))"
cd "$here"
export SWITCHBOARD_BIN="$bin"
# The whole suite takes a few minutes; the timeout only stops a hung browser or server.
exec timeout 900 "$venv/bin/python" -m pytest -q -p no:cacheprovider --maxfail=10 -rfE "$here"
