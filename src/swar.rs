//! Words of eight bytes in a `u64`, portable and free of `unsafe`: the
//! stores compare and hash ids a word at a time (cheaper than a call to
//! `memcmp` for the short ids of every request). Byte classes are found
//! sixteen bytes at a time in [`crate::block`].

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

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
}
