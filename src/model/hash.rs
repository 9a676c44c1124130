//! A fast, non-cryptographic hash for rule keys (the Fx mixing step used by
//! rustc). Keys come from a store's own rules or a validated request, so
//! hash flooding is not a concern worth a keyed hasher here; a group whose
//! keys did collide would only make chains longer, never wrong.

use core::hash::Hasher;

use super::key::{RuleDestination, RuleKey};
use crate::cidr::{Ipv4Cidr, Ipv6Cidr};
use crate::port::PortRange;
use crate::request::Source;

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

/// One word for a port range: `start` and `end` (0, 0 for `-1/-1`).
#[inline]
fn port_word(range: PortRange) -> u64 {
    u64::from(range.start().unwrap_or(0)) | u64::from(range.end().unwrap_or(0)) << 16
}

/// One word for a CIDR's prefix length and whether it was written bare,
/// tagged with the kind of address (`tag`).
#[inline]
fn shape_word(tag: u64, prefix_len: u8, bare: bool) -> u64 {
    tag << 16 | u64::from(bare) << 8 | u64::from(prefix_len)
}

/// Feeds `hasher` the fields `RuleKey`'s equality compares, packed into as
/// few words as they fit (the derived `Hash` writes each field apart).
#[inline]
fn add_key(h: &mut FxHasher, key: &RuleKey<'_>) {
    h.add(
        u64::from(key.protocol as u8)
            | u64::from(key.nic_type as u8) << 8
            | u64::from(key.policy as u8) << 16
            | u64::from(key.source_port_range.is_some()) << 24
            | port_word(key.port_range) << 32,
    );
    if let Some(range) = key.source_port_range {
        h.add(port_word(range));
    }
    match key.destination {
        RuleDestination::Ipv4(cidr) => add_ipv4(h, 1, cidr),
        RuleDestination::Ipv6(cidr) => add_ipv6(h, 2, cidr),
        RuleDestination::Group(id) => {
            h.add(3 << 16 | (id.len() as u64) << 32);
            h.write(id.as_bytes());
        }
    }
    match key.source {
        None => {}
        Some(Source::Ipv4(cidr)) => add_ipv4(h, 4, cidr),
        Some(Source::Ipv6(cidr)) => add_ipv6(h, 5, cidr),
    }
}

/// An IPv4 address as written, in one word.
#[inline]
fn add_ipv4(h: &mut FxHasher, tag: u64, cidr: Ipv4Cidr) {
    h.add(
        shape_word(tag, cidr.prefix_len(), cidr.is_bare()) << 32 | u64::from(cidr.addr().to_bits()),
    );
}

/// An IPv6 address (its value) in three words.
#[inline]
fn add_ipv6(h: &mut FxHasher, tag: u64, cidr: Ipv6Cidr) {
    h.add(shape_word(tag, cidr.prefix_len(), cidr.is_bare()));
    let bits = cidr.addr().to_bits();
    h.add(bits as u64);
    h.add((bits >> 64) as u64);
}

/// The 32-bit hash a store files a rule under.
#[inline]
pub(crate) fn hash_key(key: &RuleKey<'_>) -> u32 {
    let mut h = FxHasher::default();
    add_key(&mut h, key);
    let full = h.finish();
    // Fold the high bits in: Fx leaves the low bits weakest.
    (full >> 32) as u32 ^ full as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{IpProtocol, NicType, Policy};
    use std::collections::BTreeSet;

    fn key(destination: RuleDestination<'_>, port: u16) -> RuleKey<'_> {
        RuleKey {
            protocol: IpProtocol::Tcp,
            port_range: PortRange::new_assert(port, port),
            source_port_range: None,
            nic_type: NicType::Intranet,
            policy: Policy::Accept,
            destination,
            source: None,
        }
    }

    #[test]
    fn equal_keys_hash_equal() {
        // IPv6 is compared by value, however it was written.
        let a: Ipv6Cidr = "2408:4000:0:0::/32".parse().unwrap();
        let b: Ipv6Cidr = "2408:4000::/32".parse().unwrap();
        let (ka, kb) = (
            key(RuleDestination::Ipv6(a), 443),
            key(RuleDestination::Ipv6(b), 443),
        );
        assert_eq!(ka, kb);
        assert_eq!(hash_key(&ka), hash_key(&kb));
        let group = std::string::String::from("sg-1");
        assert_eq!(
            hash_key(&key(RuleDestination::Group(&group), 1)),
            hash_key(&key(RuleDestination::Group("sg-1"), 1))
        );
    }

    #[test]
    fn keys_differing_in_one_field_hash_apart() {
        let bare: Ipv4Cidr = "10.0.0.1".parse().unwrap();
        let slash32: Ipv4Cidr = "10.0.0.1/32".parse().unwrap();
        let mut keys = std::vec![
            key(RuleDestination::Ipv4(bare), 80),
            key(RuleDestination::Ipv4(slash32), 80),
            key(RuleDestination::Ipv4(bare), 81),
            key(RuleDestination::Group("sg-1"), 80),
            key(RuleDestination::Group("sg-2"), 80),
            key(RuleDestination::Ipv6("::a00:1/128".parse().unwrap()), 80),
        ];
        let mut with_source = keys[0];
        with_source.source = Some(Source::Ipv4(bare));
        let mut with_ports = keys[0];
        with_ports.source_port_range = Some(PortRange::new_assert(1, 2));
        let mut drop = keys[0];
        drop.policy = Policy::Drop;
        let mut internet = keys[0];
        internet.nic_type = NicType::Internet;
        let mut udp = keys[0];
        udp.protocol = IpProtocol::Udp;
        keys.extend([with_source, with_ports, drop, internet, udp]);
        let hashes: BTreeSet<u32> = keys.iter().map(hash_key).collect();
        assert_eq!(hashes.len(), keys.len());
    }
}
