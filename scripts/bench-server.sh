#!/usr/bin/env bash
# Throughput of sg-egress-server (issue 17's speed goals), not a CI step.
#
#   scripts/bench-server.sh                 # wrk -t2 -c32 -d10s --latency
#   DURATION=3s scripts/bench-server.sh     # shorter
#   SIZES="50 1000 10000" scripts/bench-server.sh   # --save cost vs state size
#
# Runs, one after another on this machine (server and wrk share the cores):
#  1. the server (release) answering a Modify GET (the same description
#     each time: validated, matched, nothing to save), its log on a file;
#  2. the floor: a bare hyper responder (server/examples/floor.rs);
#  3. moto's server mode (ThreadedMotoServer, own venv) answering
#     UpdateSecurityGroupRuleDescriptionsEgress;
#  4. --save: every request changes a description (wrk Lua), acknowledged
#     only once durable; for each state size in SIZES.
#  5. DescribeSecurityGroupAttribute of a 50-rule group against moto's
#     DescribeSecurityGroups of one group with 50 rules.
#
# moto and boto3 are pinned (MOTO_PINS) in their own venv.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
SIZES=${SIZES:-50 1000 10000}
WRK=(wrk -t2 -c32 -d"$DURATION" --latency)
target=${CARGO_TARGET_DIR:-target}
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 1; }

cargo build -q --release -p aliyun-sg-egress-server --bin sg-egress-server --example floor
server="$target/release/sg-egress-server"
floor="$target/release/examples/floor"

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# start NAME CMD... : runs CMD, waits for its "listening on http://H:P" line.
start() {
  local name=$1; shift
  "$@" >"$work/$name.out" 2>"$work/$name.err" &
  pids+=($!)
  for _ in $(seq 300); do
    grep -q '^listening on http://' "$work/$name.out" 2>/dev/null && break
    sleep 0.1
  done
  addr=$(sed -n 's#^listening on http://##p' "$work/$name.out" | head -1)
  [ -n "$addr" ] || { echo "$name did not start" >&2; cat "$work/$name.err" >&2; exit 1; }
}
stop_last() { kill "${pids[-1]}" 2>/dev/null || true; wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'; }

# A VPC group sg-bench000 with N egress rules: TCP 1000+k to 10.0.0.0/8.
state() {
  python3 - "$1" <<'PY'
import json, sys
n = int(sys.argv[1])
rules = [{"Direction": "egress", "IpProtocol": "TCP", "PortRange": f"{1000+k}/{1000+k}",
          "DestCidrIp": "10.0.0.0/8", "NicType": "intranet", "Policy": "Accept", "Priority": "1",
          "Description": f"d{k}", "SecurityGroupRuleId": f"sgr-b{k:08}",
          "CreateTime": "2024-01-01T00:00:00Z"} for k in range(n)]
print(json.dumps({"SecurityGroupId": "sg-bench000", "RegionId": "cn-hangzhou", "VpcId": "vpc-1",
                  "Permissions": {"Permission": rules}}, indent=2))
PY
}

rps() { awk '/^Requests\/sec/ {print $2}' "$1"; }
p99() { awk '$1 == "99%" {print $2}' "$1"; }
report() { printf '%-44s %12s req/s   p99 %s\n' "$1" "$(rps "$2")" "$(p99 "$2")"; }

modify="/?Action=ModifySecurityGroupEgressRule&RegionId=cn-hangzhou&SecurityGroupId=sg-bench000&IpProtocol=tcp&PortRange=1025/1025&DestCidrIp=10.0.0.0/8&NicType=intranet&Policy=accept&Priority=1&Description=bench%20rule"

echo "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); wrk ${WRK[*]:1}"
state 50 >"$work/state50.json"

start server "$server" --listen 127.0.0.1:0 --state "$work/state50.json"
curl -fsS "http://$addr$modify" >/dev/null
"${WRK[@]}" "http://$addr$modify" >"$work/wrk-server.txt"
stop_last

start floor "$floor"
"${WRK[@]}" "http://$addr/" >"$work/wrk-floor.txt"
stop_last

# moto
venv=${MOTO_VENV:-$target/moto-venv}
MOTO_PINS=("moto[server]==5.2.5" "boto3==1.44.8" "botocore==1.44.8")
if ! "$venv/bin/python" -c 'import importlib.metadata as m, sys; sys.exit(m.version("moto") != "5.2.5")' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "${MOTO_PINS[@]}"
fi
cat >"$work/bench_moto.py" <<'PY'
import sys, time
import boto3
from moto.server import ThreadedMotoServer
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
host, port = server.get_host_and_port()
ec2 = boto3.client("ec2", region_name="us-east-1", endpoint_url=f"http://{host}:{port}",
                   aws_access_key_id="testing", aws_secret_access_key="testing")
vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
group = ec2.create_security_group(GroupName="bench", Description="bench", VpcId=vpc)["GroupId"]
ec2.authorize_security_group_egress(GroupId=group, IpPermissions=[
    {"IpProtocol": "tcp", "FromPort": 1000 + k, "ToPort": 1000 + k,
     "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": f"d{k}"}]} for k in range(50)])
print(f"group {group}", flush=True)
print(f"listening on http://{host}:{port}", flush=True)
while True:
    time.sleep(3600)
PY
start moto "$venv/bin/python" "$work/bench_moto.py"
group=$(sed -n 's/^group //p' "$work/moto.out")
auth="Authorization: AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0"
moto_update="/?Action=UpdateSecurityGroupRuleDescriptionsEgress&Version=2016-11-15&GroupId=$group&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=1025&IpPermissions.1.ToPort=1025&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0%2F8&IpPermissions.1.IpRanges.1.Description=bench%20rule"
curl -fsS -H "$auth" "http://$addr$moto_update" | grep -q '<UpdateSecurityGroupRuleDescriptionsEgressResponse' \
  || { echo "moto did not accept the update" >&2; curl -sS -H "$auth" "http://$addr$moto_update" >&2; exit 1; }
"${WRK[@]}" -H "$auth" "http://$addr$moto_update" >"$work/wrk-moto.txt"
moto_describe="/?Action=DescribeSecurityGroups&Version=2016-11-15&GroupId.1=$group"
curl -fsS -H "$auth" "http://$addr$moto_describe" | grep -qi 'fromPort>1049<' \
  || { echo "moto's group does not have its 50 rules" >&2; exit 1; }
"${WRK[@]}" -H "$auth" "http://$addr$moto_describe" >"$work/wrk-moto-describe.txt"
stop_last

start server "$server" --listen 127.0.0.1:0 --state "$work/state50.json"
describe="/?Action=DescribeSecurityGroupAttribute&RegionId=cn-hangzhou&SecurityGroupId=sg-bench000&Format=json"
[ "$(curl -fsS "http://$addr$describe" | grep -o '"SecurityGroupRuleId"' | wc -l)" = 50 ] \
  || { echo "the server's Describe does not list 50 rules" >&2; exit 1; }
"${WRK[@]}" "http://$addr$describe" >"$work/wrk-describe.txt"
stop_last

# --save: each request sets a new description on one of the rules.
cat >"$work/change.lua" <<'LUA'
local counter = 0
local thread_id = 0
function setup(thread) thread_id = thread_id + 1; thread:set("tid", thread_id) end
request = function()
  counter = counter + 1
  local rule = counter % 50
  return wrk.format("GET", string.format(
    "/?Action=ModifySecurityGroupEgressRule&RegionId=cn-hangzhou&SecurityGroupId=sg-bench000&IpProtocol=tcp&PortRange=%d/%d&DestCidrIp=10.0.0.0/8&Description=t%s-%d",
    1000 + rule, 1000 + rule, tid, counter))
end
LUA
for n in $SIZES; do
  state "$n" >"$work/save$n.json"
  start "save$n" "$server" --listen 127.0.0.1:0 --state "$work/save$n.json" --save
  "${WRK[@]}" -s "$work/change.lua" "http://$addr/" >"$work/wrk-save$n.txt"
  stop_last
  bytes=$(stat -c %s "$work/save$n.json")
  errors=$(grep -c 'status=[^2]' "$work/save$n.err" || true)
  report "--save, $n rules ($bytes bytes), changes" "$work/wrk-save$n.txt"
  [ "$errors" = 0 ] || echo "   ($errors non-200 answers)"
done

echo
report "server: Modify GET" "$work/wrk-server.txt"
report "floor: bare hyper, constant body" "$work/wrk-floor.txt"
report "moto: UpdateSecurityGroupRuleDescriptionsEgress" "$work/wrk-moto.txt"
report "server: Describe, 50 rules" "$work/wrk-describe.txt"
report "moto: DescribeSecurityGroups, 50 rules" "$work/wrk-moto-describe.txt"
s=$(rps "$work/wrk-server.txt"); f=$(rps "$work/wrk-floor.txt"); m=$(rps "$work/wrk-moto.txt")
awk -v s="$s" -v f="$f" -v m="$m" 'BEGIN { printf "server / floor = %.0f%%   server / moto = %.0fx\n", 100*s/f, s/m }'
d=$(rps "$work/wrk-describe.txt"); md=$(rps "$work/wrk-moto-describe.txt")
awk -v d="$d" -v m="$md" 'BEGIN { printf "describe: server / moto = %.0fx\n", d/m }'
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
for f in "$work"/wrk-*.txt; do
  if grep -q 'Non-2xx\|Socket errors' "$f"; then echo "$(basename "$f"): $(grep 'Non-2xx\|Socket errors' "$f" | tr '\n' ' ')"; fi
done
