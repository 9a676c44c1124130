//! SPEC §4 (addresses, errors in their order), the destination choice of
//! §5 (a CIDR wins over a group) and the destination group's own fields.

mod request_support;

use std::net::{Ipv4Addr, Ipv6Addr};

use aliyun_sg_egress::request::{Destination, GroupDestination, Source};
use aliyun_sg_egress::text::AccountId;
use aliyun_sg_egress::{IpProtocol, Ipv4Cidr, Ipv6Cidr};
use ipnet::{Ipv4Net, Ipv6Net};
use request_support::{
    accept, accept_pairs, assert_detail_message, encode_all, pairs, query, reject, reject_pairs,
};

/// The base request with its destination replaced by `changes`.
fn addr(changes: &[(&str, Option<&str>)]) -> String {
    let mut all: Vec<(&str, Option<&str>)> = vec![("DestCidrIp", None)];
    all.extend_from_slice(changes);
    query(&all)
}

fn v4(text: &str) -> Ipv4Cidr {
    Ipv4Cidr::parse(text).unwrap()
}

fn v6(text: &str) -> Ipv6Cidr {
    Ipv6Cidr::parse(text).unwrap()
}

/// Percent-encodes what a query cannot carry as is in an address (`%`).
fn enc(text: &str) -> String {
    text.replace('%', "%25")
        .replace('+', "%2B")
        .replace(' ', "%20")
}

// ------------------------------------------------------ accepted values

#[test]
fn ipv4_destinations_are_kept_as_written() {
    let bare = accept(addr(&[("DestCidrIp", Some("1.2.3.4"))]));
    let Destination::Ipv4(d) = bare.destination() else {
        panic!("{:?}", bare.destination())
    };
    assert!(d.is_bare());
    assert_eq!(d.to_string(), "1.2.3.4");
    assert_eq!(*d, Ipv4Cidr::from_addr(Ipv4Addr::new(1, 2, 3, 4)));
    assert_ne!(*d, v4("1.2.3.4/32"));

    let slash32 = accept(addr(&[("DestCidrIp", Some("1.2.3.4/32"))]));
    assert_eq!(
        slash32.destination(),
        &Destination::Ipv4(Ipv4Cidr::from_net(
            Ipv4Net::new(Ipv4Addr::new(1, 2, 3, 4), 32).unwrap()
        ))
    );
    assert_ne!(bare.destination(), slash32.destination());

    let host_bits = accept(addr(&[("DestCidrIp", Some("10.159.6.18/12"))]));
    let Destination::Ipv4(d) = host_bits.destination() else {
        panic!("{:?}", host_bits.destination())
    };
    assert_eq!(d.to_string(), "10.159.6.18/12");
    assert_eq!(d.addr(), Ipv4Addr::new(10, 159, 6, 18));
    assert_eq!(d.prefix_len(), 12);
    assert!(d.has_host_bits());
    assert_ne!(*d, v4("10.144.0.0/12"));
    assert_ne!(*d, v4("10.0.0.1/8"));

    for (text, addr_, len) in [
        ("0.0.0.0/0", Ipv4Addr::UNSPECIFIED, 0),
        ("255.255.255.255/32", Ipv4Addr::BROADCAST, 32),
        ("192.168.0.0/16", Ipv4Addr::new(192, 168, 0, 0), 16),
        ("10.0.0.1/8", Ipv4Addr::new(10, 0, 0, 1), 8),
    ] {
        let req = accept(addr(&[("DestCidrIp", Some(text))]));
        assert_eq!(
            req.destination(),
            &Destination::Ipv4(Ipv4Cidr::from_net(Ipv4Net::new(addr_, len).unwrap())),
            "{text}"
        );
    }
    // Encoded the same.
    let req = accept(addr(&[("DestCidrIp", Some("10.0.0.0%2F8"))]));
    assert_eq!(req.destination(), &Destination::Ipv4(v4("10.0.0.0/8")));
}

#[test]
fn ipv6_destinations_compare_by_value_and_keep_bare_or_prefix() {
    let req = accept(addr(&[("Ipv6DestCidrIp", Some("2001:0DB8:0000::0001"))]));
    let Destination::Ipv6(d) = req.destination() else {
        panic!("{:?}", req.destination())
    };
    assert!(d.is_bare());
    assert_eq!(d.to_string(), "2001:db8::1");
    assert_eq!(
        *d,
        Ipv6Cidr::from_addr(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1))
    );
    assert_ne!(*d, v6("2001:db8::1/128"));

    for (text, shown) in [
        ("2001:DB8:0:0::1/64", "2001:db8::1/64"),
        ("2001:db8::/32", "2001:db8::/32"),
        ("::/0", "::/0"),
        ("::1", "::1"),
        ("fe80::1/10", "fe80::1/10"),
        ("::ffff:10.0.0.1", "::ffff:10.0.0.1"),
        ("::FFFF:10.0.0.1/120", "::ffff:10.0.0.1/120"),
        ("2001:db8:0:0:0:0:0:0/128", "2001:db8::/128"),
    ] {
        let req = accept(addr(&[("Ipv6DestCidrIp", Some(&encode_all(text)))]));
        let Destination::Ipv6(d) = req.destination() else {
            panic!("{text}: {:?}", req.destination())
        };
        assert_eq!(d.to_string(), shown, "{text}");
        assert_eq!(*d, v6(shown));
    }
    let req = accept(addr(&[("Ipv6DestCidrIp", Some("2001:db8::1/64"))]));
    assert_eq!(
        req.destination(),
        &Destination::Ipv6(Ipv6Cidr::from_net(
            Ipv6Net::new(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), 64).unwrap()
        ))
    );
}

#[test]
fn sources_are_typed_and_kept_as_written() {
    let req = accept(query(&[("SourceCidrIp", Some("192.168.1.7/24"))]));
    assert_eq!(req.source(), Some(Source::Ipv4(v4("192.168.1.7/24"))));
    assert_ne!(req.source(), Some(Source::Ipv4(v4("192.168.1.0/24"))));
    let req = accept(query(&[("SourceCidrIp", Some("192.168.1.7"))]));
    assert_eq!(req.source(), Some(Source::Ipv4(v4("192.168.1.7"))));
    assert_ne!(req.source(), Some(Source::Ipv4(v4("192.168.1.7/32"))));

    let req = accept(addr(&[
        ("Ipv6DestCidrIp", Some("2001:db8::/32")),
        ("Ipv6SourceCidrIp", Some("FD00::5/8")),
    ]));
    assert_eq!(req.source(), Some(Source::Ipv6(v6("fd00::5/8"))));
    assert_eq!(req.destination(), &Destination::Ipv6(v6("2001:db8::/32")));
    assert_eq!(accept(query(&[])).source(), None);
}

#[test]
fn protocols_with_their_families_are_accepted() {
    for (protocol, range, changes) in [
        (
            "icmp",
            "-1/-1",
            [
                ("DestCidrIp", Some("10.0.0.0/8")),
                ("SourceCidrIp", Some("1.2.3.4")),
            ],
        ),
        (
            "icmpv6",
            "-1/-1",
            [
                ("Ipv6DestCidrIp", Some("::/0")),
                ("Ipv6SourceCidrIp", Some("::1")),
            ],
        ),
        (
            "all",
            "-1/-1",
            [
                ("Ipv6DestCidrIp", Some("::/0")),
                ("Ipv6SourceCidrIp", Some("::1")),
            ],
        ),
        (
            "gre",
            "-1/-1",
            [("Ipv6DestCidrIp", Some("::/0")), ("SourceCidrIp", None)],
        ),
        (
            "tcp",
            "80/80",
            [
                ("Ipv6DestCidrIp", Some("::/0")),
                ("Ipv6SourceCidrIp", Some("::1")),
            ],
        ),
        (
            "udp",
            "80/80",
            [
                ("DestCidrIp", Some("10.0.0.0/8")),
                ("SourceCidrIp", Some("1.2.3.4")),
            ],
        ),
    ] {
        let mut all = vec![("IpProtocol", Some(protocol)), ("PortRange", Some(range))];
        all.extend(changes);
        accept(addr(&all));
    }
}

// ------------------------------------------------- step 1: both families

#[test]
fn both_destination_families_is_dest_ip() {
    for (v4_, v6_) in [
        ("10.0.0.0/8", "2001:db8::/32"),
        ("garbage", "garbage"),
        ("1.2.3.999", "10.0.0.1"),
    ] {
        let e = reject(
            addr(&[("DestCidrIp", Some(v4_)), ("Ipv6DestCidrIp", Some(v6_))]),
            400,
            "InvalidParam.DestIp",
            Some("DestCidrIp"),
        );
        assert_detail_message(&e);
    }
}

#[test]
fn both_source_families_is_source_ip() {
    for (v4_, v6_) in [("1.2.3.4", "::1"), ("x", "y")] {
        let e = reject(
            query(&[("SourceCidrIp", Some(v4_)), ("Ipv6SourceCidrIp", Some(v6_))]),
            400,
            "InvalidParam.SourceIp",
            Some("SourceCidrIp"),
        );
        assert_detail_message(&e);
    }
}

#[test]
fn one_family_given_empty_is_not_both() {
    let req = accept(query(&[("Ipv6DestCidrIp", Some(""))]));
    assert_eq!(req.destination(), &Destination::Ipv4(v4("10.0.0.0/8")));
    let req = accept(addr(&[
        ("DestCidrIp", Some("")),
        ("Ipv6DestCidrIp", Some("::/0")),
    ]));
    assert_eq!(req.destination(), &Destination::Ipv6(v6("::/0")));
    let req = accept(query(&[
        ("SourceCidrIp", Some("1.2.3.4")),
        ("Ipv6SourceCidrIp", Some("")),
    ]));
    assert_eq!(req.source(), Some(Source::Ipv4(v4("1.2.3.4"))));
    let req = accept(format!("{}&Ipv6DestCidrIp&Ipv6SourceCidrIp", query(&[])));
    assert_eq!(req.source(), None);
}

#[test]
fn destination_pair_is_checked_before_source_pair() {
    reject(
        addr(&[
            ("DestCidrIp", Some("1.1.1.1")),
            ("Ipv6DestCidrIp", Some("::1")),
            ("SourceCidrIp", Some("1.1.1.1")),
            ("Ipv6SourceCidrIp", Some("::1")),
        ]),
        400,
        "InvalidParam.DestIp",
        Some("DestCidrIp"),
    );
}

// ------------------------------------------------- step 2: IPv4 values

const NOT_IPV4: [&str; 22] = [
    "1.2.3",
    "1.2.3.4.5",
    "256.0.0.1",
    "1.2.3.999",
    "01.2.3.4",
    "1.2.3.04",
    "1.2.3.4/",
    "1.2.3.4/33",
    "1.2.3.4/08",
    "1.2.3.4/%2B8",
    "1.2.3.4/8/8",
    "1.2.3.4/%208",
    "%201.2.3.4",
    "1.2.3.4%20",
    "/8",
    "a.b.c.d",
    "0x1.2.3.4",
    "::1",
    "::ffff:10.0.0.1",
    "2001:db8::/32",
    "XXX.XX.XXX.XX", // the page's example value
    "1.2.3.4/-1",
];

#[test]
fn dest_cidr_ip_not_ipv4_is_malformed_with_the_quoted_message() {
    for bad in NOT_IPV4 {
        let e = reject(
            addr(&[("DestCidrIp", Some(bad))]),
            400,
            "InvalidDestCidrIp.Malformed",
            Some("DestCidrIp"),
        );
        assert_eq!(
            e.to_string(),
            "The specified parameter \"DestCidrIp\" is not valid.",
            "{bad}"
        );
    }
}

#[test]
fn source_cidr_ip_not_ipv4_is_source_ip() {
    for bad in NOT_IPV4 {
        let e = reject(
            query(&[("SourceCidrIp", Some(bad))]),
            400,
            "InvalidParam.SourceIp",
            Some("SourceCidrIp"),
        );
        assert_detail_message(&e);
    }
}

#[test]
fn ipv4_values_are_checked_destination_first_and_before_ipv6() {
    reject(
        addr(&[
            ("DestCidrIp", Some("1.2.3")),
            ("SourceCidrIp", Some("1.2.3")),
        ]),
        400,
        "InvalidDestCidrIp.Malformed",
        Some("DestCidrIp"),
    );
    // Step 2 (the IPv4 source) comes before step 3 (the IPv6 destination).
    reject(
        addr(&[
            ("Ipv6DestCidrIp", Some("gggg::")),
            ("SourceCidrIp", Some("999.1.1.1")),
        ]),
        400,
        "InvalidParam.SourceIp",
        Some("SourceCidrIp"),
    );
    reject(
        query(&[
            ("DestCidrIp", Some("1.2.3.4/33")),
            ("Ipv6SourceCidrIp", Some("10.0.0.1")),
        ]),
        400,
        "InvalidDestCidrIp.Malformed",
        Some("DestCidrIp"),
    );
}

// ------------------------------------------------- step 3: IPv6 values

/// IPv4 values, or a valid IPv6 address with a bad prefix.
const ILLEGAL_IPV6: [&str; 14] = [
    "10.0.0.1",
    "10.0.0.0/8",
    "0.0.0.0/0",
    "1.2.3.4/32",
    "2001:db8::/",
    "2001:db8::/129",
    "2001:db8::/064",
    "2001:db8::/00",
    "2001:db8::/x",
    "2001:db8::/%2064",
    "2001:db8::/%2B64",
    "::1/1/1",
    "::/-1",
    "::ffff:10.0.0.1/999",
];

/// Nothing that parses as an address of either kind.
const NOT_IPV6: [&str; 12] = [
    "gggg::",
    "2001:db8:::1",
    "2001:db8::1::2",
    "1.2.3.4/33",
    "01.2.3.4",
    "[::1]",
    "::1%25eth0",
    "/64",
    "2001:db8:1234:1a00::XXX", // the page's example value
    "%20::1",
    "::1%20",
    "1:2:3:4:5:6:7:8:9",
];

#[test]
fn ipv6_values_that_are_ipv4_or_have_a_bad_prefix_are_illegal_ipv6_cidr() {
    for name in ["Ipv6DestCidrIp", "Ipv6SourceCidrIp"] {
        for bad in ILLEGAL_IPV6 {
            let q = if name == "Ipv6DestCidrIp" {
                addr(&[(name, Some(bad))])
            } else {
                addr(&[("Ipv6DestCidrIp", Some("::/0")), (name, Some(bad))])
            };
            let e = reject(&q, 400, "ILLEGAL_IPV6_CIDR", Some(name));
            assert_detail_message(&e);
        }
    }
}

#[test]
fn ipv6_values_that_do_not_parse_are_the_parameters_own_code() {
    for bad in NOT_IPV6 {
        let e = reject(
            addr(&[("Ipv6DestCidrIp", Some(bad))]),
            400,
            "InvalidParam.Ipv6DestCidrIp",
            Some("Ipv6DestCidrIp"),
        );
        assert_detail_message(&e);
        let e = reject(
            addr(&[
                ("Ipv6DestCidrIp", Some("::/0")),
                ("Ipv6SourceCidrIp", Some(bad)),
            ]),
            400,
            "InvalidParam.Ipv6SourceCidrIp",
            Some("Ipv6SourceCidrIp"),
        );
        assert_detail_message(&e);
    }
}

#[test]
fn ipv6_destination_is_checked_in_full_before_the_source() {
    // The destination's own code beats the source's ILLEGAL_IPV6_CIDR...
    reject(
        addr(&[
            ("Ipv6DestCidrIp", Some("gggg::")),
            ("Ipv6SourceCidrIp", Some("10.0.0.1")),
        ]),
        400,
        "InvalidParam.Ipv6DestCidrIp",
        Some("Ipv6DestCidrIp"),
    );
    // ...and the destination's ILLEGAL_IPV6_CIDR the source's own code.
    reject(
        addr(&[
            ("Ipv6DestCidrIp", Some("10.0.0.1")),
            ("Ipv6SourceCidrIp", Some("gggg::")),
        ]),
        400,
        "ILLEGAL_IPV6_CIDR",
        Some("Ipv6DestCidrIp"),
    );
    // With a group destination, the IPv6 source alone.
    reject(
        addr(&[
            ("DestGroupId", Some("sg-2")),
            ("Ipv6SourceCidrIp", Some("::/200")),
        ]),
        400,
        "ILLEGAL_IPV6_CIDR",
        Some("Ipv6SourceCidrIp"),
    );
}

#[test]
fn value_errors_come_before_family_conflicts() {
    // icmp with a bad IPv6 value: the value's error, not the conflict.
    reject(
        addr(&[
            ("IpProtocol", Some("icmp")),
            ("PortRange", Some("-1/-1")),
            ("Ipv6DestCidrIp", Some("gggg::")),
        ]),
        400,
        "InvalidParam.Ipv6DestCidrIp",
        Some("Ipv6DestCidrIp"),
    );
    // icmpv6 with a bad IPv4 value.
    reject(
        addr(&[
            ("IpProtocol", Some("icmpv6")),
            ("PortRange", Some("-1/-1")),
            ("DestCidrIp", Some("1.2.3")),
        ]),
        400,
        "InvalidDestCidrIp.Malformed",
        Some("DestCidrIp"),
    );
}

// --------------------------------------------------- step 4: families

fn family_case(protocol: &str, changes: &[(&str, Option<&str>)]) -> String {
    let range = if protocol == "tcp" || protocol == "udp" {
        "80/80"
    } else {
        "-1/-1"
    };
    let mut all = vec![("IpProtocol", Some(protocol)), ("PortRange", Some(range))];
    all.extend_from_slice(changes);
    addr(&all)
}

#[test]
fn icmp_with_any_ipv6_address_conflicts() {
    for (changes, param) in [
        (vec![("Ipv6DestCidrIp", Some("::/0"))], "Ipv6DestCidrIp"),
        (
            vec![
                ("DestCidrIp", Some("10.0.0.0/8")),
                ("Ipv6SourceCidrIp", Some("::1")),
            ],
            "Ipv6SourceCidrIp",
        ),
        (
            vec![
                ("DestGroupId", Some("sg-2")),
                ("Ipv6SourceCidrIp", Some("::1")),
            ],
            "Ipv6SourceCidrIp",
        ),
        (
            vec![
                ("Ipv6DestCidrIp", Some("::/0")),
                ("Ipv6SourceCidrIp", Some("::1")),
            ],
            "Ipv6DestCidrIp",
        ),
    ] {
        for protocol in ["icmp", "ICMP"] {
            let e = reject(
                family_case(protocol, &changes),
                400,
                "InvalidParam.Ipv4ProtocolConflictWithIpv6Address",
                Some(param),
            );
            assert_detail_message(&e);
        }
    }
}

#[test]
fn icmpv6_with_any_ipv4_address_conflicts() {
    for (changes, param) in [
        (vec![("DestCidrIp", Some("10.0.0.0/8"))], "DestCidrIp"),
        (
            vec![
                ("Ipv6DestCidrIp", Some("::/0")),
                ("SourceCidrIp", Some("1.2.3.4")),
            ],
            "SourceCidrIp",
        ),
        (
            vec![
                ("DestGroupId", Some("sg-2")),
                ("SourceCidrIp", Some("1.2.3.4")),
            ],
            "SourceCidrIp",
        ),
    ] {
        let e = reject(
            family_case("icmpv6", &changes),
            400,
            "InvalidParam.Ipv6ProtocolConflictWithIpv4Address",
            Some(param),
        );
        assert_detail_message(&e);
    }
}

#[test]
fn destination_against_source_families_conflict() {
    for protocol in ["tcp", "udp", "gre", "all"] {
        let e = reject(
            family_case(
                protocol,
                &[
                    ("DestCidrIp", Some("10.0.0.0/8")),
                    ("Ipv6SourceCidrIp", Some("::1")),
                ],
            ),
            400,
            "InvalidParam.Ipv4ProtocolConflictWithIpv6Address",
            Some("Ipv6SourceCidrIp"),
        );
        assert_detail_message(&e);
        let e = reject(
            family_case(
                protocol,
                &[
                    ("Ipv6DestCidrIp", Some("::/0")),
                    ("SourceCidrIp", Some("1.2.3.4")),
                ],
            ),
            400,
            "InvalidParam.Ipv6ProtocolConflictWithIpv4Address",
            Some("SourceCidrIp"),
        );
        assert_detail_message(&e);
    }
}

#[test]
fn the_protocol_is_checked_before_destination_against_source() {
    // icmp, IPv6 destination, IPv4 source: destination-against-source would
    // say Ipv6ProtocolConflict; the protocol check comes first.
    reject(
        family_case(
            "icmp",
            &[
                ("Ipv6DestCidrIp", Some("::/0")),
                ("SourceCidrIp", Some("1.2.3.4")),
            ],
        ),
        400,
        "InvalidParam.Ipv4ProtocolConflictWithIpv6Address",
        Some("Ipv6DestCidrIp"),
    );
    // icmpv6, IPv4 destination, IPv6 source: the mirror case.
    reject(
        family_case(
            "icmpv6",
            &[
                ("DestCidrIp", Some("10.0.0.0/8")),
                ("Ipv6SourceCidrIp", Some("::1")),
            ],
        ),
        400,
        "InvalidParam.Ipv6ProtocolConflictWithIpv4Address",
        Some("DestCidrIp"),
    );
}

#[test]
fn a_group_destination_has_no_family_of_its_own() {
    for (protocol, source, expected) in [
        ("tcp", ("Ipv6SourceCidrIp", "::1"), Source::Ipv6(v6("::1"))),
        (
            "tcp",
            ("SourceCidrIp", "1.2.3.4"),
            Source::Ipv4(v4("1.2.3.4")),
        ),
        (
            "icmp",
            ("SourceCidrIp", "1.2.3.4/8"),
            Source::Ipv4(v4("1.2.3.4/8")),
        ),
        (
            "icmpv6",
            ("Ipv6SourceCidrIp", "fd00::/8"),
            Source::Ipv6(v6("fd00::/8")),
        ),
    ] {
        let req = accept(family_case(
            protocol,
            &[("DestGroupId", Some("sg-2")), (source.0, Some(source.1))],
        ));
        assert_eq!(req.source(), Some(expected));
        assert!(matches!(req.destination(), Destination::Group(g) if g.id == "sg-2"));
    }
}

// ----------------------------------------------- step 5: a destination

#[test]
fn no_destination_is_missing_parameter_dest() {
    for q in [
        addr(&[]),
        addr(&[("DestCidrIp", Some(""))]),
        addr(&[
            ("DestCidrIp", Some("")),
            ("Ipv6DestCidrIp", Some("")),
            ("DestGroupId", Some("")),
        ]),
        format!("{}&DestCidrIp&Ipv6DestCidrIp&DestGroupId", addr(&[])),
        addr(&[("SourceCidrIp", Some("1.2.3.4"))]),
        addr(&[
            ("DestGroupOwnerAccount", Some("test@aliyun.com")),
            ("DestGroupOwnerId", Some("155780923770")),
        ]),
        // Not a destination here: the ingress parameter is ignored.
        addr(&[("SourceGroupId", Some("sg-2"))]),
    ] {
        let e = reject(&q, 400, "MissingParameter.Dest", Some("DestCidrIp"));
        assert_eq!(
            e.to_string(),
            "The parameter DestCidrIp or DestGroupId is essential."
        );
    }
    reject_pairs(
        &pairs(&[("DestCidrIp", None)]),
        400,
        "MissingParameter.Dest",
        Some("DestCidrIp"),
    );
}

#[test]
fn missing_destination_comes_after_families_and_before_group_fields() {
    reject(
        family_case("icmp", &[("Ipv6SourceCidrIp", Some("::1"))]),
        400,
        "InvalidParam.Ipv4ProtocolConflictWithIpv6Address",
        Some("Ipv6SourceCidrIp"),
    );
    reject(
        addr(&[("DestGroupOwnerId", Some("not-a-number"))]),
        400,
        "MissingParameter.Dest",
        Some("DestCidrIp"),
    );
    reject(
        addr(&[("DestGroupOwnerAccount", Some(&"a".repeat(129)))]),
        400,
        "MissingParameter.Dest",
        Some("DestCidrIp"),
    );
}

// ---------------------------------------------- the destination group

#[test]
fn a_group_destination_is_typed_with_its_owner_fields() {
    let req = accept(addr(&[("DestGroupId", Some("sg-2"))]));
    assert_eq!(
        req.destination(),
        &Destination::Group(GroupDestination {
            id: "sg-2",
            owner_account: None,
            owner_id: None,
        })
    );
    let req = accept(addr(&[
        ("DestGroupId", Some("sg-securitygroupid22")),
        ("DestGroupOwnerAccount", Some("EcsforCloud%40Alibaba.com")),
        ("DestGroupOwnerId", Some("155780923770")),
    ]));
    assert_eq!(
        req.destination(),
        &Destination::Group(GroupDestination {
            id: "sg-securitygroupid22",
            owner_account: Some("EcsforCloud@Alibaba.com"),
            owner_id: Some(AccountId::new(155_780_923_770)),
        })
    );
    // Empty owner fields count as absent.
    let req = accept(addr(&[
        ("DestGroupId", Some("sg-2")),
        ("DestGroupOwnerAccount", Some("")),
        ("DestGroupOwnerId", Some("")),
    ]));
    assert_eq!(
        req.destination(),
        &Destination::Group(GroupDestination {
            id: "sg-2",
            owner_account: None,
            owner_id: None,
        })
    );
}

#[test]
fn a_cidr_wins_over_a_group_given_beside_it() {
    let req = accept(query(&[
        ("DestGroupId", Some("sg-2")),
        ("DestGroupOwnerAccount", Some("someone")),
        ("DestGroupOwnerId", Some("42")),
    ]));
    assert_eq!(req.destination(), &Destination::Ipv4(v4("10.0.0.0/8")));
    let req = accept(addr(&[
        ("Ipv6DestCidrIp", Some("2001:db8::/32")),
        ("DestGroupId", Some("sg-2")),
    ]));
    assert_eq!(req.destination(), &Destination::Ipv6(v6("2001:db8::/32")));
    let req = accept_pairs(&pairs(&[("DestGroupId", Some("sg-2"))]));
    assert_eq!(req.destination(), &Destination::Ipv4(v4("10.0.0.0/8")));
}

#[test]
fn group_ids_and_accounts_take_up_to_128_bytes() {
    for name in ["DestGroupId", "DestGroupOwnerAccount"] {
        let max = "é".repeat(64);
        let req = accept(addr(&[
            ("DestGroupId", Some("sg-2")),
            (name, Some(&encode_all(&max))),
        ]));
        let Destination::Group(g) = req.destination() else {
            panic!("{:?}", req.destination())
        };
        let got = if name == "DestGroupId" {
            g.id
        } else {
            g.owner_account.unwrap()
        };
        assert_eq!(got, max);
        for over in ["g".repeat(129), format!("{max}g")] {
            let e = reject(
                addr(&[
                    ("DestGroupId", Some("sg-2")),
                    (name, Some(&encode_all(&over))),
                ]),
                400,
                "InvalidParameter",
                Some(name),
            );
            assert_eq!(
                e.to_string(),
                format!("The specified parameter \"{name}\" is not valid.")
            );
        }
    }
    // Beside a CIDR, an over-long DestGroupId is still refused (crate
    // decision: checked for length, then ignored).
    reject(
        query(&[("DestGroupId", Some(&"g".repeat(129)))]),
        400,
        "InvalidParameter",
        Some("DestGroupId"),
    );
}

#[test]
fn dest_group_owner_id_is_a_decimal_u64() {
    for (text, id) in [
        ("0", 0),
        ("155780923770", 155_780_923_770),
        ("007", 7),
        ("18446744073709551615", u64::MAX),
        ("0018446744073709551615", u64::MAX),
    ] {
        let req = accept(addr(&[
            ("DestGroupId", Some("sg-2")),
            ("DestGroupOwnerId", Some(text)),
        ]));
        let Destination::Group(g) = req.destination() else {
            panic!("{:?}", req.destination())
        };
        assert_eq!(g.owner_id, Some(AccountId::new(id)), "{text}");
    }
    for bad in [
        "abc",
        "-1",
        "%2B1",
        "+1", // decodes to " 1"
        "1%20",
        "1.0",
        "1e3",
        "0x10",
        "18446744073709551616",
        "99999999999999999999999",
        "%EF%BC%91",
        "test%40aliyun.com", // the account name in the id's place
    ] {
        let e = reject(
            addr(&[
                ("DestGroupId", Some("sg-2")),
                ("DestGroupOwnerId", Some(bad)),
            ]),
            400,
            "InvalidParameter",
            Some("DestGroupOwnerId"),
        );
        assert_eq!(
            e.to_string(),
            "The specified parameter \"DestGroupOwnerId\" is not valid.",
            "{bad}"
        );
    }
    // Beside a CIDR too: the value is validated even though it is unused.
    reject(
        query(&[("DestGroupOwnerId", Some("abc"))]),
        400,
        "InvalidParameter",
        Some("DestGroupOwnerId"),
    );
}

#[test]
fn group_fields_are_checked_in_order() {
    let long = "x".repeat(129);
    reject(
        addr(&[
            ("DestGroupId", Some(&long)),
            ("DestGroupOwnerAccount", Some(&long)),
            ("DestGroupOwnerId", Some("x")),
        ]),
        400,
        "InvalidParameter",
        Some("DestGroupId"),
    );
    reject(
        addr(&[
            ("DestGroupId", Some("sg-2")),
            ("DestGroupOwnerAccount", Some(&long)),
            ("DestGroupOwnerId", Some("x")),
        ]),
        400,
        "InvalidParameter",
        Some("DestGroupOwnerAccount"),
    );
    // Address faults come before the group's fields.
    reject(
        query(&[("DestCidrIp", Some("1.2.3")), ("DestGroupId", Some(&long))]),
        400,
        "InvalidDestCidrIp.Malformed",
        Some("DestCidrIp"),
    );
}

#[test]
fn percent_in_addresses_is_decoded_first() {
    // `%2F` is the slash; `%25` a literal percent that no address allows.
    let req = accept(addr(&[("Ipv6DestCidrIp", Some("2001%3Adb8%3A%3A%2F32"))]));
    assert_eq!(req.destination(), &Destination::Ipv6(v6("2001:db8::/32")));
    reject(
        addr(&[("Ipv6DestCidrIp", Some(&enc("fe80::1%eth0")))]),
        400,
        "InvalidParam.Ipv6DestCidrIp",
        Some("Ipv6DestCidrIp"),
    );
    // IpProtocol stays tcp throughout: the typed protocol is unchanged.
    assert_eq!(accept(query(&[])).protocol(), IpProtocol::Tcp);
}
