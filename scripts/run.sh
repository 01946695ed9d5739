#!/usr/bin/env bash
# Sets up and runs LifeStream's end-to-end demo on the embedded default (no account, no network):
# local S3/SQS on a moto server, a sample video with speech, the Lambda handler, FAISS, a local model.
# Then serves the web app over the demo's library (with a worker for what you upload) and prints its
# URL; Ctrl-C stops the server, the worker and the local cloud. `--no-serve`: the one-shot demo only.
# Other arguments go to `lifestream demo`; LIFESTREAM_WEB_PORT picks the web port (8000).
set -euo pipefail
cd "$(dirname "$0")/.."
SERVE=1
args=()
for a in "$@"; do
  if [[ $a == --no-serve ]]; then SERVE=0; else args+=("$a"); fi
done
bash scripts/setup.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
LS=${LIFESTREAM_BIN:-.venv/bin/lifestream}
if [[ $SERVE == 0 ]]; then
  exec "$LS" demo "${args[@]}"
fi

# Stop afterwards only what this script started: a local cloud already running is left running.
started_cloud=1
"$LS" local status >/dev/null 2>&1 && started_cloud=0
worker=""
cleanup() {
  [[ -n $worker ]] && { kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true; }
  if [[ $started_cloud == 1 ]]; then "$LS" local down >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
"$LS" demo --keep-running "${args[@]}"

port=${LIFESTREAM_WEB_PORT:-8000}
log_dir=${LIFESTREAM_DATA_DIR:-.lifestream}
mkdir -p "$log_dir"
"$LS" worker >"$log_dir/web-worker.log" 2>&1 &
worker=$!
printf '\n\033[1mThe web app: http://127.0.0.1:%s/\033[0m  (worker log: %s/web-worker.log; Ctrl-C stops)\n\n' \
  "$port" "$log_dir"
"$LS" serve --port "$port"
