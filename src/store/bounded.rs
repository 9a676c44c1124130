//! A store with fixed capacities, usable without an allocator.

use heapless::Vec;

use super::table::{RuleTable, StoredRule};
use super::{Change, GroupHandle, GroupStore, RuleCounts, RuleRef, StoreError, StoredGroup};
use crate::model::{EgressRule, GroupInfo, Rule, RuleBody};

type Table<const RULES: usize, const TEXT: usize> =
    RuleTable<Vec<StoredRule, RULES>, Vec<u32, RULES>, heapless::String<TEXT>>;

/// Up to `GROUPS` groups of up to `RULES` egress rules each, with `TEXT`
/// bytes of text per group (ids, create times, descriptions, destination
/// ids, opaque rules' fields); no heap.
///
/// `RULES` is the group's rule quota: adding one more is refused with
/// [`StoreError::RulesFull`], which the API reports as
/// `AuthorizationLimitExceed`. Groups are found by comparing ids, so keep
/// `GROUPS` small (a gateway's working set); large numbers of rules per
/// group cost nothing at lookup time.
///
/// The store is large (about `GROUPS × (RULES × (STORED_RULE_BYTES + 8) +
/// TEXT)` bytes, see [`STORED_RULE_BYTES`](super::STORED_RULE_BYTES)):
/// give it a `static`, a `Box`, or a big enough stack.
///
/// ```
/// use aliyun_sg_egress::store::{BoundedStore, GroupStore};
/// use aliyun_sg_egress::model::{GroupInfo, Network};
/// use aliyun_sg_egress::text::{GroupId, RegionId};
/// let mut store: BoundedStore<4, 64, 4096> = BoundedStore::new();
/// let info = GroupInfo::new(GroupId::parse("sg-1")?, RegionId::parse("cn-hangzhou")?, Network::Classic);
/// let g = store.add_group(info).unwrap();
/// assert_eq!(store.group("sg-1").map(|(h, _)| h), Some(g));
/// # Ok::<(), aliyun_sg_egress::text::InvalidText>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct BoundedStore<const GROUPS: usize, const RULES: usize, const TEXT: usize> {
    groups: Vec<StoredGroup<Table<RULES, TEXT>>, GROUPS>,
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
        if self.find_id(&info.id).is_some() {
            return Err(StoreError::DuplicateGroup);
        }
        let egress = RuleTable::new(RULES);
        let handle = GroupHandle(self.groups.len());
        self.groups
            .push(StoredGroup { info, egress })
            .map_err(|_| StoreError::GroupsFull)?;
        Ok(handle)
    }

    /// The position of the group with this id: ids are compared in turn.
    fn find_id(&self, id: &str) -> Option<usize> {
        self.groups.iter().position(|g| g.info.id.as_str() == id)
    }

    /// Whether a rule of any group has this id: one hash lookup a group,
    /// for the few groups a fixed store holds.
    fn rule_id_in_use(&self, id: &str) -> bool {
        self.groups.iter().any(|g| g.egress.find_id(id).is_some())
    }

    /// The groups' own indexes are all there is.
    fn index_rule_id(&mut self, _group: GroupHandle, _id: &str, _added: bool) {}
}

group_store_methods!(impl[const GROUPS: usize, const RULES: usize, const TEXT: usize]
    BoundedStore<GROUPS, RULES, TEXT>);
