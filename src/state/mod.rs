//! The state file (SPEC §10, feature `serde`): security groups as
//! `DescribeSecurityGroupAttribute` reports them, loaded into a
//! [`VecStore`] for the matcher, and saved back with nothing changed but
//! the descriptions that requests changed.
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
//!   stay in the document untouched and are never matched, and so do
//!   egress rules with a `DestPrefixListId` (a destination this crate does
//!   not model); neither kind is validated.
//! - `IpProtocol` (required; `TCP`, `ALL`, … any case) and `PortRange`
//!   (required, checked against the protocol); `SourcePortRange`.
//! - `NicType` (any case; absent: `intranet` in a VPC group and for a group
//!   destination, `internet` for a classic group's CIDR rule; a VPC group's
//!   rules are always `intranet`, as the API reports them).
//! - `Policy` (`Accept`/`Drop`, any case; absent: accept).
//! - `Priority`: a number or a decimal string, 1 to 100; absent: 1.
//! - Exactly one destination: `DestCidrIp`, `Ipv6DestCidrIp` or
//!   `DestGroupId` (whether that group exists is not checked: it may belong
//!   to another account). At most one of `SourceCidrIp`,
//!   `Ipv6SourceCidrIp`.
//! - `Description` (absent or `null`: empty).
//!
//! For optional fields, `null` and `""` mean absent (the API writes `""`
//! for what a rule does not have). `DestGroupOwnerAccount` and every other
//! field are carried, not read.
//!
//! # Refused states
//!
//! A state that breaks the crate's invariants is refused as a whole with a
//! [`StateError`] naming the group, the rule and the reason: text that is
//! not JSON, or has a key twice in one object (one of them would be lost
//! on save); a field of the wrong JSON type; an invalid value (naming the
//! field and the value); two destinations or sources; two egress rules of
//! one group with the same key (SPEC §6; naming the other rule); two
//! groups with one `SecurityGroupId`. Rules are numbered by their position
//! in `Permissions.Permission`, from 0, ingress rules counted; groups by
//! their position in the document's list (`#0` for a single group).
//!
//! # Saving
//!
//! [`State::sync`] writes into the document the `Description` of each
//! egress rule whose description differs from the document's (an absent
//! or `null` one counting as empty: a rule that never had one, and still
//! has none, keeps no field). A new `Description` key goes at the end of
//! the rule object; an existing one keeps its place. Nothing else changes.
//!
//! [`State::write_json`] prints the document as the file was laid out: on
//! one line, or indented with the file's own indentation step and line
//! breaks (`"key": value`, as serde_json and most tools write JSON), with a
//! final line break if the file had one. Keys keep their order. Numbers
//! keep their JSON type; integers print as written (within 64 bits) and
//! other numbers in their shortest form (`1.50` as `1.5`).

mod error;
mod json;
mod load;

use alloc::vec::Vec;
use core::fmt;

use serde_json::Value;

pub use error::{InvalidValue, Reason, Shape, StateError};

use crate::model::{EgressRule, GroupInfo, RuleKey};
use crate::store::{GroupHandle, GroupStore, StoreError, VecStore};

/// A loaded state: the document as read, and a [`VecStore`] of its groups
/// and egress rules that the matcher works on.
///
/// It implements [`GroupStore`] over that store, so
/// [`modify`](crate::matcher::modify) takes it directly; the only change a
/// store allows is a description, which is what [`State::sync`] writes
/// back.
#[derive(Clone, Debug)]
pub struct State {
    document: Value,
    layout: json::Layout,
    store: VecStore,
    /// For each group, at its position in the document (which is also its
    /// handle in `store`), the `Permissions.Permission` index of each of its
    /// egress rules, in store order.
    egress: Vec<Vec<usize>>,
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
        let (store, egress) = load::load(&document)?;
        Ok(State {
            document,
            layout,
            store,
            egress,
        })
    }

    /// The store of groups and egress rules (with the descriptions as
    /// requests left them).
    pub const fn store(&self) -> &VecStore {
        &self.store
    }

    /// The document, as read plus what [`State::sync`] wrote into it.
    pub const fn document(&self) -> &Value {
        &self.document
    }

    /// The position of an egress rule in its group's
    /// `Permissions.Permission` array (store indexes skip ingress rules).
    pub fn permission_index(&self, group: GroupHandle, rule_index: usize) -> Option<usize> {
        self.egress.get(group.index())?.get(rule_index).copied()
    }

    /// The group's position in the document's list of groups.
    pub fn group_position(&self, group: GroupHandle) -> Option<usize> {
        (group.index() < self.egress.len()).then_some(group.index())
    }

    /// Writes into the document the description of every egress rule
    /// whose description differs from it, and returns how many it wrote
    /// (0 when nothing changed since the last call, or since loading).
    pub fn sync(&mut self) -> usize {
        let mut written = 0;
        for (position, egress) in self.egress.iter().enumerate() {
            let rules = self.store.rules(GroupHandle::new(position));
            for (rule, &index) in rules.zip(egress) {
                let found = load::rule_mut(&mut self.document, position, index);
                let Some(object) = found else { continue };
                let current = object.get("Description").and_then(Value::as_str);
                if current.unwrap_or("") != rule.description {
                    object.insert("Description".into(), Value::String(rule.description.into()));
                    written += 1;
                }
            }
        }
        written
    }

    /// Syncs (see [`State::sync`]), then writes the document in the layout
    /// of the text it was read from.
    ///
    /// # Errors
    ///
    /// Only those of the writer.
    pub fn write_json<W: fmt::Write + ?Sized>(&mut self, out: &mut W) -> fmt::Result {
        self.sync();
        self.layout.write(out, &self.document)
    }

    /// Syncs (see [`State::sync`]) and gives up the document.
    pub fn into_document(mut self) -> Value {
        self.sync();
        self.document
    }
}

impl GroupStore for State {
    fn find_group(&self, id: &str) -> Option<GroupHandle> {
        self.store.find_group(id)
    }

    fn group_info(&self, group: GroupHandle) -> Option<&GroupInfo> {
        self.store.group_info(group)
    }

    fn find_rule(&self, group: GroupHandle, key: &RuleKey<'_>) -> Option<usize> {
        self.store.find_rule(group, key)
    }

    fn rule(&self, group: GroupHandle, index: usize) -> Option<EgressRule<'_>> {
        self.store.rule(group, index)
    }

    fn set_description(
        &mut self,
        group: GroupHandle,
        index: usize,
        description: &str,
    ) -> Result<bool, StoreError> {
        self.store.set_description(group, index, description)
    }
}
