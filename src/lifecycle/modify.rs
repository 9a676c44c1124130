//! `ModifySecurityGroupEgressRule`: by parameters (§6) and by
//! `SecurityGroupRuleId` (SPEC §12.5).

use heapless::String;

use super::{Env, check_prefix_list, group, store_failed};
use crate::error::{ApiError, Cause, Reason};
use crate::model::RuleBody;
use crate::model::{EgressRule, GroupInfo, InvalidRule, RuleDestination};
use crate::nic::NicType;
use crate::protocol::IpProtocol;
use crate::request::{
    Destination, ModifyByIdRequest, ModifyEgressRequest, Param, PermissionPatch, Source,
};
use crate::store::{Change, GroupStore, RuleRef};
use crate::text::{DESCRIPTION_MAX_BYTES, ID_MAX_BYTES};

/// §6 as before, with a prefix-list destination's checks (§12.2).
pub(super) fn by_parameters<S: GroupStore + ?Sized>(
    store: &mut S,
    env: &Env<'_>,
    request: &ModifyEgressRequest<'_>,
) -> Result<bool, ApiError> {
    if let Destination::PrefixList(id) = request.destination() {
        let (_, info) = group(store, request.region_id(), request.security_group_id())?;
        check_prefix_list(env, info, id).map_err(|e| e.with_hints(request.hints()))?;
    }
    Ok(crate::matcher::modify(store, request)?.changed)
}

/// §12.5 in §12.9's order, after the request's own checks.
pub(super) fn by_id<S: GroupStore + ?Sized>(
    store: &mut S,
    env: &Env<'_>,
    request: &ModifyByIdRequest<'_>,
) -> Result<bool, ApiError> {
    let (region, group_id) = (request.region_id(), request.security_group_id());
    let (handle, info) = group(store, region, group_id)?;
    let not_found = || {
        ApiError::new(Cause::InvalidSecurityGroupRuleIdNotFound)
            .with_parameter(Param::SecurityGroupRuleId)
            .with_hints(request.hints())
            .because(Reason::NoSuchRuleId)
            .quoting(&[request.rule_id()])
    };
    let index = store
        .find_rule(handle, RuleRef::Id(request.rule_id()))
        .ok_or_else(not_found)?;
    let rule = store.rule(handle, index).ok_or_else(not_found)?;
    let patch = request.patch();
    let old = match rule.body {
        RuleBody::Modelled(old) => old,
        RuleBody::Opaque(opaque) => {
            if gives_rule_fields(patch) {
                return Err(ApiError::new(Cause::InvalidParamInvalidModifyRuleRequest)
                    .because(Reason::OpaqueRule));
            }
            let Some(description) = patch.description else {
                return Ok(false);
            };
            if opaque.description() == description {
                return Ok(false);
            }
            store
                .change(handle, Change::SetDescription(index, description))
                .map_err(store_failed)?;
            return Ok(true);
        }
    };
    let info: GroupInfo = info.clone();

    check_kinds(&old, patch)?;
    let nic_type = patch.nic_type.map_or(old.nic_type, |given| {
        read_nic(given, &info, &merged_destination(&old, patch))
    });
    if nic_type != old.nic_type {
        return Err(ApiError::new(Cause::InvalidOperationModifyNicType)
            .with_parameter(Param::NicType)
            .because(Reason::NicChange {
                from: old.nic_type,
                to: nic_type,
            }));
    }

    // The old rule's texts are copied out: the store is changed below.
    let mut group_text: String<ID_MAX_BYTES> = String::new();
    let mut description: String<DESCRIPTION_MAX_BYTES> = String::new();
    let destination = match patch.destination {
        Some(d) => rule_destination(&d),
        // Rebuilt, not copied: the merged rule must not borrow the store.
        None => match old.destination {
            RuleDestination::Ipv4(v4) => RuleDestination::Ipv4(v4),
            RuleDestination::Ipv6(v6) => RuleDestination::Ipv6(v6),
            RuleDestination::Group(id) => {
                let _ = group_text.push_str(id);
                RuleDestination::Group(&group_text)
            }
            RuleDestination::PrefixList(id) => {
                let _ = group_text.push_str(id);
                RuleDestination::PrefixList(&group_text)
            }
        },
    };
    let description: &str = match patch.description {
        Some(d) => d,
        None => {
            let _ = description.push_str(old.description);
            &description
        }
    };
    let protocol = patch.protocol.unwrap_or(old.protocol);
    let (port_range, source_port_range) = patch.port_ranges_for(protocol)?;
    let merged = EgressRule {
        protocol,
        port_range: port_range.unwrap_or(old.port_range),
        source_port_range: source_port_range.or(old.source_port_range),
        nic_type,
        policy: patch.policy.unwrap_or(old.policy),
        priority: patch.priority.unwrap_or(old.priority),
        destination,
        source: patch.source.or(old.source),
        description,
    };
    let unchanged = merged == old;
    merged
        .check()
        .map_err(|fault| merged_fault(&merged, fault))?;
    match (&patch.destination, merged.destination) {
        (Some(Destination::Group(dest)), _) => crate::matcher::check_destination_group(
            store,
            patch.nic_type,
            (group_id, region),
            &info,
            dest,
        )?,
        (_, RuleDestination::PrefixList(id)) => check_prefix_list(env, &info, id)?,
        _ => {}
    }
    if let Some(other) = store
        .find_rule(handle, RuleRef::Key(&merged.key()))
        .filter(|&other| other != index)
    {
        let named = store.rule(handle, other).map(|r| r.id).unwrap_or("");
        return Err(ApiError::new(Cause::InvalidOperationRuleDuplicate)
            .because(Reason::DuplicatesRule)
            .quoting(&[named]));
    }
    if unchanged {
        return Ok(false);
    }
    store
        .change(handle, Change::Replace(index, merged))
        .map_err(store_failed)?;
    Ok(true)
}

/// `ModifySgRuleEntityType`: a destination of another kind, or a source of
/// the other family than the rule's (adding a source is allowed).
fn check_kinds(old: &EgressRule<'_>, patch: &PermissionPatch<'_>) -> Result<(), ApiError> {
    let kind = |d: &RuleDestination<'_>| match d {
        RuleDestination::Ipv4(_) => 0,
        RuleDestination::Ipv6(_) => 1,
        RuleDestination::Group(_) => 2,
        RuleDestination::PrefixList(_) => 3,
    };
    let dest_changes = patch
        .destination
        .is_some_and(|d| kind(&rule_destination(&d)) != kind(&old.destination));
    let source_changes = matches!(
        (patch.source, old.source),
        (Some(Source::Ipv4(_)), Some(Source::Ipv6(_)))
            | (Some(Source::Ipv6(_)), Some(Source::Ipv4(_)))
    );
    if dest_changes || source_changes {
        return Err(ApiError::new(Cause::InvalidOperationModifySgRuleEntityType)
            .because(Reason::KindChange));
    }
    Ok(())
}

/// Whether the patch gives any field but `Description`.
fn gives_rule_fields(p: &PermissionPatch<'_>) -> bool {
    p.protocol.is_some()
        || p.port_range.is_some()
        || p.source_port_range.is_some()
        || p.nic_type.is_some()
        || p.policy.is_some()
        || p.priority.is_some()
        || p.destination.is_some()
        || p.source.is_some()
}

fn merged_destination<'a>(
    old: &EgressRule<'a>,
    patch: &PermissionPatch<'a>,
) -> RuleDestination<'a> {
    patch
        .destination
        .map_or(old.destination, |d| rule_destination(&d))
}

/// §5's reading of a given NIC type: in a VPC group, every rule but one
/// with a group destination is on the intranet.
fn read_nic(given: NicType, info: &GroupInfo, destination: &RuleDestination<'_>) -> NicType {
    if info.network.is_vpc() && !destination.is_group() {
        NicType::Intranet
    } else {
        given
    }
}

fn rule_destination<'a>(d: &Destination<'a>) -> RuleDestination<'a> {
    match *d {
        Destination::Ipv4(v4) => RuleDestination::Ipv4(v4),
        Destination::Ipv6(v6) => RuleDestination::Ipv6(v6),
        Destination::Group(g) => RuleDestination::Group(g.id),
        Destination::PrefixList(id) => RuleDestination::PrefixList(id),
    }
}

/// The §3/§4 error for a merged rule that is not a valid rule, with the
/// codes the same fault in a request gets.
fn merged_fault(rule: &EgressRule<'_>, fault: InvalidRule) -> ApiError {
    {
        let dest_v6 = matches!(rule.destination, RuleDestination::Ipv6(_));
        let (cause, param, reason) = match fault {
            InvalidRule::PortRange => (
                Cause::OperationDenied,
                Param::PortRange,
                Reason::MergedPorts {
                    protocol: rule.protocol,
                },
            ),
            InvalidRule::SourcePortRange => (
                Cause::OperationDenied,
                Param::SourcePortRange,
                Reason::MergedPorts {
                    protocol: rule.protocol,
                },
            ),
            InvalidRule::ProtocolFamily if rule.protocol == IpProtocol::Icmp => (
                Cause::Ipv4ProtocolConflictWithIpv6Address,
                if dest_v6 {
                    Param::Ipv6DestCidrIp
                } else {
                    Param::Ipv6SourceCidrIp
                },
                Reason::IcmpWithIpv6,
            ),
            InvalidRule::ProtocolFamily => (
                Cause::Ipv6ProtocolConflictWithIpv4Address,
                if dest_v6 {
                    Param::SourceCidrIp
                } else {
                    Param::DestCidrIp
                },
                Reason::Icmpv6WithIpv4,
            ),
            InvalidRule::AddressFamilies if dest_v6 => (
                Cause::Ipv6ProtocolConflictWithIpv4Address,
                Param::SourceCidrIp,
                Reason::Ipv6DestIpv4Source,
            ),
            InvalidRule::AddressFamilies => (
                Cause::Ipv4ProtocolConflictWithIpv6Address,
                Param::Ipv6SourceCidrIp,
                Reason::Ipv4DestIpv6Source,
            ),
            InvalidRule::GroupOnInternet => (
                Cause::InvalidDestGroupIdNicMismatch,
                Param::NicType,
                Reason::GroupNeedsIntranet,
            ),
            InvalidRule::Description => (
                Cause::InvalidDescriptionMalformed,
                Param::Description,
                Reason::DescriptionTooLong {
                    chars: u32::try_from(rule.description.chars().count()).unwrap_or(u32::MAX),
                },
            ),
            // A merged rule's texts come from a valid rule or request.
            _ => (Cause::InternalError, Param::DestGroupId, Reason::None),
        };
        ApiError::new(cause).with_parameter(param).because(reason)
    }
}
