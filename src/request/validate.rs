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
use crate::text::{
    AccountId, AccountName, ClientToken, Description, GroupId, InvalidText, RegionId,
};

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

    /// An error naming `param`, with the hints earned so far.
    fn fault(&self, cause: Cause, param: Param, reason: Reason) -> ApiError {
        ApiError::new(cause)
            .with_parameter(param)
            .with_hints(self.hints)
            .because(reason)
    }

    /// The error for a required parameter left out or given empty.
    fn missing(&self, cause: Cause, param: Param) -> ApiError {
        self.fault(cause, param, Reason::Required)
    }

    /// Parses the non-empty value of `param`; a refusal is the error that
    /// `refused` names, quoting the value.
    #[inline(always)]
    fn parse<T, E>(
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
    fn check_text(
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

/// An error naming `param` and quoting its value `v`.
#[cold]
fn quoted_fault((cause, reason): (Cause, Reason), param: Param, hints: Hints, v: &str) -> ApiError {
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

    let other_action = |v: &str| if v == ACTION { Ok(()) } else { Err(()) };
    r.parse(Param::Action, other_action, |()| {
        (Cause::InvalidActionNotFound, Reason::OtherAction)
    })?;
    if !r.check_text(Param::RegionId, RegionId::check, Reason::Text)? {
        return Err(r.missing(Cause::MissingParameter, Param::RegionId));
    }
    if !r.check_text(Param::SecurityGroupId, GroupId::check, Reason::Text)? {
        return Err(r.missing(Cause::MissingParameter, Param::SecurityGroupId));
    }

    let permission = read_permission(&mut r, |r| {
        r.check_text(Param::ClientToken, ClientToken::check, Reason::ClientToken)
            .map(|_| ())
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
    let unsupported = Cause::InvalidIpProtocolValueNotSupported;
    let protocol = r
        .parse(Param::IpProtocol, IpProtocol::parse, |_| {
            (unsupported, Reason::Protocol)
        })?
        .ok_or_else(|| r.missing(unsupported, Param::IpProtocol))?;

    let port_range = |error| {
        let cause = match error {
            InvalidPortRange::Syntax => Cause::InvalidParamPortRange,
            InvalidPortRange::ProtocolMismatch => Cause::OperationDenied,
            InvalidPortRange::ZeroOrReversed => Cause::InvalidIpProtocolMalformed,
        };
        (cause, Reason::PortRange { protocol, error })
    };
    let parse_ports = |v: &str| PortRange::parse_for(v, protocol);
    let ports = r
        .parse(Param::PortRange, parse_ports, port_range)?
        .ok_or_else(|| r.missing(Cause::InvalidParamPortRange, Param::PortRange))?;
    let source_ports = r.parse(Param::SourcePortRange, parse_ports, port_range)?;

    if matches!(r.fields.get(Param::NicType), Some(Text::Plain(""))) {
        let cause = Cause::InvalidNicTypeNotValid;
        return Err(r.fault(cause, Param::NicType, Reason::NicTypeEmpty));
    }
    let nic_type = r.parse(Param::NicType, NicType::parse, |_| {
        (Cause::InvalidNicTypeDoesNotExist, Reason::NicType)
    })?;

    let hints = r.hints;
    let policy = match r.non_empty(Param::Policy) {
        None => Policy::Accept,
        Some(v) => Policy::parse(v).map_err(|_| {
            let allow = v.eq_ignore_ascii_case("allow").then_some(Hint::PolicyAllow);
            let hints = allow.map_or(hints, |hint| hints.with(hint));
            let refused = (Cause::InvalidPolicyMalformed, Reason::Policy);
            quoted_fault(refused, Param::Policy, hints, v)
        })?,
    };

    let priority = r.parse(Param::Priority, Priority::parse, |e| {
        let cause = match e {
            InvalidPriority::Malformed => Cause::InvalidPriorityMalformed,
            InvalidPriority::BelowRange => Cause::InvalidPriorityBelowRange,
            InvalidPriority::AboveRange => Cause::InvalidPriorityAboveRange,
        };
        (cause, Reason::Priority(e))
    })?;

    if let Some(v) = r.get(Param::Description)
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

    // §4 step 4: families, the protocol first, then destination against source.
    let v4_with_v6 = Cause::Ipv4ProtocolConflictWithIpv6Address;
    let v6_with_v4 = Cause::Ipv6ProtocolConflictWithIpv4Address;
    if protocol == IpProtocol::Icmp && (dest_v6.is_some() || source_v6.is_some()) {
        let param = dest_v6.map_or(Param::Ipv6SourceCidrIp, |_| Param::Ipv6DestCidrIp);
        return Err(r.fault(v4_with_v6, param, Reason::IcmpWithIpv6));
    }
    if protocol == IpProtocol::Icmpv6 && (dest_v4.is_some() || source_v4.is_some()) {
        let param = dest_v4.map_or(Param::SourceCidrIp, |_| Param::DestCidrIp);
        return Err(r.fault(v6_with_v4, param, Reason::Icmpv6WithIpv4));
    }
    if dest_v4.is_some() && source_v6.is_some() {
        let reason = Reason::Ipv4DestIpv6Source;
        return Err(r.fault(v4_with_v6, Param::Ipv6SourceCidrIp, reason));
    }
    if dest_v6.is_some() && source_v4.is_some() {
        let reason = Reason::Ipv6DestIpv4Source;
        return Err(r.fault(v6_with_v4, Param::SourceCidrIp, reason));
    }

    // §4 step 5: some destination.
    if dest_v4.is_none() && dest_v6.is_none() && !r.is_set(Param::DestGroupId) {
        let cause = Cause::MissingParameterDest;
        return Err(r.fault(cause, Param::DestCidrIp, Reason::NoDestination));
    }

    r.check_text(Param::DestGroupId, GroupId::check, Reason::Text)?;
    let owner = Param::DestGroupOwnerAccount;
    r.check_text(owner, AccountName::check, Reason::Text)?;
    let owner_id = r.parse(Param::DestGroupOwnerId, AccountId::parse, |_| {
        (Cause::InvalidParameter, Reason::OwnerId)
    })?;

    // Every value has been looked at: from here on text is kept. Without
    // a CIDR, step 5 found a group.
    let destination = match (dest_v4, dest_v6) {
        (Some(v4), _) => Destination::Ipv4(v4),
        (None, Some(v6)) => Destination::Ipv6(v6),
        (None, None) => Destination::Group(GroupDestination {
            id: r.keep_non_empty(Param::DestGroupId).unwrap_or_default(),
            owner_account: r.keep_non_empty(owner),
            owner_id,
        }),
    };
    let source = match (source_v4, source_v6) {
        (Some(v4), _) => Some(Source::Ipv4(v4)),
        (None, v6) => v6.map(Source::Ipv6),
    };

    Ok(Permission {
        protocol,
        port_range: ports,
        source_port_range: source_ports,
        nic_type,
        policy,
        priority,
        description: r.keep(Param::Description),
        destination,
        source,
    })
}
