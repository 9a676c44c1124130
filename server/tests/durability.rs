//! `--save` (SPEC §9, §13): every acknowledged change is in the file, even
//! after `kill -9` under load; a temporary file left behind is never the
//! state; a failed write answers `InternalError` and changes nothing.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::{GROUP, Server, modify_query};

const CLIENTS: usize = 6;

fn descriptions(text: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    v["Permissions"]["Permission"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["Description"].as_str().unwrap_or("").to_string())
        .collect()
}

/// One keep-alive GET; `None` when the connection broke.
fn get(stream: &mut BufReader<TcpStream>, query: &str) -> Option<u16> {
    write!(
        stream.get_mut(),
        "GET /?{query} HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    .ok()?;
    let mut line = String::new();
    if stream.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let status = line.split(' ').nth(1)?.parse().ok()?;
    let mut length = 0;
    loop {
        line.clear();
        if stream.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if line == "\r\n" {
            break;
        }
        if let Some((n, v)) = line.split_once(':')
            && n.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).ok()?;
    Some(status)
}

#[test]
fn kill_9_under_load_loses_nothing_acknowledged() {
    let mut server = Server::with_state(CLIENTS, &["--save"]);
    let stop = AtomicBool::new(false);
    let acked: Vec<Option<usize>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..CLIENTS)
            .map(|k| {
                let (addr, stop) = (server.addr, &stop);
                scope.spawn(move || {
                    let stream = TcpStream::connect(addr).unwrap();
                    stream
                        .set_read_timeout(Some(Duration::from_secs(10)))
                        .unwrap();
                    let mut stream = BufReader::new(stream);
                    let mut last = None;
                    for i in 0.. {
                        if stop.load(Ordering::Relaxed) && i > 0 && last.is_none() {
                            break;
                        }
                        match get(&mut stream, &modify_query(k, &format!("k{k}-{i}"))) {
                            Some(200) => last = Some(i),
                            Some(status) => panic!("status {status}"),
                            None => break,
                        }
                    }
                    last
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(1500));
        server.child.kill().unwrap(); // SIGKILL
        server.child.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let text = std::fs::read_to_string(server.state_path()).unwrap();
    let finals = descriptions(&text);
    let mut total = 0;
    for (k, last) in acked.iter().enumerate() {
        let last = last.unwrap_or_else(|| panic!("client {k} got no acknowledgement"));
        total += last + 1;
        let saved: usize = finals[k]
            .strip_prefix(&format!("k{k}-"))
            .unwrap_or_else(|| panic!("rule {k}: {:?}", finals[k]))
            .parse()
            .unwrap();
        // The last acknowledged change, or the one in flight at the kill.
        assert!(
            saved == last || saved == last + 1,
            "rule {k}: saved {saved}, last acknowledged {last}"
        );
    }
    assert!(total > 50, "only {total} changes acknowledged");
    // The next run starts from the file, a leftover temporary file aside.
    let leftovers: Vec<_> = std::fs::read_dir(&server.dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    let restarted = Server::start_with(
        &["--state", server.state_path().to_str().unwrap(), "--save"],
        &[],
        server.dir.clone(),
    );
    assert_eq!(
        restarted.get(&modify_query(0, "after")).status,
        200,
        "{leftovers:?}"
    );
}

#[test]
fn a_failed_write_answers_internal_error_and_rolls_back() {
    let mut server = Server::with_state(2, &["--save"]);
    assert_eq!(server.get(&modify_query(0, "durable")).status, 200);
    // A directory where the state file was: the rename fails.
    let path = server.state_path();
    std::fs::remove_file(&path).unwrap();
    std::fs::create_dir(&path).unwrap();
    let r = server.get(&format!("{}&Format=json", modify_query(0, "lost")));
    std::fs::remove_dir(&path).unwrap();
    assert_eq!(
        (r.status, r.code().as_deref()),
        (500, Some("InternalError")),
        "{}",
        r.body
    );
    // No temporary file is left.
    let leftovers = std::fs::read_dir(&server.dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .count();
    assert_eq!(leftovers, 0);
    // The state went back: the same change again is a change (and saved).
    assert_eq!(server.get(&modify_query(0, "lost")).status, 200);
    assert!(server.terminate().success());
    assert_eq!(
        descriptions(&std::fs::read_to_string(server.state_path()).unwrap())[0],
        "lost"
    );
}

#[test]
fn a_rolled_back_change_forgets_its_client_token() {
    let mut server = Server::with_state(2, &["--save"]);
    let authorize = format!(
        "Action=AuthorizeSecurityGroupEgress&RegionId=cn-hangzhou&SecurityGroupId={GROUP}\
         &IpProtocol=tcp&PortRange=22/22&DestCidrIp=192.168.0.0/16&Description=retried&ClientToken=t-1"
    );
    let path = server.state_path();
    std::fs::remove_file(&path).unwrap();
    std::fs::create_dir(&path).unwrap();
    let r = server.get(&authorize);
    std::fs::remove_dir(&path).unwrap();
    assert_eq!(
        (r.status, r.code().as_deref()),
        (500, Some("InternalError"))
    );
    // The retry with the same token is applied, not answered "done".
    assert_eq!(server.get(&authorize).status, 200);
    assert!(server.terminate().success());
    let text = std::fs::read_to_string(server.state_path()).unwrap();
    assert!(text.contains("\"retried\""), "{text}");
}

#[test]
fn sigterm_saves_and_exits_zero() {
    let mut server = Server::with_state(2, &["--save"]);
    assert_eq!(server.get(&modify_query(1, "kept")).status, 200);
    assert!(server.terminate().success());
    assert_eq!(
        descriptions(&std::fs::read_to_string(server.state_path()).unwrap())[1],
        "kept"
    );
}

/// A file of several groups (`{"SecurityGroups": […]}`, unknown fields,
/// CRLF, a tab step) is saved back byte for byte but for the changes, each
/// group written in its place, whichever group changed.
#[test]
fn a_file_of_several_groups_saves_only_what_changed() {
    let group = |id: &str, port: u16, description: &str| {
        format!(
            "\t\t{{\r\n\t\t\t\"SecurityGroupId\": \"{id}\",\r\n\t\t\t\"RegionId\": \"cn-hangzhou\",\r\n\t\t\t\"VpcId\": \"vpc-1\",\r\n\t\t\t\"Odd\": 1.10,\r\n\t\t\t\"Permissions\": {{\r\n\t\t\t\t\"Permission\": [\r\n\t\t\t\t\t{{\r\n\t\t\t\t\t\t\"SecurityGroupRuleId\": \"sgr-{id}\",\r\n\t\t\t\t\t\t\"Direction\": \"egress\",\r\n\t\t\t\t\t\t\"IpProtocol\": \"TCP\",\r\n\t\t\t\t\t\t\"PortRange\": \"{port}/{port}\",\r\n\t\t\t\t\t\t\"DestCidrIp\": \"10.0.0.0/8\",\r\n\t\t\t\t\t\t\"Priority\": 1,\r\n\t\t\t\t\t\t\"Description\": \"{description}\"\r\n\t\t\t\t\t}}\r\n\t\t\t\t]\r\n\t\t\t}}\r\n\t\t}}"
        )
    };
    let file = |b: &str, c: &str| {
        format!(
            "{{\r\n\t\"RequestId\": \"kept\",\r\n\t\"SecurityGroups\": [\r\n{},\r\n{},\r\n{}\r\n\t],\r\n\t\"Tail\": [1e3]\r\n}}\r\n",
            group("sg-a", 1, "a"),
            group("sg-b", 2, b),
            group("sg-c", 3, c)
        )
    };
    let dir = common::temp_dir();
    let state = dir.join("state.json");
    std::fs::write(&state, file("b", "c")).unwrap();
    let mut server = Server::start_with(&["--state", state.to_str().unwrap(), "--save"], &[], dir);
    let modify = |group: &str, port: u16, description: &str| {
        format!(
            "Action=ModifySecurityGroupEgressRule&RegionId=cn-hangzhou&SecurityGroupId={group}\
             &IpProtocol=tcp&PortRange={port}/{port}&DestCidrIp=10.0.0.0/8&Description={description}"
        )
    };
    assert_eq!(server.get(&modify("sg-b", 2, "b2")).status, 200);
    assert_eq!(common::read_file(&state), file("b2", "c"));
    assert_eq!(server.get(&modify("sg-c", 3, "c2")).status, 200);
    assert_eq!(common::read_file(&state), file("b2", "c2"));
    assert!(server.terminate().success());
    assert_eq!(common::read_file(&state), file("b2", "c2"));
}
