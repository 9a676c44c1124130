//! The crate's non-cryptographic hash: foldhash with a fixed seed. Inputs
//! come from a store's own data or a validated request, and `no_std` has no
//! randomness to seed from, so a fixed seed serves: colliding keys would
//! only make a lookup compare more candidates, never answer wrongly.

use core::hash::{BuildHasher, Hash};

use foldhash::fast::FixedState;

/// A 64-bit hash of a value, the same on every run.
pub(crate) fn hash<T: Hash + ?Sized>(value: &T) -> u64 {
    FixedState::default().hash_one(value)
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
        let hashes: std::collections::BTreeSet<u64> = texts.iter().map(|t| hash(*t)).collect();
        assert_eq!(hashes.len(), texts.len());
        assert_eq!(
            hash("sg-1"),
            hash(std::string::String::from("sg-1").as_str())
        );
    }
}
