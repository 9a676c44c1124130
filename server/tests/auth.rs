//! Signatures (SPEC §13): ACS3-HMAC-SHA256 and HMAC-SHA1, each with a
//! wrong secret, an unknown key, a replayed nonce, an expired date, no
//! signature; a changed query or body is refused and never applied.

mod common;

use common::{KEY, SECRET, Server, acs3_headers, modify_query, nonce, now, rpc_signed};

fn server() -> Server {
    let dir = common::temp_dir();
    let credentials = dir.join("credentials.json");
    std::fs::write(
        &credentials,
        format!(r#"[{{"AccessKeyId": "{KEY}", "AccessKeySecret": "{SECRET}"}}, {{"AccessKeyId": "other", "AccessKeySecret": "x"}}]"#),
    )
    .unwrap();
    let state = dir.join("state.json");
    std::fs::write(&state, common::state_json(3)).unwrap();
    Server::start_with(
        &[
            "--credentials",
            credentials.to_str().unwrap(),
            "--state",
            state.to_str().unwrap(),
        ],
        &[],
        dir,
    )
}

fn acs3(
    server: &Server,
    query: &str,
    key: &str,
    secret: &str,
    nonce: &str,
    time: i64,
) -> common::Reply {
    let host = server.addr.to_string();
    let headers = acs3_headers("GET", query, b"", &host, key, secret, nonce, time);
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    server.send("GET", &format!("/?{query}"), &headers, b"")
}

fn expect(r: &common::Reply, status: u16, code: &str, message: &str) {
    assert_eq!(
        (r.status, r.code().as_deref()),
        (status, Some(code)),
        "{}",
        r.body
    );
    assert!(r.body.contains(message), "{}", r.body);
}

#[test]
fn acs3_hmac_sha256() {
    let server = server();
    let q = modify_query(0, "a b+c");
    let ok = acs3(&server, &q, KEY, SECRET, &nonce(), now());
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(
        ok.header("content-type"),
        Some("application/json;charset=utf-8")
    );

    expect(
        &acs3(&server, &q, KEY, "wrong", &nonce(), now()),
        400,
        "SignatureDoesNotMatch",
        "Specified signature is not matched with our calculation.",
    );
    expect(
        &acs3(&server, &q, "nobody", SECRET, &nonce(), now()),
        404,
        "InvalidAccessKeyId.NotFound",
        "Specified access key is not found.",
    );
    expect(
        &acs3(&server, &q, KEY, SECRET, &nonce(), now() - 16 * 60),
        400,
        "InvalidTimeStamp.Expired",
        "Specified time stamp or date value is expired.",
    );
    expect(
        &acs3(&server, &q, KEY, SECRET, &nonce(), now() + 16 * 60),
        400,
        "InvalidTimeStamp.Expired",
        "Specified time stamp or date value is expired.",
    );
    assert_eq!(
        acs3(&server, &q, KEY, SECRET, &nonce(), now() - 14 * 60).status,
        200
    );

    // Replay: the same nonce again, even with the same valid signature.
    let n = nonce();
    let time = now();
    assert_eq!(acs3(&server, &q, KEY, SECRET, &n, time).status, 200);
    expect(
        &acs3(&server, &q, KEY, SECRET, &n, time),
        400,
        "SignatureNonceUsed",
        "Specified signature nonce was used already.",
    );
    // Per key: another key may use it.
    assert_eq!(acs3(&server, &q, "other", "x", &n, time).status, 200);
    // A failed signature does not spend its nonce.
    let n = nonce();
    assert_eq!(acs3(&server, &q, KEY, "wrong", &n, time).status, 400);
    assert_eq!(acs3(&server, &q, KEY, SECRET, &n, time).status, 200);

    // No signature at all.
    expect(
        &server.get(&q),
        400,
        "IncompleteSignature",
        "The request signature does not conform to Aliyun standards.",
    );
    // Unparsable Authorization; one without date or nonce.
    for bad in [
        "Bearer x",
        "ACS3-HMAC-SHA256 nonsense",
        "ACS3-HMAC-SHA256 Credential=ak-test,SignedHeaders=host,Signature=zz",
    ] {
        let r = server.send("GET", &format!("/?{q}"), &[("Authorization", bad)], b"");
        expect(&r, 400, "IncompleteSignature", "does not conform");
    }
    let host = server.addr.to_string();
    let headers = acs3_headers("GET", &q, b"", &host, KEY, SECRET, &nonce(), now());
    let without_date: Vec<(&str, &str)> = headers
        .iter()
        .filter(|(n, _)| n != "x-acs-date")
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    expect(
        &server.send("GET", &format!("/?{q}"), &without_date, b""),
        400,
        "IncompleteSignature",
        "conform",
    );
    // An unsigned x-acs-* header added.
    let mut extra: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    extra.push(("x-acs-extra", "1"));
    expect(
        &server.send("GET", &format!("/?{q}"), &extra, b""),
        400,
        "IncompleteSignature",
        "conform",
    );

    // A changed query, or a body other than the hashed one, never applies.
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let changed = modify_query(0, "a b+d");
    expect(
        &server.send("GET", &format!("/?{changed}"), &headers, b""),
        400,
        "SignatureDoesNotMatch",
        "matched",
    );
    let form = [
        headers.clone(),
        vec![("Content-Type", "application/x-www-form-urlencoded")],
    ]
    .concat();
    expect(
        &server.send("POST", &format!("/?{q}"), &form, b"ClientToken=smuggled"),
        400,
        "SignatureDoesNotMatch",
        "matched",
    );
}

#[test]
fn acs3_signs_a_form_body_by_its_hash() {
    let server = server();
    let body = modify_query(1, "in the body");
    let host = server.addr.to_string();
    let mut headers = acs3_headers(
        "POST",
        "",
        body.as_bytes(),
        &host,
        KEY,
        SECRET,
        &nonce(),
        now(),
    );
    headers.push((
        "content-type".into(),
        "application/x-www-form-urlencoded".into(),
    ));
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let r = server.send("POST", "/", &headers, body.as_bytes());
    assert_eq!(r.status, 200, "{}", r.body);
}

#[test]
fn rpc_hmac_sha1() {
    let server = server();
    let q = modify_query(0, "a b+c*~é");
    let ok = server.get(&rpc_signed("GET", &q, KEY, SECRET, &nonce(), now()));
    assert_eq!(ok.status, 200, "{}", ok.body);
    // POST with everything in the form body, and split.
    let signed = rpc_signed("POST", &q, KEY, SECRET, &nonce(), now());
    let form = [("Content-Type", "application/x-www-form-urlencoded")];
    assert_eq!(
        server.send("POST", "/", &form, signed.as_bytes()).status,
        200
    );
    let signed = rpc_signed("POST", &q, KEY, SECRET, &nonce(), now());
    let at = signed.find("&RegionId").unwrap_or(signed.len() / 2);
    let at = signed[..at].rfind('&').unwrap_or(at);
    let r = server.send(
        "POST",
        &format!("/?{}", &signed[..at]),
        &form,
        &signed.as_bytes()[at + 1..],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    // Signed for GET, sent as POST.
    let signed = rpc_signed("GET", &q, KEY, SECRET, &nonce(), now());
    expect(
        &server.send("POST", &format!("/?{signed}"), &[], b""),
        400,
        "SignatureDoesNotMatch",
        "matched",
    );

    expect(
        &server.get(&rpc_signed("GET", &q, KEY, "wrong", &nonce(), now())),
        400,
        "SignatureDoesNotMatch",
        "matched",
    );
    expect(
        &server.get(&rpc_signed("GET", &q, "nobody", SECRET, &nonce(), now())),
        404,
        "InvalidAccessKeyId.NotFound",
        "not found",
    );
    expect(
        &server.get(&rpc_signed("GET", &q, KEY, SECRET, &nonce(), now() - 3600)),
        400,
        "InvalidTimeStamp.Expired",
        "expired",
    );
    let n = nonce();
    let replayed = rpc_signed("GET", &q, KEY, SECRET, &n, now());
    assert_eq!(server.get(&replayed).status, 200);
    expect(
        &server.get(&replayed),
        400,
        "SignatureNonceUsed",
        "was used already",
    );
    // A changed parameter.
    let tampered = rpc_signed("GET", &q, KEY, SECRET, &nonce(), now())
        .replace("PortRange=1000%2F1000", "PortRange=1001%2F1001");
    expect(
        &server.get(&tampered),
        400,
        "SignatureDoesNotMatch",
        "matched",
    );
    // Missing parts.
    let signed = rpc_signed("GET", &q, KEY, SECRET, &nonce(), now());
    for part in [
        "SignatureNonce=",
        "Timestamp=",
        "SignatureMethod=",
        "AccessKeyId=",
    ] {
        let cut: Vec<&str> = signed.split('&').filter(|p| !p.starts_with(part)).collect();
        expect(
            &server.get(&cut.join("&")),
            400,
            "IncompleteSignature",
            "conform",
        );
    }
    let sha256 = signed.replace("SignatureMethod=HMAC-SHA1", "SignatureMethod=HMAC-SHA256");
    expect(&server.get(&sha256), 400, "IncompleteSignature", "conform");
}

#[test]
fn secrets_are_never_logged_and_order_is_signature_first() {
    let server = server();
    // An unsigned request with a bad Version: the signature is checked
    // first.
    let r = server.get(&format!("{}&Version=1", modify_query(0, "x")));
    assert_eq!(r.code().as_deref(), Some("IncompleteSignature"));
    // A signed request to another path: the path is checked first.
    let q = modify_query(0, "x");
    let r = server.send(
        "GET",
        &format!(
            "/other?{}",
            rpc_signed("GET", &q, KEY, SECRET, &nonce(), now())
        ),
        &[],
        b"",
    );
    assert_eq!(r.code().as_deref(), Some("InvalidAction.NotFound"));
    // Undecodable before the signature.
    let r = server.get("a=%zz");
    assert_eq!(r.code().as_deref(), Some("InvalidParameter"));
    // A valid signature, then Version.
    let r = server.get(
        &rpc_signed(
            "GET",
            &format!("{q}&Version=1").replace("&Version=1", ""),
            KEY,
            SECRET,
            &nonce(),
            now(),
        )
        .replace("Version=2014-05-26", "Version=2015-01-01"),
    );
    assert_eq!(r.code().as_deref(), Some("SignatureDoesNotMatch"));
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(!server.log().contains(SECRET));
}
