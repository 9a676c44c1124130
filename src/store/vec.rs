//! A growable store for large groups (feature `alloc`).

use alloc::vec::Vec;

use hashbrown::HashTable;

use super::table::{RuleTable, StoredRule};
use super::{GroupHandle, GroupStore, StoreError, StoredGroup, vpc_reads_as_intranet};
use crate::hash::hash;
use crate::model::{EgressRule, GroupInfo, RuleKey};

type Table = RuleTable<Vec<StoredRule>, Vec<u32>, Vec<u8>>;

/// Any number of groups and rules, on the heap.
///
/// Lookups allocate nothing; only adding groups and rules, and changing
/// descriptions, may grow its vectors.
///
/// ```
/// use aliyun_sg_egress::store::{GroupStore, VecStore};
/// use aliyun_sg_egress::model::{GroupInfo, Network};
/// use aliyun_sg_egress::text::{GroupId, RegionId};
/// let mut store = VecStore::new();
/// let info = GroupInfo::new(GroupId::parse("sg-1")?, RegionId::parse("cn-hangzhou")?, Network::Classic);
/// let g = store.add_group(info).unwrap();
/// assert_eq!(store.find_group("sg-1"), Some(g));
/// assert_eq!(store.find_group("sg-2"), None);
/// # Ok::<(), aliyun_sg_egress::text::InvalidText>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct VecStore {
    groups: Vec<StoredGroup<Table>>,
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
            .insert_unique(hash(info.id.as_str()), handle.0, |&i| {
                groups.get(i).map_or(0, |g| hash(g.info.id.as_str()))
            });
        let egress = RuleTable::new(0);
        self.groups.push(StoredGroup { info, egress });
        Ok(handle)
    }

    /// Adds an egress rule to a group and returns its index (a VPC group's
    /// rules are put on the intranet NIC).
    ///
    /// # Errors
    ///
    /// No such group, an invalid rule, or a key the group already has; on
    /// error nothing changes.
    pub fn add_rule(
        &mut self,
        group: GroupHandle,
        rule: &EgressRule<'_>,
    ) -> Result<usize, StoreError> {
        let g = self
            .groups
            .get_mut(group.0)
            .ok_or(StoreError::NoSuchGroup)?;
        g.egress.insert(&vpc_reads_as_intranet(&g.info, rule))
    }

    /// Every group's metadata, in the order added (handle 0 first).
    pub fn groups(&self) -> impl Iterator<Item = &GroupInfo> {
        self.groups.iter().map(|g| &g.info)
    }

    /// The group's egress rules, in order (none for a handle that names
    /// no group).
    pub fn rules(&self, group: GroupHandle) -> impl Iterator<Item = EgressRule<'_>> {
        self.groups
            .get(group.0)
            .into_iter()
            .flat_map(|g| g.egress.iter())
    }
}

impl GroupStore for VecStore {
    #[inline(always)]
    fn find_group(&self, id: &str) -> Option<GroupHandle> {
        self.by_id
            .find(hash(id), |&i| {
                self.groups.get(i).is_some_and(|g| g.info.id.as_str() == id)
            })
            .copied()
            .map(GroupHandle)
    }

    fn group_info(&self, group: GroupHandle) -> Option<&GroupInfo> {
        self.groups.get(group.0).map(|g| &g.info)
    }

    #[inline(always)]
    fn find_rule(&self, group: GroupHandle, key: &RuleKey<'_>) -> Option<usize> {
        self.groups.get(group.0)?.egress.find(key)
    }

    fn rule(&self, group: GroupHandle, index: usize) -> Option<EgressRule<'_>> {
        self.groups.get(group.0)?.egress.get(index)
    }

    fn set_description(
        &mut self,
        group: GroupHandle,
        index: usize,
        description: &str,
    ) -> Result<bool, StoreError> {
        let g = self
            .groups
            .get_mut(group.0)
            .ok_or(StoreError::NoSuchGroup)?;
        g.egress.set_description(index, description)
    }
}
