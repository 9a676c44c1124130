//! `ClientToken` memory for idempotent retries (SPEC §12.7), without heap.

use crate::hash::hash;

/// The longest `ClientToken` the API takes, in bytes.
const TOKEN_MAX_BYTES: usize = 64;

/// The last `N` client tokens remembered, each with the fingerprint of the
/// request that used it; the oldest is forgotten first. No heap.
///
/// A ring of `N` entries in the order remembered, and an open-addressing
/// index of `2 × N` slots (linear probing, at most half full, deletion by
/// backward shift): `get`, `remember` and `forget` hash the token once and
/// compare about one entry, never a scan of the `N`. A forgotten token
/// leaves a hole in the ring that the ring's turn fills, so the guarantee
/// is: of the last `N` tokens remembered, every one not forgotten is
/// still there.
///
/// About `N × 96` bytes (≈ 400 KiB for the default 4,096): give it a
/// `static`, a `Box` or a big enough stack.
///
/// ```
/// use aliyun_sg_egress::store::Tokens;
/// let mut tokens: Tokens<2> = Tokens::new();
/// assert!(tokens.remember("a", 1) && tokens.remember("b", 2));
/// assert_eq!(tokens.get("a"), Some(1));
/// tokens.remember("c", 3); // forgets "a", the oldest
/// assert_eq!((tokens.get("a"), tokens.get("b"), tokens.get("c")), (None, Some(2), Some(3)));
/// tokens.forget("b");
/// assert_eq!(tokens.get("b"), None);
/// ```
#[derive(Clone, Debug)]
pub struct Tokens<const N: usize = 4096> {
    entries: [Entry; N],
    /// `2 × N` slots, two to an element: entry position + 1, 0 for empty.
    index: [[u32; 2]; N],
    /// The ring position the next new token takes.
    next: usize,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    hash: u64,
    fingerprint: u64,
    /// 0 for an empty entry (an empty token is never remembered).
    len: u8,
    text: [u8; TOKEN_MAX_BYTES],
}

impl Entry {
    const EMPTY: Entry = Entry {
        hash: 0,
        fingerprint: 0,
        len: 0,
        text: [0; TOKEN_MAX_BYTES],
    };

    fn token(&self) -> &[u8] {
        self.text.get(..usize::from(self.len)).unwrap_or(&[])
    }
}

impl<const N: usize> Default for Tokens<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Tokens<N> {
    /// Remembers nothing yet.
    pub const fn new() -> Self {
        Tokens {
            entries: [Entry::EMPTY; N],
            index: [[0; 2]; N],
            next: 0,
        }
    }

    const SLOTS: usize = 2 * N;

    fn slot(&self, i: usize) -> u32 {
        self.index
            .get(i / 2)
            .and_then(|pair| pair.get(i % 2))
            .copied()
            .unwrap_or(0)
    }

    fn set_slot(&mut self, i: usize, value: u32) {
        if let Some(slot) = self
            .index
            .get_mut(i / 2)
            .and_then(|pair| pair.get_mut(i % 2))
        {
            *slot = value;
        }
    }

    /// Where a hash starts probing (Lemire's fastrange).
    fn home(hash: u64) -> usize {
        ((u128::from(hash) * Self::SLOTS as u128) >> 64) as usize
    }

    /// The index slot and entry position of a token.
    fn find(&self, token: &[u8], hash: u64) -> Option<(usize, usize)> {
        let mut i = Self::home(hash);
        // At most half the slots are taken, so an empty one ends the probe.
        for _ in 0..Self::SLOTS {
            let position = (self.slot(i) as usize).checked_sub(1)?;
            let entry = self.entries.get(position)?;
            if entry.hash == hash && entry.token() == token {
                return Some((i, position));
            }
            i = (i + 1) % Self::SLOTS;
        }
        None
    }

    /// Empties index slot `hole`, moving later entries of its probe run
    /// back so that every entry stays reachable from its home.
    fn delete_slot(&mut self, mut hole: usize) {
        let mut j = hole;
        loop {
            j = (j + 1) % Self::SLOTS;
            let value = self.slot(j);
            let Some(position) = (value as usize).checked_sub(1) else {
                break;
            };
            let home = self.entries.get(position).map_or(j, |e| Self::home(e.hash));
            // The entry may fill the hole unless its home lies cyclically
            // in (hole, j].
            let stays = if hole <= j {
                hole < home && home <= j
            } else {
                hole < home || home <= j
            };
            if !stays {
                self.set_slot(hole, value);
                hole = j;
            }
        }
        self.set_slot(hole, 0);
    }

    /// The fingerprint remembered with this token.
    pub fn get(&self, token: &str) -> Option<u64> {
        let (_, position) = self.find(token.as_bytes(), hash(token.as_bytes()))?;
        self.entries.get(position).map(|e| e.fingerprint)
    }

    /// Remembers a token with its request's fingerprint (a token already
    /// remembered gets the new fingerprint and keeps its age), forgetting
    /// the oldest when full. `false` for a token this memory cannot hold:
    /// empty, or over 64 bytes (the API's limit).
    pub fn remember(&mut self, token: &str, fingerprint: u64) -> bool {
        let bytes = token.as_bytes();
        if bytes.is_empty() || bytes.len() > TOKEN_MAX_BYTES || N == 0 {
            return false;
        }
        let (text, len) = (bytes, bytes.len() as u8);
        let h = hash(bytes);
        if let Some((_, position)) = self.find(bytes, h) {
            if let Some(entry) = self.entries.get_mut(position) {
                entry.fingerprint = fingerprint;
            }
            return true;
        }
        let position = self.next;
        self.next = (self.next + 1) % N;
        let oldest = self.entries.get(position).copied().filter(|e| e.len > 0);
        if let Some((slot, _)) = oldest.and_then(|old| self.find(old.token(), old.hash)) {
            self.delete_slot(slot);
        }
        let mut entry = Entry {
            hash: h,
            fingerprint,
            len,
            text: [0; TOKEN_MAX_BYTES],
        };
        if let Some(room) = entry.text.get_mut(..text.len()) {
            room.copy_from_slice(text);
        }
        if let Some(e) = self.entries.get_mut(position) {
            *e = entry;
        }
        let mut i = Self::home(h);
        while self.slot(i) != 0 {
            i = (i + 1) % Self::SLOTS;
        }
        // Positions are below N, and N entries fit a u32 index in practice.
        self.set_slot(i, position as u32 + 1);
        true
    }

    /// Forgets a token (for a request that failed after all); `false` when
    /// it was not remembered.
    pub fn forget(&mut self, token: &str) -> bool {
        let Some((slot, position)) = self.find(token.as_bytes(), hash(token.as_bytes())) else {
            return false;
        };
        self.delete_slot(slot);
        if let Some(e) = self.entries.get_mut(position) {
            *e = Entry::EMPTY;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;
    use std::string::String;
    use std::vec::Vec;

    /// A plain model: a list, oldest first, of at most N remembered tokens.
    #[test]
    fn agrees_with_a_list_over_many_operations() {
        const N: usize = 16;
        let mut tokens: Tokens<N> = Tokens::new();
        // The ring: the last N tokens remembered, `None` where forgotten.
        let mut ring: Vec<Option<(String, u64)>> = Vec::new();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for step in 0..20_000u64 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let token = format!("t{}", seed % 40);
            match seed % 5 {
                0 => {
                    let known = ring.iter().flatten().any(|(t, _)| *t == token);
                    assert_eq!(tokens.forget(&token), known);
                    for e in &mut ring {
                        if e.as_ref().is_some_and(|(t, _)| *t == token) {
                            *e = None;
                        }
                    }
                }
                1 | 2 => {
                    assert!(tokens.remember(&token, step));
                    match ring.iter_mut().flatten().find(|(t, _)| *t == token) {
                        Some(e) => e.1 = step,
                        None => {
                            if ring.len() == N {
                                ring.remove(0);
                            }
                            ring.push(Some((token.clone(), step)));
                        }
                    }
                }
                _ => {}
            }
            let expected = ring
                .iter()
                .flatten()
                .find(|(t, _)| *t == token)
                .map(|e| e.1);
            assert_eq!(tokens.get(&token), expected, "step {step} {token}");
        }
    }

    #[test]
    fn tokens_it_cannot_hold_are_refused() {
        let mut tokens: Tokens<4> = Tokens::new();
        assert!(!tokens.remember("", 1));
        assert!(!tokens.remember(&"x".repeat(65), 1));
        assert!(tokens.remember(&"x".repeat(64), 1));
        assert_eq!(tokens.get(&"x".repeat(64)), Some(1));
        let mut none: Tokens<0> = Tokens::new();
        assert!(!none.remember("a", 1));
        assert_eq!(none.get("a"), None);
    }
}
