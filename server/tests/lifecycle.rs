//! Every action over HTTP (SPEC §12, §13): Authorize (flat and
//! `Permissions.N`), Describe, Modify by rule id, Revoke, `ClientToken`,
//! the quota, Describe never seeing half an action, and Describe agreeing
//! with the last acknowledged change under concurrent clients.

mod common;

use std::time::Instant;

use common::{GROUP, Server, modify_query};
use serde_json::Value;

fn describe(server: &Server) -> Value {
    let r = server.get(&format!(
        "Action=DescribeSecurityGroupAttribute&RegionId=cn-hangzhou&SecurityGroupId={GROUP}&Direction=egress&Format=json"
    ));
    assert_eq!(r.status, 200, "{}", r.body);
    serde_json::from_str(&r.body).unwrap()
}

fn rules(server: &Server) -> Vec<Value> {
    describe(server)["Permissions"]["Permission"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn by_description<'a>(rules: &'a [Value], text: &str) -> Option<&'a Value> {
    rules.iter().find(|r| r["Description"] == text)
}

fn authorize(extra: &str) -> String {
    format!(
        "Action=AuthorizeSecurityGroupEgress&RegionId=cn-hangzhou&SecurityGroupId={GROUP}&{extra}"
    )
}

#[test]
fn authorize_describe_modify_by_id_revoke() {
    let server = Server::with_state(2, &[]);
    // Authorize, flat, JSON and XML bodies.
    let r = server.get(&authorize(
        "IpProtocol=tcp&PortRange=22/22&DestCidrIp=192.168.0.0/16&Description=ssh&Format=json",
    ));
    assert_eq!(r.status, 200, "{}", r.body);
    let id = r.request_id().unwrap();
    assert_eq!(r.body, format!("{{\"RequestId\":\"{id}\"}}"));
    let r = server.get(&authorize(
        "IpProtocol=udp&PortRange=53/53&DestCidrIp=10.53.0.0/16&Description=dns",
    ));
    let id = r.request_id().unwrap();
    assert_eq!(
        r.body,
        format!(
            "<AuthorizeSecurityGroupEgressResponse><RequestId>{id}</RequestId></AuthorizeSecurityGroupEgressResponse>"
        )
    );
    // Permissions.N.
    let r = server.get(&authorize(
        "Permissions.1.IpProtocol=tcp&Permissions.1.PortRange=443/443&Permissions.1.DestCidrIp=0.0.0.0/0&Permissions.1.Description=p1\
         &Permissions.2.IpProtocol=icmp&Permissions.2.PortRange=-1/-1&Permissions.2.DestCidrIp=0.0.0.0/0&Permissions.2.Description=p2",
    ));
    assert_eq!(r.status, 200, "{}", r.body);
    let all = rules(&server);
    assert_eq!(all.len(), 6, "{all:?}");
    let ssh = by_description(&all, "ssh").unwrap();
    let rule_id = ssh["SecurityGroupRuleId"].as_str().unwrap().to_string();
    assert!(
        rule_id.starts_with("sgr-") && rule_id.len() == 24,
        "{rule_id}"
    );
    assert!(
        rule_id[4..]
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    );
    assert_eq!(ssh["IpProtocol"], "TCP");
    assert_eq!(ssh["Policy"], "Accept");
    assert_eq!(ssh["CreateTime"].as_str().unwrap().len(), 20);
    assert_eq!(describe(&server)["NextToken"], "");
    // Already granted: success, nothing added.
    assert_eq!(
        server
            .get(&authorize(
                "IpProtocol=tcp&PortRange=22/22&DestCidrIp=192.168.0.0/16"
            ))
            .status,
        200
    );
    assert_eq!(rules(&server).len(), 6);
    // Modify by id.
    let r = server.get(&format!(
        "Action=ModifySecurityGroupEgressRule&RegionId=cn-hangzhou&SecurityGroupId={GROUP}&SecurityGroupRuleId={rule_id}&Description=ssh%20out"
    ));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(by_description(&rules(&server), "ssh out").is_some());
    // Revoke by id, then again.
    let revoke = format!(
        "Action=RevokeSecurityGroupEgress&RegionId=cn-hangzhou&SecurityGroupId={GROUP}&SecurityGroupRuleId.1={rule_id}"
    );
    let r = server.get(&revoke);
    assert_eq!(r.status, 200, "{}", r.body);
    let id = r.request_id().unwrap();
    assert_eq!(
        r.body,
        format!(
            "<RevokeSecurityGroupEgressResponse><RequestId>{id}</RequestId></RevokeSecurityGroupEgressResponse>"
        )
    );
    assert_eq!(rules(&server).len(), 5);
    let r = server.get(&revoke);
    assert_eq!(
        (r.status, r.code().as_deref()),
        (404, Some("InvalidSecurityGroupRuleId.NotFound"))
    );
    // Describe in XML; the action from the header.
    let r = server.send(
        "GET",
        &format!("/?RegionId=cn-hangzhou&SecurityGroupId={GROUP}"),
        &[("x-acs-action", "DescribeSecurityGroupAttribute")],
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body
            .starts_with("<DescribeSecurityGroupAttributeResponse><RequestId>"),
        "{}",
        r.body
    );
    assert!(r.body.contains("<Permissions><Permission>"));
}

#[test]
fn quota_and_client_token() {
    let server = Server::with_state(2, &["--rule-quota", "3"]);
    let one = authorize("IpProtocol=tcp&PortRange=22/22&DestCidrIp=192.168.0.0/16&ClientToken=t-1");
    assert_eq!(server.get(&one).status, 200);
    assert_eq!(server.get(&one).status, 200);
    assert_eq!(rules(&server).len(), 3);
    let other =
        authorize("IpProtocol=tcp&PortRange=23/23&DestCidrIp=192.168.0.0/16&ClientToken=t-1");
    let r = server.get(&other);
    assert_eq!(
        (r.status, r.code().as_deref()),
        (400, Some("IdempotentParameterMismatch"))
    );
    let r = server.get(&authorize(
        "IpProtocol=tcp&PortRange=24/24&DestCidrIp=192.168.0.0/16",
    ));
    assert_eq!(
        (r.status, r.code().as_deref()),
        (403, Some("AuthorizationLimitExceed"))
    );
    assert_eq!(rules(&server).len(), 3);
}

#[test]
fn describe_never_sees_half_an_action() {
    let server = Server::with_state(1, &[]);
    let ten: String = (1..=10)
        .map(|n| format!("&Permissions.{n}.IpProtocol=tcp&Permissions.{n}.PortRange={p}/{p}&Permissions.{n}.DestCidrIp=172.16.0.0/12&Permissions.{n}.Description=batch", p = 2000 + n))
        .collect();
    let revoke: String = format!("Action=RevokeSecurityGroupEgress&RegionId=cn-hangzhou&SecurityGroupId={GROUP}")
        + &(1..=10)
            .map(|n| format!("&Permissions.{n}.IpProtocol=tcp&Permissions.{n}.PortRange={p}/{p}&Permissions.{n}.DestCidrIp=172.16.0.0/12", p = 2000 + n))
            .collect::<String>();
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            for _ in 0..30 {
                assert_eq!(server.get(&authorize(&ten[1..])).status, 200);
                assert_eq!(server.get(&revoke).status, 200);
            }
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
        });
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            let n = rules(&server)
                .iter()
                .filter(|r| r["Description"] == "batch")
                .count();
            assert!(n == 0 || n == 10, "Describe saw {n} of 10");
        }
    });
}

#[test]
fn describe_agrees_with_the_last_acknowledged_change() {
    const CLIENTS: usize = 6;
    const CHANGES: usize = 30;
    const RULES: usize = 3;
    let server = Server::with_state(RULES, &[]);
    let origin = Instant::now();
    let log: Vec<(usize, String, u128, u128)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..CLIENTS)
            .map(|c| {
                let server = &server;
                scope.spawn(move || {
                    (0..CHANGES)
                        .map(|i| {
                            let rule = (c + i) % RULES;
                            let text = format!("c{c}-{i}");
                            let sent = origin.elapsed().as_micros();
                            assert_eq!(server.get(&modify_query(rule, &text)).status, 200);
                            (rule, text, sent, origin.elapsed().as_micros())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let all = rules(&server);
    for rule in 0..RULES {
        let port = format!("{p}/{p}", p = 1000 + rule);
        let text = all
            .iter()
            .find(|r| r["PortRange"] == port.as_str())
            .unwrap()["Description"]
            .as_str()
            .unwrap();
        let (_, _, _, acked) = log.iter().find(|e| e.1 == text).unwrap();
        assert!(
            !log.iter().any(|(r, _, sent, _)| *r == rule && sent > acked),
            "rule {rule}: {text} is stale"
        );
    }
}

#[test]
fn authorized_rules_survive_kill_9() {
    let mut server = Server::with_state(1, &["--save"]);
    assert_eq!(
        server
            .get(&authorize(
                "IpProtocol=tcp&PortRange=22/22&DestCidrIp=192.168.0.0/16&Description=kept"
            ))
            .status,
        200
    );
    let id = by_description(&rules(&server), "kept").unwrap()["SecurityGroupRuleId"]
        .as_str()
        .unwrap()
        .to_string();
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let text = std::fs::read_to_string(server.state_path()).unwrap();
    assert!(text.contains(&id) && text.contains("\"kept\""), "{text}");
}

#[test]
fn prefix_lists_come_from_the_state() {
    let dir = common::temp_dir();
    let state = dir.join("state.json");
    std::fs::write(
        &state,
        format!(
            r#"{{"SecurityGroups": [{}], "PrefixLists": ["pl-known"]}}"#,
            common::state_json(1)
        ),
    )
    .unwrap();
    let server = Server::start_with(&["--state", state.to_str().unwrap()], &[], dir);
    let r = server.get(&authorize(
        "IpProtocol=tcp&PortRange=443/443&DestPrefixListId=pl-unknown&Format=json",
    ));
    assert_eq!(
        (r.status, r.code().as_deref()),
        (404, Some("InvalidPrefixListId.NotFound")),
        "{}",
        r.body
    );
    assert!(
        r.body
            .contains(r#""Message":"The specified prefix list was not found.""#),
        "{}",
        r.body
    );
    let r = server.get(&authorize(
        "IpProtocol=tcp&PortRange=443/443&DestPrefixListId=pl-known&Description=listed",
    ));
    assert_eq!(r.status, 200, "{}", r.body);
    let listed = rules(&server);
    let rule = by_description(&listed, "listed").unwrap();
    assert_eq!(rule["DestPrefixListId"], "pl-known");
    assert_eq!(rule["NicType"], "intranet");
}

#[test]
fn describe_shows_the_rules_as_the_state_holds_them() {
    let dir = common::temp_dir();
    let state = dir.join("state.json");
    let ingress = r#"{"SecurityGroupRuleId": "sgr-in", "Direction": "ingress", "IpProtocol": "TCP", "PortRange": "22/22", "SourceCidrIp": "0.0.0.0/0", "Policy": "Accept", "Priority": 1}"#;
    let text = common::state_json(1).replacen(
        "\"Permission\": [",
        &format!("\"Permission\": [{ingress},"),
        1,
    );
    std::fs::write(&state, text).unwrap();
    let server = Server::start_with(&["--state", state.to_str().unwrap()], &[], dir);
    let listed = |direction: &str| -> Vec<Value> {
        let r = server.get(&format!(
            "Action=DescribeSecurityGroupAttribute&RegionId=cn-hangzhou&SecurityGroupId={GROUP}&Direction={direction}&Format=json"
        ));
        assert_eq!(r.status, 200, "{}", r.body);
        let body: Value = serde_json::from_str(&r.body).unwrap();
        body["Permissions"]["Permission"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    let all = listed("all");
    assert_eq!(all.len(), 2, "{all:?}");
    // As written: the ingress rule's Priority is a number, the egress
    // rule's a string.
    assert_eq!(all[0]["SecurityGroupRuleId"], "sgr-in");
    assert_eq!(all[0]["Priority"], 1);
    assert_eq!(all[1]["Priority"], "1");
    assert_eq!(listed("ingress").len(), 1);
    assert_eq!(listed("egress").len(), 1);
}
