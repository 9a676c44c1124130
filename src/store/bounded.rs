//! A store with fixed capacities, usable without an allocator.

use heapless::Vec;

use super::table::{RuleTable, StoredRule};
use super::{Group, GroupHandle, GroupStore, StoreError};
use crate::model::{EgressRule, GroupInfo, RuleKey};
use crate::nic::NicType;
use crate::priority::Priority;
use crate::swar::same_bytes;

/// A group's rule table with room for `RULES` rules and `TEXT` bytes of
/// descriptions and destination group ids.
pub type BoundedTable<const RULES: usize, const TEXT: usize> =
    RuleTable<Vec<StoredRule, RULES>, Vec<u32, RULES>, Vec<u8, TEXT>>;

/// Up to `GROUPS` groups of up to `RULES` egress rules each, with `TEXT`
/// bytes of text per group; no heap.
///
/// `RULES` is the group's rule quota: adding one more is refused with
/// [`TableError::RulesFull`](super::TableError::RulesFull), which the API
/// reports as `AuthorizationLimitExceed`. Groups are found by comparing ids,
/// so keep `GROUPS` small (a gateway's working set); large numbers of rules
/// per group cost nothing at lookup time.
///
/// The store is large (`GROUPS × (RULES × 84 + TEXT)` bytes or so): give it
/// a `static`, a `Box`, or a big enough stack.
///
/// ```
/// use aliyun_sg_egress::store::{BoundedStore, GroupStore};
/// use aliyun_sg_egress::{GroupInfo, GroupId, RegionId, Network};
/// let mut store: BoundedStore<4, 64, 4096> = BoundedStore::new();
/// let info = GroupInfo::new(GroupId::parse("sg-1")?, RegionId::parse("cn-hangzhou")?, Network::Classic);
/// let g = store.add_group(info).unwrap();
/// assert_eq!(store.find_group("sg-1"), Some(g));
/// # Ok::<(), aliyun_sg_egress::InvalidText>(())
/// ```
#[derive(Clone, Debug)]
pub struct BoundedStore<const GROUPS: usize, const RULES: usize, const TEXT: usize> {
    groups: Vec<Group<BoundedTable<RULES, TEXT>>, GROUPS>,
}

impl<const GROUPS: usize, const RULES: usize, const TEXT: usize> Default
    for BoundedStore<GROUPS, RULES, TEXT>
{
    fn default() -> Self {
        Self::new()
    }
}

/// Applies the group's NIC rule to a rule being stored: in a VPC group every
/// rule is on the intranet NIC (what DescribeSecurityGroupAttribute says).
pub(crate) fn normalise<'a>(info: &GroupInfo, rule: &EgressRule<'a>) -> EgressRule<'a> {
    let mut rule = *rule;
    if info.network.is_vpc() {
        rule.nic_type = NicType::Intranet;
    }
    rule
}

impl<const GROUPS: usize, const RULES: usize, const TEXT: usize> BoundedStore<GROUPS, RULES, TEXT> {
    /// An empty store.
    pub const fn new() -> Self {
        BoundedStore { groups: Vec::new() }
    }

    /// Adds a group with no rules.
    ///
    /// # Errors
    ///
    /// [`StoreError::DuplicateGroup`] or [`StoreError::GroupsFull`].
    pub fn add_group(&mut self, info: GroupInfo) -> Result<GroupHandle, StoreError> {
        if self.find_group(&info.id).is_some() {
            return Err(StoreError::DuplicateGroup);
        }
        let egress = RuleTable::with_buffers(Vec::new(), Vec::new(), Vec::new(), RULES);
        let handle = GroupHandle(self.groups.len());
        self.groups
            .push(Group { info, egress })
            .map_err(|_| StoreError::GroupsFull)?;
        Ok(handle)
    }

    /// Adds an egress rule to a group (a VPC group's rules are put on the
    /// intranet NIC).
    ///
    /// # Errors
    ///
    /// No such group, or what [`RuleTable::insert`] refuses.
    pub fn add_rule(
        &mut self,
        group: GroupHandle,
        rule: &EgressRule<'_>,
    ) -> Result<usize, StoreError> {
        let g = self
            .groups
            .get_mut(group.0)
            .ok_or(StoreError::NoSuchGroup)?;
        Ok(g.egress.insert(&normalise(&g.info, rule))?)
    }

    /// The group and its rules.
    pub fn group(&self, group: GroupHandle) -> Option<&Group<BoundedTable<RULES, TEXT>>> {
        self.groups.get(group.0)
    }

    /// Every group, in the order added.
    pub fn groups(&self) -> impl Iterator<Item = &Group<BoundedTable<RULES, TEXT>>> {
        self.groups.iter()
    }
}

impl<const GROUPS: usize, const RULES: usize, const TEXT: usize> GroupStore
    for BoundedStore<GROUPS, RULES, TEXT>
{
    fn find_group(&self, id: &str) -> Option<GroupHandle> {
        self.groups
            .iter()
            .position(|g| same_bytes(g.info.id.as_str().as_bytes(), id.as_bytes()))
            .map(GroupHandle)
    }

    group_store_by_table!();
}
