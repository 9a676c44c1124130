//! Step 2 of a request (SPEC §6): every parameter in table order, then the
//! addresses (§4), then the destination group. The first fault wins.

use super::param::Param;
use super::query::{Collected, Scratch, Text};
use super::{ACTION, Destination, GroupDestination, ModifyEgressRequest, Source};
use crate::cidr::{InvalidCidr, Ipv4Cidr, Ipv6Cidr};
use crate::error::{ApiError, Cause, Decimal, Hint, Hints};
use crate::nic::NicType;
use crate::policy::Policy;
use crate::port::{InvalidPortRange, PortRange};
use crate::priority::{InvalidPriority, Priority};
use crate::protocol::IpProtocol;
use crate::text::{AccountId, AccountName, GroupId, InvalidText};

/// Reads the collected parameters one at a time, decoding into a scratch
/// buffer; every error carries the hints earned so far.
struct Reader<'c, 'a> {
    collected: &'c Collected<'a>,
    scratch: &'c mut Scratch,
    hints: Hints,
}

impl Reader<'_, '_> {
    /// The decoded value; `None` when absent. Empty values are returned as
    /// `Some("")` so that each parameter decides what empty means.
    // `always` (here and below): called for every parameter, and left out
    // of line by a plain `#[inline]`.
    #[inline(always)]
    fn get(&mut self, param: Param) -> Option<&str> {
        let text = self.collected.get(param)?;
        Some(text.decode(self.scratch))
    }

    /// The decoded value, or `None` when absent or empty.
    #[inline(always)]
    fn non_empty(&mut self, param: Param) -> Option<&str> {
        self.get(param).filter(|v| !v.is_empty())
    }

    /// Whether the parameter was given with a non-empty value.
    fn is_set(&self, param: Param) -> bool {
        match self.collected.get(param) {
            Some(Text::Plain(v)) => !v.is_empty(),
            // `%XX` and `+` never decode to nothing.
            Some(Text::Encoded(_)) => true,
            None => false,
        }
    }
}

// Cold and out of line: the hot functions keep no error-building code (and
// no stack for it) on their usual path.
#[cold]
#[inline(never)]
fn fail(hints: Hints, cause: Cause, param: Param, detail: &[&str]) -> ApiError {
    ApiError::described(cause, param.name(), detail, hints)
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

fn text_detail(e: InvalidText) -> &'static str {
    match e {
        InvalidText::Empty => "is empty",
        InvalidText::TooLong => "is too long",
        InvalidText::BadCharacter => "has a character that is not allowed",
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
    PortRange::parse_for(text, protocol).map(Some).map_err(|e| {
        fail(
            hints,
            port_cause(e),
            param,
            &[
                param.name(),
                " \"",
                text,
                "\" for ",
                protocol.as_str(),
                ": ",
                e.as_str(),
            ],
        )
    })
}

/// Validates into `out`, in place, so that the multi-KiB request is never
/// moved; on error `out` holds unspecified (valid, cleared or partial)
/// values. Returns `out` itself: the parser's result, passed through
/// without a `?` that would copy an error into a differently shaped
/// `Result`.
pub(crate) fn validate<'r>(
    collected: &Collected<'_>,
    scratch: &mut Scratch,
    out: &'r mut ModifyEgressRequest,
) -> Result<&'r ModifyEgressRequest, ApiError> {
    let hints = collected.hints;
    let mut r = Reader {
        collected,
        scratch,
        hints,
    };

    if let Some(action) = r.non_empty(Param::Action)
        && action != ACTION
    {
        return Err(fail(
            hints,
            Cause::InvalidActionNotFound,
            Param::Action,
            &[
                "Action \"",
                action,
                "\" is not implemented; this API is ",
                ACTION,
            ],
        ));
    }

    match r.non_empty(Param::RegionId) {
        None => {
            return Err(fail(
                hints,
                Cause::MissingParameter,
                Param::RegionId,
                &["RegionId is required"],
            ));
        }
        Some(v) => out.region_id.assign(v).map_err(|e| {
            fail(
                hints,
                Cause::InvalidParameter,
                Param::RegionId,
                &["RegionId ", text_detail(e)],
            )
        })?,
    }
    match r.non_empty(Param::SecurityGroupId) {
        None => {
            return Err(fail(
                hints,
                Cause::MissingParameter,
                Param::SecurityGroupId,
                &["SecurityGroupId is required"],
            ));
        }
        Some(v) => out.security_group_id.assign(v).map_err(|e| {
            fail(
                hints,
                Cause::InvalidParameter,
                Param::SecurityGroupId,
                &["SecurityGroupId ", text_detail(e)],
            )
        })?,
    }

    let protocol = match r.non_empty(Param::IpProtocol) {
        None => {
            return Err(fail(
                hints,
                Cause::InvalidIpProtocolValueNotSupported,
                Param::IpProtocol,
                &["IpProtocol is required"],
            ));
        }
        Some(v) => IpProtocol::parse(v).map_err(|_| {
            fail(
                hints,
                Cause::InvalidIpProtocolValueNotSupported,
                Param::IpProtocol,
                &[
                    "IpProtocol \"",
                    v,
                    "\" is not tcp, udp, icmp, gre, all or icmpv6",
                ],
            )
        })?,
    };

    let port_range = match read_port_range(&mut r, Param::PortRange, protocol)? {
        Some(range) => range,
        None => {
            return Err(fail(
                hints,
                Cause::InvalidParamPortRange,
                Param::PortRange,
                &["PortRange is required"],
            ));
        }
    };
    let source_port_range = read_port_range(&mut r, Param::SourcePortRange, protocol)?;

    let nic_type = match r.get(Param::NicType) {
        None => None,
        Some("") => {
            return Err(fail(
                hints,
                Cause::InvalidNicTypeNotValid,
                Param::NicType,
                &["NicType is empty"],
            ));
        }
        Some(v) => Some(NicType::parse(v).map_err(|_| {
            fail(
                hints,
                Cause::InvalidNicTypeDoesNotExist,
                Param::NicType,
                &["NicType \"", v, "\" is neither internet nor intranet"],
            )
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
            fail(
                allow,
                Cause::InvalidPolicyMalformed,
                Param::Policy,
                &["Policy \"", v, "\" is neither accept nor drop"],
            )
        })?,
    };

    let priority = match r.non_empty(Param::Priority) {
        None => None,
        Some(v) => Some(Priority::parse(v).map_err(|e| {
            fail(
                hints,
                priority_cause(e),
                Param::Priority,
                &["Priority \"", v, "\": ", e.as_str()],
            )
        })?),
    };

    out.has_description = false;
    out.description.clear();
    if let Some(v) = r.get(Param::Description) {
        out.description.assign(v).map_err(|_| {
            fail(
                hints,
                Cause::InvalidDescriptionMalformed,
                Param::Description,
                &[
                    "Description has ",
                    Decimal::new(v.chars().count() as u64).as_str(),
                    " characters, more than 512",
                ],
            )
        })?;
        out.has_description = true;
    }

    out.has_client_token = false;
    out.client_token.clear();
    if let Some(v) = r.non_empty(Param::ClientToken) {
        out.client_token.assign(v).map_err(|e| {
            fail(
                hints,
                Cause::InvalidParameter,
                Param::ClientToken,
                &[
                    "ClientToken ",
                    text_detail(e),
                    " (1 to 64 printable ASCII characters, no space)",
                ],
            )
        })?;
        out.has_client_token = true;
    }

    // §4 step 1: one family per side.
    if r.is_set(Param::DestCidrIp) && r.is_set(Param::Ipv6DestCidrIp) {
        return Err(fail(
            hints,
            Cause::InvalidParamDestIp,
            Param::DestCidrIp,
            &["DestCidrIp and Ipv6DestCidrIp are both given; give one"],
        ));
    }
    if r.is_set(Param::SourceCidrIp) && r.is_set(Param::Ipv6SourceCidrIp) {
        return Err(fail(
            hints,
            Cause::InvalidParamSourceIp,
            Param::SourceCidrIp,
            &["SourceCidrIp and Ipv6SourceCidrIp are both given; give one"],
        ));
    }

    // §4 step 2: the IPv4 values.
    let dest_v4 = match r.non_empty(Param::DestCidrIp) {
        None => None,
        Some(v) => Some(Ipv4Cidr::parse(v).map_err(|e| {
            fail(
                hints,
                Cause::InvalidDestCidrIpMalformed,
                Param::DestCidrIp,
                &["DestCidrIp \"", v, "\": ", e.as_str()],
            )
        })?),
    };
    let source_v4 = match r.non_empty(Param::SourceCidrIp) {
        None => None,
        Some(v) => Some(Ipv4Cidr::parse(v).map_err(|e| {
            fail(
                hints,
                Cause::InvalidParamSourceIp,
                Param::SourceCidrIp,
                &[
                    "SourceCidrIp \"",
                    v,
                    "\" is not an IPv4 address or CIDR: ",
                    e.as_str(),
                ],
            )
        })?),
    };

    // §4 step 3: the IPv6 values.
    let dest_v6 = match r.non_empty(Param::Ipv6DestCidrIp) {
        None => None,
        Some(v) => Some(Ipv6Cidr::parse(v).map_err(|e| {
            fail(
                hints,
                ipv6_cause(e, Cause::InvalidParamIpv6DestCidrIp),
                Param::Ipv6DestCidrIp,
                &[
                    "Ipv6DestCidrIp \"",
                    v,
                    "\" is not an IPv6 address or CIDR: ",
                    e.as_str(),
                ],
            )
        })?),
    };
    let source_v6 = match r.non_empty(Param::Ipv6SourceCidrIp) {
        None => None,
        Some(v) => Some(Ipv6Cidr::parse(v).map_err(|e| {
            fail(
                hints,
                ipv6_cause(e, Cause::InvalidParamIpv6SourceCidrIp),
                Param::Ipv6SourceCidrIp,
                &[
                    "Ipv6SourceCidrIp \"",
                    v,
                    "\" is not an IPv6 address or CIDR: ",
                    e.as_str(),
                ],
            )
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
        return Err(fail(
            hints,
            Cause::Ipv4ProtocolConflictWithIpv6Address,
            param,
            &[
                "IpProtocol icmp is IPv4-only but ",
                param.name(),
                " is an IPv6 address; use icmpv6",
            ],
        ));
    }
    if protocol == IpProtocol::Icmpv6 && any_v4 {
        let param = if dest_v4.is_some() {
            Param::DestCidrIp
        } else {
            Param::SourceCidrIp
        };
        return Err(fail(
            hints,
            Cause::Ipv6ProtocolConflictWithIpv4Address,
            param,
            &[
                "IpProtocol icmpv6 is IPv6-only but ",
                param.name(),
                " is an IPv4 address; use icmp",
            ],
        ));
    }
    if dest_v4.is_some() && source_v6.is_some() {
        return Err(fail(
            hints,
            Cause::Ipv4ProtocolConflictWithIpv6Address,
            Param::Ipv6SourceCidrIp,
            &["DestCidrIp is IPv4 but Ipv6SourceCidrIp is IPv6"],
        ));
    }
    if dest_v6.is_some() && source_v4.is_some() {
        return Err(fail(
            hints,
            Cause::Ipv6ProtocolConflictWithIpv4Address,
            Param::SourceCidrIp,
            &["Ipv6DestCidrIp is IPv6 but SourceCidrIp is IPv4"],
        ));
    }

    // §4 step 5: some destination.
    let group_given = r.is_set(Param::DestGroupId);
    if dest_v4.is_none() && dest_v6.is_none() && !group_given {
        return Err(fail(
            hints,
            Cause::MissingParameterDest,
            Param::DestCidrIp,
            &["none of DestCidrIp, Ipv6DestCidrIp, DestGroupId is given"],
        ));
    }

    let dest_group_id = match r.non_empty(Param::DestGroupId) {
        None => None,
        Some(v) => Some(GroupId::parse(v).map_err(|e| {
            fail(
                hints,
                Cause::InvalidParameter,
                Param::DestGroupId,
                &["DestGroupId ", text_detail(e)],
            )
        })?),
    };
    let owner_account = match r.non_empty(Param::DestGroupOwnerAccount) {
        None => None,
        Some(v) => Some(AccountName::parse(v).map_err(|e| {
            fail(
                hints,
                Cause::InvalidParameter,
                Param::DestGroupOwnerAccount,
                &["DestGroupOwnerAccount ", text_detail(e)],
            )
        })?),
    };
    let owner_id = match r.non_empty(Param::DestGroupOwnerId) {
        None => None,
        Some(v) => Some(AccountId::parse(v).map_err(|_| {
            fail(
                hints,
                Cause::InvalidParameter,
                Param::DestGroupOwnerId,
                &["DestGroupOwnerId \"", v, "\" is not a decimal account id"],
            )
        })?),
    };

    // Built in place: a group destination is a few hundred bytes, and a
    // local moved into `out` copied them for every destination.
    out.destination = match (dest_v4, dest_v6, dest_group_id) {
        (Some(v4), _, _) => Destination::Ipv4(v4),
        (None, Some(v6), _) => Destination::Ipv6(v6),
        (None, None, Some(id)) => Destination::Group(GroupDestination {
            id,
            owner_account,
            owner_id,
        }),
        (None, None, None) => {
            // Unreachable: step 5 found a destination above.
            return Err(fail(
                hints,
                Cause::MissingParameterDest,
                Param::DestGroupId,
                &["no destination is given"],
            ));
        }
    };
    let source = match (source_v4, source_v6) {
        (Some(v4), _) => Some(Source::Ipv4(v4)),
        (None, Some(v6)) => Some(Source::Ipv6(v6)),
        (None, None) => None,
    };

    out.protocol = protocol;
    out.port_range = port_range;
    out.source_port_range = source_port_range;
    out.nic_type = nic_type;
    out.policy = policy;
    out.priority = priority;
    out.source = source;
    out.hints = hints;
    Ok(out)
}
