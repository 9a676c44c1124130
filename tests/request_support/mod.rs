//! Helpers shared by the request tests (`request_*.rs`): a valid base
//! request to vary, and assertions that check the exact outcome (status,
//! code, parameter).
#![allow(dead_code)] // each test file uses a different subset

use aliyun_sg_egress::error::ApiError;
use aliyun_sg_egress::request::{ModifyEgressRequest, RequestParser};

/// A valid request: every test varies it one parameter at a time.
pub const BASE: [(&str, &str); 5] = [
    ("RegionId", "cn-hangzhou"),
    ("SecurityGroupId", "sg-1"),
    ("IpProtocol", "tcp"),
    ("PortRange", "80/80"),
    ("DestCidrIp", "10.0.0.0/8"),
];

/// The base request with changes, as a raw query string (values are
/// written as given, so callers percent-encode what needs it): `Some(v)`
/// replaces the parameter or appends it, `None` removes it.
pub fn query(changes: &[(&str, Option<&str>)]) -> String {
    let mut pairs: Vec<(String, String)> = BASE
        .iter()
        .map(|&(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    for &(name, value) in changes {
        let at = pairs.iter().position(|(n, _)| n == name);
        match (at, value) {
            (Some(i), Some(v)) => pairs[i].1 = v.to_owned(),
            (Some(i), None) => {
                pairs.remove(i);
            }
            (None, Some(v)) => pairs.push((name.to_owned(), v.to_owned())),
            (None, None) => {}
        }
    }
    pairs
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The base request with changes, as decoded pairs for `from_pairs`.
pub fn pairs<'a>(changes: &[(&'a str, Option<&'a str>)]) -> Vec<(&'a str, &'a str)> {
    let mut pairs: Vec<(&str, &str)> = BASE.to_vec();
    for &(name, value) in changes {
        let at = pairs.iter().position(|(n, _)| *n == name);
        match (at, value) {
            (Some(i), Some(v)) => pairs[i].1 = v,
            (Some(i), None) => {
                pairs.remove(i);
            }
            (None, Some(v)) => pairs.push((name, v)),
            (None, None) => {}
        }
    }
    pairs
}

fn show(query: &[u8]) -> String {
    let text = String::from_utf8_lossy(query);
    if text.chars().count() > 300 {
        let head: String = text.chars().take(300).collect();
        format!("{head}… ({} bytes)", query.len())
    } else {
        text.into_owned()
    }
}

/// Parses a query that must be accepted. The request borrows its query
/// and parser, so both are leaked (a few KiB a call): a test keeps its
/// requests to the end.
#[track_caller]
pub fn accept(query: impl AsRef<[u8]>) -> ModifyEgressRequest<'static> {
    let query: &'static [u8] = Box::leak(query.as_ref().into());
    let parser = Box::leak(Box::new(RequestParser::new()));
    match parser.parse(query) {
        Ok(req) => req,
        Err(e) => panic!(
            "{:?} refused: {} {} {:?}: {e} ({})",
            show(query),
            e.status(),
            e.code(),
            e.parameter(),
            e.detail()
        ),
    }
}

/// Parses a query that must be refused with exactly this status, code and
/// parameter; returns the error for further checks.
#[track_caller]
pub fn reject(
    query: impl AsRef<[u8]>,
    status: u16,
    code: &str,
    parameter: Option<&str>,
) -> ApiError {
    let query = query.as_ref();
    match RequestParser::new().parse(query) {
        Ok(req) => panic!("{:?} accepted: {req:?}", show(query)),
        Err(e) => {
            assert_eq!(
                (e.status(), e.code(), e.parameter()),
                (status, code, parameter),
                "{:?}: {e} ({})",
                show(query),
                e.detail()
            );
            assert_eq!(e.cause().code(), e.code());
            assert_eq!(e.cause().status(), e.status());
            e
        }
    }
}

/// Validates decoded pairs that must be accepted.
#[track_caller]
pub fn accept_pairs<'a>(pairs: &[(&'a str, &'a str)]) -> ModifyEgressRequest<'a> {
    match ModifyEgressRequest::from_pairs(pairs.iter().copied()) {
        Ok(req) => req,
        Err(e) => panic!(
            "{pairs:?} refused: {} {} {:?}: {e} ({})",
            e.status(),
            e.code(),
            e.parameter(),
            e.detail()
        ),
    }
}

/// Validates decoded pairs that must be refused with exactly this status,
/// code and parameter.
#[track_caller]
pub fn reject_pairs(
    pairs: &[(&str, &str)],
    status: u16,
    code: &str,
    parameter: Option<&str>,
) -> ApiError {
    match ModifyEgressRequest::from_pairs(pairs.iter().copied()) {
        Ok(req) => panic!("{pairs:?} accepted: {req:?}"),
        Err(e) => {
            assert_eq!(
                (e.status(), e.code(), e.parameter()),
                (status, code, parameter),
                "{pairs:?}: {e} ({})",
                e.detail()
            );
            e
        }
    }
}

/// The `%s` messages are filled with a detail: never empty, never the
/// placeholder itself.
#[track_caller]
pub fn assert_detail_message(e: &ApiError) {
    let message = e.to_string();
    assert!(!e.detail().is_empty(), "{} has no detail", e.code());
    assert_eq!(message, e.detail().to_string());
    assert!(!message.contains("%s"), "{message:?}");
}

/// Percent-encodes every byte (upper-case hex).
pub fn encode_all(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}
