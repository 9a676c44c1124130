//! Byte searches eight bytes at a time in a `u64` ("SIMD within a
//! register"), portable and free of `unsafe`: the query splitter and the
//! body escapers use them to skip plain text quickly, and the stores to
//! compare and hash ids a word at a time.

use core::marker::PhantomData;

const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
const LOWS: u64 = u64::from_ne_bytes([0x7F; 8]);
const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);

/// For each byte of `word`, its high bit set when the byte is not zero
/// (exact for every byte, unlike the borrow-based test).
#[inline]
fn nonzero(word: u64) -> u64 {
    ((word & LOWS).wrapping_add(LOWS)) | word
}

/// Marks (sets the high bit of) exactly the bytes of `word` equal to one of
/// `bytes`.
#[inline]
pub(crate) fn marks_any<const N: usize>(word: u64, bytes: [u8; N]) -> u64 {
    let mut all_differ = HIGHS;
    for byte in bytes {
        all_differ &= nonzero(word ^ (ONES * u64::from(byte)));
    }
    !all_differ & HIGHS
}

/// Marks exactly the bytes of `word` below `limit` (at most 0x80).
#[inline]
pub(crate) fn marks_below(word: u64, limit: u8) -> u64 {
    // A byte is below `limit` when its high bit is clear and adding
    // `0x80 - limit` to its low seven bits does not reach 0x80.
    let lifted = (word & LOWS).wrapping_add(ONES * u64::from(0x80 - limit.min(0x80)));
    !(lifted | word) & HIGHS
}

/// The word of `bytes` at `at`, little-endian, padded with zero bytes past
/// the end.
#[inline]
pub(crate) fn load(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0u8; 8];
    match bytes.get(at..at + 8) {
        Some(chunk) => word.copy_from_slice(chunk),
        None => {
            let rest = bytes.get(at..).unwrap_or(&[]);
            if let Some(head) = word.get_mut(..rest.len()) {
                head.copy_from_slice(rest);
            }
        }
    }
    u64::from_le_bytes(word)
}

/// An 8-byte chunk as a word, little-endian.
#[inline]
pub(crate) fn chunk_word(chunk: &[u8]) -> u64 {
    <[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes)
}

/// A word covering the bytes past the last full 8-byte chunk, without a
/// byte loop: the last eight bytes (overlapping the chunks) when there are
/// eight or more; else the first and last four; else the first, middle
/// and last byte (wyhash's trick); 0 for none. Two slices of one length
/// are equal exactly when their chunks and these words are.
#[inline]
pub(crate) fn tail_word(bytes: &[u8]) -> u64 {
    let n = bytes.len();
    let u32_at = |at: usize| {
        bytes
            .get(at..at + 4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map_or(0, u32::from_le_bytes)
    };
    let byte_at = |at: usize| bytes.get(at).copied().map_or(0, u64::from);
    if n >= 8 {
        bytes.get(n - 8..).map_or(0, chunk_word)
    } else if n >= 4 {
        u64::from(u32_at(0)) | u64::from(u32_at(n - 4)) << 32
    } else if n > 0 {
        byte_at(0) | byte_at(n / 2) << 8 | byte_at(n - 1) << 16
    } else {
        0
    }
}

/// Byte equality a word at a time, inline: for the short ids compared on
/// every request, cheaper than a call to `memcmp`.
#[inline]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len()
        && a.chunks_exact(8)
            .zip(b.chunks_exact(8))
            .all(|(x, y)| chunk_word(x) == chunk_word(y))
        && tail_word(a) == tail_word(b)
}

/// Which bytes of a word a [`MarkedBytes`] reports (a type, not a function
/// pointer, so the marking is inlined into the scan).
pub(crate) trait Marker {
    /// Sets the high bit of each byte of `word` to report.
    fn mark(word: u64) -> u64;
}

/// The positions in a byte string of the bytes `M` marks, in order, one
/// word at a time.
pub(crate) struct MarkedBytes<'a, M> {
    bytes: &'a [u8],
    marker: PhantomData<M>,
    /// Where the word `pending` came from.
    base: usize,
    /// The marks of that word not yet returned.
    pending: u64,
    /// Where the next word starts.
    next: usize,
}

impl<'a, M: Marker> MarkedBytes<'a, M> {
    /// Marks from the start of `bytes`.
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        MarkedBytes {
            bytes,
            marker: PhantomData,
            base: 0,
            pending: 0,
            next: 0,
        }
    }
}

impl<M: Marker> Iterator for MarkedBytes<'_, M> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.pending == 0 {
            if self.next >= self.bytes.len() {
                return None;
            }
            self.base = self.next;
            self.pending = M::mark(load(self.bytes, self.next));
            self.next += 8;
        }
        let at = self.base + (self.pending.trailing_zeros() / 8) as usize;
        self.pending &= self.pending - 1;
        // The zero padding of the last word can be marked (`marks_below`).
        (at < self.bytes.len()).then_some(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    fn word(bytes: &[u8]) -> u64 {
        load(bytes, 0)
    }

    #[test]
    fn same_bytes_is_slice_equality_at_every_length() {
        let base: Vec<u8> = (b'a'..=b'z').collect();
        for len in 0..=base.len() {
            let a = &base[..len];
            assert!(same_bytes(a, a));
            for at in 0..len {
                let mut b = a.to_vec();
                b[at] ^= 0x20;
                assert!(!same_bytes(a, &b), "len {len}, byte {at}");
            }
            if len > 0 {
                assert!(!same_bytes(a, &base[..len - 1]));
                assert!(!same_bytes(&base[..len - 1], a));
            }
        }
    }

    struct Ampersands;
    impl Marker for Ampersands {
        fn mark(word: u64) -> u64 {
            marks_any(word, [b'&'])
        }
    }

    struct Controls;
    impl Marker for Controls {
        fn mark(word: u64) -> u64 {
            marks_below(word, 0x20)
        }
    }

    #[test]
    fn marks_any_is_exact_for_every_byte_value_and_position() {
        for target in [b'&', b'=', b'%', b'+', 0x00, 0x80, 0xFF] {
            for value in 0..=255u8 {
                for pos in 0..8 {
                    // Put a match before `pos` so a borrow could spill over.
                    let mut bytes = [b'a'; 8];
                    if pos > 0 {
                        bytes[pos - 1] = target;
                    }
                    bytes[pos] = value;
                    let m = marks_any(word(&bytes), [target]);
                    let hit = m >> (pos * 8 + 7) & 1 == 1;
                    assert_eq!(hit, value == target, "{target:#x} {value:#x} @{pos}");
                }
            }
        }
    }

    #[test]
    fn marks_below_is_exact_for_every_byte_value() {
        for limit in [0x00, 0x01, 0x20, 0x7F, 0x80] {
            for value in 0..=255u8 {
                for pos in 0..8 {
                    let mut bytes = [0u8; 8];
                    bytes[pos] = value;
                    let m = marks_below(word(&bytes), limit);
                    let hit = m >> (pos * 8 + 7) & 1 == 1;
                    assert_eq!(hit, value < limit, "{limit:#x} {value:#x} @{pos}");
                }
            }
        }
    }

    #[test]
    fn marked_bytes_lists_every_position_once_in_order() {
        for len in 0..40 {
            let bytes: Vec<u8> = (0..len)
                .map(|i| if i % 3 == 0 { b'&' } else { b'x' })
                .collect();
            let found: Vec<usize> = MarkedBytes::<Ampersands>::new(&bytes).collect();
            let expected: Vec<usize> = (0..len).filter(|i| i % 3 == 0).collect();
            assert_eq!(found, expected, "len {len}");
        }
    }

    #[test]
    fn padding_past_the_end_is_never_reported() {
        let found: Vec<usize> = MarkedBytes::<Controls>::new(b"a\x01b").collect();
        assert_eq!(found, [1]);
    }
}
