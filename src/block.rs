//! Finding a few byte classes in a byte string: the query splitter finds
//! its separators and escapes, and the body escapers the bytes that may
//! need an escape, skipping the plain text in between.
//!
//! With the `simd` feature the bytes are classed sixteen at a time in the
//! portable vectors of the `wide` crate (SSE2 on x86-64, NEON on AArch64,
//! simd128 on wasm), so the crate stays free of `unsafe`. Without it, a
//! plain loop tests one byte at a time: the choice for targets without
//! vector units (`wide` falls back to arrays there, slower than the loop).
//!
//! A [`Marker`] names its bytes as data, so both forms read the same
//! classes.

/// Which bytes a [`MarkedBytes`] reports: those below [`Marker::BELOW`] and
/// those in [`Marker::ANY_OF`]. (A type, not a value, so the marking is
/// inlined into the scan.)
pub(crate) trait Marker {
    /// Every byte below this is marked (0: none).
    const BELOW: u8;
    /// These bytes are marked too.
    const ANY_OF: &'static [u8];
}

pub(crate) use imp::MarkedBytes;

#[cfg(not(feature = "simd"))]
mod imp {
    use core::marker::PhantomData;

    use super::Marker;

    /// The positions in a byte string of the bytes `M` marks, in order.
    pub(crate) struct MarkedBytes<'a, M> {
        bytes: &'a [u8],
        marker: PhantomData<M>,
        /// Where the search goes on.
        next: usize,
    }

    impl<'a, M: Marker> MarkedBytes<'a, M> {
        /// Marks from the start of `bytes`.
        pub(crate) fn new(bytes: &'a [u8]) -> Self {
            MarkedBytes {
                bytes,
                marker: PhantomData,
                next: 0,
            }
        }
    }

    impl<M: Marker> Iterator for MarkedBytes<'_, M> {
        type Item = usize;

        #[inline]
        fn next(&mut self) -> Option<usize> {
            let rest = self.bytes.get(self.next..)?;
            let marked = |b: u8| b < M::BELOW || M::ANY_OF.contains(&b);
            let at = self.next + rest.iter().position(|&b| marked(b))?;
            self.next = at + 1;
            Some(at)
        }
    }
}

#[cfg(feature = "simd")]
mod imp {
    use core::marker::PhantomData;

    use wide::u8x16;

    use super::Marker;

    /// The 16 bytes of `bytes` from `at`, zero past the end (a copy: only
    /// for the last bytes, short of a block).
    #[inline]
    pub(super) fn load(bytes: &[u8], at: usize) -> u8x16 {
        let mut block = [0u8; 16];
        let rest = bytes.get(at..).unwrap_or(&[]);
        let n = rest.len().min(16);
        if let (Some(head), Some(from)) = (block.get_mut(..n), rest.get(..n)) {
            head.copy_from_slice(from);
        }
        u8x16::new(block)
    }

    /// Marks the lanes of `block` that `M` marks: all ones for a marked
    /// lane.
    #[inline]
    pub(super) fn mark<M: Marker>(block: u8x16) -> u8x16 {
        let mut marked = match M::BELOW.checked_sub(1) {
            // Unsigned `x <= max` as `min(x, max) == x` (SSE2 has no
            // unsigned byte compare, but has an unsigned byte minimum).
            Some(max) => block.min(u8x16::splat(max)).simd_eq(block),
            None => u8x16::splat(0),
        };
        for &byte in M::ANY_OF {
            marked |= block.simd_eq(u8x16::splat(byte));
        }
        marked
    }

    /// One bit per byte of `bytes` from `at` that `M` marks, for the next
    /// 16 bytes (fewer at the end: no bit past it). Bit `i` is byte `at + i`.
    #[inline]
    fn marks_from<M: Marker>(bytes: &[u8], at: usize) -> u64 {
        let bits = |block: u8x16| u64::from(mark::<M>(block).to_bitmask());
        let rest = bytes.get(at..).unwrap_or(&[]);
        if let Some(chunk) = rest.get(..16).and_then(|c| <[u8; 16]>::try_from(c).ok()) {
            return bits(u8x16::new(chunk));
        }
        // The last bytes: a zero-padded copy, its padding's marks dropped.
        bits(load(bytes, at)) & !(u64::MAX << rest.len())
    }

    /// The positions in a byte string of the bytes `M` marks, in order,
    /// sixteen bytes at a time.
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
                self.pending = marks_from::<M>(self.bytes, self.next);
                self.next += 16;
            }
            let at = self.base + self.pending.trailing_zeros() as usize;
            self.pending &= self.pending - 1;
            Some(at)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    struct Ampersands;
    impl Marker for Ampersands {
        const BELOW: u8 = 0;
        const ANY_OF: &'static [u8] = b"&";
    }

    struct Controls;
    impl Marker for Controls {
        const BELOW: u8 = 0x20;
        const ANY_OF: &'static [u8] = &[];
    }

    struct Mixed;
    impl Marker for Mixed {
        const BELOW: u8 = 0x20;
        const ANY_OF: &'static [u8] = &[b'&', b'=', 0x7F, 0x80, 0xEF, 0xFF];
    }

    /// The positions of marked bytes, one byte at a time.
    fn reference<M: Marker>(bytes: &[u8]) -> Vec<usize> {
        (0..bytes.len())
            .filter(|&i| bytes[i] < M::BELOW || M::ANY_OF.contains(&bytes[i]))
            .collect()
    }

    #[test]
    fn every_byte_value_is_marked_as_the_class_says_at_every_position() {
        for value in 0..=255u8 {
            for len in [1, 15, 16, 17, 33] {
                for at in 0..len {
                    let mut bytes = std::vec![b'a'; len];
                    bytes[at] = value;
                    let found: Vec<usize> = MarkedBytes::<Mixed>::new(&bytes).collect();
                    assert_eq!(found, reference::<Mixed>(&bytes), "{value:#x} @{at}/{len}");
                    let found: Vec<usize> = MarkedBytes::<Controls>::new(&bytes).collect();
                    let expected: Vec<usize> = if value < 0x20 {
                        std::vec![at]
                    } else {
                        Vec::new()
                    };
                    assert_eq!(found, expected, "{value:#x} @{at}/{len}");
                }
            }
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
    fn the_last_bytes_are_reported_once() {
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

    #[cfg(feature = "simd")]
    #[test]
    fn load_pads_with_zeros_past_the_end() {
        let bytes: Vec<u8> = (1..=40).collect();
        for at in [0, 10, 24, 25, 39, 40, 41, 1000] {
            let mut expected = [0u8; 16];
            for (i, e) in expected.iter_mut().enumerate() {
                *e = bytes.get(at + i).copied().unwrap_or(0);
            }
            assert_eq!(imp::load(&bytes, at).to_array(), expected, "at {at}");
        }
    }

    #[cfg(feature = "simd")]
    #[test]
    fn below_is_exact_for_every_byte_value_and_limit() {
        struct Below<const L: u8>;
        impl<const L: u8> Marker for Below<L> {
            const BELOW: u8 = L;
            const ANY_OF: &'static [u8] = &[];
        }
        fn check<const L: u8>() {
            for value in 0..=255u8 {
                for lane in [0, 7, 8, 15] {
                    let mut bytes = [0xFF; 16];
                    bytes[lane] = value;
                    let marked = imp::mark::<Below<L>>(wide::u8x16::new(bytes)).to_bitmask();
                    let hit = marked >> lane & 1 == 1;
                    assert_eq!(hit, value < L, "{L:#x} {value:#x} @{lane}");
                    assert_eq!(marked & !(1 << lane), 0, "only lane {lane} can be marked");
                }
            }
        }
        check::<0x00>();
        check::<0x01>();
        check::<0x20>();
        check::<0x7F>();
        check::<0x80>();
        check::<0x81>();
        check::<0xFF>();
    }
}
