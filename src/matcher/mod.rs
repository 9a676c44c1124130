//! Finding the one rule a request names, and applying the change
//! (SPEC §5, §6 steps 3–5).

mod near_miss;

use crate::error::{ApiError, Cause, Reason};
use crate::model::{GroupInfo, Network, RuleDestination, RuleKey};
use crate::nic::NicType;
use crate::request::{Destination, GroupDestination, ModifyEgressRequest, Permission};
use crate::store::{Change, GroupHandle, GroupStore, RuleRef};

pub use near_miss::closest_rule;

/// The rule a request names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Identified {
    /// The request's security group.
    pub group: GroupHandle,
    /// The rule's position among the group's egress rules.
    pub rule_index: usize,
}

/// What a successful modify changed: only ever the description of the
/// rule it names. (To keep the old text, read the rule first: copying a
/// description of up to 2 KiB into every answer would cost every caller.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Applied {
    /// The rule that was named.
    pub rule: Identified,
    /// Whether the description changed (an absent `Description`, or the
    /// same text, changes nothing).
    pub changed: bool,
}

/// An error quoting `texts` for `reason` ([`identify`] adds the request's
/// hints).
fn fail(cause: Cause, reason: Reason, texts: &[&str]) -> ApiError {
    ApiError::new(cause).because(reason).quoting(texts)
}

/// The key the request names in a group of this network type (SPEC §5's
/// NIC defaults: always `intranet` in a VPC group; in a classic group, as
/// given, else `intranet` for a group destination and `internet` for a
/// CIDR).
pub fn request_key<'r>(request: &ModifyEgressRequest<'r>, group: &GroupInfo) -> RuleKey<'r> {
    let destination = match request.destination() {
        Destination::Ipv4(v4) => RuleDestination::Ipv4(*v4),
        Destination::Ipv6(v6) => RuleDestination::Ipv6(*v6),
        Destination::Group(g) => RuleDestination::Group(g.id),
        Destination::PrefixList(id) => RuleDestination::PrefixList(id),
    };
    let nic_type = if group.network.is_vpc() {
        NicType::Intranet
    } else {
        request
            .nic_type()
            .unwrap_or(NicType::default_for(&Network::Classic, &destination))
    };
    RuleKey {
        protocol: request.protocol(),
        port_range: request.port_range(),
        source_port_range: request.source_port_range(),
        nic_type,
        policy: request.policy(),
        destination,
        source: request.source(),
    }
}

/// The key `permission` names in a group of this network type, as
/// [`request_key`] reads a request's.
pub(crate) fn permission_key<'p>(permission: &Permission<'p>, group: &GroupInfo) -> RuleKey<'p> {
    request_key(&ModifyEgressRequest::naming("", "", *permission), group)
}

/// Finds the rule a permission names in the group, as Modify finds its
/// rule (§6 steps 3–5, the Priority filter included): Revoke by
/// permissions (§12.4).
pub(crate) fn find_permission<S: GroupStore + ?Sized>(
    store: &S,
    region: &str,
    group_id: &str,
    permission: &Permission<'_>,
) -> Result<Identified, ApiError> {
    find(
        store,
        &ModifyEgressRequest::naming(region, group_id, *permission),
    )
}

/// SPEC §5: the checks on a destination group, in order, for a rule of
/// group `source` (whose id and region the request gave) with the NIC type
/// the request gave.
pub(crate) fn check_destination_group<S: GroupStore + ?Sized>(
    store: &S,
    nic_type: Option<NicType>,
    (group_id, region): (&str, &str),
    source: &GroupInfo,
    dest: &GroupDestination,
) -> Result<(), ApiError> {
    if nic_type == Some(NicType::Internet) {
        return Err(fail(
            Cause::InvalidDestGroupIdNicMismatch,
            Reason::GroupNeedsIntranet,
            &[],
        ));
    }
    if dest.id == group_id {
        return Err(fail(
            Cause::InvalidSecurityGroupIsSame,
            Reason::SameGroup,
            &[dest.id],
        ));
    }
    let found = store.group(dest.id).filter(|(_, g)| g.region == *region);
    let Some((_, target)) = found else {
        return Err(fail(
            Cause::InvalidDestGroupIdNotFound,
            Reason::NoSuchGroup,
            &[dest.id, region],
        ));
    };
    if let (Some(asked), Some(recorded)) = (dest.owner_account, &target.owner_account)
        && asked != recorded.as_str()
    {
        return Err(fail(
            Cause::InvalidDestGroupNotFound,
            Reason::OwnerAccount,
            &[dest.id, asked],
        ));
    }
    if let (Some(asked), Some(recorded)) = (dest.owner_id, target.owner_id)
        && asked != recorded
    {
        return Err(fail(
            Cause::InvalidDestGroupNotFound,
            Reason::OwnerAccountId(asked.get()),
            &[dest.id],
        ));
    }
    match (source.network.vpc_id(), target.network.vpc_id()) {
        (Some(a), Some(b)) if a != b => Err(fail(
            Cause::InvalidDestGroupIdVpcMismatch,
            Reason::VpcMismatch,
            &[
                source.id.as_str(),
                a.as_str(),
                target.id.as_str(),
                b.as_str(),
            ],
        )),
        (Some(a), None) if !source.network.classic_link() => Err(fail(
            Cause::InvalidSecurityGroupInvalidNetworkType,
            Reason::ClassicLinkOff,
            &[target.id.as_str(), a.as_str()],
        )),
        (None, Some(b)) if !target.network.classic_link() => Err(fail(
            Cause::InvalidNetworkTypeConflict,
            Reason::ClassicWithoutLink,
            &[source.id.as_str(), target.id.as_str(), b.as_str()],
        )),
        _ => Ok(()),
    }
}

/// Finds the one egress rule the request names (SPEC §6 steps 3–5),
/// changing nothing.
///
/// # Errors
///
/// `InvalidSecurityGroupId.NotFound`, the destination-group errors of
/// SPEC §5, `InvalidNicType.Mismatch` (classic groups) or
/// `SecurityGroupRule.NotFound` with the closest rule as a near miss.
pub fn identify<S: GroupStore + ?Sized>(
    store: &S,
    request: &ModifyEgressRequest,
) -> Result<Identified, ApiError> {
    find(store, request).map_err(|e| e.with_hints(request.hints()))
}

fn find<S: GroupStore + ?Sized>(
    store: &S,
    request: &ModifyEgressRequest,
) -> Result<Identified, ApiError> {
    let found = store
        .group(request.security_group_id())
        .filter(|(_, g)| g.region == *request.region_id());
    let Some((group, info)) = found else {
        return Err(fail(
            Cause::InvalidSecurityGroupIdNotFound,
            Reason::NoSuchGroup,
            &[request.security_group_id(), request.region_id()],
        ));
    };
    if let Destination::Group(dest) = request.destination() {
        let ids = (request.security_group_id(), request.region_id());
        check_destination_group(store, request.nic_type(), ids, info, dest)?;
    }
    // SPEC §12.2: a prefix list is for VPC groups only. Whether the state
    // lists it is the caller's to check (`State::prefix_list_exists`).
    if let Destination::PrefixList(_) = request.destination()
        && !info.network.is_vpc()
    {
        return Err(fail(
            Cause::NotSupportedClassicNetworkPrefixList,
            Reason::None,
            &[],
        ));
    }
    let found = store.find_rule(group, RuleRef::Key(&request_key(request, info)));
    match found {
        Some(rule_index) if priority_matches(store, request, group, rule_index) => {
            Ok(Identified { group, rule_index })
        }
        found => Err(explain_miss(store, request, group, info, found)),
    }
}

fn priority_matches<S: GroupStore + ?Sized>(
    store: &S,
    request: &ModifyEgressRequest,
    group: GroupHandle,
    index: usize,
) -> bool {
    let is_rules = |p| {
        let rule = store.rule(group, index);
        rule.is_some_and(|r| r.modelled().is_some_and(|r| r.priority == p))
    };
    request.priority().is_none_or(is_rules)
}

/// Why no rule answered: the rule is on the other NIC of a classic group,
/// or no rule has the key (with the closest rule as a near miss). `found`
/// is the rule with the key whose priority did not match, if any.
#[cold]
#[inline(never)]
fn explain_miss<S: GroupStore + ?Sized>(
    store: &S,
    request: &ModifyEgressRequest,
    group: GroupHandle,
    info: &GroupInfo,
    found: Option<usize>,
) -> ApiError {
    let key = &request_key(request, info);
    if found.is_none() && !info.network.is_vpc() {
        let other_nic = match key.nic_type {
            NicType::Internet => NicType::Intranet,
            NicType::Intranet => NicType::Internet,
        };
        let other = RuleKey {
            nic_type: other_nic,
            ..*key
        };
        if store
            .find_rule(group, RuleRef::Key(&other))
            .is_some_and(|i| priority_matches(store, request, group, i))
        {
            return fail(
                Cause::InvalidNicTypeMismatch,
                Reason::OtherNic {
                    other: other_nic,
                    asked: key.nic_type,
                },
                &[],
            );
        }
    }
    match closest_rule(store, group, key, request.priority()) {
        Some(near) => fail(
            Cause::SecurityGroupRuleNotFound,
            Reason::NoRuleWithKey {
                // A store holds fewer rules than that.
                rule: u32::try_from(near.rule_index).unwrap_or(u32::MAX),
                differs: near.differs,
            },
            &[info.id.as_str()],
        ),
        None => fail(
            Cause::SecurityGroupRuleNotFound,
            Reason::NoRules,
            &[info.id.as_str()],
        ),
    }
}

/// Identifies the rule and sets (or clears) its description; nothing else
/// changes, and a failed request changes nothing.
///
/// # Errors
///
/// Those of [`identify`]; `InternalError` when the store cannot hold the
/// new text.
///
/// ```
/// use aliyun_sg_egress::error::*;
/// use aliyun_sg_egress::model::*;
/// use aliyun_sg_egress::request::*;
/// use aliyun_sg_egress::store::*;
/// use aliyun_sg_egress::text::*;
/// use aliyun_sg_egress::*;
///
/// let mut store: BoundedStore<2, 16, 1024> = BoundedStore::new();
/// let vpc = Network::Vpc { id: VpcId::parse("vpc-1")?, classic_link: false };
/// let g = store.add_group(GroupInfo::new(GroupId::parse("sg-1")?, RegionId::parse("cn-hangzhou")?, vpc)).unwrap();
/// let rule = EgressRule {
///     protocol: IpProtocol::Tcp,
///     port_range: PortRange::new_assert(443, 443),
///     source_port_range: None,
///     nic_type: NicType::Intranet,
///     policy: Policy::Accept,
///     priority: Priority::DEFAULT,
///     destination: RuleDestination::Ipv4("10.0.0.0/8".parse().unwrap()),
///     source: None,
///     description: "",
/// };
/// store.add_rule(g, &rule).unwrap();
///
/// let mut parser = RequestParser::new();
/// let req = parser.parse(
///     "RegionId=cn-hangzhou&SecurityGroupId=sg-1&IpProtocol=tcp&PortRange=443/443\
///      &DestCidrIp=10.0.0.0/8&Description=https",
/// ).unwrap();
/// let applied = modify(&mut store, &req).unwrap();
/// assert!(applied.changed);
/// assert_eq!(store.rule(g, 0).unwrap().description(), "https");
///
/// let miss = parser.parse(
///     "RegionId=cn-hangzhou&SecurityGroupId=sg-1&IpProtocol=tcp&PortRange=443/443&DestCidrIp=10.0.0.1/8",
/// ).unwrap();
/// let err = modify(&mut store, &miss).unwrap_err();
/// assert_eq!((err.status(), err.code()), (404, "SecurityGroupRule.NotFound"));
/// assert!(err.near_miss().unwrap().differs.contains(RuleField::DestinationSpelling));
/// # Ok::<(), aliyun_sg_egress::text::InvalidText>(())
/// ```
pub fn modify<S: GroupStore + ?Sized>(
    store: &mut S,
    request: &ModifyEgressRequest,
) -> Result<Applied, ApiError> {
    let rule = identify(store, request)?;
    let current = store
        .rule(rule.group, rule.rule_index)
        .map(|r| r.description());
    let changed = match request.description() {
        // The same text is no change: the store is not written.
        Some(wanted) if current != Some(wanted) => {
            let change = Change::SetDescription(rule.rule_index, wanted);
            store
                .change(rule.group, change)
                .map_err(|e| ApiError::from(e).with_hints(request.hints()))?;
            true
        }
        _ => false,
    };
    Ok(Applied { rule, changed })
}
