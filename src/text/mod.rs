//! Free-text parameters stored without a heap: the rule description, the
//! client token, and the ids and names of regions, groups and accounts (one
//! module each).
//!
//! Each is a `heapless::String` sized for the longest value the API accepts,
//! so the groups and rules of a store own their text without a heap. A
//! request borrows its text instead, checked by the same rules.

use core::fmt;

/// Why a text parameter was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvalidText {
    /// Empty where a value is required.
    Empty,
    /// Longer than the parameter allows.
    TooLong,
    /// A character the parameter does not allow.
    BadCharacter,
}

impl fmt::Display for InvalidText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InvalidText::Empty => "value is empty",
            InvalidText::TooLong => "value is too long",
            InvalidText::BadCharacter => "value has a character that is not allowed",
        })
    }
}

impl core::error::Error for InvalidText {}

macro_rules! text_type {
    (
        $(#[$meta:meta])*
        $name:ident, $cap:expr, |$text:ident| $check:expr
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(heapless::String<{ $cap }>);

        impl $name {
            /// Validates and copies the text.
            ///
            /// # Errors
            ///
            /// See [`InvalidText`](crate::text::InvalidText) and the type's documentation.
            pub fn parse($text: &str) -> Result<Self, $crate::text::InvalidText> {
                Self::check($text)?;
                heapless::String::try_from($text)
                    .map($name)
                    .map_err(|_| $crate::text::InvalidText::TooLong)
            }

            /// Validates the text without copying it (a request borrows
            /// its text).
            pub(crate) fn check($text: &str) -> Result<(), $crate::text::InvalidText> {
                $check
            }

            /// The text.
            #[inline]
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }
        }

        impl core::ops::Deref for $name {
            type Target = str;
            #[inline]
            fn deref(&self) -> &str {
                self.0.as_str()
            }
        }

        impl core::borrow::Borrow<str> for $name {
            #[inline]
            fn borrow(&self) -> &str {
                self.0.as_str()
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.0.as_str()
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.0.as_str())
            }
        }

        impl core::str::FromStr for $name {
            type Err = $crate::text::InvalidText;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = $crate::text::InvalidText;
            fn try_from(text: &str) -> Result<Self, Self::Error> {
                Self::parse(text)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0.as_str() == *other
            }
        }
    };
}

mod description;
mod id;
mod token;

pub(crate) use description::over_max_chars;
pub use description::{DESCRIPTION_MAX_BYTES, DESCRIPTION_MAX_CHARS, Description};
pub use id::{AccountId, AccountName, GroupId, ID_MAX_BYTES, RegionId, VpcId};
pub use token::{CLIENT_TOKEN_MAX, ClientToken};
