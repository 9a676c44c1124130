//! Storage for security groups and their egress rules, behind the small
//! [`GroupStore`] trait so that an embedding crate can back it with its own
//! database.
//!
//! Two stores come with the crate:
//! - [`BoundedStore`]: fixed capacities as const generics, built on
//!   `heapless`, usable without an allocator;
//! - [`VecStore`] (feature `alloc`): grows as needed, for large groups.
//!
//! Both keep each group's egress rules in a [`RuleTable`]: compact rules
//! (see [`STORED_RULE_BYTES`]), a chained hash index over their keys (one
//! bucket per rule or more, so a lookup compares about one rule), and a text
//! arena for descriptions and destination group ids. A rule's key is stored
//! packed into six words (protocol to source address), so comparing a
//! candidate is six word compares rather than a field-by-field match over
//! enums; the request's key is packed once per lookup. A new description
//! that fits in the old one's room is written over it; otherwise it is
//! appended and the old text becomes garbage, reclaimed when a bounded
//! arena is full (sliding the live texts down in place: quadratic in the
//! rules, but no second buffer) or when a growable one is more than half
//! garbage and over 4 KiB of it (copied into a new buffer: linear).
//!
//! The crate uses its own rule index rather than `heapless::IndexMap` or
//! `hashbrown` because a lookup must borrow the request's group id, while
//! those maps need an owned key per rule (a 128-byte group id each), and
//! because one index then serves both stores. [`VecStore`] finds groups
//! through a `hashbrown::HashTable` of positions, hashed by id (constant
//! time: when chosen, 447 instructions per identify with 1 group or 10,000
//! more, where a `BTreeMap` took 453 and 703; see `BENCHMARKS.md`);
//! [`BoundedStore`] compares ids in turn, for the few groups a fixed store
//! holds.

/// The [`GroupStore`] methods of a store that keeps its groups in a
/// `groups` vector of [`Group`]s, each with a [`RuleTable`] (both stores of
/// the crate): everything but `find_group`.
macro_rules! group_store_by_table {
    () => {
        fn group_info(&self, group: GroupHandle) -> Option<&GroupInfo> {
            self.groups.get(group.0).map(|g| &g.info)
        }

        #[inline(always)]
        fn find_rule(&self, group: GroupHandle, key: &RuleKey<'_>) -> Option<usize> {
            self.groups.get(group.0)?.egress.find(key)
        }

        fn rule_count(&self, group: GroupHandle) -> usize {
            self.groups.get(group.0).map_or(0, |g| g.egress.len())
        }

        fn rule(&self, group: GroupHandle, index: usize) -> Option<EgressRule<'_>> {
            self.groups.get(group.0)?.egress.get(index)
        }

        fn rule_key(&self, group: GroupHandle, index: usize) -> Option<(RuleKey<'_>, Priority)> {
            self.groups.get(group.0)?.egress.key_at(index)
        }

        fn closest_rule(
            &self,
            group: GroupHandle,
            key: &RuleKey<'_>,
            priority: Option<Priority>,
        ) -> Option<crate::error::NearMiss> {
            self.groups.get(group.0)?.egress.closest(key, priority)
        }

        fn rule_priority(&self, group: GroupHandle, index: usize) -> Option<Priority> {
            self.groups.get(group.0)?.egress.priority_at(index)
        }

        fn rule_description(&self, group: GroupHandle, index: usize) -> Option<&str> {
            self.groups.get(group.0)?.egress.description_at(index)
        }

        fn rule_description_is(&self, group: GroupHandle, index: usize, text: &str) -> bool {
            self.groups
                .get(group.0)
                .is_some_and(|g| g.egress.description_is(index, text))
        }

        fn set_description(
            &mut self,
            group: GroupHandle,
            index: usize,
            description: &str,
        ) -> Result<(), StoreError> {
            let g = self
                .groups
                .get_mut(group.0)
                .ok_or(StoreError::NoSuchGroup)?;
            Ok(g.egress.set_description(index, description)?)
        }
    };
}

mod bounded;
mod buffer;
mod packed;
mod table;
#[cfg(feature = "alloc")]
mod vec;

use core::fmt;

use crate::error::{ApiError, Cause, Reason};
use crate::model::{EgressRule, GroupInfo, InvalidRule, RuleKey};
use crate::priority::Priority;

pub use bounded::{BoundedStore, BoundedTable};
pub use table::{RuleTable, StoredRule, TableError};
#[cfg(feature = "alloc")]
pub use vec::{VecStore, VecTable};

/// Bytes one stored rule takes, descriptions and group ids aside (those
/// live in the group's text arena), plus 4 bytes per bucket of the index.
pub const STORED_RULE_BYTES: usize = core::mem::size_of::<StoredRule>();

// The memory budget per rule (issue #3): the rule plus its bucket.
const _: () = assert!(
    STORED_RULE_BYTES + 4 <= 96,
    "a stored rule outgrew its budget"
);

/// Names a group inside a store (its position); valid until groups are
/// added or removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupHandle(usize);

impl GroupHandle {
    /// A handle from a store's own numbering.
    pub const fn new(index: usize) -> GroupHandle {
        GroupHandle(index)
    }

    /// The store's number for the group.
    pub const fn index(self) -> usize {
        self.0
    }
}

/// Why a store refused a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreError {
    /// No room for another group.
    GroupsFull,
    /// A group with this id is already stored.
    DuplicateGroup,
    /// The handle names no group.
    NoSuchGroup,
    /// A rule table refused the change.
    Table(TableError),
}

impl From<TableError> for StoreError {
    fn from(e: TableError) -> Self {
        StoreError::Table(e)
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::GroupsFull => f.write_str("the store holds as many groups as it can"),
            StoreError::DuplicateGroup => f.write_str("a group with this id is already stored"),
            StoreError::NoSuchGroup => f.write_str("no such group"),
            StoreError::Table(TableError::RulesFull) => {
                f.write_str("the group holds as many rules as it can")
            }
            StoreError::Table(TableError::TextFull) => {
                f.write_str("the group's text storage is full")
            }
            StoreError::Table(TableError::DuplicateKey(i)) => {
                write!(f, "egress rule #{i} already has this key")
            }
            StoreError::Table(TableError::Invalid(e)) => write!(f, "invalid rule: {e}"),
            StoreError::Table(TableError::NoSuchRule) => f.write_str("no such rule"),
        }
    }
}

impl core::error::Error for StoreError {}

impl From<StoreError> for ApiError {
    /// The API's answer to a store failure: a full rule quota is
    /// `AuthorizationLimitExceed`; anything else a backend failure
    /// (`InternalError`), with the reason as detail.
    fn from(e: StoreError) -> Self {
        let cause = match e {
            StoreError::Table(TableError::RulesFull) => Cause::AuthorizationLimitExceed,
            StoreError::Table(TableError::Invalid(InvalidRule::Description)) => {
                Cause::InvalidDescriptionMalformed
            }
            StoreError::GroupsFull
            | StoreError::DuplicateGroup
            | StoreError::NoSuchGroup
            | StoreError::Table(
                TableError::TextFull
                | TableError::DuplicateKey(_)
                | TableError::Invalid(_)
                | TableError::NoSuchRule,
            ) => Cause::InternalError,
        };
        ApiError::new(cause).because(Reason::Store(e))
    }
}

/// Where the matcher finds groups and rules, and applies changes.
///
/// Implement it over your own storage to run the matcher against it; the
/// crate's stores implement it over [`RuleTable`]s.
pub trait GroupStore {
    /// The group with this id, if stored (region is checked by the caller).
    fn find_group(&self, id: &str) -> Option<GroupHandle>;

    /// The group's metadata.
    fn group_info(&self, group: GroupHandle) -> Option<&GroupInfo>;

    /// The index of the group's egress rule with this key. Must not be a
    /// field-by-field scan for large groups.
    fn find_rule(&self, group: GroupHandle, key: &RuleKey<'_>) -> Option<usize>;

    /// How many egress rules the group has.
    fn rule_count(&self, group: GroupHandle) -> usize;

    /// The group's egress rule at `index`.
    fn rule(&self, group: GroupHandle, index: usize) -> Option<EgressRule<'_>>;

    /// The key and priority of the group's egress rule at `index`: what
    /// matching needs, without the description. The default reads
    /// [`GroupStore::rule`]; override it when the description is costly.
    fn rule_key(&self, group: GroupHandle, index: usize) -> Option<(RuleKey<'_>, Priority)> {
        self.rule(group, index).map(|r| (r.key(), r.priority))
    }

    /// The priority of the group's egress rule at `index`. The default
    /// reads [`GroupStore::rule_key`]; override it when that is costly.
    fn rule_priority(&self, group: GroupHandle, index: usize) -> Option<Priority> {
        self.rule_key(group, index).map(|(_, priority)| priority)
    }

    /// The description of the group's egress rule at `index`. The default
    /// reads [`GroupStore::rule`]; override it when that is costly.
    fn rule_description(&self, group: GroupHandle, index: usize) -> Option<&str> {
        self.rule(group, index).map(|r| r.description)
    }

    /// Whether the description of the group's egress rule at `index` is
    /// `text` (false when there is no such rule). The default reads
    /// [`GroupStore::rule_description`]; the crate's stores compare the
    /// stored bytes without reading them back as text.
    fn rule_description_is(&self, group: GroupHandle, index: usize, text: &str) -> bool {
        self.rule_description(group, index) == Some(text)
    }

    /// The rule closest to a key that matched none, and what differs
    /// (SPEC §6 near misses; see [`crate::matcher::closest_rule`], the
    /// default, which reads every rule through [`GroupStore::rule_key`]).
    /// Override it when the store can compare keys more cheaply.
    fn closest_rule(
        &self,
        group: GroupHandle,
        key: &RuleKey<'_>,
        priority: Option<Priority>,
    ) -> Option<crate::error::NearMiss> {
        crate::matcher::closest_rule(self, group, key, priority)
    }

    /// Replaces the description of one rule (empty clears it). On error
    /// nothing changes.
    ///
    /// # Errors
    ///
    /// When the store cannot hold the text, or the rule is gone.
    fn set_description(
        &mut self,
        group: GroupHandle,
        index: usize,
        description: &str,
    ) -> Result<(), StoreError>;
}

/// A group and its egress rules, as the crate's stores keep them.
#[derive(Clone, Debug)]
pub struct Group<T> {
    /// The group's metadata.
    pub info: GroupInfo,
    /// Its egress rules.
    pub egress: T,
}
