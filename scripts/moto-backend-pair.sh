#!/usr/bin/env bash
# Issue 16's peer comparison: moto's EC2 backend authorize+revoke pair in a
# 50-rule group against the crate's pair (criterion bench
# `lifecycle/authorize_revoke_pair/vec_store/50`), in one run.
# Makes its own venv (first run: pip install "moto[ec2]").
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${MOTO_VENV:-target/moto-venv}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "moto[ec2]==5.1.22"
fi
"$venv/bin/python" scripts/moto-backend-pair.py "${1:-7}" "${2:-2000}"
cargo bench --bench lifecycle -- --warm-up-time 1 --measurement-time 3 'authorize_revoke_pair' 2>&1 \
  | grep -E '^[a-z_/0-9]+ +time:|^lifecycle|time:' || true
