//! The requests of the egress-rule lifecycle (SPEC §12), as
//! [`RequestParser::parse_request`](super::RequestParser::parse_request)
//! returns them.

use core::fmt;

use super::lifecycle::{Slot, TextRef, Texts};
use super::validate::{families, port_range_for};
use super::{Destination, ModifyEgressRequest, Param, Permission, Source};
use crate::error::{ApiError, Cause, Hints, Reason};
use crate::nic::NicType;
use crate::policy::Policy;
use crate::port::PortRange;
use crate::priority::Priority;
use crate::protocol::IpProtocol;

/// A validated request of any action, as far as the parameters alone can
/// tell (SPEC §12.2 steps 1–3); what needs the store is the executor's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request<'a> {
    /// `ModifySecurityGroupEgressRule` naming its rule by parameters (§6).
    Modify(ModifyEgressRequest<'a>),
    /// `ModifySecurityGroupEgressRule` naming its rule by
    /// `SecurityGroupRuleId` (§12.5).
    ModifyById(ModifyByIdRequest<'a>),
    /// `AuthorizeSecurityGroupEgress` (§12.3).
    Authorize(PermissionsRequest<'a>),
    /// `RevokeSecurityGroupEgress` (§12.4).
    Revoke(RevokeRequest<'a>),
    /// `DescribeSecurityGroupAttribute` (§12.6).
    Describe(DescribeRequest<'a>),
}

impl<'a> Request<'a> {
    /// A fingerprint of the request for `ClientToken` idempotency (SPEC
    /// §12.7, §12.9): a hash of the action and every validated value, as
    /// normalised as the typed request is (keywords in one case, empty
    /// optionals absent but `Description`, `Policy` defaulted to accept,
    /// ports and addresses by value as §3 and §4 compare them), with the
    /// flat form and `Permissions.N` alike (permissions count in
    /// ascending `N`, not by their numbers). `ClientToken` itself, hints
    /// and the parameters this crate does not read are left out. The same
    /// on every run of one build, which is all an in-memory token store
    /// needs (tokens are not saved).
    ///
    /// ```
    /// use aliyun_sg_egress::request::{Action, RequestParser};
    /// let flat = "RegionId=r&SecurityGroupId=sg-1&IpProtocol=TCP&PortRange=22/22&DestCidrIp=10.0.0.1&ClientToken=a";
    /// let numbered = "RegionId=r&SecurityGroupId=sg-1&Permissions.1.IpProtocol=tcp\
    ///     &Permissions.1.PortRange=22%2F22&Permissions.1.DestCidrIp=10.0.0.1&Policy=&ClientToken=b";
    /// let fingerprint = |q| RequestParser::new().parse_request(Some(Action::Authorize), q).unwrap().fingerprint();
    /// assert_eq!(fingerprint(flat), fingerprint(numbered));
    /// let revoke = |q| RequestParser::new().parse_request(Some(Action::Revoke), q).unwrap().fingerprint();
    /// assert_ne!(revoke(flat), fingerprint(flat));
    /// ```
    pub fn fingerprint(&self) -> u64 {
        use core::hash::{BuildHasher, Hash, Hasher};
        let mut h = foldhash::fast::FixedState::default().build_hasher();
        match self {
            Request::Modify(r) => {
                (0u8, r.region_id(), r.security_group_id(), r.permission()).hash(&mut h);
            }
            Request::ModifyById(r) => {
                (1u8, r.region_id, r.security_group_id, r.rule_id, r.patch).hash(&mut h);
            }
            Request::Authorize(r) | Request::Revoke(RevokeRequest::ByPermissions(r)) => {
                let tag: u8 = if matches!(self, Request::Authorize(_)) {
                    2
                } else {
                    3
                };
                (tag, r.region_id(), r.security_group_id(), r.len()).hash(&mut h);
                r.permissions().for_each(|(_, p)| p.hash(&mut h));
            }
            Request::Revoke(RevokeRequest::ByIds(r)) => {
                (4u8, r.region_id(), r.security_group_id(), r.ids().len()).hash(&mut h);
                r.ids().for_each(|id| id.hash(&mut h));
            }
            Request::Describe(r) => (
                5u8,
                r.region_id,
                r.security_group_id,
                r.direction,
                r.nic_type,
                r.max_results,
                r.next_token,
            )
                .hash(&mut h),
        }
        h.finish()
    }

    /// The action the request is for.
    pub const fn action(&self) -> super::Action {
        match self {
            Request::Modify(_) | Request::ModifyById(_) => super::Action::Modify,
            Request::Authorize(_) => super::Action::Authorize,
            Request::Revoke(_) => super::Action::Revoke,
            Request::Describe(_) => super::Action::Describe,
        }
    }

    /// The group the request is for (`SecurityGroupId`).
    pub fn security_group_id(&self) -> &'a str {
        match self {
            Request::Modify(r) => r.security_group_id(),
            Request::ModifyById(r) => r.security_group_id(),
            Request::Authorize(r) | Request::Revoke(RevokeRequest::ByPermissions(r)) => {
                r.security_group_id()
            }
            Request::Revoke(RevokeRequest::ByIds(r)) => r.security_group_id(),
            Request::Describe(r) => r.security_group_id(),
        }
    }

    /// `ClientToken`, if given (Describe takes none).
    pub fn client_token(&self) -> Option<&'a str> {
        match self {
            Request::Modify(r) => r.client_token(),
            Request::ModifyById(r) => r.client_token(),
            Request::Authorize(r) | Request::Revoke(RevokeRequest::ByPermissions(r)) => {
                r.client_token()
            }
            Request::Revoke(RevokeRequest::ByIds(r)) => r.client_token(),
            Request::Describe(_) => None,
        }
    }

    /// Hints earned while reading the request.
    pub const fn hints(&self) -> Hints {
        match self {
            Request::Modify(r) => r.hints(),
            Request::ModifyById(r) => r.hints,
            Request::Authorize(r) | Request::Revoke(RevokeRequest::ByPermissions(r)) => r.hints,
            Request::Revoke(RevokeRequest::ByIds(r)) => r.hints,
            Request::Describe(r) => r.hints,
        }
    }
}

/// Which permission of a request: the flat form (the rule fields as
/// top-level parameters) or `Permissions.N`. Errors about a permission
/// name its fields after it (see
/// [`ApiError::in_permission`](crate::error::ApiError::in_permission)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PermissionName {
    /// The rule fields as top-level parameters.
    Flat,
    /// `Permissions.N` (N in 1..=100).
    Numbered(u8),
}

/// `Permissions.N`, or "the flat permission".
impl fmt::Display for PermissionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PermissionName::Flat => f.write_str("the flat permission"),
            PermissionName::Numbered(n) => write!(f, "Permissions.{n}"),
        }
    }
}

/// Authorize's request, and Revoke's by permissions: the group, the
/// token, and 1 to 100 permissions.
#[derive(Clone, Copy)]
pub struct PermissionsRequest<'a> {
    pub(crate) texts: Texts<'a>,
    pub(crate) region_id: TextRef,
    pub(crate) security_group_id: TextRef,
    pub(crate) client_token: Option<TextRef>,
    pub(crate) slots: &'a [Slot],
    pub(crate) hints: Hints,
}

impl<'a> PermissionsRequest<'a> {
    /// `RegionId`.
    pub fn region_id(&self) -> &'a str {
        self.texts.get(self.region_id)
    }

    /// `SecurityGroupId`.
    pub fn security_group_id(&self) -> &'a str {
        self.texts.get(self.security_group_id)
    }

    /// `ClientToken`, if given.
    pub fn client_token(&self) -> Option<&'a str> {
        self.client_token.map(|t| self.texts.get(t))
    }

    /// Hints earned while reading the request.
    pub const fn hints(&self) -> Hints {
        self.hints
    }

    /// How many permissions there are (1 to 100).
    pub const fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether there are none (never, for a parsed request).
    pub const fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The permissions, in ascending `N`, each with its name.
    pub fn permissions(&self) -> Permissions<'a> {
        Permissions {
            texts: self.texts,
            slots: self.slots.iter(),
        }
    }

    /// SPEC §12.2 step 6: the first permission (in ascending `N`) whose key
    /// (§6) equals an earlier one's, as `InvalidParam.DuplicatePermissions`.
    /// The key's `NicType` follows §5: in a VPC group (`vpc`) every rule is
    /// on the intranet NIC; in a classic group, as given, else `intranet`
    /// for a group or prefix-list destination and `internet` for a CIDR.
    ///
    /// # Errors
    ///
    /// `InvalidParam.DuplicatePermissions`, naming both permissions in its
    /// detail.
    pub fn first_duplicate(&self, vpc: bool) -> Result<(), ApiError> {
        // Each permission is read once: reading one validates its text.
        let mut read = [None; super::lifecycle::MAX_LIST];
        for (slot, p) in read.iter_mut().zip(self.permissions()) {
            *slot = Some(p);
        }
        let read = read.iter().map_while(|p| *p);
        for (i, (second, b)) in read.clone().enumerate() {
            for (first, a) in read.clone().take(i) {
                if same_key(&a, &b, vpc) {
                    return Err(ApiError::new(Cause::InvalidParamDuplicatePermissions)
                        .with_hints(self.hints)
                        .because(Reason::DuplicatePermissions { first, second }));
                }
            }
        }
        Ok(())
    }
}

/// Whether two permissions have the same key (§6) in a group of this
/// network type.
fn same_key(a: &Permission<'_>, b: &Permission<'_>, vpc: bool) -> bool {
    // A group destination is keyed by its id alone.
    fn destination<'p>(p: &Permission<'p>) -> Destination<'p> {
        match p.destination {
            Destination::Group(g) => Destination::Group(super::GroupDestination {
                id: g.id,
                owner_account: None,
                owner_id: None,
            }),
            other => other,
        }
    }
    let nic = |p: &Permission<'_>| p.nic_type_in(vpc);
    (
        a.protocol,
        a.port_range,
        a.source_port_range,
        nic(a),
        a.policy,
        destination(a),
        a.source,
    ) == (
        b.protocol,
        b.port_range,
        b.source_port_range,
        nic(b),
        b.policy,
        destination(b),
        b.source,
    )
}

impl Permission<'_> {
    /// The permission's NIC type in a group of this network type, as the
    /// rule's key has it (SPEC §5): in a VPC group (`vpc`) always
    /// `intranet`; in a classic group as given, else `intranet` for a
    /// group or prefix-list destination and `internet` for a CIDR.
    ///
    /// ```
    /// use aliyun_sg_egress::NicType;
    /// use aliyun_sg_egress::request::RequestParser;
    /// let mut parser = RequestParser::new();
    /// let q = "RegionId=r&SecurityGroupId=sg-1&IpProtocol=tcp&PortRange=22/22&DestCidrIp=10.0.0.1&NicType=internet";
    /// let p = *parser.parse(q)?.permission();
    /// assert_eq!((p.nic_type_in(true), p.nic_type_in(false)), (NicType::Intranet, NicType::Internet));
    /// # Ok::<(), aliyun_sg_egress::error::ApiError>(())
    /// ```
    pub const fn nic_type_in(&self, vpc: bool) -> NicType {
        match (vpc, self.nic_type, self.destination) {
            (true, _, _) => NicType::Intranet,
            (false, Some(nic), _) => nic,
            (false, None, Destination::Ipv4(_) | Destination::Ipv6(_)) => NicType::Internet,
            (false, None, Destination::Group(_) | Destination::PrefixList(_)) => NicType::Intranet,
        }
    }
}

impl fmt::Debug for PermissionsRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PermissionsRequest")
            .field("region_id", &self.region_id())
            .field("security_group_id", &self.security_group_id())
            .field("client_token", &self.client_token())
            .field("permissions", &self.permissions())
            .field("hints", &self.hints)
            .finish()
    }
}

/// Equal when every field and permission is.
impl PartialEq for PermissionsRequest<'_> {
    fn eq(&self, other: &Self) -> bool {
        (
            self.region_id(),
            self.security_group_id(),
            self.client_token(),
            self.hints,
        ) == (
            other.region_id(),
            other.security_group_id(),
            other.client_token(),
            other.hints,
        ) && self.permissions().eq(other.permissions())
    }
}

impl Eq for PermissionsRequest<'_> {}

/// The permissions of a [`PermissionsRequest`], in ascending `N`.
#[derive(Clone)]
pub struct Permissions<'a> {
    texts: Texts<'a>,
    slots: core::slice::Iter<'a, Slot>,
}

impl<'a> Iterator for Permissions<'a> {
    type Item = (PermissionName, Permission<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        let slot = self.slots.next()?;
        Some(slot.get(&self.texts))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.slots.size_hint()
    }
}

impl ExactSizeIterator for Permissions<'_> {}

impl fmt::Debug for Permissions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

/// Revoke's request: by rule ids or by permissions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevokeRequest<'a> {
    /// `SecurityGroupRuleId.N`.
    ByIds(RuleIdsRequest<'a>),
    /// The flat form or `Permissions.N`.
    ByPermissions(PermissionsRequest<'a>),
}

/// Revoke by `SecurityGroupRuleId.N`: 1 to 100 ids, each `sgr-` and 1 to
/// 64 letters or digits, none repeated.
#[derive(Clone, Copy)]
pub struct RuleIdsRequest<'a> {
    pub(crate) texts: Texts<'a>,
    pub(crate) region_id: TextRef,
    pub(crate) security_group_id: TextRef,
    pub(crate) client_token: Option<TextRef>,
    pub(crate) ids: &'a [(u8, TextRef)],
    pub(crate) hints: Hints,
}

impl<'a> RuleIdsRequest<'a> {
    /// `RegionId`.
    pub fn region_id(&self) -> &'a str {
        self.texts.get(self.region_id)
    }

    /// `SecurityGroupId`.
    pub fn security_group_id(&self) -> &'a str {
        self.texts.get(self.security_group_id)
    }

    /// `ClientToken`, if given.
    pub fn client_token(&self) -> Option<&'a str> {
        self.client_token.map(|t| self.texts.get(t))
    }

    /// Hints earned while reading the request.
    pub const fn hints(&self) -> Hints {
        self.hints
    }

    /// The ids, in ascending `N`.
    pub fn ids(&self) -> RuleIds<'a> {
        RuleIds {
            texts: self.texts,
            ids: self.ids.iter(),
        }
    }

    /// The ids with their `N` (for errors naming `SecurityGroupRuleId.N`,
    /// see [`RuleIdsRequest::not_found`]).
    pub fn numbered_ids(&self) -> impl Iterator<Item = (u8, &'a str)> + use<'a> {
        let texts = self.texts;
        self.ids.iter().map(move |&(n, id)| (n, texts.get(id)))
    }

    /// SPEC §12.4's `InvalidSecurityGroupRuleId.NotFound` for
    /// `SecurityGroupRuleId.N`, quoting the id.
    pub fn not_found(&self, n: u8) -> ApiError {
        let id = self
            .numbered_ids()
            .find(|&(m, _)| m == n)
            .map_or("", |(_, id)| id);
        ApiError::new(Cause::InvalidSecurityGroupRuleIdNotFound)
            .with_hints(self.hints)
            .on_rule_id(n)
            .because(Reason::NoSuchRuleId)
            .quoting(&[id])
    }
}

impl fmt::Debug for RuleIdsRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuleIdsRequest")
            .field("region_id", &self.region_id())
            .field("security_group_id", &self.security_group_id())
            .field("client_token", &self.client_token())
            .field("ids", &self.ids())
            .field("hints", &self.hints)
            .finish()
    }
}

/// Equal when every field and id is.
impl PartialEq for RuleIdsRequest<'_> {
    fn eq(&self, other: &Self) -> bool {
        (
            self.region_id(),
            self.security_group_id(),
            self.client_token(),
            self.hints,
        ) == (
            other.region_id(),
            other.security_group_id(),
            other.client_token(),
            other.hints,
        ) && self.ids().eq(other.ids())
    }
}

impl Eq for RuleIdsRequest<'_> {}

/// The ids of a [`RuleIdsRequest`], in ascending `N`.
#[derive(Clone)]
pub struct RuleIds<'a> {
    texts: Texts<'a>,
    ids: core::slice::Iter<'a, (u8, TextRef)>,
}

impl<'a> Iterator for RuleIds<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let &(_, id) = self.ids.next()?;
        Some(self.texts.get(id))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.ids.size_hint()
    }
}

impl ExactSizeIterator for RuleIds<'_> {}

impl fmt::Debug for RuleIds<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

/// The new values Modify by rule id gives (SPEC §12.5): each `None` when
/// left out or given empty (the rule keeps its value), but `Description`,
/// which given empty (`Some("")`) clears.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PermissionPatch<'a> {
    /// `IpProtocol`.
    pub protocol: Option<IpProtocol>,
    /// `PortRange` as given (decoded): of the grammar, and valid for
    /// `protocol` when the request gives one. The merged rule's protocol
    /// decides: see [`PermissionPatch::port_ranges_for`].
    pub port_range: Option<&'a str>,
    /// `SourcePortRange` as given, like `port_range`.
    pub source_port_range: Option<&'a str>,
    /// `NicType`.
    pub nic_type: Option<NicType>,
    /// `Policy`.
    pub policy: Option<Policy>,
    /// `Priority`.
    pub priority: Option<Priority>,
    /// `Description`: `Some("")` clears it.
    pub description: Option<&'a str>,
    /// The destination given, after §12.2's precedence.
    pub destination: Option<Destination<'a>>,
    /// The source address given.
    pub source: Option<Source>,
}

impl PermissionPatch<'_> {
    /// The patch's port ranges read for the merged rule's protocol, with
    /// §3's codes naming `PortRange` or `SourcePortRange` (the first bad
    /// one); `None` where the patch gives none.
    ///
    /// # Errors
    ///
    /// `InvalidParam.PortRange`, `OperationDenied` or
    /// `InvalidIpProtocol.Malformed`, as §3 says.
    pub fn port_ranges_for(
        &self,
        protocol: IpProtocol,
    ) -> Result<(Option<PortRange>, Option<PortRange>), ApiError> {
        let read = |text: Option<&str>, param| {
            text.map(|t| port_range_for(t, protocol, param)).transpose()
        };
        Ok((
            read(self.port_range, Param::PortRange)?,
            read(self.source_port_range, Param::SourcePortRange)?,
        ))
    }
}

/// SPEC §4 step 4 on a whole rule (the merged rule of Modify by rule id):
/// the protocol against the addresses, then destination against source,
/// with the codes and parameters a request gets.
///
/// # Errors
///
/// `InvalidParam.Ipv4ProtocolConflictWithIpv6Address` or
/// `InvalidParam.Ipv6ProtocolConflictWithIpv4Address`.
pub fn check_families(
    protocol: IpProtocol,
    destination: &Destination<'_>,
    source: Option<Source>,
) -> Result<(), ApiError> {
    families(Some(protocol), Some(destination), source).map_err(|(cause, param, reason)| {
        ApiError::new(cause).with_parameter(param).because(reason)
    })
}

/// Modify by `SecurityGroupRuleId` (SPEC §12.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModifyByIdRequest<'a> {
    pub(crate) region_id: &'a str,
    pub(crate) security_group_id: &'a str,
    pub(crate) client_token: Option<&'a str>,
    pub(crate) rule_id: &'a str,
    pub(crate) patch: PermissionPatch<'a>,
    pub(crate) hints: Hints,
}

impl<'a> ModifyByIdRequest<'a> {
    /// `RegionId`.
    pub const fn region_id(&self) -> &'a str {
        self.region_id
    }

    /// `SecurityGroupId`.
    pub const fn security_group_id(&self) -> &'a str {
        self.security_group_id
    }

    /// `ClientToken`, if given.
    pub const fn client_token(&self) -> Option<&'a str> {
        self.client_token
    }

    /// `SecurityGroupRuleId` (`sgr-` and 1 to 64 letters or digits).
    pub const fn rule_id(&self) -> &'a str {
        self.rule_id
    }

    /// The new values.
    pub const fn patch(&self) -> &PermissionPatch<'a> {
        &self.patch
    }

    /// Hints earned while reading the request.
    pub const fn hints(&self) -> Hints {
        self.hints
    }
}

/// Describe's `Direction` filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Direction {
    /// Egress rules only.
    Egress,
    /// Ingress rules only.
    Ingress,
    /// Every rule (the default).
    #[default]
    All,
}

/// Describe's `NicType` filter, as given: SPEC §12.6 reads an empty one
/// differently by the group's network, so it is kept apart from absent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum NicTypeFilter {
    /// Not given: no filter.
    #[default]
    Absent,
    /// Given empty: no filter in a classic group, `intranet` in a VPC one.
    Empty,
    /// `internet` or `intranet` (in a VPC group `internet` reads as
    /// `intranet`).
    Given(NicType),
}

/// `DescribeSecurityGroupAttribute` (SPEC §12.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DescribeRequest<'a> {
    pub(crate) region_id: &'a str,
    pub(crate) security_group_id: &'a str,
    pub(crate) direction: Direction,
    pub(crate) nic_type: NicTypeFilter,
    pub(crate) max_results: u16,
    pub(crate) next_token: Option<&'a str>,
    pub(crate) hints: Hints,
}

impl<'a> DescribeRequest<'a> {
    /// The default page size.
    pub const DEFAULT_MAX_RESULTS: u16 = 500;

    /// `RegionId`.
    pub const fn region_id(&self) -> &'a str {
        self.region_id
    }

    /// `SecurityGroupId`.
    pub const fn security_group_id(&self) -> &'a str {
        self.security_group_id
    }

    /// `Direction`, `All` when left out.
    pub const fn direction(&self) -> Direction {
        self.direction
    }

    /// `NicType`, as given.
    pub const fn nic_type(&self) -> NicTypeFilter {
        self.nic_type
    }

    /// `MaxResults` (10 to 1000), 500 when left out.
    pub const fn max_results(&self) -> u16 {
        self.max_results
    }

    /// `NextToken`, if given: opaque here, the executor reads it.
    pub const fn next_token(&self) -> Option<&'a str> {
        self.next_token
    }

    /// Hints earned while reading the request.
    pub const fn hints(&self) -> Hints {
        self.hints
    }

    /// SPEC §12.9's error for a `NextToken` this group and these filters
    /// did not give: `InvalidParamter` "Invalid Parameter.", quoting it.
    pub fn bad_next_token(&self) -> ApiError {
        ApiError::new(Cause::InvalidParamterDescribe)
            .with_parameter(Param::NextToken)
            .with_hints(self.hints)
            .because(Reason::NextToken)
            .quoting(&[self.next_token.unwrap_or("")])
    }
}
