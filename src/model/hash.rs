//! A fast, non-cryptographic hash for rule keys (the Fx mixing step used by
//! rustc). Keys come from a store's own rules or a validated request, so
//! hash flooding is not a concern worth a keyed hasher here; a group whose
//! keys did collide would only make chains longer, never wrong.

use core::hash::{Hash, Hasher};

use super::key::RuleKey;

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

#[derive(Default)]
struct FxHasher(u64);

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            for (w, b) in word.iter_mut().zip(rest) {
                *w = *b;
            }
            self.add(u64::from_le_bytes(word) ^ (rest.len() as u64) << 56);
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// The 32-bit hash a store files a rule under.
#[inline]
pub(crate) fn hash_key(key: &RuleKey<'_>) -> u32 {
    let mut h = FxHasher::default();
    key.hash(&mut h);
    let full = h.finish();
    // Fold the high bits in: Fx leaves the low bits weakest.
    (full >> 32) as u32 ^ full as u32
}
