//! Ids and account names: `RegionId`, `SecurityGroupId`/`DestGroupId`,
//! `DestGroupOwnerAccount`, `VpcId`, `DestGroupOwnerId`.

use core::fmt;
use core::str::FromStr;

use super::InvalidText;

/// The most bytes an id or account name may hold.
pub const ID_MAX_BYTES: usize = 128;

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
    /// A region id (`RegionId`, such as `cn-hangzhou`): 1 to 128 bytes.
    ///
    /// ```
    /// use aliyun_sg_egress::text::RegionId;
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
    /// use aliyun_sg_egress::text::GroupId;
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
    /// use aliyun_sg_egress::text::AccountName;
    /// assert!(AccountName::parse("EcsforCloud@Alibaba.com").is_ok());
    /// ```
    AccountName, ID_MAX_BYTES, |text| check_id(text)
}

text_type! {
    /// A VPC id (a group's `VpcId`): 1 to 128 bytes.
    ///
    /// ```
    /// use aliyun_sg_egress::text::VpcId;
    /// assert_eq!(VpcId::parse("vpc-bp1opxu1zkhn00gzv****").unwrap().len(), 25);
    /// ```
    VpcId, ID_MAX_BYTES, |text| check_id(text)
}

/// An account id (`DestGroupOwnerId`, a group's `OwnerId`): a decimal `u64`.
///
/// The API page swaps the descriptions of `DestGroupOwnerId` and
/// `DestGroupOwnerAccount`; this is the real meaning (the id is a `Long`).
///
/// ```
/// use aliyun_sg_egress::text::AccountId;
/// assert_eq!("155780923770".parse::<AccountId>().unwrap().get(), 155780923770);
/// assert!("-1".parse::<AccountId>().is_err());
/// assert!("18446744073709551616".parse::<AccountId>().is_err());
/// // A bad character is the fault, even after digits that overflow.
/// assert_eq!(
///     AccountId::parse("20000000000000000000+"),
///     Err(aliyun_sg_egress::text::InvalidText::BadCharacter)
/// );
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
        // Every character first: "not a number" is the fault to report
        // even when the digits before it already overflow.
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidText::BadCharacter);
        }
        // Only digits are left, so the one way to fail is overflow.
        text.parse()
            .map(AccountId)
            .map_err(|_| InvalidText::TooLong)
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
        let g = GroupId::parse("sg-F876FF7BA").unwrap();
        let shown = std::format!("{g}");
        assert_eq!(GroupId::parse(&shown), Ok(g));
        let id = AccountId::new(42);
        assert_eq!(AccountId::parse(&id.to_string()), Ok(id));
    }
}
