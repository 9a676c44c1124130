//! `State::split` (SPEC §13's groups in parallel): a state cut into one
//! state per group plus its `Frame` answers every action as the whole
//! state does, and writes back the same bytes, in every layout and
//! document shape.
#![cfg(feature = "serde")]

use aliyun_sg_egress::lifecycle::{self, Env};
use aliyun_sg_egress::request::{Action, Request, RequestParser};
use aliyun_sg_egress::state::State;
use aliyun_sg_egress::{Format, RequestId};
use proptest::prelude::*;

/// Three groups (VPC with ingress and egress rules, classic, one more in
/// the same VPC without `Permissions`), `PrefixLists` and unknown fields around them; four-space
/// indented, one value per line, so other layouts are rewrites.
const DUMP: &str = r#"{
    "RequestId": "kept",
    "SecurityGroups": [
        {
            "SecurityGroupId": "sg-a",
            "RegionId": "cn-hangzhou",
            "VpcId": "vpc-1",
            "Odd": [1.10, 1e3, -0],
            "Permissions": {
                "Permission": [
                    {
                        "SecurityGroupRuleId": "sgr-in",
                        "Direction": "ingress",
                        "IpProtocol": "TCP",
                        "PortRange": "22/22",
                        "SourceCidrIp": "0.0.0.0/0",
                        "Priority": 1
                    },
                    {
                        "SecurityGroupRuleId": "sgr-a1",
                        "Direction": "egress",
                        "IpProtocol": "TCP",
                        "PortRange": "1/1",
                        "DestCidrIp": "10.0.0.0/8",
                        "Priority": 1,
                        "Description": "a1"
                    }
                ]
            }
        },
        {
            "SecurityGroupId": "sg-b",
            "RegionId": "cn-hangzhou",
            "Permissions": {
                "Permission": [
                    {
                        "SecurityGroupRuleId": "sgr-b1",
                        "Direction": "egress",
                        "IpProtocol": "TCP",
                        "PortRange": "2/2",
                        "DestCidrIp": "10.0.0.0/8",
                        "Policy": "Accept",
                        "Priority": "1",
                        "CreateTime": "2024-01-01T00:00:00Z"
                    }
                ]
            }
        },
        {
            "SecurityGroupId": "sg-c",
            "RegionId": "cn-hangzhou",
            "VpcId": "vpc-1"
        }
    ],
    "PrefixLists": ["pl-1"],
    "Tail": {"x": 1}
}
"#;

const GROUPS: [&str; 3] = ["sg-a", "sg-b", "sg-c"];

/// `DUMP` with each four-space step replaced by `unit` and each line
/// break by `newline`; on one line when `unit` is `None`.
fn layout(text: &str, unit: Option<&str>, newline: &str) -> String {
    match unit {
        None => text.lines().map(str::trim_start).collect(),
        Some(unit) => text
            .lines()
            .map(|line| {
                let body = line.trim_start_matches(' ');
                let steps = (line.len() - body.len()) / 4;
                format!("{}{body}{newline}", unit.repeat(steps))
            })
            .collect(),
    }
}

/// The document shapes: `{"SecurityGroups": […], …}`, a bare array of the
/// groups, and the first group alone.
fn shapes() -> Vec<(&'static str, String)> {
    let start = DUMP.find("        {").unwrap();
    let end = DUMP.find("    ],").unwrap();
    let groups = &DUMP[start..end];
    let array = format!("[\n{}]\n", groups.replace("\n    ", "\n"));
    let array = array.replace("[\n        {", "[\n    {");
    let first_end = DUMP.find("\n        },").unwrap() + 1;
    let single = format!("{}}}\n", &DUMP[start..first_end])
        .lines()
        .map(|l| format!("{}\n", l.strip_prefix("        ").unwrap_or(l)))
        .collect::<String>();
    let mut out = Vec::new();
    for (shape, text) in [
        ("object", DUMP.to_owned()),
        ("array", array),
        ("single", single),
    ] {
        out.push((shape, text.clone()));
        out.push((shape, layout(&text, Some("  "), "\n")));
        out.push((shape, layout(&text, Some("\t"), "\r\n")));
        out.push((shape, layout(&text, None, "")));
    }
    out
}

#[derive(Clone, Debug)]
enum Op {
    Authorize {
        group: usize,
        port: u16,
        text: u8,
    },
    /// A group destination: one of the three, or one that does not exist.
    AuthorizeGroup {
        group: usize,
        dest: usize,
    },
    Revoke {
        group: usize,
        port: u16,
    },
    RevokeId {
        group: usize,
        id: u8,
    },
    Describe {
        group: usize,
    },
    SetDescription {
        group: usize,
        port: u16,
        text: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let group = 0..3usize;
    let port = 1..5u16;
    prop_oneof![
        (group.clone(), port.clone(), 0..3u8).prop_map(|(group, port, text)| Op::Authorize {
            group,
            port,
            text
        }),
        (group.clone(), 0..4usize).prop_map(|(group, dest)| Op::AuthorizeGroup { group, dest }),
        (group.clone(), port.clone()).prop_map(|(group, port)| Op::Revoke { group, port }),
        (group.clone(), 0..6u8).prop_map(|(group, id)| Op::RevokeId { group, id }),
        group.clone().prop_map(|group| Op::Describe { group }),
        (group, port, 0..3u8).prop_map(|(group, port, text)| Op::SetDescription {
            group,
            port,
            text
        }),
    ]
}

fn query(op: &Op) -> (usize, Action, String) {
    let head = |g: usize| format!("RegionId=cn-hangzhou&SecurityGroupId={}", GROUPS[g]);
    match *op {
        Op::Authorize { group, port, text } => (
            group,
            Action::Authorize,
            format!(
                "{}&IpProtocol=tcp&PortRange={port}/{port}&DestCidrIp=10.0.0.0/8&Description=d{text}",
                head(group)
            ),
        ),
        Op::AuthorizeGroup { group, dest } => (
            group,
            Action::Authorize,
            format!(
                "{}&IpProtocol=tcp&PortRange=9/9&DestGroupId={}",
                head(group),
                GROUPS.get(dest).unwrap_or(&"sg-nowhere")
            ),
        ),
        Op::Revoke { group, port } => (
            group,
            Action::Revoke,
            format!(
                "{}&IpProtocol=tcp&PortRange={port}/{port}&DestCidrIp=10.0.0.0/8",
                head(group)
            ),
        ),
        Op::RevokeId { group, id } => {
            let id = ["sgr-a1", "sgr-b1", "sgr-in", "sgr-00000000000000000001"]
                .get(usize::from(id))
                .copied()
                .unwrap_or("sgr-00000000000000000002");
            (
                group,
                Action::Revoke,
                format!("{}&SecurityGroupRuleId.1={id}", head(group)),
            )
        }
        Op::Describe { group } => (group, Action::Describe, head(group)),
        Op::SetDescription { group, port, text } => (
            group,
            Action::Modify,
            format!(
                "{}&IpProtocol=tcp&PortRange={port}/{port}&DestCidrIp=10.0.0.0/8&Description=s{text}",
                head(group)
            ),
        ),
    }
}

/// One action on `state`: the outcome, and Describe's body.
fn run(
    state: &mut State,
    parser: &mut RequestParser,
    counter: &mut u32,
    action: Action,
    q: &str,
) -> (Result<bool, &'static str>, String) {
    let mut ids = || {
        *counter += 1;
        let mut id = [b'0'; 20];
        id.copy_from_slice(format!("{counter:020}").as_bytes());
        id
    };
    let mut env = Env::new("2026-12-02T06:00:00Z", &mut ids);
    let request = parser.parse_request(Some(action), q).unwrap();
    let done = lifecycle::execute(state, &mut env, &request)
        .map(|d| d.changed)
        .map_err(|e| e.code());
    let mut body = String::new();
    if let (Ok(_), Request::Describe(describe)) = (&done, &request) {
        state
            .write_describe(describe, Format::Json, RequestId::from_u128(7), &mut body)
            .unwrap();
    }
    (done, body)
}

fn saved(state: &mut State) -> String {
    let mut out = String::new();
    state.write_json(&mut out).unwrap();
    out
}

#[test]
fn the_shapes_load_and_split_back_byte_for_byte() {
    let shapes = shapes();
    assert_eq!(shapes.len(), 12);
    for (shape, text) in shapes {
        let whole = State::from_json(&text).unwrap_or_else(|e| panic!("{shape}: {e}\n{text}"));
        let groups = if shape == "single" { 1 } else { 3 };
        let (frame, mut parts) = whole.split().unwrap();
        assert_eq!((frame.groups(), parts.len()), (groups, groups), "{shape}");
        let texts: Vec<String> = parts.iter_mut().map(saved).collect();
        let mut out = String::new();
        frame
            .write_json(&mut out, texts.iter().map(String::as_str))
            .unwrap();
        assert_eq!(out, text, "{shape}");
        // A part writes its group as it stands in the file.
        assert!(text.contains(&texts[0]), "{shape}: {}", texts[0]);
        assert!(texts[0].starts_with("{"), "{shape}");
        assert!(parts.iter().all(|p| p.prefix_list_exists("pl-1")));
        assert_eq!(
            parts[0].prefix_list_exists("pl-2"),
            shape != "object",
            "{shape}: only the object lists prefix lists; else every one exists"
        );
    }
}

#[test]
fn a_group_with_a_security_groups_field_does_not_split() {
    let text = r#"[{"SecurityGroupId":"sg-a","RegionId":"r","SecurityGroups":[]}]"#;
    let error = State::from_json(text).unwrap().split().unwrap_err();
    assert_eq!(
        error.to_string(),
        "group #0: a group with a SecurityGroups field cannot be split into a state of its own"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Every action answers the same on the part as on the whole state, and
    /// after each one the frame writes the whole state's bytes.
    #[test]
    fn parts_act_and_write_as_the_whole(shape in 0..12usize, ops in proptest::collection::vec(op(), 1..24)) {
        let (name, text) = shapes().swap_remove(shape);
        let mut whole = State::from_json(&text).unwrap();
        let (frame, mut parts) = whole.clone().split().unwrap();
        let mut parser = Box::new(RequestParser::new());
        let (mut n_whole, mut n_parts) = (0, 0);
        for op in &ops {
            let (group, action, q) = query(op);
            let want = run(&mut whole, &mut parser, &mut n_whole, action, &q);
            let got = match parts.get_mut(group) {
                Some(part) => run(part, &mut parser, &mut n_parts, action, &q),
                // The lone group's file has no other group.
                None => (Err("InvalidSecurityGroupId.NotFound"), String::new()),
            };
            prop_assert_eq!(&got, &want, "{} {:?}", name, op);
            let texts: Vec<String> = parts.iter_mut().map(saved).collect();
            let mut out = String::new();
            frame.write_json(&mut out, texts.iter().map(String::as_str)).unwrap();
            prop_assert_eq!(out, saved(&mut whole), "{} after {:?}", name, op);
        }
    }
}

#[test]
fn a_destination_group_is_found_in_another_part() {
    let (_, mut parts) = State::from_json(DUMP).unwrap().split().unwrap();
    let mut parser = Box::new(RequestParser::new());
    let mut n = 0;
    let mut outcomes = Vec::new();
    for (group, dest) in [(0, 2), (0, 1), (2, 0), (0, 3)] {
        let (group, action, q) = query(&Op::AuthorizeGroup { group, dest });
        outcomes.push(run(&mut parts[group], &mut parser, &mut n, action, &q).0);
    }
    assert_eq!(
        outcomes,
        [
            Ok(true),
            Err("InvalidSecurityGroup.InvalidNetworkType"),
            Ok(true),
            Err("InvalidDestGroupId.NotFound")
        ]
    );
}
