//! The key that identifies an egress rule (SPEC §6).

use crate::cidr::{Ipv4Cidr, Ipv6Cidr};
use crate::nic::NicType;
use crate::policy::Policy;
use crate::port::PortRange;
use crate::protocol::IpProtocol;
use crate::request::Source;

/// A rule's destination, borrowing a group or prefix-list id: an IPv4
/// block, an IPv6 block, a security group (keyed by its id alone), or a
/// prefix list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RuleDestination<'a> {
    /// `DestCidrIp`, as written.
    Ipv4(Ipv4Cidr),
    /// `Ipv6DestCidrIp`, by value.
    Ipv6(Ipv6Cidr),
    /// `DestGroupId`.
    Group(&'a str),
    /// `DestPrefixListId` (VPC groups only, on the intranet NIC), compared
    /// as written.
    PrefixList(&'a str),
}

impl RuleDestination<'_> {
    /// Whether the destination is a security group.
    pub const fn is_group(&self) -> bool {
        matches!(self, RuleDestination::Group(_))
    }

    /// Whether the destination is an address block (IPv4 or IPv6), not a
    /// group or a prefix list.
    pub const fn is_address(&self) -> bool {
        matches!(self, RuleDestination::Ipv4(_) | RuleDestination::Ipv6(_))
    }
}

/// What identifies one egress rule of a group: (IpProtocol, PortRange,
/// SourcePortRange, NicType, Policy, destination, source), with the NIC
/// type and policy defaults applied and `None` for what is absent.
/// Priority, description and client token take no part.
///
/// Exactly one rule of a group may have a given key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RuleKey<'a> {
    /// `IpProtocol`.
    pub protocol: IpProtocol,
    /// `PortRange`.
    pub port_range: PortRange,
    /// `SourcePortRange`, if any.
    pub source_port_range: Option<PortRange>,
    /// `NicType`, resolved (see [`NicType::default_for`]).
    pub nic_type: NicType,
    /// `Policy`.
    pub policy: Policy,
    /// The destination.
    pub destination: RuleDestination<'a>,
    /// The source address, if any.
    pub source: Option<Source>,
}
