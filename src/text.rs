//! Free-text parameters stored without a heap: the rule description, the
//! client token, and the ids and names of regions, groups and accounts.
//!
//! Each is a `heapless::String` sized for the longest value the API accepts,
//! so a validated request owns its text and never allocates.

use core::fmt;
use core::ops::Deref;
use core::str::FromStr;

use heapless::String;

/// The most Unicode scalar values a description may hold.
pub const DESCRIPTION_MAX_CHARS: usize = 512;
/// Bytes needed for the longest description (512 four-byte scalar values).
pub const DESCRIPTION_MAX_BYTES: usize = DESCRIPTION_MAX_CHARS * 4;
/// The most bytes an id or account name may hold.
pub const ID_MAX_BYTES: usize = 128;
/// The most characters a client token may hold.
pub const CLIENT_TOKEN_MAX: usize = 64;

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

fn copy<const N: usize>(text: &str) -> Result<String<N>, InvalidText> {
    let mut out = String::new();
    out.push_str(text).map_err(|_| InvalidText::TooLong)?;
    Ok(out)
}

macro_rules! text_type {
    (
        $(#[$meta:meta])*
        $name:ident, $cap:expr, |$text:ident| $check:expr
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String<{ $cap }>);

        impl $name {
            /// Validates and copies the text.
            ///
            /// # Errors
            ///
            /// See [`InvalidText`] and the type's documentation.
            pub fn parse($text: &str) -> Result<Self, InvalidText> {
                $check?;
                copy($text).map($name)
            }

            /// The text.
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }
        }

        impl Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                self.0.as_str()
            }
        }

        impl core::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                self.0.as_str()
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.0.as_str()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.0.as_str())
            }
        }

        impl FromStr for $name {
            type Err = InvalidText;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = InvalidText;
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

fn check_id(text: &str) -> Result<(), InvalidText> {
    if text.is_empty() {
        Err(InvalidText::Empty)
    } else if text.len() > ID_MAX_BYTES {
        Err(InvalidText::TooLong)
    } else {
        Ok(())
    }
}

text_type! {
    /// A rule description: 0 to 512 Unicode scalar values. Empty means
    /// "clear the description" (Terraform sends `Description=` for that).
    ///
    /// ```
    /// use aliyun_sg_egress::{Description, InvalidText};
    /// assert_eq!(Description::parse("允许访问 web").unwrap().as_str(), "允许访问 web");
    /// assert!(Description::parse("").unwrap().is_empty());
    /// assert_eq!(Description::parse(&"é".repeat(513)), Err(InvalidText::TooLong));
    /// ```
    Description, DESCRIPTION_MAX_BYTES, |text| {
        if text.chars().count() > DESCRIPTION_MAX_CHARS {
            Err(InvalidText::TooLong)
        } else {
            Ok(())
        }
    }
}

text_type! {
    /// An idempotency token (`ClientToken`): 1 to 64 characters, each
    /// printable ASCII other than space (0x21..=0x7E).
    ///
    /// ```
    /// use aliyun_sg_egress::{ClientToken, InvalidText};
    /// assert!(ClientToken::parse("123e4567-e89b-12d3-a456-426655440000").is_ok());
    /// assert_eq!(ClientToken::parse("a b"), Err(InvalidText::BadCharacter));
    /// assert_eq!(ClientToken::parse(""), Err(InvalidText::Empty));
    /// ```
    ClientToken, CLIENT_TOKEN_MAX, |text| {
        if text.is_empty() {
            Err(InvalidText::Empty)
        } else if !text.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
            Err(InvalidText::BadCharacter)
        } else if text.len() > CLIENT_TOKEN_MAX {
            Err(InvalidText::TooLong)
        } else {
            Ok(())
        }
    }
}

text_type! {
    /// A region id (`RegionId`, such as `cn-hangzhou`): 1 to 128 bytes.
    ///
    /// ```
    /// use aliyun_sg_egress::RegionId;
    /// assert_eq!(RegionId::parse("cn-hangzhou").unwrap(), "cn-hangzhou");
    /// assert!(RegionId::parse("").is_err());
    /// ```
    RegionId, ID_MAX_BYTES, |text| check_id(text)
}

text_type! {
    /// A security group id (`SecurityGroupId`, `DestGroupId`): 1 to 128
    /// bytes, compared exactly.
    ///
    /// ```
    /// use aliyun_sg_egress::GroupId;
    /// assert_eq!(GroupId::parse("sg-F876FF7BA").unwrap().to_string(), "sg-F876FF7BA");
    /// assert!(GroupId::parse(&"x".repeat(129)).is_err());
    /// ```
    GroupId, ID_MAX_BYTES, |text| check_id(text)
}

text_type! {
    /// An account name (`DestGroupOwnerAccount`, a group's `OwnerAccount`):
    /// 1 to 128 bytes.
    ///
    /// ```
    /// use aliyun_sg_egress::AccountName;
    /// assert!(AccountName::parse("EcsforCloud@Alibaba.com").is_ok());
    /// ```
    AccountName, ID_MAX_BYTES, |text| check_id(text)
}

text_type! {
    /// A VPC id (a group's `VpcId`): 1 to 128 bytes.
    ///
    /// ```
    /// use aliyun_sg_egress::VpcId;
    /// assert_eq!(VpcId::parse("vpc-bp1opxu1zkhn00gzv****").unwrap().len(), 25);
    /// ```
    VpcId, ID_MAX_BYTES, |text| check_id(text)
}

impl Description {
    /// The empty description (clears a rule's description).
    pub const fn empty() -> Description {
        Description(String::new())
    }
}

impl Default for Description {
    fn default() -> Self {
        Description::empty()
    }
}

/// An account id (`DestGroupOwnerId`, a group's `OwnerId`): a decimal `u64`.
///
/// The API page swaps the descriptions of `DestGroupOwnerId` and
/// `DestGroupOwnerAccount`; this is the real meaning (the id is a `Long`).
///
/// ```
/// use aliyun_sg_egress::AccountId;
/// assert_eq!("155780923770".parse::<AccountId>().unwrap().get(), 155780923770);
/// assert!("-1".parse::<AccountId>().is_err());
/// assert!("18446744073709551616".parse::<AccountId>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(u64);

impl AccountId {
    /// Parses ASCII decimal digits (leading zeros allowed, no sign).
    ///
    /// # Errors
    ///
    /// [`InvalidText::Empty`] for no digits, [`InvalidText::BadCharacter`]
    /// for anything but digits, [`InvalidText::TooLong`] above `u64::MAX`.
    pub fn parse(text: &str) -> Result<AccountId, InvalidText> {
        if text.is_empty() {
            return Err(InvalidText::Empty);
        }
        text.bytes()
            .try_fold(0u64, |acc, b| {
                if !b.is_ascii_digit() {
                    return Err(InvalidText::BadCharacter);
                }
                acc.checked_mul(10)
                    .and_then(|v| v.checked_add(u64::from(b - b'0')))
                    .ok_or(InvalidText::TooLong)
            })
            .map(AccountId)
    }

    /// Wraps a number.
    pub const fn new(id: u64) -> AccountId {
        AccountId(id)
    }

    /// The number.
    pub const fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl FromStr for AccountId {
    type Err = InvalidText;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        AccountId::parse(text)
    }
}

impl TryFrom<&str> for AccountId {
    type Error = InvalidText;
    fn try_from(text: &str) -> Result<Self, Self::Error> {
        AccountId::parse(text)
    }
}

impl From<u64> for AccountId {
    fn from(id: u64) -> Self {
        AccountId(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;

    #[test]
    fn description_counts_scalar_values_not_bytes() {
        let max = "字".repeat(512);
        assert_eq!(Description::parse(&max).unwrap().chars().count(), 512);
        assert_eq!(
            Description::parse(&"字".repeat(513)),
            Err(InvalidText::TooLong)
        );
        let four_byte = "😀".repeat(512);
        assert_eq!(Description::parse(&four_byte).unwrap().len(), 2048);
        assert_eq!(
            Description::parse(&"a".repeat(513)),
            Err(InvalidText::TooLong)
        );
    }

    #[test]
    fn client_token_limits() {
        assert!(ClientToken::parse(&"!".repeat(64)).is_ok());
        assert_eq!(
            ClientToken::parse(&"~".repeat(65)),
            Err(InvalidText::TooLong)
        );
        assert_eq!(
            ClientToken::parse("tab\there"),
            Err(InvalidText::BadCharacter)
        );
        assert_eq!(ClientToken::parse("é"), Err(InvalidText::BadCharacter));
        assert_eq!(ClientToken::parse("\u{7f}"), Err(InvalidText::BadCharacter));
    }

    #[test]
    fn ids_take_one_to_128_bytes() {
        assert!(GroupId::parse(&"g".repeat(128)).is_ok());
        assert_eq!(GroupId::parse(&"g".repeat(129)), Err(InvalidText::TooLong));
        assert_eq!(RegionId::parse(""), Err(InvalidText::Empty));
        assert_eq!(
            AccountName::parse(&"é".repeat(65)),
            Err(InvalidText::TooLong)
        );
    }

    #[test]
    fn account_id_is_decimal_u64() {
        assert_eq!(
            AccountId::parse("0018446744073709551615").map(AccountId::get),
            Ok(u64::MAX)
        );
        assert_eq!(
            AccountId::parse("18446744073709551616"),
            Err(InvalidText::TooLong)
        );
        assert_eq!(AccountId::parse("+1"), Err(InvalidText::BadCharacter));
        assert_eq!(AccountId::parse("1 "), Err(InvalidText::BadCharacter));
        assert_eq!(AccountId::parse(""), Err(InvalidText::Empty));
    }

    #[test]
    fn display_round_trips() {
        let d = Description::parse("Thisisanewsecuritygrouprule.").unwrap();
        let shown = std::format!("{d}");
        assert_eq!(Description::parse(&shown), Ok(d));
        let id = AccountId::new(42);
        assert_eq!(AccountId::parse(&id.to_string()), Ok(id));
    }
}
