//! The endpoint without credentials: formats, headers, paths, limits,
//! malformed HTTP, a panic inside a request.

mod common;

use common::{GROUP, Server, modify_query};

fn is_request_id(text: &str) -> bool {
    text.len() == 36
        && text.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_digit() || (b'A'..=b'F').contains(&b),
        })
}

#[test]
fn modify_answers_in_both_formats() {
    let server = Server::with_state(3, &[]);
    let r = server.get(&modify_query(0, "x y"));
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/xml;charset=utf-8"));
    let id = r.request_id().unwrap();
    assert!(is_request_id(&id), "{id}");
    assert_eq!(r.header("x-acs-request-id"), Some(id.as_str()));
    assert_eq!(
        r.body,
        format!(
            "<ModifySecurityGroupEgressRuleResponse><RequestId>{id}</RequestId></ModifySecurityGroupEgressRuleResponse>"
        )
    );

    let r = server.get(&format!("{}&Format=json", modify_query(1, "z")));
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type"),
        Some("application/json;charset=utf-8")
    );
    let id = r.request_id().unwrap();
    assert_eq!(r.body, format!("{{\"RequestId\":\"{id}\"}}"));

    // Accept decides when Format is absent; Format wins over Accept.
    let r = server.send(
        "GET",
        &format!("/?{}", modify_query(1, "z")),
        &[("Accept", "application/json")],
        b"",
    );
    assert_eq!(
        r.header("content-type"),
        Some("application/json;charset=utf-8")
    );
    let r = server.send(
        "GET",
        &format!("/?{}&Format=XML", modify_query(1, "z")),
        &[("Accept", "application/json")],
        b"",
    );
    assert_eq!(r.header("content-type"), Some("text/xml;charset=utf-8"));
    // An unknown Format value is ignored.
    let r = server.get(&format!("{}&Format=yaml", modify_query(1, "z")));
    assert_eq!(
        (r.status, r.header("content-type")),
        (200, Some("text/xml;charset=utf-8"))
    );

    // Two ids differ.
    assert_ne!(server.get(&modify_query(1, "z")).request_id(), Some(id));
}

#[test]
fn errors_have_the_api_shape() {
    let server = Server::with_state(2, &[]);
    let r = server.get(&format!("{}&Format=json", modify_query(7, "x")));
    assert_eq!(r.status, 404);
    let id = r.request_id().unwrap();
    assert_eq!(
        r.body,
        format!(
            "{{\"RequestId\":\"{id}\",\"HostId\":\"ecs.aliyuncs.com\",\"Code\":\"SecurityGroupRule.NotFound\",\"Message\":\"The target security group rule do not exist.\"}}"
        )
    );
    assert_eq!(r.header("x-acs-request-id"), Some(id.as_str()));
    let r = server.get(
        &modify_query(0, "x")
            .replace("Priority", "")
            .replace("&IpProtocol=tcp", "&IpProtocol=tcp&Priority=0"),
    );
    assert_eq!(
        (r.status, r.code().as_deref()),
        (400, Some("InvalidPriority.ValueNotSupported"))
    );
    assert!(r.body.starts_with("<Error><RequestId>"), "{}", r.body);
}

#[test]
fn paths_methods_versions_and_actions() {
    let server = Server::with_state(2, &[]);
    let q = modify_query(0, "x");
    for (method, target) in [
        ("GET", "/x"),
        ("GET", "/x/?a=1"),
        ("PUT", "/"),
        ("DELETE", "/"),
        ("GET", "//"),
    ] {
        let r = server.send(method, &format!("{target}?{q}"), &[], b"");
        assert_eq!(
            (r.status, r.code().as_deref()),
            (404, Some("InvalidAction.NotFound")),
            "{method} {target}"
        );
        assert!(
            r.body
                .contains("Specified api is not found, please check your url and method.")
        );
    }
    // Version, in the parameters or the header.
    let r = server.get(&format!("{q}&Version=2016-01-01"));
    assert_eq!(
        (r.status, r.code().as_deref()),
        (400, Some("InvalidVersion"))
    );
    assert!(
        r.body
            .contains("<Message>Specified parameter Version is not valid.</Message>")
    );
    let r = server.send(
        "GET",
        &format!("/?{q}"),
        &[("x-acs-version", "2016-01-01")],
        b"",
    );
    assert_eq!(r.code().as_deref(), Some("InvalidVersion"));
    assert_eq!(server.get(&format!("{q}&Version=2014-05-26")).status, 200);
    // The action: header alone, parameter alone, both differing.
    let bare = q.replace("Action=ModifySecurityGroupEgressRule&", "");
    let r = server.send(
        "GET",
        &format!("/?{bare}"),
        &[("x-acs-action", "ModifySecurityGroupEgressRule")],
        b"",
    );
    assert_eq!(r.status, 200);
    let r = server.send(
        "GET",
        &format!("/?{bare}"),
        &[("x-acs-action", "DeleteSecurityGroup")],
        b"",
    );
    assert_eq!(
        (r.status, r.code().as_deref()),
        (404, Some("InvalidAction.NotFound"))
    );
    let r = server.send(
        "GET",
        &format!("/?{q}"),
        &[("x-acs-action", "DescribeSecurityGroupAttribute")],
        b"",
    );
    assert_eq!(
        (r.status, r.code().as_deref()),
        (400, Some("InvalidParameter"))
    );
    assert!(
        r.body
            .contains("The specified parameter &quot;Action&quot; is not valid."),
        "{}",
        r.body
    );
    let r = server.get(&q.replace("Action=ModifySecurityGroupEgressRule", "Action=Nope"));
    assert_eq!(
        (r.status, r.code().as_deref()),
        (404, Some("InvalidAction.NotFound"))
    );
}

#[test]
fn form_bodies_and_duplicates() {
    let server = Server::with_state(2, &[]);
    let q = modify_query(0, "from the body");
    let form = [("Content-Type", "application/x-www-form-urlencoded")];
    let r = server.send("POST", "/", &form, q.as_bytes());
    assert_eq!(r.status, 200, "{}", r.body);
    // Split between query and body.
    let (a, b) = q.split_at(q.find("&IpProtocol").unwrap());
    let r = server.send("POST", &format!("/?{a}"), &form, &b.as_bytes()[1..]);
    assert_eq!(r.status, 200, "{}", r.body);
    // A name in both.
    let r = server.send("POST", &format!("/?{q}"), &form, b"Description=again");
    assert_eq!(
        (r.status, r.code().as_deref()),
        (400, Some("InvalidParameter"))
    );
    assert!(r.body.contains("Description"), "{}", r.body);
    // A body that is not a form carries no parameters.
    let r = server.send(
        "POST",
        &format!("/?{q}"),
        &[("Content-Type", "text/plain")],
        b"Description=again",
    );
    assert_eq!(r.status, 200);
    // Undecodable: the Accept header decides the format, even beside a
    // Format parameter.
    let r = server.send(
        "GET",
        "/?Format=xml&a=%zz",
        &[("Accept", "application/json")],
        b"",
    );
    assert_eq!(
        (r.status, r.code().as_deref()),
        (400, Some("InvalidParameter"))
    );
    assert_eq!(
        r.header("content-type"),
        Some("application/json;charset=utf-8")
    );
    let r = server.get("a=%ff%fe");
    assert_eq!(
        (r.status, r.header("content-type")),
        (400, Some("text/xml;charset=utf-8"))
    );
}

/// `query` plus unknown parameters (each value under 4 KiB) up to `len`
/// bytes.
fn padded(query: &str, len: usize) -> String {
    let mut out = query.to_string();
    let mut i = 0;
    while out.len() < len {
        let head = format!("&P{i:03}=");
        let room = len - out.len() - head.len();
        out.push_str(&head);
        out.push_str(&"a".repeat(room.min(4000)));
        i += 1;
    }
    assert_eq!(out.len(), len);
    out
}

#[test]
fn limits() {
    let server = Server::with_state(2, &[]);
    // A query over 64 KiB: hyper refuses a request target over 65,534
    // bytes itself; the server closes without a byte of its 414.
    let big = format!("{}&Pad={}", modify_query(0, "x"), "a".repeat(64 * 1024));
    assert_eq!(raw_bytes(&server, &get_request(&big)), "");
    // Just under hyper's limit: served.
    let q = modify_query(0, "x");
    let r = server.get(&padded(&q, 65_534 - 2));
    assert_eq!(r.status, 200, "{}", r.body);
    // A form body over 64 KiB: the §2 QueryString error.
    let r = server.send(
        "POST",
        "/",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        big.as_bytes(),
    );
    assert_eq!(
        (r.status, r.code().as_deref()),
        (400, Some("InvalidParameter"))
    );
    assert!(r.body.contains("QueryString"), "{}", r.body);
    // Exactly 64 KiB of form body is fine (as far as size goes).
    let body = padded(&q, 64 * 1024);
    let r = server.send(
        "POST",
        "/",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        body.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    // Headers over 16 KiB: 431 or a close, never an API answer. The
    // server's own 431 (a head hyper reads) goes out ...
    let huge = "h".repeat(17 * 1024);
    let reply = server.raw(
        format!("GET /?{q} HTTP/1.1\r\nHost: x\r\nX-Big: {huge}\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    );
    let r = reply.expect("the server's own 431");
    assert_eq!((r.status, r.body.as_str()), (431, ""));
    // ... hyper's (over 100 headers; a head over its 96 KiB buffer) is a
    // close without a byte.
    let many: String = (0..200)
        .map(|i| format!("X-H{i}: {}\r\n", "v".repeat(100)))
        .collect();
    let reply = raw_bytes(
        &server,
        format!("GET /?{q} HTTP/1.1\r\nHost: x\r\n{many}Connection: close\r\n\r\n").as_bytes(),
    );
    assert_eq!(reply, "");
    let enormous = "h".repeat(200 * 1024);
    let reply = raw_bytes(
        &server,
        format!("GET /?{q} HTTP/1.1\r\nHost: x\r\nX-Big: {enormous}\r\n\r\n").as_bytes(),
    );
    assert_eq!(reply, "");
    assert!(server.alive());
}

/// A GET of `/?{query}` with `Connection: close`.
fn get_request(query: &str) -> Vec<u8> {
    format!("GET /?{query} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").into_bytes()
}

/// Sends `request` and returns every byte of the answer until the server
/// closes (a reset ends the answer too: it is what a client sees).
fn raw_bytes(server: &Server, request: &[u8]) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    // A close while the request is still being sent fails the write.
    let _ = stream.write_all(request);
    let mut bytes = Vec::new();
    let mut chunk = [0; 4096];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("reading the answer: {e}"),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn long_queries() {
    let server = Server::with_state(2, &[]);
    let modify = |description: &str, len: usize| padded(&modify_query(0, description), len);
    // Large but below hyper's 65,534-byte request target: the library
    // handles them (the padding is unknown parameters, ignored).
    for len in [65_000, 65_532] {
        let description = format!("len{len}");
        let r = server.get(&modify(&description, len));
        assert_eq!(r.status, 200, "{len}: {}", r.body);
        let describe = server.get(&format!(
            "Action=DescribeSecurityGroupAttribute&RegionId=cn-hangzhou&SecurityGroupId={GROUP}&Direction=egress&Format=json"
        ));
        assert!(describe.body.contains(&description), "{}", describe.body);
    }
    // From 65,533 bytes on (the request target then over 65,534, 64 KiB
    // included), over hyper's read buffer too: closed without a byte, never
    // hyper's 414 or 431.
    for len in [65_533, 65_534, 64 * 1024, 70_000, 200 * 1024, 1024 * 1024] {
        let reply = raw_bytes(&server, &get_request(&modify("x", len)));
        assert!(!reply.starts_with("HTTP/1.1 414"), "{len}");
        assert_eq!(reply, "", "{len}");
    }
    // Behind an answered request on the same connection: that answer, in
    // full, then the close.
    let mut pipelined = b"GET /?Action=Nope HTTP/1.1\r\nHost: x\r\n\r\n".to_vec();
    pipelined.extend_from_slice(&get_request(&modify("x", 70_000)));
    let reply = raw_bytes(&server, &pipelined);
    let r = common::Reply::parse(reply.as_bytes()).expect("the first answer");
    assert_eq!(
        (r.status, r.code().as_deref()),
        (404, Some("InvalidAction.NotFound"))
    );
    assert_eq!(
        r.header("content-length"),
        Some(r.body.len().to_string().as_str())
    );
    assert_eq!(reply.matches("HTTP/1.1").count(), 1, "{reply}");
    assert!(server.alive());
}

#[test]
fn malformed_http_is_never_5xx() {
    let server = Server::with_state(2, &[]);
    let cases: &[&[u8]] = &[
        b"garbage\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET /?a=1 HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        b"GET /\x00\xff HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nBad Header\r\n\r\n",
        b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03",
        b"GET /?Action=%E4%B8 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET /?SecurityGroupId=sg-%0a%1b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"",
    ];
    for case in cases {
        if let Some(r) = server.raw_then(case, !case.ends_with(b"\r\n\r\n")) {
            assert!(
                r.status < 500,
                "{:?} -> {}",
                String::from_utf8_lossy(case),
                r.status
            );
        }
        assert!(server.alive());
    }
    // The log line escapes what it echoes (the log is flushed every 100 ms).
    std::thread::sleep(std::time::Duration::from_millis(300));
    let log = server.log();
    assert!(log.contains("group=sg-\\n\\x1b"), "{log}");
    assert!(log.lines().all(|l| l.len() < 2000));
}

#[test]
fn a_panic_is_internal_error_and_the_server_goes_on() {
    let dir = common::temp_dir();
    let state = dir.join("state.json");
    std::fs::write(&state, common::state_json(2)).unwrap();
    let server = Server::start_with(
        &["--state", state.to_str().unwrap()],
        &[("SG_EGRESS_SERVER_TEST_PANIC", "1")],
        dir,
    );
    let r = server.get(&format!("{}&TestPanic=1&Format=json", modify_query(0, "x")));
    assert_eq!(
        (r.status, r.code().as_deref()),
        (500, Some("InternalError"))
    );
    assert!(
        r.body
            .contains("The request processing has failed due to some unknown error.")
    );
    // The panic came after the change: the group is as before it.
    let describe = format!(
        "Action=DescribeSecurityGroupAttribute&RegionId=cn-hangzhou&SecurityGroupId={GROUP}&Format=json"
    );
    let before = server.get(&describe);
    assert_eq!(before.status, 200);
    assert!(
        before.body.contains("\"Description\":\"d0\""),
        "{}",
        before.body
    );
    assert!(
        !before.body.contains("\"Description\":\"x\""),
        "{}",
        before.body
    );
    assert_eq!(server.get(&modify_query(0, "x")).status, 200);
    assert!(server.get(&describe).body.contains("\"Description\":\"x\""));
    assert!(server.alive());
}

#[test]
fn sigterm_exits_zero() {
    let mut server = Server::with_state(2, &[]);
    assert_eq!(server.get(&modify_query(0, "x")).status, 200);
    assert!(server.terminate().success());
}

#[test]
fn usage_errors() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sg-egress-server"))
        .args(["--save", "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sg-egress-server"))
        .args([
            "--state",
            "/nonexistent/state.json",
            "--listen",
            "127.0.0.1:0",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}

#[test]
fn demo_state_without_credentials_says_so() {
    let server = Server::start(&[]);
    let r = server.get("Action=ModifySecurityGroupEgressRule&RegionId=cn-hangzhou&SecurityGroupId=sg-F876FF7BA&IpProtocol=tcp&PortRange=80/80&NicType=intranet&Policy=accept&DestGroupId=sg-1651FBB64&Description=web%20to%20db");
    assert_eq!(r.status, 200, "{}", r.body);
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert!(server.log().contains("requests are not authenticated"));
}
