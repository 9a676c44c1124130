//! Small sets of advice or fields, as bits: an enum of one-bit
//! discriminants, its set type, and the words for each.

/// Defines a fieldless enum whose variants are single bits (in display
/// order), its `ALL` and `as_str`, and a set type over it whose `Display`
/// joins the words with `$sep`.
macro_rules! flags {
    (
        $(#[$enum_meta:meta])* pub enum $flag:ident: $bits:ty;
        $(#[$set_meta:meta])* pub struct $set:ident, joined by $sep:literal;
        $( $(#[$meta:meta])* $variant:ident = $bit:literal => $text:expr, )+
    ) => {
        $(#[$enum_meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr($bits)]
        pub enum $flag {
            $( $(#[$meta])* $variant = 1 << $bit, )+
        }

        impl $flag {
            /// Every variant, in display order.
            pub const ALL: [$flag; [$($bit),+].len()] = [$($flag::$variant),+];

            /// The words for it.
            pub const fn as_str(self) -> &'static str {
                match self { $( $flag::$variant => $text, )+ }
            }
        }

        $(#[$set_meta])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct $set($bits);

        impl $set {
            /// The empty set.
            pub const NONE: $set = $set(0);

            /// The set with one more member.
            #[must_use]
            pub const fn with(self, flag: $flag) -> $set {
                $set(self.0 | flag as $bits)
            }

            /// Both sets together.
            #[must_use]
            pub const fn union(self, other: $set) -> $set {
                $set(self.0 | other.0)
            }

            /// Whether the set holds `flag`.
            pub const fn contains(self, flag: $flag) -> bool {
                self.0 & flag as $bits != 0
            }

            /// How many members the set holds.
            pub const fn len(self) -> u32 {
                self.0.count_ones()
            }

            /// Whether the set is empty.
            pub const fn is_empty(self) -> bool {
                self.0 == 0
            }

            /// The members, in display order.
            pub fn iter(self) -> impl Iterator<Item = $flag> {
                $flag::ALL.into_iter().filter(move |f| self.contains(*f))
            }
        }

        impl core::fmt::Display for $set {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                for (i, flag) in self.iter().enumerate() {
                    if i > 0 {
                        f.write_str($sep)?;
                    }
                    f.write_str(flag.as_str())?;
                }
                Ok(())
            }
        }
    };
}
