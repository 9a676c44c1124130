//! SPEC §2 (the parameter table) and §3 (port ranges): every accepted form
//! gives the exact typed value, every refused one the exact status, code
//! and parameter.

mod request_support;

use aliyun_sg_egress::error::{Hint, Hints};
use aliyun_sg_egress::request::{Destination, ModifyEgressRequest};
use aliyun_sg_egress::text::ClientToken;
use aliyun_sg_egress::{IpProtocol, Ipv4Cidr, NicType, Policy, PortRange, Priority};
use request_support::{accept, accept_pairs, encode_all, pairs, query, reject, reject_pairs};

const NOT_SUPPORTED_PROTOCOL: &str = "The specified parameter IpProtocol should not be null and only tcp, udp, icmp, gre or all is supported. Ignore case.";
const BAD_PORT_RANGE: &str = "The specified param PortRange or SourcePortRange is not valid. should be integer and less than 65535, range separator is '/'.";
const PROTOCOL_MISMATCH: &str =
    "The specified IpProtocol does not exist or IpProtocol and PortRange do not match.";
const ZERO_OR_REVERSED: &str = "The specified parameter \"PortRange\" is not valid.";

/// The range every protocol accepts in a valid request.
fn range_for(protocol: &str) -> &'static str {
    if protocol.eq_ignore_ascii_case("tcp") || protocol.eq_ignore_ascii_case("udp") {
        "80/80"
    } else {
        "-1/-1"
    }
}

/// A valid IPv4 or IPv6 destination for the protocol.
fn dest_for(protocol: &str) -> [(&'static str, Option<&'static str>); 2] {
    if protocol.eq_ignore_ascii_case("icmpv6") {
        [
            ("DestCidrIp", None),
            ("Ipv6DestCidrIp", Some("2001:db8::/32")),
        ]
    } else {
        [("DestCidrIp", Some("10.0.0.0/8")), ("Ipv6DestCidrIp", None)]
    }
}

fn with_protocol(protocol: &str, changes: &[(&str, Option<&str>)]) -> String {
    let mut all: Vec<(&str, Option<&str>)> = vec![
        ("IpProtocol", Some(protocol)),
        ("PortRange", Some(range_for(protocol))),
    ];
    all.extend(dest_for(protocol));
    all.extend_from_slice(changes);
    query(&all)
}

// ---------------------------------------------------------------- Action

#[test]
fn action_absent_empty_or_exact_is_accepted() {
    let base = accept(query(&[]));
    for action in [None, Some(""), Some("ModifySecurityGroupEgressRule")] {
        assert_eq!(accept(query(&[("Action", action)])), base, "{action:?}");
    }
    assert_eq!(accept(format!("{}&Action", query(&[]))), base);
}

#[test]
fn any_other_action_is_not_found() {
    for action in [
        "ModifySecurityGroupRule", // what the page's table says, wrongly
        "modifysecuritygroupegressrule",
        "MODIFYSECURITYGROUPEGRESSRULE",
        "AuthorizeSecurityGroupEgress",
        "ModifySecurityGroupEgressRule%20",
        "%20ModifySecurityGroupEgressRule",
        "ModifySecurityGroupEgressRul",
        "%20",
    ] {
        let e = reject(
            query(&[("Action", Some(action))]),
            404,
            "InvalidAction.NotFound",
            Some("Action"),
        );
        assert_eq!(
            e.to_string(),
            "Specified api is not found, please check your url and method."
        );
    }
}

// ------------------------------------------------ RegionId, SecurityGroupId

#[test]
fn region_and_group_ids_are_typed_as_written() {
    let req = accept(query(&[
        ("RegionId", Some("cn-hangzhou")),
        ("SecurityGroupId", Some("sg-F876FF7BA")),
    ]));
    assert_eq!(req.region_id(), "cn-hangzhou");
    assert_eq!(req.security_group_id(), "sg-F876FF7BA");
    // Case is kept: ids are case-sensitive.
    let req = accept(query(&[("SecurityGroupId", Some("SG-f876ff7ba"))]));
    assert_eq!(req.security_group_id(), "SG-f876ff7ba");
}

#[test]
fn region_and_group_ids_missing_or_empty_are_missing_parameter() {
    for name in ["RegionId", "SecurityGroupId"] {
        let message = format!(
            "The input parameter \"{name}\" that is mandatory for processing this request is not supplied."
        );
        for q in [
            query(&[(name, None)]),
            query(&[(name, Some(""))]),
            format!("{}&{name}", query(&[(name, None)])),
        ] {
            let e = reject(&q, 400, "MissingParameter", Some(name));
            assert_eq!(e.to_string(), message);
        }
        // from_pairs: the same.
        reject_pairs(&pairs(&[(name, None)]), 400, "MissingParameter", Some(name));
        reject_pairs(
            &pairs(&[(name, Some(""))]),
            400,
            "MissingParameter",
            Some(name),
        );
    }
}

#[test]
fn ids_take_up_to_128_bytes() {
    let ascii_max = "r".repeat(128);
    let multibyte_max = "é".repeat(64); // 128 bytes, 64 characters
    let ascii_over = "r".repeat(129);
    let multibyte_over = format!("{}a", "é".repeat(64)); // 129 bytes
    let cjk_over = "字".repeat(43); // 129 bytes, 43 characters
    for name in ["RegionId", "SecurityGroupId"] {
        for ok in [&ascii_max, &multibyte_max] {
            let req = accept(query(&[(name, Some(&encode_all(ok)))]));
            let got = match name {
                "RegionId" => req.region_id(),
                _ => req.security_group_id(),
            };
            assert_eq!(got, ok.as_str());
        }
        for over in [&ascii_over, &multibyte_over, &cjk_over] {
            let e = reject(
                query(&[(name, Some(&encode_all(over)))]),
                400,
                "InvalidParameter",
                Some(name),
            );
            assert_eq!(
                e.to_string(),
                format!("The specified parameter \"{name}\" is not valid.")
            );
            // Unencoded, through from_pairs, the same.
            reject_pairs(
                &pairs(&[(name, Some(over))]),
                400,
                "InvalidParameter",
                Some(name),
            );
        }
    }
}

// ----------------------------------------------------------- IpProtocol

#[test]
fn every_protocol_in_any_case() {
    for (text, protocol) in [
        ("tcp", IpProtocol::Tcp),
        ("TCP", IpProtocol::Tcp),
        ("Tcp", IpProtocol::Tcp),
        ("udp", IpProtocol::Udp),
        ("uDp", IpProtocol::Udp),
        ("icmp", IpProtocol::Icmp),
        ("ICMP", IpProtocol::Icmp),
        ("gre", IpProtocol::Gre),
        ("GrE", IpProtocol::Gre),
        ("all", IpProtocol::All),
        ("ALL", IpProtocol::All),
        ("icmpv6", IpProtocol::Icmpv6),
        ("ICMPV6", IpProtocol::Icmpv6),
        ("IcmpV6", IpProtocol::Icmpv6),
    ] {
        let req = accept(with_protocol(text, &[]));
        assert_eq!(req.protocol(), protocol, "{text}");
        let expected_range = if protocol.has_ports() {
            PortRange::new_assert(80, 80)
        } else {
            PortRange::ANY
        };
        assert_eq!(req.port_range(), expected_range, "{text}");
    }
}

#[test]
fn missing_empty_or_other_protocols_are_not_supported() {
    let mut queries = vec![
        query(&[("IpProtocol", None)]),
        query(&[("IpProtocol", Some(""))]),
        format!("{}&IpProtocol", query(&[("IpProtocol", None)])),
    ];
    for bad in [
        "sctp",
        "6",
        "17",
        "icmp6",
        "ipv6",
        "%20tcp",
        "tcp%20",
        "tcp%00",
        "t+cp",
        "%EF%BC%B4%EF%BC%A3%EF%BC%B0", // full-width ＴＣＰ
        "tcp,udp",
        "-1",
    ] {
        queries.push(query(&[("IpProtocol", Some(bad))]));
    }
    for q in queries {
        let e = reject(
            &q,
            400,
            "InvalidIpProtocol.ValueNotSupported",
            Some("IpProtocol"),
        );
        assert_eq!(e.to_string(), NOT_SUPPORTED_PROTOCOL);
    }
}

// ------------------------------------------------------------ PortRange

const ALL_PROTOCOLS: [&str; 6] = ["tcp", "udp", "icmp", "gre", "all", "icmpv6"];

/// Texts that are not of the grammar, for any protocol.
const NOT_GRAMMAR: [&str; 27] = [
    "80",
    "80/",
    "/80",
    "/",
    "80/80/80",
    "1//2",
    "80-90",
    "80:90",
    "%2080/80",
    "80/80%20",
    "80+/80",
    "80/+80",
    "-0/5",
    "-01/5",
    "5/-0",
    "1/-01",
    "-1/-01",
    "-01/-1",
    "65536/65536",
    "1/65536",
    "1/99999999999999999999",
    "%2B1/2",
    "%D9%A3/4", // Arabic-Indic digit three
    "-1",
    "0x1/2",
    "1.0/2",
    "-2/-2",
];

#[test]
fn port_range_not_of_the_grammar_is_invalid_param_for_every_protocol() {
    for protocol in ALL_PROTOCOLS {
        for bad in NOT_GRAMMAR {
            let e = reject(
                with_protocol(protocol, &[("PortRange", Some(bad))]),
                400,
                "InvalidParam.PortRange",
                Some("PortRange"),
            );
            assert_eq!(e.to_string(), BAD_PORT_RANGE, "{protocol} {bad}");
        }
    }
}

#[test]
fn port_range_missing_or_empty_is_invalid_param() {
    for protocol in ALL_PROTOCOLS {
        for q in [
            with_protocol(protocol, &[("PortRange", None)]),
            with_protocol(protocol, &[("PortRange", Some(""))]),
            format!(
                "{}&PortRange",
                with_protocol(protocol, &[("PortRange", None)])
            ),
        ] {
            let e = reject(&q, 400, "InvalidParam.PortRange", Some("PortRange"));
            assert_eq!(e.to_string(), BAD_PORT_RANGE);
        }
    }
}

#[test]
fn tcp_and_udp_ranges_are_typed_with_leading_zeros_dropped() {
    for protocol in ["tcp", "udp", "TCP"] {
        for (text, start, end) in [
            ("1/65535", 1, 65535),
            ("80/80", 80, 80),
            ("1/1", 1, 1),
            ("65535/65535", 65535, 65535),
            ("22/8080", 22, 8080),
            ("0022/00022", 22, 22),
            ("000000000000000000080/0000000000000000000443", 80, 443),
            ("01/065535", 1, 65535),
        ] {
            let req = accept(with_protocol(protocol, &[("PortRange", Some(text))]));
            assert_eq!(
                req.port_range(),
                PortRange::new_assert(start, end),
                "{protocol} {text}"
            );
            assert_eq!(req.port_range().start(), Some(start));
            assert_eq!(req.port_range().end(), Some(end));
        }
    }
}

#[test]
fn tcp_and_udp_minus_one_anywhere_is_operation_denied() {
    for protocol in ["tcp", "udp"] {
        for bad in [
            "-1/-1", "-1/80", "80/-1", "0/-1", "-1/0", "65535/-1", "-1/00",
        ] {
            let e = reject(
                with_protocol(protocol, &[("PortRange", Some(bad))]),
                400,
                "OperationDenied",
                Some("PortRange"),
            );
            assert_eq!(e.to_string(), PROTOCOL_MISMATCH, "{protocol} {bad}");
        }
    }
}

#[test]
fn tcp_and_udp_zero_or_reversed_is_ip_protocol_malformed() {
    for protocol in ["tcp", "udp"] {
        for bad in ["0/80", "0/0", "80/0", "200/1", "65535/1", "00/00", "81/80"] {
            let e = reject(
                with_protocol(protocol, &[("PortRange", Some(bad))]),
                400,
                "InvalidIpProtocol.Malformed",
                Some("PortRange"),
            );
            assert_eq!(e.to_string(), ZERO_OR_REVERSED, "{protocol} {bad}");
        }
    }
}

#[test]
fn portless_protocols_take_exactly_minus_one() {
    for protocol in ["icmp", "gre", "all", "icmpv6", "GRE", "All"] {
        let req = accept(with_protocol(protocol, &[("PortRange", Some("-1/-1"))]));
        assert_eq!(req.port_range(), PortRange::ANY);
        assert_eq!(req.port_range().start(), None);
        for bad in [
            "1/1", "80/80", "0/0", "-1/1", "1/-1", "-1/0", "0/-1", "200/1", "1/65535", "00/00",
        ] {
            let e = reject(
                with_protocol(protocol, &[("PortRange", Some(bad))]),
                400,
                "OperationDenied",
                Some("PortRange"),
            );
            assert_eq!(e.to_string(), PROTOCOL_MISMATCH, "{protocol} {bad}");
        }
    }
}

// ------------------------------------------------------ SourcePortRange

#[test]
fn source_port_range_absent_or_empty_is_none() {
    assert_eq!(accept(query(&[])).source_port_range(), None);
    assert_eq!(
        accept(query(&[("SourcePortRange", Some(""))])).source_port_range(),
        None
    );
    assert_eq!(
        accept(format!("{}&SourcePortRange", query(&[]))).source_port_range(),
        None
    );
}

#[test]
fn source_port_range_is_typed() {
    for (protocol, text, expected) in [
        ("tcp", "1024/65535", PortRange::new_assert(1024, 65535)),
        ("udp", "053/053", PortRange::new_assert(53, 53)),
        ("icmp", "-1/-1", PortRange::ANY),
        ("gre", "-1/-1", PortRange::ANY),
        ("all", "-1/-1", PortRange::ANY),
        ("icmpv6", "-1/-1", PortRange::ANY),
    ] {
        let req = accept(with_protocol(protocol, &[("SourcePortRange", Some(text))]));
        assert_eq!(req.source_port_range(), Some(expected), "{protocol} {text}");
    }
}

#[test]
fn source_port_range_follows_the_port_range_rules() {
    for protocol in ALL_PROTOCOLS {
        for bad in NOT_GRAMMAR {
            let e = reject(
                with_protocol(protocol, &[("SourcePortRange", Some(bad))]),
                400,
                "InvalidParam.PortRange",
                Some("SourcePortRange"),
            );
            assert_eq!(e.to_string(), BAD_PORT_RANGE);
        }
    }
    for protocol in ["tcp", "udp"] {
        for bad in ["-1/-1", "-1/80", "80/-1", "0/-1"] {
            reject(
                with_protocol(protocol, &[("SourcePortRange", Some(bad))]),
                400,
                "OperationDenied",
                Some("SourcePortRange"),
            );
        }
        for bad in ["0/80", "0/0", "200/1"] {
            let e = reject(
                with_protocol(protocol, &[("SourcePortRange", Some(bad))]),
                400,
                "InvalidIpProtocol.Malformed",
                Some("SourcePortRange"),
            );
            // The page's message names PortRange whichever range is at fault.
            assert_eq!(e.to_string(), ZERO_OR_REVERSED);
        }
    }
    for protocol in ["icmp", "gre", "all", "icmpv6"] {
        for bad in ["1/1", "-1/1", "0/0"] {
            reject(
                with_protocol(protocol, &[("SourcePortRange", Some(bad))]),
                400,
                "OperationDenied",
                Some("SourcePortRange"),
            );
        }
    }
}

#[test]
fn port_range_is_checked_before_source_port_range() {
    // Both wrong: PortRange's fault is reported, whatever the kinds.
    reject(
        query(&[("PortRange", Some("0/80")), ("SourcePortRange", Some("x"))]),
        400,
        "InvalidIpProtocol.Malformed",
        Some("PortRange"),
    );
    reject(
        query(&[
            ("PortRange", Some("-1/-1")),
            ("SourcePortRange", Some("0/0")),
        ]),
        400,
        "OperationDenied",
        Some("PortRange"),
    );
    reject(
        query(&[("PortRange", None), ("SourcePortRange", Some("-1/-1"))]),
        400,
        "InvalidParam.PortRange",
        Some("PortRange"),
    );
}

// -------------------------------------------------------------- NicType

#[test]
fn nic_type_is_typed_in_any_case() {
    assert_eq!(accept(query(&[])).nic_type(), None);
    for (text, nic) in [
        ("internet", NicType::Internet),
        ("INTERNET", NicType::Internet),
        ("Internet", NicType::Internet),
        ("intranet", NicType::Intranet),
        ("IntraNet", NicType::Intranet),
    ] {
        assert_eq!(
            accept(query(&[("NicType", Some(text))])).nic_type(),
            Some(nic)
        );
    }
}

#[test]
fn nic_type_empty_is_not_valid() {
    for q in [
        query(&[("NicType", Some(""))]),
        format!("{}&NicType", query(&[])),
    ] {
        let e = reject(&q, 400, "InvalidNicType.ValueNotSupported", Some("NicType"));
        assert_eq!(e.to_string(), "The specified NicType is not valid.");
    }
    let e = reject_pairs(
        &pairs(&[("NicType", Some(""))]),
        400,
        "InvalidNicType.ValueNotSupported",
        Some("NicType"),
    );
    assert_eq!(e.to_string(), "The specified NicType is not valid.");
}

#[test]
fn nic_type_other_values_do_not_exist() {
    for bad in [
        "public",
        "private",
        "wan",
        "vpc",
        "classic",
        "%20",
        "%20intranet",
        "intranet%20",
        "inter+net",
        "intranet%00",
        "interne",
    ] {
        let e = reject(
            query(&[("NicType", Some(bad))]),
            400,
            "InvalidNicType.ValueNotSupported",
            Some("NicType"),
        );
        assert_eq!(
            e.to_string(),
            "The specified NicType does not exist.",
            "{bad}"
        );
    }
}

// --------------------------------------------------------------- Policy

#[test]
fn policy_defaults_to_accept_and_is_typed_in_any_case() {
    assert_eq!(accept(query(&[])).policy(), Policy::Accept);
    assert_eq!(
        accept(query(&[("Policy", Some(""))])).policy(),
        Policy::Accept
    );
    for (text, policy) in [
        ("accept", Policy::Accept),
        ("ACCEPT", Policy::Accept),
        ("Accept", Policy::Accept),
        ("drop", Policy::Drop),
        ("Drop", Policy::Drop),
        ("dRoP", Policy::Drop),
    ] {
        let req = accept(query(&[("Policy", Some(text))]));
        assert_eq!(req.policy(), policy, "{text}");
        assert_eq!(req.hints(), Hints::NONE);
    }
}

#[test]
fn policy_allow_is_malformed_with_a_hint() {
    for allow in ["allow", "ALLOW", "Allow", "aLLoW"] {
        let e = reject(
            query(&[("Policy", Some(allow))]),
            400,
            "InvalidPolicy.Malformed",
            Some("Policy"),
        );
        assert_eq!(
            e.to_string(),
            "The specified parameter \"Policy\" is not valid."
        );
        assert!(e.hints().contains(Hint::PolicyAllow), "{allow}");
        assert_eq!(e.hints(), Hints::NONE.with(Hint::PolicyAllow));
        assert!(e.hints().to_string().contains("did you mean accept?"));
    }
}

#[test]
fn other_policies_are_malformed_without_the_hint() {
    for bad in [
        "deny",
        "reject",
        "permit",
        "accept%20",
        "%20drop",
        "0",
        "allowed",
        "al+low",
    ] {
        let e = reject(
            query(&[("Policy", Some(bad))]),
            400,
            "InvalidPolicy.Malformed",
            Some("Policy"),
        );
        assert_eq!(e.hints(), Hints::NONE, "{bad}");
        assert_eq!(
            e.to_string(),
            "The specified parameter \"Policy\" is not valid."
        );
    }
}

// ------------------------------------------------------------- Priority

#[test]
fn priority_absent_or_empty_is_none() {
    assert_eq!(accept(query(&[])).priority(), None);
    assert_eq!(accept(query(&[("Priority", Some(""))])).priority(), None);
    assert_eq!(accept(format!("{}&Priority", query(&[]))).priority(), None);
}

#[test]
fn priority_in_range_is_typed() {
    for (text, value) in [
        ("1", 1),
        ("100", 100),
        ("50", 50),
        ("007", 7),
        ("0100", 100),
        ("0000000000000000000000000000042", 42),
    ] {
        let req = accept(query(&[("Priority", Some(text))]));
        assert_eq!(req.priority(), Some(Priority::new_assert(value)), "{text}");
    }
}

#[test]
fn priority_not_an_integer_is_malformed() {
    for bad in [
        "%2B1",
        "%201",
        "1%20",
        "1+",
        "1.0",
        "1e2",
        "-",
        "--1",
        "-+1",
        "0x10",
        "abc",
        "%D9%A3",
        "%EF%BC%91", // full-width one
        "1,0",
        "1_0",
        "%E2%88%921", // U+2212 minus sign
    ] {
        let e = reject(
            query(&[("Priority", Some(bad))]),
            400,
            "InvalidPriority.Malformed",
            Some("Priority"),
        );
        assert_eq!(
            e.to_string(),
            "The specified parameter \"Priority\" is not valid.",
            "{bad}"
        );
    }
}

#[test]
fn priority_below_one_is_the_specified_priority_message() {
    let huge_negative = format!("-{}", "9".repeat(300));
    for bad in [
        "0",
        "-0",
        "-00",
        "000",
        "-1",
        "-100",
        "-99999999999999999999999999999",
        &huge_negative,
    ] {
        let e = reject(
            query(&[("Priority", Some(bad))]),
            400,
            "InvalidPriority.ValueNotSupported",
            Some("Priority"),
        );
        assert_eq!(e.to_string(), "The specified Priority is invalid.", "{bad}");
    }
}

#[test]
fn priority_above_one_hundred_is_the_parameter_priority_message() {
    let huge = "9".repeat(300);
    for bad in [
        "101",
        "0101",
        "256",
        "1000",
        "65536",
        "4294967296",
        "18446744073709551616",
        "340282366920938463463374607431768211456",
        &huge,
    ] {
        let e = reject(
            query(&[("Priority", Some(bad))]),
            400,
            "InvalidPriority.ValueNotSupported",
            Some("Priority"),
        );
        assert_eq!(e.to_string(), "The parameter Priority is invalid.", "{bad}");
    }
}

// ---------------------------------------------------------- Description

#[test]
fn description_absent_is_none_and_empty_clears() {
    assert_eq!(accept(query(&[])).description(), None);
    for q in [
        query(&[("Description", Some(""))]),
        format!("{}&Description", query(&[])),
    ] {
        let req = accept(&q);
        assert_eq!(req.description(), Some(""));
        assert_eq!(req.description(), Some(""));
    }
    let req = accept_pairs(&pairs(&[("Description", Some(""))]));
    assert_eq!(req.description(), Some(""));
}

#[test]
fn description_is_decoded_and_kept() {
    for (raw, text) in [
        (
            "Thisisanewsecuritygrouprule.",
            "Thisisanewsecuritygrouprule.",
        ),
        ("web+servers", "web servers"),
        ("web%20servers", "web servers"),
        ("1%2B1", "1+1"),
        ("%E5%85%81%E8%AE%B8web", "允许web"),
        ("a%26b%3Dc%25", "a&b=c%"),
        ("%20", " "),
        ("tab%09nl%0A", "tab\tnl\n"),
    ] {
        let req = accept(query(&[("Description", Some(raw))]));
        assert_eq!(req.description(), Some(text), "{raw}");
    }
    // Raw UTF-8 in the query is text too.
    let req = accept(query(&[("Description", Some("允许访问"))]));
    assert_eq!(req.description(), Some("允许访问"));
}

#[test]
fn description_takes_up_to_512_scalar_values() {
    for max in [
        "字".repeat(512),
        "😀".repeat(512),
        "a".repeat(512),
        format!("{}😀", "é".repeat(511)),
    ] {
        assert_eq!(max.chars().count(), 512);
        let req = accept(query(&[("Description", Some(&encode_all(&max)))]));
        assert_eq!(req.description(), Some(max.as_str()));
        let req = accept_pairs(&pairs(&[("Description", Some(&max))]));
        assert_eq!(req.description(), Some(max.as_str()));
    }
}

#[test]
fn description_of_513_scalar_values_is_malformed() {
    for over in [
        "字".repeat(513),
        "😀".repeat(513),
        "a".repeat(513),
        // 300 letters with a combining accent each: 300 graphemes, 600
        // scalar values.
        "e\u{301}".repeat(300),
    ] {
        let e = reject(
            query(&[("Description", Some(&encode_all(&over)))]),
            400,
            "InvalidSecurityGroupDiscription.Malformed",
            Some("Description"),
        );
        assert_eq!(
            e.to_string(),
            "The specified security group rule description is not valid."
        );
        reject_pairs(
            &pairs(&[("Description", Some(&over))]),
            400,
            "InvalidSecurityGroupDiscription.Malformed",
            Some("Description"),
        );
    }
}

// ---------------------------------------------------------- ClientToken

#[test]
fn client_token_absent_or_empty_is_none() {
    assert_eq!(accept(query(&[])).client_token(), None);
    assert_eq!(
        accept(query(&[("ClientToken", Some(""))])).client_token(),
        None
    );
    assert_eq!(
        accept(format!("{}&ClientToken", query(&[]))).client_token(),
        None
    );
}

#[test]
fn client_token_takes_one_to_64_printable_ascii() {
    let every_printable: String = (0x21u8..=0x7e).map(char::from).take(64).collect();
    let tail_printable: String = (0x21u8..=0x7e).map(char::from).skip(30).collect();
    for token in [
        "x".to_owned(),
        "123e4567-e89b-12d3-a456-426655440000".to_owned(),
        "~".repeat(64),
        every_printable,
        tail_printable,
    ] {
        let req = accept(query(&[("ClientToken", Some(&encode_all(&token)))]));
        assert_eq!(
            req.client_token(),
            Some(ClientToken::parse(&token).unwrap().as_str())
        );
        assert_eq!(req.client_token(), Some(token.as_str()));
    }
}

#[test]
fn client_token_too_long_or_with_other_characters_is_invalid_parameter() {
    for bad in [
        "t".repeat(65),
        "a b".to_owned(),
        " ".to_owned(),
        "tab\there".to_owned(),
        "é".to_owned(),
        "\u{7f}".to_owned(),
        "\0".to_owned(),
        "token\n".to_owned(),
        format!("{}é", "t".repeat(10)),
    ] {
        let e = reject(
            query(&[("ClientToken", Some(&encode_all(&bad)))]),
            400,
            "InvalidParameter",
            Some("ClientToken"),
        );
        assert_eq!(
            e.to_string(),
            "The specified parameter \"ClientToken\" is not valid."
        );
        reject_pairs(
            &pairs(&[("ClientToken", Some(&bad))]),
            400,
            "InvalidParameter",
            Some("ClientToken"),
        );
    }
    // `+` decodes to a space, which a token may not hold.
    reject(
        query(&[("ClientToken", Some("a+b"))]),
        400,
        "InvalidParameter",
        Some("ClientToken"),
    );
}

// ------------------------------------------------- every field, typed

#[test]
fn a_request_with_every_field_is_typed_exactly() {
    let req = accept(
        "Action=ModifySecurityGroupEgressRule&RegionId=cn-shanghai&SecurityGroupId=sg-abc\
         &IpProtocol=UDP&PortRange=53/053&SourcePortRange=1024/65535&NicType=Intranet\
         &Policy=Drop&Priority=07&Description=dns+egress&ClientToken=tok-1\
         &DestCidrIp=10.159.6.18/12&SourceCidrIp=192.168.0.1",
    );
    assert_eq!(req.region_id(), "cn-shanghai");
    assert_eq!(req.security_group_id(), "sg-abc");
    assert_eq!(req.protocol(), IpProtocol::Udp);
    assert_eq!(req.port_range(), PortRange::new_assert(53, 53));
    assert_eq!(
        req.source_port_range(),
        Some(PortRange::new_assert(1024, 65535))
    );
    assert_eq!(req.nic_type(), Some(NicType::Intranet));
    assert_eq!(req.policy(), Policy::Drop);
    assert_eq!(req.priority(), Some(Priority::new_assert(7)));
    assert_eq!(req.description(), Some("dns egress"));
    assert_eq!(req.client_token(), Some("tok-1"));
    assert_eq!(
        req.destination(),
        &Destination::Ipv4(Ipv4Cidr::parse("10.159.6.18/12").unwrap())
    );
    assert_eq!(
        req.source(),
        Some(aliyun_sg_egress::request::Source::Ipv4(
            Ipv4Cidr::parse("192.168.0.1").unwrap()
        ))
    );
    assert_eq!(req.hints(), Hints::NONE);

    // The same through from_pairs.
    let from_pairs = ModifyEgressRequest::from_pairs([
        ("Action", "ModifySecurityGroupEgressRule"),
        ("RegionId", "cn-shanghai"),
        ("SecurityGroupId", "sg-abc"),
        ("IpProtocol", "UDP"),
        ("PortRange", "53/053"),
        ("SourcePortRange", "1024/65535"),
        ("NicType", "Intranet"),
        ("Policy", "Drop"),
        ("Priority", "07"),
        ("Description", "dns egress"),
        ("ClientToken", "tok-1"),
        ("DestCidrIp", "10.159.6.18/12"),
        ("SourceCidrIp", "192.168.0.1"),
    ])
    .unwrap();
    assert_eq!(from_pairs, req);
}

#[test]
fn from_pairs_checks_the_same_table() {
    reject_pairs(
        &pairs(&[("IpProtocol", Some("sctp"))]),
        400,
        "InvalidIpProtocol.ValueNotSupported",
        Some("IpProtocol"),
    );
    reject_pairs(
        &pairs(&[("PortRange", Some("200/1"))]),
        400,
        "InvalidIpProtocol.Malformed",
        Some("PortRange"),
    );
    let e = reject_pairs(
        &pairs(&[("Policy", Some("allow"))]),
        400,
        "InvalidPolicy.Malformed",
        Some("Policy"),
    );
    assert!(e.hints().contains(Hint::PolicyAllow));
    let e = reject_pairs(
        &pairs(&[("Priority", Some("-0"))]),
        400,
        "InvalidPriority.ValueNotSupported",
        Some("Priority"),
    );
    assert_eq!(e.to_string(), "The specified Priority is invalid.");
    reject_pairs(
        &pairs(&[("Action", Some("ModifySecurityGroupRule"))]),
        404,
        "InvalidAction.NotFound",
        Some("Action"),
    );
    // No percent-decoding: `+` and `%2B` are literal text.
    let req = accept_pairs(&pairs(&[("Description", Some("a+b%2B"))]));
    assert_eq!(req.description(), Some("a+b%2B"));
    reject_pairs(
        &pairs(&[("PortRange", Some("80%2F80"))]),
        400,
        "InvalidParam.PortRange",
        Some("PortRange"),
    );
}
