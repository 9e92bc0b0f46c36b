#!/usr/bin/env bash
# Sets up everything the test suite needs on a fresh machine with Python 3.11+:
# the virtual environment with the package and its test extras, Debian's
# Chromium for the browser tests, and axe-core (npm) for the accessibility audit.
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -e '.[test]'

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then apt_get="apt-get"; else apt_get="sudo apt-get"; fi
  echo "installing Debian's chromium for the browser tests" >&2
  $apt_get update -qq
  DEBIAN_FRONTEND=noninteractive $apt_get install -y -qq chromium >/dev/null
fi

if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
  echo "installing axe-core for the accessibility audit" >&2
  npm install --prefix tests/browser --no-audit --no-fund --silent
fi
