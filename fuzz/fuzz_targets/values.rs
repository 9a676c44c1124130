//! Every value-type parser on the same text: none panics; whatever one
//! accepts prints in a form it reads back as the same value; and serde
//! (which reads through the same parsers) agrees with it.
#![no_main]

use std::fmt::{Debug, Display};

use serde::Serialize;
use serde::de::DeserializeOwned;

use aliyun_sg_egress::error::InvalidCidr;
use aliyun_sg_egress::text::{
    AccountId, AccountName, ClientToken, Description, GroupId, RegionId, VpcId,
};
use aliyun_sg_egress::{Format, RequestId};
use aliyun_sg_egress::{IpProtocol, Ipv4Cidr, Ipv6Cidr, NicType, Policy, PortRange, Priority};
use libfuzzer_sys::fuzz_target;

/// `parse(display(v)) == v`, and displaying again gives the same text;
/// serialised and deserialised, it is the same value too.
fn round_trip<T, E>(value: &T, parse: impl Fn(&str) -> Result<T, E>)
where
    T: Display + Debug + PartialEq + Serialize + DeserializeOwned,
    E: Debug,
{
    let shown = value.to_string();
    let again = parse(&shown).unwrap_or_else(|e| panic!("{value:?} shows as {shown:?}: {e:?}"));
    assert_eq!(&again, value, "{shown:?}");
    assert_eq!(again.to_string(), shown);
    let json = serde_json::to_string(value).expect("serialising a value");
    let back: T = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
    assert_eq!(&back, value, "{json}");
}

/// Deserialising a JSON string accepts exactly what the parser accepts.
fn serde_agrees<T, E>(text: &str, parse: impl Fn(&str) -> Result<T, E>)
where
    T: Debug + PartialEq + DeserializeOwned,
    E: Debug,
{
    let parsed = parse(text);
    let read = serde_json::from_value::<T>(serde_json::Value::String(text.to_owned()));
    match (&parsed, &read) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{text:?}"),
        (Err(_), Err(_)) => {}
        _ => panic!("{text:?}: parse {parsed:?}, serde {read:?}"),
    }
}

/// A keyword parses in any case and shows its canonical spelling.
fn keyword<T, E>(text: &str, parse: impl Fn(&str) -> Result<T, E>, as_str: impl Fn(&T) -> &str)
where
    T: Display + Debug + PartialEq + Serialize + DeserializeOwned,
    E: Debug,
{
    serde_agrees(text, &parse);
    if let Ok(v) = parse(text) {
        assert!(text.eq_ignore_ascii_case(as_str(&v)), "{text:?} -> {v:?}");
        assert_eq!(v.to_string(), as_str(&v));
        round_trip(&v, &parse);
    }
}

/// A text type keeps the text exactly.
fn text_type<T, E>(text: &str, parse: impl Fn(&str) -> Result<T, E>)
where
    T: Display + Debug + PartialEq + Serialize + DeserializeOwned,
    E: Debug,
{
    serde_agrees(text, &parse);
    if let Ok(v) = parse(text) {
        assert_eq!(v.to_string(), text);
        round_trip(&v, &parse);
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();

    keyword(text, IpProtocol::parse, |p| p.as_str());
    keyword(text, NicType::parse, |n| n.as_str());
    keyword(text, Policy::parse, |p| p.as_str());
    keyword(text, Format::parse, |f| f.as_str());

    serde_agrees(text, PortRange::parse);
    serde_agrees(text, Ipv4Cidr::parse);
    serde_agrees(text, Ipv6Cidr::parse);
    serde_agrees(text, Priority::parse);
    serde_agrees(text, AccountId::parse);

    let alone = PortRange::parse(text);
    if let Ok(range) = alone {
        round_trip(&range, PortRange::parse);
    }
    for &protocol in IpProtocol::ALL {
        if let Ok(range) = PortRange::parse_for(text, protocol) {
            assert!(range.fits(protocol), "{text:?} {protocol}");
            assert_eq!(alone, Ok(range), "{text:?} {protocol}");
            assert_eq!(
                PortRange::parse_for(&range.to_string(), protocol),
                Ok(range)
            );
        }
    }

    let v4 = Ipv4Cidr::parse(text);
    let v6 = Ipv6Cidr::parse(text);
    if let Ok(v4) = v4 {
        // IPv4 has one spelling per value: what is accepted is canonical.
        assert_eq!(v4.to_string(), text);
        assert_eq!(v4.is_bare(), !text.contains('/'));
        round_trip(&v4, Ipv4Cidr::parse);
        assert_eq!(v6, Err(InvalidCidr::WrongFamily), "{text:?}");
    }
    if let Ok(v6) = v6 {
        assert_eq!(v6.is_bare(), !text.contains('/'));
        round_trip(&v6, Ipv6Cidr::parse);
        assert_eq!(v4, Err(InvalidCidr::WrongFamily), "{text:?}");
    }
    if v4 == Err(InvalidCidr::WrongFamily) {
        assert!(v6.is_ok(), "{text:?}");
    }
    if v6 == Err(InvalidCidr::WrongFamily) {
        assert!(v4.is_ok(), "{text:?}");
    }

    if let Ok(p) = Priority::parse(text) {
        assert!((1..=100).contains(&p.get()));
        assert_eq!(text.trim_start_matches('0'), p.to_string());
        round_trip(&p, Priority::parse);
    }
    if let Ok(id) = AccountId::parse(text) {
        round_trip(&id, AccountId::parse);
    }
    if let Ok(d) = Description::parse(text) {
        assert!(d.chars().count() <= 512);
    }
    text_type(text, Description::parse);
    if let Ok(t) = ClientToken::parse(text) {
        assert!((1..=64).contains(&t.len()));
    }
    text_type(text, ClientToken::parse);
    text_type(text, RegionId::parse);
    text_type(text, GroupId::parse);
    text_type(text, AccountName::parse);
    text_type(text, VpcId::parse);
    text_type(text, RequestId::parse);
});
