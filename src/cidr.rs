//! IPv4 and IPv6 addresses or CIDR blocks, kept as written.
//!
//! The API keeps what the user wrote: a bare address stays bare (`1.2.3.4`
//! is not `1.2.3.4/32`) and host bits stay (`10.159.6.18/12` is not
//! `10.144.0.0/12`). Both types therefore compare the address, the prefix
//! length *and* whether a prefix was written. IPv6 compares by value, so
//! case and zero compression do not matter; it prints compressed.
//!
//! IPv6 addresses are parsed by `core::net`. IPv4 addresses are read in
//! one pass by this crate's own code, accepting exactly what `core::net`
//! accepts (property tests compare the two): four decimal octets of one to
//! three digits, no leading zero, at most 255, with the `/` that may follow
//! found on the way. ipnet's `FromStr` boxes a closure and refuses bare
//! addresses.

use core::fmt;
use core::net::{Ipv4Addr, Ipv6Addr};
use core::str::FromStr;

use ipnet::{Ipv4Net, Ipv6Net};

/// Why an address or CIDR was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvalidCidr {
    /// The address part is not an address of the expected family.
    Address,
    /// The address is valid but what follows `/` is not a prefix length
    /// (missing, not ASCII digits, a leading zero, or too large).
    Prefix,
    /// A valid address or CIDR of the other family.
    WrongFamily,
}

impl InvalidCidr {
    /// The message `Display` writes.
    pub const fn as_str(self) -> &'static str {
        match self {
            InvalidCidr::Address => "not a valid address",
            InvalidCidr::Prefix => "not a valid prefix length",
            InvalidCidr::WrongFamily => "an address of the other IP family",
        }
    }
}

impl fmt::Display for InvalidCidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::error::Error for InvalidCidr {}

/// Parses a prefix length: ASCII digits, no leading zero (the network
/// type checks the maximum).
fn parse_prefix(text: &str) -> Option<u8> {
    match text.as_bytes() {
        [b'0', _, ..] | [b'+', ..] => None,
        _ => text.parse().ok(),
    }
}

/// `addr[/prefix]` split at the first `/`, the IPv6 address parsed.
fn split_v6(text: &str) -> (Option<Ipv6Addr>, Option<&str>) {
    match text.split_once('/') {
        Some((addr, prefix)) => (addr.parse().ok(), Some(prefix)),
        None => (text.parse().ok(), None),
    }
}

/// One octet from the front of `bytes`, as [`Ipv4Addr::from_str`] reads
/// it: `0`, or one to three digits without a leading zero, at most 255.
/// Returns it and the bytes after it.
#[inline(always)]
fn read_octet(bytes: &[u8]) -> Option<(u8, &[u8])> {
    let digit = |b: &u8| u16::from(b - b'0');
    let (octet, rest) = match bytes {
        [a @ b'1'..=b'9', b @ b'0'..=b'9', c @ b'0'..=b'9', rest @ ..] => {
            (digit(a) * 100 + digit(b) * 10 + digit(c), rest)
        }
        [a @ b'1'..=b'9', b @ b'0'..=b'9', rest @ ..] => (digit(a) * 10 + digit(b), rest),
        [a @ b'0'..=b'9', rest @ ..] => (digit(a), rest),
        _ => return None,
    };
    Some((u8::try_from(octet).ok()?, rest))
}

/// `a.b.c.d` from the front of `bytes`, in one pass; returns the address
/// and the bytes after it (a digit right after an octet is left there, so
/// the caller's check of what follows refuses a fourth digit or a leading
/// zero).
#[inline(always)]
fn read_ipv4(bytes: &[u8]) -> Option<(Ipv4Addr, &[u8])> {
    let (a, rest) = read_octet(bytes)?;
    let [b'.', rest @ ..] = rest else { return None };
    let (b, rest) = read_octet(rest)?;
    let [b'.', rest @ ..] = rest else { return None };
    let (c, rest) = read_octet(rest)?;
    let [b'.', rest @ ..] = rest else { return None };
    let (d, rest) = read_octet(rest)?;
    Some((Ipv4Addr::new(a, b, c, d), rest))
}

/// `addr[/prefix]` in one pass: the IPv4 address, then an end or a `/`
/// (an address holds no `/`, so this is the split at the first one).
// `always`: out of line, the address comes back through memory.
#[inline(always)]
fn split_v4(text: &str) -> (Option<Ipv4Addr>, Option<&str>) {
    match read_ipv4(text.as_bytes()) {
        Some((addr, [])) => (Some(addr), None),
        Some((addr, [b'/', prefix @ ..])) => (Some(addr), text.get(text.len() - prefix.len()..)),
        _ => (None, None),
    }
}

macro_rules! cidr_type {
    (
        $(#[$meta:meta])*
        $name:ident, $addr:ty, $net:ty, $max:literal, $split:ident, $other:ident
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name {
            net: $net,
            bare: bool,
        }

        impl $name {
            /// Parses an address, or `address/prefix`, keeping what was
            /// written.
            ///
            /// # Errors
            ///
            /// [`InvalidCidr::WrongFamily`] for a valid value of the other
            /// family, [`InvalidCidr::Prefix`] when only the prefix is bad,
            /// [`InvalidCidr::Address`] otherwise.
            pub fn parse(text: &str) -> Result<Self, InvalidCidr> {
                match Self::parse_own_family(text) {
                    Err(InvalidCidr::Address) if <$other>::parse_own_family(text).is_ok() => {
                        Err(InvalidCidr::WrongFamily)
                    }
                    result => result,
                }
            }

            /// [`Self::parse`] without telling the other family apart.
            fn parse_own_family(text: &str) -> Result<Self, InvalidCidr> {
                match $split(text) {
                    (Some(addr), None) => Ok(Self::from_addr(addr)),
                    (Some(addr), Some(prefix)) => parse_prefix(prefix)
                        .and_then(|len| <$net>::new(addr, len).ok())
                        .map(Self::from_net)
                        .ok_or(InvalidCidr::Prefix),
                    (None, _) => Err(InvalidCidr::Address),
                }
            }

            /// A bare address (no prefix written).
            pub const fn from_addr(addr: $addr) -> Self {
                // The maximum prefix length is always valid.
                $name { net: <$net>::new_assert(addr, $max), bare: true }
            }

            /// A CIDR block as written, host bits included.
            pub const fn from_net(net: $net) -> Self {
                $name { net, bare: false }
            }

            /// The address as written (host bits kept).
            pub fn addr(&self) -> $addr {
                self.net.addr()
            }

            /// The prefix length; the full length for a bare address.
            pub const fn prefix_len(&self) -> u8 {
                self.net.prefix_len()
            }

            /// The value as an ipnet network (a bare address is a full-length
            /// prefix).
            pub const fn net(&self) -> $net {
                self.net
            }

            /// Whether the value was written without a prefix.
            pub const fn is_bare(&self) -> bool {
                self.bare
            }

            /// Whether bits past the prefix are set (`10.0.0.1/8`).
            pub fn has_host_bits(&self) -> bool {
                self.net.addr() != self.net.network()
            }

            /// Whether both name the same block of addresses, ignoring how
            /// they were written (bare or `/32`, host bits).
            pub fn same_block(&self, other: &Self) -> bool {
                self.net.trunc() == other.net.trunc()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                if self.bare {
                    fmt::Display::fmt(&self.net.addr(), f)
                } else {
                    write!(f, "{}/{}", self.net.addr(), self.net.prefix_len())
                }
            }
        }

        impl FromStr for $name {
            type Err = InvalidCidr;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = InvalidCidr;
            fn try_from(text: &str) -> Result<Self, Self::Error> {
                Self::parse(text)
            }
        }

        impl From<$addr> for $name {
            fn from(addr: $addr) -> Self {
                Self::from_addr(addr)
            }
        }

        impl From<$net> for $name {
            fn from(net: $net) -> Self {
                Self::from_net(net)
            }
        }
    };
}

cidr_type! {
    /// An IPv4 address or CIDR block (`DestCidrIp`, `SourceCidrIp`), kept as
    /// written.
    ///
    /// ```
    /// use aliyun_sg_egress::Ipv4Cidr;
    /// use aliyun_sg_egress::error::InvalidCidr;
    /// let host: Ipv4Cidr = "1.2.3.4".parse().unwrap();
    /// let slash32: Ipv4Cidr = "1.2.3.4/32".parse().unwrap();
    /// assert_ne!(host, slash32);
    /// assert!(host.same_block(&slash32));
    /// assert_eq!("10.159.6.18/12".parse::<Ipv4Cidr>().unwrap().to_string(), "10.159.6.18/12");
    /// assert_eq!("10.0.0.1/08".parse::<Ipv4Cidr>(), Err(InvalidCidr::Prefix));
    /// assert_eq!("010.0.0.1".parse::<Ipv4Cidr>(), Err(InvalidCidr::Address));
    /// ```
    Ipv4Cidr, Ipv4Addr, Ipv4Net, 32, split_v4, Ipv6Cidr
}

cidr_type! {
    /// An IPv6 address or CIDR block (`Ipv6DestCidrIp`, `Ipv6SourceCidrIp`),
    /// kept as written and compared by value.
    ///
    /// ```
    /// use aliyun_sg_egress::Ipv6Cidr;
    /// use aliyun_sg_egress::error::InvalidCidr;
    /// let a: Ipv6Cidr = "2001:DB8:0:0::1/64".parse().unwrap();
    /// assert_eq!(a, "2001:db8::1/64".parse().unwrap());
    /// assert_eq!(a.to_string(), "2001:db8::1/64");
    /// assert_eq!("2001:db8::/129".parse::<Ipv6Cidr>(), Err(InvalidCidr::Prefix));
    /// assert_eq!("10.0.0.0/8".parse::<Ipv6Cidr>(), Err(InvalidCidr::WrongFamily));
    /// ```
    Ipv6Cidr, Ipv6Addr, Ipv6Net, 128, split_v6, Ipv4Cidr
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;

    /// A whole text as one IPv4 address, by the crate's reader.
    fn parse_address(text: &str) -> Option<Ipv4Addr> {
        match read_ipv4(text.as_bytes()) {
            Some((addr, [])) => Some(addr),
            _ => None,
        }
    }

    proptest::proptest! {
        #[test]
        fn ipv4_addresses_parse_as_core_parses_them(
            text in "[0-9.]{0,17}|[0-9a /:.+-]{0,17}"
        ) {
            proptest::prop_assert_eq!(
                parse_address(&text),
                text.parse::<Ipv4Addr>().ok(),
                "{:?}", text
            );
        }

        #[test]
        fn ipv4_split_is_the_split_at_the_first_slash(
            text in "[0-9./]{0,20}|[0-9a /:.+-]{0,17}"
        ) {
            let expected = match text.split_once('/') {
                Some((addr, prefix)) => match addr.parse::<Ipv4Addr>() {
                    Ok(addr) => (Some(addr), Some(prefix)),
                    Err(_) => (None, None),
                },
                None => (text.parse::<Ipv4Addr>().ok(), None),
            };
            proptest::prop_assert_eq!(split_v4(&text), expected, "{:?}", text);
        }

        #[test]
        fn ipv4_octets_of_every_shape_parse_as_core_parses_them(
            octets in proptest::collection::vec(
                proptest::sample::select(std::vec![
                    "0", "00", "000", "1", "01", "001", "9", "10", "99", "100", "199",
                    "249", "250", "255", "256", "299", "300", "999", "1000", "2555", "",
                ]),
                0..6,
            )
        ) {
            let text = octets.join(".");
            proptest::prop_assert_eq!(
                parse_address(&text),
                text.parse::<Ipv4Addr>().ok(),
                "{:?}", text
            );
        }
    }

    #[test]
    fn ipv4_keeps_what_was_written() {
        let bare = Ipv4Cidr::parse("1.2.3.4").unwrap();
        assert!(bare.is_bare());
        assert_eq!(bare.prefix_len(), 32);
        assert_eq!(bare.to_string(), "1.2.3.4");
        let host_bits = Ipv4Cidr::parse("10.159.6.18/12").unwrap();
        assert!(host_bits.has_host_bits());
        assert_eq!(host_bits.addr(), Ipv4Addr::new(10, 159, 6, 18));
        assert_ne!(host_bits, Ipv4Cidr::parse("10.144.0.0/12").unwrap());
        assert!(host_bits.same_block(&Ipv4Cidr::parse("10.144.0.0/12").unwrap()));
        assert_eq!(
            Ipv4Cidr::parse("0.0.0.0/0").unwrap().to_string(),
            "0.0.0.0/0"
        );
    }

    #[test]
    fn ipv4_errors_are_classified() {
        for bad in [
            "",
            "1.2.3",
            "1.2.3.4.5",
            "256.0.0.1",
            "01.2.3.4",
            " 1.2.3.4",
            "/8",
            "a/8",
        ] {
            assert_eq!(Ipv4Cidr::parse(bad), Err(InvalidCidr::Address), "{bad:?}");
        }
        for bad in [
            "1.2.3.4/",
            "1.2.3.4/33",
            "1.2.3.4/08",
            "1.2.3.4/+8",
            "1.2.3.4/8/8",
            "1.2.3.4/ 8",
        ] {
            assert_eq!(Ipv4Cidr::parse(bad), Err(InvalidCidr::Prefix), "{bad:?}");
        }
        for other in ["::1", "2001:db8::/32", "::ffff:10.0.0.1"] {
            assert_eq!(
                Ipv4Cidr::parse(other),
                Err(InvalidCidr::WrongFamily),
                "{other:?}"
            );
        }
    }

    #[test]
    fn ipv6_compares_by_value_and_prints_compressed() {
        let a = Ipv6Cidr::parse("2001:0DB8:0000::0001").unwrap();
        assert_eq!(a, Ipv6Cidr::parse("2001:db8::1").unwrap());
        assert_eq!(a.to_string(), "2001:db8::1");
        assert_ne!(a, Ipv6Cidr::parse("2001:db8::1/128").unwrap());
        let mapped = Ipv6Cidr::parse("::ffff:10.0.0.1/120").unwrap();
        assert_eq!(mapped.to_string(), "::ffff:10.0.0.1/120");
    }

    #[test]
    fn ipv6_errors_are_classified() {
        for bad in [
            "2001:db8::/",
            "2001:db8::/129",
            "2001:db8::/064",
            "::/x",
            "::1/1/1",
        ] {
            assert_eq!(Ipv6Cidr::parse(bad), Err(InvalidCidr::Prefix), "{bad:?}");
        }
        for other in ["1.2.3.4", "10.0.0.0/8"] {
            assert_eq!(
                Ipv6Cidr::parse(other),
                Err(InvalidCidr::WrongFamily),
                "{other:?}"
            );
        }
        for bad in [
            "",
            "2001:db8:::1",
            "gggg::",
            "1.2.3.4/33",
            "[::1]",
            "::1%eth0",
        ] {
            assert_eq!(Ipv6Cidr::parse(bad), Err(InvalidCidr::Address), "{bad:?}");
        }
    }

    #[test]
    fn display_round_trips() {
        for text in [
            "0.0.0.0/0",
            "192.168.1.1",
            "192.168.1.1/24",
            "::",
            "::/0",
            "fe80::1/10",
        ] {
            if let Ok(v4) = Ipv4Cidr::parse(text) {
                assert_eq!(Ipv4Cidr::parse(&v4.to_string()), Ok(v4));
            } else {
                let v6 = Ipv6Cidr::parse(text).unwrap();
                assert_eq!(Ipv6Cidr::parse(&v6.to_string()), Ok(v6));
            }
        }
    }
}
