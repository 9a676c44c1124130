//! A rule key packed into six machine words, the form a rule table stores
//! and compares: two keys are equal exactly when their words are equal
//! (and, for a group destination, the group ids), so a lookup compares a
//! candidate with a few loads and one branch instead of field by field.
//!
//! | word | contents |
//! |------|----------|
//! | 0 | protocol, NIC type, policy, flags, destination and source prefix lengths |
//! | 1 | port range and source port range (start, end; 0, 0 when absent or `-1/-1`) |
//! | 2, 3 | destination address (IPv4 in the low 32 bits); for a group, a hash of its id, then 0 |
//! | 4, 5 | source address, 0 when absent |
//!
//! The flags byte holds whether a source port range was given, the
//! destination's kind and whether it was written bare, and the same for the
//! source.

use core::net::{Ipv4Addr, Ipv6Addr};

use ipnet::{Ipv4Net, Ipv6Net};

use crate::cidr::{Ipv4Cidr, Ipv6Cidr};
use crate::hash::{hash_text, hash_words};
use crate::model::{RuleDestination, RuleKey};
use crate::nic::NicType;
use crate::policy::Policy;
use crate::port::PortRange;
use crate::protocol::IpProtocol;
use crate::request::Source;

const SOURCE_PORTS: u8 = 1;
const DEST_SHIFT: u8 = 1;
const SOURCE_SHIFT: u8 = 4;
const KIND_IPV4: u8 = 1;
const KIND_IPV6: u8 = 2;
const KIND_GROUP: u8 = 3;
const KIND_MASK: u8 = 3;
const BARE: u8 = 4;

/// A rule key as six words; see the module documentation.
#[derive(Clone, Copy, Debug, Default, Eq)]
pub(crate) struct PackedKey([u64; 6]);

impl PartialEq for PackedKey {
    /// Six word compares, inline (the derived equality on an array of
    /// words may call `bcmp`).
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.0
            .iter()
            .zip(&other.0)
            .fold(0, |diff, (a, b)| diff | (a ^ b))
            == 0
    }
}

/// An address's kind-and-bare bits, its prefix length and its value.
fn ipv4_parts(cidr: Ipv4Cidr) -> (u8, u8, u128) {
    let bare = if cidr.is_bare() { BARE } else { 0 };
    (
        KIND_IPV4 | bare,
        cidr.prefix_len(),
        u128::from(cidr.addr().to_bits()),
    )
}

fn ipv6_parts(cidr: Ipv6Cidr) -> (u8, u8, u128) {
    let bare = if cidr.is_bare() { BARE } else { 0 };
    (KIND_IPV6 | bare, cidr.prefix_len(), cidr.addr().to_bits())
}

fn port_word(range: PortRange) -> u64 {
    u64::from(range.start().unwrap_or(0)) | u64::from(range.end().unwrap_or(0)) << 16
}

/// Two words as one 128-bit address (low word first).
fn address(lo: u64, hi: u64) -> u128 {
    u128::from(lo) | u128::from(hi) << 64
}

fn port_range(word: u64) -> PortRange {
    // (0, 0) is the only packed value `new` refuses: `-1/-1`.
    PortRange::new(word as u16, (word >> 16) as u16).unwrap_or(PortRange::ANY)
}

impl PackedKey {
    /// Packs a key.
    #[inline(always)]
    pub(crate) fn of(key: &RuleKey<'_>) -> PackedKey {
        let (dest_flags, dest_prefix, dest_addr) = match key.destination {
            RuleDestination::Ipv4(v4) => ipv4_parts(v4),
            RuleDestination::Ipv6(v6) => ipv6_parts(v6),
            RuleDestination::Group(id) => (KIND_GROUP, 0, u128::from(hash_text(id))),
        };
        let (source_flags, source_prefix, source_addr) = match key.source {
            None => (0, 0, 0),
            Some(Source::Ipv4(v4)) => ipv4_parts(v4),
            Some(Source::Ipv6(v6)) => ipv6_parts(v6),
        };
        let sport = if key.source_port_range.is_some() {
            SOURCE_PORTS
        } else {
            0
        };
        let flags = sport | dest_flags << DEST_SHIFT | source_flags << SOURCE_SHIFT;
        let w0 = u64::from(key.protocol as u8)
            | u64::from(key.nic_type as u8) << 8
            | u64::from(key.policy as u8) << 16
            | u64::from(flags) << 24
            | u64::from(dest_prefix) << 32
            | u64::from(source_prefix) << 40;
        let w1 = port_word(key.port_range) | key.source_port_range.map_or(0, port_word) << 32;
        PackedKey([
            w0,
            w1,
            dest_addr as u64,
            (dest_addr >> 64) as u64,
            source_addr as u64,
            (source_addr >> 64) as u64,
        ])
    }

    /// The 32-bit hash a table files the key under.
    #[inline]
    pub(crate) fn hash(&self) -> u32 {
        let h = hash_words(&self.0);
        (h >> 32) as u32 ^ h as u32
    }

    /// Whether the destination is a security group (then the ids must be
    /// compared too: word 2 is only their hash).
    #[inline]
    pub(crate) fn is_group(&self) -> bool {
        self.flags() >> DEST_SHIFT & KIND_MASK == KIND_GROUP
    }

    fn flags(&self) -> u8 {
        (self.0[0] >> 24) as u8
    }

    /// The key, with `group_id` as the destination of a group rule.
    pub(crate) fn unpack<'a>(&self, group_id: &'a str) -> RuleKey<'a> {
        let [w0, w1, w2, w3, w4, w5] = self.0;
        let flags = self.flags();
        let dest = flags >> DEST_SHIFT;
        let source = flags >> SOURCE_SHIFT;
        let destination = match dest & KIND_MASK {
            KIND_IPV4 => RuleDestination::Ipv4(ipv4(dest, (w0 >> 32) as u8, w2)),
            KIND_IPV6 => RuleDestination::Ipv6(ipv6(dest, (w0 >> 32) as u8, address(w2, w3))),
            _ => RuleDestination::Group(group_id),
        };
        let source = match source & KIND_MASK {
            KIND_IPV4 => Some(Source::Ipv4(ipv4(source, (w0 >> 40) as u8, w4))),
            KIND_IPV6 => Some(Source::Ipv6(ipv6(
                source,
                (w0 >> 40) as u8,
                address(w4, w5),
            ))),
            _ => None,
        };
        RuleKey {
            // The packed bytes came from these enums: the lookups succeed.
            protocol: IpProtocol::ALL
                .get(w0 as u8 as usize)
                .copied()
                .unwrap_or(IpProtocol::All),
            nic_type: NicType::ALL
                .get((w0 >> 8) as u8 as usize)
                .copied()
                .unwrap_or(NicType::Intranet),
            policy: Policy::ALL
                .get((w0 >> 16) as u8 as usize)
                .copied()
                .unwrap_or(Policy::Accept),
            port_range: port_range(w1),
            source_port_range: (flags & SOURCE_PORTS != 0).then(|| port_range(w1 >> 32)),
            destination,
            source,
        }
    }
}

fn ipv4(flags: u8, prefix_len: u8, bits: u64) -> Ipv4Cidr {
    let addr = Ipv4Addr::from_bits(bits as u32);
    match Ipv4Net::new(addr, prefix_len) {
        Ok(net) if flags & BARE == 0 => Ipv4Cidr::from_net(net),
        _ => Ipv4Cidr::from_addr(addr),
    }
}

fn ipv6(flags: u8, prefix_len: u8, bits: u128) -> Ipv6Cidr {
    let addr = Ipv6Addr::from_bits(bits);
    match Ipv6Net::new(addr, prefix_len) {
        Ok(net) if flags & BARE == 0 => Ipv6Cidr::from_net(net),
        _ => Ipv6Cidr::from_addr(addr),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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

    fn variants() -> std::vec::Vec<RuleKey<'static>> {
        let bare: Ipv4Cidr = "10.0.0.1".parse().unwrap();
        let slash32: Ipv4Cidr = "10.0.0.1/32".parse().unwrap();
        let mut keys = std::vec![
            key(RuleDestination::Ipv4(bare), 80),
            key(RuleDestination::Ipv4(slash32), 80),
            key(RuleDestination::Ipv4("10.0.0.1/8".parse().unwrap()), 80),
            key(RuleDestination::Ipv4(bare), 81),
            key(RuleDestination::Group("sg-1"), 80),
            key(RuleDestination::Group("sg-2"), 80),
            key(RuleDestination::Group("sg-123456789abcdefgh"), 80),
            key(RuleDestination::Ipv6("::a00:1/128".parse().unwrap()), 80),
            key(RuleDestination::Ipv6("::a00:1".parse().unwrap()), 80),
            key(RuleDestination::Ipv6("2408:4000::/32".parse().unwrap()), 80),
        ];
        let mut with_source = keys[0];
        with_source.source = Some(Source::Ipv4(bare));
        let mut with_v6_source = keys[0];
        with_v6_source.source = Some(Source::Ipv6("fe80::1/64".parse().unwrap()));
        let mut with_ports = keys[0];
        with_ports.source_port_range = Some(PortRange::new_assert(1, 2));
        let mut with_any_ports = keys[0];
        with_any_ports.source_port_range = Some(PortRange::ANY);
        let mut drop = keys[0];
        drop.policy = Policy::Drop;
        let mut internet = keys[0];
        internet.nic_type = NicType::Internet;
        let mut all = keys[0];
        all.protocol = IpProtocol::All;
        all.port_range = PortRange::ANY;
        keys.extend([
            with_source,
            with_v6_source,
            with_ports,
            with_any_ports,
            drop,
            internet,
            all,
        ]);
        keys
    }

    #[test]
    fn unpack_gives_back_the_key() {
        for k in variants() {
            let id = match k.destination {
                RuleDestination::Group(id) => id,
                _ => "",
            };
            assert_eq!(PackedKey::of(&k).unpack(id), k);
        }
    }

    #[test]
    fn packed_equality_is_key_equality() {
        let keys = variants();
        for a in &keys {
            for b in &keys {
                assert_eq!(
                    PackedKey::of(a) == PackedKey::of(b),
                    a == b,
                    "{a:?} vs {b:?}"
                );
            }
        }
        // IPv6 is compared by value, however it was written.
        let a: Ipv6Cidr = "2408:4000:0:0::/32".parse().unwrap();
        let b: Ipv6Cidr = "2408:4000::/32".parse().unwrap();
        let (ka, kb) = (
            key(RuleDestination::Ipv6(a), 443),
            key(RuleDestination::Ipv6(b), 443),
        );
        assert_eq!(PackedKey::of(&ka), PackedKey::of(&kb));
        let group = std::string::String::from("sg-1");
        assert_eq!(
            PackedKey::of(&key(RuleDestination::Group(&group), 1)),
            PackedKey::of(&key(RuleDestination::Group("sg-1"), 1))
        );
    }

    #[test]
    fn keys_differing_in_one_field_hash_apart() {
        let keys = variants();
        let hashes: BTreeSet<u32> = keys.iter().map(|k| PackedKey::of(k).hash()).collect();
        assert_eq!(hashes.len(), keys.len());
    }

    mod props {
        use super::*;
        use core::net::{Ipv4Addr, Ipv6Addr};
        use proptest::prelude::*;

        /// Keys over small pools, so that equal keys and keys one field
        /// apart both come up often.
        fn ports() -> impl Strategy<Value = PortRange> {
            prop_oneof![
                Just(PortRange::ANY),
                (1u16..4, 0u16..2).prop_map(|(a, w)| PortRange::new_assert(a, a + w))
            ]
        }

        fn v4() -> impl Strategy<Value = Ipv4Cidr> {
            (0u32..4, prop_oneof![Just(None), (0u8..=32).prop_map(Some)]).prop_map(
                |(host, prefix)| {
                    let addr = Ipv4Addr::from_bits(0x0a00_0000 | host << 6 | host);
                    match prefix {
                        None => Ipv4Cidr::from_addr(addr),
                        Some(p) => Ipv4Cidr::from_net(Ipv4Net::new_assert(addr, p)),
                    }
                },
            )
        }

        fn v6() -> impl Strategy<Value = Ipv6Cidr> {
            (
                0u128..4,
                prop_oneof![Just(None), (0u8..=128).prop_map(Some)],
            )
                .prop_map(|(host, prefix)| {
                    let addr = Ipv6Addr::from_bits(0x2001_0db8 << 96 | host << 70 | host);
                    match prefix {
                        None => Ipv6Cidr::from_addr(addr),
                        Some(p) => Ipv6Cidr::from_net(Ipv6Net::new_assert(addr, p)),
                    }
                })
        }

        fn key() -> impl Strategy<Value = RuleKey<'static>> {
            let destination = prop_oneof![
                v4().prop_map(RuleDestination::Ipv4),
                v6().prop_map(RuleDestination::Ipv6),
                prop::sample::select(&["sg-1", "sg-2", "sg-123456789abcdefgh"][..])
                    .prop_map(RuleDestination::Group),
            ];
            let source = prop_oneof![
                Just(None),
                v4().prop_map(|c| Some(Source::Ipv4(c))),
                v6().prop_map(|c| Some(Source::Ipv6(c))),
            ];
            (
                prop::sample::select(IpProtocol::ALL),
                ports(),
                prop::option::of(ports()),
                prop::sample::select(NicType::ALL),
                prop::sample::select(Policy::ALL),
                destination,
                source,
            )
                .prop_map(
                    |(
                        protocol,
                        port_range,
                        source_port_range,
                        nic_type,
                        policy,
                        destination,
                        source,
                    )| RuleKey {
                        protocol,
                        port_range,
                        source_port_range,
                        nic_type,
                        policy,
                        destination,
                        source,
                    },
                )
        }

        fn id(k: &RuleKey<'static>) -> &'static str {
            match k.destination {
                RuleDestination::Group(id) => id,
                _ => "",
            }
        }

        proptest! {
            /// Packing loses nothing, equal keys pack and hash equal, and
            /// packed equality is key equality.
            #[test]
            fn packed_keys_behave_as_rule_keys(a in key(), b in key()) {
                let (pa, pb) = (PackedKey::of(&a), PackedKey::of(&b));
                prop_assert_eq!(pa.unpack(id(&a)), a);
                let same_group = id(&a) == id(&b);
                prop_assert_eq!(pa == pb && (!pa.is_group() || same_group), a == b);
                if a == b {
                    prop_assert_eq!(pa.hash(), pb.hash());
                }
            }
        }
    }

    #[test]
    fn only_group_destinations_are_groups() {
        let flags: std::vec::Vec<bool> = variants()
            .iter()
            .map(|k| PackedKey::of(k).is_group())
            .collect();
        let expected: std::vec::Vec<bool> = variants()
            .iter()
            .map(|k| k.destination.is_group())
            .collect();
        assert_eq!(flags, expected);
    }
}
