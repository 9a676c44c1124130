//! A group's egress rules: a vector of compact rules, a chained hash index
//! over their keys, and a text arena for descriptions and group ids.
//!
//! Looking a rule up hashes the request's key once and compares only the
//! rules in one bucket (about one, as there are at least as many buckets as
//! rules), so it costs the same for 10 rules or 100,000.

use core::str;

use super::StoreError;
use super::buffer::{Buffer, ByteBuffer};
use super::packed::PackedKey;
use crate::model::{EgressRule, InvalidRule, RuleDestination, RuleKey};
use crate::priority::Priority;

/// A span of the text arena; the empty text is always `(0, 0)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TextRef {
    start: u32,
    len: u32,
}

/// One rule as stored: its key packed into words, its priority, and
/// references into the text arena. See [`crate::store`] for its size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StoredRule {
    key: PackedKey,
    /// The destination group's id; empty for an address destination.
    group: TextRef,
    description: TextRef,
    hash: u32,
    /// Index + 1 of the next rule in the same bucket; 0 ends the chain.
    next: u32,
    priority: Priority,
}

/// Maps a hash onto `0..len` without a division (Lemire's fastrange).
#[inline]
fn bucket(hash: u32, len: usize) -> usize {
    ((u64::from(hash) * len as u64) >> 32) as usize
}

/// The destination group id of a key; empty for an address.
fn group_id<'k>(key: &RuleKey<'k>) -> &'k str {
    match key.destination {
        RuleDestination::Group(id) => id,
        RuleDestination::Ipv4(_) | RuleDestination::Ipv6(_) => "",
    }
}

/// A group's egress rules over some backing storage.
#[derive(Clone, Debug)]
pub(crate) struct RuleTable<R, H, B> {
    rules: R,
    heads: H,
    text: B,
    garbage: usize,
}

impl<R, H, B> RuleTable<R, H, B>
where
    R: Buffer<StoredRule>,
    H: Buffer<u32>,
    B: ByteBuffer,
{
    /// A table over empty buffers; `heads` is sized to `buckets` now.
    pub(crate) fn with_buffers(rules: R, mut heads: H, text: B, buckets: usize) -> Self {
        heads.truncate_to(0);
        // A bounded buffer is given exactly its capacity, which it accepts.
        let _ = heads.try_resize(buckets, 0);
        RuleTable {
            rules,
            heads,
            text,
            garbage: 0,
        }
    }

    /// How many rules the table holds.
    pub(crate) fn len(&self) -> usize {
        self.rules.items().len()
    }

    fn text_bytes(&self, r: TextRef) -> &[u8] {
        let start = r.start as usize;
        self.text
            .items()
            .get(start..start + r.len as usize)
            .unwrap_or(&[])
    }

    fn text(&self, r: TextRef) -> &str {
        // Every address rule's group id is empty, as are many
        // descriptions: reading a rule then validates no bytes for them.
        if r.len == 0 {
            return "";
        }
        str::from_utf8(self.text_bytes(r)).unwrap_or("")
    }

    fn view<'s>(&'s self, s: &StoredRule) -> EgressRule<'s> {
        let key = s.key.unpack(self.text(s.group));
        EgressRule {
            protocol: key.protocol,
            port_range: key.port_range,
            source_port_range: key.source_port_range,
            nic_type: key.nic_type,
            policy: key.policy,
            priority: s.priority,
            destination: key.destination,
            source: key.source,
            description: self.text(s.description),
        }
    }

    /// The rule at `index`.
    pub(crate) fn get(&self, index: usize) -> Option<EgressRule<'_>> {
        self.rules.items().get(index).map(|s| self.view(s))
    }

    /// The rules in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = EgressRule<'_>> + '_ {
        self.rules.items().iter().map(|s| self.view(s))
    }

    /// The first rule from `link` on along its chain whose packed key is
    /// `probe` (for a group destination, a candidate: the ids are still to
    /// be compared).
    #[inline]
    fn next_candidate(&self, probe: &PackedKey, hash: u32, mut link: u32) -> Option<usize> {
        let rules = self.rules.items();
        while link != 0 {
            let index = link as usize - 1;
            let s = rules.get(index)?;
            if s.hash == hash && s.key == *probe {
                return Some(index);
            }
            link = s.next;
        }
        None
    }

    #[inline(always)]
    fn find_packed(&self, probe: &PackedKey, hash: u32, group_id: &str) -> Option<usize> {
        let heads = self.heads.items();
        let head = *heads.get(bucket(hash, heads.len()))?;
        let mut index = self.next_candidate(probe, hash, head)?;
        // Only a group destination needs a second look (word 2 is the id's
        // hash); keeping that call out of the walk keeps the walk lean.
        if !probe.is_group() {
            return Some(index);
        }
        loop {
            let s = self.rules.items().get(index)?;
            if self.text_bytes(s.group) == group_id.as_bytes() {
                return Some(index);
            }
            index = self.next_candidate(probe, hash, s.next)?;
        }
    }

    /// The index of the rule with this key.
    #[inline(always)]
    pub(crate) fn find(&self, key: &RuleKey<'_>) -> Option<usize> {
        let probe = PackedKey::of(key);
        self.find_packed(&probe, probe.hash(), group_id(key))
    }

    /// Stores text, compacting the arena when that makes room.
    fn store_text(&mut self, text: &str) -> Result<TextRef, StoreError> {
        self.store_texts([text]).map(|[r]| r)
    }

    /// Stores a rule's texts, compacting the arena when that makes room;
    /// all or none. Together, because a compaction between two of them
    /// would drop the first, which no rule references yet.
    fn store_texts<const N: usize>(
        &mut self,
        texts: [&str; N],
    ) -> Result<[TextRef; N], StoreError> {
        let live = self.text.items().len() - self.garbage;
        if B::GROWS && self.garbage > 4096 && self.garbage > live {
            self.compact();
        }
        if let Some(refs) = self.append(texts) {
            return Ok(refs);
        }
        if self.garbage == 0 {
            return Err(StoreError::TextFull);
        }
        self.compact();
        self.append(texts).ok_or(StoreError::TextFull)
    }

    /// Appends texts at the end of the arena, or leaves it as it was.
    fn append<const N: usize>(&mut self, texts: [&str; N]) -> Option<[TextRef; N]> {
        let mark = self.text.items().len();
        let mut refs = [TextRef::default(); N];
        for (r, text) in refs.iter_mut().zip(texts) {
            if text.is_empty() {
                continue;
            }
            let start = u32::try_from(self.text.items().len()).ok();
            let len = u32::try_from(text.len()).ok();
            match (start, len) {
                (Some(start), Some(len)) if self.text.try_extend(text.as_bytes()) => {
                    *r = TextRef { start, len };
                }
                _ => {
                    self.text.truncate_to(mark);
                    return None;
                }
            }
        }
        Some(refs)
    }

    fn text_refs(s: &mut StoredRule) -> [Option<&mut TextRef>; 2] {
        let group = s.key.is_group().then_some(&mut s.group);
        [Some(&mut s.description), group]
    }

    /// Drops the garbage from the text arena. A growable arena is copied
    /// into a fresh one, rule by rule (linear). A bounded one has no room
    /// for a second buffer: its live texts slide to the front in order of
    /// position, in place, which is quadratic in the number of rules; it
    /// only runs when the arena is full.
    fn compact(&mut self) {
        let live = self.text.items().len() - self.garbage;
        if let Some(mut fresh) = B::fresh(live) {
            let old = self.text.items();
            for s in self.rules.items_mut() {
                for r in Self::text_refs(s).into_iter().flatten() {
                    let from = r.start as usize;
                    let bytes = old.get(from..from + r.len as usize).unwrap_or(&[]);
                    // `fresh` grows, and `live` counts these bytes.
                    r.start = fresh.items().len() as u32;
                    let _ = fresh.try_extend(bytes);
                }
            }
            self.text = fresh;
            self.garbage = 0;
            return;
        }
        let mut write = 0u32;
        let mut threshold = 0u32;
        loop {
            let mut next: Option<(usize, usize, u32)> = None;
            for (i, s) in self.rules.items_mut().iter_mut().enumerate() {
                for (slot, r) in Self::text_refs(s).into_iter().enumerate() {
                    if let Some(r) = r
                        && r.len > 0
                        && r.start >= threshold
                        && next.is_none_or(|(_, _, st)| r.start < st)
                    {
                        next = Some((i, slot, r.start));
                    }
                }
            }
            let Some((i, slot, old_start)) = next else {
                break;
            };
            let Some(s) = self.rules.items_mut().get_mut(i) else {
                break;
            };
            let Some(Some(r)) = Self::text_refs(s).into_iter().nth(slot) else {
                break;
            };
            let len = r.len;
            r.start = write;
            let from = old_start as usize;
            self.text
                .items_mut()
                .copy_within(from..from + len as usize, write as usize);
            write += len;
            threshold = old_start + 1;
        }
        self.text.truncate_to(write as usize);
        self.garbage = 0;
    }

    /// Rebuilds the bucket chains (after the bucket array grew).
    fn relink(&mut self) {
        for head in self.heads.items_mut() {
            *head = 0;
        }
        let buckets = self.heads.items().len();
        for (index, s) in self.rules.items_mut().iter_mut().enumerate() {
            let Some(head) = self.heads.items_mut().get_mut(bucket(s.hash, buckets)) else {
                continue;
            };
            s.next = *head;
            *head = index as u32 + 1;
        }
    }

    /// Adds a rule at the end.
    ///
    /// # Errors
    ///
    /// An invalid rule, a key already present, or a full table or arena;
    /// on error the table is unchanged.
    pub(crate) fn insert(&mut self, rule: &EgressRule<'_>) -> Result<usize, StoreError> {
        rule.check().map_err(StoreError::InvalidRule)?;
        let key = rule.key();
        let probe = PackedKey::of(&key);
        let hash = probe.hash();
        if let Some(existing) = self.find_packed(&probe, hash, group_id(&key)) {
            return Err(StoreError::DuplicateRule(existing));
        }
        let index = self.len();
        let link = u32::try_from(index + 1).map_err(|_| StoreError::RulesFull)?;
        let [description, group] = self.store_texts([rule.description, group_id(&key)])?;
        let stored = StoredRule {
            key: probe,
            group,
            description,
            hash,
            next: 0,
            priority: rule.priority,
        };
        if self.rules.try_push(stored).is_err() {
            // The texts just stored are unreferenced: count them as garbage.
            self.garbage += description.len as usize + group.len as usize;
            return Err(StoreError::RulesFull);
        }
        if self.len() > self.heads.items().len() {
            let grown = (self.heads.items().len() * 2).max(8);
            if self.heads.try_resize(grown, 0) {
                self.relink();
                return Ok(index);
            }
        }
        let buckets = self.heads.items().len();
        let Some(head) = self.heads.items_mut().get_mut(bucket(hash, buckets)) else {
            return Ok(index);
        };
        let previous = *head;
        *head = link;
        if let Some(s) = self.rules.items_mut().get_mut(index) {
            s.next = previous;
        }
        Ok(index)
    }

    fn set_description_ref(&mut self, index: usize, r: TextRef) {
        if let Some(s) = self.rules.items_mut().get_mut(index) {
            s.description = r;
        }
    }

    /// Replaces the description of the rule at `index` (empty clears it);
    /// `false` when it already was `description`.
    ///
    /// # Errors
    ///
    /// No such rule, a description over 512 characters, or a full arena;
    /// on error the rule keeps its description.
    pub(crate) fn set_description(
        &mut self,
        index: usize,
        description: &str,
    ) -> Result<bool, StoreError> {
        let old = self
            .rules
            .items()
            .get(index)
            .ok_or(StoreError::NoSuchRule)?
            .description;
        if self.text_bytes(old) == description.as_bytes() {
            return Ok(false);
        }
        if crate::text::over_max_chars(description) {
            return Err(StoreError::InvalidRule(InvalidRule::Description));
        }
        // A text that fits in the old one's room is written over it: no
        // garbage beyond the tail, so no compaction for like-sized edits.
        if description.len() <= old.len as usize {
            let at = old.start as usize;
            let room = self.text.items_mut().get_mut(at..at + description.len());
            if let Some(room) = room {
                room.copy_from_slice(description.as_bytes());
                let start = if description.is_empty() { 0 } else { old.start };
                self.garbage += old.len as usize - description.len();
                self.set_description_ref(
                    index,
                    TextRef {
                        start,
                        len: description.len() as u32,
                    },
                );
                return Ok(true);
            }
        }
        // Free the old text first so that a full arena can reuse its room.
        // Keep a copy: if the new text still does not fit, the old one goes
        // back, and it always fits in the room it left.
        let mut pre_image: heapless::String<{ crate::text::DESCRIPTION_MAX_BYTES }> =
            heapless::String::new();
        let _ = pre_image.push_str(self.text(old));
        self.garbage += old.len as usize;
        self.set_description_ref(index, TextRef::default());
        match self.store_text(description) {
            Ok(r) => {
                self.set_description_ref(index, r);
                Ok(true)
            }
            Err(e) => {
                let restored = self.store_text(&pre_image).unwrap_or(old);
                self.set_description_ref(index, restored);
                Err(e)
            }
        }
    }
}
