//! One macro for the small closed vocabularies of the API (protocols, NIC
//! types, policies): a single table generates the enum, `as_str`, the
//! case-insensitive parser, `Display`, `FromStr` and `TryFrom<&str>`.

/// Generates a keyword enum from one table of `Variant => "api-name"` rows.
///
/// The enum gets `ALL` (every variant in table order), `as_str` (the
/// canonical lower-case spelling the API documents), `parse` (ASCII
/// case-insensitive, as the API accepts), `Display`, `FromStr` and
/// `TryFrom<&str>`. Every parser returns the named error type.
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
                $(
                    if text.eq_ignore_ascii_case($text) {
                        return Ok($name::$variant);
                    }
                )+
                Err($err)
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

        impl core::fmt::Display for $err {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str($msg)
            }
        }

        impl core::error::Error for $err {}
    };
}

pub(crate) use {keyword_enum, keyword_error};
