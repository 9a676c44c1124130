#!/usr/bin/env python3
"""The official Python SDK (alibabacloud-ecs20140526) against sg-egress-server.

Usage: sdk-scenario.py --endpoint 127.0.0.1:PORT --key ID --secret SECRET

Runs the scenario twice: with the SDK's default signature (ACS3-HMAC-SHA256,
JSON by the Accept header) and with its RPC HMAC-SHA1 signature
(`signature_algorithm="v2"`, Format=json in the query). Each run: Modify by
parameters, Describe, Authorize (flat and `Permissions`, with a ClientToken),
Modify by rule id, Revoke (by permissions and by ids), and the errors as the
SDK's exceptions with their code and status. Exits 1 on the first failed
expectation, naming it.
"""

import argparse
import re
import sys

from alibabacloud_ecs20140526 import models as ecs
from alibabacloud_ecs20140526.client import Client
from alibabacloud_tea_openapi import utils_models as openapi
from alibabacloud_tea_openapi.exceptions import ClientException
from darabonba.runtime import RuntimeOptions

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
    """`call` must raise the SDK's ClientException (its 4xx answer) with
    this code and status."""
    try:
        call()
    except Exception as e:  # noqa: BLE001 - the type is what is checked
        check(isinstance(e, ClientException), f"{what}: raised {type(e).__name__}, expected ClientException ({e})")
        check(e.code == code, f"{what}: code {e.code!r}, expected {code!r} ({e})")
        check(e.status_code == status, f"{what}: status {e.status_code!r}, expected {status}")
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

    rules = egress_rules(c)
    check(any(p.description == text for p in rules), f"{tag} describe shows the modified description")
    before = len(rules)

    # Authorize, flat form, with a ClientToken.
    token = f"tok-{scheme}"
    net = len(scheme)
    flat = ecs.AuthorizeSecurityGroupEgressRequest(
        region_id=REGION, security_group_id=GROUP, ip_protocol="tcp", port_range="8443/8443",
        dest_cidr_ip=f"10.9.{net}.0/24", policy="accept", priority="5",
        description=f"flat {scheme}", client_token=token)
    r = c.authorize_security_group_egress_with_options(flat, RuntimeOptions())
    check(r.status_code == 200, f"{tag} authorize flat")
    check(REQUEST_ID.match(r.body.request_id or ""), f"{tag} authorize: request id")
    # The same token and parameters: success again, no second rule.
    r = c.authorize_security_group_egress_with_options(flat, RuntimeOptions())
    check(r.status_code == 200, f"{tag} authorize flat, retried with its token")
    flat.description = "other"
    expect_error(lambda: c.authorize_security_group_egress_with_options(flat, RuntimeOptions()),
                 "IdempotentParameterMismatch", 400, f"{tag} token reused with other parameters")

    # Authorize, Permissions form (two rules).
    def permissions(model):
        return [
            model(ip_protocol="udp", port_range="53/53", dest_cidr_ip=f"10.53.{net}.{i}",
                  policy="accept", priority="10", description=f"perm {i} {scheme}")
            for i in (1, 2)
        ]
    perms = permissions(ecs.AuthorizeSecurityGroupEgressRequestPermissions)
    authorize_perms = ecs.AuthorizeSecurityGroupEgressRequest(
        region_id=REGION, security_group_id=GROUP, permissions=perms)
    r = c.authorize_security_group_egress_with_options(authorize_perms, RuntimeOptions())
    check(r.status_code == 200, f"{tag} authorize Permissions")
    # Already granted: success, nothing added (SPEC §12.3).
    r = c.authorize_security_group_egress_with_options(authorize_perms, RuntimeOptions())
    check(r.status_code == 200, f"{tag} authorize the same again")

    rules = egress_rules(c)
    check(len(rules) == before + 3, f"{tag} describe: {len(rules) - before} new rules, expected 3")
    mine = [p for p in rules if (p.description or "").endswith(scheme)
            and (p.description or "").startswith(("flat", "perm"))]
    check(len(mine) == 3, f"{tag} describe: 3 new rules, got {len(mine)}")
    check(all(re.match(r"^sgr-[a-z0-9]{20}$", p.security_group_rule_id or "") for p in mine),
          f"{tag} describe: new rules have ids")
    check(all(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", p.create_time or "") for p in mine),
          f"{tag} describe: new rules have a CreateTime")
    target = next(p for p in mine if p.description.startswith("flat"))
    # Priority as the group's first egress rule has it: a number in the
    # demo state (SPEC §12.9).
    check((target.ip_protocol, target.policy, target.port_range, str(target.priority)) == ("TCP", "Accept", "8443/8443", "5"),
          f"{tag} describe: the flat rule as stored: {target.ip_protocol} {target.policy} {target.port_range} {target.priority}")

    # Mixing the forms.
    mixed = ecs.AuthorizeSecurityGroupEgressRequest(
        region_id=REGION, security_group_id=GROUP, ip_protocol="tcp", port_range="1/1",
        dest_cidr_ip="10.0.0.1", permissions=perms)
    expect_error(lambda: c.authorize_security_group_egress_with_options(mixed, RuntimeOptions()),
                 "InvalidParam.Permissions", 400, f"{tag} flat beside Permissions")

    # Modify by rule id: a new description and port range.
    def modify_by_id(rule_id, **fields):
        return c.modify_security_group_egress_rule_with_options(
            ecs.ModifySecurityGroupEgressRuleRequest(
                region_id=REGION, security_group_id=GROUP, security_group_rule_id=rule_id, **fields),
            RuntimeOptions())
    r = modify_by_id(target.security_group_rule_id, description=f"by id {scheme}", port_range="8444/8444")
    check(r.status_code == 200, f"{tag} modify by rule id")
    rules = egress_rules(c)
    check(any(p.security_group_rule_id == target.security_group_rule_id
              and p.description == f"by id {scheme}" and p.port_range == "8444/8444" for p in rules),
          f"{tag} describe after modify by id")
    expect_error(lambda: modify_by_id(target.security_group_rule_id, ipv_6dest_cidr_ip="2001:db8::/32"),
                 "InvalidOperation.ModifySgRuleEntityType", 400, f"{tag} modify by id: another destination kind")
    expect_error(lambda: modify_by_id("sgr-doesnotexist0000", description="x"),
                 "InvalidSecurityGroupRuleId.NotFound", 404, f"{tag} modify by id: unknown id")

    # Revoke by permissions: the first of the two; again, nothing to revoke.
    revoke_first = ecs.RevokeSecurityGroupEgressRequest(
        region_id=REGION, security_group_id=GROUP,
        permissions=permissions(ecs.RevokeSecurityGroupEgressRequestPermissions)[:1])
    r = c.revoke_security_group_egress_with_options(revoke_first, RuntimeOptions())
    check(r.status_code == 200, f"{tag} revoke by permissions")
    expect_error(lambda: c.revoke_security_group_egress_with_options(revoke_first, RuntimeOptions()),
                 "InvalidSecurityGroupRule.RuleNotExist", 400, f"{tag} revoke a revoked permission")

    # Revoke by ids: the other two.
    rules = egress_rules(c)
    check(len(rules) == before + 2, f"{tag} describe after revoke by permissions")
    ids = [p.security_group_rule_id for p in rules
           if p.description in (f"by id {scheme}", f"perm 2 {scheme}")]
    check(len(ids) == 2, f"{tag} the two rules left: {ids}")
    revoke_ids = ecs.RevokeSecurityGroupEgressRequest(
        region_id=REGION, security_group_id=GROUP, security_group_rule_id=ids)
    r = c.revoke_security_group_egress_with_options(revoke_ids, RuntimeOptions())
    check(r.status_code == 200, f"{tag} revoke by ids")
    rules = egress_rules(c)
    check(len(rules) == before and not any(p.security_group_rule_id in ids for p in rules),
          f"{tag} describe after revoke by ids")
    expect_error(lambda: c.revoke_security_group_egress_with_options(revoke_ids, RuntimeOptions()),
                 "InvalidSecurityGroupRuleId.NotFound", 404, f"{tag} revoke revoked ids")

    # Describe's own errors.
    expect_error(lambda: egress_rules(c, "sg-nonexistent0"),
                 "InvalidSecurityGroupId.NotFound", 404, f"{tag} describe an unknown group")
    expect_error(
        lambda: c.describe_security_group_attribute_with_options(
            ecs.DescribeSecurityGroupAttributeRequest(
                region_id=REGION, security_group_id=GROUP, max_results=5),
            RuntimeOptions()),
        "InvalidParamter", 400, f"{tag} describe with MaxResults 5")
    # A wrong secret changes nothing.
    expect_error(
        lambda: client(endpoint, key, secret + "x", scheme).authorize_security_group_egress_with_options(
            authorize_perms, RuntimeOptions()),
        "SignatureDoesNotMatch", 400, f"{tag} authorize with a wrong secret")
    check(len(egress_rules(c)) == before, f"{tag} nothing added by a refused request")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--secret", required=True)
    args = parser.parse_args()
    for scheme in ("ACS3-HMAC-SHA256", "HMAC-SHA1"):
        scenario(args.endpoint, args.key, args.secret, scheme)
        print(f"[{scheme}] ok")
    print(f"sdk scenario: {checks} checks passed")


if __name__ == "__main__":
    main()
