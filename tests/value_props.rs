//! Property tests for every value type (SPEC §11, issue #5): each value
//! survives `parse(display(x))`, and any string given to any parser gets
//! exactly the answer a small reference model written here predicts (the
//! value, or the error kind), never a panic.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use aliyun_sg_egress::error::InvalidRequestId;
use aliyun_sg_egress::error::*;
use aliyun_sg_egress::text::*;
use aliyun_sg_egress::*;
use aliyun_sg_egress::{Format, RequestId};
use ipnet::{Ipv4Net, Ipv6Net};
use proptest::prelude::*;

/// `parse`, `FromStr` and `TryFrom<&str>` agree on `text`, and a value they
/// give displays as text that parses back to it.
fn check_parsers<T, E>(text: &str, parse: fn(&str) -> Result<T, E>) -> Result<T, E>
where
    T: FromStr<Err = E> + for<'a> TryFrom<&'a str, Error = E> + PartialEq + std::fmt::Debug,
    T: std::fmt::Display,
    E: PartialEq + std::fmt::Debug,
{
    let parsed = parse(text);
    assert_eq!(text.parse::<T>(), parsed, "FromStr on {text:?}");
    assert_eq!(T::try_from(text), parsed, "TryFrom on {text:?}");
    if let Ok(value) = &parsed {
        let shown = value.to_string();
        assert_eq!(
            parse(&shown).as_ref(),
            Ok(value),
            "{text:?} shown as {shown:?}"
        );
    }
    parsed
}

/// Strings over the characters a parser cares about, so that both valid and
/// nearly valid inputs come up often; mixed with arbitrary strings.
fn text_over(alphabet: &'static str, max: usize) -> BoxedStrategy<String> {
    let chars: Vec<char> = alphabet.chars().collect();
    prop_oneof![
        3 => prop::collection::vec(prop::sample::select(chars), 0..=max)
            .prop_map(|cs| cs.into_iter().collect::<String>()),
        1 => any::<String>(),
    ]
    .boxed()
}

// ---- reference models -------------------------------------------------

fn model_keyword<T: Copy>(all: &[T], name: fn(T) -> &'static str, text: &str) -> Option<T> {
    all.iter()
        .copied()
        .find(|&k| name(k).eq_ignore_ascii_case(text))
}

/// A decimal without sign: its value, saturated above `u32::MAX`.
fn decimal(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(text.bytes().fold(0u64, |acc, b| {
        (acc * 10 + u64::from(b - b'0')).min(u64::from(u32::MAX) + 1)
    }))
}

fn model_priority(text: &str) -> Result<u8, InvalidPriority> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    match decimal(digits) {
        None => Err(InvalidPriority::Malformed),
        Some(_) if negative => Err(InvalidPriority::BelowRange),
        Some(0) => Err(InvalidPriority::BelowRange),
        Some(n) if n > 100 => Err(InvalidPriority::AboveRange),
        Some(n) => Ok(n as u8),
    }
}

/// `-1` → `None`; a port (leading zeros allowed) → `Some`.
fn model_bound(text: &str) -> Option<Option<u16>> {
    if text == "-1" {
        return Some(None);
    }
    decimal(text).and_then(|n| u16::try_from(n).ok()).map(Some)
}

fn model_port_range(text: &str, has_ports: Option<bool>) -> Result<PortRange, InvalidPortRange> {
    let (start, end) = text.split_once('/').ok_or(InvalidPortRange::Syntax)?;
    let (Some(start), Some(end)) = (model_bound(start), model_bound(end)) else {
        return Err(InvalidPortRange::Syntax);
    };
    match (has_ports, start, end) {
        (None | Some(false), None, None) => Ok(PortRange::ANY),
        (None | Some(true), Some(s), Some(e)) if s == 0 || s > e => {
            Err(InvalidPortRange::ZeroOrReversed)
        }
        (None | Some(true), Some(s), Some(e)) => Ok(PortRange::new(s, e).unwrap()),
        _ => Err(InvalidPortRange::ProtocolMismatch),
    }
}

/// A prefix length as written: `0`, or digits without a leading zero, at
/// most `max`.
fn model_prefix(text: &str, max: u8) -> Option<u8> {
    if text != "0" && text.starts_with('0') {
        return None;
    }
    decimal(text)
        .filter(|&n| n <= u64::from(max))
        .map(|n| n as u8)
}

/// The address (bare or with a prefix) of family `A`, as the model reads it.
fn model_cidr<A: FromStr>(text: &str, max: u8) -> Option<Result<(A, Option<u8>), InvalidCidr>> {
    let (addr, prefix) = match text.split_once('/') {
        Some((addr, prefix)) => (addr, Some(prefix)),
        None => (text, None),
    };
    let addr = addr.parse::<A>().ok()?;
    Some(match prefix {
        None => Ok((addr, None)),
        Some(p) => model_prefix(p, max)
            .map(|len| (addr, Some(len)))
            .ok_or(InvalidCidr::Prefix),
    })
}

/// The model of one family's parser: `A` with prefixes up to `max`; a
/// valid value of the other family `B` (up to `other_max`) is
/// `WrongFamily`.
fn model_family<A: FromStr, B: FromStr>(
    text: &str,
    max: u8,
    other_max: u8,
) -> Result<(A, Option<u8>), InvalidCidr> {
    match model_cidr::<A>(text, max) {
        Some(answer) => answer,
        None if matches!(model_cidr::<B>(text, other_max), Some(Ok(_))) => {
            Err(InvalidCidr::WrongFamily)
        }
        None => Err(InvalidCidr::Address),
    }
}

fn model_ipv4(text: &str) -> Result<(Ipv4Addr, Option<u8>), InvalidCidr> {
    model_family::<Ipv4Addr, Ipv6Addr>(text, 32, 128)
}

fn model_ipv6(text: &str) -> Result<(Ipv6Addr, Option<u8>), InvalidCidr> {
    model_family::<Ipv6Addr, Ipv4Addr>(text, 128, 32)
}

fn model_id(text: &str) -> Result<(), InvalidText> {
    match text.len() {
        0 => Err(InvalidText::Empty),
        1..=128 => Ok(()),
        _ => Err(InvalidText::TooLong),
    }
}

fn model_client_token(text: &str) -> Result<(), InvalidText> {
    if text.is_empty() {
        Err(InvalidText::Empty)
    } else if !text.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        Err(InvalidText::BadCharacter)
    } else if text.len() > 64 {
        Err(InvalidText::TooLong)
    } else {
        Ok(())
    }
}

fn model_request_id(text: &str) -> Result<u128, InvalidRequestId> {
    if text.len() != 36 {
        return Err(InvalidRequestId::Length);
    }
    let mut value = 0u128;
    for (i, b) in text.bytes().enumerate() {
        let dash_here = matches!(i, 8 | 13 | 18 | 23);
        match (dash_here, b) {
            (true, b'-') => continue,
            (true, _) | (false, b'-') => return Err(InvalidRequestId::Dash),
            (false, b'a'..=b'f') => return Err(InvalidRequestId::LowerCase),
            (false, b) => match (b as char).to_digit(16) {
                Some(d) if b.is_ascii() => value = value << 4 | u128::from(d),
                _ => return Err(InvalidRequestId::NotHex),
            },
        }
    }
    Ok(value)
}

// ---- valid values -----------------------------------------------------

fn ipv4_cidr() -> impl Strategy<Value = Ipv4Cidr> {
    (any::<u32>(), prop::option::of(0u8..=32)).prop_map(|(bits, len)| {
        let addr = Ipv4Addr::from_bits(bits);
        match len {
            None => Ipv4Cidr::from_addr(addr),
            Some(len) => Ipv4Cidr::from_net(Ipv4Net::new(addr, len).unwrap()),
        }
    })
}

fn ipv6_cidr() -> impl Strategy<Value = Ipv6Cidr> {
    // Runs of zero groups, so `::` compression comes up.
    let groups = prop::array::uniform8(prop_oneof![2 => Just(0u16), 1 => any::<u16>()]);
    (groups, prop::option::of(0u8..=128)).prop_map(|(g, len)| {
        let addr = Ipv6Addr::new(g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7]);
        match len {
            None => Ipv6Cidr::from_addr(addr),
            Some(len) => Ipv6Cidr::from_net(Ipv6Net::new(addr, len).unwrap()),
        }
    })
}

fn port_range() -> impl Strategy<Value = PortRange> {
    prop_oneof![
        1 => Just(PortRange::ANY),
        4 => (1u16..=u16::MAX)
            .prop_flat_map(|start| (Just(start), start..=u16::MAX))
            .prop_map(|(s, e)| PortRange::new(s, e).unwrap()),
    ]
}

/// Address-shaped text: an address of either family (sometimes with a
/// character changed), then perhaps a prefix from the edge cases.
fn address_like() -> impl Strategy<Value = String> {
    let addr = prop_oneof![
        any::<u32>().prop_map(|b| Ipv4Addr::from_bits(b).to_string()),
        ipv6_cidr().prop_map(|c| c.addr().to_string()),
        Just("1.2.3".to_string()),
        Just("::ffff:1.2.3.4".to_string()),
    ];
    let prefix = prop::option::of(prop::sample::select(vec![
        "0", "00", "01", "8", "08", "32", "33", "64", "128", "129", "0128", "", "x", "+8", "-1",
        "8/8", " 8",
    ]));
    (
        addr,
        prefix,
        any::<prop::sample::Index>(),
        any::<u8>(),
        any::<bool>(),
    )
        .prop_map(|(addr, prefix, at, byte, mutate)| {
            let mut text = match prefix {
                Some(p) => format!("{addr}/{p}"),
                None => addr,
            };
            if mutate {
                let i = at.index(text.len());
                if text.is_char_boundary(i) && text.is_char_boundary(i + 1) {
                    let c = char::from(b"0123456789abcdef.:/ "[usize::from(byte) % 20]);
                    text.replace_range(i..i + 1, &c.to_string());
                }
            }
            text
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn valid_values_round_trip(
        v4 in ipv4_cidr(),
        v6 in ipv6_cidr(),
        ports in port_range(),
        priority in 1u8..=100,
        account in any::<u64>(),
        request_id in any::<u128>(),
        description in "\\PC{0,512}",
        token in "[!-~]{1,64}",
        id in "\\PC{1,32}",
    ) {
        prop_assert_eq!(check_parsers(&v4.to_string(), Ipv4Cidr::parse), Ok(v4));
        prop_assert_eq!(check_parsers(&v6.to_string(), Ipv6Cidr::parse), Ok(v6));
        prop_assert_eq!(check_parsers(&ports.to_string(), PortRange::parse), Ok(ports));
        let p = Priority::new(priority).unwrap();
        prop_assert_eq!(check_parsers(&p.to_string(), Priority::parse), Ok(p));
        let a = AccountId::new(account);
        prop_assert_eq!(check_parsers(&a.to_string(), AccountId::parse), Ok(a));
        let r = RequestId::from_u128(request_id);
        prop_assert_eq!(check_parsers(&r.to_string(), RequestId::parse), Ok(r));
        let d = Description::parse(&description).unwrap();
        prop_assert_eq!(check_parsers(&format!("{d}"), Description::parse), Ok(d));
        let t = ClientToken::parse(&token).unwrap();
        prop_assert_eq!(check_parsers(&format!("{t}"), ClientToken::parse), Ok(t));
        if id.len() <= 128 {
            let g = GroupId::parse(&id).unwrap();
            prop_assert_eq!(check_parsers(&format!("{g}"), GroupId::parse), Ok(g));
        }
        for &k in IpProtocol::ALL {
            prop_assert_eq!(check_parsers(&k.to_string(), IpProtocol::parse), Ok(k));
        }
        for &k in NicType::ALL {
            prop_assert_eq!(check_parsers(&k.to_string(), NicType::parse), Ok(k));
        }
        for &k in Policy::ALL {
            prop_assert_eq!(check_parsers(&k.to_string(), Policy::parse), Ok(k));
        }
        for &k in Format::ALL {
            prop_assert_eq!(check_parsers(&k.to_string(), Format::parse), Ok(k));
        }
    }

    #[test]
    fn keywords_answer_as_the_model(text in text_over("aAcCeEgGiIlLmMnNoOpPrRtTuUvVxXjJsS6 @[`{é\0", 9)) {
        prop_assert_eq!(
            check_parsers(&text, IpProtocol::parse).ok(),
            model_keyword(IpProtocol::ALL, IpProtocol::as_str, &text)
        );
        prop_assert_eq!(
            check_parsers(&text, NicType::parse).ok(),
            model_keyword(NicType::ALL, NicType::as_str, &text)
        );
        prop_assert_eq!(
            check_parsers(&text, Policy::parse).ok(),
            model_keyword(Policy::ALL, Policy::as_str, &text)
        );
        prop_assert_eq!(
            check_parsers(&text, Format::parse).ok(),
            model_keyword(Format::ALL, Format::as_str, &text)
        );
    }

    #[test]
    fn priorities_answer_as_the_model(text in text_over("-0123456789x", 6)) {
        let parsed = check_parsers(&text, Priority::parse).map(Priority::get);
        prop_assert_eq!(parsed, model_priority(&text));
    }

    #[test]
    fn port_ranges_answer_as_the_model(text in text_over("-/0123456789", 13)) {
        prop_assert_eq!(check_parsers(&text, PortRange::parse), model_port_range(&text, None));
        for &protocol in IpProtocol::ALL {
            let has_ports = Some(matches!(protocol, IpProtocol::Tcp | IpProtocol::Udp));
            prop_assert_eq!(
                PortRange::parse_for(&text, protocol),
                model_port_range(&text, has_ports),
                "{} {:?}", protocol, text
            );
        }
    }

    #[test]
    fn addresses_answer_as_the_model(
        text in prop_oneof![address_like(), text_over("0123456789abcdefABCDEF.:/x", 45)]
    ) {
        let v4 = check_parsers(&text, Ipv4Cidr::parse)
            .map(|c| (c.addr(), (!c.is_bare()).then(|| c.prefix_len())));
        prop_assert_eq!(v4, model_ipv4(&text));
        let v6 = check_parsers(&text, Ipv6Cidr::parse)
            .map(|c| (c.addr(), (!c.is_bare()).then(|| c.prefix_len())));
        prop_assert_eq!(v6, model_ipv6(&text));
    }

    #[test]
    fn texts_answer_as_the_model(text in text_over("ab-_ 字😀\u{7f}!~", 140)) {
        prop_assert_eq!(check_parsers(&text, GroupId::parse).map(|_| ()), model_id(&text));
        prop_assert_eq!(check_parsers(&text, RegionId::parse).map(|_| ()), model_id(&text));
        prop_assert_eq!(check_parsers(&text, VpcId::parse).map(|_| ()), model_id(&text));
        prop_assert_eq!(check_parsers(&text, AccountName::parse).map(|_| ()), model_id(&text));
        prop_assert_eq!(
            check_parsers(&text, ClientToken::parse).map(|_| ()),
            model_client_token(&text)
        );
        let description = check_parsers(&text, Description::parse);
        if text.chars().count() <= 512 {
            prop_assert_eq!(description.as_ref().map(|d| d.as_str()), Ok(text.as_str()));
        } else {
            prop_assert_eq!(description, Err(InvalidText::TooLong));
        }
    }

    #[test]
    fn long_descriptions_answer_as_the_model(n in 500usize..530, wide in any::<bool>()) {
        let text = if wide { "😀".repeat(n) } else { "a".repeat(n) };
        let parsed = check_parsers(&text, Description::parse);
        prop_assert_eq!(parsed.is_ok(), n <= 512);
    }

    #[test]
    fn account_ids_answer_as_the_model(text in text_over("0123456789+-x", 22)) {
        let parsed = check_parsers(&text, AccountId::parse).map(AccountId::get);
        let all_digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
        match parsed {
            Ok(n) => prop_assert_eq!(Some(n), text.parse::<u64>().ok().filter(|_| all_digits)),
            Err(InvalidText::Empty) => prop_assert!(text.is_empty()),
            Err(InvalidText::BadCharacter) => prop_assert!(!all_digits),
            Err(InvalidText::TooLong) => {
                prop_assert!(all_digits && text.parse::<u64>().is_err())
            }
        }
    }

    #[test]
    fn request_ids_answer_as_the_model(
        text in prop_oneof![
            "[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}",
            "[0-9A-Fa-g-]{36}",
            any::<String>(),
        ]
    ) {
        let parsed = check_parsers(&text, RequestId::parse).map(RequestId::as_u128);
        prop_assert_eq!(parsed, model_request_id(&text));
    }
}
