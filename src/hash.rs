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

/// A 64-bit hash of a text (8-byte words, length folded in).
#[inline]
pub(crate) fn text_hash(text: &str) -> u64 {
    let bytes = text.as_bytes();
    let mut h = K[6] ^ bytes.len() as u64;
    for chunk in bytes.chunks_exact(8) {
        h = fold_mul(h ^ chunk_word(chunk), K[0]);
    }
    fold_mul(h ^ tail_word(bytes), K[1])
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
}
