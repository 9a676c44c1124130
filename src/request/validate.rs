//! Step 2 of a request (SPEC §6): every parameter in table order, then the
//! addresses (§4), then the destination group. The first fault wins.
//!
//! A value only looked at (a keyword, a number, an address) is decoded
//! into the free part of the buffer and dropped. Text a request keeps is
//! decoded once, into the front: the description when it is checked, the
//! ids once every check has passed. Kept text is never longer than the
//! pairs it came from, so the free part always holds the next value
//! looked at.

use super::param::Param;
use super::query::{Collected, Scratch, Text};
use super::{
    ACTION, API_VERSION, Destination, GroupDestination, ModifyEgressRequest, Permission,
    PermissionPatch, Source,
};
use crate::cidr::{InvalidCidr, Ipv4Cidr, Ipv6Cidr};
use crate::error::{ApiError, Cause, Hint, Hints, Reason};
use crate::nic::NicType;
use crate::policy::Policy;
use crate::port::{InvalidPortRange, PortRange};
use crate::priority::{InvalidPriority, Priority};
use crate::protocol::IpProtocol;
use crate::text::{
    AccountId, AccountName, ClientToken, Description, GroupId, InvalidText, RegionId,
};

/// Reads parameters one at a time from a lookup of their values (the
/// collected flat parameters; for SPEC §12.2's `Permissions.N.<field>`,
/// one permission's), decoding into a scratch buffer; every error carries
/// the hints earned so far.
pub(crate) struct Reader<'c, 'a> {
    pub(crate) fields: &'c Collected<'a>,
    pub(crate) scratch: Scratch<'a>,
    pub(crate) hints: Hints,
}

impl<'a> Reader<'_, 'a> {
    /// The decoded value; `None` when absent. Empty values are returned as
    /// `Some("")` so that each parameter decides what empty means.
    // `always` (here and below): called for every parameter, and left out
    // of line by a plain `#[inline]`.
    #[inline(always)]
    pub(crate) fn get(&mut self, param: Param) -> Option<&str> {
        let text = self.fields.get(param)?;
        Some(text.decode(&mut self.scratch))
    }

    /// The decoded value, or `None` when absent or empty.
    #[inline(always)]
    pub(crate) fn non_empty(&mut self, param: Param) -> Option<&str> {
        self.get(param).filter(|v| !v.is_empty())
    }

    /// Whether the parameter was given with a non-empty value.
    pub(crate) fn is_set(&self, param: Param) -> bool {
        match self.fields.get(param) {
            Some(Text::Plain(v)) => !v.is_empty(),
            // `%XX` and `+` never decode to nothing.
            Some(Text::Encoded(_)) => true,
            None => false,
        }
    }

    /// An error naming `param`, with the hints earned so far.
    pub(crate) fn fault(&self, cause: Cause, param: Param, reason: Reason) -> ApiError {
        ApiError::new(cause)
            .with_parameter(param)
            .with_hints(self.hints)
            .because(reason)
    }

    /// The error for a required parameter left out or given empty.
    pub(crate) fn missing(&self, cause: Cause, param: Param) -> ApiError {
        self.fault(cause, param, Reason::Required)
    }

    /// Parses the non-empty value of `param`; a refusal is the error that
    /// `refused` names, quoting the value.
    #[inline(always)]
    pub(crate) fn parse<T, E>(
        &mut self,
        param: Param,
        parse: impl FnOnce(&str) -> Result<T, E>,
        refused: impl FnOnce(E) -> (Cause, Reason),
    ) -> Result<Option<T>, ApiError> {
        let hints = self.hints;
        let Some(v) = self.non_empty(param) else {
            return Ok(None);
        };
        parse(v)
            .map(Some)
            .map_err(|e| quoted_fault(refused(e), param, hints, v))
    }

    /// Checks the non-empty value of a text parameter, refused as
    /// `InvalidParameter` for `reason` (not quoted); whether it was given.
    #[inline(always)]
    pub(crate) fn check_text(
        &mut self,
        param: Param,
        check: impl FnOnce(&str) -> Result<(), InvalidText>,
        reason: impl FnOnce(InvalidText) -> Reason,
    ) -> Result<bool, ApiError> {
        let Some(v) = self.non_empty(param) else {
            return Ok(false);
        };
        check(v).map_err(|e| self.fault(Cause::InvalidParameter, param, reason(e)))?;
        Ok(true)
    }

    /// The value, for as long as the request lives, decoded once into
    /// the front of the buffer (see [`Scratch::keep`]); call it once per
    /// parameter.
    #[inline]
    pub(crate) fn keep(&mut self, param: Param) -> Option<&'a str> {
        let text = self.fields.get(param)?;
        Some(self.scratch.keep(text))
    }

    /// [`Reader::keep`], `None` when empty.
    pub(crate) fn keep_non_empty(&mut self, param: Param) -> Option<&'a str> {
        self.keep(param).filter(|v| !v.is_empty())
    }
}

/// An error naming `param` and quoting its value `v`.
#[cold]
pub(crate) fn quoted_fault(
    (cause, reason): (Cause, Reason),
    param: Param,
    hints: Hints,
    v: &str,
) -> ApiError {
    ApiError::new(cause)
        .with_parameter(param)
        .with_hints(hints)
        .because(reason)
        .quoting(&[v])
}

/// An IPv6 parameter: an IPv4 value or a bad prefix is `ILLEGAL_IPV6_CIDR`,
/// anything else unparsable is the parameter's own code.
fn ipv6_refused(e: InvalidCidr, own: Cause) -> (Cause, Reason) {
    let cause = match e {
        InvalidCidr::WrongFamily | InvalidCidr::Prefix => Cause::IllegalIpv6Cidr,
        InvalidCidr::Address => own,
    };
    (cause, Reason::Ipv6Cidr(e))
}

/// Validates a `ModifySecurityGroupEgressRule` request for
/// [`RequestParser::parse`](super::RequestParser::parse): `Action` (this
/// action or none), `Version`, then [`modify_by_parameters`]. Decoded
/// text goes in `scratch`.
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

    let other_action = |v: &str| if v == ACTION { Ok(()) } else { Err(()) };
    r.parse(Param::Action, other_action, |()| {
        (Cause::InvalidActionNotFound, Reason::OtherAction)
    })?;
    check_version(&mut r)?;
    modify_by_parameters(r)
}

/// `Version`, when given, must be the API's (SPEC §12.9).
pub(crate) fn check_version(r: &mut Reader<'_, '_>) -> Result<(), ApiError> {
    let version = |v: &str| if v == API_VERSION { Ok(()) } else { Err(()) };
    r.parse(Param::Version, version, |()| {
        (Cause::InvalidVersion, Reason::Version)
    })?;
    Ok(())
}

/// `RegionId` and `SecurityGroupId`, required by every action (§2).
pub(crate) fn check_group(r: &mut Reader<'_, '_>) -> Result<(), ApiError> {
    if !r.check_text(Param::RegionId, RegionId::check, Reason::Text)? {
        return Err(r.missing(Cause::MissingParameter, Param::RegionId));
    }
    if !r.check_text(Param::SecurityGroupId, GroupId::check, Reason::Text)? {
        return Err(r.missing(Cause::MissingParameter, Param::SecurityGroupId));
    }
    Ok(())
}

/// `ClientToken`, if given.
pub(crate) fn check_client_token(r: &mut Reader<'_, '_>) -> Result<(), ApiError> {
    r.check_text(Param::ClientToken, ClientToken::check, Reason::ClientToken)
        .map(|_| ())
}

/// Modify by parameters (§6 step 2, after `Action` and `Version`):
/// `RegionId`, `SecurityGroupId`, then one flat permission with
/// `ClientToken` checked in its place in §6's order (after
/// `Description`).
pub(crate) fn modify_by_parameters<'a>(
    mut r: Reader<'_, 'a>,
) -> Result<ModifyEgressRequest<'a>, ApiError> {
    check_group(&mut r)?;
    let permission = read_permission(&mut r, check_client_token)?;
    Ok(ModifyEgressRequest {
        region_id: r.keep(Param::RegionId).unwrap_or_default(),
        security_group_id: r.keep(Param::SecurityGroupId).unwrap_or_default(),
        client_token: r.keep_non_empty(Param::ClientToken),
        permission,
        hints: r.hints,
    })
}

/// Whether `v` is `prefix` then 1 to 64 ASCII letters or digits (the
/// shape of rule ids and prefix-list ids, SPEC §12.4, §12.9).
pub(crate) fn has_id_shape(v: &str, prefix: &str) -> bool {
    v.strip_prefix(prefix).is_some_and(|rest| {
        (1..=64).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

/// The §3 error for a port range refused for `protocol`.
fn port_range_refused(protocol: IpProtocol, error: InvalidPortRange) -> (Cause, Reason) {
    let cause = match error {
        InvalidPortRange::Syntax => Cause::InvalidParamPortRange,
        InvalidPortRange::ProtocolMismatch => Cause::OperationDenied,
        InvalidPortRange::ZeroOrReversed => Cause::InvalidIpProtocolMalformed,
    };
    (cause, Reason::PortRange { protocol, error })
}

/// Reads one permission (SPEC §12.2: one rule's fields) in §6's order:
/// the protocol and ports, `NicType`, `Policy`, `Priority`,
/// `Description`, then `between` (where Modify checks `ClientToken`), then
/// the addresses (§4) and the destination (§5, §12.2).
pub(crate) fn read_permission<'a>(
    r: &mut Reader<'_, 'a>,
    between: impl FnOnce(&mut Reader<'_, 'a>) -> Result<(), ApiError>,
) -> Result<Permission<'a>, ApiError> {
    let fields = read_fields::<true>(r, between)?;
    let patch = fields.patch;
    match (patch.protocol, fields.ports, patch.destination) {
        (Some(protocol), Some(port_range), Some(destination)) => Ok(Permission {
            protocol,
            port_range,
            source_port_range: fields.source_ports,
            nic_type: patch.nic_type,
            policy: patch.policy.unwrap_or(Policy::Accept),
            priority: patch.priority,
            description: patch.description,
            destination,
            source: patch.source,
        }),
        // `read_fields` refuses a permission without them.
        _ => Err(r.missing(Cause::InvalidIpProtocolValueNotSupported, Param::IpProtocol)),
    }
}

/// Reads the fields Modify by rule id gives (SPEC §12.5): every one
/// optional, each checked as far as the request alone allows, in §6's
/// order with `ClientToken` after `Description`.
pub(crate) fn read_patch<'a>(r: &mut Reader<'_, 'a>) -> Result<PermissionPatch<'a>, ApiError> {
    read_fields::<false>(r, check_client_token).map(|fields| fields.patch)
}

/// A permission's fields as read: the patch, plus the port ranges typed
/// when the protocol is known.
struct Fields<'a> {
    patch: PermissionPatch<'a>,
    ports: Option<PortRange>,
    source_ports: Option<PortRange>,
}

/// The checks of one permission. With `REQUIRED`, `IpProtocol`,
/// `PortRange` and a destination must be given (a permission); without,
/// nothing is required (a patch), the port ranges are checked against
/// the protocol only when it is given (else for their grammar), and their
/// texts are kept for the merged rule's check.
// A const parameter: Modify's usual path carries no patch branches.
fn read_fields<'a, const REQUIRED: bool>(
    r: &mut Reader<'_, 'a>,
    between: impl FnOnce(&mut Reader<'_, 'a>) -> Result<(), ApiError>,
) -> Result<Fields<'a>, ApiError> {
    let unsupported = Cause::InvalidIpProtocolValueNotSupported;
    let protocol = r.parse(Param::IpProtocol, IpProtocol::parse, |_| {
        (unsupported, Reason::Protocol)
    })?;
    if REQUIRED && protocol.is_none() {
        return Err(r.missing(unsupported, Param::IpProtocol));
    }

    // Without a protocol (a patch only), the grammar alone: any protocol
    // with ports reports exactly the grammar's faults as `Syntax`.
    let checked_for = protocol.unwrap_or(IpProtocol::Tcp);
    let parse_ports = |v: &str| match PortRange::parse_for(v, checked_for) {
        Err(InvalidPortRange::Syntax) => Err(InvalidPortRange::Syntax),
        Ok(range) => Ok(Some(range)),
        Err(_) if protocol.is_none() => Ok(None),
        Err(e) => Err(e),
    };
    let refused = |e| port_range_refused(checked_for, e);
    let ports = r.parse(Param::PortRange, parse_ports, refused)?;
    if REQUIRED && ports.is_none() {
        return Err(r.missing(Cause::InvalidParamPortRange, Param::PortRange));
    }
    let source_ports = r.parse(Param::SourcePortRange, parse_ports, refused)?;
    let (ports, source_ports) = (ports.flatten(), source_ports.flatten());

    if matches!(r.fields.get(Param::NicType), Some(Text::Plain(""))) {
        let cause = Cause::InvalidNicTypeNotValid;
        return Err(r.fault(cause, Param::NicType, Reason::NicTypeEmpty));
    }
    let nic_type = r.parse(Param::NicType, NicType::parse, |_| {
        (Cause::InvalidNicTypeDoesNotExist, Reason::NicType)
    })?;

    let hints = r.hints;
    let policy = match r.non_empty(Param::Policy) {
        None => None,
        Some(v) => Some(Policy::parse(v).map_err(|_| {
            let allow = v.eq_ignore_ascii_case("allow").then_some(Hint::PolicyAllow);
            let hints = allow.map_or(hints, |hint| hints.with(hint));
            let refused = (Cause::InvalidPolicyMalformed, Reason::Policy);
            quoted_fault(refused, Param::Policy, hints, v)
        })?),
    };

    let priority = r.parse(Param::Priority, Priority::parse, |e| {
        let cause = match e {
            InvalidPriority::Malformed => Cause::InvalidPriorityMalformed,
            InvalidPriority::BelowRange => Cause::InvalidPriorityBelowRange,
            InvalidPriority::AboveRange => Cause::InvalidPriorityAboveRange,
        };
        (cause, Reason::Priority(e))
    })?;

    let description = r.keep(Param::Description);
    if let Some(v) = description
        && Description::check(v).is_err()
    {
        let chars = u32::try_from(v.chars().count()).unwrap_or(u32::MAX);
        let reason = Reason::DescriptionTooLong { chars };
        return Err(r.fault(
            Cause::InvalidDescriptionMalformed,
            Param::Description,
            reason,
        ));
    }

    between(r)?;

    // §4 step 1: one family per side.
    if r.is_set(Param::DestCidrIp) && r.is_set(Param::Ipv6DestCidrIp) {
        let cause = Cause::InvalidParamDestIp;
        return Err(r.fault(cause, Param::DestCidrIp, Reason::BothFamilies));
    }
    if r.is_set(Param::SourceCidrIp) && r.is_set(Param::Ipv6SourceCidrIp) {
        let cause = Cause::InvalidParamSourceIp;
        return Err(r.fault(cause, Param::SourceCidrIp, Reason::BothFamilies));
    }

    // §4 steps 2 and 3: the IPv4 values, then the IPv6 values.
    let dest_v4 = r.parse(Param::DestCidrIp, Ipv4Cidr::parse, |e| {
        (Cause::InvalidDestCidrIpMalformed, Reason::DestCidr(e))
    })?;
    let source_v4 = r.parse(Param::SourceCidrIp, Ipv4Cidr::parse, |e| {
        (Cause::InvalidParamSourceIp, Reason::SourceCidr(e))
    })?;
    let dest_v6 = r.parse(Param::Ipv6DestCidrIp, Ipv6Cidr::parse, |e| {
        ipv6_refused(e, Cause::InvalidParamIpv6DestCidrIp)
    })?;
    let source_v6 = r.parse(Param::Ipv6SourceCidrIp, Ipv6Cidr::parse, |e| {
        ipv6_refused(e, Cause::InvalidParamIpv6SourceCidrIp)
    })?;

    // §4 step 4: families, the protocol first, then destination against
    // source (a patch: as far as the request gives them).
    let source = match (source_v4, source_v6) {
        (Some(v4), _) => Some(Source::Ipv4(v4)),
        (None, v6) => v6.map(Source::Ipv6),
    };
    let dest_family = match (dest_v4, dest_v6) {
        (Some(v4), _) => Some(Destination::Ipv4(v4)),
        (None, v6) => v6.map(Destination::Ipv6),
    };
    if let Err((cause, param, reason)) = families(protocol, dest_family.as_ref(), source) {
        return Err(r.fault(cause, param, reason));
    }

    // §4 step 5: some destination.
    let group_given = r.is_set(Param::DestGroupId);
    let prefix_list_given = r.is_set(Param::DestPrefixListId);
    if REQUIRED && dest_family.is_none() && !group_given && !prefix_list_given {
        let cause = Cause::MissingParameterDest;
        return Err(r.fault(cause, Param::DestCidrIp, Reason::NoDestination));
    }

    r.check_text(Param::DestGroupId, GroupId::check, Reason::Text)?;
    let owner = Param::DestGroupOwnerAccount;
    r.check_text(owner, AccountName::check, Reason::Text)?;
    let owner_id = r.parse(Param::DestGroupOwnerId, AccountId::parse, |_| {
        (Cause::InvalidParameter, Reason::OwnerId)
    })?;
    let prefix_list_shape = |v: &str| {
        if has_id_shape(v, "pl-") {
            Ok(())
        } else {
            Err(())
        }
    };
    r.parse(Param::DestPrefixListId, prefix_list_shape, |()| {
        (Cause::InvalidParameter, Reason::PrefixListId)
    })?;

    // Every value has been looked at: from here on text is kept.
    let destination = match dest_family {
        Some(cidr) => Some(cidr),
        None if group_given => Some(Destination::Group(GroupDestination {
            id: r.keep_non_empty(Param::DestGroupId).unwrap_or_default(),
            owner_account: r.keep_non_empty(owner),
            owner_id,
        })),
        None if prefix_list_given => Some(Destination::PrefixList(
            r.keep_non_empty(Param::DestPrefixListId)
                .unwrap_or_default(),
        )),
        None => None,
    };
    let (port_range, source_port_range) = if REQUIRED {
        (None, None)
    } else {
        (
            r.keep_non_empty(Param::PortRange),
            r.keep_non_empty(Param::SourcePortRange),
        )
    };

    Ok(Fields {
        patch: PermissionPatch {
            protocol,
            port_range,
            source_port_range,
            nic_type,
            policy,
            priority,
            description,
            destination,
            source,
        },
        ports,
        source_ports,
    })
}

/// SPEC §4 step 4 on what is known: the protocol against any address,
/// then destination against source. The error's cause, the parameter it
/// names, and why.
// `always`: on every request, and a plain `#[inline]` leaves it out of line.
#[inline(always)]
pub(crate) fn families(
    protocol: Option<IpProtocol>,
    destination: Option<&Destination<'_>>,
    source: Option<Source>,
) -> Result<(), (Cause, Param, Reason)> {
    let dest_v4 = matches!(destination, Some(Destination::Ipv4(_)));
    let dest_v6 = matches!(destination, Some(Destination::Ipv6(_)));
    let source_v4 = matches!(source, Some(Source::Ipv4(_)));
    let source_v6 = matches!(source, Some(Source::Ipv6(_)));
    let v4_with_v6 = Cause::Ipv4ProtocolConflictWithIpv6Address;
    let v6_with_v4 = Cause::Ipv6ProtocolConflictWithIpv4Address;
    if protocol == Some(IpProtocol::Icmp) && (dest_v6 || source_v6) {
        let param = if dest_v6 {
            Param::Ipv6DestCidrIp
        } else {
            Param::Ipv6SourceCidrIp
        };
        return Err((v4_with_v6, param, Reason::IcmpWithIpv6));
    }
    if protocol == Some(IpProtocol::Icmpv6) && (dest_v4 || source_v4) {
        let param = if dest_v4 {
            Param::DestCidrIp
        } else {
            Param::SourceCidrIp
        };
        return Err((v6_with_v4, param, Reason::Icmpv6WithIpv4));
    }
    if dest_v4 && source_v6 {
        return Err((
            v4_with_v6,
            Param::Ipv6SourceCidrIp,
            Reason::Ipv4DestIpv6Source,
        ));
    }
    if dest_v6 && source_v4 {
        return Err((v6_with_v4, Param::SourceCidrIp, Reason::Ipv6DestIpv4Source));
    }
    Ok(())
}

/// The §3 checks of a port range text against a protocol, naming `param`.
pub(crate) fn port_range_for(
    text: &str,
    protocol: IpProtocol,
    param: Param,
) -> Result<PortRange, ApiError> {
    PortRange::parse_for(text, protocol)
        .map_err(|e| quoted_fault(port_range_refused(protocol, e), param, Hints::NONE, text))
}
