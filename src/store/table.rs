//! A group's egress rules: a vector of compact rules, a chained hash index
//! over their keys (a lookup compares the rules of one bucket, about one),
//! and a text arena for descriptions and group ids.

use core::str;

use super::StoreError;
use super::buffer::Buffer;
use crate::cidr::{Ipv4Cidr, Ipv6Cidr};
use crate::hash::hash;
use crate::model::{EgressRule, InvalidRule, RuleDestination, RuleKey};
use crate::nic::NicType;
use crate::policy::Policy;
use crate::port::PortRange;
use crate::priority::Priority;
use crate::protocol::IpProtocol;
use crate::request::Source;

/// A span of the text arena; the empty text is always `(0, 0)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TextRef {
    start: u32,
    len: u32,
}

/// A rule's destination as stored: a group's id lives in the text arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Destination {
    Ipv4(Ipv4Cidr),
    Ipv6(Ipv6Cidr),
    Group,
}

/// A [`RuleKey`] as stored, without the text of a group id.
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
            },
            source: key.source,
        }
    }
}

/// One rule as stored: its key, its priority, and references into the
/// text arena. See [`crate::store`] for its size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StoredRule {
    key: StoredKey,
    /// The destination group's id; empty for an address destination.
    group: TextRef,
    description: TextRef,
    hash: u32,
    /// Index + 1 of the next rule in the same bucket; 0 ends the chain.
    next: u32,
    priority: Priority,
}

/// Maps a hash onto `0..len` without a division (Lemire's fastrange).
fn bucket(hash: u32, len: usize) -> usize {
    ((u64::from(hash) * len as u64) >> 32) as usize
}

/// The 32-bit hash a table files a key under.
fn key_hash(key: &RuleKey<'_>) -> u32 {
    let h = hash(key);
    (h >> 32) as u32 ^ h as u32
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
    B: Buffer<u8>,
{
    /// An empty table with `buckets` buckets to start with.
    pub(crate) fn new(buckets: usize) -> Self {
        let mut heads = H::default();
        // A bounded table is given exactly its capacity, which it accepts.
        heads.try_resize(buckets, 0);
        RuleTable {
            rules: R::default(),
            heads,
            text: B::default(),
            garbage: 0,
        }
    }

    fn text_bytes(&self, r: TextRef) -> &[u8] {
        let start = r.start as usize;
        self.text.get(start..start + r.len as usize).unwrap_or(&[])
    }

    fn text(&self, r: TextRef) -> &str {
        str::from_utf8(self.text_bytes(r)).unwrap_or("")
    }

    fn view(&self, s: &StoredRule) -> EgressRule<'_> {
        let k = s.key;
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
                Destination::Group => RuleDestination::Group(self.text(s.group)),
            },
            source: k.source,
            description: self.text(s.description),
        }
    }

    /// The rule at `index`.
    pub(crate) fn get(&self, index: usize) -> Option<EgressRule<'_>> {
        self.rules.get(index).map(|s| self.view(s))
    }

    /// The rules in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = EgressRule<'_>> + '_ {
        self.rules.iter().map(|s| self.view(s))
    }

    /// The index of the rule with this key.
    #[inline(always)]
    pub(crate) fn find(&self, key: &RuleKey<'_>) -> Option<usize> {
        self.find_hashed(&StoredKey::of(key), key_hash(key), group_id(key))
    }

    #[inline(always)]
    fn find_hashed(&self, probe: &StoredKey, hash: u32, group_id: &str) -> Option<usize> {
        let mut link = *self.heads.get(bucket(hash, self.heads.len()))?;
        while link != 0 {
            let index = link as usize - 1;
            let s = self.rules.get(index)?;
            if s.hash == hash && s.key == *probe && self.text_bytes(s.group) == group_id.as_bytes()
            {
                return Some(index);
            }
            link = s.next;
        }
        None
    }

    /// Stores a rule's texts, compacting the arena when that makes room;
    /// all or none. Together, because a compaction between two of them
    /// would drop the first, which no rule references yet.
    fn store_texts<const N: usize>(
        &mut self,
        texts: [&str; N],
    ) -> Result<[TextRef; N], StoreError> {
        let live = self.text.len() - self.garbage;
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
        let mark = self.text.len();
        let mut refs = [TextRef::default(); N];
        for (r, text) in refs.iter_mut().zip(texts) {
            let start = u32::try_from(self.text.len()).ok();
            match (start, u32::try_from(text.len()).ok()) {
                (_, Some(0)) => {}
                (Some(start), Some(len)) if self.text.try_extend(text.as_bytes()) => {
                    *r = TextRef { start, len };
                }
                _ => {
                    self.text.try_resize(mark, 0);
                    return None;
                }
            }
        }
        Some(refs)
    }

    /// Drops the garbage from the text arena. A growable arena is copied
    /// into a new one, rule by rule (linear). A bounded one has no room for
    /// a second buffer: its live texts slide to the front in order of
    /// position, in place, which is quadratic in the number of rules; it
    /// only runs when the arena is full.
    fn compact(&mut self) {
        if B::GROWS {
            let mut fresh = B::default();
            for s in self.rules.iter_mut() {
                for r in [&mut s.description, &mut s.group] {
                    let from = r.start as usize;
                    let bytes = self.text.get(from..from + r.len as usize);
                    if let Some(bytes) = bytes.filter(|b| !b.is_empty()) {
                        r.start = fresh.len() as u32;
                        fresh.try_extend(bytes);
                    }
                }
            }
            self.text = fresh;
            self.garbage = 0;
            return;
        }
        let mut write = 0u32;
        let mut threshold = 0u32;
        while let Some(r) = (self.rules.iter_mut())
            .flat_map(|s| [&mut s.description, &mut s.group])
            .filter(|r| r.len > 0 && r.start >= threshold)
            .min_by_key(|r| r.start)
        {
            let old = *r;
            r.start = write;
            let from = old.start as usize;
            self.text
                .copy_within(from..from + old.len as usize, write as usize);
            write += old.len;
            threshold = old.start + 1;
        }
        self.text.try_resize(write as usize, 0);
        self.garbage = 0;
    }

    /// Rebuilds the bucket chains (after the bucket array grew).
    fn relink(&mut self) {
        self.heads.fill(0);
        let buckets = self.heads.len();
        for (index, s) in self.rules.iter_mut().enumerate() {
            if let Some(head) = self.heads.get_mut(bucket(s.hash, buckets)) {
                s.next = *head;
                *head = index as u32 + 1;
            }
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
        let (probe, hash) = (StoredKey::of(&key), key_hash(&key));
        if let Some(existing) = self.find_hashed(&probe, hash, group_id(&key)) {
            return Err(StoreError::DuplicateRule(existing));
        }
        let index = self.rules.len();
        let link = u32::try_from(index + 1).map_err(|_| StoreError::RulesFull)?;
        let [description, group] = self.store_texts([rule.description, group_id(&key)])?;
        let buckets = self.heads.len();
        let slot = bucket(hash, buckets);
        let stored = StoredRule {
            key: probe,
            group,
            description,
            hash,
            next: self.heads.get(slot).copied().unwrap_or(0),
            priority: rule.priority,
        };
        if !self.rules.try_extend(&[stored]) {
            // The texts just stored are unreferenced: count them as garbage.
            self.garbage += description.len as usize + group.len as usize;
            return Err(StoreError::RulesFull);
        }
        if self.rules.len() > buckets && self.heads.try_resize((buckets * 2).max(8), 0) {
            self.relink();
        } else if let Some(head) = self.heads.get_mut(slot) {
            *head = link;
        }
        Ok(index)
    }

    fn set_description_ref(&mut self, index: usize, r: TextRef) {
        if let Some(s) = self.rules.get_mut(index) {
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
        let old = self.rules.get(index).map(|s| s.description);
        let old = old.ok_or(StoreError::NoSuchRule)?;
        if self.text_bytes(old) == description.as_bytes() {
            return Ok(false);
        }
        if crate::text::over_max_chars(description) {
            return Err(StoreError::InvalidRule(InvalidRule::Description));
        }
        let len = description.len() as u32;
        // A text that fits in the old one's room is written over it: no
        // garbage beyond the tail, so no compaction for like-sized edits.
        let at = old.start as usize;
        if let Some(room) = (len <= old.len)
            .then(|| self.text.get_mut(at..at + description.len()))
            .flatten()
        {
            room.copy_from_slice(description.as_bytes());
            let start = if len == 0 { 0 } else { old.start };
            self.garbage += (old.len - len) as usize;
            self.set_description_ref(index, TextRef { start, len });
            return Ok(true);
        }
        // Free the old text first so that a full arena can reuse its room.
        // Keep a copy: if the new text still does not fit, the old one goes
        // back, and it always fits in the room it left.
        let mut pre_image: heapless::String<{ crate::text::DESCRIPTION_MAX_BYTES }> =
            heapless::String::new();
        let _ = pre_image.push_str(self.text(old));
        self.garbage += old.len as usize;
        self.set_description_ref(index, TextRef::default());
        let stored = self.store_texts([description]);
        let [r] = stored.unwrap_or_else(|_| self.store_texts([&pre_image]).unwrap_or([old]));
        self.set_description_ref(index, r);
        stored.map(|_| true)
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

    type Table = RuleTable<std::vec::Vec<StoredRule>, std::vec::Vec<u32>, std::vec::Vec<u8>>;

    #[test]
    fn every_key_is_stored_apart_found_and_given_back() {
        let keys = variants();
        let mut table = Table::new(0);
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(table.insert(&rule(k)), Ok(i), "{k:?}");
        }
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(table.find(k), Some(i), "{k:?}");
            assert_eq!(table.get(i), Some(rule(k)));
            assert_eq!(table.insert(&rule(k)), Err(StoreError::DuplicateRule(i)));
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
    }
}
