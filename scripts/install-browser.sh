#!/usr/bin/env bash
# Debian's Chromium for the browser tests and the web benchmark, installed when missing
# (Playwright drives it through playwright-core; nothing downloads a browser of its own).
# CHROMIUM_PATH points at another Chromium instead.
set -euo pipefail
if [ -n "${CHROMIUM_PATH:-}" ]; then
  [ -x "$CHROMIUM_PATH" ] && exit 0
  echo "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable" >&2
  exit 1
fi
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "chromium is missing: install Debian's chromium package (apt-get install -y chromium)" >&2
    exit 1
  fi
  SUDO=sudo
fi
echo "installing Debian's chromium (for the browser tests)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium >/dev/null
