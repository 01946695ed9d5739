#!/usr/bin/env bash
# Re-resolves every lock from its input and runs the whole suite on the result, so that an upgrade is one
# deliberate, tested commit:
#
#   scripts/upgrade-locks.sh                  # newest releases the .in files allow, then scripts/test.sh
#   scripts/upgrade-locks.sh -P fastapi       # only these packages move (uv's --upgrade-package), then tests
#   scripts/upgrade-locks.sh --keep           # no upgrade: re-lock after editing a .in file, then tests
#   scripts/upgrade-locks.sh --no-test ...    # the locks only
#
# Inputs (edited by hand) and locks (generated, hashed; never edited by hand):
#   requirements.in         -> requirements.txt          the local install and the CDK app
#   requirements-dev.in     -> requirements-dev.txt      + the test tools (constrained to requirements.txt)
#   requirements-lambda.in  -> requirements-lambda.txt   the worker's Lambda asset (constrained likewise)
#   requirements-api.in     -> requirements-api.txt      the API's Lambda asset (constrained likewise)
#   requirements-checkov.in -> requirements-checkov.txt  checkov's own venv (its pins clash with ours)
#
# The local locks are for CPython 3.11 on x86_64 Linux (glibc 2.36, Debian 12): they pin the CPU build of
# torch by the sha256 of its cp311 wheel, which pip finds on this machine kind in /opt/wheels
# (TORCH_FIND_LINKS names another directory that holds it). The Lambda locks are resolved for the runtime
# (CPython 3.13 on Amazon Linux 2023: x86_64, glibc 2.34, wheels only; stacks/bundling.py installs them with
# --no-deps) and must come out the same for this machine's Python, whose twin of the asset the tests import.
# Each pin carries the hash of every file of its release. They are constrained to requirements.txt, so the
# Lambda runs the versions the suite ran.
set -euo pipefail
cd "$(dirname "$0")/.."

TEST=1
upgrade=(--upgrade)
while (($#)); do
  case "$1" in
    --no-test) TEST=0 ;;
    --keep) upgrade=() ;;
    -P | --upgrade-package)
      [[ ${upgrade[0]:-} == --upgrade ]] && upgrade=()
      upgrade+=(--upgrade-package "$2")
      shift
      ;;
    *) echo "usage: scripts/upgrade-locks.sh [--no-test] [--keep | -P PACKAGE ...]" >&2; exit 2 ;;
  esac
  shift
done

UV=${UV:-.venv/bin/uv}
[[ -x $UV ]] || UV=$(command -v uv || true)
[[ -n $UV ]] || { echo "uv is needed: run scripts/setup.sh --dev (it installs uv from requirements-dev.txt)" >&2; exit 1; }
TORCH_FIND_LINKS=${TORCH_FIND_LINKS:-/opt/wheels}
ls "$TORCH_FIND_LINKS"/torch-2.13.0+cpu-cp311-*.whl >/dev/null 2>&1 || {
  echo "the CPU wheel torch-2.13.0+cpu (cp311) is not in $TORCH_FIND_LINKS: set TORCH_FIND_LINKS to a" \
    "directory that holds it (the CUDA build of the same number on PyPI must not be locked)" >&2
  exit 1
}

compile() {
  "$UV" pip compile --quiet --generate-hashes --custom-compile-command "scripts/upgrade-locks.sh" "$@"
}
local_target=(--python-version 3.11 --python-platform x86_64-manylinux_2_36 --find-links "$TORCH_FIND_LINKS")
# tests/infra/test_locks.py holds these to stacks.bundling's runtime (LAMBDA_RUNTIME, RUNTIME_GLIBC).
lambda_target=(--python-platform x86_64-manylinux_2_34 --python-version 3.13 --only-binary :all:)
twin_target=(--python-platform x86_64-manylinux_2_34 --python-version 3.11 --only-binary :all:)

compile requirements.in -o requirements.txt "${local_target[@]}" ${upgrade[@]+"${upgrade[@]}"}
compile requirements-dev.in -c requirements.txt -o requirements-dev.txt "${local_target[@]}" \
  ${upgrade[@]+"${upgrade[@]}"}
compile requirements-lambda.in -c requirements.txt -o requirements-lambda.txt "${lambda_target[@]}" \
  ${upgrade[@]+"${upgrade[@]}"}
compile requirements-api.in -c requirements.txt -o requirements-api.txt "${lambda_target[@]}" \
  ${upgrade[@]+"${upgrade[@]}"}
# The twin check: the same lock for this machine's Python, or the tests would not import what Lambda runs.
for asset in lambda api; do
  twin=$(mktemp)
  compile "requirements-$asset.in" -c requirements.txt -o "$twin" "${twin_target[@]}" --no-header --no-annotate
  if ! diff <(grep -E '^[^ #]' "$twin") <(grep -E '^[^ #]' "requirements-$asset.txt") >/dev/null; then
    echo "requirements-$asset.txt resolves differently for Python 3.11 (the twin the tests import):" >&2
    diff <(grep -E '^[^ #]' "$twin") <(grep -E '^[^ #]' "requirements-$asset.txt") >&2 || true
    rm -f "$twin"
    exit 1
  fi
  rm -f "$twin"
done
compile requirements-checkov.in -o requirements-checkov.txt --python-version 3.11 \
  --python-platform x86_64-manylinux_2_36 ${upgrade[@]+"${upgrade[@]}"}

git --no-pager diff --stat -- 'requirements*.txt' || true
if [[ $TEST == 1 ]]; then
  # setup.sh (called by test.sh) installs from the new locks with --require-hashes; then the whole suite.
  bash scripts/test.sh
fi
