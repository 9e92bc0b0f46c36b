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

# --- PostgreSQL for the history store's tests (issue 7) -------------------------
# Debian's postgresql server, a running cluster, and a role and database the
# tests connect to (DQA_TEST_POSTGRES_URL, default postgresql://dqa:dqa@localhost:5432/dqa_test).
if [ "$(id -u)" = 0 ]; then as_root=""; as_postgres="runuser -u postgres --"; else as_root="sudo"; as_postgres="sudo -u postgres"; fi
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  echo "installing Debian's postgresql for the history store's tests" >&2
  $as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq postgresql >/dev/null
fi
pg_version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
if ! pg_lsclusters -h | awk -v v="$pg_version" '$1 == v && $2 == "main"' | grep -q .; then
  $as_root pg_createcluster "$pg_version" main >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$pg_version" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
  echo "starting PostgreSQL $pg_version" >&2
  $as_root pg_ctlcluster "$pg_version" main start
fi
if [ "$($as_postgres psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'dqa'")" != 1 ]; then
  $as_postgres psql -q -c "CREATE ROLE dqa LOGIN PASSWORD 'dqa'"
fi
if [ "$($as_postgres psql -tAc "SELECT 1 FROM pg_database WHERE datname = 'dqa_test'")" != 1 ]; then
  $as_postgres psql -q -c "CREATE DATABASE dqa_test OWNER dqa"
fi
