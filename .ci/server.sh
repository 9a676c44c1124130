#!/usr/bin/env bash
# The HTTP endpoint (server/, SPEC §13): its own tests, lints, and the
# official SDK as a client. Called from .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo clippy -p aliyun-sg-egress-server --all-targets -- -D warnings
cargo test -p aliyun-sg-egress-server
bash scripts/sdk-test.sh
