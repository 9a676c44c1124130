//! [`State::split`]: a state cut into its groups, and the [`Frame`] that
//! writes them back as one file.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use serde_json::Value;

use super::error::{Reason, Shape, StateError};
use super::{State, load};

/// The text of a state file around its groups (see [`State::split`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// One more than there are groups: before the first group, between
    /// each two, after the last.
    pieces: Vec<String>,
    /// The file's last line break, if it had one.
    ending: &'static str,
}

impl Frame {
    /// How many groups the file holds.
    pub fn groups(&self) -> usize {
        self.pieces.len().saturating_sub(1)
    }

    /// Writes the whole file: the frame, with each group's text (what its
    /// part's [`State::write_json`] writes) in its place, in the order
    /// [`State::split`] gave the parts. Missing groups are left out, extra
    /// texts ignored.
    ///
    /// # Errors
    ///
    /// Only those of the writer.
    pub fn write_json<'a, W, I>(&self, out: &mut W, groups: I) -> fmt::Result
    where
        W: fmt::Write + ?Sized,
        I: IntoIterator<Item = &'a str>,
    {
        let mut groups = groups.into_iter();
        let mut pieces = self.pieces.iter();
        if let Some(first) = pieces.next() {
            out.write_str(first)?;
        }
        for piece in pieces {
            out.write_str(groups.next().unwrap_or(""))?;
            out.write_str(piece)?;
        }
        out.write_str(self.ending)
    }
}

impl State {
    /// Cuts the state into one [`State`] per group, in document order, and
    /// the [`Frame`] that writes them back as one file, byte for byte as
    /// this state would have written it: for an embedder that works on
    /// different groups at the same time (the HTTP server, one lock per
    /// group).
    ///
    /// A part is a state whose document is its group alone (the one-group
    /// form of the [module docs](super)): it finds, changes, describes and
    /// writes its group as the whole state would, and it knows the
    /// document's `PrefixLists` and the other groups' fields (a destination
    /// group is found as in the whole state; its rules are the other
    /// part's). Its [`State::write_json`] writes the group
    /// as it stands in the file: indented as there, without a final line
    /// break. Rule ids are checked within the part (its egress and ingress
    /// rules): ids that are new after the split are the embedder's to keep
    /// apart across parts.
    ///
    /// # Errors
    ///
    /// A group that does not load alone: one with a `SecurityGroups` field
    /// of its own (it would read as a list of groups).
    pub fn split(self) -> Result<(Frame, Vec<State>), StateError> {
        // A state built from a `Value` has no text to cut: its own
        // printing is the text.
        let whole = if self.layout.has_text() {
            self
        } else {
            let mut state = self;
            let mut text = String::new();
            let _ = state.write_json(&mut text);
            State::from_json(&text)?
        };
        let shape = || StateError::new(Reason::Shape(Shape::Document));
        let (pieces, ranges) = whole.layout.cut().ok_or_else(shape)?;
        let groups: Vec<Value> = match whole.document {
            Value::Array(groups) => groups,
            Value::Object(mut map) => match map.remove("SecurityGroups") {
                Some(Value::Array(groups)) => groups,
                Some(_) => return Err(shape()),
                None => [Value::Object(map)].into(),
            },
            _ => return Err(shape()),
        };
        if groups.len() != ranges.len() {
            return Err(shape());
        }
        let mut others = crate::store::VecStore::new();
        for info in whole.store.groups() {
            // The whole state's ids are unique, so every group goes in.
            let _ = others.add_group(info.clone());
        }
        let others = Arc::new(others);
        let mut parts = Vec::with_capacity(groups.len());
        for (position, (document, (range, base))) in groups.into_iter().zip(ranges).enumerate() {
            let alone =
                || StateError::new(Reason::Shape(Shape::GroupAlone)).in_group(position, None);
            let loaded = load::load(&document).map_err(|_| alone())?;
            if loaded.positions.len() != 1 {
                return Err(alone());
            }
            parts.push(State {
                document,
                layout: whole.layout.part(range, base),
                store: loaded.store,
                positions: loaded.positions,
                ingress_ids: loaded.ingress_ids,
                prefix_lists: whole.prefix_lists.clone(),
                changes: whole.changes,
                others: Some(others.clone()),
            });
        }
        let frame = Frame {
            pieces,
            ending: whole.layout.ending(),
        };
        Ok((frame, parts))
    }
}
