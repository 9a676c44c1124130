//! An egress rule.

use core::fmt;

use super::key::{RuleDestination, RuleKey};
use crate::nic::NicType;
use crate::policy::Policy;
use crate::port::PortRange;
use crate::priority::Priority;
use crate::protocol::IpProtocol;
use crate::request::Source;
use crate::text::{DESCRIPTION_MAX_CHARS, ID_MAX_BYTES};

/// An egress rule, borrowing its text: what a store holds, and what it
/// hands out.
///
/// `nic_type` is resolved: in a VPC group it is always `intranet` (the
/// store sees to that on insert).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EgressRule<'a> {
    /// `IpProtocol`.
    pub protocol: IpProtocol,
    /// `PortRange`.
    pub port_range: PortRange,
    /// `SourcePortRange`, if any.
    pub source_port_range: Option<PortRange>,
    /// `NicType`, resolved.
    pub nic_type: NicType,
    /// `Policy`.
    pub policy: Policy,
    /// `Priority`.
    pub priority: Priority,
    /// The destination.
    pub destination: RuleDestination<'a>,
    /// The source address, if any.
    pub source: Option<Source>,
    /// `Description` (may be empty).
    pub description: &'a str,
}

/// Why a rule cannot be stored: it breaks an invariant requests rely on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvalidRule {
    /// The port range does not fit the protocol.
    PortRange,
    /// The source port range does not fit the protocol.
    SourcePortRange,
    /// `icmp` with an IPv6 address, or `icmpv6` with an IPv4 one.
    ProtocolFamily,
    /// An IPv4 destination with an IPv6 source, or the reverse.
    AddressFamilies,
    /// A destination group id that is empty or over 128 bytes.
    GroupId,
    /// A description over 512 characters.
    Description,
    /// A group destination on the internet NIC.
    GroupOnInternet,
}

impl fmt::Display for InvalidRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InvalidRule::PortRange => "port range does not fit the protocol",
            InvalidRule::SourcePortRange => "source port range does not fit the protocol",
            InvalidRule::ProtocolFamily => "protocol and address family conflict",
            InvalidRule::AddressFamilies => "destination and source are of different IP families",
            InvalidRule::GroupId => "destination group id is empty or longer than 128 bytes",
            InvalidRule::Description => "description is longer than 512 characters",
            InvalidRule::GroupOnInternet => "a group destination must be on the intranet NIC",
        })
    }
}

impl core::error::Error for InvalidRule {}

impl<'a> EgressRule<'a> {
    /// The key that identifies the rule.
    pub const fn key(&self) -> RuleKey<'a> {
        RuleKey {
            protocol: self.protocol,
            port_range: self.port_range,
            source_port_range: self.source_port_range,
            nic_type: self.nic_type,
            policy: self.policy,
            destination: self.destination,
            source: self.source,
        }
    }

    /// Checks the invariants a validated request would guarantee.
    ///
    /// # Errors
    ///
    /// The first broken invariant.
    pub fn check(&self) -> Result<(), InvalidRule> {
        let fits = |range: PortRange| range.fits(self.protocol);
        if !fits(self.port_range) {
            return Err(InvalidRule::PortRange);
        }
        if self.source_port_range.is_some_and(|r| !fits(r)) {
            return Err(InvalidRule::SourcePortRange);
        }
        let dest_v6 = matches!(self.destination, RuleDestination::Ipv6(_));
        let dest_v4 = matches!(self.destination, RuleDestination::Ipv4(_));
        let source_v6 = matches!(self.source, Some(Source::Ipv6(_)));
        let source_v4 = matches!(self.source, Some(Source::Ipv4(_)));
        match self.protocol {
            IpProtocol::Icmp if dest_v6 || source_v6 => return Err(InvalidRule::ProtocolFamily),
            IpProtocol::Icmpv6 if dest_v4 || source_v4 => return Err(InvalidRule::ProtocolFamily),
            _ => {}
        }
        if (dest_v4 && source_v6) || (dest_v6 && source_v4) {
            return Err(InvalidRule::AddressFamilies);
        }
        if let RuleDestination::Group(id) = self.destination {
            if id.is_empty() || id.len() > ID_MAX_BYTES {
                return Err(InvalidRule::GroupId);
            }
            if self.nic_type == NicType::Internet {
                return Err(InvalidRule::GroupOnInternet);
            }
        }
        if self.description.chars().count() > DESCRIPTION_MAX_CHARS {
            return Err(InvalidRule::Description);
        }
        Ok(())
    }
}
