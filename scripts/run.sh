#!/usr/bin/env bash
# Sets up and runs LifeStream's end-to-end demo on the embedded default (no account, no network):
# local S3/SQS on a moto server, a sample video with speech, the Lambda handler, FAISS, a local model.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
exec .venv/bin/lifestream demo "$@"
