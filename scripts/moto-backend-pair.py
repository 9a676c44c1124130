"""Time moto's EC2 backend: authorize then revoke one egress rule in a
50-rule group, as the crate's `lifecycle/authorize_revoke_pair` bench does.

Prints the median microseconds per pair over several rounds.
"""
import statistics
import sys
import time

from moto import mock_aws
from moto.ec2.models import ec2_backends

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 7
PAIRS = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
ACCOUNT, REGION = "123456789012", "us-east-1"


def authorize(backend, group, port, cidr):
    backend.authorize_security_group_egress(
        group, "tcp", str(port), str(port), [{"CidrIp": cidr}])


def revoke(backend, group, port, cidr):
    backend.revoke_security_group_egress(
        group, "tcp", str(port), str(port), [{"CidrIp": cidr}])


@mock_aws
def main():
    backend = ec2_backends[ACCOUNT][REGION]
    vpc = backend.create_vpc("10.0.0.0/16")
    group = backend.create_security_group("bench", "bench", vpc_id=vpc.id)
    # Start from 50 egress rules (moto adds one allow-all rule itself).
    for i in range(49):
        authorize(backend, group.id, 1000 + i, "10.1.0.0/16")
    medians = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(PAIRS):
            authorize(backend, group.id, 443, "10.9.9.0/24")
            revoke(backend, group.id, 443, "10.9.9.0/24")
        medians.append((time.perf_counter() - start) / PAIRS * 1e6)
    egress = len(backend.get_security_group_from_id(group.id).egress_rules)
    print(f"moto backend authorize+revoke pair, {egress}-rule group: "
          f"median {statistics.median(medians):.1f} us/pair "
          f"(rounds: {', '.join(f'{m:.1f}' for m in medians)})")


main()
