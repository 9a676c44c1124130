#!/bin/sh
# Marginal cost of one request through examples/egress, end to end (read a
# line, parse, match, apply, write the body), in instructions counted by
# callgrind: (Ir(SMALL + N requests) - Ir(SMALL requests)) / N.
#
#   scripts/egress-callgrind.sh [N] [SMALL]      (defaults: 40000 1000)
#   scripts/egress-callgrind.sh --requests N     (just print N requests)
#
# The requests are a fixed mix against the demo state (examples/
# demo_state.json): successes that change a description, that change
# nothing, to a group destination, on IPv6 and in a classic group;
# SecurityGroupRule.NotFound (near-miss scan); validation errors; an
# unknown group. Needs valgrind.
set -eu

requests() {
    awk -v n="$1" 'BEGIN {
        g = "RegionId=cn-hangzhou&SecurityGroupId=sg-F876FF7BA"
        for (i = 0; i < n; i++) {
            k = i % 10
            if (k == 0) print g "&IpProtocol=tcp&PortRange=443/443&DestCidrIp=0.0.0.0/0&Description=out%20" i
            else if (k == 1) print g "&IpProtocol=UDP&PortRange=53/53&DestCidrIp=100.100.2.136"
            else if (k == 2) print g "&IpProtocol=tcp&PortRange=80/80&DestGroupId=sg-1651FBB64&DestGroupOwnerAccount=test@aliyun.com&Policy=accept&Description=Thisisanewsecuritygrouprule."
            else if (k == 3) print g "&IpProtocol=tcp&PortRange=443/443&Ipv6DestCidrIp=::/0&Priority=10&Description=v6"
            else if (k == 4) print "RegionId=cn-hangzhou&SecurityGroupId=sg-classic0001&IpProtocol=tcp&PortRange=8080/8080&DestCidrIp=10.0.0.0/8&NicType=intranet&Description=app"
            else if (k == 5) print g "&IpProtocol=tcp&PortRange=" (i % 60000 + 1000) "/" (i % 60000 + 1000) "&DestCidrIp=0.0.0.0/0"
            else if (k == 6) print g "&IpProtocol=tcp&PortRange=22/22&DestCidrIp=10.159.6.18/12&Priority=1&Description=x"
            else if (k == 7) print g "&IpProtocol=tcp&PortRange=80/80&DestCidrIp=0.0.0.0/0&Policy=allow"
            else if (k == 8) print g "&IpProtocol=tcp&PortRange=80/70&DestCidrIp=0.0.0.0/0"
            else print "RegionId=cn-hangzhou&SecurityGroupId=sg-missing&IpProtocol=all&PortRange=-1/-1&DestCidrIp=0.0.0.0/0"
        }
    }'
}

if [ "${1:-}" = "--requests" ]; then
    requests "${2:-40000}"
    exit 0
fi

N=${1:-40000}
SMALL=${2:-1000}
cd "$(dirname "$0")/.."
cargo build --quiet --release --features serde --example egress
BIN=target/release/examples/egress
STATE=examples/demo_state.json
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

instructions() {
    requests "$1" > "$TMP/requests.txt"
    valgrind --tool=callgrind --callgrind-out-file="$TMP/cg.$1" \
        "$BIN" --state "$STATE" --format json < "$TMP/requests.txt" > /dev/null 2> "$TMP/valgrind.$1" || true
    sed -n 's/^summary: //p' "$TMP/cg.$1"
}

SMALL_IR=$(instructions "$SMALL")
LARGE_IR=$(instructions $((SMALL + N)))
echo "Ir with $SMALL requests:          $SMALL_IR"
echo "Ir with $((SMALL + N)) requests:  $LARGE_IR"
echo "marginal instructions per request: $(( (LARGE_IR - SMALL_IR) / N ))"
