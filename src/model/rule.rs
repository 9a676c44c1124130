//! An egress rule.

use core::fmt;

use super::key::{RuleDestination, RuleKey};
use super::opaque::OpaqueRule;
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
    /// A destination prefix-list id that is empty or over 128 bytes.
    PrefixListId,
    /// A prefix-list destination on the internet NIC.
    PrefixListOnInternet,
    /// A `SecurityGroupRuleId` over 128 bytes.
    RuleId,
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
            InvalidRule::PrefixListId => {
                "destination prefix list id is empty or longer than 128 bytes"
            }
            InvalidRule::PrefixListOnInternet => {
                "a prefix-list destination must be on the intranet NIC"
            }
            InvalidRule::RuleId => "rule id is longer than 128 bytes",
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
        let bad_id = |id: &str| id.is_empty() || id.len() > ID_MAX_BYTES;
        let internet = self.nic_type == NicType::Internet;
        match self.destination {
            RuleDestination::Group(id) if bad_id(id) => return Err(InvalidRule::GroupId),
            RuleDestination::Group(_) if internet => return Err(InvalidRule::GroupOnInternet),
            RuleDestination::PrefixList(id) if bad_id(id) => return Err(InvalidRule::PrefixListId),
            RuleDestination::PrefixList(_) if internet => {
                return Err(InvalidRule::PrefixListOnInternet);
            }
            _ => {}
        }
        if self.description.chars().count() > DESCRIPTION_MAX_CHARS {
            return Err(InvalidRule::Description);
        }
        Ok(())
    }
}

/// A rule as a store holds it: its `SecurityGroupRuleId` and `CreateTime`
/// (each empty when the rule has none), and its fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule<'a> {
    /// `SecurityGroupRuleId`; empty for a rule without one (it cannot be
    /// found by id). Unique in a store.
    pub id: &'a str,
    /// `CreateTime`, as given (`YYYY-MM-DDThh:mm:ssZ` for new rules).
    pub create_time: &'a str,
    /// The rule's fields.
    pub body: RuleBody<'a>,
}

/// A rule's fields: modelled, or held as read (SPEC §10).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleBody<'a> {
    /// A rule this crate models: it has a key and requests match it.
    Modelled(EgressRule<'a>),
    /// A rule the API can hold but this crate does not model (a protocol
    /// number, a `PortRangeListId`): it has no key, is never matched by
    /// parameters, counts toward the quota, and can be removed or given a
    /// description.
    Opaque(OpaqueRule<'a>),
}

impl<'a> Rule<'a> {
    /// The modelled rule, if it is one.
    pub const fn modelled(&self) -> Option<&EgressRule<'a>> {
        match &self.body {
            RuleBody::Modelled(rule) => Some(rule),
            RuleBody::Opaque(_) => None,
        }
    }

    /// The rule's `Description` (empty when it has none).
    pub fn description(&self) -> &'a str {
        match &self.body {
            RuleBody::Modelled(rule) => rule.description,
            RuleBody::Opaque(rule) => rule.description(),
        }
    }
}
