//! A growable store for large groups (feature `alloc`).

use alloc::vec::Vec;

use hashbrown::HashTable;

use super::table::{RuleTable, StoredRule};
use super::{Change, GroupHandle, GroupStore, RuleCounts, RuleRef, StoreError, StoredGroup};
use crate::hash::hash;
use crate::model::{EgressRule, GroupInfo, Rule, RuleBody};

type Table = RuleTable<Vec<StoredRule>, Vec<u32>, alloc::string::String>;

/// Up to this many groups, a group is found by comparing ids in turn: a
/// dump holds one or a few groups (and a split state's part one), and for
/// so few that beats hashing the id (BENCHMARKS.md, "identify after the
/// reshape").
const SCAN_GROUPS: usize = 8;

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
/// assert_eq!(store.group("sg-1").map(|(h, _)| h), Some(g));
/// assert!(store.group("sg-2").is_none());
/// # Ok::<(), aliyun_sg_egress::text::InvalidText>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct VecStore {
    groups: Vec<StoredGroup<Table>>,
    /// Positions in `groups`, hashed by group id.
    by_id: HashTable<usize>,
    /// For each rule with an id, the id's hash and its group's position:
    /// ids are unique in the whole store, and many groups should not make
    /// that check slow.
    rule_ids: HashTable<(u64, usize)>,
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
        if self.find_id(info.id.as_str()).is_some() {
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

    /// The position of the group with this id: by scan among few groups,
    /// else through its hash.
    #[inline(always)]
    fn find_id(&self, id: &str) -> Option<usize> {
        if self.groups.len() <= SCAN_GROUPS {
            return self.groups.iter().position(|g| g.info.id.as_str() == id);
        }
        let matches = |&i: &usize| self.groups.get(i).is_some_and(|g| g.info.id.as_str() == id);
        self.by_id.find(hash(id), matches).copied()
    }

    /// Whether a rule of any group has this id.
    fn rule_id_in_use(&self, id: &str) -> bool {
        let h = hash(id);
        let matches = |&(other, g): &(u64, usize)| other == h && self.has_rule_id(g, id);
        !id.is_empty() && self.rule_ids.find(h, matches).is_some()
    }

    fn has_rule_id(&self, group: usize, id: &str) -> bool {
        self.groups
            .get(group)
            .is_some_and(|g| g.egress.find_id(id).is_some())
    }

    /// Files (`added`) or drops a rule id of `group` in the store-wide
    /// index, after the group's table took or dropped it.
    fn index_rule_id(&mut self, group: GroupHandle, id: &str, added: bool) {
        if id.is_empty() {
            return;
        }
        let h = hash(id);
        if added {
            self.rule_ids.insert_unique(h, (h, group.0), |&(h, _)| h);
            return;
        }
        // The rule is gone from its table, so the entry is found by group
        // (another id of the group with the same hash has an equal entry).
        if let Ok(entry) = self.rule_ids.find_entry(h, |&e| e == (h, group.0)) {
            entry.remove();
        }
    }
}

group_store_methods!(impl[] VecStore);
