//! The state file (SPEC §10): load, match, save round trips, and the exact
//! refusals of states that break the crate's invariants.
#![cfg(feature = "serde")]

use aliyun_sg_egress::model::{EgressRule, OpaqueRule, Rule, RuleBody, RuleDestination};
use aliyun_sg_egress::modify;
use aliyun_sg_egress::request::{ModifyEgressRequest, RequestParser};
use aliyun_sg_egress::state::{InvalidValue, Reason, State};
use aliyun_sg_egress::store::{Change, GroupStore, RuleCounts, RuleRef, StoreError, rule_indexes};
use aliyun_sg_egress::{IpProtocol, NicType, Policy, PortRange, Priority};
use serde_json::{Value, json};

const STATE: &str = include_str!("fixtures/state.json");
const STATE_ARRAY: &str = include_str!("fixtures/state_array.json");
const DUPLICATE_KEY: &str = include_str!("fixtures/duplicate_key.json");
const NOT_JSON: &str = include_str!("fixtures/not_json.json");

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn saved(state: &mut State) -> String {
    let mut out = String::new();
    state.write_json(&mut out).unwrap();
    out
}

/// The request borrows its query and parser, so both are leaked (a few KiB
/// a call): a test keeps its requests to the end.
fn request(query: &str) -> ModifyEgressRequest<'static> {
    let query: &'static str = String::leak(query.to_owned());
    Box::leak(Box::new(RequestParser::new()))
        .parse(query)
        .unwrap_or_else(|e| panic!("{query}: {} {e}", e.code()))
}

/// Applies one request and says whether it changed a description.
fn apply(state: &mut State, query: &str) -> Result<bool, String> {
    modify(state, &request(query))
        .map(|a| a.changed)
        .map_err(|e| e.code().to_string())
}

/// The rule object at `Permissions.Permission[index]` of group `id`.
fn rule_mut<'a>(document: &'a mut Value, id: &str, index: usize) -> &'a mut Value {
    let group = if document.get("SecurityGroupId").is_some() {
        document
    } else {
        let groups = if document.get("SecurityGroups").is_some() {
            &mut document["SecurityGroups"]
        } else {
            document
        };
        groups
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|g| g["SecurityGroupId"] == id)
            .unwrap()
    };
    &mut group["Permissions"]["Permission"][index]
}

fn refusal(text: &str) -> String {
    State::from_json(text).unwrap_err().to_string()
}

/// A one-group state around the given rules.
fn group_with(rules: Value) -> String {
    json!({
        "SecurityGroupId": "sg-1",
        "RegionId": "cn-hangzhou",
        "VpcId": "vpc-1",
        "Permissions": {"Permission": rules},
    })
    .to_string()
}

fn egress(extra: Value) -> Value {
    let mut rule = json!({
        "Direction": "egress",
        "IpProtocol": "TCP",
        "PortRange": "80/80",
        "DestCidrIp": "10.0.0.0/8",
        "Policy": "Accept",
        "Priority": 1,
    });
    for (k, v) in extra.as_object().unwrap() {
        if v.is_null() {
            rule.as_object_mut().unwrap().remove(k);
        } else {
            rule[k] = v.clone();
        }
    }
    rule
}

#[test]
fn unchanged_state_saves_back_identical() {
    for text in [STATE, STATE_ARRAY] {
        let mut state = State::from_json(text).unwrap();
        assert_eq!(state.sync(), 0);
        let out = saved(&mut state);
        assert_eq!(parse(&out), parse(text));
        // Canonical layouts (serde_json's compact and pretty forms, any
        // indentation) come back byte for byte.
        assert_eq!(out, text);
        assert_eq!(state.into_document(), parse(text));
    }
}

#[test]
fn other_layouts_save_back_the_same_json() {
    let text = "{ \"SecurityGroupId\" : \"sg-1\", \"RegionId\":\"r\",\n\n \"X\": [1,\n2] }";
    let mut state = State::from_json(text).unwrap();
    assert_eq!(parse(&saved(&mut state)), parse(text));
    let value = parse(STATE);
    let mut state = State::from_value(value.clone()).unwrap();
    let out = saved(&mut state);
    assert_eq!(out, value.to_string(), "from_value writes compact JSON");
}

#[test]
fn save_changes_only_the_descriptions_requests_changed() {
    let mut state = State::from_json(STATE).unwrap();
    let base = "RegionId=cn-hangzhou&SecurityGroupId=sg-web";
    // Rule 1 (Priority "1" as a string): a new text.
    assert_eq!(
        apply(
            &mut state,
            &format!(
                "{base}&IpProtocol=tcp&PortRange=443/443&DestCidrIp=0.0.0.0/0&Description=web%20out"
            )
        ),
        Ok(true)
    );
    // Rule 2 has no Description field: clearing it changes nothing.
    assert_eq!(
        apply(
            &mut state,
            &format!("{base}&IpProtocol=udp&PortRange=53/53&DestCidrIp=100.100.2.136&Description=")
        ),
        Ok(false)
    );
    // Rule 4 has "Description": null: a text replaces it.
    assert_eq!(
        apply(
            &mut state,
            &format!(
                "{base}&IpProtocol=icmpv6&PortRange=-1/-1&Ipv6DestCidrIp=2001:db8::/32&Policy=drop&Description=ping6"
            )
        ),
        Ok(true)
    );
    // Rule 5: changed, then changed back: nothing to write.
    assert_eq!(
        apply(
            &mut state,
            &format!("{base}&IpProtocol=tcp&PortRange=3306/3306&DestGroupId=sg-db&Description=tmp")
        ),
        Ok(true)
    );
    assert_eq!(
        apply(
            &mut state,
            &format!(
                "{base}&IpProtocol=tcp&PortRange=3306/3306&DestGroupId=sg-db&Description=mysql"
            )
        ),
        Ok(true)
    );
    // A failed request changes nothing.
    assert_eq!(
        apply(
            &mut state,
            &format!("{base}&IpProtocol=tcp&PortRange=80/80&DestCidrIp=0.0.0.0/0&Description=x")
        ),
        Err("SecurityGroupRule.NotFound".into())
    );
    // sg-classic rule 1 (intranet), not rule 0 (internet): cleared.
    assert_eq!(
        apply(
            &mut state,
            "RegionId=cn-hangzhou&SecurityGroupId=sg-classic&IpProtocol=tcp&PortRange=80/80&DestCidrIp=0.0.0.0/0&NicType=intranet&Description="
        ),
        Ok(true)
    );

    // The document followed each of the five changes (rule 5's two
    // included, which end where they began).
    let mut expected = parse(STATE);
    rule_mut(&mut expected, "sg-web", 1)["Description"] = json!("web out");
    rule_mut(&mut expected, "sg-web", 4)["Description"] = json!("ping6");
    rule_mut(&mut expected, "sg-classic", 1)["Description"] = json!("");
    assert_eq!(state.document(), &expected);
    assert_eq!(state.sync(), 5);
    assert_eq!(state.sync(), 0);
    let out = saved(&mut state);

    let mut expected = parse(STATE);
    rule_mut(&mut expected, "sg-web", 1)["Description"] = json!("web out");
    rule_mut(&mut expected, "sg-web", 4)["Description"] = json!("ping6");
    rule_mut(&mut expected, "sg-classic", 1)["Description"] = json!("");
    let after = parse(&out);
    assert_eq!(after, expected);
    // The JSON types of what the crate read are kept: Priority "1" stays a
    // string, 1 a number; a field that was absent stays absent.
    assert_eq!(
        rule_mut(&mut parse(&out), "sg-web", 1)["Priority"],
        json!("1")
    );
    assert_eq!(
        rule_mut(&mut parse(&out), "sg-web", 2).get("Description"),
        None
    );
    // Only the changed lines differ; the new key goes last in its object.
    let changed: Vec<(&str, &str)> = STATE
        .lines()
        .zip(out.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(
        changed,
        [
            (
                "                        \"Description\": \"https\",",
                "                        \"Description\": \"web out\","
            ),
            (
                "                        \"Description\": null",
                "                        \"Description\": \"ping6\""
            ),
            (
                "                        \"Description\": \"private http\"",
                "                        \"Description\": \"\""
            ),
        ]
    );
}

#[test]
fn a_description_added_goes_last_in_its_rule() {
    let mut state = State::from_json(STATE_ARRAY).unwrap();
    assert_eq!(
        apply(
            &mut state,
            "RegionId=cn-beijing&SecurityGroupId=sg-a&IpProtocol=all&PortRange=-1/-1&DestCidrIp=10.0.0.0/8&NicType=intranet&Policy=drop&Description=no"
        ),
        Ok(true)
    );
    let out = saved(&mut state);
    assert!(
        out.contains(r#""Extra":{"x":[1,2.5,"three"]},"Description":"no"}"#),
        "{out}"
    );
    assert!(out.ends_with("}]\n"));
}

#[test]
fn fields_map_as_the_api_writes_them() {
    let state = State::from_json(STATE).unwrap();
    let web = state.find_group("sg-web").unwrap();
    // Ingress rules are not in the store; prefix-list rules are.
    assert_eq!(state.store().rules(web).count(), 5);
    assert_eq!(
        (0..5)
            .map(|i| state.permission_index(web, i).unwrap())
            .collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    assert_eq!(state.permission_index(web, 5), None);
    let found = state.rule(web, 0).unwrap();
    assert_eq!(
        (found.id, found.create_time),
        ("sgr-1", "2024-01-01T00:00:00Z")
    );
    let rule = found.modelled().unwrap();
    assert_eq!(
        (
            rule.protocol,
            rule.policy,
            rule.priority.get(),
            rule.description
        ),
        (IpProtocol::Tcp, Policy::Accept, 1, "https")
    );
    let found = state.rule(web, 2).unwrap();
    assert_eq!(
        found.modelled().unwrap().destination,
        RuleDestination::PrefixList("pl-1")
    );
    assert_eq!((found.id, found.create_time), ("", ""));
    let rule = *state.rule(web, 3).unwrap().modelled().unwrap();
    assert_eq!(
        (
            rule.protocol,
            rule.policy,
            rule.priority.get(),
            rule.description
        ),
        (IpProtocol::Icmpv6, Policy::Drop, 7, "")
    );
    let db = state.find_group("sg-db").unwrap();
    let info = state.group_info(db).unwrap();
    assert_eq!(
        (
            info.owner_account.as_deref(),
            info.owner_id.map(|i| i.get())
        ),
        (Some("owner@example.com"), Some(1_234_567_890))
    );
    let classic = state.find_group("sg-classic").unwrap();
    assert!(!state.group_info(classic).unwrap().network.is_vpc());
    // NicType absent on a classic CIDR rule: internet.
    let nic = |i| state.rule(classic, i).unwrap().modelled().unwrap().nic_type;
    assert_eq!(nic(0), NicType::Internet);
    assert_eq!(nic(1), NicType::Intranet);
    let array = State::from_json(STATE_ARRAY).unwrap();
    let b = array.find_group("sg-b").unwrap();
    assert!(array.group_info(b).unwrap().network.classic_link());
    assert_eq!(array.group_position(b), Some(1));
}

#[test]
fn defaults_apply_when_fields_are_absent() {
    let text = group_with(json!([egress(json!({"Policy": null, "Priority": null}))]));
    let mut state = State::from_json(&text).unwrap();
    let base = "RegionId=cn-hangzhou&SecurityGroupId=sg-1&IpProtocol=tcp&PortRange=80/80&DestCidrIp=10.0.0.0/8";
    assert_eq!(
        apply(&mut state, &format!("{base}&Priority=1&Policy=accept")),
        Ok(false)
    );
    assert_eq!(
        apply(&mut state, &format!("{base}&Priority=2")),
        Err("SecurityGroupRule.NotFound".into())
    );
    // Empty strings count as absent, as the API writes them.
    let text = group_with(json!([egress(
        json!({"SourcePortRange": "", "Ipv6DestCidrIp": "", "DestGroupId": "", "NicType": "", "SourceCidrIp": "", "Policy": ""})
    )]));
    let mut state = State::from_json(&text).unwrap();
    assert_eq!(apply(&mut state, base), Ok(false));
    // Any case for the keywords.
    let text = group_with(json!([egress(
        json!({"Direction": "EGRESS", "IpProtocol": "Tcp", "Policy": "DROP", "NicType": "InTraNet"})
    )]));
    let mut state = State::from_json(&text).unwrap();
    assert_eq!(apply(&mut state, &format!("{base}&Policy=drop")), Ok(false));
}

#[test]
fn the_demo_state_of_the_example_loads() {
    let state = State::from_json(include_str!("../examples/demo_state.json")).unwrap();
    assert!(state.find_group("sg-F876FF7BA").is_some());
    assert!(state.find_group("sg-classic0001").is_some());
}

#[test]
fn refusals_name_the_group_the_rule_and_the_reason() {
    let cases: Vec<(String, &str)> = vec![
        (DUPLICATE_KEY.into(), "group sg-dup, rule 2: same key as rule 0 (a request could not tell them apart)"),
        (NOT_JSON.into(), "not a valid JSON state: expected value at line 1 column 1"),
        (
            r#"{"SecurityGroupId": "sg-1", "RegionId": "r", "RegionId": "s"}"#.into(),
            "not a valid JSON state: duplicate key \"RegionId\" in one object at line 1 column 55",
        ),
        ("42".into(), "the state must be a DescribeSecurityGroupAttribute object, an array of them, or {\"SecurityGroups\": [...]}"),
        ("{}".into(), "the state must be a DescribeSecurityGroupAttribute object, an array of them, or {\"SecurityGroups\": [...]}"),
        (r#"{"SecurityGroups": {}}"#.into(), "SecurityGroups must be an array of groups, not {}"),
        (r#"[{"SecurityGroupId": "sg-1", "RegionId": "r"}, 7]"#.into(), "group #1: a group must be a JSON object"),
        (r#"[{"RegionId": "r"}]"#.into(), "group #0: missing SecurityGroupId"),
        (r#"[{"SecurityGroupId": 5, "RegionId": "r"}]"#.into(), "group #0: SecurityGroupId must be a string, not 5"),
        (r#"[{"SecurityGroupId": "", "RegionId": "r"}]"#.into(), "group #0: invalid SecurityGroupId \"\": value is empty"),
        (r#"[{"SecurityGroupId": "sg-1"}]"#.into(), "group sg-1: missing RegionId"),
        (
            r#"[{"SecurityGroupId": "sg-1", "RegionId": "r"}, {"SecurityGroupId": "sg-2", "RegionId": "r"}, {"SecurityGroupId": "sg-1", "RegionId": "r"}]"#.into(),
            "group sg-1: groups #0 and #2 have the same SecurityGroupId",
        ),
        (r#"{"SecurityGroupId": "sg-1", "RegionId": "r", "VpcId": "v", "ClassicLink": "yes"}"#.into(), "group sg-1: ClassicLink must be true or false, not \"yes\""),
        (r#"{"SecurityGroupId": "sg-1", "RegionId": "r", "OwnerId": -5}"#.into(), "group sg-1: OwnerId must be a decimal account id, not -5"),
        (r#"{"SecurityGroupId": "sg-1", "RegionId": "r", "OwnerId": "12a"}"#.into(), "group sg-1: invalid OwnerId \"12a\": value has a character that is not allowed"),
        (r#"{"SecurityGroupId": "sg-1", "RegionId": "r", "Permissions": []}"#.into(), "group sg-1: Permissions must be an object with a Permission array, not []"),
        (r#"{"SecurityGroupId": "sg-1", "RegionId": "r", "Permissions": {"Permission": {}}}"#.into(), "group sg-1: Permissions.Permission must be an array of rules, not {}"),
        (group_with(json!([egress(json!({})), "rule"])), "group sg-1, rule 1: a rule must be a JSON object"),
        (group_with(json!([egress(json!({"Direction": null}))])), "group sg-1, rule 0: missing Direction"),
        (group_with(json!([egress(json!({"Direction": "out"}))])), "group sg-1, rule 0: invalid Direction \"out\": direction must be egress or ingress"),
        (
            group_with(json!([egress(json!({"IpProtocol": "SCTP"}))])),
            "group sg-1, rule 0: invalid IpProtocol \"SCTP\": ip protocol must be tcp, udp, icmp, gre, all or icmpv6",
        ),
        (group_with(json!([egress(json!({"IpProtocol": 6}))])), "group sg-1, rule 0: IpProtocol must be a string, not 6"),
        (group_with(json!([egress(json!({"PortRange": null}))])), "group sg-1, rule 0: missing PortRange"),
        (group_with(json!([egress(json!({"PortRange": "-1/-1"}))])), "group sg-1, rule 0: invalid PortRange \"-1/-1\": port range does not match the protocol"),
        (group_with(json!([egress(json!({"PortRange": "90/80"}))])), "group sg-1, rule 0: invalid PortRange \"90/80\": port range has a zero port or starts after its end"),
        (group_with(json!([egress(json!({"SourcePortRange": "80"}))])), "group sg-1, rule 0: invalid SourcePortRange \"80\": port range must be two integers separated by '/'"),
        (group_with(json!([egress(json!({"NicType": "wan"}))])), "group sg-1, rule 0: invalid NicType \"wan\": nic type must be internet or intranet"),
        (group_with(json!([egress(json!({"Policy": "Allow"}))])), "group sg-1, rule 0: invalid Policy \"Allow\": policy must be accept or drop"),
        (group_with(json!([egress(json!({"Priority": 0}))])), "group sg-1, rule 0: invalid Priority 0: priority is below 1"),
        (group_with(json!([egress(json!({"Priority": -3}))])), "group sg-1, rule 0: invalid Priority -3: priority is below 1"),
        (group_with(json!([egress(json!({"Priority": 101}))])), "group sg-1, rule 0: invalid Priority 101: priority is above 100"),
        (group_with(json!([egress(json!({"Priority": "1.5"}))])), "group sg-1, rule 0: invalid Priority \"1.5\": priority must be an integer"),
        (group_with(json!([egress(json!({"Priority": 1.5}))])), "group sg-1, rule 0: Priority must be an integer or a decimal string, not 1.5"),
        (
            group_with(json!([egress(json!({"Description": "字".repeat(513)}))])),
            "group sg-1, rule 0: invalid Description \"字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字…: value is too long",
        ),
        (group_with(json!([egress(json!({"Description": 5}))])), "group sg-1, rule 0: Description must be a string, not 5"),
        (group_with(json!([egress(json!({"DestCidrIp": "10.0.0.01"}))])), "group sg-1, rule 0: invalid DestCidrIp \"10.0.0.01\": not a valid address"),
        (group_with(json!([egress(json!({"DestCidrIp": "2001:db8::/32"}))])), "group sg-1, rule 0: invalid DestCidrIp \"2001:db8::/32\": an address of the other IP family"),
        (group_with(json!([egress(json!({"DestCidrIp": null, "Ipv6DestCidrIp": "::/129"}))])), "group sg-1, rule 0: invalid Ipv6DestCidrIp \"::/129\": not a valid prefix length"),
        (group_with(json!([egress(json!({"DestGroupId": "sg-2"}))])), "group sg-1, rule 0: DestCidrIp and DestGroupId are both set"),
        (group_with(json!([egress(json!({"Ipv6DestCidrIp": "::/0"}))])), "group sg-1, rule 0: DestCidrIp and Ipv6DestCidrIp are both set"),
        (group_with(json!([egress(json!({"DestCidrIp": null}))])), "group sg-1, rule 0: no destination (DestCidrIp, Ipv6DestCidrIp, DestGroupId or DestPrefixListId)"),
        (group_with(json!([egress(json!({"DestPrefixListId": "pl-1"}))])), "group sg-1, rule 0: DestCidrIp and DestPrefixListId are both set"),
        (
            json!({"SecurityGroupId": "sg-c", "RegionId": "r", "Permissions": {"Permission": [
                egress(json!({"DestCidrIp": null, "DestPrefixListId": "pl-1"})),
            ]}}).to_string(),
            "group sg-c, rule 0: a prefix-list destination needs a VPC group",
        ),
        (
            group_with(json!([egress(json!({"DestCidrIp": null, "DestPrefixListId": "pl-".to_string() + &"a".repeat(126)}))])),
            "group sg-1, rule 0: destination prefix list id is empty or longer than 128 bytes",
        ),
        (
            group_with(json!([
                {"Direction": "ingress", "SecurityGroupRuleId": "sgr-a"},
                egress(json!({"SecurityGroupRuleId": "sgr-a"})),
            ])),
            "group sg-1, rule 1: same SecurityGroupRuleId as rule 0 of group sg-1",
        ),
        (
            json!({"SecurityGroups": [
                {"SecurityGroupId": "sg-a", "RegionId": "r", "Permissions": {"Permission": [
                    egress(json!({"SecurityGroupRuleId": "sgr-a"})),
                ]}},
                {"SecurityGroupId": "sg-b", "RegionId": "r", "Permissions": {"Permission": [
                    {"Direction": "ingress", "SecurityGroupRuleId": "sgr-a"},
                ]}},
            ]}).to_string(),
            "group sg-b, rule 0: same SecurityGroupRuleId as rule 0 of group sg-a",
        ),
        (group_with(json!([egress(json!({"SecurityGroupRuleId": 5}))])), "group sg-1, rule 0: SecurityGroupRuleId must be a string, not 5"),
        (group_with(json!([egress(json!({"CreateTime": 5}))])), "group sg-1, rule 0: CreateTime must be a string, not 5"),
        (
            json!({"SecurityGroups": [], "PrefixLists": "pl-1"}).to_string(),
            "PrefixLists must be an array of prefix list ids, not \"pl-1\"",
        ),
        (
            json!({"SecurityGroups": [], "PrefixLists": ["pl-1", 2]}).to_string(),
            "PrefixLists must be an array of prefix list ids, not [\"pl-1\",2]",
        ),
        (
            group_with(json!([egress(json!({"IpProtocol": "6", "Description": "字".repeat(513)}))])),
            "group sg-1, rule 0: description is longer than 512 characters",
        ),
        (group_with(json!([egress(json!({"IpProtocol": "256"}))])), "group sg-1, rule 0: invalid IpProtocol \"256\": ip protocol must be tcp, udp, icmp, gre, all or icmpv6"),
        (
            group_with(json!([egress(json!({"SourceCidrIp": "1.2.3.4", "Ipv6SourceCidrIp": "::1"}))])),
            "group sg-1, rule 0: SourceCidrIp and Ipv6SourceCidrIp are both set",
        ),
        (
            group_with(json!([egress(json!({"SourceCidrIp": null, "Ipv6SourceCidrIp": "::1"}))])),
            "group sg-1, rule 0: destination and source are of different IP families",
        ),
        (
            group_with(json!([egress(json!({"IpProtocol": "ICMP", "PortRange": "-1/-1", "DestCidrIp": null, "Ipv6DestCidrIp": "::/0"}))])),
            "group sg-1, rule 0: protocol and address family conflict",
        ),
        (
            group_with(json!([egress(json!({})), {"Direction": "ingress"}, egress(json!({"Priority": "9", "Description": "x"}))])),
            "group sg-1, rule 2: same key as rule 0 (a request could not tell them apart)",
        ),
    ];
    let wrong: Vec<String> = cases
        .iter()
        .filter(|(text, message)| refusal(text) != *message)
        .map(|(text, message)| {
            format!(
                "{text}\n  expected: {message}\n  got:      {}",
                refusal(text)
            )
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn refusals_carry_their_parts() {
    let err = State::from_json(DUPLICATE_KEY).unwrap_err();
    assert_eq!(
        (err.group_id(), err.group_position(), err.rule()),
        (Some("sg-dup"), Some(0), Some(2))
    );
    assert!(matches!(err.reason(), Reason::DuplicateRule { other: 0 }));
    let err =
        State::from_json(&group_with(json!([egress(json!({"NicType": "wan"}))]))).unwrap_err();
    assert!(matches!(
        err.reason(),
        Reason::Value {
            field: "NicType",
            error: InvalidValue::NicType(_),
            ..
        }
    ));
    let err = State::from_json(NOT_JSON).unwrap_err();
    assert_eq!((err.group_id(), err.rule()), (None, None));
    assert!(matches!(err.reason(), Reason::Syntax(_)));
    assert!(
        State::from_slice(b"{\"SecurityGroupId\": \"\xff\"}")
            .unwrap_err()
            .to_string()
            .starts_with("not a valid JSON state: invalid unicode")
    );
}

#[test]
fn ingress_rules_are_carried_unvalidated_and_unmodelled_rules_as_read() {
    // Ingress rules are carried, whatever they hold; egress rules with a
    // protocol number or a port range list are kept as opaque rules, their
    // other fields unread.
    let text = group_with(json!([
        {"Direction": "ingress", "IpProtocol": "SCTP"},
        {"Direction": "egress", "IpProtocol": "47", "PortRange": "", "Priority": 2, "X": [1], "Y": null},
        {"Direction": "egress", "IpProtocol": "TCP", "PortRangeListId": "prl-1", "DestCidrIp": "no", "Description": "lists"},
        egress(json!({})),
    ]));
    let mut state = State::from_json(&text).unwrap();
    let g = state.find_group("sg-1").unwrap();
    assert_eq!(state.store().rules(g).count(), 3);
    assert_eq!(state.counts(g).egress, 3);
    let fields: Vec<(&str, &str)> = match state.rule(g, 0).unwrap().body {
        RuleBody::Opaque(o) => o.fields().collect(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        fields,
        [
            ("Direction", "egress"),
            ("IpProtocol", "47"),
            ("PortRange", ""),
            ("Priority", "2"),
            ("X", "[1]"),
            ("Y", "null")
        ]
    );
    assert_eq!(state.rule(g, 1).unwrap().description(), "lists");
    assert!(state.rule(g, 2).unwrap().modelled().is_some());
    assert_eq!(parse(&saved(&mut state)), parse(&text));
}

#[test]
fn classic_rules_differing_only_in_nic_type_are_distinct() {
    let text = json!({"SecurityGroupId": "sg-c", "RegionId": "r", "Permissions": {"Permission": [
        egress(json!({"NicType": "internet"})),
        egress(json!({"NicType": "intranet"})),
    ]}})
    .to_string();
    let state = State::from_json(&text).unwrap();
    assert_eq!(
        state
            .store()
            .rules(state.find_group("sg-c").unwrap())
            .count(),
        2
    );
}

/// A dump with an ingress rule, a modelled and an opaque egress rule, all
/// with ids, and a group without rules.
fn lifecycle_state() -> Value {
    json!({"SecurityGroups": [
        {"SecurityGroupId": "sg-1", "RegionId": "cn-hangzhou", "VpcId": "vpc-1", "Permissions": {"Permission": [
            {"Direction": "ingress", "SecurityGroupRuleId": "sgr-in", "IpProtocol": "TCP", "PortRange": "22/22", "SourceCidrIp": "0.0.0.0/0"},
            {"SecurityGroupRuleId": "sgr-a", "Direction": "egress", "IpProtocol": "TCP", "PortRange": "443/443",
             "DestCidrIp": "10.0.0.0/8", "NicType": "", "Policy": "Accept", "Priority": 1, "Description": "https",
             "CreateTime": "2024-01-01T00:00:00Z", "DestGroupName": ""},
            {"SecurityGroupRuleId": "sgr-b", "Direction": "egress", "IpProtocol": "6", "PortRangeListId": "prl-1",
             "Priority": 1, "Description": "opaque"},
        ]}},
        {"SecurityGroupId": "sg-2", "RegionId": "cn-hangzhou"},
    ], "PrefixLists": ["pl-1"]})
}

fn rules(v: &mut Value) -> &mut Vec<Value> {
    v["SecurityGroups"][0]["Permissions"]["Permission"]
        .as_array_mut()
        .unwrap()
}

#[test]
fn the_document_follows_every_change() {
    let mut state = State::from_json(&lifecycle_state().to_string()).unwrap();
    let g = state.find_group("sg-1").unwrap();
    assert_eq!(
        state.counts(g),
        RuleCounts {
            egress: 2,
            group_destinations: 0
        }
    );
    assert!(state.prefix_list_exists("pl-1") && !state.prefix_list_exists("pl-2"));
    assert_eq!(state.find_rule(g, RuleRef::Id("sgr-b")), Some(1));
    // An ingress rule's id is found by no egress lookup, and taken.
    assert_eq!(state.find_rule(g, RuleRef::Id("sgr-in")), None);
    let dns = EgressRule {
        protocol: IpProtocol::Udp,
        port_range: PortRange::new_assert(53, 53),
        source_port_range: None,
        nic_type: NicType::Internet,
        policy: Policy::Accept,
        priority: Priority::new(5).unwrap(),
        destination: RuleDestination::Ipv6("2001:DB8:0::/32".parse().unwrap()),
        source: None,
        description: "dns",
    };
    let new = |id| Rule {
        id,
        create_time: "2026-12-02T00:00:00Z",
        body: RuleBody::Modelled(dns),
    };
    assert_eq!(
        state.change(g, Change::Insert(new("sgr-in"))),
        Err(StoreError::DuplicateRuleId)
    );
    assert_eq!(
        state.change(g, Change::Insert(new("sgr-a"))),
        Err(StoreError::DuplicateRuleId)
    );
    assert_eq!(state.document(), &lifecycle_state());
    assert_eq!(state.sync(), 0);

    // Insert: the first egress rule's fields, in its order, Priority a
    // number as there; the fields it lacks that the rule needs, last.
    assert_eq!(state.change(g, Change::Insert(new("sgr-new"))), Ok(2));
    let mut expected = lifecycle_state();
    rules(&mut expected).push(json!({
        "SecurityGroupRuleId": "sgr-new", "Direction": "egress", "IpProtocol": "UDP", "PortRange": "53/53",
        "DestCidrIp": "", "NicType": "intranet", "Policy": "Accept", "Priority": 5, "Description": "dns",
        "CreateTime": "2026-12-02T00:00:00Z", "DestGroupName": "", "Ipv6DestCidrIp": "2001:db8::/32",
    }));
    assert_eq!(saved(&mut state), expected.to_string());
    assert_eq!(state.permission_index(g, 2), Some(3));
    assert_eq!(
        state.rule_object(g, 2).map(|o| Value::Object(o.clone())),
        Some(rules(&mut expected)[3].clone())
    );
    assert_eq!(state.rule_object(g, 1).unwrap()["PortRangeListId"], "prl-1");

    // Replace: only the values that changed, in place, Priority still a
    // number; NicType "" (read as intranet) stays as written.
    let moved = EgressRule {
        protocol: IpProtocol::Tcp,
        port_range: PortRange::new_assert(8443, 8443),
        nic_type: NicType::Intranet,
        priority: Priority::new(2).unwrap(),
        destination: RuleDestination::Ipv4("10.0.0.0/8".parse().unwrap()),
        description: "https",
        ..dns
    };
    assert_eq!(state.change(g, Change::Replace(0, moved)), Ok(0));
    rules(&mut expected)[1]["PortRange"] = json!("8443/8443");
    rules(&mut expected)[1]["Priority"] = json!(2);
    assert_eq!(saved(&mut state), expected.to_string());

    // A description on the opaque rule.
    assert_eq!(state.change(g, Change::SetDescription(1, "changed")), Ok(1));
    rules(&mut expected)[2]["Description"] = json!("changed");
    assert_eq!(saved(&mut state), expected.to_string());
    assert_eq!(state.rule(g, 1).unwrap().description(), "changed");

    // Remove: the object goes; later rules' positions move up.
    assert_eq!(state.change(g, Change::Remove(0)), Ok(0));
    rules(&mut expected).remove(1);
    assert_eq!(saved(&mut state), expected.to_string());
    assert_eq!(
        (
            state.permission_index(g, 0),
            state.permission_index(g, 1),
            state.permission_index(g, 2)
        ),
        (None, Some(1), Some(2))
    );
    assert_eq!(state.change(g, Change::Remove(1)), Ok(1));
    rules(&mut expected).remove(1);
    assert_eq!(saved(&mut state), expected.to_string());
    assert_eq!(
        state.counts(g),
        RuleCounts {
            egress: 1,
            group_destinations: 0
        }
    );
    assert_eq!(state.find_rule(g, RuleRef::Id("sgr-b")), None);

    // A group without egress rules: Describe's order, Priority a string,
    // and a Permissions object made for it.
    let g2 = state.find_group("sg-2").unwrap();
    let to_group = EgressRule {
        protocol: IpProtocol::All,
        port_range: PortRange::ANY,
        nic_type: NicType::Intranet,
        policy: Policy::Drop,
        priority: Priority::DEFAULT,
        destination: RuleDestination::Group("sg-1"),
        description: "",
        ..dns
    };
    let rule = Rule {
        id: "sgr-g",
        create_time: "2026-12-02T00:00:01Z",
        body: RuleBody::Modelled(to_group),
    };
    assert_eq!(state.change(g2, Change::Insert(rule)), Ok(0));
    expected["SecurityGroups"][1]["Permissions"] = json!({"Permission": [{
        "SecurityGroupRuleId": "sgr-g", "Direction": "egress", "IpProtocol": "ALL", "PortRange": "-1/-1",
        "SourcePortRange": "", "NicType": "intranet", "Policy": "Drop", "Priority": "1", "DestCidrIp": "",
        "Ipv6DestCidrIp": "", "DestGroupId": "sg-1", "DestGroupOwnerAccount": "", "DestGroupName": "",
        "DestPrefixListId": "", "DestPrefixListName": "", "SourceCidrIp": "", "Ipv6SourceCidrIp": "",
        "Description": "", "CreateTime": "2026-12-02T00:00:01Z",
    }]});
    assert_eq!(state.sync(), 1);
    assert_eq!(saved(&mut state), expected.to_string());
    assert_eq!(
        state.counts(g2),
        RuleCounts {
            egress: 1,
            group_destinations: 1
        }
    );

    // The saved document loads again, to the same rules.
    let again = State::from_json(&saved(&mut state)).unwrap();
    for (h, slot) in [(g, 2), (g2, 0)] {
        let (a, b) = (
            state.rule(h, slot).unwrap(),
            again
                .rule(
                    h,
                    again
                        .find_rule(h, RuleRef::Id(state.rule(h, slot).unwrap().id))
                        .unwrap(),
                )
                .unwrap(),
        );
        assert_eq!(a, b);
    }
}

#[test]
fn opaque_rules_can_be_added_and_prefix_lists_are_optional() {
    let mut state =
        State::from_json(r#"{"SecurityGroupId": "sg-1", "RegionId": "r", "VpcId": "vpc-1"}"#)
            .unwrap();
    assert!(state.prefix_list_exists("pl-anything"));
    let g = state.find_group("sg-1").unwrap();
    let fields = [
        ("IpProtocol", "47"),
        ("PortRange", ""),
        ("Description", "gre"),
    ];
    let rule = Rule {
        id: "sgr-o",
        create_time: "",
        body: RuleBody::Opaque(OpaqueRule::new(&fields)),
    };
    assert_eq!(state.change(g, Change::Insert(rule)), Ok(0));
    assert_eq!(
        saved(&mut state),
        // The file's separators (`": "`, `", "`) are kept for what is new.
        r#"{"SecurityGroupId": "sg-1", "RegionId": "r", "VpcId": "vpc-1", "Permissions": {"Permission": [{"IpProtocol": "47", "PortRange": "", "Description": "gre", "SecurityGroupRuleId": "sgr-o"}]}}"#
    );
    assert_eq!(
        state.change(
            g,
            Change::Replace(
                0,
                EgressRule {
                    protocol: IpProtocol::Tcp,
                    port_range: PortRange::new_assert(1, 1),
                    source_port_range: None,
                    nic_type: NicType::Intranet,
                    policy: Policy::Accept,
                    priority: Priority::DEFAULT,
                    destination: RuleDestination::PrefixList("pl-1"),
                    source: None,
                    description: "",
                }
            )
        ),
        Err(StoreError::OpaqueRule)
    );
}

/// The rules of every group in store order, as owned text: what a reload
/// of the saved document must give back.
fn rules_text(state: &State) -> Vec<Vec<String>> {
    state
        .store()
        .groups()
        .map(|info| {
            let g = state.find_group(&info.id).unwrap();
            rule_indexes(state, g)
                .map(|i| format!("{:?}", state.rule(g, i).unwrap()))
                .collect()
        })
        .collect()
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Any sequence of changes leaves a document that loads back to the
    /// same rules, in the same order.
    #[test]
    fn saved_changes_load_back_the_same(ops in proptest::collection::vec((0u8..4, 0usize..3, proptest::prelude::any::<usize>(), 1u8..=100), 1..30)) {
        let mut state = State::from_json(&lifecycle_state().to_string()).unwrap();
        let mut text = State::from_json(STATE).unwrap();
        let ids: Vec<String> = (0..40).map(|i| format!("sgr-p{i}")).collect();
        for (n, (op, group, nth, priority)) in ops.into_iter().enumerate() {
            let target = if group == 2 { &mut text } else { &mut state };
            let Some(info) = target.store().groups().nth(group % 2).cloned() else { continue };
            let g = target.find_group(&info.id).unwrap();
            let slots: Vec<usize> = rule_indexes(&*target, g).collect();
            let slot = (!slots.is_empty()).then(|| slots[nth % slots.len()]);
            let rule = EgressRule {
                protocol: IpProtocol::Tcp,
                port_range: PortRange::new_assert(1000 + u16::from(priority), 1000 + u16::from(priority)),
                source_port_range: None,
                nic_type: NicType::Intranet,
                policy: Policy::Drop,
                priority: Priority::new(priority).unwrap(),
                destination: RuleDestination::Ipv6("2001:db8::/48".parse().unwrap()),
                source: None,
                description: "p",
            };
            let change = match (op, slot) {
                (0, _) => Change::Insert(Rule { id: &ids[n], create_time: "2026-12-02T00:00:00Z", body: RuleBody::Modelled(rule) }),
                (1, Some(slot)) => Change::Remove(slot),
                (2, Some(slot)) => Change::Replace(slot, rule),
                (3, Some(slot)) => Change::SetDescription(slot, "changed"),
                _ => continue,
            };
            let _ = target.change(g, change);
            for state in [&mut state, &mut text] {
                let reloaded = State::from_json(&saved(state)).unwrap();
                proptest::prop_assert_eq!(rules_text(&reloaded), rules_text(state));
            }
        }
    }
}
