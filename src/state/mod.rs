//! The state file (SPEC §10, feature `serde`): security groups as
//! `DescribeSecurityGroupAttribute` reports them, loaded into a
//! [`VecStore`] for the matcher and the actions, with the document
//! following every change so that saving writes back what was read plus
//! exactly those changes.
//!
//! ```
//! use aliyun_sg_egress::request::RequestParser;
//! use aliyun_sg_egress::modify;
//! use aliyun_sg_egress::state::State;
//!
//! let mut state = State::from_json(r#"{
//!   "SecurityGroupId": "sg-1",
//!   "RegionId": "cn-hangzhou",
//!   "VpcId": "vpc-1",
//!   "Permissions": {
//!     "Permission": [
//!       {
//!         "Direction": "egress",
//!         "IpProtocol": "TCP",
//!         "PortRange": "443/443",
//!         "DestCidrIp": "10.0.0.0/8",
//!         "Policy": "Accept",
//!         "Priority": "1",
//!         "CreateTime": "2024-01-01T00:00:00Z"
//!       }
//!     ]
//!   }
//! }"#)?;
//! let mut parser = RequestParser::new();
//! let req = parser.parse(
//!     "RegionId=cn-hangzhou&SecurityGroupId=sg-1&IpProtocol=tcp&PortRange=443/443\
//!      &DestCidrIp=10.0.0.0/8&Description=https",
//! )?;
//! assert!(modify(&mut state, &req)?.changed);
//!
//! let mut saved = String::new();
//! state.write_json(&mut saved)?;
//! assert!(saved.contains(r#""Priority": "1","#)); // still a string
//! assert!(saved.contains(r#""CreateTime": "2024-01-01T00:00:00Z","#));
//! assert!(saved.contains(r#""Description": "https""#));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The document
//!
//! One `DescribeSecurityGroupAttribute` response object, an array of them,
//! or `{"SecurityGroups": [...]}` (an object with a `SecurityGroups` key is
//! read as that; any other object must have a `SecurityGroupId`). It is
//! kept as a [`serde_json::Value`], so every field, known or not, and the
//! JSON type of each, is written back as read.
//!
//! Group fields: `SecurityGroupId` and `RegionId` (required strings);
//! `VpcId` (absent, `null` or `""`: the classic network); and this crate's
//! optional extras `ClassicLink` (`true`/`false`, for a VPC group; ignored
//! on a classic one), `OwnerAccount` (string) and `OwnerId` (number or
//! decimal string). `Permissions.Permission` holds the rules; absent means
//! none.
//!
//! Rule fields, read as `DescribeSecurityGroupAttribute` writes them:
//! - `Direction` (required; `egress` or `ingress`, any case). Ingress rules
//!   stay in the document untouched and are never matched nor validated
//!   (but their ids are read, see below).
//! - `SecurityGroupRuleId` and `CreateTime` (strings; absent, `null` or
//!   `""`: none), on every rule. An id is unique in the whole state,
//!   ingress rules included: a new egress rule cannot take an ingress
//!   rule's id either.
//! - An egress rule whose `IpProtocol` is a protocol number (a string of
//!   one to three digits, 0 to 255) or that has a `PortRangeListId` is
//!   *opaque* (SPEC §10): kept with all its fields as text pairs (a
//!   non-string value as its JSON text), otherwise unread; it counts toward
//!   the quota, shows in Describe, can be removed and can have its
//!   description set, and is never matched by parameters.
//! - `IpProtocol` (required; `TCP`, `ALL`, … any case) and `PortRange`
//!   (required, checked against the protocol); `SourcePortRange`.
//! - `NicType` (any case; absent: `intranet` in a VPC group and for a group
//!   or prefix-list destination, `internet` for a classic group's CIDR
//!   rule; a VPC group's rules are always `intranet`, as the API reports
//!   them).
//! - `Policy` (`Accept`/`Drop`, any case; absent: accept).
//! - `Priority`: a number or a decimal string, 1 to 100; absent: 1.
//! - Exactly one destination: `DestCidrIp`, `Ipv6DestCidrIp`,
//!   `DestGroupId` (whether that group exists is not checked: it may belong
//!   to another account) or `DestPrefixListId` (VPC groups only; compared
//!   as written). At most one of `SourceCidrIp`, `Ipv6SourceCidrIp`.
//! - `Description` (absent or `null`: empty).
//!
//! For optional fields, `null` and `""` mean absent (the API writes `""`
//! for what a rule does not have). `DestGroupOwnerAccount` and every other
//! field are carried, not read.
//!
//! At the top level of the `{"SecurityGroups": [...]}` form,
//! `PrefixLists` (an array of ids) lists the prefix lists that exist
//! ([`State::prefix_list_exists`]); absent, every id is taken to exist.
//!
//! # Refused states
//!
//! A state that breaks the crate's invariants is refused as a whole with a
//! [`StateError`] naming the group, the rule and the reason: text that is
//! not JSON, or has a key twice in one object (one of them would be lost
//! on save); a field of the wrong JSON type; an invalid value (naming the
//! field and the value); two destinations or sources; a prefix-list
//! destination in a classic group; two egress rules of one group with the
//! same key (SPEC §6; naming the other rule); two rules anywhere with one
//! `SecurityGroupRuleId` (naming the other rule and its group); two groups
//! with one `SecurityGroupId`. Rules are numbered by their position in
//! `Permissions.Permission`, from 0, ingress rules counted; groups by their
//! position in the document's list (`#0` for a single group).
//!
//! # Changes and saving
//!
//! [`GroupStore::change`] changes the store, then the document:
//! - an insert appends a rule object to the group's
//!   `Permissions.Permission` (made when absent). Its fields are those of
//!   the group's first egress rule, in that order, with `Priority` a number
//!   or a string as there; in a group without egress rules, Describe's
//!   order (SPEC §12.9) with `Priority` a string. Fields the rule does not
//!   have, or this crate does not know, are `""`; a field the rule needs
//!   that the first rule lacks goes last. Values as a real dump writes
//!   them: `TCP`, `Accept`, ports `80/80`, IPv4 as written, IPv6
//!   compressed in lower case. An opaque rule is written as its pairs
//!   (values as strings), then its id and create time if not among them;
//! - a removal deletes the rule's object;
//! - a replacement writes, in place, the values of the fields whose text
//!   changed (a `Priority` number stays a number); a field the object
//!   lacks goes last, unless its new value is empty. Fields that did not
//!   change keep their spelling (`tcp`, `NicType: ""`);
//! - a description is written in place, or as a new `Description` key at
//!   the end of the object when it had none (an absent or `null` one
//!   counting as empty: clearing a description the rule never had adds
//!   nothing).
//!
//! [`State::write_json`] prints the document as the file was laid out: on
//! one line, or indented with the file's own indentation step and line
//! breaks (`"key": value`, as serde_json and most tools write JSON), with a
//! final line break if the file had one. Keys keep their order. Numbers
//! keep their JSON type; integers print as written (within 64 bits) and
//! other numbers in their shortest form (`1.50` as `1.5`).
//!
//! [`State::split`] cuts a state into one state per group and a [`Frame`]
//! that writes them back as this file, for working on different groups at
//! the same time.

mod describe;
mod error;
mod json;
mod load;
mod split;

use alloc::collections::BTreeSet;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use serde_json::{Map, Value};

pub use error::{InvalidValue, Reason, Shape, StateError};
pub use split::Frame;

// The fields of a new rule in a group without an egress rule to copy
// them from: DescribeSecurityGroupAttribute's order (SPEC §12.9).
use crate::lifecycle::describe::RULE_FIELDS as DESCRIBE_ORDER;
use crate::model::{EgressRule, GroupInfo, Rule, RuleBody, RuleDestination};
use crate::request::Source;
use crate::store::{Change, GroupHandle, GroupStore, RuleCounts, RuleRef, StoreError, VecStore};

/// A loaded state: the document as read, and a [`VecStore`] of its groups
/// and egress rules that the matcher and the actions work on.
///
/// It implements [`GroupStore`] over that store, and the document follows
/// every change (see the [module docs](self)).
#[derive(Clone, Debug)]
pub struct State {
    document: Value,
    layout: json::Layout,
    store: VecStore,
    /// For each group, at its position in the document (which is also its
    /// handle in `store`), the `Permissions.Permission` index of the egress
    /// rule in each store slot.
    positions: Vec<Vec<Option<usize>>>,
    /// Ingress rules' ids, which egress rules may not take.
    ingress_ids: BTreeSet<String>,
    /// The top-level `PrefixLists`, when given.
    prefix_lists: Option<BTreeSet<String>>,
    /// Changes made to the document since [`State::sync`] last asked.
    changes: usize,
    /// In a part of a split state: every group of the whole state, without
    /// rules, so that a destination group is found as in the whole.
    others: Option<Arc<VecStore>>,
}

/// The text of a modelled rule's field, as a real dump writes it; empty
/// for a field the rule does not have (or this crate does not know).
fn field_text(name: &str, rule: &EgressRule<'_>) -> String {
    let (destination, source) = (&rule.destination, &rule.source);
    match (name, destination, source) {
        ("Direction", ..) => "egress".into(),
        ("IpProtocol", ..) => rule.protocol.api_name().into(),
        ("PortRange", ..) => rule.port_range.to_string(),
        ("SourcePortRange", ..) => rule
            .source_port_range
            .map(|r| r.to_string())
            .unwrap_or_default(),
        ("NicType", ..) => rule.nic_type.as_str().into(),
        ("Policy", ..) => rule.policy.api_name().into(),
        ("Priority", ..) => rule.priority.to_string(),
        ("DestCidrIp", RuleDestination::Ipv4(v4), _) => v4.to_string(),
        ("Ipv6DestCidrIp", RuleDestination::Ipv6(v6), _) => v6.to_string(),
        ("DestGroupId", RuleDestination::Group(id), _)
        | ("DestPrefixListId", RuleDestination::PrefixList(id), _) => (*id).into(),
        ("SourceCidrIp", _, Some(Source::Ipv4(v4))) => v4.to_string(),
        ("Ipv6SourceCidrIp", _, Some(Source::Ipv6(v6))) => v6.to_string(),
        ("Description", ..) => rule.description.into(),
        _ => String::new(),
    }
}

/// A field's new value: `Priority` a number when `number`, all else text.
fn field_value(name: &str, text: String, number: bool) -> Value {
    match text.parse::<u8>() {
        Ok(priority) if number && name == "Priority" => Value::from(priority),
        _ => Value::String(text),
    }
}

impl State {
    /// Loads JSON text (see the [module docs](self)).
    ///
    /// # Errors
    ///
    /// A [`StateError`] naming the group, the rule and the reason.
    pub fn from_json(text: &str) -> Result<State, StateError> {
        State::from_slice(text.as_bytes())
    }

    /// Loads JSON text given as bytes (invalid UTF-8 is a syntax error).
    ///
    /// # Errors
    ///
    /// A [`StateError`] naming the group, the rule and the reason.
    pub fn from_slice(bytes: &[u8]) -> Result<State, StateError> {
        let document = json::parse(bytes)?;
        State::build(document, json::Layout::detect(bytes))
    }

    /// Loads an already parsed document; it is written back on one line.
    ///
    /// # Errors
    ///
    /// A [`StateError`] naming the group, the rule and the reason.
    pub fn from_value(document: Value) -> Result<State, StateError> {
        State::build(document, json::Layout::COMPACT)
    }

    fn build(document: Value, layout: json::Layout) -> Result<State, StateError> {
        let loaded = load::load(&document)?;
        Ok(State {
            document,
            layout,
            store: loaded.store,
            positions: loaded.positions,
            ingress_ids: loaded.ingress_ids,
            prefix_lists: loaded.prefix_lists,
            changes: 0,
            others: None,
        })
    }

    /// The store of groups and egress rules.
    pub const fn store(&self) -> &VecStore {
        &self.store
    }

    /// The document, as read plus every change since.
    pub const fn document(&self) -> &Value {
        &self.document
    }

    /// The group with this id (the region is not checked).
    pub fn find_group(&self, id: &str) -> Option<GroupHandle> {
        self.store.group(id).map(|(handle, _)| handle)
    }

    /// The group's metadata.
    pub fn group_info(&self, group: GroupHandle) -> Option<&GroupInfo> {
        self.store.group_info(group)
    }

    /// The position of an egress rule in its group's
    /// `Permissions.Permission` array (store indexes skip ingress rules).
    pub fn permission_index(&self, group: GroupHandle, rule_index: usize) -> Option<usize> {
        self.positions
            .get(group.index())?
            .get(rule_index)
            .copied()
            .flatten()
    }

    /// The document's object for an egress rule, every field as read (or
    /// as the changes since wrote it): for showing a rule exactly as the
    /// file has it.
    pub fn rule_object(
        &self,
        group: GroupHandle,
        rule_index: usize,
    ) -> Option<&Map<String, Value>> {
        let index = self.permission_index(group, rule_index)?;
        load::groups(&self.document)
            .ok()?
            .get(group.index())?
            .get("Permissions")?
            .get("Permission")?
            .get(index)?
            .as_object()
    }

    /// The group's position in the document's list of groups.
    pub fn group_position(&self, group: GroupHandle) -> Option<usize> {
        (group.index() < self.positions.len()).then_some(group.index())
    }

    /// Whether a prefix list exists: listed in the document's top-level
    /// `PrefixLists`, or any id when the document has none.
    pub fn prefix_list_exists(&self, id: &str) -> bool {
        self.prefix_lists
            .as_ref()
            .is_none_or(|lists| lists.contains(id))
    }

    /// How many changes the document took since the last call (or since
    /// loading, or the last [`State::write_json`]): 0 means there is
    /// nothing new to save.
    pub fn sync(&mut self) -> usize {
        core::mem::take(&mut self.changes)
    }

    /// Writes the document in the layout of the text it was read from
    /// (and counts its changes as saved, see [`State::sync`]).
    ///
    /// # Errors
    ///
    /// Only those of the writer.
    pub fn write_json<W: fmt::Write + ?Sized>(&mut self, out: &mut W) -> fmt::Result {
        self.changes = 0;
        self.layout.write(out, &self.document)
    }

    /// Gives up the document.
    pub fn into_document(self) -> Value {
        self.document
    }

    /// The document's rule object for a store slot.
    fn object_mut(&mut self, group: GroupHandle, slot: usize) -> Option<&mut Map<String, Value>> {
        let index = self.permission_index(group, slot)?;
        load::rule_mut(&mut self.document, group.index(), index)
    }

    /// The rule object a new rule gets: the fields of the group's first
    /// egress rule, in its order (Priority as number or string as there),
    /// or Describe's order; then any field the rule needs that those lack.
    fn new_object(&mut self, group: GroupHandle, rule: &Rule<'_>) -> Map<String, Value> {
        let first = self.store.next_rule(group, None);
        let template = first.and_then(|slot| self.object_mut(group, slot));
        let (names, number): (Vec<String>, bool) = match template {
            Some(object) => (
                object.keys().cloned().collect(),
                object.get("Priority").is_some_and(Value::is_number),
            ),
            None => (
                DESCRIBE_ORDER.iter().map(|f| f.name.into()).collect(),
                false,
            ),
        };
        let mut object = Map::new();
        let text = |name: &str| match (name, &rule.body) {
            ("SecurityGroupRuleId", _) => rule.id.into(),
            ("CreateTime", _) => rule.create_time.into(),
            (_, RuleBody::Modelled(modelled)) => field_text(name, modelled),
            (_, RuleBody::Opaque(opaque)) => opaque.get(name).unwrap_or("").into(),
        };
        if let RuleBody::Opaque(opaque) = &rule.body {
            for (name, value) in opaque.fields() {
                object.insert(name.into(), Value::String(value.into()));
            }
        } else {
            for name in &names {
                object.insert(name.clone(), field_value(name, text(name), number));
            }
        }
        for name in DESCRIBE_ORDER.iter().map(|f| f.name) {
            let value = text(name);
            if !value.is_empty() && !object.contains_key(name) {
                object.insert(name.into(), field_value(name, value, number));
            }
        }
        object
    }
}

impl GroupStore for State {
    /// In a part of a split state, another group of the whole state is
    /// found too (for its fields, as a destination), under a handle that
    /// names nothing in the part.
    fn group(&self, id: &str) -> Option<(GroupHandle, &GroupInfo)> {
        self.store.group(id).or_else(|| {
            let (handle, info) = self.others.as_deref()?.group(id)?;
            let beyond = handle.index().checked_add(self.positions.len())?;
            Some((GroupHandle::new(beyond), info))
        })
    }

    fn find_rule(&self, group: GroupHandle, by: RuleRef<'_>) -> Option<usize> {
        self.store.find_rule(group, by)
    }

    fn rule(&self, group: GroupHandle, index: usize) -> Option<Rule<'_>> {
        self.store.rule(group, index)
    }

    fn next_rule(&self, group: GroupHandle, after: Option<usize>) -> Option<usize> {
        self.store.next_rule(group, after)
    }

    fn counts(&self, group: GroupHandle) -> RuleCounts {
        self.store.counts(group)
    }

    /// Applies the change to the store, then to the document: an insert
    /// appends a rule object to the group's `Permissions.Permission`, a
    /// removal deletes it, a replacement or a description edits the values
    /// that changed in place (a field the object lacks goes at its end).
    fn change(&mut self, group: GroupHandle, change: Change<'_>) -> Result<usize, StoreError> {
        match change {
            Change::Insert(rule) => {
                if self.ingress_ids.contains(rule.id) {
                    return Err(StoreError::DuplicateRuleId);
                }
                let slot = self.store.change(group, change)?;
                // The store put a VPC group's rule on the intranet NIC.
                let mut stored = rule;
                let vpc = self.group_info(group).is_some_and(|g| g.network.is_vpc());
                if let (true, RuleBody::Modelled(modelled)) = (vpc, &mut stored.body) {
                    modelled.nic_type = crate::nic::NicType::Intranet;
                }
                let object = self.new_object(group, &stored);
                let rules = load::permissions_mut(&mut self.document, group.index());
                if let Some(rules) = rules {
                    rules.push(Value::Object(object));
                    let index = rules.len() - 1;
                    if let Some(positions) = self.positions.get_mut(group.index()) {
                        if positions.len() <= slot {
                            positions.resize(slot + 1, None);
                        }
                        if let Some(p) = positions.get_mut(slot) {
                            *p = Some(index);
                        }
                    }
                }
                self.changes += 1;
                Ok(slot)
            }
            Change::Remove(slot) => {
                let removed = self.permission_index(group, slot);
                self.store.change(group, change)?;
                let positions = self.positions.get_mut(group.index());
                if let (Some(index), Some(positions)) = (removed, positions) {
                    for p in positions.iter_mut() {
                        match *p {
                            Some(i) if i == index => *p = None,
                            Some(i) if i > index => *p = Some(i - 1),
                            _ => {}
                        }
                    }
                    let rules = load::permissions_mut(&mut self.document, group.index());
                    if let Some(rules) = rules.filter(|r| index < r.len()) {
                        rules.remove(index);
                    }
                }
                self.changes += 1;
                Ok(slot)
            }
            Change::Replace(slot, _) => {
                let old = self
                    .store
                    .rule(group, slot)
                    .and_then(|r| r.modelled().copied());
                let edits: Vec<(&str, String)> = old
                    .map(|old| {
                        DESCRIBE_ORDER
                            .iter()
                            .map(|f| (f.name, field_text(f.name, &old)))
                            .collect()
                    })
                    .unwrap_or_default();
                self.store.change(group, change)?;
                let new = self
                    .store
                    .rule(group, slot)
                    .and_then(|r| r.modelled().copied());
                let new_texts: Vec<(&str, String)> = match new {
                    Some(new) => edits
                        .into_iter()
                        .map(|(name, old)| (name, old, field_text(name, &new)))
                        .filter(|(_, old, new)| old != new)
                        .map(|(name, _, new)| (name, new))
                        .collect(),
                    None => Vec::new(),
                };
                if let Some(object) = self.object_mut(group, slot) {
                    for (name, text) in new_texts {
                        match object.get_mut(name) {
                            Some(value) => {
                                let number = value.is_number();
                                *value = field_value(name, text, number);
                            }
                            None if !text.is_empty() => {
                                object.insert(name.into(), Value::String(text));
                            }
                            None => {}
                        }
                    }
                }
                self.changes += 1;
                Ok(slot)
            }
            Change::SetDescription(slot, description) => {
                self.store.change(group, change)?;
                if let Some(object) = self.object_mut(group, slot) {
                    let current = object.get("Description").and_then(Value::as_str);
                    if current.unwrap_or("") != description {
                        object.insert("Description".into(), Value::String(description.into()));
                    }
                }
                self.changes += 1;
                Ok(slot)
            }
        }
    }
}
