//! Step 2 of a request (SPEC §6): every parameter in table order, then the
//! addresses (§4), then the destination group. The first fault wins.
//!
//! Text a request keeps is checked as it is read and decoded for keeps
//! only once every check has passed: until then the whole decode buffer is
//! free for the values looked at.

use super::param::Param;
use super::query::{Collected, Scratch, Text};
use super::{ACTION, Destination, GroupDestination, ModifyEgressRequest, Permission, Source};
use crate::cidr::{InvalidCidr, Ipv4Cidr, Ipv6Cidr};
use crate::error::{ApiError, Cause, Hint, Hints, Reason};
use crate::nic::NicType;
use crate::policy::Policy;
use crate::port::{InvalidPortRange, PortRange};
use crate::priority::{InvalidPriority, Priority};
use crate::protocol::IpProtocol;
use crate::text::{AccountId, AccountName, ClientToken, Description, GroupId, RegionId};

/// Reads parameters one at a time from a lookup of their values (the
/// collected flat parameters; for SPEC §12.2's `Permissions.N.<field>`,
/// one permission's), decoding into a scratch buffer; every error carries
/// the hints earned so far.
struct Reader<'c, 'a> {
    fields: &'c Collected<'a>,
    scratch: Scratch<'a>,
    hints: Hints,
}

impl<'a> Reader<'_, 'a> {
    /// The decoded value; `None` when absent. Empty values are returned as
    /// `Some("")` so that each parameter decides what empty means.
    // `always` (here and below): called for every parameter, and left out
    // of line by a plain `#[inline]`.
    #[inline(always)]
    fn get(&mut self, param: Param) -> Option<&str> {
        let text = self.fields.get(param)?;
        Some(text.decode(&mut self.scratch))
    }

    /// The decoded value, or `None` when absent or empty.
    #[inline(always)]
    fn non_empty(&mut self, param: Param) -> Option<&str> {
        self.get(param).filter(|v| !v.is_empty())
    }

    /// Whether the parameter was given with a non-empty value.
    fn is_set(&self, param: Param) -> bool {
        match self.fields.get(param) {
            Some(Text::Plain(v)) => !v.is_empty(),
            // `%XX` and `+` never decode to nothing.
            Some(Text::Encoded(_)) => true,
            None => false,
        }
    }

    /// The value, already checked, for as long as the request lives: call
    /// only after the last look at any value (see [`Scratch::keep`]).
    #[inline]
    fn keep(&mut self, param: Param) -> Option<&'a str> {
        let text = self.fields.get(param)?;
        Some(self.scratch.keep(text))
    }

    /// [`Reader::keep`], `None` when empty.
    fn keep_non_empty(&mut self, param: Param) -> Option<&'a str> {
        self.keep(param).filter(|v| !v.is_empty())
    }
}

/// An error naming `param`, with the hints earned so far.
fn fault(hints: Hints, cause: Cause, param: Param, reason: Reason) -> ApiError {
    ApiError::new(cause)
        .with_parameter(param)
        .with_hints(hints)
        .because(reason)
}

fn port_cause(e: InvalidPortRange) -> Cause {
    match e {
        InvalidPortRange::Syntax => Cause::InvalidParamPortRange,
        InvalidPortRange::ProtocolMismatch => Cause::OperationDenied,
        InvalidPortRange::ZeroOrReversed => Cause::InvalidIpProtocolMalformed,
    }
}

fn priority_cause(e: InvalidPriority) -> Cause {
    match e {
        InvalidPriority::Malformed => Cause::InvalidPriorityMalformed,
        InvalidPriority::BelowRange => Cause::InvalidPriorityBelowRange,
        InvalidPriority::AboveRange => Cause::InvalidPriorityAboveRange,
    }
}

/// An IPv6 parameter: an IPv4 value or a bad prefix is `ILLEGAL_IPV6_CIDR`,
/// anything else unparsable is the parameter's own code.
fn ipv6_cause(e: InvalidCidr, own: Cause) -> Cause {
    match e {
        InvalidCidr::WrongFamily | InvalidCidr::Prefix => Cause::IllegalIpv6Cidr,
        InvalidCidr::Address => own,
    }
}

// `always`: out of line, each call (two a request) saved and restored six
// registers and returned the range through memory (inline: 3,003 -> 2,920
// instructions a request through the example).
#[inline(always)]
fn read_port_range(
    r: &mut Reader<'_, '_>,
    param: Param,
    protocol: IpProtocol,
) -> Result<Option<PortRange>, ApiError> {
    let hints = r.hints;
    let Some(text) = r.get(param) else {
        return Ok(None);
    };
    if text.is_empty() {
        return Ok(None);
    }
    PortRange::parse_for(text, protocol)
        .map(Some)
        .map_err(|error| {
            fault(
                hints,
                port_cause(error),
                param,
                Reason::PortRange { protocol, error },
            )
            .quoting(&[text])
        })
}

/// Validates a `ModifySecurityGroupEgressRule` request: `Action`,
/// `RegionId`, `SecurityGroupId`, then one flat permission with
/// `ClientToken` checked in its place in §6's order (after
/// `Description`). Decoded text goes in `scratch`.
pub(crate) fn validate<'a>(
    collected: &Collected<'a>,
    scratch: Scratch<'a>,
) -> Result<ModifyEgressRequest<'a>, ApiError> {
    let hints = collected.hints;
    let mut r = Reader {
        fields: collected,
        scratch,
        hints,
    };

    if let Some(action) = r.non_empty(Param::Action)
        && action != ACTION
    {
        return Err(fault(
            hints,
            Cause::InvalidActionNotFound,
            Param::Action,
            Reason::OtherAction,
        )
        .quoting(&[action]));
    }

    match r.non_empty(Param::RegionId) {
        None => {
            return Err(fault(
                hints,
                Cause::MissingParameter,
                Param::RegionId,
                Reason::Required,
            ));
        }
        Some(v) => RegionId::check(v).map_err(|e| {
            fault(
                hints,
                Cause::InvalidParameter,
                Param::RegionId,
                Reason::Text(e),
            )
        })?,
    }
    match r.non_empty(Param::SecurityGroupId) {
        None => {
            return Err(fault(
                hints,
                Cause::MissingParameter,
                Param::SecurityGroupId,
                Reason::Required,
            ));
        }
        Some(v) => GroupId::check(v).map_err(|e| {
            fault(
                hints,
                Cause::InvalidParameter,
                Param::SecurityGroupId,
                Reason::Text(e),
            )
        })?,
    }

    let permission = read_permission(&mut r, |r| {
        let hints = r.hints;
        if let Some(v) = r.non_empty(Param::ClientToken) {
            ClientToken::check(v).map_err(|e| {
                fault(
                    hints,
                    Cause::InvalidParameter,
                    Param::ClientToken,
                    Reason::ClientToken(e),
                )
            })?;
        }
        Ok(())
    })?;

    Ok(ModifyEgressRequest {
        region_id: r.keep(Param::RegionId).unwrap_or_default(),
        security_group_id: r.keep(Param::SecurityGroupId).unwrap_or_default(),
        client_token: r.keep_non_empty(Param::ClientToken),
        permission,
        hints,
    })
}

/// Reads one permission (SPEC §12.2: one rule's fields) in §6's order:
/// the protocol and ports, `NicType`, `Policy`, `Priority`,
/// `Description`, then `between` (where Modify checks `ClientToken`), then
/// the addresses (§4) and the destination group.
fn read_permission<'a>(
    r: &mut Reader<'_, 'a>,
    between: impl FnOnce(&mut Reader<'_, 'a>) -> Result<(), ApiError>,
) -> Result<Permission<'a>, ApiError> {
    let hints = r.hints;
    let protocol = match r.non_empty(Param::IpProtocol) {
        None => {
            return Err(fault(
                hints,
                Cause::InvalidIpProtocolValueNotSupported,
                Param::IpProtocol,
                Reason::Required,
            ));
        }
        Some(v) => IpProtocol::parse(v).map_err(|_| {
            fault(
                hints,
                Cause::InvalidIpProtocolValueNotSupported,
                Param::IpProtocol,
                Reason::Protocol,
            )
            .quoting(&[v])
        })?,
    };

    let port_range = match read_port_range(r, Param::PortRange, protocol)? {
        Some(range) => range,
        None => {
            return Err(fault(
                hints,
                Cause::InvalidParamPortRange,
                Param::PortRange,
                Reason::Required,
            ));
        }
    };
    let source_port_range = read_port_range(r, Param::SourcePortRange, protocol)?;

    let nic_type = match r.get(Param::NicType) {
        None => None,
        Some("") => {
            return Err(fault(
                hints,
                Cause::InvalidNicTypeNotValid,
                Param::NicType,
                Reason::NicTypeEmpty,
            ));
        }
        Some(v) => Some(NicType::parse(v).map_err(|_| {
            fault(
                hints,
                Cause::InvalidNicTypeDoesNotExist,
                Param::NicType,
                Reason::NicType,
            )
            .quoting(&[v])
        })?),
    };

    let policy = match r.non_empty(Param::Policy) {
        None => Policy::Accept,
        Some(v) => Policy::parse(v).map_err(|_| {
            let allow = if v.eq_ignore_ascii_case("allow") {
                hints.with(Hint::PolicyAllow)
            } else {
                hints
            };
            fault(
                allow,
                Cause::InvalidPolicyMalformed,
                Param::Policy,
                Reason::Policy,
            )
            .quoting(&[v])
        })?,
    };

    let priority = match r.non_empty(Param::Priority) {
        None => None,
        Some(v) => Some(Priority::parse(v).map_err(|e| {
            fault(
                hints,
                priority_cause(e),
                Param::Priority,
                Reason::Priority(e),
            )
            .quoting(&[v])
        })?),
    };

    if let Some(v) = r.get(Param::Description) {
        Description::check(v).map_err(|_| {
            fault(
                hints,
                Cause::InvalidDescriptionMalformed,
                Param::Description,
                Reason::DescriptionTooLong {
                    chars: u32::try_from(v.chars().count()).unwrap_or(u32::MAX),
                },
            )
        })?;
    }

    between(r)?;

    // §4 step 1: one family per side.
    if r.is_set(Param::DestCidrIp) && r.is_set(Param::Ipv6DestCidrIp) {
        return Err(fault(
            hints,
            Cause::InvalidParamDestIp,
            Param::DestCidrIp,
            Reason::BothFamilies,
        ));
    }
    if r.is_set(Param::SourceCidrIp) && r.is_set(Param::Ipv6SourceCidrIp) {
        return Err(fault(
            hints,
            Cause::InvalidParamSourceIp,
            Param::SourceCidrIp,
            Reason::BothFamilies,
        ));
    }

    // §4 step 2: the IPv4 values.
    let dest_v4 = match r.non_empty(Param::DestCidrIp) {
        None => None,
        Some(v) => Some(Ipv4Cidr::parse(v).map_err(|e| {
            fault(
                hints,
                Cause::InvalidDestCidrIpMalformed,
                Param::DestCidrIp,
                Reason::DestCidr(e),
            )
            .quoting(&[v])
        })?),
    };
    let source_v4 = match r.non_empty(Param::SourceCidrIp) {
        None => None,
        Some(v) => Some(Ipv4Cidr::parse(v).map_err(|e| {
            fault(
                hints,
                Cause::InvalidParamSourceIp,
                Param::SourceCidrIp,
                Reason::SourceCidr(e),
            )
            .quoting(&[v])
        })?),
    };

    // §4 step 3: the IPv6 values.
    let dest_v6 = match r.non_empty(Param::Ipv6DestCidrIp) {
        None => None,
        Some(v) => Some(Ipv6Cidr::parse(v).map_err(|e| {
            fault(
                hints,
                ipv6_cause(e, Cause::InvalidParamIpv6DestCidrIp),
                Param::Ipv6DestCidrIp,
                Reason::Ipv6Cidr(e),
            )
            .quoting(&[v])
        })?),
    };
    let source_v6 = match r.non_empty(Param::Ipv6SourceCidrIp) {
        None => None,
        Some(v) => Some(Ipv6Cidr::parse(v).map_err(|e| {
            fault(
                hints,
                ipv6_cause(e, Cause::InvalidParamIpv6SourceCidrIp),
                Param::Ipv6SourceCidrIp,
                Reason::Ipv6Cidr(e),
            )
            .quoting(&[v])
        })?),
    };

    // §4 step 4: families, the protocol first, then destination against source.
    let any_v6 = dest_v6.is_some() || source_v6.is_some();
    let any_v4 = dest_v4.is_some() || source_v4.is_some();
    if protocol == IpProtocol::Icmp && any_v6 {
        let param = if dest_v6.is_some() {
            Param::Ipv6DestCidrIp
        } else {
            Param::Ipv6SourceCidrIp
        };
        return Err(fault(
            hints,
            Cause::Ipv4ProtocolConflictWithIpv6Address,
            param,
            Reason::IcmpWithIpv6,
        ));
    }
    if protocol == IpProtocol::Icmpv6 && any_v4 {
        let param = if dest_v4.is_some() {
            Param::DestCidrIp
        } else {
            Param::SourceCidrIp
        };
        return Err(fault(
            hints,
            Cause::Ipv6ProtocolConflictWithIpv4Address,
            param,
            Reason::Icmpv6WithIpv4,
        ));
    }
    if dest_v4.is_some() && source_v6.is_some() {
        return Err(fault(
            hints,
            Cause::Ipv4ProtocolConflictWithIpv6Address,
            Param::Ipv6SourceCidrIp,
            Reason::Ipv4DestIpv6Source,
        ));
    }
    if dest_v6.is_some() && source_v4.is_some() {
        return Err(fault(
            hints,
            Cause::Ipv6ProtocolConflictWithIpv4Address,
            Param::SourceCidrIp,
            Reason::Ipv6DestIpv4Source,
        ));
    }

    // §4 step 5: some destination.
    let group_given = r.is_set(Param::DestGroupId);
    if dest_v4.is_none() && dest_v6.is_none() && !group_given {
        return Err(fault(
            hints,
            Cause::MissingParameterDest,
            Param::DestCidrIp,
            Reason::NoDestination,
        ));
    }

    let dest_group_given = match r.non_empty(Param::DestGroupId) {
        None => false,
        Some(v) => GroupId::check(v).map(|()| true).map_err(|e| {
            fault(
                hints,
                Cause::InvalidParameter,
                Param::DestGroupId,
                Reason::Text(e),
            )
        })?,
    };
    if let Some(v) = r.non_empty(Param::DestGroupOwnerAccount) {
        AccountName::check(v).map_err(|e| {
            fault(
                hints,
                Cause::InvalidParameter,
                Param::DestGroupOwnerAccount,
                Reason::Text(e),
            )
        })?;
    }
    let owner_id = match r.non_empty(Param::DestGroupOwnerId) {
        None => None,
        Some(v) => Some(AccountId::parse(v).map_err(|_| {
            fault(
                hints,
                Cause::InvalidParameter,
                Param::DestGroupOwnerId,
                Reason::OwnerId,
            )
            .quoting(&[v])
        })?),
    };

    // Every value has been looked at: from here on text is kept.
    let destination = match (dest_v4, dest_v6, dest_group_given) {
        (Some(v4), _, _) => Destination::Ipv4(v4),
        (None, Some(v6), _) => Destination::Ipv6(v6),
        (None, None, true) => Destination::Group(GroupDestination {
            id: r.keep_non_empty(Param::DestGroupId).unwrap_or_default(),
            owner_account: r.keep_non_empty(Param::DestGroupOwnerAccount),
            owner_id,
        }),
        (None, None, false) => {
            // Unreachable: step 5 found a destination above.
            return Err(fault(
                hints,
                Cause::MissingParameterDest,
                Param::DestGroupId,
                Reason::NoDestination,
            ));
        }
    };
    let source = match (source_v4, source_v6) {
        (Some(v4), _) => Some(Source::Ipv4(v4)),
        (None, Some(v6)) => Some(Source::Ipv6(v6)),
        (None, None) => None,
    };

    Ok(Permission {
        protocol,
        port_range,
        source_port_range,
        nic_type,
        policy,
        priority,
        description: r.keep(Param::Description),
        destination,
        source,
    })
}
