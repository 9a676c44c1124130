//! The state file's bytes through a save (SPEC §10): after one description
//! change, the saved file differs from the input only in that value, in
//! every layout (compact, two or four spaces, a tab, CRLF line breaks), with
//! big and odd numbers, unknown fields and escaped strings kept as written.
#![cfg(feature = "serde")]

use aliyun_sg_egress::modify;
use aliyun_sg_egress::request::RequestParser;
use aliyun_sg_egress::state::State;

/// A real-looking dump, four-space indented, `\n` line breaks. Every line
/// holds at most one value, so other layouts are made by rewriting the
/// indentation and line breaks.
const DUMP: &str = r#"{
    "SecurityGroups": [
        {
            "SecurityGroupId": "sg-web",
            "RegionId": "cn-hangzhou",
            "VpcId": "vpc-1",
            "OwnerId": 1234567890123456,
            "Big": 123456789012345678901234567890,
            "Odd": [1.10, 1e3, -0, 1E+2, 0.5E-7, 100],
            "Tags": {
                "Tag": []
            },
            "Escaped": "caf\u00e9 \/ \"q\" \t",
            "Permissions": {
                "Permission": [
                    {
                        "Direction": "ingress",
                        "IpProtocol": "TCP",
                        "PortRange": "22/22",
                        "SourceCidrIp": "0.0.0.0/0",
                        "Priority": 1
                    },
                    {
                        "SecurityGroupRuleId": "sgr-aaaaaaaaaaaaaaaaaaaa",
                        "Direction": "egress",
                        "IpProtocol": "TCP",
                        "PortRange": "443/443",
                        "DestCidrIp": "0.0.0.0/0",
                        "Policy": "Accept",
                        "Priority": 1,
                        "Weight": 2.50,
                        "Description": "old text",
                        "CreateTime": "2024-01-01T00:00:00Z"
                    },
                    {
                        "Direction": "egress",
                        "IpProtocol": "UDP",
                        "PortRange": "53/53",
                        "DestCidrIp": "100.100.2.136/32",
                        "Priority": "2",
                        "CreateTime": "2024-01-02T00:00:00Z"
                    },
                    {
                        "SecurityGroupRuleId": "sgr-gre0by0number",
                        "Direction": "egress",
                        "IpProtocol": "47",
                        "PortRange": "-1/-1",
                        "DestCidrIp": "10.2.0.0/16",
                        "Priority": 3,
                        "Description": "gre by number"
                    },
                    {
                        "SecurityGroupRuleId": "sgr-portlist",
                        "Direction": "egress",
                        "IpProtocol": "TCP",
                        "PortRange": "",
                        "PortRangeListId": "prl-1234567890",
                        "DestCidrIp": "10.3.0.0/16",
                        "Priority": 1.0e0
                    }
                ]
            }
        }
    ]
}
"#;

const SET: &str = "RegionId=cn-hangzhou&SecurityGroupId=sg-web&IpProtocol=tcp&PortRange=443/443\
                   &DestCidrIp=0.0.0.0/0&Description=new%20text";

/// `DUMP` with each four-space step replaced by `unit` and each line break
/// by `newline`.
fn layout(unit: &str, newline: &str) -> String {
    DUMP.lines()
        .map(|line| {
            let body = line.trim_start_matches(' ');
            let steps = (line.len() - body.len()) / 4;
            format!("{}{body}{newline}", unit.repeat(steps))
        })
        .collect()
}

/// `DUMP` on one line: `": "` and `", "` (Python's `json.dumps`) when
/// `spaced`, else `":"` and `","` (serde_json's compact form).
fn compact(spaced: bool) -> String {
    let joined: String = DUMP.lines().map(str::trim_start).collect();
    let joined = joined.replace(",\"", ", \"").replace(",{", ", {");
    if spaced {
        joined
    } else {
        // Values here hold no `": ` or `, `, so only separators change.
        joined.replace("\": ", "\":").replace(", ", ",")
    }
}

/// Loads `text`, applies `query` (which must change something), saves.
fn save_after(text: &str, query: &str) -> String {
    let mut state = State::from_slice(text.as_bytes()).unwrap();
    let mut parser = RequestParser::new();
    let request = parser.parse(query).unwrap();
    assert!(modify(&mut state, &request).unwrap().changed);
    let mut out = String::new();
    state.write_json(&mut out).unwrap();
    out
}

fn inputs() -> Vec<(&'static str, String)> {
    vec![
        ("4 spaces", DUMP.to_owned()),
        ("2 spaces", layout("  ", "\n")),
        ("tab", layout("\t", "\n")),
        ("4 spaces, CRLF", layout("    ", "\r\n")),
        ("tab, CRLF", layout("\t", "\r\n")),
        ("compact", compact(false)),
        ("compact, Python separators", compact(true)),
        ("compact, final newline", compact(false) + "\n"),
    ]
}

#[test]
fn the_inputs_are_what_they_claim() {
    let inputs = inputs();
    let text = |name: &str| &inputs.iter().find(|(n, _)| *n == name).unwrap().1;
    assert!(
        text("2 spaces").contains("\n  \"SecurityGroups\": [\n    {\n      \"SecurityGroupId\"")
    );
    assert!(text("tab, CRLF").contains("\r\n\t\t{\r\n\t\t\t\"SecurityGroupId\": \"sg-web\",\r\n"));
    assert!(!text("tab, CRLF").replace("\r\n", "").contains('\n'));
    assert!(text("compact").starts_with(
        r#"{"SecurityGroups":[{"SecurityGroupId":"sg-web","RegionId":"cn-hangzhou","VpcId":"vpc-1","OwnerId":1234567890123456,"Big":123456789012345678901234567890,"Odd":[1.10,1e3,-0,1E+2,0.5E-7,100],"Tags":{"Tag":[]},"Escaped":"caf\u00e9 \/ \"q\" \t","#
    ));
    assert!(text("compact, Python separators").starts_with(
        r#"{"SecurityGroups": [{"SecurityGroupId": "sg-web", "RegionId": "cn-hangzhou", "VpcId": "vpc-1", "OwnerId": 1234567890123456, "Big": 123456789012345678901234567890, "Odd": [1.10, 1e3, -0, 1E+2, 0.5E-7, 100], "#
    ));
    for (name, text) in &inputs {
        assert_eq!(
            text.ends_with('\n'),
            !name.starts_with("compact") || name.ends_with("newline"),
            "{name}"
        );
    }
}

#[test]
fn one_description_change_diffs_as_that_value() {
    for (name, input) in inputs() {
        let expected = input.replace("\"old text\"", "\"new text\"");
        assert_ne!(expected, input, "{name}");
        assert_eq!(save_after(&input, SET), expected, "{name}");
    }
}

#[test]
fn an_added_description_lines_up_with_the_rules_other_fields() {
    let query = "RegionId=cn-hangzhou&SecurityGroupId=sg-web&IpProtocol=udp&PortRange=53/53\
                 &DestCidrIp=100.100.2.136/32&Description=dns";
    let created = "\"CreateTime\": \"2024-01-02T00:00:00Z\"";
    for (unit, newline) in [("    ", "\n"), ("  ", "\n"), ("\t", "\n"), ("\t", "\r\n")] {
        let input = layout(unit, newline);
        let indent = unit.repeat(6);
        let expected = input.replace(
            created,
            &format!("{created},{newline}{indent}\"Description\": \"dns\""),
        );
        assert_eq!(save_after(&input, query), expected, "{unit:?} {newline:?}");
    }
    for (spaced, colon, comma) in [(false, ":", ","), (true, ": ", ", ")] {
        let input = compact(spaced);
        let created = if spaced {
            created.to_owned()
        } else {
            created.replace(": ", ":")
        };
        let expected = input.replace(
            &created,
            &format!("{created}{comma}\"Description\"{colon}\"dns\""),
        );
        assert_eq!(save_after(&input, query), expected, "spaced: {spaced}");
    }
}

#[test]
fn clearing_and_restoring_a_description_gives_the_input_back() {
    for (name, input) in inputs() {
        let mut state = State::from_slice(input.as_bytes()).unwrap();
        let mut parser = RequestParser::new();
        let clear = SET.replace("new%20text", "");
        assert!(
            modify(&mut state, &parser.parse(&clear).unwrap())
                .unwrap()
                .changed
        );
        let mut out = String::new();
        state.write_json(&mut out).unwrap();
        assert_eq!(out, input.replace("\"old text\"", "\"\""), "{name}");
        let restore = SET.replace("new%20text", "old%20text");
        assert!(
            modify(&mut state, &parser.parse(&restore).unwrap())
                .unwrap()
                .changed
        );
        out.clear();
        state.write_json(&mut out).unwrap();
        assert_eq!(out, input, "{name}");
    }
}

#[test]
fn unchanged_state_saves_as_read() {
    for (name, input) in inputs() {
        let mut state = State::from_slice(input.as_bytes()).unwrap();
        let mut out = String::new();
        state.write_json(&mut out).unwrap();
        assert_eq!(out, input, "{name}");
    }
}

/// Whether `query` changes a description of the state read from `text`.
fn changes(text: &str, query: &str) -> bool {
    let mut state = State::from_json(text).unwrap();
    let mut parser = RequestParser::new();
    let request = parser.parse(query).unwrap();
    modify(&mut state, &request).is_ok_and(|applied| applied.changed)
}

#[test]
fn numbers_the_state_models_are_still_read() {
    let state = State::from_json(DUMP).unwrap();
    let info = state.store().groups().next().unwrap();
    assert_eq!(
        info.owner_id.as_ref().map(ToString::to_string).as_deref(),
        Some("1234567890123456")
    );
    // Priority 1 (a number) and "2" (a string) are read: a request with
    // another priority finds no rule.
    for (priority, found) in [("", true), ("&Priority=1", true), ("&Priority=2", false)] {
        assert_eq!(
            changes(DUMP, &format!("{SET}{priority}")),
            found,
            "{priority}"
        );
    }
    let udp = "RegionId=cn-hangzhou&SecurityGroupId=sg-web&IpProtocol=udp&PortRange=53/53\
               &DestCidrIp=100.100.2.136/32&Description=dns";
    assert!(changes(DUMP, &format!("{udp}&Priority=2")));
    assert!(!changes(DUMP, &format!("{udp}&Priority=1")));
    let with = |priority: &str| {
        DUMP.replace(
            "\"Priority\": 1,\n                        \"Weight\"",
            &format!("\"Priority\": {priority},\n                        \"Weight\""),
        )
    };
    assert!(changes(&with("100"), &format!("{SET}&Priority=100")));
    for (priority, message) in [
        ("101", "invalid Priority 101: priority is above 100"),
        ("-0", "invalid Priority -0: priority is below 1"),
        (
            "1.0",
            "Priority must be an integer or a decimal string, not 1.0",
        ),
        (
            "123456789012345678901234567890",
            "Priority must be an integer or a decimal string, not 123456789012345678901234567890",
        ),
    ] {
        assert_eq!(
            State::from_json(&with(priority)).unwrap_err().to_string(),
            format!("group sg-web, rule 1: {message}")
        );
    }
}

/// Modify by rule id on an unmodelled rule (a protocol number) changes its
/// description, and the saved file differs in that value only.
#[test]
fn an_unmodelled_rules_description_change_diffs_as_that_value() {
    use aliyun_sg_egress::lifecycle::{self, Env};
    use aliyun_sg_egress::request::Action;

    for (name, input) in inputs() {
        let mut state = State::from_slice(input.as_bytes()).unwrap();
        let mut parser = Box::new(RequestParser::new());
        let request = parser
            .parse_request(
                Some(Action::Modify),
                "RegionId=cn-hangzhou&SecurityGroupId=sg-web&SecurityGroupRuleId=sgr-gre0by0number&Description=gre",
            )
            .unwrap();
        let mut ids = || [b'a'; 20];
        let mut env = Env::new("2026-12-02T06:00:00Z", &mut ids);
        assert!(
            lifecycle::execute(&mut state, &mut env, &request)
                .unwrap()
                .changed,
            "{name}"
        );
        let mut saved = String::new();
        state.write_json(&mut saved).unwrap();
        assert_eq!(
            saved,
            input.replace("\"gre by number\"", "\"gre\""),
            "{name}"
        );
    }
}
