#!/usr/bin/env bash
# Runs the README's example commands on the embedded demo state and checks
# what they print, byte for byte, and their exit status: the page's Modify
# example, then a lifecycle session read from standard input (authorize,
# describe, modify by the new rule's id, revoke).
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

# The lifecycle session: its request lines must be the README's.
session='Action=AuthorizeSecurityGroupEgress&RegionId=cn-hangzhou&SecurityGroupId=sg-1651FBB64&IpProtocol=tcp&PortRange=6379/6379&DestCidrIp=10.0.0.0/8&Description=redis
Action=DescribeSecurityGroupAttribute&RegionId=cn-hangzhou&SecurityGroupId=sg-1651FBB64&Direction=egress
Action=ModifySecurityGroupEgressRule&RegionId=cn-hangzhou&SecurityGroupId=sg-1651FBB64&SecurityGroupRuleId=sgr-ec5e0000000000010001&Priority=3&Description=cache
Action=RevokeSecurityGroupEgress&RegionId=cn-hangzhou&SecurityGroupId=sg-1651FBB64&SecurityGroupRuleId.1=sgr-ec5e0000000000010001'
while IFS= read -r line; do
  grep -qxF "$line" README.md || { echo "README.md no longer shows the session line: $line" >&2; exit 1; }
done <<<"$session"

status=0
cargo run -q --features serde --example egress -- --format json --now 2026-12-02T08:00:00Z -v <<<"$session" >"$out" 2>"$err" || status=$?

# Describe shows each rule as the state holds it (SPEC §12.6): the demo's
# with their own fields, the added one with the group's first egress
# rule's fields in its order, then those it lacks.
describe='{"RequestId":"EC5E0000-0000-0000-0000-000000000002","RegionId":"cn-hangzhou","SecurityGroupId":"sg-1651FBB64","SecurityGroupName":"db","VpcId":"vpc-bp1opxu1zkhn00gzv","Permissions":{"Permission":[{"Direction":"egress","IpProtocol":"TCP","PortRange":"3306/3306","DestGroupId":"sg-F876FF7BA","NicType":"intranet","Policy":"Accept","Priority":1,"Description":"replies to the web tier","SecurityGroupRuleId":"sgr-bp1egress00011"},{"Direction":"egress","IpProtocol":"TCP","PortRange":"1/65535","DestCidrIp":"192.168.0.0/16","NicType":"intranet","Policy":"Drop","Priority":2,"Description":"","SecurityGroupRuleId":"sgr-bp1egress00012"},{"Direction":"egress","IpProtocol":"TCP","PortRange":"6379/6379","DestGroupId":"","NicType":"intranet","Policy":"Accept","Priority":1,"Description":"redis","SecurityGroupRuleId":"sgr-ec5e0000000000010001","DestCidrIp":"10.0.0.0/8","CreateTime":"2026-12-02T08:00:00Z"}]},"NextToken":""}'
expected_out='{"RequestId":"EC5E0000-0000-0000-0000-000000000001"}
'"$describe"'
{"RequestId":"EC5E0000-0000-0000-0000-000000000003"}
{"RequestId":"EC5E0000-0000-0000-0000-000000000004"}'
expected_err='200 OK sg-1651FBB64: added rule 2 (sgr-ec5e0000000000010001)
200 OK sg-1651FBB64: 3 rules shown, the last page
200 OK sg-1651FBB64 rule 2 (sgr-ec5e0000000000010001): changed
200 OK sg-1651FBB64: removed 1 rule (sgr-ec5e0000000000010001)'
[ "$status" -eq 0 ] || { echo "the session exited $status, expected 0" >&2; fail=1; }
[ "$(cat "$out")" = "$expected_out" ] || { echo "session stdout was:"; cat "$out"; echo "expected:"; echo "$expected_out"; fail=1; } >&2
[ "$(cat "$err")" = "$expected_err" ] || { echo "session stderr was:"; cat "$err"; echo "expected:"; echo "$expected_err"; fail=1; } >&2
[ "$fail" -eq 0 ] || { echo "lifecycle session check FAILED" >&2; exit 1; }
echo "lifecycle session OK: authorize, describe, modify by id, revoke"
