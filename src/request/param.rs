//! The parameters a request may carry, in the order they are validated.

macro_rules! params {
    (
        modify { $( $(#[$meta:meta])* $variant:ident = $name:literal, )+ }
        lifecycle { $( $(#[$lmeta:meta])* $lvariant:ident = $lname:literal, )+ }
    ) => {
        /// A request parameter this crate reads: Modify's, in validation
        /// order (SPEC §6 step 2: the parameter table, then the addresses,
        /// then the destination group), then those only the rest of the
        /// lifecycle reads (§12: `Version`, the rule id, the prefix list,
        /// Describe's filters).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum Param {
            $( $(#[$meta])* $variant, )+
            $( $(#[$lmeta])* $lvariant, )+
        }

        impl Param {
            /// Every parameter, in the order above.
            pub const ALL: &'static [Param] = &[$(Param::$variant,)+ $(Param::$lvariant,)+];
            /// How many parameters there are.
            pub const COUNT: usize = Param::ALL.len();

            /// The parameter's name, as the API spells it.
            pub const fn name(self) -> &'static str {
                match self {
                    $( Param::$variant => stringify!($variant), )+
                    $( Param::$lvariant => stringify!($lvariant), )+
                }
            }

            /// The parameter with this exact (case-sensitive) name.
            // `==` on each name, not a `match`: the compiler compares a
            // name of known length a word at a time, a `match` a byte at
            // a time. Modify's names inline, the others out of line, so
            // that the usual request's lookups stay small; `always`: with
            // three callers a plain `#[inline]` leaves it out of line.
            #[inline(always)]
            pub fn from_name(name: &[u8]) -> Option<Param> {
                $(
                    if name == $name {
                        return Some(Param::$variant);
                    }
                )+
                Param::from_lifecycle_name(name)
            }

            #[inline(never)]
            fn from_lifecycle_name(name: &[u8]) -> Option<Param> {
                $(
                    if name == $lname {
                        return Some(Param::$lvariant);
                    }
                )+
                None
            }
        }
    };
}

params! {
    modify {
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
    lifecycle {
        /// `Version`.
        Version = b"Version",
        /// `SecurityGroupRuleId` (Modify by rule id; Revoke's
        /// `SecurityGroupRuleId.N` are named after it).
        SecurityGroupRuleId = b"SecurityGroupRuleId",
        /// `DestPrefixListId`.
        DestPrefixListId = b"DestPrefixListId",
        /// `Direction` (Describe).
        Direction = b"Direction",
        /// `MaxResults` (Describe).
        MaxResults = b"MaxResults",
        /// `NextToken` (Describe).
        NextToken = b"NextToken",
    }
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
        assert_eq!(Param::COUNT, 24);
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
        assert!(tried > 24 * 8 * 10);
    }
}
