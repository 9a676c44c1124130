//! The `IpProtocol` parameter.

use crate::keyword::{keyword_enum, keyword_error};

keyword_enum! {
    /// The transport protocol of a rule (`IpProtocol`), accepted in any case.
    ///
    /// ```
    /// use aliyun_sg_egress::IpProtocol;
    /// assert_eq!("TCP".parse::<IpProtocol>(), Ok(IpProtocol::Tcp));
    /// assert_eq!(IpProtocol::Icmpv6.to_string(), "icmpv6");
    /// assert!("sctp".parse::<IpProtocol>().is_err());
    /// ```
    pub enum IpProtocol / InvalidIpProtocol {
        /// `tcp`.
        Tcp => "tcp",
        /// `udp`.
        Udp => "udp",
        /// `icmp` (ICMP for IPv4).
        Icmp => "icmp",
        /// `gre`.
        Gre => "gre",
        /// `all`: every protocol.
        All => "all",
        /// `icmpv6` (ICMP for IPv6; newer than the API page).
        Icmpv6 => "icmpv6",
    }
}

keyword_error! {
    /// The text is not one of the protocols the API supports.
    pub struct InvalidIpProtocol => "ip protocol must be tcp, udp, icmp, gre, all or icmpv6";
}

impl IpProtocol {
    /// Whether rules of this protocol carry real port numbers (`tcp`, `udp`);
    /// the others take exactly `-1/-1`.
    pub const fn has_ports(self) -> bool {
        matches!(self, IpProtocol::Tcp | IpProtocol::Udp)
    }

    /// The protocol as the API writes it in rules (`TCP`, `ICMPv6`, …):
    /// what `DescribeSecurityGroupAttribute` shows and a dump holds.
    ///
    /// ```
    /// use aliyun_sg_egress::IpProtocol;
    /// assert_eq!(IpProtocol::Icmpv6.api_name(), "ICMPv6");
    /// ```
    pub const fn api_name(self) -> &'static str {
        match self {
            IpProtocol::Tcp => "TCP",
            IpProtocol::Udp => "UDP",
            IpProtocol::Icmp => "ICMP",
            IpProtocol::Gre => "GRE",
            IpProtocol::All => "ALL",
            IpProtocol::Icmpv6 => "ICMPv6",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;

    #[test]
    fn table_round_trips_in_every_case() {
        for &p in IpProtocol::ALL {
            assert_eq!(IpProtocol::parse(p.as_str()), Ok(p));
            assert_eq!(IpProtocol::parse(&p.as_str().to_ascii_uppercase()), Ok(p));
        }
        assert_eq!(IpProtocol::parse("IcMpV6"), Ok(IpProtocol::Icmpv6));
    }

    #[test]
    fn rejects_other_text() {
        for bad in ["", " tcp", "tcp ", "sctp", "6", "icmp6", "ALL\0"] {
            assert_eq!(IpProtocol::parse(bad), Err(InvalidIpProtocol));
        }
    }

    #[test]
    fn only_tcp_and_udp_have_ports() {
        let with: std::vec::Vec<_> = IpProtocol::ALL.iter().filter(|p| p.has_ports()).collect();
        assert_eq!(with, [&IpProtocol::Tcp, &IpProtocol::Udp]);
    }
}
