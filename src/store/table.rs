//! A group's egress rules: compact rules in stable slots (a free list
//! reuses removed ones), store order as a doubly linked list over the
//! slots, chained hash indexes over keys and over rule ids (a lookup
//! compares the rules of one bucket, about one), and a text arena for ids,
//! descriptions, destination ids and opaque rules' fields.

use core::str;

use super::buffer::{Buffer, TextBuffer};
use super::{RuleCounts, StoreError};
use crate::cidr::{Ipv4Cidr, Ipv6Cidr};
use crate::hash::hash;
use crate::model::{EgressRule, InvalidRule, OpaqueRule, Rule, RuleBody, RuleDestination, RuleKey};
use crate::nic::NicType;
use crate::policy::Policy;
use crate::port::PortRange;
use crate::priority::Priority;
use crate::protocol::IpProtocol;
use crate::request::Source;
use crate::text::ID_MAX_BYTES;

/// A span of the text arena; the empty text is always `(0, 0)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TextRef {
    start: u32,
    len: u32,
}

/// What a slot holds, and a rule's destination as stored: a group or
/// prefix-list id lives in the text arena, and so do an opaque rule's
/// encoded fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Destination {
    Ipv4(Ipv4Cidr),
    Ipv6(Ipv6Cidr),
    Group,
    PrefixList,
    /// An opaque rule: no key, never in the key index.
    Opaque,
    /// A free slot, on the free list.
    Free,
}

/// A [`RuleKey`] as stored, without the text of a destination id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct StoredKey {
    protocol: IpProtocol,
    port_range: PortRange,
    source_port_range: Option<PortRange>,
    nic_type: NicType,
    policy: Policy,
    destination: Destination,
    source: Option<Source>,
}

impl Destination {
    const fn is_address(self) -> bool {
        matches!(self, Destination::Ipv4(_) | Destination::Ipv6(_))
    }
}

impl StoredKey {
    fn of(key: &RuleKey<'_>) -> StoredKey {
        StoredKey {
            protocol: key.protocol,
            port_range: key.port_range,
            source_port_range: key.source_port_range,
            nic_type: key.nic_type,
            policy: key.policy,
            destination: match key.destination {
                RuleDestination::Ipv4(v4) => Destination::Ipv4(v4),
                RuleDestination::Ipv6(v6) => Destination::Ipv6(v6),
                RuleDestination::Group(_) => Destination::Group,
                RuleDestination::PrefixList(_) => Destination::PrefixList,
            },
            source: key.source,
        }
    }

    /// The key of a slot that holds no modelled rule: only its
    /// destination (`Opaque` or `Free`) means anything.
    const fn unkeyed(destination: Destination) -> StoredKey {
        StoredKey {
            protocol: IpProtocol::All,
            port_range: PortRange::ANY,
            source_port_range: None,
            nic_type: NicType::Intranet,
            policy: Policy::Accept,
            destination,
            source: None,
        }
    }
}

/// One slot: a rule as stored, or a free slot. See [`crate::store`] for
/// its size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StoredRule {
    key: StoredKey,
    /// The destination group's or prefix list's id, or an opaque rule's
    /// encoded fields; empty for an address destination.
    text: TextRef,
    description: TextRef,
    /// The rule id followed by the create time; the id is `id_len` bytes.
    meta: TextRef,
    id_len: u16,
    priority: Priority,
    /// The key's hash (modelled rules).
    hash: u32,
    /// Slot + 1 of the next rule in the same key bucket, or of the next
    /// free slot; 0 ends the chain.
    next: u32,
    /// Slot + 1 of the next rule in the same id bucket; 0 ends the chain.
    next_id: u32,
    /// Slot + 1 of the rules before and after in store order; 0 for none.
    before: u32,
    after: u32,
}

impl StoredRule {
    const FREE: StoredRule = StoredRule {
        key: StoredKey::unkeyed(Destination::Free),
        text: TextRef { start: 0, len: 0 },
        description: TextRef { start: 0, len: 0 },
        meta: TextRef { start: 0, len: 0 },
        id_len: 0,
        priority: Priority::DEFAULT,
        hash: 0,
        next: 0,
        next_id: 0,
        before: 0,
        after: 0,
    };

    const fn is_free(&self) -> bool {
        matches!(self.key.destination, Destination::Free)
    }

    const fn is_modelled(&self) -> bool {
        !matches!(
            self.key.destination,
            Destination::Free | Destination::Opaque
        )
    }

    /// The rule's id, as a span of the arena.
    const fn id(&self) -> TextRef {
        TextRef {
            start: self.meta.start,
            len: self.id_len as u32,
        }
    }
}

/// Maps a hash onto `0..len` without a division (Lemire's fastrange).
fn bucket(hash: u32, len: usize) -> usize {
    ((u64::from(hash) * len as u64) >> 32) as usize
}

fn fold(h: u64) -> u32 {
    (h >> 32) as u32 ^ h as u32
}

/// The 32-bit hash a table files a key under.
fn key_hash(key: &RuleKey<'_>) -> u32 {
    fold(hash(key))
}

/// The 32-bit hash a table files a rule id under.
fn id_hash(id: &[u8]) -> u32 {
    fold(hash(id))
}

/// The destination id of a key; empty for an address.
fn destination_id<'k>(key: &RuleKey<'k>) -> &'k str {
    match key.destination {
        RuleDestination::Group(id) | RuleDestination::PrefixList(id) => id,
        RuleDestination::Ipv4(_) | RuleDestination::Ipv6(_) => "",
    }
}

/// Slot + 1, the form links take.
fn link(slot: usize) -> u32 {
    // Slots are numbered below `u32::MAX`: `insert` refuses more.
    slot as u32 + 1
}

/// What `append` writes into the arena.
#[derive(Clone, Copy)]
enum Piece<'p> {
    Text(&'p str),
    Fields(&'p OpaqueRule<'p>),
}

impl Piece<'_> {
    fn len(&self) -> Option<usize> {
        match self {
            Piece::Text(text) => Some(text.len()),
            Piece::Fields(rule) => rule.encoded_len(),
        }
    }
}

/// A group's egress rules over some backing storage.
#[derive(Clone, Debug)]
pub(crate) struct RuleTable<R, H, B> {
    slots: R,
    heads: H,
    id_heads: H,
    text: B,
    garbage: usize,
    /// Slot + 1 of the first and last rules in store order; 0 when empty.
    first: u32,
    last: u32,
    /// Slot + 1 of the first free slot; 0 when none.
    free: u32,
    counts: RuleCounts,
}

impl<R, H, B> RuleTable<R, H, B>
where
    R: Buffer<StoredRule>,
    H: Buffer<u32>,
    B: TextBuffer,
{
    /// An empty table with `buckets` buckets to start with.
    pub(crate) fn new(buckets: usize) -> Self {
        let (mut heads, mut id_heads) = (H::default(), H::default());
        // A bounded table is given exactly its capacity, which it accepts.
        heads.try_resize(buckets, 0);
        id_heads.try_resize(buckets, 0);
        RuleTable {
            slots: R::default(),
            heads,
            id_heads,
            text: B::default(),
            garbage: 0,
            first: 0,
            last: 0,
            free: 0,
            counts: RuleCounts::default(),
        }
    }

    fn text_bytes(&self, r: TextRef) -> &[u8] {
        self.text(r).as_bytes()
    }

    fn text(&self, r: TextRef) -> &str {
        let start = r.start as usize;
        self.text.get(start..start + r.len as usize).unwrap_or("")
    }

    fn slot(&self, index: usize) -> Option<&StoredRule> {
        self.slots.get(index).filter(|s| !s.is_free())
    }

    fn modelled(&self, s: &StoredRule) -> EgressRule<'_> {
        let k = s.key;
        let id = self.text(s.text);
        EgressRule {
            protocol: k.protocol,
            port_range: k.port_range,
            source_port_range: k.source_port_range,
            nic_type: k.nic_type,
            policy: k.policy,
            priority: s.priority,
            destination: match k.destination {
                Destination::Ipv4(v4) => RuleDestination::Ipv4(v4),
                Destination::Ipv6(v6) => RuleDestination::Ipv6(v6),
                Destination::PrefixList => RuleDestination::PrefixList(id),
                // Only modelled rules are viewed so.
                Destination::Group | Destination::Opaque | Destination::Free => {
                    RuleDestination::Group(id)
                }
            },
            source: k.source,
            description: self.text(s.description),
        }
    }

    fn view(&self, s: &StoredRule) -> Rule<'_> {
        let meta = self.text(s.meta);
        let (id, create_time) = meta
            .split_at_checked(usize::from(s.id_len))
            .unwrap_or(("", ""));
        let body = if s.is_modelled() {
            RuleBody::Modelled(self.modelled(s))
        } else {
            let description = self.text(s.description);
            RuleBody::Opaque(OpaqueRule::from_encoded(self.text(s.text), description))
        };
        Rule {
            id,
            create_time,
            body,
        }
    }

    /// The rule in slot `index`.
    pub(crate) fn get(&self, index: usize) -> Option<Rule<'_>> {
        self.slot(index).map(|s| self.view(s))
    }

    /// The slot of the rule after `after` in store order (the first rule
    /// for `None`).
    pub(crate) fn next(&self, after: Option<usize>) -> Option<usize> {
        let link = match after {
            None => self.first,
            Some(index) => self.slot(index)?.after,
        };
        (link as usize).checked_sub(1)
    }

    /// The rules in store order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Rule<'_>> + '_ {
        let mut at = self.next(None);
        core::iter::from_fn(move || {
            let index = at?;
            at = self.next(Some(index));
            self.get(index)
        })
    }

    pub(crate) const fn counts(&self) -> RuleCounts {
        self.counts
    }

    /// The slot of the rule with this key.
    #[inline(always)]
    pub(crate) fn find(&self, key: &RuleKey<'_>) -> Option<usize> {
        self.find_hashed(&StoredKey::of(key), key_hash(key), destination_id(key))
    }

    #[inline(always)]
    fn find_hashed(&self, probe: &StoredKey, hash: u32, destination_id: &str) -> Option<usize> {
        let mut link = *self.heads.get(bucket(hash, self.heads.len()))?;
        while link != 0 {
            let index = link as usize - 1;
            let s = self.slots.get(index)?;
            // An address destination has no id to compare (and an empty
            // slice compare is still a `memcmp` call, a quarter of a lookup).
            if s.hash == hash
                && s.key == *probe
                && (probe.destination.is_address()
                    || self.text_bytes(s.text) == destination_id.as_bytes())
            {
                return Some(index);
            }
            link = s.next;
        }
        None
    }

    /// The slot of the rule with this id (never one without an id).
    pub(crate) fn find_id(&self, id: &str) -> Option<usize> {
        if id.is_empty() {
            return None;
        }
        let mut link = *self
            .id_heads
            .get(bucket(id_hash(id.as_bytes()), self.id_heads.len()))?;
        while link != 0 {
            let index = link as usize - 1;
            let s = self.slots.get(index)?;
            if self.text_bytes(s.id()) == id.as_bytes() {
                return Some(index);
            }
            link = s.next_id;
        }
        None
    }

    /// Stores pieces of text, compacting the arena when that makes room;
    /// all or none. Together, because a compaction between two of them
    /// would drop the first, which no rule references yet.
    fn store_texts<const N: usize>(
        &mut self,
        pieces: [Piece<'_>; N],
    ) -> Result<[TextRef; N], StoreError> {
        let live = self.text.len() - self.garbage;
        if B::GROWS && self.garbage > 4096 && self.garbage > live {
            self.compact();
        }
        if let Some(refs) = self.append(pieces) {
            return Ok(refs);
        }
        if self.garbage == 0 {
            return Err(StoreError::TextFull);
        }
        self.compact();
        self.append(pieces).ok_or(StoreError::TextFull)
    }

    /// Appends pieces at the end of the arena, or leaves it as it was.
    fn append<const N: usize>(&mut self, pieces: [Piece<'_>; N]) -> Option<[TextRef; N]> {
        let mark = self.text.len();
        let mut refs = [TextRef::default(); N];
        for (r, piece) in refs.iter_mut().zip(pieces) {
            let start = u32::try_from(self.text.len()).ok();
            let len = piece.len().and_then(|len| u32::try_from(len).ok());
            let written = match piece {
                _ if len == Some(0) => continue,
                Piece::Text(text) => self.text.try_push(text),
                Piece::Fields(rule) => rule.encode(|piece| self.text.try_push(piece)),
            };
            match (start, len) {
                (Some(start), Some(len)) if written && start.checked_add(len).is_some() => {
                    *r = TextRef { start, len };
                }
                _ => {
                    self.text.cut(mark);
                    return None;
                }
            }
        }
        Some(refs)
    }

    /// Gives back the room of texts no rule references any more: a text
    /// at the end of the arena is cut off (so inserting a rule and removing
    /// it again, as Authorize then Revoke do, leaves no garbage), any other
    /// is counted as garbage for the next compaction. Latest first, so that
    /// a rule's texts, stored together, all come off the end.
    fn release<const N: usize>(&mut self, mut refs: [TextRef; N]) {
        refs.sort_unstable_by_key(|r| core::cmp::Reverse(r.start));
        for r in refs.into_iter().filter(|r| r.len > 0) {
            let end = r.start as usize + r.len as usize;
            if end == self.text.len() {
                self.text.cut(r.start as usize);
            } else {
                self.garbage += r.len as usize;
            }
        }
    }

    /// Drops the garbage from the text arena. A growable arena is copied
    /// into a new one, rule by rule (linear). A bounded one has no room for
    /// a second buffer: its live texts are taken in order of position and
    /// the gap before each is cut out, in place; picking them in order is
    /// quadratic in the number of rules, and each cut moves the rest of
    /// the arena. It only runs when the arena is full.
    fn compact(&mut self) {
        if B::GROWS {
            let mut fresh = B::default();
            for s in self.slots.iter_mut() {
                for r in [&mut s.description, &mut s.text, &mut s.meta] {
                    let from = r.start as usize;
                    let text = self.text.get(from..from + r.len as usize);
                    if let Some(text) = text.filter(|t| !t.is_empty()) {
                        r.start = fresh.len() as u32;
                        fresh.try_push(text);
                    }
                }
            }
            self.text = fresh;
            self.garbage = 0;
            return;
        }
        // `write` is where the next live text goes; everything before it
        // is live. A text not moved yet still has its old start, which
        // the cuts so far have moved left by `removed`.
        let (mut write, mut removed, mut threshold) = (0u32, 0u32, 0u32);
        while let Some(r) = (self.slots.iter_mut())
            .flat_map(|s| [&mut s.description, &mut s.text, &mut s.meta])
            .filter(|r| r.len > 0 && r.start >= threshold)
            .min_by_key(|r| r.start)
        {
            let old = *r;
            let now = old.start.saturating_sub(removed);
            self.text.remove(write as usize..now as usize);
            removed += now.saturating_sub(write);
            r.start = write;
            write += old.len;
            threshold = old.start + 1;
        }
        self.text.cut(write as usize);
        self.garbage = 0;
    }

    /// Rebuilds both bucket chains (after the bucket arrays grew).
    fn relink(&mut self) {
        self.heads.fill(0);
        self.id_heads.fill(0);
        for index in 0..self.slots.len() {
            let Some(s) = self.slots.get(index).copied() else {
                break;
            };
            if !s.is_free() {
                self.link_buckets(index, &s);
            }
        }
    }

    /// Puts the rule in slot `index` at the head of its key bucket (when
    /// modelled) and its id bucket (when it has an id).
    fn link_buckets(&mut self, index: usize, s: &StoredRule) {
        let key_head = s
            .is_modelled()
            .then(|| bucket(s.hash, self.heads.len()))
            .and_then(|b| self.heads.get_mut(b))
            .map(|head| core::mem::replace(head, link(index)));
        let id = self.text_bytes(s.id());
        let id_head = (!id.is_empty())
            .then(|| bucket(id_hash(id), self.id_heads.len()))
            .and_then(|b| self.id_heads.get_mut(b))
            .map(|head| core::mem::replace(head, link(index)));
        if let Some(slot) = self.slots.get_mut(index) {
            slot.next = key_head.unwrap_or(0);
            slot.next_id = id_head.unwrap_or(0);
        }
    }

    /// Takes the rule in slot `index` out of its key bucket's chain.
    fn unlink_key(&mut self, index: usize) {
        let Some(s) = self.slot(index).copied().filter(StoredRule::is_modelled) else {
            return;
        };
        let b = bucket(s.hash, self.heads.len());
        let mut at = self.heads.get(b).copied().unwrap_or(0);
        if at == link(index) {
            if let Some(head) = self.heads.get_mut(b) {
                *head = s.next;
            }
            return;
        }
        while let Some(prev) = (at as usize)
            .checked_sub(1)
            .and_then(|i| self.slots.get_mut(i))
        {
            if prev.next == link(index) {
                prev.next = s.next;
                return;
            }
            at = prev.next;
        }
    }

    /// Takes the rule in slot `index` out of its id bucket's chain.
    fn unlink_id(&mut self, index: usize) {
        let Some(s) = self.slot(index).copied() else {
            return;
        };
        let id = self.text_bytes(s.id());
        if id.is_empty() {
            return;
        }
        let b = bucket(id_hash(id), self.id_heads.len());
        let mut at = self.id_heads.get(b).copied().unwrap_or(0);
        if at == link(index) {
            if let Some(head) = self.id_heads.get_mut(b) {
                *head = s.next_id;
            }
            return;
        }
        while let Some(prev) = (at as usize)
            .checked_sub(1)
            .and_then(|i| self.slots.get_mut(i))
        {
            if prev.next_id == link(index) {
                prev.next_id = s.next_id;
                return;
            }
            at = prev.next_id;
        }
    }

    /// Adds a rule at the end of store order, in a free slot if there is
    /// one, and returns its slot.
    ///
    /// # Errors
    ///
    /// An invalid rule, a key or an id already present, or a full table or
    /// arena; on error the table is unchanged.
    pub(crate) fn insert(&mut self, rule: &Rule<'_>) -> Result<usize, StoreError> {
        if rule.id.len() > ID_MAX_BYTES {
            return Err(StoreError::InvalidRule(InvalidRule::RuleId));
        }
        let id_len = rule.id.len() as u16;
        if u16::try_from(rule.create_time.len()).is_err() {
            return Err(StoreError::TextFull);
        }
        if self.find_id(rule.id).is_some() {
            return Err(StoreError::DuplicateRuleId);
        }
        let (key, hash, text, description) = match &rule.body {
            RuleBody::Modelled(modelled) => {
                modelled.check().map_err(StoreError::InvalidRule)?;
                let key = modelled.key();
                let (probe, hash) = (StoredKey::of(&key), key_hash(&key));
                let id = destination_id(&key);
                if let Some(existing) = self.find_hashed(&probe, hash, id) {
                    return Err(StoreError::DuplicateRule(existing));
                }
                (probe, hash, Piece::Text(id), modelled.description)
            }
            RuleBody::Opaque(opaque) => {
                if crate::text::over_max_chars(opaque.description()) {
                    return Err(StoreError::InvalidRule(InvalidRule::Description));
                }
                let key = StoredKey::unkeyed(Destination::Opaque);
                (key, 0, Piece::Fields(opaque), opaque.description())
            }
        };
        let reused = (self.free as usize).checked_sub(1);
        let index = reused.unwrap_or(self.slots.len());
        if index >= u32::MAX as usize - 1 {
            return Err(StoreError::RulesFull);
        }
        let pieces = [
            Piece::Text(description),
            text,
            Piece::Text(rule.id),
            Piece::Text(rule.create_time),
        ];
        let [description, text, id, time] = self.store_texts(pieces)?;
        let meta = match (id.len, time.len) {
            (0, _) => time,
            (_, 0) => id,
            _ => TextRef {
                start: id.start,
                len: id.len + time.len,
            },
        };
        let stored = StoredRule {
            key,
            text,
            description,
            meta,
            id_len,
            priority: rule.modelled().map_or(Priority::DEFAULT, |r| r.priority),
            hash,
            next: 0,
            next_id: 0,
            before: self.last,
            after: 0,
        };
        let slot = reused.and_then(|i| self.slots.get_mut(i));
        if let Some(slot) = slot {
            self.free = slot.next;
            *slot = stored;
        } else if !self.slots.try_extend(&[stored]) {
            // The texts just stored are unreferenced.
            self.release([description, text, meta]);
            return Err(StoreError::RulesFull);
        }
        // Order: append at the end.
        match (self.last as usize)
            .checked_sub(1)
            .and_then(|i| self.slots.get_mut(i))
        {
            Some(last) => last.after = link(index),
            None => self.first = link(index),
        }
        self.last = link(index);
        self.counts.egress += 1;
        if key.destination == Destination::Group {
            self.counts.group_destinations += 1;
        }
        let buckets = self.heads.len();
        let grown = (buckets * 2).max(8);
        if self.slots.len() > buckets && self.heads.try_resize(grown, 0) {
            // Both arrays have one type: if one grows, so does the other.
            self.id_heads.try_resize(grown, 0);
            self.relink();
        } else {
            self.link_buckets(index, &stored);
        }
        Ok(index)
    }

    /// Removes the rule in slot `index`; the slot goes on the free list.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoSuchRule`]; then nothing changes.
    pub(crate) fn remove(&mut self, index: usize) -> Result<usize, StoreError> {
        let s = self.slot(index).copied().ok_or(StoreError::NoSuchRule)?;
        self.unlink_key(index);
        self.unlink_id(index);
        match (s.before as usize)
            .checked_sub(1)
            .and_then(|i| self.slots.get_mut(i))
        {
            Some(before) => before.after = s.after,
            None => self.first = s.after,
        }
        match (s.after as usize)
            .checked_sub(1)
            .and_then(|i| self.slots.get_mut(i))
        {
            Some(after) => after.before = s.before,
            None => self.last = s.before,
        }
        self.release([s.description, s.text, s.meta]);
        if let Some(slot) = self.slots.get_mut(index) {
            *slot = StoredRule {
                next: self.free,
                ..StoredRule::FREE
            };
        }
        self.free = link(index);
        self.counts.egress -= 1;
        if s.key.destination == Destination::Group {
            self.counts.group_destinations -= 1;
        }
        Ok(index)
    }

    /// Gives the modelled rule in slot `index` new fields, in place: its
    /// slot, id, create time and place in store order stay.
    ///
    /// # Errors
    ///
    /// No such rule, an opaque rule, an invalid rule, another rule's key,
    /// or a full arena; on error nothing changes.
    pub(crate) fn replace(
        &mut self,
        index: usize,
        rule: &EgressRule<'_>,
    ) -> Result<usize, StoreError> {
        let old = self.slot(index).copied().ok_or(StoreError::NoSuchRule)?;
        if !old.is_modelled() {
            return Err(StoreError::OpaqueRule);
        }
        rule.check().map_err(StoreError::InvalidRule)?;
        let key = rule.key();
        let (probe, hash, id) = (StoredKey::of(&key), key_hash(&key), destination_id(&key));
        match self.find_hashed(&probe, hash, id) {
            Some(other) if other != index => return Err(StoreError::DuplicateRule(other)),
            _ => {}
        }
        // Texts the rule already has keep their place in the arena.
        let same_description = self.text_bytes(old.description) == rule.description.as_bytes();
        let same_id = self.text_bytes(old.text) == id.as_bytes();
        let pieces = [
            Piece::Text(if same_description {
                ""
            } else {
                rule.description
            }),
            Piece::Text(if same_id { "" } else { id }),
        ];
        let [description, text] = self.store_texts(pieces)?;
        self.unlink_key(index);
        // A compaction may have moved the old texts: read the slot again.
        let Some(slot) = self.slots.get_mut(index) else {
            return Err(StoreError::NoSuchRule);
        };
        if !same_description {
            self.garbage += slot.description.len as usize;
            slot.description = description;
        }
        if !same_id {
            self.garbage += slot.text.len as usize;
            slot.text = text;
        }
        slot.key = probe;
        slot.hash = hash;
        slot.priority = rule.priority;
        let was_group = old.key.destination == Destination::Group;
        let is_group = probe.destination == Destination::Group;
        self.counts.group_destinations =
            self.counts.group_destinations + usize::from(is_group) - usize::from(was_group);
        let b = bucket(hash, self.heads.len());
        if let Some(head) = self.heads.get_mut(b) {
            let next = core::mem::replace(head, link(index));
            if let Some(slot) = self.slots.get_mut(index) {
                slot.next = next;
            }
        }
        Ok(index)
    }

    fn set_description_ref(&mut self, index: usize, r: TextRef) {
        if let Some(s) = self.slots.get_mut(index) {
            s.description = r;
        }
    }

    /// Replaces the description of the rule in slot `index` (empty clears
    /// it); nothing is written when it already is `description`.
    ///
    /// # Errors
    ///
    /// No such rule, a description over 512 characters, or a full arena;
    /// on error the rule keeps its description.
    pub(crate) fn set_description(
        &mut self,
        index: usize,
        description: &str,
    ) -> Result<usize, StoreError> {
        let old = self.slot(index).map(|s| s.description);
        let old = old.ok_or(StoreError::NoSuchRule)?;
        if self.text_bytes(old) == description.as_bytes() {
            return Ok(index);
        }
        if crate::text::over_max_chars(description) {
            return Err(StoreError::InvalidRule(InvalidRule::Description));
        }
        // Free the old text first so that a full arena can reuse its room.
        // Keep a copy: if the new text still does not fit, the old one goes
        // back, and it always fits in the room it left.
        let mut pre_image: heapless::String<{ crate::text::DESCRIPTION_MAX_BYTES }> =
            heapless::String::new();
        let _ = pre_image.push_str(self.text(old));
        self.set_description_ref(index, TextRef::default());
        // Cut off when it ends the arena, so that editing one text again
        // and again leaves no garbage.
        self.release([old]);
        let stored = self.store_texts([Piece::Text(description)]);
        let [r] =
            stored.unwrap_or_else(|_| self.store_texts([Piece::Text(&pre_image)]).unwrap_or([old]));
        self.set_description_ref(index, r);
        stored.map(|_| index)
    }
}

// On the growable table: its buckets grow as keys come, which the test
// goes through.
#[cfg(all(test, feature = "alloc"))]
mod tests {
    use super::*;

    fn key(destination: RuleDestination<'_>, port: u16) -> RuleKey<'_> {
        RuleKey {
            protocol: IpProtocol::Tcp,
            port_range: PortRange::new_assert(port, port),
            source_port_range: None,
            nic_type: NicType::Intranet,
            policy: Policy::Accept,
            destination,
            source: None,
        }
    }

    fn variants() -> std::vec::Vec<RuleKey<'static>> {
        let bare: Ipv4Cidr = "10.0.0.1".parse().unwrap();
        let slash32: Ipv4Cidr = "10.0.0.1/32".parse().unwrap();
        let mut keys = std::vec![
            key(RuleDestination::Ipv4(bare), 80),
            key(RuleDestination::Ipv4(slash32), 80),
            key(RuleDestination::Ipv4("10.0.0.1/8".parse().unwrap()), 80),
            key(RuleDestination::Ipv4(bare), 81),
            key(RuleDestination::Group("sg-1"), 80),
            key(RuleDestination::Group("sg-2"), 80),
            key(RuleDestination::Group("sg-123456789abcdefgh"), 80),
            key(RuleDestination::Ipv6("::a00:1/128".parse().unwrap()), 80),
            key(RuleDestination::Ipv6("::a00:1".parse().unwrap()), 80),
            key(RuleDestination::Ipv6("2408:4000::/32".parse().unwrap()), 80),
        ];
        let mut with_source = keys[0];
        with_source.source = Some(Source::Ipv4(bare));
        let mut with_v6_source = keys[7];
        with_v6_source.source = Some(Source::Ipv6("fe80::1/64".parse().unwrap()));
        let mut with_ports = keys[0];
        with_ports.source_port_range = Some(PortRange::new_assert(1, 2));
        let mut with_any_ports = keys[0];
        with_any_ports.protocol = IpProtocol::All;
        with_any_ports.port_range = PortRange::ANY;
        with_any_ports.source_port_range = Some(PortRange::ANY);
        let mut drop = keys[0];
        drop.policy = Policy::Drop;
        let mut internet = keys[0];
        internet.nic_type = NicType::Internet;
        let mut all = keys[0];
        all.protocol = IpProtocol::All;
        all.port_range = PortRange::ANY;
        keys.extend([
            with_source,
            with_v6_source,
            with_ports,
            with_any_ports,
            drop,
            internet,
            all,
            key(RuleDestination::PrefixList("sg-1"), 80),
            key(RuleDestination::PrefixList("pl-1"), 80),
        ]);
        keys
    }

    fn rule<'a>(k: &RuleKey<'a>) -> EgressRule<'a> {
        EgressRule {
            protocol: k.protocol,
            port_range: k.port_range,
            source_port_range: k.source_port_range,
            nic_type: k.nic_type,
            policy: k.policy,
            priority: Priority::DEFAULT,
            destination: k.destination,
            source: k.source,
            description: "d",
        }
    }

    fn stored<'a>(rule: EgressRule<'a>) -> Rule<'a> {
        Rule {
            id: "",
            create_time: "",
            body: RuleBody::Modelled(rule),
        }
    }

    type Table = RuleTable<std::vec::Vec<StoredRule>, std::vec::Vec<u32>, std::string::String>;

    #[test]
    fn every_key_is_stored_apart_found_and_given_back() {
        let keys = variants();
        let mut table = Table::new(0);
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(table.insert(&stored(rule(k))), Ok(i), "{k:?}");
        }
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(table.find(k), Some(i), "{k:?}");
            assert_eq!(table.get(i), Some(stored(rule(k))));
            assert_eq!(
                table.insert(&stored(rule(k))),
                Err(StoreError::DuplicateRule(i))
            );
        }
        // IPv6 is compared by value, however it was written; a group id by
        // its text, wherever it lives.
        let v6: Ipv6Cidr = "2408:4000:0:0::/32".parse().unwrap();
        assert_eq!(table.find(&key(RuleDestination::Ipv6(v6), 80)), Some(9));
        let group = std::string::String::from("sg-1");
        assert_eq!(
            table.find(&key(RuleDestination::Group(&group), 80)),
            Some(4)
        );
        assert_eq!(table.find(&key(RuleDestination::Group("sg-3"), 80)), None);
        assert_eq!(table.counts().group_destinations, 3);
        assert_eq!(table.counts().egress, keys.len());
    }

    #[test]
    fn removed_slots_are_reused_and_order_is_kept() {
        let keys = variants();
        let mut table = Table::new(0);
        for k in &keys {
            table.insert(&stored(rule(k))).unwrap();
        }
        assert_eq!(table.remove(4), Ok(4));
        assert_eq!(table.remove(4), Err(StoreError::NoSuchRule));
        assert_eq!(table.remove(0), Ok(0));
        assert_eq!(table.find(&keys[4]), None);
        // The last freed slot is reused first; the rule goes last.
        assert_eq!(table.insert(&stored(rule(&keys[4]))), Ok(0));
        let order: std::vec::Vec<usize> =
            core::iter::successors(table.next(None), |&i| table.next(Some(i))).collect();
        let mut expected: std::vec::Vec<usize> = (1..keys.len()).filter(|&i| i != 4).collect();
        expected.push(0);
        assert_eq!(order, expected);
        assert_eq!(table.find(&keys[4]), Some(0));
        assert_eq!(table.counts().group_destinations, 3);
    }
}
