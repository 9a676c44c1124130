//! The `PortRange` and `SourcePortRange` parameters.

use core::fmt;
use core::str::FromStr;

use crate::protocol::IpProtocol;

/// A validated port range: either `-1/-1` (the only range of `icmp`,
/// `icmpv6`, `gre` and `all`) or `start/end` with `1 <= start <= end`
/// (`tcp`, `udp`).
///
/// Leading zeros in the text are accepted and dropped, so `Display` prints
/// the canonical form.
///
/// ```
/// use aliyun_sg_egress::{IpProtocol, PortRange};
/// use aliyun_sg_egress::error::InvalidPortRange;
/// let web = PortRange::parse_for("80/080", IpProtocol::Tcp).unwrap();
/// assert_eq!(web.to_string(), "80/80");
/// assert_eq!(PortRange::parse_for("-1/-1", IpProtocol::Tcp), Err(InvalidPortRange::ProtocolMismatch));
/// assert_eq!(PortRange::parse_for("200/1", IpProtocol::Udp), Err(InvalidPortRange::ZeroOrReversed));
/// assert_eq!(PortRange::parse_for("80-90", IpProtocol::Tcp), Err(InvalidPortRange::Syntax));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortRange {
    // (0, 0) stands for `-1/-1`; otherwise 1 <= start <= end.
    start: u16,
    end: u16,
}

/// Why a port range was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvalidPortRange {
    /// Not two integers (`-1` or `0..=65535`) around one `/`
    /// (`InvalidParam.PortRange`).
    Syntax,
    /// `-1` where the protocol needs ports, or ports where it needs `-1/-1`,
    /// or `-1` beside a port (`OperationDenied`).
    ProtocolMismatch,
    /// A port 0, or a start above the end (`InvalidIpProtocol.Malformed`).
    ZeroOrReversed,
}

impl InvalidPortRange {
    /// The message `Display` writes.
    pub const fn as_str(self) -> &'static str {
        match self {
            InvalidPortRange::Syntax => "port range must be two integers separated by '/'",
            InvalidPortRange::ProtocolMismatch => "port range does not match the protocol",
            InvalidPortRange::ZeroOrReversed => {
                "port range has a zero port or starts after its end"
            }
        }
    }
}

impl fmt::Display for InvalidPortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::error::Error for InvalidPortRange {}

/// Reads one side of the grammar from the front of `bytes`: `-1` (as
/// `None`), or decimal digits up to the first other byte, a port number in
/// `0..=65535`. Returns the bound and the bytes after it.
#[inline(always)]
fn read_bound(bytes: &[u8]) -> Option<(Option<u16>, &[u8])> {
    if let [b'-', b'1', rest @ ..] = bytes {
        return Some((None, rest));
    }
    let mut value = 0u32;
    let mut digits = 0;
    for &b in bytes {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            break;
        }
        // Leading zeros keep it at 0; past 65535 it stays just above.
        value = (value * 10 + u32::from(digit)).min(u32::from(u16::MAX) + 1);
        digits += 1;
    }
    let port = u16::try_from(value).ok().filter(|_| digits > 0)?;
    Some((Some(port), bytes.get(digits..)?))
}

/// `bound/bound` in one pass over the bytes (splitting at the `/` first
/// would read the start twice).
fn parse_grammar(text: &str) -> Result<(Option<u16>, Option<u16>), InvalidPortRange> {
    let (start, rest) = read_bound(text.as_bytes()).ok_or(InvalidPortRange::Syntax)?;
    let [b'/', rest @ ..] = rest else {
        return Err(InvalidPortRange::Syntax);
    };
    match read_bound(rest) {
        Some((end, [])) => Ok((start, end)),
        _ => Err(InvalidPortRange::Syntax),
    }
}

impl PortRange {
    /// `-1/-1`: no ports (every protocol but `tcp` and `udp`).
    pub const ANY: PortRange = PortRange { start: 0, end: 0 };

    /// Builds `start/end` for `tcp` or `udp`.
    ///
    /// # Errors
    ///
    /// [`InvalidPortRange::ZeroOrReversed`] when `start` is 0 or above `end`.
    pub const fn new(start: u16, end: u16) -> Result<PortRange, InvalidPortRange> {
        if start == 0 || start > end {
            Err(InvalidPortRange::ZeroOrReversed)
        } else {
            Ok(PortRange { start, end })
        }
    }

    /// Builds a constant `start/end`.
    ///
    /// # Panics
    ///
    /// When `start` is 0 or above `end`.
    #[allow(clippy::panic)]
    pub const fn new_assert(start: u16, end: u16) -> PortRange {
        match PortRange::new(start, end) {
            Ok(r) => r,
            Err(_) => panic!("port range must satisfy 1 <= start <= end"),
        }
    }

    /// Parses a range on its own: `-1/-1` or `start/end` with
    /// `1 <= start <= end`.
    ///
    /// # Errors
    ///
    /// See [`InvalidPortRange`]; `-1` beside a port is
    /// [`InvalidPortRange::ProtocolMismatch`], as no protocol accepts it.
    pub fn parse(text: &str) -> Result<PortRange, InvalidPortRange> {
        match parse_grammar(text)? {
            (None, None) => Ok(PortRange::ANY),
            (Some(s), Some(e)) => PortRange::new(s, e),
            _ => Err(InvalidPortRange::ProtocolMismatch),
        }
    }

    /// Parses a range for a protocol, in the API's order (SPEC §3): the
    /// grammar first, then `-1` against the protocol, then zero or reversed
    /// ports.
    ///
    /// # Errors
    ///
    /// See [`InvalidPortRange`].
    pub fn parse_for(text: &str, protocol: IpProtocol) -> Result<PortRange, InvalidPortRange> {
        let (start, end) = parse_grammar(text)?;
        match (protocol.has_ports(), start, end) {
            (true, Some(s), Some(e)) => PortRange::new(s, e),
            (false, None, None) => Ok(PortRange::ANY),
            _ => Err(InvalidPortRange::ProtocolMismatch),
        }
    }

    /// Whether the range is `-1/-1`.
    pub const fn is_any(self) -> bool {
        self.start == 0
    }

    /// The first port, or `None` for `-1/-1`.
    pub const fn start(self) -> Option<u16> {
        if self.is_any() {
            None
        } else {
            Some(self.start)
        }
    }

    /// The last port, or `None` for `-1/-1`.
    pub const fn end(self) -> Option<u16> {
        if self.is_any() { None } else { Some(self.end) }
    }

    /// Whether a rule of `protocol` may have this range.
    pub const fn fits(self, protocol: IpProtocol) -> bool {
        protocol.has_ports() != self.is_any()
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_any() {
            f.write_str("-1/-1")
        } else {
            write!(f, "{}/{}", self.start, self.end)
        }
    }
}

impl FromStr for PortRange {
    type Err = InvalidPortRange;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        PortRange::parse(text)
    }
}

impl TryFrom<&str> for PortRange {
    type Error = InvalidPortRange;
    fn try_from(text: &str) -> Result<Self, Self::Error> {
        PortRange::parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use InvalidPortRange::*;
    use IpProtocol::*;
    use std::prelude::rust_2024::*;

    #[test]
    fn grammar_failures_come_first_for_every_protocol() {
        for bad in [
            "",
            "/",
            "80",
            "80/",
            "/80",
            "80/80/80",
            "80-90",
            " 80/80",
            "80/80 ",
            "+1/2",
            "-0/5",
            "-01/5",
            "1/-2",
            "65536/65536",
            "1/99999999",
            "٣/4",
            "1//2",
            "-1",
        ] {
            for &p in IpProtocol::ALL {
                assert_eq!(PortRange::parse_for(bad, p), Err(Syntax), "{bad:?} {p}");
            }
        }
    }

    #[test]
    fn tcp_and_udp_take_ports_only() {
        for p in [Tcp, Udp] {
            assert_eq!(
                PortRange::parse_for("1/65535", p),
                Ok(PortRange::new_assert(1, 65535))
            );
            assert_eq!(
                PortRange::parse_for("0022/00022", p),
                Ok(PortRange::new_assert(22, 22))
            );
            assert_eq!(PortRange::parse_for("-1/-1", p), Err(ProtocolMismatch));
            assert_eq!(PortRange::parse_for("-1/80", p), Err(ProtocolMismatch));
            assert_eq!(PortRange::parse_for("0/-1", p), Err(ProtocolMismatch));
            assert_eq!(PortRange::parse_for("0/80", p), Err(ZeroOrReversed));
            assert_eq!(PortRange::parse_for("0/0", p), Err(ZeroOrReversed));
            assert_eq!(PortRange::parse_for("200/1", p), Err(ZeroOrReversed));
        }
    }

    #[test]
    fn other_protocols_take_exactly_minus_one() {
        for p in [Icmp, Icmpv6, Gre, All] {
            assert_eq!(PortRange::parse_for("-1/-1", p), Ok(PortRange::ANY));
            for bad in ["1/1", "-1/1", "0/0", "200/1", "1/-1"] {
                assert_eq!(
                    PortRange::parse_for(bad, p),
                    Err(ProtocolMismatch),
                    "{bad} {p}"
                );
            }
        }
    }

    #[test]
    fn standalone_parse_and_display_round_trip() {
        for text in ["-1/-1", "1/1", "80/8080", "65535/65535"] {
            let r = PortRange::parse(text).unwrap();
            assert_eq!(r.to_string(), text);
        }
        assert_eq!(PortRange::parse("-1/5"), Err(ProtocolMismatch));
        assert_eq!(PortRange::ANY.start(), None);
        assert_eq!(PortRange::new_assert(3, 9).end(), Some(9));
        assert!(PortRange::ANY.fits(Gre) && !PortRange::ANY.fits(Tcp));
    }
}
