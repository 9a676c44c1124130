#!/usr/bin/env bash
# Runs the README's example command on the embedded demo state and checks
# what it prints, byte for byte, and its exit status.
set -euo pipefail
cd "$(dirname "$0")/.."

# Keep this line identical to the one in README.md ("Run it on the demo state").
request='https://ecs.aliyuncs.com/?Action=ModifySecurityGroupEgressRule&RegionId=cn-hangzhou&SecurityGroupId=sg-F876FF7BA&IpProtocol=tcp&PortRange=80/80&NicType=intranet&Policy=accept&DestGroupId=sg-1651FBB64&Description=web%20to%20db'
grep -qF "$request" README.md || { echo "README.md no longer shows the request this script runs" >&2; exit 1; }

out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
status=0
cargo run -q --features serde --example egress -- --format json -v "$request" >"$out" 2>"$err" || status=$?

expected_out='{"RequestId":"EC5E0000-0000-0000-0000-000000000001"}'
expected_err='200 OK sg-F876FF7BA rule 1: description set'
fail=0
[ "$status" -eq 0 ] || { echo "example exited $status, expected 0" >&2; fail=1; }
[ "$(cat "$out")" = "$expected_out" ] || { echo "stdout was:"; cat "$out"; echo "expected: $expected_out"; fail=1; } >&2
[ "$(cat "$err")" = "$expected_err" ] || { echo "stderr was:"; cat "$err"; echo "expected: $expected_err"; fail=1; } >&2
[ "$fail" -eq 0 ] || { echo "example check FAILED" >&2; exit 1; }
echo "example OK: $expected_out"
