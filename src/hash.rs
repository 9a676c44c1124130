//! The crate's non-cryptographic hash: foldhash with a fixed seed. Inputs
//! come from a store's own data or a validated request, and `no_std` has no
//! randomness to seed from, so a fixed seed serves: colliding keys would
//! only make a lookup compare more candidates, never answer wrongly.

use core::hash::{BuildHasher, Hasher};

use foldhash::fast::{FixedState, FoldHasher};

fn hasher() -> FoldHasher<'static> {
    FixedState::default().build_hasher()
}

/// A 64-bit hash of a text, the same on every run.
#[inline]
pub(crate) fn hash_text(text: &str) -> u64 {
    let mut h = hasher();
    h.write(text.as_bytes());
    h.finish()
}

/// A 64-bit hash of some words, the same on every run.
#[inline]
pub(crate) fn hash_words(words: &[u64]) -> u64 {
    let mut h = hasher();
    for &word in words {
        h.write_u64(word);
    }
    h.finish()
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
        let hashes: std::collections::BTreeSet<u64> = texts.iter().map(|t| hash_text(t)).collect();
        assert_eq!(hashes.len(), texts.len());
        assert_eq!(
            hash_text("sg-1"),
            hash_text(&std::string::String::from("sg-1"))
        );
    }

    #[test]
    fn words_differing_anywhere_hash_apart() {
        let base = [1u64, 2, 3, 4, 5, 6];
        let mut hashes = std::collections::BTreeSet::new();
        hashes.insert(hash_words(&base));
        for at in 0..base.len() {
            for bit in [0, 31, 63] {
                let mut changed = base;
                changed[at] ^= 1 << bit;
                hashes.insert(hash_words(&changed));
            }
        }
        assert_eq!(hashes.len(), 1 + base.len() * 3);
    }
}
