//! Storage for security groups and their egress rules, behind the small
//! [`GroupStore`] trait so that an embedding crate can back it with its own
//! database.
//!
//! Two stores come with the crate:
//! - [`BoundedStore`]: fixed capacities as const generics, built on
//!   `heapless`, usable without an allocator;
//! - [`VecStore`] (feature `alloc`): grows as needed, for large groups.
//!
//! Both keep each group's egress rules in a rule table: compact rules
//! (see [`STORED_RULE_BYTES`]), a chained hash index over their keys (one
//! bucket per rule or more, so a lookup compares about one rule), and a text
//! arena for descriptions and destination group ids. A replaced description
//! that does not fit in the old one's room leaves garbage, reclaimed when a
//! bounded arena is full (in place: quadratic in the rules) or when a
//! growable one is over half garbage and 4 KiB of it (copied: linear).
//!
//! The crate uses its own rule index rather than `heapless::IndexMap` or
//! `hashbrown` because a lookup must borrow the request's group id, while
//! those maps need an owned key per rule (a 128-byte group id each), and
//! because one index then serves both stores. [`VecStore`] finds groups
//! through a `hashbrown::HashTable` of positions, hashed by id (constant
//! time whatever the number of groups, where a `BTreeMap` grows with it;
//! see `BENCHMARKS.md`); [`BoundedStore`] compares ids in turn, for the few
//! groups a fixed store holds.
//!
//! Those speed-ups stay inside the crate's stores: [`GroupStore`] asks an
//! embedder's storage only for what it must answer, and the matcher derives
//! the rest (near misses, a rule's priority) from [`GroupStore::rule`].

/// The methods `BoundedStore` and `VecStore` share, over their `groups`
/// field and their own `find_id`: a macro rather than a generic inner type,
/// so that each store keeps its plain public name and documentation.
macro_rules! group_store_methods {
    (impl[$($generics:tt)*] $store:ty) => {
        impl<$($generics)*> $store {
            /// Adds an egress rule to a group and returns its index (a VPC
            /// group's rules are put on the intranet NIC).
            ///
            /// # Errors
            ///
            /// No such group, an invalid rule, a key the group already
            /// has, or (in a bounded store) a full group; on error nothing
            /// changes.
            pub fn add_rule(
                &mut self,
                group: GroupHandle,
                rule: &EgressRule<'_>,
            ) -> Result<usize, StoreError> {
                let g = self.groups.get_mut(group.0).ok_or(StoreError::NoSuchGroup)?;
                let mut rule = *rule;
                // What DescribeSecurityGroupAttribute reports, and what lets
                // a VPC rule be found whatever `NicType` a request gives.
                if g.info.network.is_vpc() {
                    rule.nic_type = crate::nic::NicType::Intranet;
                }
                g.egress.insert(&rule)
            }

            /// Every group's metadata, in the order added (handle 0 first).
            pub fn groups(&self) -> impl Iterator<Item = &GroupInfo> {
                self.groups.iter().map(|g| &g.info)
            }

            /// The group's egress rules, in order (none for a handle that
            /// names no group).
            pub fn rules(&self, group: GroupHandle) -> impl Iterator<Item = EgressRule<'_>> {
                self.groups.get(group.0).into_iter().flat_map(|g| g.egress.iter())
            }
        }

        impl<$($generics)*> GroupStore for $store {
            #[inline(always)]
            fn find_group(&self, id: &str) -> Option<GroupHandle> {
                self.find_id(id).map(GroupHandle)
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
                let g = self.groups.get_mut(group.0).ok_or(StoreError::NoSuchGroup)?;
                g.egress.set_description(index, description)
            }
        }
    };
}

mod bounded;
mod buffer;
mod table;
#[cfg(feature = "alloc")]
mod vec;

use core::fmt;

use crate::error::{ApiError, Cause, Reason};
use crate::model::{EgressRule, GroupInfo, InvalidRule, RuleKey};

pub use crate::matcher::closest_rule;
pub use bounded::BoundedStore;
#[cfg(feature = "alloc")]
pub use vec::VecStore;

/// Bytes one stored rule takes, descriptions and group ids aside (those
/// live in the group's text arena), plus 4 bytes per bucket of the index:
/// what sizing a [`BoundedStore`] needs.
pub const STORED_RULE_BYTES: usize = core::mem::size_of::<table::StoredRule>();

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
    /// The group holds as many rules as it can (its rule quota).
    RulesFull,
    /// The group's text storage cannot hold the text, even after
    /// compaction.
    TextFull,
    /// Another rule of the group already has this key (its index).
    DuplicateRule(usize),
    /// The rule breaks an invariant.
    InvalidRule(InvalidRule),
    /// The index names no rule of the group.
    NoSuchRule,
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::GroupsFull => f.write_str("the store holds as many groups as it can"),
            StoreError::DuplicateGroup => f.write_str("a group with this id is already stored"),
            StoreError::NoSuchGroup => f.write_str("no such group"),
            StoreError::RulesFull => f.write_str("the group holds as many rules as it can"),
            StoreError::TextFull => f.write_str("the group's text storage is full"),
            StoreError::DuplicateRule(i) => write!(f, "egress rule #{i} already has this key"),
            StoreError::InvalidRule(e) => write!(f, "invalid rule: {e}"),
            StoreError::NoSuchRule => f.write_str("no such rule"),
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
            StoreError::RulesFull => Cause::AuthorizationLimitExceed,
            StoreError::InvalidRule(InvalidRule::Description) => Cause::InvalidDescriptionMalformed,
            _ => Cause::InternalError,
        };
        ApiError::new(cause).because(Reason::Store(e))
    }
}

/// Where the matcher finds groups and rules, and applies changes.
///
/// Implement it over your own storage to run the matcher against it. A
/// group's egress rules are numbered from 0 without gaps, in store order:
/// [`GroupStore::rule`] answers `None` past the last one, which is how
/// callers walk them.
pub trait GroupStore {
    /// The group with this id, if stored (region is checked by the caller).
    fn find_group(&self, id: &str) -> Option<GroupHandle>;

    /// The group's metadata.
    fn group_info(&self, group: GroupHandle) -> Option<&GroupInfo>;

    /// The index of the group's egress rule with this key. Every request
    /// asks it, so it should not scan a large group (the crate's stores
    /// keep a hash index of the keys).
    fn find_rule(&self, group: GroupHandle, key: &RuleKey<'_>) -> Option<usize>;

    /// The group's egress rule at `index`; `None` past the last one.
    fn rule(&self, group: GroupHandle, index: usize) -> Option<EgressRule<'_>>;

    /// Replaces the description of one rule (empty clears it), and says
    /// whether it changed: `false` when the rule already had this text
    /// (then nothing is written). On error nothing changes.
    ///
    /// # Errors
    ///
    /// When the store cannot hold the text, or the rule is gone.
    fn set_description(
        &mut self,
        group: GroupHandle,
        index: usize,
        description: &str,
    ) -> Result<bool, StoreError>;
}

/// A group and its egress rules, as the crate's stores keep them.
#[derive(Clone, Debug)]
struct StoredGroup<T> {
    info: GroupInfo,
    egress: T,
}
