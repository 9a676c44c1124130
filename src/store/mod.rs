//! Storage for security groups and their egress rules, behind the small
//! [`GroupStore`] trait so that an embedding crate can back it with its own
//! database.
//!
//! Two stores come with the crate:
//! - [`BoundedStore`]: fixed capacities as const generics, built on
//!   `heapless`, usable without an allocator;
//! - [`VecStore`] (feature `alloc`): grows as needed, for large groups.
//!
//! Both keep each group's egress rules in a rule table: compact rules in
//! stable slots (see [`STORED_RULE_BYTES`]; a removed rule's slot goes on a
//! free list for the next insert), store order as a doubly linked list over
//! the slots (insert appends, remove unlinks), chained hash indexes over
//! their keys and their rule ids (one bucket per rule or more, so a lookup
//! compares about one rule), and a text arena for ids, create times,
//! descriptions, destination ids and opaque rules' fields. Insert, remove,
//! replace and both lookups are constant time, whatever the group's size.
//! Rule ids are unique in the whole store: [`BoundedStore`] asks each
//! group's id index (few groups), [`VecStore`] keeps one more hash index
//! of every id's group. The arena is a `String` (`heapless::String` in a
//! [`BoundedStore`]): texts are checked once, when stored, and read back
//! by slicing. A replaced text leaves garbage unless it ended the arena
//! (so editing one text again and again leaves none); garbage is
//! reclaimed when a bounded arena is full (in place: quadratic in the
//! rules) or when a growable one is over half garbage and 4 KiB of it
//! (copied: linear).
//!
//! The crate uses its own rule index rather than `heapless::IndexMap` or
//! `hashbrown` because a lookup must borrow the request's group id, while
//! those maps need an owned key per rule (a 128-byte group id each), and
//! because one index then serves both stores. [`VecStore`] finds groups
//! through a `hashbrown::HashTable` of positions, hashed by id (constant
//! time whatever the number of groups, where a `BTreeMap` grows with it;
//! see `BENCHMARKS.md`), and by comparing ids in turn while it holds at
//! most 8 (a dump's few groups, where that is faster); [`BoundedStore`]
//! compares ids in turn, for the few groups a fixed store holds.
//!
//! Those speed-ups stay inside the crate's stores: [`GroupStore`] asks an
//! embedder's storage only for what it must answer, and the matcher derives
//! the rest (near misses, a rule's priority) from [`GroupStore::rule`].

/// The methods `BoundedStore` and `VecStore` share, over their `groups`
/// field and their own `find_id`, `rule_id_in_use` and `index_rule_id`: a
/// macro rather than a generic inner type, so that each store keeps its
/// plain public name and documentation.
macro_rules! group_store_methods {
    (impl[$($generics:tt)*] $store:ty) => {
        impl<$($generics)*> $store {
            /// Adds a modelled egress rule without id or create time to a
            /// group and returns its index: [`GroupStore::change`] with
            /// [`Change::Insert`], for building a store by hand.
            ///
            /// # Errors
            ///
            /// Those of [`Change::Insert`].
            pub fn add_rule(
                &mut self,
                group: GroupHandle,
                rule: &EgressRule<'_>,
            ) -> Result<usize, StoreError> {
                let rule = Rule { id: "", create_time: "", body: RuleBody::Modelled(*rule) };
                self.change(group, Change::Insert(rule))
            }

            /// The group's metadata.
            pub fn group_info(&self, group: GroupHandle) -> Option<&GroupInfo> {
                self.groups.get(group.0).map(|g| &g.info)
            }

            /// Every group's metadata, in the order added (handle 0 first).
            pub fn groups(&self) -> impl Iterator<Item = &GroupInfo> {
                self.groups.iter().map(|g| &g.info)
            }

            /// The group's egress rules, in store order (none for a handle
            /// that names no group).
            pub fn rules(&self, group: GroupHandle) -> impl Iterator<Item = Rule<'_>> {
                self.groups.get(group.0).into_iter().flat_map(|g| g.egress.iter())
            }
        }

        impl<$($generics)*> GroupStore for $store {
            #[inline(always)]
            fn group(&self, id: &str) -> Option<(GroupHandle, &GroupInfo)> {
                let index = self.find_id(id)?;
                Some((GroupHandle(index), &self.groups.get(index)?.info))
            }

            #[inline(always)]
            fn find_rule(&self, group: GroupHandle, by: RuleRef<'_>) -> Option<usize> {
                let table = &self.groups.get(group.0)?.egress;
                match by {
                    RuleRef::Key(key) => table.find(key),
                    RuleRef::Id(id) => table.find_id(id),
                }
            }

            fn rule(&self, group: GroupHandle, index: usize) -> Option<Rule<'_>> {
                self.groups.get(group.0)?.egress.get(index)
            }

            fn next_rule(&self, group: GroupHandle, after: Option<usize>) -> Option<usize> {
                self.groups.get(group.0)?.egress.next(after)
            }

            fn counts(&self, group: GroupHandle) -> RuleCounts {
                self.groups.get(group.0).map(|g| g.egress.counts()).unwrap_or_default()
            }

            fn change(&mut self, group: GroupHandle, change: Change<'_>) -> Result<usize, StoreError> {
                let g = self.groups.get(group.0).ok_or(StoreError::NoSuchGroup)?;
                // What DescribeSecurityGroupAttribute reports, and what lets
                // a VPC rule be found whatever `NicType` a request gives.
                let vpc = g.info.network.is_vpc();
                fn on_vpc(vpc: bool, mut rule: EgressRule<'_>) -> EgressRule<'_> {
                    if vpc {
                        rule.nic_type = crate::nic::NicType::Intranet;
                    }
                    rule
                }
                match change {
                    Change::Insert(mut rule) => {
                        if let RuleBody::Modelled(modelled) = rule.body {
                            rule.body = RuleBody::Modelled(on_vpc(vpc, modelled));
                        }
                        if self.rule_id_in_use(rule.id) {
                            return Err(StoreError::DuplicateRuleId);
                        }
                        let g = self.groups.get_mut(group.0).ok_or(StoreError::NoSuchGroup)?;
                        let index = g.egress.insert(&rule)?;
                        self.index_rule_id(group, rule.id, true);
                        Ok(index)
                    }
                    Change::Remove(index) => {
                        let g = self.groups.get(group.0).ok_or(StoreError::NoSuchGroup)?;
                        let rule = g.egress.get(index).ok_or(StoreError::NoSuchRule)?;
                        // The id's text lives in the table: a copy outlives
                        // the removal.
                        let mut id: heapless::String<{ crate::text::ID_MAX_BYTES }> =
                            heapless::String::new();
                        let _ = id.push_str(rule.id);
                        let g = self.groups.get_mut(group.0).ok_or(StoreError::NoSuchGroup)?;
                        let index = g.egress.remove(index)?;
                        self.index_rule_id(group, &id, false);
                        Ok(index)
                    }
                    Change::Replace(index, rule) => {
                        let g = self.groups.get_mut(group.0).ok_or(StoreError::NoSuchGroup)?;
                        g.egress.replace(index, &on_vpc(vpc, rule))
                    }
                    Change::SetDescription(index, description) => {
                        let g = self.groups.get_mut(group.0).ok_or(StoreError::NoSuchGroup)?;
                        g.egress.set_description(index, description)
                    }
                }
            }
        }
    };
}

mod bounded;
mod buffer;
mod table;
mod tokens;
#[cfg(feature = "alloc")]
mod vec;

use core::fmt;

use crate::error::{ApiError, Cause, Reason};
use crate::model::{EgressRule, GroupInfo, InvalidRule, Rule, RuleKey};

pub use crate::matcher::closest_rule;
pub use bounded::BoundedStore;
pub use tokens::Tokens;
#[cfg(feature = "alloc")]
pub use vec::VecStore;

/// Bytes one stored rule takes, texts aside (ids, descriptions and
/// destination ids live in the group's text arena), plus 8 bytes per rule
/// for the buckets of its two indexes (key and id): what sizing a
/// [`BoundedStore`] needs.
pub const STORED_RULE_BYTES: usize = core::mem::size_of::<table::StoredRule>();

// The memory budget per rule (issue #3), with its two buckets. It grew
// from 96 to 112 with the lifecycle: the id and create time's span in the
// arena (10 bytes), the id index's chain link (4) and the store order's two
// links (8) are what O(1) remove and lookup by id cost.
const _: () = assert!(
    STORED_RULE_BYTES + 8 <= 112,
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
    /// A rule of the store (in any group) already has this
    /// `SecurityGroupRuleId`.
    DuplicateRuleId,
    /// The rule is opaque (SPEC §10): only its description can change.
    OpaqueRule,
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
            StoreError::DuplicateRuleId => f.write_str("a rule with this id is already stored"),
            StoreError::OpaqueRule => {
                f.write_str("the rule is not modelled: only its description can change")
            }
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

/// Names a rule to [`GroupStore::find_rule`]: by its key (SPEC §6) or by
/// its `SecurityGroupRuleId`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleRef<'a> {
    /// The modelled rule with this key (opaque rules have none).
    Key(&'a RuleKey<'a>),
    /// The rule with this id (never a rule without one: `""` finds none).
    Id(&'a str),
}

/// How many egress rules a group holds, for the quotas of SPEC §12.3.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RuleCounts {
    /// Every egress rule, opaque ones included.
    pub egress: usize,
    /// The modelled egress rules whose destination is a security group.
    pub group_destinations: usize,
}

/// One change to a group's egress rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change<'a> {
    /// Adds a rule at the end of store order; answers its index.
    Insert(Rule<'a>),
    /// Removes the rule at this index; answers the index.
    Remove(usize),
    /// Gives the modelled rule at this index these fields; its index, id,
    /// create time and place in store order stay. Answers the index.
    Replace(usize, EgressRule<'a>),
    /// Sets (or, with `""`, clears) the description of the rule at this
    /// index, modelled or opaque. Answers the index.
    SetDescription(usize, &'a str),
}

/// Where the actions find groups and rules, and apply changes.
///
/// Implement it over your own storage (a database, a cache) to run the
/// matcher and the actions against it. What such a backend must provide:
///
/// - **Groups** by id, with their [`GroupInfo`]; a [`GroupHandle`] that
///   stays valid while the store is borrowed.
/// - **Rule indexes**: each egress rule of a group has an index (a row id,
///   a slot) that stays valid until that rule is removed; an index may be
///   reused for a later rule. Indexes need not be dense or ordered.
/// - **Store order**: the order rules were inserted in, walked with
///   [`GroupStore::next_rule`]; Describe shows it and near misses scan it.
/// - **Two lookups that do not scan the group**: by key (unique within a
///   group; opaque rules have no key) and by `SecurityGroupRuleId` (unique
///   in the whole store; `""` means none). Every request asks one of them.
/// - **Counts** kept current, read in constant time.
/// - **Atomic changes**: [`GroupStore::change`] changes nothing when it
///   fails. An insert appends at the end of store order and is refused
///   with [`StoreError::DuplicateRuleId`] for an id used anywhere in the
///   store and [`StoreError::DuplicateRule`] for a key the group has; a
///   modelled rule of a VPC group is stored on the intranet NIC. The
///   actions check quotas, destinations and the like before they change
///   anything, and make a multi-rule action all-or-nothing by checking
///   first; the store only keeps its own invariants.
///
/// The crate's stores keep rules in slots with a free list, store order as
/// a doubly linked list over the slots, and hash indexes over keys and
/// ids: every method but a full walk is constant time.
pub trait GroupStore {
    /// The group with this id, if stored, and its metadata (the caller
    /// checks the region).
    fn group(&self, id: &str) -> Option<(GroupHandle, &GroupInfo)>;

    /// The index of the group's egress rule with this key or id.
    fn find_rule(&self, group: GroupHandle, by: RuleRef<'_>) -> Option<usize>;

    /// The group's egress rule at `index`; `None` for an index that names
    /// no rule (never used, or removed).
    fn rule(&self, group: GroupHandle, index: usize) -> Option<Rule<'_>>;

    /// The index of the rule after `after` in store order: the first rule
    /// for `None`; `None` after the last (or for an index naming no rule).
    fn next_rule(&self, group: GroupHandle, after: Option<usize>) -> Option<usize>;

    /// The group's rule counts (zero for a handle naming no group).
    fn counts(&self, group: GroupHandle) -> RuleCounts;

    /// Applies one change, answering the index of the rule it concerns.
    ///
    /// # Errors
    ///
    /// The [`StoreError`] saying why; then nothing changed.
    fn change(&mut self, group: GroupHandle, change: Change<'_>) -> Result<usize, StoreError>;
}

/// The indexes of a group's rules in store order, through
/// [`GroupStore::next_rule`].
pub fn rule_indexes<S: GroupStore + ?Sized>(
    store: &S,
    group: GroupHandle,
) -> impl Iterator<Item = usize> + '_ {
    core::iter::successors(store.next_rule(group, None), move |&i| {
        store.next_rule(group, Some(i))
    })
}

/// A group and its egress rules, as the crate's stores keep them.
#[derive(Clone, Debug)]
struct StoredGroup<T> {
    info: GroupInfo,
    egress: T,
}
