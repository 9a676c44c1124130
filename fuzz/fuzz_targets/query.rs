//! Any bytes as a query string: validation never panics; a valid request
//! writes out and reads back the same; an error is well formed; for plain
//! queries `RequestParser::parse` agrees with `from_pairs` over a
//! reference decoding; and a `RequestParser` that parsed one query (the
//! bytes before the first NUL) answers the next (the bytes after it) as a
//! new one would.
#![no_main]

use aliyun_sg_egress::request::QUERY_MAX_BYTES;
use aliyun_sg_egress::request::{ModifyEgressRequest, RequestParser};
use aliyun_sg_egress_fuzz::{
    assert_error_well_formed, assert_round_trip, is_plain_query, reference_pairs,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(nul) = data.iter().position(|&b| b == 0) {
        let (first, second) = (&data[..nul], &data[nul + 1..]);
        let mut parser = RequestParser::new();
        let _ = parser.parse(first);
        let reused = parser.parse(second);
        assert_eq!(reused, RequestParser::new().parse(second));
    }

    let mut parser = RequestParser::new();
    let result = parser.parse(data);
    match &result {
        Ok(req) => assert_round_trip(req),
        Err(err) => assert_error_well_formed(err),
    }

    if data.len() > QUERY_MAX_BYTES || !is_plain_query(data) {
        return;
    }
    let Some(pairs) = reference_pairs(data) else {
        let err = result.expect_err("a query that does not decode was accepted");
        assert_eq!(err.code(), "InvalidParameter", "{err:?}");
        return;
    };
    let from_pairs = ModifyEgressRequest::from_pairs(pairs.iter().map(|(n, v)| (&**n, &**v)));
    match (&result, &from_pairs) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(a), Err(b)) => {
            assert_eq!((a.code(), a.parameter()), (b.code(), b.parameter()));
            assert_eq!(a.hints(), b.hints());
        }
        _ => panic!("parse {result:?} but from_pairs {from_pairs:?}"),
    }
});
