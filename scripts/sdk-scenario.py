#!/usr/bin/env python3
"""The official Python SDK (alibabacloud-ecs20140526) against sg-egress-server.

Usage: sdk-scenario.py --endpoint 127.0.0.1:PORT --key ID --secret SECRET

Runs the scenario twice: with the SDK's default signature (ACS3-HMAC-SHA256,
JSON by the Accept header) and with its RPC HMAC-SHA1 signature
(`signature_algorithm="v2"`, Format=json in the query). Exits 1 on the first
failed expectation, naming it.

THE SWITCH: the parts that need the other egress actions (Authorize, Revoke,
Modify by rule id, Describe) run only when LIFECYCLE is true. Flip the
default below (or set SDK_LIFECYCLE=1) once the library's lifecycle lands.
"""

import argparse
import os
import re
import sys

from alibabacloud_ecs20140526 import models as ecs
from alibabacloud_ecs20140526.client import Client
from alibabacloud_tea_openapi import utils_models as openapi
from darabonba.runtime import RuntimeOptions
from Tea.exceptions import TeaException

LIFECYCLE = os.environ.get("SDK_LIFECYCLE", "0") == "1"

REGION = "cn-hangzhou"
# The demo state's VPC group and its rule "TCP 80/80 to sg-1651FBB64".
GROUP = "sg-F876FF7BA"
REQUEST_ID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")

checks = 0


def check(condition, what):
    global checks
    checks += 1
    if not condition:
        print(f"FAIL: {what}", file=sys.stderr)
        sys.exit(1)


def client(endpoint, key, secret, scheme):
    config = openapi.Config(
        access_key_id=key,
        access_key_secret=secret,
        endpoint=endpoint,
        protocol="http",
        region_id=REGION,
        # The SDK's RPC (HMAC-SHA1) signer; the default is ACS3-HMAC-SHA256.
        signature_algorithm="v2" if scheme == "HMAC-SHA1" else None,
    )
    return Client(config)


def expect_error(call, code, status, what):
    try:
        call()
    except TeaException as e:
        got_status = getattr(e, "status_code", None) or getattr(e, "statusCode", None)
        check(e.code == code, f"{what}: code {e.code!r}, expected {code!r} ({e})")
        check(got_status == status, f"{what}: status {got_status!r}, expected {status}")
        return e
    check(False, f"{what}: succeeded, expected {code}")


def modify_by_parameters(c, description, **extra):
    request = ecs.ModifySecurityGroupEgressRuleRequest(
        region_id=REGION,
        security_group_id=GROUP,
        ip_protocol="tcp",
        port_range="80/80",
        nic_type="intranet",
        policy="accept",
        dest_group_id="sg-1651FBB64",
        description=description,
        **extra,
    )
    return c.modify_security_group_egress_rule_with_options(request, RuntimeOptions())


def egress_rules(c, group=GROUP):
    response = c.describe_security_group_attribute_with_options(
        ecs.DescribeSecurityGroupAttributeRequest(
            region_id=REGION, security_group_id=group, direction="egress"
        ),
        RuntimeOptions(),
    )
    check(response.status_code == 200, "describe: status 200")
    check(REQUEST_ID.match(response.body.request_id or ""), "describe: request id shape")
    return response.body.permissions.permission


def scenario(endpoint, key, secret, scheme):
    c = client(endpoint, key, secret, scheme)
    tag = f"[{scheme}]"

    # Modify by parameters: a description with characters every encoder
    # treats differently (space, +, &, =, *, ~, non-ASCII).
    text = f"sdk {scheme} a+b&c=d*e~f é中"
    r = modify_by_parameters(c, text)
    check(r.status_code == 200, f"{tag} modify: status {r.status_code}")
    check(REQUEST_ID.match(r.body.request_id or ""), f"{tag} modify: request id {r.body.request_id!r}")
    check(r.headers.get("x-acs-request-id") == r.body.request_id, f"{tag} modify: x-acs-request-id header")
    # The same again: nothing changes, still 200.
    r = modify_by_parameters(c, text)
    check(r.status_code == 200, f"{tag} modify (same text): status {r.status_code}")

    # The library's errors arrive as the SDK's exceptions.
    expect_error(
        lambda: modify_by_parameters(c, "x", priority="0"),
        "InvalidPriority.ValueNotSupported", 400, f"{tag} priority 0")
    expect_error(
        lambda: c.modify_security_group_egress_rule_with_options(
            ecs.ModifySecurityGroupEgressRuleRequest(
                region_id=REGION, security_group_id=GROUP, ip_protocol="tcp",
                port_range="81/81", nic_type="intranet", policy="accept",
                dest_group_id="sg-1651FBB64", description="x"),
            RuntimeOptions()),
        "SecurityGroupRule.NotFound", 404, f"{tag} no such rule")
    expect_error(
        lambda: c.modify_security_group_egress_rule_with_options(
            ecs.ModifySecurityGroupEgressRuleRequest(
                region_id=REGION, security_group_id="sg-nonexistent0", ip_protocol="tcp",
                port_range="80/80", dest_cidr_ip="10.0.0.0/8", description="x"),
            RuntimeOptions()),
        "InvalidSecurityGroupId.NotFound", 404, f"{tag} no such group")

    # Signature failures.
    expect_error(lambda: modify_by_parameters(client(endpoint, key, secret + "x", scheme), "x"),
                 "SignatureDoesNotMatch", 400, f"{tag} wrong secret")
    expect_error(lambda: modify_by_parameters(client(endpoint, key + "nope", secret, scheme), "x"),
                 "InvalidAccessKeyId.NotFound", 404, f"{tag} unknown key")

    if not LIFECYCLE:
        print(f"{tag} lifecycle parts SKIPPED (SDK_LIFECYCLE=0)")
        return

    rules = egress_rules(c)
    check(any(p.description == text for p in rules), f"{tag} describe shows the modified description")

    # Authorize, flat form.
    token = f"tok-{scheme}"
    flat = ecs.AuthorizeSecurityGroupEgressRequest(
        region_id=REGION, security_group_id=GROUP, ip_protocol="tcp", port_range="8443/8443",
        dest_cidr_ip=f"10.9.{len(scheme)}.0/24", policy="accept", priority="5",
        description=f"flat {scheme}", client_token=token)
    r = c.authorize_security_group_egress_with_options(flat, RuntimeOptions())
    check(r.status_code == 200, f"{tag} authorize flat")
    # The same token and parameters: success again, no second rule.
    r = c.authorize_security_group_egress_with_options(flat, RuntimeOptions())
    check(r.status_code == 200, f"{tag} authorize flat, retried with its token")
    flat.description = "other"
    expect_error(lambda: c.authorize_security_group_egress_with_options(flat, RuntimeOptions()),
                 "IdempotentParameterMismatch", 400, f"{tag} token reused with other parameters")

    # Authorize, Permissions form (two rules).
    perms = [
        ecs.AuthorizeSecurityGroupEgressRequestPermissions(
            ip_protocol="udp", port_range="53/53", dest_cidr_ip=f"10.53.{i}.0/24",
            policy="accept", priority="10", description=f"perm {i} {scheme}")
        for i in (1, 2)
    ]
    r = c.authorize_security_group_egress_with_options(
        ecs.AuthorizeSecurityGroupEgressRequest(
            region_id=REGION, security_group_id=GROUP, permissions=perms),
        RuntimeOptions())
    check(r.status_code == 200, f"{tag} authorize Permissions")
    expect_error(
        lambda: c.authorize_security_group_egress_with_options(
            ecs.AuthorizeSecurityGroupEgressRequest(
                region_id=REGION, security_group_id=GROUP, permissions=perms),
            RuntimeOptions()),
        "InvalidPermission.Duplicate", 400, f"{tag} authorize the same again")

    rules = egress_rules(c)
    mine = [p for p in rules if (p.description or "").endswith(scheme)
            and (p.description or "").startswith(("flat", "perm"))]
    check(len(mine) == 3, f"{tag} describe: 3 new rules, got {len(mine)}")
    check(all(p.security_group_rule_id for p in mine), f"{tag} describe: new rules have ids")

    # Modify by rule id.
    target = next(p for p in mine if p.description.startswith("flat"))
    r = c.modify_security_group_egress_rule_with_options(
        ecs.ModifySecurityGroupEgressRuleRequest(
            region_id=REGION, security_group_id=GROUP,
            security_group_rule_id=target.security_group_rule_id, description=f"by id {scheme}"),
        RuntimeOptions())
    check(r.status_code == 200, f"{tag} modify by rule id")
    rules = egress_rules(c)
    check(any(p.security_group_rule_id == target.security_group_rule_id
              and p.description == f"by id {scheme}" for p in rules), f"{tag} describe after modify by id")

    # Revoke by ids.
    ids = [p.security_group_rule_id for p in mine]
    r = c.revoke_security_group_egress_with_options(
        ecs.RevokeSecurityGroupEgressRequest(
            region_id=REGION, security_group_id=GROUP, security_group_rule_id=ids),
        RuntimeOptions())
    check(r.status_code == 200, f"{tag} revoke by ids")
    rules = egress_rules(c)
    check(not any(p.security_group_rule_id in ids for p in rules), f"{tag} describe after revoke")
    expect_error(
        lambda: c.revoke_security_group_egress_with_options(
            ecs.RevokeSecurityGroupEgressRequest(
                region_id=REGION, security_group_id=GROUP, security_group_rule_id=ids[:1]),
            RuntimeOptions()),
        "InvalidSecurityGroupRuleId.NotFound", 404, f"{tag} revoke a revoked id")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--secret", required=True)
    args = parser.parse_args()
    for scheme in ("ACS3-HMAC-SHA256", "HMAC-SHA1"):
        scenario(args.endpoint, args.key, args.secret, scheme)
        print(f"[{scheme}] ok")
    print(f"sdk scenario: {checks} checks passed (lifecycle {'on' if LIFECYCLE else 'off'})")


if __name__ == "__main__":
    main()
