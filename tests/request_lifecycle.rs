//! SPEC §12 at the parameter level: the action and version (§12.9), the
//! `Permissions.N` form (§12.2), Revoke by ids (§12.4), Modify by rule id
//! (§12.5), Describe (§12.6), `DestPrefixListId`, and the catalogue rows
//! they add. Every refusal asserts status, code, message and parameter,
//! and the check orders (several faults give the right one).

use aliyun_sg_egress::error::{ApiError, Cause, CauseGroup, Hint};
use aliyun_sg_egress::request::*;
use aliyun_sg_egress::{IpProtocol, NicType, Policy, PortRange, Priority};

const G: &str = "RegionId=cn-hangzhou&SecurityGroupId=sg-1";
const MIXED: &str = "The specified parameter Permissions cannot coexist with other parameters.";
const RULE_ID: &str = "The specified parameter SecurityGroupRuleId is not valid.";
const REPEATED: &str = "The specified parameter SecurityGroupRuleId is repeated.";
const NOT_SUPPORTED_PROTOCOL: &str = "The specified parameter IpProtocol should not be null and only tcp, udp, icmp, gre or all is supported. Ignore case.";
const INVALID_PARAMTER: &str = "Invalid Parameter.";

/// The parser and query live to the end of the test.
fn parse(action: Option<Action>, query: &str) -> Result<Request<'static>, ApiError> {
    let query: &'static str = String::leak(query.to_string());
    Box::leak(Box::new(RequestParser::new())).parse_request(action, query)
}

fn ok(action: Option<Action>, query: &str) -> Request<'static> {
    parse(action, query).unwrap_or_else(|e| panic!("{query:?}: {} {e} ({e:?})", e.code()))
}

/// The error, checked for status, code, message and parameter.
#[track_caller]
fn refused(
    action: Option<Action>,
    query: &str,
    (status, code, message): (u16, &str, &str),
    parameter: Option<&str>,
) -> ApiError {
    let e = match parse(action, query) {
        Ok(r) => panic!("{query:?} was accepted: {r:?}"),
        Err(e) => e,
    };
    assert_eq!(
        (e.status(), e.code(), e.to_string().as_str(), e.parameter()),
        (status, code, message, parameter),
        "{query:?}: {e:?}"
    );
    e
}

fn authorize(query: &str) -> PermissionsRequest<'static> {
    match ok(Some(Action::Authorize), query) {
        Request::Authorize(r) => r,
        other => panic!("{other:?}"),
    }
}

fn revoke(query: &str) -> RevokeRequest<'static> {
    match ok(Some(Action::Revoke), query) {
        Request::Revoke(r) => r,
        other => panic!("{other:?}"),
    }
}

fn modify_by_id(query: &str) -> ModifyByIdRequest<'static> {
    match ok(None, query) {
        Request::ModifyById(r) => r,
        other => panic!("{other:?}"),
    }
}

fn describe(query: &str) -> DescribeRequest<'static> {
    match ok(Some(Action::Describe), query) {
        Request::Describe(r) => r,
        other => panic!("{other:?}"),
    }
}

fn invalid(name: &str) -> String {
    format!("The specified parameter \"{name}\" is not valid.")
}

fn missing(name: &str) -> String {
    format!(
        "The input parameter \"{name}\" that is mandatory for processing this request is not supplied."
    )
}

// ---------------------------------------------------------------- catalogue

#[test]
fn the_lifecycle_and_gateway_rows_have_specs_texts() {
    let rows: &[(Cause, u16, &str, &str)] = &[
        (
            Cause::InvalidParamPermissions,
            400,
            "InvalidParam.Permissions",
            MIXED,
        ),
        (
            Cause::InvalidParamDuplicatePermissions,
            400,
            "InvalidParam.DuplicatePermissions",
            "There are duplicate permissions in the specified parameter Permissions.",
        ),
        (
            Cause::NotSupportedClassicNetworkPrefixList,
            400,
            "NotSupported.ClassicNetworkPrefixList",
            "The prefix list is not supported when the network type of security group is classic.",
        ),
        (
            Cause::InvalidPrefixListIdNotFound,
            404,
            "InvalidPrefixListId.NotFound",
            "The specified prefix list was not found.",
        ),
        (
            Cause::AuthorizedGroupRuleLimitExceed,
            400,
            "AuthorizedGroupRule.LimitExceed",
            "You have reached the limit on the number of group authorization rules that you can add to a security group.When authorization object of rule is security group, the limit is 20.",
        ),
        (
            Cause::InvalidParamSecurityGroupRuleId,
            400,
            "InvalidParam.SecurityGroupRuleId",
            RULE_ID,
        ),
        (
            Cause::InvalidParamSecurityGroupRuleIdRepeated,
            400,
            "InvalidParam.SecurityGroupRuleIdRepeated",
            REPEATED,
        ),
        (
            Cause::InvalidSecurityGroupRuleIdNotFound,
            404,
            "InvalidSecurityGroupRuleId.NotFound",
            "The specified SecurityGroupRuleId is not exists.",
        ),
        (
            Cause::InvalidSecurityGroupRuleRuleNotExist,
            400,
            "InvalidSecurityGroupRule.RuleNotExist",
            "The specified rule does not exist.",
        ),
        (
            Cause::InvalidOperationModifySgRuleEntityType,
            400,
            "InvalidOperation.ModifySgRuleEntityType",
            "The source or destination type of the rules cannot be modified.",
        ),
        (
            Cause::InvalidOperationModifyNicType,
            400,
            "InvalidOperation.ModifyNicType",
            "NicType is not allowed to modify.",
        ),
        (
            Cause::InvalidOperationRuleDuplicate,
            400,
            "InvalidOperation.RuleDuplicate",
            "%s.",
        ),
        (
            Cause::InvalidParamInvalidModifyRuleRequest,
            400,
            "InvalidParam.InvalidModifyRuleRequest",
            "The request parameters are illegal.",
        ),
        (
            Cause::MissingParameterRegionId,
            400,
            "MissingParameter.RegionId",
            "The parameter RegionId is missing.",
        ),
        (
            Cause::InvalidParamterDescribe,
            400,
            "InvalidParamter",
            INVALID_PARAMTER,
        ),
        (
            Cause::IdempotentParameterMismatch,
            400,
            "IdempotentParameterMismatch",
            "The request is retried with updated parameters.",
        ),
        (
            Cause::InvalidVersion,
            400,
            "InvalidVersion",
            "Specified parameter Version is not valid.",
        ),
        (
            Cause::IncompleteSignature,
            400,
            "IncompleteSignature",
            "The request signature does not conform to Aliyun standards.",
        ),
        (
            Cause::InvalidAccessKeyIdNotFound,
            404,
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.",
        ),
        (
            Cause::SignatureDoesNotMatch,
            400,
            "SignatureDoesNotMatch",
            "Specified signature is not matched with our calculation.",
        ),
        (
            Cause::SignatureNonceUsed,
            400,
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
        ),
        (
            Cause::InvalidTimeStampExpired,
            400,
            "InvalidTimeStamp.Expired",
            "Specified time stamp or date value is expired.",
        ),
    ];
    for &(cause, status, code, message) in rows {
        assert_eq!(
            (cause.status(), cause.code(), cause.message()),
            (status, code, message),
            "{cause:?}"
        );
        assert!(matches!(
            cause.group(),
            CauseGroup::Lifecycle | CauseGroup::Gateway
        ));
    }
    // Every lifecycle and gateway row is in the table above.
    let listed = Cause::ALL
        .iter()
        .filter(|c| matches!(c.group(), CauseGroup::Lifecycle | CauseGroup::Gateway))
        .count();
    assert_eq!(listed, rows.len());
    // Authorize's quota row was already on the page.
    assert_eq!(
        (
            Cause::AuthorizationLimitExceed.status(),
            Cause::AuthorizationLimitExceed.code(),
            Cause::AuthorizationLimitExceed.group()
        ),
        (403, "AuthorizationLimitExceed", CauseGroup::Page)
    );
    // `%s.`: the detail, then the full stop.
    let dup = ApiError::new(Cause::InvalidOperationRuleDuplicate);
    assert_eq!(dup.to_string(), "InvalidOperation.RuleDuplicate.");
}

// ------------------------------------------------------- action and version

#[test]
fn actions_have_their_api_names() {
    for (action, name) in [
        (Action::Modify, "ModifySecurityGroupEgressRule"),
        (Action::Authorize, "AuthorizeSecurityGroupEgress"),
        (Action::Revoke, "RevokeSecurityGroupEgress"),
        (Action::Describe, "DescribeSecurityGroupAttribute"),
    ] {
        assert_eq!(action.name(), name);
        assert_eq!(Action::from_name(name), Some(action));
        assert_eq!(Action::from_name(&name.to_lowercase()), None);
    }
    assert_eq!(Action::from_name(""), None);
}

#[test]
fn the_action_comes_from_the_parameter_or_beside_it() {
    let flat = format!("{G}&IpProtocol=tcp&PortRange=22/22&DestCidrIp=10.0.0.1");
    assert!(matches!(ok(None, &flat), Request::Modify(_)));
    assert!(matches!(
        ok(Some(Action::Authorize), &flat),
        Request::Authorize(_)
    ));
    let named = format!("Action=AuthorizeSecurityGroupEgress&{flat}");
    assert!(matches!(ok(None, &named), Request::Authorize(_)));
    assert!(matches!(
        ok(Some(Action::Authorize), &named),
        Request::Authorize(_)
    ));
    // Empty is absent.
    assert!(matches!(
        ok(Some(Action::Revoke), &format!("Action=&{flat}")),
        Request::Revoke(_)
    ));
    assert_eq!(ok(None, &named).action(), Action::Authorize);

    refused(
        None,
        &format!("Action=DeleteSecurityGroup&{flat}"),
        (
            404,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        ),
        Some("Action"),
    );
    let e = refused(
        Some(Action::Revoke),
        &named,
        (400, "InvalidParameter", &invalid("Action")),
        Some("Action"),
    );
    assert!(e.detail().to_string().contains("RevokeSecurityGroupEgress"));
    // Exact: the case of an action name matters.
    refused(
        None,
        &format!("Action=authorizesecuritygroupegress&{flat}"),
        (
            404,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        ),
        Some("Action"),
    );
}

#[test]
fn version_is_checked_right_after_the_action() {
    let flat = format!("{G}&IpProtocol=tcp&PortRange=22/22&DestCidrIp=10.0.0.1");
    ok(None, &format!("Version=2014-05-26&{flat}"));
    ok(None, &format!("Version=&{flat}"));
    let bad = (
        400,
        "InvalidVersion",
        "Specified parameter Version is not valid.",
    );
    refused(
        None,
        &format!("Version=2016-04-28&{flat}"),
        bad,
        Some("Version"),
    );
    // Before everything but the action.
    refused(Some(Action::Describe), "Version=1", bad, Some("Version"));
    refused(
        None,
        "Action=Nope&Version=1",
        (
            404,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        ),
        Some("Action"),
    );
    // `parse` checks it too.
    let e = RequestParser::new()
        .parse(&format!("Version=x&{flat}"))
        .unwrap_err();
    assert_eq!(e.code(), "InvalidVersion");
}

// --------------------------------------------------------- Permissions.N

const P1: &str =
    "Permissions.1.IpProtocol=tcp&Permissions.1.PortRange=22/22&Permissions.1.DestCidrIp=10.0.0.1";

#[test]
fn the_flat_form_is_one_permission() {
    let r = authorize(&format!(
        "{G}&IpProtocol=TCP&PortRange=80/80&DestCidrIp=10.0.0.0/8&Priority=5&Description=web&ClientToken=tok"
    ));
    assert_eq!(
        (r.region_id(), r.security_group_id()),
        ("cn-hangzhou", "sg-1")
    );
    assert_eq!(r.client_token(), Some("tok"));
    let all: Vec<_> = r.permissions().collect();
    assert_eq!(all.len(), 1);
    let (name, p) = all[0];
    assert_eq!(name, PermissionName::Flat);
    assert_eq!(p.protocol, IpProtocol::Tcp);
    assert_eq!(p.port_range, PortRange::new(80, 80).unwrap());
    assert_eq!(p.priority, Some(Priority::new(5).unwrap()));
    assert_eq!(p.policy, Policy::Accept);
    assert_eq!(p.description, Some("web"));
    assert_eq!(
        p.destination,
        Destination::Ipv4("10.0.0.0/8".parse().unwrap())
    );
}

#[test]
fn numbered_permissions_come_in_ascending_n_with_gaps() {
    let q = format!(
        "{G}&Permissions.100.IpProtocol=all&Permissions.100.PortRange=-1/-1&Permissions.100.DestGroupId=sg-9\
         &Permissions.5.IpProtocol=udp&Permissions.5.PortRange=53/53&Permissions.5.Ipv6DestCidrIp=2001:db8::/32\
         &Permissions.5.Description=dns%20v6\
         &{P1}&Permissions.1.Description=&Permissions.1.Foo=bar"
    );
    let r = authorize(&q);
    let names: Vec<_> = r.permissions().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            PermissionName::Numbered(1),
            PermissionName::Numbered(5),
            PermissionName::Numbered(100)
        ]
    );
    let all: Vec<_> = r.permissions().map(|(_, p)| p).collect();
    assert_eq!(all[0].description, Some(""));
    assert_eq!(all[1].description, Some("dns v6"));
    assert_eq!(all[1].protocol, IpProtocol::Udp);
    assert!(matches!(all[2].destination, Destination::Group(g) if g.id == "sg-9"));
    assert_eq!(r.len(), 3);
    assert_eq!(PermissionName::Numbered(5).to_string(), "Permissions.5");
}

#[test]
fn a_hundred_permissions_with_encoded_text_all_fit() {
    // Long percent-encoded descriptions in every permission: more decoded
    // text than a 4 KiB buffer holds.
    let description = "%E6%9D%AD".repeat(40); // 40 characters, 120 bytes
    let mut q = G.to_string();
    for n in 1..=100 {
        q.push_str(&format!(
            "&Permissions.{n}.IpProtocol=tcp&Permissions.{n}.PortRange={n}%2F{n}\
             &Permissions.{n}.DestGroupId=sg%2D{n}&Permissions.{n}.DestGroupOwnerAccount=a%40b\
             &Permissions.{n}.Description={description}"
        ));
    }
    assert!(q.len() < QUERY_MAX_BYTES);
    let r = authorize(&q);
    assert_eq!(r.len(), 100);
    for (i, (name, p)) in r.permissions().enumerate() {
        let n = i as u16 + 1;
        assert_eq!(name, PermissionName::Numbered(n as u8));
        assert_eq!(p.port_range.start(), Some(n));
        assert_eq!(p.description, Some("杭".repeat(40).as_str()));
        let Destination::Group(g) = p.destination else {
            panic!()
        };
        assert_eq!(
            (g.id, g.owner_account),
            (format!("sg-{n}").as_str(), Some("a@b"))
        );
    }
}

#[test]
fn mixing_the_forms_is_refused_but_empty_flat_fields_are_absent() {
    let perms = (400, "InvalidParam.Permissions", MIXED);
    refused(
        Some(Action::Authorize),
        &format!("{G}&{P1}&IpProtocol=tcp"),
        perms,
        None,
    );
    refused(
        Some(Action::Revoke),
        &format!("{G}&{P1}&Description=x"),
        perms,
        None,
    );
    // Empty flat fields are absent (Terraform sends them).
    let r = authorize(&format!("{G}&{P1}&IpProtocol=&DestGroupId=&Description="));
    assert_eq!(r.len(), 1);
    // A permission whose fields are all empty does not exist.
    let r = authorize(&format!(
        "{G}&IpProtocol=tcp&PortRange=22/22&DestCidrIp=10.0.0.1&Permissions.2.IpProtocol=&Permissions.2.Foo=x"
    ));
    assert_eq!(r.permissions().next().unwrap().0, PermissionName::Flat);
}

#[test]
fn n_must_be_a_decimal_from_1_to_100_without_leading_zeros() {
    let perms = (400, "InvalidParam.Permissions", MIXED);
    for name in [
        "Permissions.0.IpProtocol",
        "Permissions.101.IpProtocol",
        "Permissions.01.IpProtocol",
        "Permissions.x.IpProtocol",
        "Permissions..IpProtocol",
        "Permissions.",
        "Permissions.1000",
        "Permissions.-1.IpProtocol",
    ] {
        let e = refused(
            Some(Action::Authorize),
            &format!("{G}&{P1}&{name}=tcp"),
            perms,
            Some(name),
        );
        assert!(e.detail().to_string().contains("N must be"), "{e:?}");
        // Even empty, and beside the flat form alone.
        refused(
            Some(Action::Revoke),
            &format!("{G}&IpProtocol=tcp&PortRange=22/22&DestCidrIp=10.0.0.1&{name}="),
            perms,
            Some(name),
        );
    }
    // `Permissions.1` with no field, and `Permissions` bare, are unknown.
    authorize(&format!(
        "{G}&{P1}&Permissions.1=x&Permissions=y&Permissions.1.=z"
    ));
    // Names are case-sensitive: a lower-case field is unknown, so this
    // permission does not exist and the request has none.
    refused(
        Some(Action::Authorize),
        &format!("{G}&Permissions.1.ipprotocol=tcp"),
        (
            400,
            "InvalidIpProtocol.ValueNotSupported",
            NOT_SUPPORTED_PROTOCOL,
        ),
        Some("IpProtocol"),
    );
    // Modify and Describe ignore the list forms.
    ok(
        None,
        &format!("{G}&IpProtocol=tcp&PortRange=22/22&DestCidrIp=10.0.0.1&Permissions.0.X=1&{P1}"),
    );
    ok(Some(Action::Describe), &format!("{G}&Permissions.0.X=1"));
}

#[test]
fn a_request_without_permissions_is_a_flat_one_without_a_protocol() {
    for action in [Action::Authorize, Action::Revoke] {
        refused(
            Some(action),
            G,
            (
                400,
                "InvalidIpProtocol.ValueNotSupported",
                NOT_SUPPORTED_PROTOCOL,
            ),
            Some("IpProtocol"),
        );
    }
}

#[test]
fn errors_inside_permission_n_name_its_field() {
    let q = format!(
        "{G}&{P1}&Permissions.3.IpProtocol=tcp&Permissions.3.PortRange=1/2&Permissions.3.DestCidrIp=1.2.3.4&Permissions.3.DestGroupOwnerId=abc"
    );
    let e = refused(
        Some(Action::Authorize),
        &q,
        (
            400,
            "InvalidParameter",
            &invalid("Permissions.3.DestGroupOwnerId"),
        ),
        Some("Permissions.3.DestGroupOwnerId"),
    );
    assert_eq!(
        e.detail().to_string(),
        "Permissions.3.DestGroupOwnerId \"abc\" is not a decimal account id"
    );
    // A fixed message stays verbatim; the name is the error's parameter.
    let e = refused(
        Some(Action::Authorize),
        &format!(
            "{G}&{P1}&Permissions.2.IpProtocol=tcp&Permissions.2.PortRange=1/2&Permissions.2.DestCidrIp=1.2.3.4&Permissions.2.Policy=allow"
        ),
        (
            400,
            "InvalidPolicy.Malformed",
            "The specified parameter \"Policy\" is not valid.",
        ),
        Some("Permissions.2.Policy"),
    );
    assert!(e.hints().contains(Hint::PolicyAllow));
    assert_eq!(
        e.detail().to_string(),
        "Permissions.2.Policy \"allow\" is neither accept nor drop"
    );
    // A missing field of permission N.
    refused(
        Some(Action::Authorize),
        &format!("{G}&Permissions.7.IpProtocol=tcp&Permissions.7.PortRange=1/2"),
        (
            400,
            "MissingParameter.Dest",
            "The parameter DestCidrIp or DestGroupId is essential.",
        ),
        Some("Permissions.7.DestCidrIp"),
    );
    refused(
        Some(Action::Revoke),
        &format!(
            "{G}&Permissions.4.IpProtocol=tcp&Permissions.4.PortRange=1/2&Permissions.4.NicType="
        ),
        (
            400,
            "InvalidNicType.ValueNotSupported",
            "The specified NicType is not valid.",
        ),
        Some("Permissions.4.NicType"),
    );
    let e = refused(
        Some(Action::Authorize),
        &format!(
            "{G}&Permissions.9.IpProtocol=tcp&Permissions.9.PortRange=1/2&Permissions.9.DestCidrIp=1.2.3.4&Permissions.9.Ipv6DestCidrIp=::1"
        ),
        (
            400,
            "InvalidParam.DestIp",
            "Permissions.9.DestCidrIp and Permissions.9.Ipv6DestCidrIp are both given; give one",
        ),
        Some("Permissions.9.DestCidrIp"),
    );
    assert_eq!(e.to_string(), e.detail().to_string());
    // The flat form names the plain parameter.
    refused(
        Some(Action::Authorize),
        &format!("{G}&IpProtocol=tcp&PortRange=1/2&DestCidrIp=1.2.3.4&DestGroupOwnerId=abc"),
        (400, "InvalidParameter", &invalid("DestGroupOwnerId")),
        Some("DestGroupOwnerId"),
    );
}

#[test]
fn permissions_are_checked_in_ascending_n() {
    let q = format!(
        "{G}&Permissions.5.IpProtocol=bogus\
         &Permissions.2.IpProtocol=tcp&Permissions.2.PortRange=0/1&Permissions.2.DestCidrIp=1.2.3.4"
    );
    refused(
        Some(Action::Authorize),
        &q,
        (
            400,
            "InvalidIpProtocol.Malformed",
            "The specified parameter \"PortRange\" is not valid.",
        ),
        Some("Permissions.2.PortRange"),
    );
}

#[test]
fn a_numbered_field_given_twice_is_a_decoding_error() {
    let e = refused(
        Some(Action::Authorize),
        &format!("RegionId=&{P1}&Permissions%2E1.IpProtocol=udp"),
        (
            400,
            "InvalidParameter",
            &invalid("Permissions.1.IpProtocol"),
        ),
        Some("Permissions.1.IpProtocol"),
    );
    assert!(e.detail().to_string().contains("more than once"));
    refused(
        Some(Action::Revoke),
        &format!("{G}&SecurityGroupRuleId.2=sgr-a&SecurityGroupRuleId.2=sgr-b"),
        (400, "InvalidParameter", &invalid("SecurityGroupRuleId.2")),
        Some("SecurityGroupRuleId.2"),
    );
}

#[test]
fn ingress_names_inside_a_permission_earn_their_hint() {
    let r = authorize(&format!("{G}&{P1}&Permissions.1.SourceGroupId=sg-2"));
    assert!(r.hints().contains(Hint::SourceGroupId));
}

#[test]
fn authorize_and_revoke_check_in_spec_order() {
    let perms = (400, "InvalidParam.Permissions", MIXED);
    let mixed = format!("{P1}&IpProtocol=tcp");
    // RegionId, then SecurityGroupId, before the form.
    refused(
        Some(Action::Authorize),
        &format!("SecurityGroupId=sg-1&{mixed}"),
        (400, "MissingParameter", &missing("RegionId")),
        Some("RegionId"),
    );
    refused(
        Some(Action::Authorize),
        "RegionId=r&Permissions.0.IpProtocol=tcp",
        (400, "MissingParameter", &missing("SecurityGroupId")),
        Some("SecurityGroupId"),
    );
    // The form before ClientToken, ClientToken before the permissions.
    refused(
        Some(Action::Authorize),
        &format!("{G}&{mixed}&ClientToken=a%20b"),
        perms,
        None,
    );
    refused(
        Some(Action::Authorize),
        &format!("{G}&Permissions.1.IpProtocol=bogus&ClientToken=a%20b"),
        (400, "InvalidParameter", &invalid("ClientToken")),
        Some("ClientToken"),
    );
    // Decoding before all of it.
    refused(
        Some(Action::Authorize),
        &format!("{mixed}&X=%ZZ"),
        (400, "InvalidParameter", &invalid("X")),
        Some("X"),
    );
}

#[test]
fn duplicate_permissions_are_found_with_the_groups_network() {
    let same_twice = format!(
        "{G}&{P1}&Permissions.2.IpProtocol=TCP&Permissions.2.PortRange=22/22&Permissions.2.DestCidrIp=10.0.0.1\
         &Permissions.2.Priority=9&Permissions.2.Description=other"
    );
    let r = authorize(&same_twice);
    let e = r.first_duplicate(true).unwrap_err();
    assert_eq!(
        (e.status(), e.code(), e.to_string().as_str()),
        (
            400,
            "InvalidParam.DuplicatePermissions",
            "There are duplicate permissions in the specified parameter Permissions."
        )
    );
    assert_eq!(
        e.detail().to_string(),
        "Permissions.1 and Permissions.2 have the same key"
    );
    // NicType: one key in a VPC group, two in a classic one.
    let nics = format!(
        "{G}&{P1}&Permissions.1.NicType=internet\
         &Permissions.2.IpProtocol=tcp&Permissions.2.PortRange=22/22&Permissions.2.DestCidrIp=10.0.0.1&Permissions.2.NicType=intranet"
    );
    let r = authorize(&nics);
    assert!(r.first_duplicate(true).is_err());
    assert_eq!(r.first_duplicate(false), Ok(()));
    // A group destination is keyed by its id alone.
    let groups = format!(
        "{G}&Permissions.1.IpProtocol=all&Permissions.1.PortRange=-1/-1&Permissions.1.DestGroupId=sg-2&Permissions.1.DestGroupOwnerId=1\
         &Permissions.2.IpProtocol=all&Permissions.2.PortRange=-1/-1&Permissions.2.DestGroupId=sg-2"
    );
    assert!(authorize(&groups).first_duplicate(false).is_err());
    // Different keys.
    let different = format!(
        "{G}&{P1}&Permissions.2.IpProtocol=tcp&Permissions.2.PortRange=22/22&Permissions.2.DestCidrIp=10.0.0.1/32"
    );
    assert_eq!(authorize(&different).first_duplicate(true), Ok(()));
}

// ----------------------------------------------------------- DestPrefixListId

#[test]
fn a_prefix_list_is_the_last_destination() {
    let r = authorize(&format!(
        "{G}&IpProtocol=tcp&PortRange=22/22&DestPrefixListId=pl-x1"
    ));
    let (_, p) = r.permissions().next().unwrap();
    assert_eq!(p.destination, Destination::PrefixList("pl-x1"));
    for (other, expected) in [
        ("DestCidrIp=10.0.0.1", "v4"),
        ("Ipv6DestCidrIp=::1", "v6"),
        ("DestGroupId=sg-2", "group"),
    ] {
        let q = format!("{G}&IpProtocol=tcp&PortRange=22/22&DestPrefixListId=pl-x1&{other}");
        let req = RequestParser::new()
            .parse(&q)
            .map(|r| match r.destination() {
                Destination::Ipv4(_) => "v4",
                Destination::Ipv6(_) => "v6",
                Destination::Group(_) => "group",
                Destination::PrefixList(_) => "pl",
            });
        assert_eq!(req, Ok(expected), "{q}");
    }
    // Modify by parameters reads it too.
    let mut parser = RequestParser::new();
    let q = format!(
        "{G}&IpProtocol=tcp&PortRange=22/22&DestPrefixListId=pl-{}",
        "a".repeat(64)
    );
    let req = parser.parse(&q).unwrap();
    assert!(matches!(req.destination(), Destination::PrefixList(id) if id.len() == 67));
    let mut written = String::new();
    req.write_query(&mut written).unwrap();
    assert!(written.contains("&DestPrefixListId=pl-aaa"));
}

#[test]
fn a_prefix_list_id_has_its_shape_even_when_ignored() {
    for bad in [
        "pl-",
        "pl_x",
        "PL-x",
        "sg-1",
        "pl-a.b",
        &format!("pl-{}", "a".repeat(65)),
    ] {
        for dest in ["", "&DestCidrIp=10.0.0.1", "&DestGroupId=sg-2"] {
            let q = format!("{G}&IpProtocol=tcp&PortRange=22/22&DestPrefixListId={bad}{dest}");
            refused(
                None,
                &q,
                (400, "InvalidParameter", &invalid("DestPrefixListId")),
                Some("DestPrefixListId"),
            );
        }
    }
    // After DestGroupOwnerId.
    refused(
        None,
        &format!(
            "{G}&IpProtocol=tcp&PortRange=22/22&DestGroupId=sg-2&DestGroupOwnerId=x&DestPrefixListId=bad"
        ),
        (400, "InvalidParameter", &invalid("DestGroupOwnerId")),
        Some("DestGroupOwnerId"),
    );
    // None of the four.
    refused(
        None,
        &format!("{G}&IpProtocol=tcp&PortRange=22/22&DestPrefixListId="),
        (
            400,
            "MissingParameter.Dest",
            "The parameter DestCidrIp or DestGroupId is essential.",
        ),
        Some("DestCidrIp"),
    );
}

// -------------------------------------------------------------- Revoke by ids

#[test]
fn revoke_by_ids_in_ascending_n() {
    let RevokeRequest::ByIds(r) = revoke(&format!(
        "{G}&SecurityGroupRuleId.3=sgr-c&SecurityGroupRuleId.1=sgr-a&SecurityGroupRuleId.2=&SecurityGroupRuleId.100=sgr%2DZ9\
         &ClientToken=t&SecurityGroupRuleId=sgr-ignored"
    )) else {
        panic!()
    };
    assert_eq!(r.ids().collect::<Vec<_>>(), ["sgr-a", "sgr-c", "sgr-Z9"]);
    assert_eq!(
        r.numbered_ids().collect::<Vec<_>>(),
        [(1, "sgr-a"), (3, "sgr-c"), (100, "sgr-Z9")]
    );
    assert_eq!(r.client_token(), Some("t"));
    assert_eq!(
        (r.region_id(), r.security_group_id()),
        ("cn-hangzhou", "sg-1")
    );
    let e = r.not_found(3);
    assert_eq!(
        (e.status(), e.code(), e.to_string().as_str(), e.parameter()),
        (
            404,
            "InvalidSecurityGroupRuleId.NotFound",
            "The specified SecurityGroupRuleId is not exists.",
            Some("SecurityGroupRuleId.3")
        )
    );
    assert!(e.detail().to_string().contains("sgr-c"));
    // A hundred of them, the longest shape.
    let mut q = G.to_string();
    for n in 1..=100 {
        q.push_str(&format!("&SecurityGroupRuleId.{n}=sgr-{n:0>64}"));
    }
    let RevokeRequest::ByIds(r) = revoke(&q) else {
        panic!()
    };
    assert_eq!(r.ids().len(), 100);
    assert!(r.ids().all(|id| id.len() == 68));
}

#[test]
fn rule_ids_are_shape_checked_then_checked_for_repeats() {
    let shape = (400, "InvalidParam.SecurityGroupRuleId", RULE_ID);
    let repeated = (400, "InvalidParam.SecurityGroupRuleIdRepeated", REPEATED);
    for bad in [
        "sgr-",
        "sgr",
        "SGR-a",
        "sgr-a-b",
        "sg-1",
        &format!("sgr-{}", "a".repeat(65)),
    ] {
        let e = refused(
            Some(Action::Revoke),
            &format!("{G}&SecurityGroupRuleId.1=sgr-a&SecurityGroupRuleId.2={bad}"),
            shape,
            Some("SecurityGroupRuleId.2"),
        );
        assert!(
            e.detail()
                .to_string()
                .starts_with("SecurityGroupRuleId.2 \"")
        );
    }
    // Every shape first, then repeats.
    refused(
        Some(Action::Revoke),
        &format!(
            "{G}&SecurityGroupRuleId.1=sgr-a&SecurityGroupRuleId.2=sgr-a&SecurityGroupRuleId.3=bad"
        ),
        shape,
        Some("SecurityGroupRuleId.3"),
    );
    refused(
        Some(Action::Revoke),
        &format!(
            "{G}&SecurityGroupRuleId.1=sgr-a&SecurityGroupRuleId.5=sgr-b&SecurityGroupRuleId.7=sgr%2Da"
        ),
        repeated,
        Some("SecurityGroupRuleId.7"),
    );
    // Case matters.
    revoke(&format!(
        "{G}&SecurityGroupRuleId.1=sgr-a&SecurityGroupRuleId.2=sgr-A"
    ));
    // A bad N.
    for name in [
        "SecurityGroupRuleId.0",
        "SecurityGroupRuleId.101",
        "SecurityGroupRuleId.01",
        "SecurityGroupRuleId.1.x",
    ] {
        refused(
            Some(Action::Revoke),
            &format!("{G}&{name}=sgr-a"),
            shape,
            Some(name),
        );
    }
}

#[test]
fn revoke_by_ids_checks_in_spec_order() {
    let perms = (400, "InvalidParam.Permissions", MIXED);
    // Ids with permissions, flat or numbered.
    refused(
        Some(Action::Revoke),
        &format!("{G}&SecurityGroupRuleId.1=sgr-a&IpProtocol=tcp"),
        perms,
        None,
    );
    refused(
        Some(Action::Revoke),
        &format!("{G}&SecurityGroupRuleId.1=sgr-a&{P1}"),
        perms,
        None,
    );
    refused(
        Some(Action::Revoke),
        &format!("{G}&SecurityGroupRuleId.0=x&{P1}"),
        perms,
        None,
    );
    // RegionId and SecurityGroupId first.
    refused(
        Some(Action::Revoke),
        "RegionId=r&SecurityGroupRuleId.1=sgr-a&IpProtocol=tcp",
        (400, "MissingParameter", &missing("SecurityGroupId")),
        Some("SecurityGroupId"),
    );
    // The form, then ClientToken, then the ids.
    refused(
        Some(Action::Revoke),
        &format!("{G}&SecurityGroupRuleId.1=sgr-a&IpProtocol=tcp&ClientToken=a%20b"),
        perms,
        None,
    );
    refused(
        Some(Action::Revoke),
        &format!("{G}&SecurityGroupRuleId.1=bad&ClientToken=a%20b"),
        (400, "InvalidParameter", &invalid("ClientToken")),
        Some("ClientToken"),
    );
    // By permissions when no id is given.
    assert!(matches!(
        revoke(&format!("{G}&SecurityGroupRuleId.1=&{P1}")),
        RevokeRequest::ByPermissions(_)
    ));
}

// ------------------------------------------------------ Modify by rule id

#[test]
fn modify_by_id_takes_every_field_as_optional() {
    let r = modify_by_id(&format!("{G}&SecurityGroupRuleId=sgr-1&Description=new"));
    assert_eq!(r.rule_id(), "sgr-1");
    assert_eq!(
        *r.patch(),
        PermissionPatch {
            description: Some("new"),
            ..PermissionPatch::default()
        }
    );
    // `Description=` clears; other empty fields are absent.
    let r = modify_by_id(&format!(
        "{G}&SecurityGroupRuleId=sgr-1&Description=&Policy=&IpProtocol=&DestCidrIp=&Priority=&ClientToken="
    ));
    assert_eq!(
        *r.patch(),
        PermissionPatch {
            description: Some(""),
            ..PermissionPatch::default()
        }
    );
    assert_eq!(r.client_token(), None);
    // Every field.
    let r = modify_by_id(&format!(
        "{G}&SecurityGroupRuleId=sgr-1&IpProtocol=udp&PortRange=53%2F53&SourcePortRange=1/2&NicType=intranet\
         &Policy=drop&Priority=7&DestCidrIp=10.0.0.0/8&DestGroupId=sg-2&SourceCidrIp=1.2.3.4&ClientToken=c"
    ));
    let p = r.patch();
    assert_eq!(p.protocol, Some(IpProtocol::Udp));
    assert_eq!(
        (p.port_range, p.source_port_range),
        (Some("53/53"), Some("1/2"))
    );
    assert_eq!(p.nic_type, Some(NicType::Intranet));
    assert_eq!(p.policy, Some(Policy::Drop));
    assert_eq!(p.priority, Some(Priority::new(7).unwrap()));
    // DestCidrIp wins over DestGroupId.
    assert_eq!(
        p.destination,
        Some(Destination::Ipv4("10.0.0.0/8".parse().unwrap()))
    );
    assert_eq!(p.source, Some(Source::Ipv4("1.2.3.4".parse().unwrap())));
    assert_eq!(r.client_token(), Some("c"));
    let r = modify_by_id(&format!(
        "{G}&SecurityGroupRuleId=sgr-1&DestPrefixListId=pl-1"
    ));
    assert_eq!(r.patch().destination, Some(Destination::PrefixList("pl-1")));
    // An empty rule id is Modify by parameters.
    assert!(matches!(
        ok(
            None,
            &format!("{G}&SecurityGroupRuleId=&IpProtocol=tcp&PortRange=22/22&DestCidrIp=10.0.0.1")
        ),
        Request::Modify(_)
    ));
}

#[test]
fn modify_by_id_checks_what_the_request_alone_can() {
    let id = format!("{G}&SecurityGroupRuleId=sgr-1");
    refused(
        None,
        &format!("{id}&NicType="),
        (
            400,
            "InvalidNicType.ValueNotSupported",
            "The specified NicType is not valid.",
        ),
        Some("NicType"),
    );
    // Ports without a protocol: the grammar only; the rest waits for the
    // merged rule.
    let r = modify_by_id(&format!("{id}&PortRange=0/5"));
    assert_eq!(r.patch().port_range, Some("0/5"));
    let e = r.patch().port_ranges_for(IpProtocol::All).unwrap_err();
    assert_eq!(
        (e.code(), e.parameter()),
        ("OperationDenied", Some("PortRange"))
    );
    assert_eq!(
        r.patch()
            .port_ranges_for(IpProtocol::Tcp)
            .unwrap_err()
            .code(),
        "InvalidIpProtocol.Malformed"
    );
    let r = modify_by_id(&format!("{id}&PortRange=5/6&SourcePortRange=-1/-1"));
    assert_eq!(
        r.patch()
            .port_ranges_for(IpProtocol::Tcp)
            .unwrap_err()
            .parameter(),
        Some("SourcePortRange")
    );
    assert_eq!(
        r.patch()
            .port_ranges_for(IpProtocol::Gre)
            .unwrap_err()
            .parameter(),
        Some("PortRange")
    );
    refused(
        None,
        &format!("{id}&PortRange=a"),
        (
            400,
            "InvalidParam.PortRange",
            "The specified param PortRange or SourcePortRange is not valid. should be integer and less than 65535, range separator is '/'.",
        ),
        Some("PortRange"),
    );
    // With the protocol: §3 in full.
    refused(
        None,
        &format!("{id}&IpProtocol=tcp&PortRange=-1/-1"),
        (
            400,
            "OperationDenied",
            "The specified IpProtocol does not exist or IpProtocol and PortRange do not match.",
        ),
        Some("PortRange"),
    );
    // §4 as far as given.
    refused(
        None,
        &format!("{id}&DestCidrIp=10.0.0.1&Ipv6DestCidrIp=::1"),
        (
            400,
            "InvalidParam.DestIp",
            "DestCidrIp and Ipv6DestCidrIp are both given; give one",
        ),
        Some("DestCidrIp"),
    );
    modify_by_id(&format!("{id}&Ipv6DestCidrIp=::1"));
    let e = refused(
        None,
        &format!("{id}&IpProtocol=icmp&Ipv6DestCidrIp=::1"),
        (
            400,
            "InvalidParam.Ipv4ProtocolConflictWithIpv6Address",
            "IpProtocol icmp is IPv4-only but Ipv6DestCidrIp is an IPv6 address; use icmpv6",
        ),
        Some("Ipv6DestCidrIp"),
    );
    assert_eq!(e.to_string(), e.detail().to_string());
    // The merged rule's families, for the executor.
    let v6 = Destination::Ipv6("::1".parse().unwrap());
    assert_eq!(check_families(IpProtocol::Tcp, &v6, None), Ok(()));
    assert_eq!(
        check_families(IpProtocol::Icmp, &v6, None)
            .unwrap_err()
            .code(),
        "InvalidParam.Ipv4ProtocolConflictWithIpv6Address"
    );
    let v4_source = Some(Source::Ipv4("1.2.3.4".parse().unwrap()));
    assert_eq!(
        check_families(IpProtocol::Tcp, &v6, v4_source)
            .unwrap_err()
            .parameter(),
        Some("SourceCidrIp")
    );
}

#[test]
fn modify_by_id_checks_in_spec_order() {
    let shape = (400, "InvalidParam.SecurityGroupRuleId", RULE_ID);
    // SecurityGroupId, then the rule id's shape, then the fields in §6 order.
    refused(
        None,
        "RegionId=r&SecurityGroupRuleId=bad&Policy=x",
        (400, "MissingParameter", &missing("SecurityGroupId")),
        Some("SecurityGroupId"),
    );
    for bad in ["bad", "sgr-", "sgr-a_b", &format!("sgr-{}", "1".repeat(65))] {
        refused(
            None,
            &format!("{G}&SecurityGroupRuleId={bad}&Policy=x&IpProtocol=y"),
            shape,
            Some("SecurityGroupRuleId"),
        );
    }
    refused(
        None,
        &format!("{G}&SecurityGroupRuleId=sgr-1&Policy=x&IpProtocol=y"),
        (
            400,
            "InvalidIpProtocol.ValueNotSupported",
            NOT_SUPPORTED_PROTOCOL,
        ),
        Some("IpProtocol"),
    );
    // Description, then ClientToken, then the addresses.
    refused(
        None,
        &format!(
            "{G}&SecurityGroupRuleId=sgr-1&DestCidrIp=x&ClientToken=a%20b&Description={}",
            "d".repeat(513)
        ),
        (
            400,
            "InvalidSecurityGroupDiscription.Malformed",
            "The specified security group rule description is not valid.",
        ),
        Some("Description"),
    );
    refused(
        None,
        &format!("{G}&SecurityGroupRuleId=sgr-1&DestCidrIp=x&ClientToken=a%20b"),
        (400, "InvalidParameter", &invalid("ClientToken")),
        Some("ClientToken"),
    );
}

// ---------------------------------------------------------------- Describe

#[test]
fn describe_reads_its_filters() {
    let r = describe(G);
    assert_eq!(
        (r.region_id(), r.security_group_id()),
        ("cn-hangzhou", "sg-1")
    );
    assert_eq!(
        (r.direction(), r.nic_type(), r.max_results(), r.next_token()),
        (Direction::All, NicTypeFilter::Absent, 500, None)
    );
    let r = describe(&format!(
        "{G}&Direction=EGRESS&NicType=Intranet&MaxResults=10&NextToken=abc%3D%3D"
    ));
    assert_eq!(
        (r.direction(), r.nic_type(), r.max_results(), r.next_token()),
        (
            Direction::Egress,
            NicTypeFilter::Given(NicType::Intranet),
            10,
            Some("abc==")
        )
    );
    let r = describe(&format!(
        "{G}&Direction=ingress&NicType=&MaxResults=01000&NextToken="
    ));
    assert_eq!(
        (r.direction(), r.nic_type(), r.max_results(), r.next_token()),
        (Direction::Ingress, NicTypeFilter::Empty, 1000, None)
    );
    let r = describe(&format!("{G}&Direction=&MaxResults="));
    assert_eq!((r.direction(), r.max_results()), (Direction::All, 500));
    assert_eq!(
        describe(&format!("{G}&Direction=aLL")).direction(),
        Direction::All
    );
    // Describe does not read rule fields.
    describe(&format!("{G}&IpProtocol=bogus&Policy=x"));
}

#[test]
fn describe_refuses_with_its_own_rows() {
    refused(
        Some(Action::Describe),
        "SecurityGroupId=sg-1",
        (
            400,
            "MissingParameter.RegionId",
            "The parameter RegionId is missing.",
        ),
        Some("RegionId"),
    );
    refused(
        Some(Action::Describe),
        "RegionId=&SecurityGroupId=sg-1",
        (
            400,
            "MissingParameter.RegionId",
            "The parameter RegionId is missing.",
        ),
        Some("RegionId"),
    );
    refused(
        Some(Action::Describe),
        "RegionId=r",
        (400, "MissingParameter", &missing("SecurityGroupId")),
        Some("SecurityGroupId"),
    );
    let bad = (400, "InvalidParamter", INVALID_PARAMTER);
    for direction in ["out", "egress ", "both"] {
        refused(
            Some(Action::Describe),
            &format!("{G}&Direction={direction}"),
            bad,
            Some("Direction"),
        );
    }
    for max in ["9", "1001", "0", "x", "-10", "1e2", "65536", "99999999999"] {
        refused(
            Some(Action::Describe),
            &format!("{G}&MaxResults={max}"),
            bad,
            Some("MaxResults"),
        );
    }
    refused(
        Some(Action::Describe),
        &format!("{G}&NicType=public"),
        (
            400,
            "InvalidNicType.ValueNotSupported",
            "The specified NicType does not exist.",
        ),
        Some("NicType"),
    );
    // Order: RegionId, SecurityGroupId, Direction, NicType, MaxResults.
    refused(
        Some(Action::Describe),
        "Direction=x&SecurityGroupId=sg-1",
        (
            400,
            "MissingParameter.RegionId",
            "The parameter RegionId is missing.",
        ),
        Some("RegionId"),
    );
    refused(
        Some(Action::Describe),
        &format!("{G}&MaxResults=1&NicType=x&Direction=x"),
        bad,
        Some("Direction"),
    );
    refused(
        Some(Action::Describe),
        &format!("{G}&MaxResults=1&NicType=x"),
        (
            400,
            "InvalidNicType.ValueNotSupported",
            "The specified NicType does not exist.",
        ),
        Some("NicType"),
    );
    // A token the executor does not recognise.
    let r = describe(&format!("{G}&NextToken=zz"));
    let e = r.bad_next_token();
    assert_eq!(
        (e.status(), e.code(), e.to_string().as_str(), e.parameter()),
        (400, "InvalidParamter", INVALID_PARAMTER, Some("NextToken"))
    );
}

// ------------------------------------------------------------- fingerprint

#[test]
fn fingerprints_follow_the_normalised_request() {
    let fp = |action, q: &str| ok(action, q).fingerprint();
    let a = Some(Action::Authorize);
    let base = format!("{G}&IpProtocol=tcp&PortRange=22/22&DestCidrIp=10.0.0.1");
    let same = [
        format!("{base}&ClientToken=x"),
        format!(
            "{G}&IpProtocol=TCP&PortRange=022/22&DestCidrIp=10.0.0.1&Policy=Accept&Priority=&Foo=bar"
        ),
        format!(
            "{G}&Permissions.7.IpProtocol=tcp&Permissions.7.PortRange=22%2F22&Permissions.7.DestCidrIp=10.0.0.1"
        ),
        format!("Format=JSON&Version=2014-05-26&{base}&NicType"),
    ];
    // `NicType` bare is its error, so the last one differs in what it is.
    for q in &same[..3] {
        assert_eq!(fp(a, q), fp(a, &base), "{q}");
    }
    assert!(parse(a, &same[3]).is_err());
    for q in [
        format!("{base}&Description="),
        format!("{base}&Description=x"),
        format!("{base}&Priority=1"),
        format!("{base}&NicType=intranet"),
        format!("{G}&IpProtocol=tcp&PortRange=22/22&DestCidrIp=10.0.0.1/32"),
        "RegionId=cn-beijing&SecurityGroupId=sg-1&IpProtocol=tcp&PortRange=22/22&DestCidrIp=10.0.0.1"
            .to_string(),
    ] {
        assert_ne!(fp(a, &q), fp(a, &base), "{q}");
    }
    // The action is part of it.
    assert_ne!(fp(Some(Action::Revoke), &base), fp(a, &base));
    assert_ne!(fp(None, &base), fp(a, &base));
    // Order of permissions counts, their numbers do not.
    let two = |m: u8, n: u8| {
        format!(
            "{G}&Permissions.{m}.IpProtocol=tcp&Permissions.{m}.PortRange=1/1&Permissions.{m}.DestCidrIp=1.1.1.1\
             &Permissions.{n}.IpProtocol=udp&Permissions.{n}.PortRange=2/2&Permissions.{n}.DestCidrIp=2.2.2.2"
        )
    };
    assert_eq!(fp(a, &two(1, 2)), fp(a, &two(3, 90)));
    assert_ne!(fp(a, &two(1, 2)), fp(a, &two(2, 1)));
    // Revoke by ids, Modify by id.
    let r = Some(Action::Revoke);
    assert_eq!(
        fp(
            r,
            &format!("{G}&SecurityGroupRuleId.1=sgr-a&SecurityGroupRuleId.2=sgr-b")
        ),
        fp(
            r,
            &format!("{G}&SecurityGroupRuleId.5=sgr%2Da&SecurityGroupRuleId.9=sgr-b")
        )
    );
    assert_ne!(
        fp(
            None,
            &format!("{G}&SecurityGroupRuleId=sgr-a&Description=x")
        ),
        fp(None, &format!("{G}&SecurityGroupRuleId=sgr-a&Description="))
    );
}

#[test]
fn list_forms_read_through_the_pages_layout() {
    let q = format!(
        "https://ecs.aliyuncs.com/?Action=AuthorizeSecurityGroupEgress\n&{G}\r\n\
         &Permissions.2.IpProtocol=udp\n&Permissions.2.PortRange=53/53\n&Permissions.2.DestCidrIp=10.0.0.2\n\
         &{P1}\n&Permissions.1.Description=a+b\n&<公共请求参数>\n"
    );
    let r = authorize(&q);
    let all: Vec<_> = r
        .permissions()
        .map(|(_, p)| (p.port_range.start(), p.description))
        .collect();
    assert_eq!(all, [(Some(22), Some("a b")), (Some(53), None)]);
    // One parser, reused across actions and forms, answers as a new one.
    let mut parser = RequestParser::new();
    let queries = [
        (
            Some(Action::Revoke),
            format!("{G}&SecurityGroupRuleId.1=sgr-a&SecurityGroupRuleId.2=sgr-b"),
        ),
        (Some(Action::Authorize), q.clone()),
        (
            Some(Action::Revoke),
            format!("{G}&SecurityGroupRuleId.2=sgr-b"),
        ),
        (
            Some(Action::Authorize),
            format!(
                "{G}&Permissions.2.IpProtocol=tcp&Permissions.2.PortRange=1/1&Permissions.2.DestCidrIp=1.1.1.1"
            ),
        ),
        (
            None,
            format!("{G}&IpProtocol=tcp&PortRange=22/22&DestCidrIp=10.0.0.1"),
        ),
    ];
    for (action, query) in &queries {
        let reused = format!("{:?}", parser.parse_request(*action, query.as_str()));
        let fresh = format!(
            "{:?}",
            RequestParser::new().parse_request(*action, query.as_str())
        );
        assert_eq!(reused, fresh, "{query}");
    }
}

// ------------------------------------- Modify by parameters, prefix lists

#[test]
fn modify_by_parameters_finds_a_prefix_list_rule_in_a_vpc_group_only() {
    use aliyun_sg_egress::model::{EgressRule, GroupInfo, Network, RuleDestination};
    use aliyun_sg_egress::store::{BoundedStore, GroupStore};
    use aliyun_sg_egress::text::{GroupId, RegionId, VpcId};
    use aliyun_sg_egress::{identify, modify};

    let mut store: Box<BoundedStore<2, 4, 256>> = Box::new(BoundedStore::new());
    let info = |id: &str, network| {
        GroupInfo::new(
            GroupId::parse(id).unwrap(),
            RegionId::parse("cn-hangzhou").unwrap(),
            network,
        )
    };
    let vpc = Network::Vpc {
        id: VpcId::parse("vpc-1").unwrap(),
        classic_link: false,
    };
    let g = store.add_group(info("sg-1", vpc)).unwrap();
    store.add_group(info("sg-c", Network::Classic)).unwrap();
    let rule = EgressRule {
        protocol: IpProtocol::Tcp,
        port_range: PortRange::new(22, 22).unwrap(),
        source_port_range: None,
        nic_type: NicType::Intranet,
        policy: Policy::Accept,
        priority: Priority::DEFAULT,
        destination: RuleDestination::PrefixList("pl-1"),
        source: None,
        description: "old",
    };
    let index = store.add_rule(g, &rule).unwrap();

    let mut parser = RequestParser::new();
    let q = format!(
        "{G}&IpProtocol=tcp&PortRange=22/22&DestPrefixListId=pl-1&NicType=internet&Description=new"
    );
    let request = parser.parse(&q).unwrap();
    assert_eq!(identify(&*store, &request).unwrap().rule_index, index);
    assert!(modify(&mut *store, &request).unwrap().changed);
    assert_eq!(store.rule(g, index).unwrap().description(), "new");
    // Another prefix list is another rule.
    let q = format!("{G}&IpProtocol=tcp&PortRange=22/22&DestPrefixListId=pl-2");
    let e = identify(&*store, &parser.parse(&q).unwrap()).unwrap_err();
    assert_eq!(e.code(), "SecurityGroupRule.NotFound");
    // A classic group has none.
    let q = "RegionId=cn-hangzhou&SecurityGroupId=sg-c&IpProtocol=tcp&PortRange=22/22&DestPrefixListId=pl-1";
    let e = identify(&*store, &parser.parse(q).unwrap()).unwrap_err();
    assert_eq!(
        (e.status(), e.code(), e.to_string().as_str()),
        (
            400,
            "NotSupported.ClassicNetworkPrefixList",
            "The prefix list is not supported when the network type of security group is classic."
        )
    );
}

/// Every byte of `text` as `%XX`.
fn encoded(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[test]
fn a_query_of_encoded_kept_text_near_the_limit_reads_back_whole() {
    // 100 permissions whose descriptions and ids are all escapes: every
    // one is decoded once into the parser's buffer and kept, and all of
    // them fit beside the values looked at.
    let description = "杭州".repeat(27);
    let mut query = String::from(G);
    for n in 1..=100 {
        query += &format!(
            "&Permissions.{n}.IpProtocol=tcp&Permissions.{n}.PortRange={n}/{n}\
             &Permissions.{n}.DestCidrIp=10.0.0.1&Permissions.{n}.Description={}",
            encoded(&format!("{n} {description}"))
        );
    }
    assert!(
        query.len() > 60 * 1024 && query.len() <= QUERY_MAX_BYTES,
        "{}",
        query.len()
    );
    let request = authorize(&query);
    let read: Vec<_> = request.permissions().map(|(_, p)| p.description).collect();
    let expected: Vec<_> = (1..=100).map(|n| format!("{n} {description}")).collect();
    assert_eq!(read.len(), 100);
    for (read, expected) in read.iter().zip(&expected) {
        assert_eq!(*read, Some(expected.as_str()));
    }

    let ids: Vec<String> = (1..=100).map(|n| format!("sgr-{n:0>60}")).collect();
    let mut query = String::from(G);
    for (n, id) in ids.iter().enumerate() {
        query += &format!("&SecurityGroupRuleId.{}={}", n + 1, encoded(id));
    }
    let RevokeRequest::ByIds(request) = revoke(&query) else {
        panic!("not by ids")
    };
    assert_eq!(request.ids().collect::<Vec<_>>(), ids);
}
