//! `Permissions.N` against the flat form (SPEC §12.2): a permission reads
//! the same whichever form carries it, and an error in permission `N` is
//! the flat form's error with the parameter named `Permissions.N.<field>`;
//! permissions come back in ascending `N` whatever the order of the pairs.

use aliyun_sg_egress::error::ApiError;
use aliyun_sg_egress::request::*;
use proptest::prelude::*;

const G: &str = "RegionId=cn-hangzhou&SecurityGroupId=sg-1";

/// Rule fields, valid and not, as `(name, value)` pairs.
const FIELD_SETS: &[&[(&str, &str)]] = &[
    &[
        ("IpProtocol", "tcp"),
        ("PortRange", "22/22"),
        ("DestCidrIp", "10.0.0.1"),
    ],
    &[
        ("IpProtocol", "UDP"),
        ("PortRange", "53%2F53"),
        ("Ipv6DestCidrIp", "2001:db8::/32"),
        ("Description", "dns+%E2%9C%93"),
    ],
    &[
        ("IpProtocol", "all"),
        ("PortRange", "-1/-1"),
        ("DestGroupId", "sg-2"),
        ("DestGroupOwnerAccount", "a%40b"),
        ("DestGroupOwnerId", "123"),
    ],
    &[
        ("IpProtocol", "icmp"),
        ("PortRange", "-1/-1"),
        ("DestPrefixListId", "pl-abc"),
        ("Policy", "Drop"),
        ("Priority", "100"),
    ],
    &[
        ("IpProtocol", "tcp"),
        ("PortRange", "1/65535"),
        ("SourcePortRange", "7/8"),
        ("DestCidrIp", "0.0.0.0/0"),
        ("SourceCidrIp", "1.2.3.4"),
        ("NicType", "intranet"),
    ],
    &[
        ("IpProtocol", "gre"),
        ("PortRange", "-1/-1"),
        ("DestCidrIp", "10.0.0.0/8"),
        ("DestPrefixListId", "pl-ignored"),
        ("Description", ""),
    ],
    // Refused, each its own way.
    &[("IpProtocol", "tcp"), ("PortRange", "22/22")],
    &[
        ("IpProtocol", "tcp"),
        ("PortRange", "0/22"),
        ("DestCidrIp", "10.0.0.1"),
    ],
    &[
        ("IpProtocol", "tcp"),
        ("PortRange", "22/22"),
        ("DestCidrIp", "10.0.0.1"),
        ("Policy", "allow"),
    ],
    &[
        ("IpProtocol", "icmp"),
        ("PortRange", "-1/-1"),
        ("Ipv6DestCidrIp", "::1"),
    ],
    &[
        ("IpProtocol", "tcp"),
        ("PortRange", "22/22"),
        ("DestCidrIp", "10.0.0.1"),
        ("NicType", ""),
    ],
    &[
        ("IpProtocol", "tcp"),
        ("PortRange", "22/22"),
        ("DestPrefixListId", "pl_"),
    ],
    &[
        ("IpProtocol", "tcp"),
        ("PortRange", "22/22"),
        ("DestGroupId", "sg-2"),
        ("DestGroupOwnerId", "x"),
    ],
    &[
        ("IpProtocol", "tcp"),
        ("PortRange", "22/22"),
        ("DestCidrIp", "10.0.0.1"),
        ("Priority", "0"),
    ],
    &[
        ("IpProtocol", "bogus"),
        ("PortRange", "22/22"),
        ("DestCidrIp", "10.0.0.1"),
    ],
];

fn flat(set: &[(&str, &str)]) -> String {
    let mut q = G.to_string();
    for (name, value) in set {
        q.push_str(&format!("&{name}={value}"));
    }
    q
}

fn parse(action: Action, query: &str) -> Result<Request<'static>, ApiError> {
    let query: &'static str = String::leak(query.to_string());
    Box::leak(Box::new(RequestParser::new())).parse_request(Some(action), query)
}

/// The permission the flat form gives, or its error.
fn flat_permission(set: &[(&str, &str)]) -> Result<Permission<'static>, ApiError> {
    match parse(Action::Authorize, &flat(set))? {
        Request::Authorize(r) => Ok(r.permissions().next().unwrap().1),
        other => panic!("{other:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn numbered_permissions_read_as_flat_ones(
        chosen in proptest::collection::vec((0..FIELD_SETS.len(), 1u8..=100), 1..6),
        order_seed in any::<u64>(),
        revoke in any::<bool>(),
    ) {
        // Distinct N, each with a field set.
        let mut by_n = std::collections::BTreeMap::new();
        for (set, n) in chosen {
            by_n.insert(n, set);
        }
        let mut pairs = Vec::new();
        for (&n, &set) in &by_n {
            for (name, value) in FIELD_SETS[set] {
                pairs.push(format!("Permissions.{n}.{name}={value}"));
            }
        }
        // Any order of the pairs.
        let mut seed = order_seed;
        for i in (1..pairs.len()).rev() {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            pairs.swap(i, (seed >> 33) as usize % (i + 1));
        }
        let query = format!("{G}&{}", pairs.join("&"));
        let action = if revoke { Action::Revoke } else { Action::Authorize };
        let result = parse(action, &query);

        // The expected outcome: the first permission (ascending N) that the
        // flat form refuses, renamed; else every permission.
        let expected: Vec<(u8, Result<Permission<'static>, ApiError>)> = by_n
            .iter()
            .map(|(&n, &set)| (n, flat_permission(FIELD_SETS[set])))
            .collect();
        match expected.iter().find(|(_, r)| r.is_err()) {
            Some((n, Err(flat_error))) => {
                let e = result.expect_err(&query);
                prop_assert_eq!((e.status(), e.code()), (flat_error.status(), flat_error.code()));
                let renamed = flat_error.parameter().map(|p| format!("Permissions.{n}.{p}"));
                prop_assert_eq!(e.parameter().map(str::to_string), renamed);
                prop_assert_eq!(e.hints(), flat_error.hints());
            }
            _ => {
                let request = result.map_err(|e| format!("{query}: {e:?}")).unwrap();
                let permissions: Vec<_> = match request {
                    Request::Authorize(r) | Request::Revoke(RevokeRequest::ByPermissions(r)) => {
                        r.permissions().collect()
                    }
                    other => panic!("{other:?}"),
                };
                let want: Vec<_> = expected
                    .into_iter()
                    .map(|(n, p)| (PermissionName::Numbered(n), p.unwrap()))
                    .collect();
                prop_assert_eq!(permissions, want);
            }
        }
    }
}
