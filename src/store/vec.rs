//! A growable store for large groups (feature `alloc`).

use alloc::vec::Vec;

use hashbrown::HashTable;

use super::bounded::normalise;
use super::table::{RuleTable, StoredRule};
use super::{Group, GroupHandle, GroupStore, StoreError};
use crate::hash::text_hash;
use crate::model::{EgressRule, GroupInfo, RuleKey};
use crate::priority::Priority;
use crate::swar::same_bytes;

/// A group's rule table on the heap.
pub type VecTable = RuleTable<Vec<StoredRule>, Vec<u32>, Vec<u8>>;

/// Any number of groups and rules, on the heap.
///
/// Lookups allocate nothing; only adding groups and rules, and changing
/// descriptions, may grow its vectors.
///
/// ```
/// use aliyun_sg_egress::store::{VecStore, GroupStore};
/// use aliyun_sg_egress::{GroupInfo, GroupId, RegionId, Network};
/// let mut store = VecStore::new();
/// let info = GroupInfo::new(GroupId::parse("sg-1")?, RegionId::parse("cn-hangzhou")?, Network::Classic);
/// let g = store.add_group(info).unwrap();
/// assert_eq!(store.find_group("sg-1"), Some(g));
/// assert_eq!(store.find_group("sg-2"), None);
/// # Ok::<(), aliyun_sg_egress::InvalidText>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct VecStore {
    groups: Vec<Group<VecTable>>,
    /// Positions in `groups`, hashed by group id.
    by_id: HashTable<usize>,
}

impl VecStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a group with no rules.
    ///
    /// # Errors
    ///
    /// [`StoreError::DuplicateGroup`].
    pub fn add_group(&mut self, info: GroupInfo) -> Result<GroupHandle, StoreError> {
        if self.find_group(info.id.as_str()).is_some() {
            return Err(StoreError::DuplicateGroup);
        }
        let handle = GroupHandle(self.groups.len());
        let groups = &self.groups;
        self.by_id
            .insert_unique(text_hash(info.id.as_str()), handle.0, |&i| {
                groups.get(i).map_or(0, |g| text_hash(g.info.id.as_str()))
            });
        let egress = RuleTable::with_buffers(Vec::new(), Vec::new(), Vec::new(), 0);
        self.groups.push(Group { info, egress });
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
    pub fn group(&self, group: GroupHandle) -> Option<&Group<VecTable>> {
        self.groups.get(group.0)
    }

    /// Every group, in the order added.
    pub fn groups(&self) -> impl Iterator<Item = &Group<VecTable>> {
        self.groups.iter()
    }
}

impl GroupStore for VecStore {
    #[inline(always)]
    fn find_group(&self, id: &str) -> Option<GroupHandle> {
        self.by_id
            .find(text_hash(id), |&i| {
                self.groups
                    .get(i)
                    .is_some_and(|g| same_bytes(g.info.id.as_str().as_bytes(), id.as_bytes()))
            })
            .copied()
            .map(GroupHandle)
    }

    group_store_by_table!();
}
