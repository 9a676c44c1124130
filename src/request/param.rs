//! The parameters a request may carry, in the order they are validated.

/// A name as words: its first and last eight bytes (four each below eight
/// bytes) and, past sixteen bytes, bytes 8..16. Between names of one
/// length from 4 to 24 bytes, equal words mean equal names.
#[derive(Clone, Copy, PartialEq, Eq)]
struct NameWords {
    head: u64,
    tail: u64,
    middle: u64,
}

impl NameWords {
    /// The words of a name of 4 to 24 bytes.
    #[inline(always)]
    fn of(name: &[u8]) -> Option<NameWords> {
        let len = name.len();
        let word = |at: usize| {
            let bytes: [u8; 8] = name.get(at..at + 8)?.try_into().ok()?;
            Some(u64::from_le_bytes(bytes))
        };
        let half = |at: usize| {
            let bytes: [u8; 4] = name.get(at..at + 4)?.try_into().ok()?;
            Some(u64::from(u32::from_le_bytes(bytes)))
        };
        let (head, tail) = if len < 8 {
            (half(0)?, half(len.checked_sub(4)?)?)
        } else {
            (word(0)?, word(len - 8)?)
        };
        let middle = if len > 16 { word(8)? } else { 0 };
        Some(NameWords { head, tail, middle })
    }

    /// [`NameWords::of`] at compile time, for the parameters' names.
    // Only ever evaluated in constants: an index out of range fails the
    // build, not a request.
    #[allow(clippy::indexing_slicing)]
    const fn of_const(name: &[u8]) -> NameWords {
        const fn le(name: &[u8], at: usize, width: usize) -> u64 {
            let mut value = 0u64;
            let mut i = width;
            while i > 0 {
                i -= 1;
                value = value << 8 | name[at + i] as u64;
            }
            value
        }
        let len = name.len();
        let (head, tail) = if len < 8 {
            (le(name, 0, 4), le(name, len - 4, 4))
        } else {
            (le(name, 0, 8), le(name, len - 8, 8))
        };
        let middle = if len > 16 { le(name, 8, 8) } else { 0 };
        NameWords { head, tail, middle }
    }
}

/// The one of `candidates` (parameters as long as `name`) named `name`.
#[inline(always)]
fn among<const N: usize>(name: &[u8], candidates: [Param; N]) -> Option<Param> {
    let words = NameWords::of(name)?;
    candidates
        .into_iter()
        .find(|&param| Param::WORDS.get(param as usize) == Some(&words))
}

macro_rules! params {
    ($( $(#[$meta:meta])* $variant:ident = $name:literal, )+) => {
        /// A request parameter this crate reads, in validation order
        /// (SPEC §6 step 2: the parameter table, then the addresses, then
        /// the destination group).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum Param {
            $( $(#[$meta])* $variant, )+
        }

        impl Param {
            /// Every parameter, in validation order.
            pub const ALL: &'static [Param] = &[$(Param::$variant),+];
            /// How many parameters there are.
            pub const COUNT: usize = Param::ALL.len();

            /// The parameter's name, as the API spells it.
            pub const fn name(self) -> &'static str {
                match self {
                    $( Param::$variant => stringify!($variant), )+
                }
            }

            /// The parameter with this exact (case-sensitive) name.
            #[inline(always)]
            pub fn from_name(name: &[u8]) -> Option<Param> {
                use Param::*;
                // By length first, then a few words against constants (a
                // literal `match` on the names compared a byte at a time:
                // about 60 instructions a request more). Every parameter
                // must be listed under its name's length: the round-trip
                // test below fails for one that is not.
                match name.len() {
                    6 => among(name, [Action, Policy]),
                    7 => among(name, [NicType]),
                    8 => among(name, [RegionId, Priority]),
                    9 => among(name, [PortRange]),
                    10 => among(name, [IpProtocol, DestCidrIp]),
                    11 => among(name, [Description, ClientToken, DestGroupId]),
                    12 => among(name, [SourceCidrIp]),
                    14 => among(name, [Ipv6DestCidrIp]),
                    15 => among(name, [SecurityGroupId, SourcePortRange]),
                    16 => among(name, [Ipv6SourceCidrIp, DestGroupOwnerId]),
                    21 => among(name, [DestGroupOwnerAccount]),
                    _ => None,
                }
            }

            /// Each parameter's name as [`NameWords`], by discriminant.
            const WORDS: [NameWords; Param::COUNT] = [$(NameWords::of_const($name)),+];
        }
    };
}

params! {
    /// `Action`.
    Action = b"Action",
    /// `RegionId`.
    RegionId = b"RegionId",
    /// `SecurityGroupId`.
    SecurityGroupId = b"SecurityGroupId",
    /// `IpProtocol`.
    IpProtocol = b"IpProtocol",
    /// `PortRange`.
    PortRange = b"PortRange",
    /// `SourcePortRange`.
    SourcePortRange = b"SourcePortRange",
    /// `NicType`.
    NicType = b"NicType",
    /// `Policy`.
    Policy = b"Policy",
    /// `Priority`.
    Priority = b"Priority",
    /// `Description`.
    Description = b"Description",
    /// `ClientToken`.
    ClientToken = b"ClientToken",
    /// `DestCidrIp`.
    DestCidrIp = b"DestCidrIp",
    /// `Ipv6DestCidrIp`.
    Ipv6DestCidrIp = b"Ipv6DestCidrIp",
    /// `SourceCidrIp`.
    SourceCidrIp = b"SourceCidrIp",
    /// `Ipv6SourceCidrIp`.
    Ipv6SourceCidrIp = b"Ipv6SourceCidrIp",
    /// `DestGroupId`.
    DestGroupId = b"DestGroupId",
    /// `DestGroupOwnerAccount`.
    DestGroupOwnerAccount = b"DestGroupOwnerAccount",
    /// `DestGroupOwnerId`.
    DestGroupOwnerId = b"DestGroupOwnerId",
}

impl core::fmt::Display for Param {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;

    #[test]
    fn names_round_trip_and_are_case_sensitive() {
        for &p in Param::ALL {
            assert_eq!(Param::from_name(p.name().as_bytes()), Some(p));
            assert_eq!(
                Param::from_name(p.name().to_ascii_lowercase().as_bytes()),
                None
            );
        }
        assert_eq!(Param::COUNT, 18);
    }

    /// The reference: the first parameter whose name is these bytes.
    fn named(bytes: &[u8]) -> Option<Param> {
        Param::ALL
            .iter()
            .copied()
            .find(|p| p.name().as_bytes() == bytes)
    }

    #[test]
    fn every_near_name_is_refused_as_the_reference_refuses_it() {
        let mut tried = 0;
        for &p in Param::ALL {
            let name = p.name().as_bytes();
            let mut near: Vec<Vec<u8>> = Vec::new();
            for at in 0..name.len() {
                for byte in [0, b'a', b'Z', name[at] ^ 1, name[at] ^ 0x20, 0xff] {
                    let mut changed = name.to_vec();
                    changed[at] = byte;
                    near.push(changed);
                }
                near.push(name[..at].to_vec());
                near.push(name[at + 1..].to_vec());
            }
            for extra in [b'x', b'd', 0] {
                near.push([name, &[extra]].concat());
                near.push([&[extra], name].concat());
            }
            for bytes in near {
                assert_eq!(Param::from_name(&bytes), named(&bytes), "{bytes:?}");
                tried += 1;
            }
        }
        for len in 0..=32 {
            let bytes = std::vec![b'x'; len];
            assert_eq!(Param::from_name(&bytes), None);
        }
        assert!(tried > 18 * 8 * 10);
    }
}
