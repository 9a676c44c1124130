//! A growable store for large groups (feature `alloc`).

use alloc::vec::Vec;

use hashbrown::HashTable;

use super::table::{RuleTable, StoredRule};
use super::{GroupHandle, GroupStore, StoreError, StoredGroup};
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

    /// The position of the group with this id, found through its hash.
    #[inline(always)]
    fn find_id(&self, id: &str) -> Option<usize> {
        let matches = |&i: &usize| self.groups.get(i).is_some_and(|g| g.info.id.as_str() == id);
        self.by_id.find(hash(id), matches).copied()
    }
}

group_store_methods!(impl[] VecStore);
