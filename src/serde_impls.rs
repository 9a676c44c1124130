//! Serde glue for the value types (feature `serde`), in the style of
//! ipnet's `ipnet_serde`: each type serialises its canonical `Display` form
//! and deserialises through its own parser, so a deserialised value has
//! passed the same validation as a parsed one.
//!
//! - Keywords ([`IpProtocol`], [`NicType`], [`Policy`], [`Format`]): their
//!   lower-case name; any case is read back, as the API accepts it.
//! - [`PortRange`], [`Ipv4Cidr`], [`Ipv6Cidr`], [`RequestId`] and the text
//!   types ([`Description`], [`ClientToken`], [`RegionId`], [`GroupId`],
//!   [`VpcId`], [`AccountName`]): a string.
//! - [`Priority`] and [`AccountId`]: a number, as the API's JSON has them;
//!   read from a number or from a decimal string (state files hold both).
//!
//! Deserialising borrows the text only for the duration of the parse, so
//! none of this needs an allocator.
//!
//! ```
//! use aliyun_sg_egress::{IpProtocol, PortRange, Priority};
//! let p: IpProtocol = serde_json::from_str("\"TCP\"")?;
//! assert_eq!(p, IpProtocol::Tcp);
//! assert_eq!(serde_json::to_string(&p)?, "\"tcp\"");
//! let prio: Priority = serde_json::from_str("\"7\"")?;
//! assert_eq!(serde_json::to_string(&prio)?, "7");
//! assert!(serde_json::from_str::<PortRange>("\"200/1\"").is_err());
//! # Ok::<(), serde_json::Error>(())
//! ```

use core::fmt;
use core::str::FromStr;

use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

use crate::cidr::{Ipv4Cidr, Ipv6Cidr};
use crate::nic::NicType;
use crate::policy::Policy;
use crate::port::PortRange;
use crate::priority::Priority;
use crate::protocol::IpProtocol;
use crate::response::{Format, RequestId};
use crate::text::{AccountId, AccountName, ClientToken, Description, GroupId, RegionId, VpcId};

/// Reads a string through the type's `FromStr`, reporting the parser's own
/// error; with `from_u64`, also a number (negative ones are out of range).
struct ParseVisitor<T> {
    expecting: &'static str,
    from_u64: Option<fn(u64) -> Option<T>>,
}

impl<T> Visitor<'_> for ParseVisitor<T>
where
    T: FromStr,
    T::Err: fmt::Display,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
        text.parse()
            .map_err(|e| E::custom(format_args!("invalid {}: {e}", self.expecting)))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<T, E> {
        match self.from_u64 {
            Some(from_u64) => from_u64(n)
                .ok_or_else(|| E::custom(format_args!("invalid {}: {n}", self.expecting))),
            None => Err(E::invalid_type(de::Unexpected::Unsigned(n), &self)),
        }
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<T, E> {
        match (self.from_u64, u64::try_from(n)) {
            (Some(_), Ok(n)) => self.visit_u64(n),
            (Some(_), Err(_)) => Err(E::custom(format_args!("invalid {}: {n}", self.expecting))),
            (None, _) => Err(E::invalid_type(de::Unexpected::Signed(n), &self)),
        }
    }
}

/// `Serialize` as `Display`, `Deserialize` from a string through `FromStr`.
macro_rules! serde_via_str {
    ($($ty:ty => $expecting:literal,)+) => {$(
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_str(ParseVisitor { expecting: $expecting, from_u64: None })
            }
        }
    )+};
}

serde_via_str! {
    IpProtocol => "IpProtocol (tcp, udp, icmp, gre, all or icmpv6)",
    NicType => "NicType (internet or intranet)",
    Policy => "Policy (accept or drop)",
    Format => "format (json or xml)",
    PortRange => "port range (start/end or -1/-1)",
    Ipv4Cidr => "IPv4 address or CIDR block",
    Ipv6Cidr => "IPv6 address or CIDR block",
    RequestId => "request id (8-4-4-4-12 upper-case hex digits)",
    Description => "description (at most 512 characters)",
    ClientToken => "client token (1 to 64 printable ASCII characters)",
    RegionId => "region id (1 to 128 bytes)",
    GroupId => "security group id (1 to 128 bytes)",
    VpcId => "VPC id (1 to 128 bytes)",
    AccountName => "account name (1 to 128 bytes)",
}

/// `Serialize` as a number, `Deserialize` from a number or a decimal string.
macro_rules! serde_via_number {
    ($($ty:ty => $expecting:literal, $from_u64:expr;)+) => {$(
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                self.get().serialize(serializer)
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let from_u64: Option<fn(u64) -> Option<$ty>> = Some($from_u64);
                deserializer.deserialize_any(ParseVisitor { expecting: $expecting, from_u64 })
            }
        }
    )+};
}

serde_via_number! {
    Priority => "Priority (an integer from 1 to 100)",
        |n| u8::try_from(n).ok().and_then(|n| Priority::new(n).ok());
    AccountId => "account id (a decimal u64)", |n| Some(AccountId::new(n));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;

    fn round_trip<T>(value: T, json: &str)
    where
        T: Serialize + for<'de> Deserialize<'de> + PartialEq + fmt::Debug,
    {
        assert_eq!(serde_json::to_string(&value).unwrap(), json);
        assert_eq!(serde_json::from_str::<T>(json).unwrap(), value);
    }

    fn refused<T>(json: &str) -> String
    where
        T: for<'de> Deserialize<'de> + fmt::Debug,
    {
        serde_json::from_str::<T>(json).unwrap_err().to_string()
    }

    #[test]
    fn keywords_serialise_lower_case_and_read_any_case() {
        round_trip(IpProtocol::Icmpv6, "\"icmpv6\"");
        round_trip(NicType::Intranet, "\"intranet\"");
        round_trip(Policy::Drop, "\"drop\"");
        round_trip(Format::Json, "\"json\"");
        assert_eq!(
            serde_json::from_str::<IpProtocol>("\"ALL\"").unwrap(),
            IpProtocol::All
        );
        assert_eq!(
            serde_json::from_str::<Policy>("\"Accept\"").unwrap(),
            Policy::Accept
        );
        assert!(
            refused::<Policy>("\"allow\"")
                .starts_with("invalid Policy (accept or drop): policy must be")
        );
        assert!(refused::<IpProtocol>("6").contains("expected IpProtocol"));
    }

    #[test]
    fn strings_round_trip_as_written() {
        round_trip(PortRange::new_assert(22, 22), "\"22/22\"");
        round_trip(PortRange::ANY, "\"-1/-1\"");
        round_trip(
            Ipv4Cidr::parse("10.159.6.18/12").unwrap(),
            "\"10.159.6.18/12\"",
        );
        round_trip(Ipv4Cidr::parse("1.2.3.4").unwrap(), "\"1.2.3.4\"");
        round_trip(
            Ipv6Cidr::parse("2001:db8::/32").unwrap(),
            "\"2001:db8::/32\"",
        );
        round_trip(
            Description::parse("web \"servers\"").unwrap(),
            r#""web \"servers\"""#,
        );
        round_trip(GroupId::parse("sg-1").unwrap(), "\"sg-1\"");
        round_trip(RegionId::parse("cn-hangzhou").unwrap(), "\"cn-hangzhou\"");
        round_trip(VpcId::parse("vpc-1").unwrap(), "\"vpc-1\"");
        round_trip(
            AccountName::parse("test@aliyun.com").unwrap(),
            "\"test@aliyun.com\"",
        );
        round_trip(ClientToken::parse("tok-1").unwrap(), "\"tok-1\"");
        round_trip(
            RequestId::from_parts(1, 2),
            "\"00000000-0000-0001-0000-000000000002\"",
        );
        let v6: Ipv6Cidr = serde_json::from_str("\"2001:DB8:0:0::1\"").unwrap();
        assert_eq!(serde_json::to_string(&v6).unwrap(), "\"2001:db8::1\"");
    }

    #[test]
    fn validation_cannot_be_bypassed() {
        assert_eq!(
            refused::<PortRange>("\"200/1\""),
            "invalid port range (start/end or -1/-1): port range has a zero port or starts after its end at line 1 column 7"
        );
        assert!(refused::<Ipv4Cidr>("\"10.0.0.01\"").contains("not a valid address"));
        assert!(refused::<Ipv4Cidr>("\"10.0.0.0/08\"").contains("not a valid prefix length"));
        assert!(refused::<GroupId>("\"\"").contains("value is empty"));
        assert!(
            refused::<Description>(&format!("\"{}\"", "字".repeat(513)))
                .contains("value is too long")
        );
        assert!(
            refused::<RequestId>("\"cef72ceb-54b6-4ae8-b225-f876ff7ba984\"").contains("upper-case")
        );
    }

    #[test]
    fn priority_is_a_number_read_from_number_or_string() {
        round_trip(Priority::new_assert(7), "7");
        assert_eq!(
            serde_json::from_str::<Priority>("\"100\"").unwrap().get(),
            100
        );
        assert_eq!(
            serde_json::from_str::<Priority>("\"007\"").unwrap().get(),
            7
        );
        for bad in [
            "0",
            "101",
            "-1",
            "256",
            "18446744073709551615",
            "\"0\"",
            "\"1.5\"",
            "\"\"",
        ] {
            assert!(serde_json::from_str::<Priority>(bad).is_err(), "{bad}");
        }
        assert!(
            refused::<Priority>("1.0").contains("expected Priority (an integer from 1 to 100)")
        );
        assert!(refused::<Priority>("true").contains("expected Priority"));
    }

    #[test]
    fn account_id_is_a_number_read_from_number_or_string() {
        round_trip(AccountId::new(155_780_923_770), "155780923770");
        assert_eq!(
            serde_json::from_str::<AccountId>("\"42\"").unwrap().get(),
            42
        );
        assert!(serde_json::from_str::<AccountId>("-1").is_err());
        assert!(serde_json::from_str::<AccountId>("\"x\"").is_err());
    }
}
