//! The crate's non-cryptographic hash: the folded multiply of foldhash
//! and wyhash. Inputs come from a store's own data or a validated request,
//! so flooding is not a concern worth a keyed hash; colliding keys would
//! only make a lookup compare more candidates, never answer wrongly.

use crate::swar::{chunk_word, tail_word};

/// 64×64 → 128-bit multiply, the halves XORed together.
#[inline]
pub(crate) fn fold_mul(a: u64, b: u64) -> u64 {
    let full = u128::from(a) * u128::from(b);
    full as u64 ^ (full >> 64) as u64
}

/// Arbitrary constants (digits of pi), one per input word of a rule key.
pub(crate) const K: [u64; 7] = [
    0x243f_6a88_85a3_08d3,
    0x1319_8a2e_0370_7344,
    0xa409_3822_299f_31d0,
    0x082e_fa98_ec4e_6c89,
    0x4528_21e6_38d0_1377,
    0xbe54_66cf_34e9_0c6c,
    0xc0ac_29b7_c97c_50dd,
];

/// A 64-bit hash of a text, wyhash-style: up to 32 bytes, its first and
/// last 8 or 16 (overlapping in the middle), length folded in; longer
/// texts 16 bytes a step first. Every byte counts. The one or two
/// multiplies of a text up to 32 bytes (every id the API issues) are
/// independent of each other, so they overlap: the hash heads every group
/// lookup's chain of dependent steps.
#[inline]
pub(crate) fn text_hash(text: &str) -> u64 {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let word = |at: usize| bytes.get(at..at + 8).map_or(0, chunk_word);
    let len = n as u64;
    if n <= 8 {
        return fold_mul(tail_word(bytes) ^ K[0], len ^ K[1]);
    }
    if n <= 16 {
        return fold_mul(word(0) ^ K[0], word(n - 8) ^ len ^ K[1]);
    }
    let mut h = K[6];
    let mut at = 0;
    // Longer than 32 bytes (no id is): 16 bytes a multiply, chained.
    while n - at > 32 {
        h = fold_mul(word(at) ^ h ^ K[4], word(at + 8) ^ K[5]);
        at += 16;
    }
    fold_mul(word(at) ^ h ^ K[0], word(at + 8) ^ K[1])
        ^ fold_mul(word(n - 16) ^ K[2], word(n - 8) ^ len ^ K[3])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_differing_anywhere_hash_apart() {
        let texts = [
            "",
            "a",
            "b",
            "sg-1",
            "sg-2",
            "sg-1\0",
            "sg-bp67acfmxazb4ph1",
            "sg-bp67acfmxazb4ph2",
            "tg-bp67acfmxazb4ph1",
            "sg-bp67acf",
            "sg-bp67acfm",
        ];
        let hashes: std::collections::BTreeSet<u64> = texts.iter().map(|t| text_hash(t)).collect();
        assert_eq!(hashes.len(), texts.len());
        assert_eq!(
            text_hash("sg-1"),
            text_hash(&std::string::String::from("sg-1"))
        );
    }

    #[test]
    fn every_byte_and_the_length_count_at_every_length() {
        let base: std::vec::Vec<u8> = (0..80u8).map(|i| b'a' + i % 26).collect();
        for len in 0..=base.len() {
            let text = core::str::from_utf8(&base[..len]).unwrap();
            let hash = text_hash(text);
            for at in 0..len {
                let mut changed = base[..len].to_vec();
                changed[at] = b'#';
                let changed = core::str::from_utf8(&changed).unwrap();
                assert_ne!(text_hash(changed), hash, "len {len}, byte {at}");
            }
            if len > 0 {
                assert_ne!(text_hash(&text[..len - 1]), hash, "len {len}");
            }
        }
    }
}
