#!/usr/bin/env bash
# The HTTP endpoint (server/, SPEC §13): its lints, its tests, and the
# official Python SDK as a client (scripts/sdk-test.sh makes its own venv
# with pinned versions, here while the server builds). Called from .ci/run;
# works from a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."
venv_log=$(mktemp)
bash scripts/sdk-test.sh --venv-only >"$venv_log" 2>&1 &
venv_pid=$!
trap 'kill "$venv_pid" 2>/dev/null || true; rm -f "$venv_log"' EXIT
cargo clippy -p aliyun-sg-egress-server --all-targets -- -D warnings
cargo test -p aliyun-sg-egress-server
if ! wait "$venv_pid"; then
  echo "making the SDK's venv failed:"; cat "$venv_log"; exit 1
fi
bash scripts/sdk-test.sh
