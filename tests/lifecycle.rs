//! The egress-rule lifecycle (SPEC §12): every action's rows, on a state
//! loaded from a dump, asserting code, status and message.
#![cfg(feature = "serde")]

use aliyun_sg_egress::error::ApiError;
use aliyun_sg_egress::lifecycle::{self, Done, Env};
use aliyun_sg_egress::request::{Action, Request, RequestParser};
use aliyun_sg_egress::state::State;
use aliyun_sg_egress::store::Tokens;
use aliyun_sg_egress::{Format, RequestId};
use serde_json::Value;

const NOW: &str = "2026-12-02T06:00:00Z";

/// Two VPC groups in one VPC, a classic group, and a rule of each kind.
const DUMP: &str = r#"{"SecurityGroups": [
 {"SecurityGroupId": "sg-1", "RegionId": "cn-hangzhou", "VpcId": "vpc-1",
  "Permissions": {"Permission": [
   {"SecurityGroupRuleId": "sgr-web", "Direction": "egress", "IpProtocol": "TCP", "PortRange": "80/80",
    "NicType": "intranet", "Policy": "Accept", "Priority": 1, "DestCidrIp": "10.0.0.0/8",
    "Description": "web", "CreateTime": "2024-01-01T00:00:00Z"},
   {"SecurityGroupRuleId": "sgr-dns", "Direction": "egress", "IpProtocol": "UDP", "PortRange": "53/53",
    "NicType": "intranet", "Policy": "Accept", "Priority": 5, "DestCidrIp": "10.0.0.2",
    "Description": "", "CreateTime": "2024-01-01T00:00:00Z"},
   {"SecurityGroupRuleId": "sgr-in", "Direction": "ingress", "IpProtocol": "TCP", "PortRange": "22/22",
    "SourceCidrIp": "0.0.0.0/0", "Policy": "Accept", "Priority": 1, "CreateTime": "2024-01-01T00:00:00Z"},
   {"SecurityGroupRuleId": "sgr-num", "Direction": "egress", "IpProtocol": "47", "PortRange": "-1/-1",
    "NicType": "intranet", "Policy": "Accept", "Priority": 1, "DestCidrIp": "10.2.0.0/16",
    "Description": "gre by number", "CreateTime": "2024-01-01T00:00:00Z"}
  ]}},
 {"SecurityGroupId": "sg-2", "RegionId": "cn-hangzhou", "VpcId": "vpc-1",
  "Permissions": {"Permission": [
   {"SecurityGroupRuleId": "sgr-other", "Direction": "egress", "IpProtocol": "TCP", "PortRange": "443/443",
    "NicType": "intranet", "Policy": "Accept", "Priority": 1, "DestCidrIp": "10.0.0.0/8",
    "Description": "", "CreateTime": "2024-01-01T00:00:00Z"}
  ]}},
 {"SecurityGroupId": "sg-c", "RegionId": "cn-hangzhou",
  "Permissions": {"Permission": [
   {"SecurityGroupRuleId": "sgr-cl", "Direction": "egress", "IpProtocol": "TCP", "PortRange": "22/22",
    "NicType": "internet", "Policy": "Accept", "Priority": 1, "DestCidrIp": "1.2.3.4",
    "Description": "", "CreateTime": "2024-01-01T00:00:00Z"}
  ]}}
], "PrefixLists": ["pl-known"]}"#;

/// A store, its token memory, and a deterministic id source.
struct World {
    state: State,
    tokens: Box<Tokens>,
    quota: usize,
    next_id: u32,
    /// Ids the source hands out before counting (to test retries).
    forced_ids: Vec<[u8; 20]>,
}

fn id_of(n: u32) -> [u8; 20] {
    let mut id = *b"00000000000000000000";
    let text = format!("{n:020}");
    id.copy_from_slice(text.as_bytes());
    id
}

impl World {
    fn new() -> World {
        World::from(DUMP)
    }

    fn from(dump: &str) -> World {
        World {
            state: State::from_json(dump).unwrap(),
            tokens: Box::new(Tokens::new()),
            quota: 200,
            next_id: 0,
            forced_ids: Vec::new(),
        }
    }

    fn run(&mut self, action: Action, query: &str) -> Result<Done, ApiError> {
        let query = format!("RegionId=cn-hangzhou&{query}");
        let mut parser = Box::new(RequestParser::new());
        let request = parser.parse_request(Some(action), &query)?;
        let lists: Vec<String> = vec!["pl-known".into()];
        let exists = |id: &str| lists.iter().any(|l| l == id);
        let forced = &mut self.forced_ids;
        let counter = &mut self.next_id;
        let mut ids = || {
            if forced.is_empty() {
                *counter += 1;
                id_of(*counter)
            } else {
                forced.remove(0)
            }
        };
        let mut env = Env::new(NOW, &mut ids).with_tokens(&mut self.tokens);
        env.rule_quota = self.quota;
        env.prefix_lists = Some(&exists);
        lifecycle::execute(&mut self.state, &mut env, &request)
    }

    fn ok(&mut self, action: Action, query: &str) -> bool {
        match self.run(action, query) {
            Ok(done) => done.changed,
            Err(e) => panic!("{query}: {} {} {e}", e.status(), e.code()),
        }
    }

    /// The error as (status, code, message).
    fn err(&mut self, action: Action, query: &str) -> (u16, &'static str, String) {
        match self.run(action, query) {
            Ok(done) => panic!("{query}: succeeded: {done:?}"),
            Err(e) => (e.status(), e.code(), e.to_string()),
        }
    }

    fn describe(&self, query: &str, format: Format) -> String {
        let query = format!("RegionId=cn-hangzhou&{query}");
        let mut parser = Box::new(RequestParser::new());
        let request = parser
            .parse_request(Some(Action::Describe), &query)
            .unwrap();
        let Request::Describe(request) = request else {
            panic!("not a describe request")
        };
        let mut body = String::new();
        lifecycle::write_describe(
            &self.state,
            &request,
            format,
            RequestId::from_u128(1),
            &mut body,
        )
        .unwrap();
        body
    }

    /// The group's egress rules as Describe shows them (JSON values).
    fn rules(&self, group: &str) -> Vec<Value> {
        let body = self.describe(
            &format!("SecurityGroupId={group}&Direction=egress&MaxResults=1000"),
            Format::Json,
        );
        let v: Value = serde_json::from_str(&body).unwrap();
        v["Permissions"]["Permission"].as_array().unwrap().clone()
    }

    fn ids(&self, group: &str) -> Vec<String> {
        self.rules(group)
            .iter()
            .map(|r| r["SecurityGroupRuleId"].as_str().unwrap().to_owned())
            .collect()
    }
}

const TCP_443: &str = "IpProtocol=tcp&PortRange=443/443&DestCidrIp=10.0.0.0/8";

// ---- Authorize (§12.3) ----

#[test]
fn authorize_adds_a_rule_with_every_describe_field() {
    let mut w = World::new();
    assert!(w.ok(
        Action::Authorize,
        &format!("SecurityGroupId=sg-1&{TCP_443}&Description=https")
    ));
    let rules = w.rules("sg-1");
    assert_eq!(rules.len(), 4);
    assert_eq!(
        serde_json::to_string(&rules[3]).unwrap(),
        r#"{"SecurityGroupRuleId":"sgr-00000000000000000001","Direction":"egress","IpProtocol":"TCP","PortRange":"443/443","SourcePortRange":"","NicType":"intranet","Policy":"Accept","Priority":"1","DestCidrIp":"10.0.0.0/8","Ipv6DestCidrIp":"","DestGroupId":"","DestGroupOwnerAccount":"","DestGroupName":"","DestPrefixListId":"","DestPrefixListName":"","SourceCidrIp":"","Ipv6SourceCidrIp":"","Description":"https","CreateTime":"2026-12-02T06:00:00Z"}"#
    );
}

#[test]
fn authorize_takes_permissions_in_ascending_n() {
    let mut w = World::new();
    let q = "SecurityGroupId=sg-1\
        &Permissions.7.IpProtocol=udp&Permissions.7.PortRange=123/123&Permissions.7.DestCidrIp=10.0.0.7\
        &Permissions.2.IpProtocol=tcp&Permissions.2.PortRange=25/25&Permissions.2.DestCidrIp=10.0.0.2&Permissions.2.Priority=9";
    assert!(w.ok(Action::Authorize, q));
    let rules = w.rules("sg-1");
    assert_eq!(rules[3]["PortRange"], "25/25");
    assert_eq!(rules[3]["Priority"], "9");
    assert_eq!(rules[4]["PortRange"], "123/123");
    assert_eq!(
        w.ids("sg-1")[3..],
        ["sgr-00000000000000000001", "sgr-00000000000000000002"]
    );
}

#[test]
fn an_already_granted_permission_succeeds_and_changes_nothing() {
    let mut w = World::new();
    let q = "SecurityGroupId=sg-1&IpProtocol=tcp&PortRange=80/80&DestCidrIp=10.0.0.0/8&Priority=7&Description=new";
    assert!(!w.ok(Action::Authorize, q));
    let rules = w.rules("sg-1");
    assert_eq!(rules.len(), 3);
    assert_eq!(rules[0]["Priority"], "1");
    assert_eq!(rules[0]["Description"], "web");
}

#[test]
fn the_quota_counts_egress_rules_and_only_new_ones() {
    let mut w = World::new();
    w.quota = 4; // sg-1 holds 3 egress rules (one opaque) and 1 ingress rule
    let two = "SecurityGroupId=sg-1\
        &Permissions.1.IpProtocol=tcp&Permissions.1.PortRange=1/1&Permissions.1.DestCidrIp=10.0.0.1\
        &Permissions.2.IpProtocol=tcp&Permissions.2.PortRange=2/2&Permissions.2.DestCidrIp=10.0.0.1";
    assert_eq!(
        w.err(Action::Authorize, two),
        (
            403,
            "AuthorizationLimitExceed",
            "The limit of authorization records in the security group reaches.".into()
        )
    );
    assert_eq!(w.rules("sg-1").len(), 3, "nothing added");
    assert!(w.ok(
        Action::Authorize,
        &format!("SecurityGroupId=sg-1&{TCP_443}")
    ));
    // Full now; re-authorizing an existing rule still succeeds.
    assert!(!w.ok(
        Action::Authorize,
        &format!("SecurityGroupId=sg-1&{TCP_443}")
    ));
    assert_eq!(w.err(Action::Authorize, two).1, "AuthorizationLimitExceed");
}

fn group_rules(from: u32, count: u32) -> String {
    (0..count)
        .map(|i| {
            let n = i + 1;
            format!(
                "&Permissions.{n}.IpProtocol=tcp&Permissions.{n}.PortRange={p}/{p}&Permissions.{n}.DestGroupId=sg-2",
                p = from + i
            )
        })
        .collect()
}

#[test]
fn at_most_twenty_group_rules_checked_before_the_quota() {
    let mut w = World::new();
    assert!(w.ok(
        Action::Authorize,
        &format!("SecurityGroupId=sg-1{}", group_rules(1000, 20))
    ));
    w.quota = 23; // full as well: the group limit is reported first
    let expected = (
        400,
        "AuthorizedGroupRule.LimitExceed",
        "You have reached the limit on the number of group authorization rules that you can add to a security group.When authorization object of rule is security group, the limit is 20.".to_owned(),
    );
    assert_eq!(
        w.err(
            Action::Authorize,
            &format!("SecurityGroupId=sg-1{}", group_rules(2000, 1))
        ),
        expected
    );
    assert_eq!(w.rules("sg-1").len(), 23);
    // A CIDR rule is not limited by it.
    w.quota = 200;
    assert!(w.ok(
        Action::Authorize,
        &format!("SecurityGroupId=sg-1&{TCP_443}")
    ));
}

#[test]
fn duplicate_permissions_in_one_request() {
    let mut w = World::new();
    // Same key once the VPC group reads NicType: internet is intranet here.
    let q = "SecurityGroupId=sg-1\
        &Permissions.1.IpProtocol=tcp&Permissions.1.PortRange=9/9&Permissions.1.DestCidrIp=10.0.0.9\
        &Permissions.2.IpProtocol=TCP&Permissions.2.PortRange=9/9&Permissions.2.DestCidrIp=10.0.0.9&Permissions.2.NicType=internet&Permissions.2.Priority=3";
    assert_eq!(
        w.err(Action::Authorize, q),
        (
            400,
            "InvalidParam.DuplicatePermissions",
            "There are duplicate permissions in the specified parameter Permissions.".into()
        )
    );
    assert_eq!(w.rules("sg-1").len(), 3);
}

#[test]
fn authorize_into_an_unknown_group_or_region() {
    let mut w = World::new();
    let e = w.err(
        Action::Authorize,
        &format!("SecurityGroupId=sg-9&{TCP_443}"),
    );
    assert_eq!((e.0, e.1), (404, "InvalidSecurityGroupId.NotFound"));
    // A group of another region is not found either.
    let mut parser = Box::new(RequestParser::new());
    let query = format!("RegionId=cn-beijing&SecurityGroupId=sg-1&{TCP_443}");
    let request = parser
        .parse_request(Some(Action::Authorize), &query)
        .unwrap();
    let mut ids = || id_of(1);
    let mut env = Env::new(NOW, &mut ids);
    let e = lifecycle::execute(&mut w.state, &mut env, &request).unwrap_err();
    assert_eq!(
        (e.status(), e.code()),
        (404, "InvalidSecurityGroupId.NotFound")
    );
    assert_eq!(w.rules("sg-1").len(), 3);
}

#[test]
fn prefix_list_destinations() {
    let mut w = World::new();
    assert!(w.ok(
        Action::Authorize,
        "SecurityGroupId=sg-1&IpProtocol=tcp&PortRange=443/443&DestPrefixListId=pl-known&NicType=internet"
    ));
    let rules = w.rules("sg-1");
    assert_eq!(rules[3]["DestPrefixListId"], "pl-known");
    assert_eq!(rules[3]["NicType"], "intranet");
    assert_eq!(
        w.err(
            Action::Authorize,
            "SecurityGroupId=sg-1&IpProtocol=tcp&PortRange=443/443&DestPrefixListId=pl-nope"
        ),
        (
            404,
            "InvalidPrefixListId.NotFound",
            "The specified prefix list was not found.".into()
        )
    );
    assert_eq!(
        w.err(
            Action::Authorize,
            "SecurityGroupId=sg-c&IpProtocol=tcp&PortRange=443/443&DestPrefixListId=pl-known"
        ),
        (
            400,
            "NotSupported.ClassicNetworkPrefixList",
            "The prefix list is not supported when the network type of security group is classic."
                .into()
        )
    );
    // A CIDR beside it wins: the prefix list is ignored.
    assert!(w.ok(
        Action::Authorize,
        "SecurityGroupId=sg-c&IpProtocol=tcp&PortRange=443/443&DestCidrIp=1.1.1.1&DestPrefixListId=pl-known"
    ));
}

#[test]
fn a_new_rule_id_in_use_is_drawn_again_then_internal_error() {
    let mut w = World::new();
    w.next_id = 0;
    assert!(w.ok(
        Action::Authorize,
        &format!("SecurityGroupId=sg-1&{TCP_443}")
    ));
    // The source now hands out the id just used, then a fresh one.
    w.forced_ids = vec![id_of(1), id_of(1)];
    assert!(w.ok(
        Action::Authorize,
        "SecurityGroupId=sg-2&IpProtocol=tcp&PortRange=8/8&DestCidrIp=10.0.0.8"
    ));
    assert_eq!(w.ids("sg-2")[1], "sgr-00000000000000000002");
    w.forced_ids = vec![id_of(1); 16];
    let e = w.err(
        Action::Authorize,
        "SecurityGroupId=sg-2&IpProtocol=tcp&PortRange=9/9&DestCidrIp=10.0.0.8",
    );
    assert_eq!((e.0, e.1), (500, "InternalError"));
    assert_eq!(w.rules("sg-2").len(), 2);
}

// ---- Revoke (§12.4) ----

#[test]
fn revoke_by_ids_all_or_none() {
    let mut w = World::new();
    let not_found = (
        404,
        "InvalidSecurityGroupRuleId.NotFound",
        "The specified SecurityGroupRuleId is not exists.".to_owned(),
    );
    // Another group's rule, an ingress rule, an unknown id.
    for other in ["sgr-other", "sgr-in", "sgr-nothere"] {
        let q = format!(
            "SecurityGroupId=sg-1&SecurityGroupRuleId.1=sgr-web&SecurityGroupRuleId.2={other}"
        );
        assert_eq!(w.err(Action::Revoke, &q), not_found, "{other}");
        assert_eq!(w.rules("sg-1").len(), 3);
    }
    // Case matters.
    assert_eq!(
        w.err(
            Action::Revoke,
            "SecurityGroupId=sg-1&SecurityGroupRuleId.1=sgr-WEB"
        ),
        not_found
    );
    // An opaque rule can be revoked by id.
    assert!(w.ok(
        Action::Revoke,
        "SecurityGroupId=sg-1&SecurityGroupRuleId.1=sgr-num&SecurityGroupRuleId.3=sgr-web"
    ));
    assert_eq!(w.ids("sg-1"), ["sgr-dns"]);
}

#[test]
fn revoke_by_permissions() {
    let mut w = World::new();
    let missing = (
        400,
        "InvalidSecurityGroupRule.RuleNotExist",
        "The specified rule does not exist.".to_owned(),
    );
    assert_eq!(
        w.err(Action::Revoke, &format!("SecurityGroupId=sg-1&{TCP_443}")),
        missing
    );
    // The Priority filter: the DNS rule has priority 5.
    let dns = "SecurityGroupId=sg-1&IpProtocol=udp&PortRange=53/53&DestCidrIp=10.0.0.2";
    assert_eq!(w.err(Action::Revoke, &format!("{dns}&Priority=4")), missing);
    // All or none: the second permission finds nothing.
    let q = "SecurityGroupId=sg-1\
        &Permissions.1.IpProtocol=udp&Permissions.1.PortRange=53/53&Permissions.1.DestCidrIp=10.0.0.2\
        &Permissions.2.IpProtocol=tcp&Permissions.2.PortRange=1/1&Permissions.2.DestCidrIp=10.0.0.2";
    assert_eq!(w.err(Action::Revoke, q), missing);
    assert_eq!(w.rules("sg-1").len(), 3);
    assert!(w.ok(Action::Revoke, &format!("{dns}&Priority=5")));
    assert_eq!(w.ids("sg-1"), ["sgr-web", "sgr-num"]);
}

#[test]
fn revoke_in_a_classic_group_on_the_other_nic() {
    let mut w = World::new();
    let q =
        "SecurityGroupId=sg-c&IpProtocol=tcp&PortRange=22/22&DestCidrIp=1.2.3.4&NicType=intranet";
    let e = w.err(Action::Revoke, q);
    assert_eq!((e.0, e.1), (400, "InvalidNicType.Mismatch"));
    assert!(w.ok(
        Action::Revoke,
        "SecurityGroupId=sg-c&IpProtocol=tcp&PortRange=22/22&DestCidrIp=1.2.3.4"
    ));
    assert!(w.rules("sg-c").is_empty());
}

#[test]
fn authorize_then_revoke_leaves_the_group_as_it_was() {
    let mut w = World::new();
    let before = w.rules("sg-1");
    assert!(w.ok(
        Action::Authorize,
        &format!("SecurityGroupId=sg-1&{TCP_443}")
    ));
    assert!(w.ok(Action::Revoke, &format!("SecurityGroupId=sg-1&{TCP_443}")));
    assert_eq!(w.rules("sg-1"), before);
}

// ---- Modify by rule id (§12.5) ----

#[test]
fn modify_by_id_merges_the_given_fields() {
    let mut w = World::new();
    assert!(w.ok(
        Action::Modify,
        "SecurityGroupId=sg-1&SecurityGroupRuleId=sgr-web&PortRange=8080/8080&Priority=3"
    ));
    let rule = &w.rules("sg-1")[0];
    assert_eq!(
        (rule["PortRange"].as_str(), rule["Priority"].as_str()),
        (Some("8080/8080"), Some("3"))
    );
    assert_eq!(rule["Description"], "web");
    // Nothing given: success, nothing changes.
    assert!(!w.ok(
        Action::Modify,
        "SecurityGroupId=sg-1&SecurityGroupRuleId=sgr-web"
    ));
    // An empty Description clears it.
    assert!(w.ok(
        Action::Modify,
        "SecurityGroupId=sg-1&SecurityGroupRuleId=sgr-web&Description="
    ));
    assert_eq!(w.rules("sg-1")[0]["Description"], "");
}

#[test]
fn modify_by_id_checks_the_merged_rule() {
    let mut w = World::new();
    // ALL takes -1/-1: the rule's 80/80 does not fit it.
    let e = w.err(
        Action::Modify,
        "SecurityGroupId=sg-1&SecurityGroupRuleId=sgr-web&IpProtocol=all",
    );
    assert_eq!((e.0, e.1), (400, "OperationDenied"));
    // ICMPv6 with the rule's IPv4 destination.
    let e = w.err(
        Action::Modify,
        "SecurityGroupId=sg-1&SecurityGroupRuleId=sgr-web&IpProtocol=icmpv6&PortRange=-1/-1",
    );
    assert_eq!(
        (e.0, e.1),
        (400, "InvalidParam.Ipv6ProtocolConflictWithIpv4Address")
    );
    assert!(w.ok(
        Action::Modify,
        "SecurityGroupId=sg-1&SecurityGroupRuleId=sgr-web&IpProtocol=all&PortRange=-1/-1"
    ));
    assert_eq!(w.rules("sg-1")[0]["IpProtocol"], "ALL");
}

#[test]
fn modify_by_id_refusals() {
    let mut w = World::new();
    let q = |rest: &str| format!("SecurityGroupId=sg-1&SecurityGroupRuleId=sgr-web&{rest}");
    assert_eq!(
        w.err(Action::Modify, &q("Ipv6DestCidrIp=2001:db8::/32")),
        (
            400,
            "InvalidOperation.ModifySgRuleEntityType",
            "The source or destination type of the rules cannot be modified.".into()
        )
    );
    assert_eq!(
        w.err(Action::Modify, &q("DestGroupId=sg-2")).1,
        "InvalidOperation.ModifySgRuleEntityType"
    );
    // A CIDR of the same kind is allowed; internet reads as intranet in a VPC group.
    assert!(w.ok(
        Action::Modify,
        &q("DestCidrIp=10.1.0.0/16&NicType=internet")
    ));
    let mut c = World::new();
    assert_eq!(
        c.err(
            Action::Modify,
            "SecurityGroupId=sg-c&SecurityGroupRuleId=sgr-cl&NicType=intranet"
        ),
        (
            400,
            "InvalidOperation.ModifyNicType",
            "NicType is not allowed to modify.".into()
        )
    );
    // The DNS rule's key once merged.
    let e = w.err(
        Action::Modify,
        &q("IpProtocol=udp&PortRange=53/53&DestCidrIp=10.0.0.2"),
    );
    assert_eq!((e.0, e.1), (400, "InvalidOperation.RuleDuplicate"));
    assert!(e.2.contains("sgr-dns"), "{}", e.2);
    assert_eq!(
        w.err(
            Action::Modify,
            "SecurityGroupId=sg-1&SecurityGroupRuleId=sgr-other&Description=x"
        ),
        (
            404,
            "InvalidSecurityGroupRuleId.NotFound",
            "The specified SecurityGroupRuleId is not exists.".into()
        )
    );
}

#[test]
fn an_unmodelled_rule_takes_a_description_only() {
    let mut w = World::new();
    assert_eq!(
        w.err(
            Action::Modify,
            "SecurityGroupId=sg-1&SecurityGroupRuleId=sgr-num&PortRange=1/1"
        ),
        (
            400,
            "InvalidParam.InvalidModifyRuleRequest",
            "The request parameters are illegal.".into()
        )
    );
    assert!(w.ok(
        Action::Modify,
        "SecurityGroupId=sg-1&SecurityGroupRuleId=sgr-num&Description=gre"
    ));
    let rules = w.rules("sg-1");
    assert_eq!(rules[2]["Description"], "gre");
    assert_eq!(rules[2]["IpProtocol"], "47");
}

// ---- Describe (§12.6) ----

#[test]
fn describe_pages_through_a_group() {
    let mut w = World::new();
    let many: String = (1..=25)
        .map(|n| format!("&Permissions.{n}.IpProtocol=tcp&Permissions.{n}.PortRange={n}/{n}&Permissions.{n}.DestCidrIp=10.9.0.0/16"))
        .collect();
    assert!(w.ok(Action::Authorize, &format!("SecurityGroupId=sg-2{many}")));
    let mut seen = Vec::new();
    let mut token = String::new();
    for page in 0.. {
        let q = if token.is_empty() {
            "SecurityGroupId=sg-2&MaxResults=10".to_owned()
        } else {
            format!("SecurityGroupId=sg-2&MaxResults=10&NextToken={token}")
        };
        let v: Value = serde_json::from_str(&w.describe(&q, Format::Json)).unwrap();
        let rules = v["Permissions"]["Permission"].as_array().unwrap();
        seen.extend(
            rules
                .iter()
                .map(|r| r["PortRange"].as_str().unwrap().to_owned()),
        );
        token = v["NextToken"].as_str().unwrap().to_owned();
        if token.is_empty() {
            assert_eq!((page, rules.len()), (2, 6));
            break;
        }
        assert_eq!(rules.len(), 10);
    }
    assert_eq!(seen.len(), 26);
    assert_eq!(seen[0], "443/443");
    assert_eq!(seen[25], "25/25");
}

#[test]
fn describe_refuses_a_token_of_another_group_or_filter() {
    let mut w = World::new();
    let many: String = (1..=12)
        .map(|n| format!("&Permissions.{n}.IpProtocol=tcp&Permissions.{n}.PortRange={n}/{n}&Permissions.{n}.DestCidrIp=10.9.0.0/16"))
        .collect();
    assert!(w.ok(Action::Authorize, &format!("SecurityGroupId=sg-1{many}")));
    let v: Value =
        serde_json::from_str(&w.describe("SecurityGroupId=sg-1&MaxResults=10", Format::Json))
            .unwrap();
    let token = v["NextToken"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 24);
    for q in [
        format!("SecurityGroupId=sg-2&MaxResults=10&NextToken={token}"),
        format!("SecurityGroupId=sg-1&MaxResults=10&Direction=egress&NextToken={token}"),
        "SecurityGroupId=sg-1&NextToken=nope".to_owned(),
    ] {
        let e = w.err(Action::Describe, &q);
        assert_eq!(
            e,
            (400, "InvalidParamter", "Invalid Parameter.".into()),
            "{q}"
        );
    }
}

#[test]
fn describe_filters_and_xml() {
    let w = World::new();
    let body = w.describe("SecurityGroupId=sg-c&NicType=intranet", Format::Xml);
    assert_eq!(
        body,
        "<DescribeSecurityGroupAttributeResponse><RequestId>00000000-0000-0000-0000-000000000001</RequestId>\
         <RegionId>cn-hangzhou</RegionId><SecurityGroupId>sg-c</SecurityGroupId><Permissions></Permissions>\
         <NextToken></NextToken></DescribeSecurityGroupAttributeResponse>"
    );
    let body = w.describe("SecurityGroupId=sg-c", Format::Xml);
    assert!(body.contains("<Permission><SecurityGroupRuleId>sgr-cl</SecurityGroupRuleId><Direction>egress</Direction><IpProtocol>TCP</IpProtocol>"), "{body}");
    let body = w.describe("SecurityGroupId=sg-1&Direction=ingress", Format::Json);
    assert!(
        body.contains(r#""Permissions":{"Permission":[]}"#),
        "{body}"
    );
    let mut w = w;
    let e = w.err(Action::Describe, "SecurityGroupId=sg-9");
    assert_eq!((e.0, e.1), (404, "InvalidSecurityGroupId.NotFound"));
}

// ---- ClientToken (§12.7) ----

#[test]
fn a_repeated_token_succeeds_once_and_a_changed_request_mismatches() {
    let mut w = World::new();
    let q = format!("SecurityGroupId=sg-1&{TCP_443}&ClientToken=t-1");
    assert!(w.ok(Action::Authorize, &q));
    assert!(w.ok(Action::Revoke, &format!("SecurityGroupId=sg-1&{TCP_443}")));
    // The same token and request: success, and no second change.
    assert!(!w.ok(Action::Authorize, &q));
    assert_eq!(w.rules("sg-1").len(), 3);
    // The flat form equals Permissions.1, keywords in any case.
    assert!(!w.ok(
        Action::Authorize,
        "SecurityGroupId=sg-1&Permissions.1.IpProtocol=TCP&Permissions.1.PortRange=443/443&Permissions.1.DestCidrIp=10.0.0.0/8&ClientToken=t-1"
    ));
    let mismatch = (
        400,
        "IdempotentParameterMismatch",
        "The request is retried with updated parameters.".to_owned(),
    );
    assert_eq!(
        w.err(
            Action::Authorize,
            &format!("SecurityGroupId=sg-1&{TCP_443}&Description=x&ClientToken=t-1")
        ),
        mismatch
    );
    assert_eq!(
        w.err(
            Action::Revoke,
            &format!("SecurityGroupId=sg-1&{TCP_443}&ClientToken=t-1")
        ),
        mismatch
    );
}

#[test]
fn a_failed_request_does_not_spend_its_token() {
    let mut w = World::new();
    let e = w.err(
        Action::Revoke,
        &format!("SecurityGroupId=sg-1&{TCP_443}&ClientToken=t-2"),
    );
    assert_eq!(e.1, "InvalidSecurityGroupRule.RuleNotExist");
    assert!(w.ok(
        Action::Authorize,
        &format!("SecurityGroupId=sg-1&{TCP_443}&ClientToken=t-2")
    ));
}

// ---- The state file follows (§10) ----

#[test]
fn saving_keeps_added_rules_and_drops_revoked_ones() {
    let mut w = World::new();
    assert!(w.ok(
        Action::Authorize,
        &format!(
            "SecurityGroupId=sg-2&{}",
            "IpProtocol=udp&PortRange=53/53&DestCidrIp=10.0.0.2"
        )
    ));
    assert!(w.ok(
        Action::Revoke,
        "SecurityGroupId=sg-2&SecurityGroupRuleId.1=sgr-other"
    ));
    let mut saved = String::new();
    w.state.write_json(&mut saved).unwrap();
    let v: Value = serde_json::from_str(&saved).unwrap();
    let rules = v["SecurityGroups"][1]["Permissions"]["Permission"]
        .as_array()
        .unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0]["SecurityGroupRuleId"], "sgr-00000000000000000001");
    assert_eq!(rules[0]["IpProtocol"], "UDP");
    assert_eq!(rules[0]["CreateTime"], NOW);
    // Reloads to the same rules.
    let again = World::from(&saved);
    assert_eq!(again.rules("sg-2"), w.rules("sg-2"));
}

// ---- Describe on a state: as the document holds it (§12.6) ----

impl World {
    fn describe_state(&self, query: &str, format: Format) -> String {
        let query = format!("RegionId=cn-hangzhou&{query}");
        let mut parser = Box::new(RequestParser::new());
        let Request::Describe(request) = parser
            .parse_request(Some(Action::Describe), &query)
            .unwrap()
        else {
            panic!("not a describe request")
        };
        let mut body = String::new();
        self.state
            .write_describe(&request, format, RequestId::from_u128(1), &mut body)
            .unwrap();
        body
    }
}

#[test]
fn a_state_describes_rules_exactly_as_read() {
    let w = World::new();
    // Describe's order for the group fields; the rule's own order and
    // JSON types (Priority a number) as read.
    assert_eq!(
        w.describe_state("SecurityGroupId=sg-c", Format::Json),
        r#"{"RequestId":"00000000-0000-0000-0000-000000000001","RegionId":"cn-hangzhou","SecurityGroupId":"sg-c","Permissions":{"Permission":[{"SecurityGroupRuleId":"sgr-cl","Direction":"egress","IpProtocol":"TCP","PortRange":"22/22","NicType":"internet","Policy":"Accept","Priority":1,"DestCidrIp":"1.2.3.4","Description":"","CreateTime":"2024-01-01T00:00:00Z"}]},"NextToken":""}"#
    );
    assert_eq!(
        w.describe_state("SecurityGroupId=sg-c", Format::Xml),
        "<DescribeSecurityGroupAttributeResponse><RequestId>00000000-0000-0000-0000-000000000001</RequestId>\
         <RegionId>cn-hangzhou</RegionId><SecurityGroupId>sg-c</SecurityGroupId><Permissions><Permission>\
         <SecurityGroupRuleId>sgr-cl</SecurityGroupRuleId><Direction>egress</Direction><IpProtocol>TCP</IpProtocol>\
         <PortRange>22/22</PortRange><NicType>internet</NicType><Policy>Accept</Policy><Priority>1</Priority>\
         <DestCidrIp>1.2.3.4</DestCidrIp><Description></Description><CreateTime>2024-01-01T00:00:00Z</CreateTime>\
         </Permission></Permissions><NextToken></NextToken></DescribeSecurityGroupAttributeResponse>"
    );
}

#[test]
fn a_state_describes_ingress_rules_and_group_fields() {
    let dump = DUMP.replace(
        r#""SecurityGroupId": "sg-1", "RegionId": "cn-hangzhou", "VpcId": "vpc-1","#,
        r#""SecurityGroupId": "sg-1", "RegionId": "cn-hangzhou", "VpcId": "vpc-1", "SecurityGroupName": "web", "Description": "web tier", "InnerAccessPolicy": "Accept", "Extra": 7,"#,
    );
    let w = World::from(&dump);
    let v: Value =
        serde_json::from_str(&w.describe_state("SecurityGroupId=sg-1", Format::Json)).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "RequestId",
            "RegionId",
            "SecurityGroupId",
            "SecurityGroupName",
            "Description",
            "VpcId",
            "InnerAccessPolicy",
            "Permissions",
            "NextToken"
        ]
    );
    let ids = |v: &Value| -> Vec<String> {
        v["Permissions"]["Permission"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["SecurityGroupRuleId"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(&v), ["sgr-web", "sgr-dns", "sgr-in", "sgr-num"]);
    let ingress: Value = serde_json::from_str(
        &w.describe_state("SecurityGroupId=sg-1&Direction=ingress", Format::Json),
    )
    .unwrap();
    assert_eq!(ids(&ingress), ["sgr-in"]);
    let egress: Value = serde_json::from_str(
        &w.describe_state("SecurityGroupId=sg-1&Direction=Egress", Format::Json),
    )
    .unwrap();
    assert_eq!(ids(&egress), ["sgr-web", "sgr-dns", "sgr-num"]);
    // The unmodelled rule's protocol number stays as read.
    assert_eq!(egress["Permissions"]["Permission"][2]["IpProtocol"], "47");
}

#[test]
fn a_state_describes_an_added_rule_as_saved_and_pages_like_the_store() {
    let mut w = World::new();
    assert!(w.ok(
        Action::Authorize,
        &format!("SecurityGroupId=sg-c&{TCP_443}&Description=https")
    ));
    let v: Value =
        serde_json::from_str(&w.describe_state("SecurityGroupId=sg-c", Format::Json)).unwrap();
    let added = &v["Permissions"]["Permission"][1];
    // The group's first egress rule's fields and order, Priority as a number as there.
    assert_eq!(
        serde_json::to_string(added).unwrap(),
        r#"{"SecurityGroupRuleId":"sgr-00000000000000000001","Direction":"egress","IpProtocol":"TCP","PortRange":"443/443","NicType":"internet","Policy":"Accept","Priority":1,"DestCidrIp":"10.0.0.0/8","Description":"https","CreateTime":"2026-12-02T06:00:00Z"}"#
    );
    let many: String = (1..=11)
        .map(|n| format!("&Permissions.{n}.IpProtocol=tcp&Permissions.{n}.PortRange={n}/{n}&Permissions.{n}.DestCidrIp=10.9.0.0/16"))
        .collect();
    assert!(w.ok(Action::Authorize, &format!("SecurityGroupId=sg-c{many}")));
    let first: Value =
        serde_json::from_str(&w.describe_state("SecurityGroupId=sg-c&MaxResults=10", Format::Json))
            .unwrap();
    assert_eq!(
        first["Permissions"]["Permission"].as_array().unwrap().len(),
        10
    );
    let token = first["NextToken"].as_str().unwrap();
    // The store's pages and the state's agree: one token works for both.
    let q = format!("SecurityGroupId=sg-c&MaxResults=10&NextToken={token}");
    let rest: Value = serde_json::from_str(&w.describe_state(&q, Format::Json)).unwrap();
    let from_store: Value = serde_json::from_str(&w.describe(&q, Format::Json)).unwrap();
    let ports = |v: &Value| -> Vec<String> {
        v["Permissions"]["Permission"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["PortRange"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ports(&rest), ports(&from_store));
    // 13 rules: the demo rule, the https rule and eleven more.
    assert_eq!(ports(&rest), ["9/9", "10/10", "11/11"]);
    assert_eq!(rest["NextToken"], "");
}
