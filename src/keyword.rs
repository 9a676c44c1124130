//! One macro for the small closed vocabularies of the API (protocols, NIC
//! types, policies): a single table generates the enum, `as_str`, the
//! case-insensitive parser, `Display`, `FromStr` and `TryFrom<&str>`.

/// Generates a keyword enum from one table of `Variant => "api-name"` rows.
///
/// The enum gets `ALL` (every variant in table order), `as_str` (the
/// canonical lower-case spelling the API documents), `parse` (ASCII
/// case-insensitive, as the API accepts), `Display`, `FromStr` and
/// `TryFrom<&str>`. Every parser returns the named error type, built by
/// `$err::new()`.
macro_rules! keyword_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident / $err:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in the order of the API documentation.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The canonical (lower-case) spelling.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )+
                }
            }

            /// Parses the API spelling, ignoring ASCII case.
            ///
            /// # Errors
            ///
            /// Any other text, including the empty string.
            pub fn parse(text: &str) -> Result<Self, $err> {
                // One folded word against each keyword's (`eq_ignore_ascii_case`
                // compared a byte at a time).
                let bytes = text.as_bytes();
                if let Some(word) = $crate::keyword::folded_word(bytes) {
                    $(
                        if bytes.len() == $text.len()
                            && word == const { $crate::keyword::keyword_word($text) }
                        {
                            return Ok($name::$variant);
                        }
                    )+
                }
                Err($err::new())
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl core::str::FromStr for $name {
            type Err = $err;
            fn from_str(text: &str) -> Result<Self, $err> {
                Self::parse(text)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = $err;
            fn try_from(text: &str) -> Result<Self, $err> {
                Self::parse(text)
            }
        }
    };
}

/// Generates a unit error type for a keyword enum: lower-case `Display`,
/// `core::error::Error`.
macro_rules! keyword_error {
    ($(#[$meta:meta])* pub struct $err:ident => $msg:literal;) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct $err;

        impl $err {
            pub(crate) const fn new() -> Self {
                $err
            }
        }

        impl core::fmt::Display for $err {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str($msg)
            }
        }

        impl core::error::Error for $err {}
    };
}

pub(crate) use {keyword_enum, keyword_error};

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = ONES * 0x80;

/// `word`'s bytes with the ASCII upper-case letters turned lower case, all
/// eight at once (no byte's sum carries into the next).
const fn fold_ascii_case(word: u64) -> u64 {
    let low_bits = word & !HIGH_BITS;
    let from_a = low_bits + ONES * (0x80 - b'A' as u64);
    let past_z = low_bits + ONES * (0x80 - b'Z' as u64 - 1);
    let upper = from_a & !past_z & !word & HIGH_BITS;
    word | upper >> 2
}

/// One to eight bytes as a little-endian word, zero above their length,
/// with ASCII case folded; `None` for other lengths. Two texts of one
/// length fold to the same word exactly when they are equal ignoring
/// ASCII case.
#[inline(always)]
pub(crate) fn folded_word(bytes: &[u8]) -> Option<u64> {
    let len = bytes.len();
    let word = match len {
        // Three reads that cover one to three bytes (some twice).
        1..=3 => {
            let byte = |at: usize| bytes.get(at).map(|&b| u64::from(b));
            byte(0)? | byte(len / 2)? << (8 * (len / 2)) | byte(len - 1)? << (8 * (len - 1))
        }
        // Two four-byte reads that overlap as needed.
        4..=8 => {
            let half = |at: usize| {
                let four: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
                Some(u64::from(u32::from_le_bytes(four)))
            };
            half(0)? | half(len - 4)? << (8 * (len - 4))
        }
        _ => return None,
    };
    Some(fold_ascii_case(word))
}

/// [`folded_word`] of a keyword, at compile time.
#[allow(clippy::indexing_slicing, clippy::panic)]
pub(crate) const fn keyword_word(keyword: &str) -> u64 {
    let bytes = keyword.as_bytes();
    if bytes.is_empty() || bytes.len() > 8 {
        panic!("a keyword is one to eight bytes long");
    }
    let mut word = 0u64;
    let mut at = bytes.len();
    while at > 0 {
        at -= 1;
        word = word << 8 | bytes[at] as u64;
    }
    fold_ascii_case(word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;

    #[test]
    fn folding_is_eq_ignore_ascii_case_for_every_byte_at_every_position() {
        for len in 1..=8 {
            for at in 0..len {
                for byte in 0..=255u8 {
                    let mut text = std::vec![b'k'; len];
                    text[at] = byte;
                    let lower = text.to_ascii_lowercase();
                    assert_eq!(folded_word(&text), folded_word(&lower), "{text:?}");
                    let mut other = lower.clone();
                    other[at] = other[at].wrapping_add(1);
                    assert_eq!(
                        folded_word(&text) == folded_word(&other),
                        text.eq_ignore_ascii_case(&other),
                        "{text:?} {other:?}"
                    );
                }
            }
        }
        assert_eq!(folded_word(b""), None);
        assert_eq!(folded_word(b"123456789"), None);
        assert_eq!(folded_word(b"TcP"), Some(keyword_word("tcp")));
        assert_ne!(folded_word(b"tc"), Some(keyword_word("tcp")));
    }
}
