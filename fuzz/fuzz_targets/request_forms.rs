//! Any bytes as a request of any action (the first byte picks the action
//! given beside the parameters, the rest is the query): `parse_request`
//! never panics; an error is well formed; an accepted request keeps SPEC
//! §12's invariants (1 to 100 permissions or ids in ascending `N`, ids of
//! the `sgr-` shape and none repeated, Describe's page size in range, a
//! Modify by parameters that writes out and reads back the same); and a
//! parser that parsed one query (the bytes before the first NUL) answers
//! the next as a new one would.
#![no_main]

use aliyun_sg_egress::request::{
    Action, Destination, PermissionName, Permissions, Request, RequestParser, RevokeRequest,
};
use aliyun_sg_egress_fuzz::{assert_error_well_formed, assert_round_trip};
use libfuzzer_sys::fuzz_target;

fn has_id_shape(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix).is_some_and(|rest| {
        (1..=64).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

fn check_permissions(permissions: Permissions<'_>) {
    let names: Vec<PermissionName> = permissions.clone().map(|(n, _)| n).collect();
    assert!((1..=100).contains(&names.len()), "{names:?}");
    match names[..] {
        [PermissionName::Flat] => {}
        _ => {
            assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
            assert!(
                names
                    .iter()
                    .all(|n| matches!(n, PermissionName::Numbered(1..=100))),
                "{names:?}"
            );
        }
    }
    for (_, p) in permissions {
        assert!(p.port_range.fits(p.protocol), "{p:?}");
        if let Some(range) = p.source_port_range {
            assert!(range.fits(p.protocol), "{p:?}");
        }
        assert!(p.description.is_none_or(|d| d.chars().count() <= 512));
        match p.destination {
            Destination::PrefixList(id) => assert!(has_id_shape(id, "pl-"), "{id:?}"),
            Destination::Group(g) => assert!(!g.id.is_empty() && g.id.len() <= 128),
            Destination::Ipv4(_) | Destination::Ipv6(_) => {}
        }
    }
}

fn check(request: &Request<'_>) {
    match request {
        Request::Modify(r) => assert_round_trip(r),
        Request::ModifyById(r) => {
            assert!(has_id_shape(r.rule_id(), "sgr-"), "{r:?}");
            assert!(!r.region_id().is_empty() && !r.security_group_id().is_empty());
        }
        Request::Authorize(r) | Request::Revoke(RevokeRequest::ByPermissions(r)) => {
            assert!(!r.region_id().is_empty() && !r.security_group_id().is_empty());
            check_permissions(r.permissions());
            let _ = r.first_duplicate(true);
            let _ = r.first_duplicate(false);
        }
        Request::Revoke(RevokeRequest::ByIds(r)) => {
            let ids: Vec<(u8, &str)> = r.numbered_ids().collect();
            assert!((1..=100).contains(&ids.len()), "{ids:?}");
            assert!(ids.windows(2).all(|w| w[0].0 < w[1].0), "{ids:?}");
            for (i, &(_, id)) in ids.iter().enumerate() {
                assert!(has_id_shape(id, "sgr-"), "{id:?}");
                assert!(ids[..i].iter().all(|&(_, other)| other != id), "{ids:?}");
            }
        }
        Request::Describe(r) => {
            assert!((10..=1000).contains(&r.max_results()), "{r:?}");
            assert!(r.next_token().is_none_or(|t| !t.is_empty()));
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, query)) = data.split_first() else {
        return;
    };
    let action = match selector % 5 {
        0 => None,
        n => Some(Action::ALL[usize::from(n - 1)]),
    };

    let mut parser = Box::new(RequestParser::new());
    match &parser.parse_request(action, query) {
        Ok(request) => check(request),
        Err(err) => assert_error_well_formed(err),
    }

    if let Some(nul) = query.iter().position(|&b| b == 0) {
        let (first, second) = (&query[..nul], &query[nul + 1..]);
        let mut reused = Box::new(RequestParser::new());
        let _ = reused.parse_request(action, first);
        let mut fresh = Box::new(RequestParser::new());
        assert_eq!(
            reused.parse_request(action, second),
            fresh.parse_request(action, second)
        );
    }
});
