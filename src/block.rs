//! Byte classes sixteen bytes at a time, in the portable vectors of the
//! [`wide`] crate (SSE2 on x86-64, NEON on AArch64, simd128 on wasm; plain
//! arrays elsewhere, correct but slower than eight-byte words would be),
//! so that the crate stays free of `unsafe`: the query splitter finds its
//! separators and escapes, and the body escapers skip plain text, a block
//! at a step.
//!
//! A lane "marked" by a class is all ones; [`bits`] turns marked lanes into
//! one bit per byte (bit `i` for byte `i`), the form [`MarkedBytes`] walks
//! with `trailing_zeros`.

use core::marker::PhantomData;

use wide::u8x16;

/// The 16 bytes of `bytes` from `at`, zero past the end (a copy: only for
/// strings shorter than a block).
#[inline]
fn load(bytes: &[u8], at: usize) -> u8x16 {
    let mut block = [0u8; 16];
    let rest = bytes.get(at..).unwrap_or(&[]);
    let n = rest.len().min(16);
    if let (Some(head), Some(from)) = (block.get_mut(..n), rest.get(..n)) {
        head.copy_from_slice(from);
    }
    u8x16::new(block)
}

/// One bit per byte of `bytes` from `at` that `mark` marks, for the next
/// 16 bytes (fewer at the end: no bit past it).
#[inline]
fn marks_from(bytes: &[u8], at: usize, mark: impl Fn(u8x16) -> u8x16) -> u64 {
    let rest = bytes.get(at..).unwrap_or(&[]);
    if let Some(chunk) = rest.get(..16).and_then(|c| <[u8; 16]>::try_from(c).ok()) {
        return bits(mark(u8x16::new(chunk)));
    }
    // The last bytes: the block that ends with them, overlapping bytes
    // already scanned (a copy of a short tail would call `memcpy`), its
    // marks shifted down past those; or, for a string under 16 bytes, a
    // zero-padded copy, its padding's marks dropped.
    let overlap = 16 - rest.len();
    match at
        .checked_sub(overlap)
        .and_then(|from| bytes.get(from..))
        .and_then(|c| <[u8; 16]>::try_from(c).ok())
    {
        Some(last) => bits(mark(u8x16::new(last))) >> overlap,
        None => bits(mark(load(bytes, at))) & !(u64::MAX << rest.len()),
    }
}

/// Marks the lanes of `block` equal to one of `bytes`.
#[inline]
pub(crate) fn any_of<const N: usize>(block: u8x16, bytes: [u8; N]) -> u8x16 {
    let mut marked = u8x16::splat(0);
    for byte in bytes {
        marked |= block.simd_eq(u8x16::splat(byte));
    }
    marked
}

/// Marks the lanes of `block` below `limit` (none when `limit` is 0).
#[inline]
pub(crate) fn below(block: u8x16, limit: u8) -> u8x16 {
    match limit.checked_sub(1) {
        // Unsigned `x <= max` as `min(x, max) == x` (SSE2 has no unsigned
        // byte compare, but has an unsigned byte minimum).
        Some(max) => block.min(u8x16::splat(max)).simd_eq(block),
        None => u8x16::splat(0),
    }
}

/// One bit per marked lane: bit `i` for lane `i`.
#[inline]
pub(crate) fn bits(marked: u8x16) -> u64 {
    u64::from(marked.to_bitmask())
}

/// Which bytes a [`MarkedBytes`] reports (a type, not a function pointer,
/// so the marking is inlined into the scan).
pub(crate) trait Marker {
    /// Marks the lanes of `block` to report.
    fn mark(block: u8x16) -> u8x16;
}

/// The positions in a byte string of the bytes `M` marks, in order, sixteen
/// bytes at a time.
pub(crate) struct MarkedBytes<'a, M> {
    bytes: &'a [u8],
    marker: PhantomData<M>,
    /// Where the block `pending` came from.
    base: usize,
    /// The marks of that block not yet returned, one bit a byte.
    pending: u64,
    /// Where the next block starts.
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
            self.pending = marks_from(self.bytes, self.next, M::mark);
            self.next += 16;
        }
        let at = self.base + self.pending.trailing_zeros() as usize;
        self.pending &= self.pending - 1;
        Some(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    /// One bit per byte of `bytes` (at most 16) that `mark` marks.
    fn marked(bytes: &[u8], mark: impl Fn(u8x16) -> u8x16) -> u64 {
        bits(mark(load(bytes, 0)))
    }

    #[test]
    fn any_of_is_exact_for_every_byte_value_and_lane() {
        for target in [b'&', b'=', b'%', b'+', 0x00, 0x7F, 0x80, 0xEF, 0xFF] {
            for value in 0..=255u8 {
                for lane in 0..16 {
                    let mut bytes = [b'a'; 16];
                    bytes[lane] = value;
                    let m = marked(&bytes, |b| any_of(b, [target]));
                    let expected = if value == target { 1 << lane } else { 0 };
                    assert_eq!(m, expected, "{target:#x} {value:#x} @{lane}");
                }
            }
        }
    }

    #[test]
    fn below_is_exact_for_every_byte_value_and_limit() {
        for limit in [0x00, 0x01, 0x20, 0x7F, 0x80, 0x81, 0xFF] {
            for value in 0..=255u8 {
                for lane in [0, 7, 8, 15] {
                    let mut bytes = [0xFF; 16];
                    bytes[lane] = value;
                    let m = marked(&bytes, |b| below(b, limit));
                    let hit = m >> lane & 1 == 1;
                    assert_eq!(hit, value < limit, "{limit:#x} {value:#x} @{lane}");
                    assert_eq!(m & !(1 << lane), 0, "only lane {lane} can be marked");
                }
            }
        }
    }

    #[test]
    fn load_pads_with_zeros_past_the_end() {
        let bytes: Vec<u8> = (1..=40).collect();
        for at in [0, 10, 24, 25, 39, 40, 41, 1000] {
            let mut expected = [0u8; 16];
            for (i, e) in expected.iter_mut().enumerate() {
                *e = bytes.get(at + i).copied().unwrap_or(0);
            }
            assert_eq!(load(&bytes, at).to_array(), expected, "at {at}");
        }
    }

    struct Ampersands;
    impl Marker for Ampersands {
        fn mark(block: u8x16) -> u8x16 {
            any_of(block, [b'&'])
        }
    }

    struct Controls;
    impl Marker for Controls {
        fn mark(block: u8x16) -> u8x16 {
            below(block, 0x20)
        }
    }

    #[test]
    fn marked_bytes_lists_every_position_once_in_order() {
        for len in 0..70 {
            let bytes: Vec<u8> = (0..len)
                .map(|i| if i % 3 == 0 { b'&' } else { b'x' })
                .collect();
            let found: Vec<usize> = MarkedBytes::<Ampersands>::new(&bytes).collect();
            let expected: Vec<usize> = (0..len).filter(|i| i % 3 == 0).collect();
            assert_eq!(found, expected, "len {len}");
        }
    }

    #[test]
    fn the_overlapping_last_block_reports_no_byte_twice() {
        for len in 0..50 {
            let all = std::vec![b'&'; len];
            let found: Vec<usize> = MarkedBytes::<Ampersands>::new(&all).collect();
            assert_eq!(found, (0..len).collect::<Vec<_>>(), "len {len}");
            let mut controls = std::vec![b'x'; len];
            controls.iter_mut().step_by(5).for_each(|b| *b = 0x1F);
            let found: Vec<usize> = MarkedBytes::<Controls>::new(&controls).collect();
            assert_eq!(found, (0..len).step_by(5).collect::<Vec<_>>(), "len {len}");
        }
    }

    #[test]
    fn padding_past_the_end_is_never_reported() {
        let found: Vec<usize> = MarkedBytes::<Controls>::new(b"a\x01b").collect();
        assert_eq!(found, [1]);
    }
}
