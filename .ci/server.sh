#!/usr/bin/env bash
# The HTTP endpoint (server/, SPEC §13): its lints, its tests, and the
# official Python SDK as a client (scripts/sdk-test.sh makes its own venv
# with pinned versions). Called from .ci/run; works from a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo clippy -p aliyun-sg-egress-server --all-targets -- -D warnings
cargo test -p aliyun-sg-egress-server
bash scripts/sdk-test.sh
