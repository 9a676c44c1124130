//! The `Priority` parameter.

use core::fmt;
use core::str::FromStr;

/// A rule priority, always in `1..=100` (1 is the highest).
///
/// When a rule is created without one it gets 1 ([`Priority::DEFAULT`]);
/// when a request names a rule without one, any priority matches.
///
/// ```
/// use aliyun_sg_egress::Priority;
/// use aliyun_sg_egress::error::InvalidPriority;
/// assert_eq!("007".parse::<Priority>().map(Priority::get), Ok(7));
/// assert_eq!("0".parse::<Priority>(), Err(InvalidPriority::BelowRange));
/// assert_eq!("101".parse::<Priority>(), Err(InvalidPriority::AboveRange));
/// assert_eq!("1.5".parse::<Priority>(), Err(InvalidPriority::Malformed));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Priority(u8);

/// Why a priority was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvalidPriority {
    /// Not of the form `-?[0-9]+` (`InvalidPriority.Malformed`).
    Malformed,
    /// An integer below 1, however small (`InvalidPriority.ValueNotSupported`,
    /// "The specified Priority is invalid.").
    BelowRange,
    /// An integer above 100, however large (`InvalidPriority.ValueNotSupported`,
    /// "The parameter Priority is invalid.").
    AboveRange,
}

impl InvalidPriority {
    /// The message `Display` writes.
    pub const fn as_str(self) -> &'static str {
        match self {
            InvalidPriority::Malformed => "priority must be an integer",
            InvalidPriority::BelowRange => "priority is below 1",
            InvalidPriority::AboveRange => "priority is above 100",
        }
    }
}

impl fmt::Display for InvalidPriority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::error::Error for InvalidPriority {}

impl Priority {
    /// The lowest accepted value, and the default of a new rule.
    pub const MIN: Priority = Priority(1);
    /// The highest accepted value.
    pub const MAX: Priority = Priority(100);
    /// The priority a rule gets when it is created without one.
    pub const DEFAULT: Priority = Priority::MIN;

    /// Parses the decimal text of the API (`-?[0-9]+`, leading zeros allowed).
    ///
    /// # Errors
    ///
    /// [`InvalidPriority::Malformed`] for anything not of that form;
    /// [`InvalidPriority::BelowRange`] / [`InvalidPriority::AboveRange`] for
    /// an integer outside `1..=100`, of any length.
    pub fn parse(text: &str) -> Result<Priority, InvalidPriority> {
        let digits = text.strip_prefix('-').unwrap_or(text);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidPriority::Malformed);
        }
        let significant = digits.trim_start_matches('0');
        if significant.is_empty() || digits.len() < text.len() {
            return Err(InvalidPriority::BelowRange);
        }
        // Only digits, no leading zero: `parse` fails only past 255.
        significant
            .parse()
            .map_or(Err(InvalidPriority::AboveRange), Priority::new)
    }

    /// Builds a priority from a number.
    ///
    /// # Errors
    ///
    /// [`InvalidPriority::BelowRange`] for 0, [`InvalidPriority::AboveRange`]
    /// above 100.
    pub const fn new(value: u8) -> Result<Priority, InvalidPriority> {
        match value {
            0 => Err(InvalidPriority::BelowRange),
            1..=100 => Ok(Priority(value)),
            _ => Err(InvalidPriority::AboveRange),
        }
    }

    /// Builds a priority from a constant.
    ///
    /// # Panics
    ///
    /// When `value` is outside `1..=100` (at compile time in a `const`).
    #[allow(clippy::panic)]
    pub const fn new_assert(value: u8) -> Priority {
        match Priority::new(value) {
            Ok(p) => p,
            Err(_) => panic!("priority must be in 1..=100"),
        }
    }

    /// The number, in `1..=100`.
    pub const fn get(self) -> u8 {
        self.0
    }
}

impl Default for Priority {
    fn default() -> Self {
        Priority::DEFAULT
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl FromStr for Priority {
    type Err = InvalidPriority;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Priority::parse(text)
    }
}

impl TryFrom<&str> for Priority {
    type Error = InvalidPriority;
    fn try_from(text: &str) -> Result<Self, Self::Error> {
        Priority::parse(text)
    }
}

impl TryFrom<u16> for Priority {
    type Error = InvalidPriority;
    fn try_from(value: u16) -> Result<Self, Self::Error> {
        u8::try_from(value).map_or(Err(InvalidPriority::AboveRange), Priority::new)
    }
}

impl From<Priority> for u8 {
    fn from(p: Priority) -> u8 {
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;

    #[test]
    fn accepts_the_range_with_leading_zeros() {
        assert_eq!(Priority::parse("1").map(Priority::get), Ok(1));
        assert_eq!(Priority::parse("100").map(Priority::get), Ok(100));
        assert_eq!(
            Priority::parse("0000000000000000000042").map(Priority::get),
            Ok(42)
        );
    }

    #[test]
    fn classifies_out_of_range_by_side_however_long() {
        for below in ["0", "-0", "-1", "-00", "-99999999999999999999999999"] {
            assert_eq!(
                Priority::parse(below),
                Err(InvalidPriority::BelowRange),
                "{below}"
            );
        }
        for above in [
            "101",
            "256",
            "1000",
            "99999999999999999999999999999",
            "00101",
        ] {
            assert_eq!(
                Priority::parse(above),
                Err(InvalidPriority::AboveRange),
                "{above}"
            );
        }
    }

    #[test]
    fn refuses_other_forms() {
        for bad in ["", "-", "+1", " 1", "1 ", "1.0", "1e2", "--1", "0x10", "٣"] {
            assert_eq!(
                Priority::parse(bad),
                Err(InvalidPriority::Malformed),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn display_round_trips() {
        for v in 1..=100u8 {
            let p = Priority::new_assert(v);
            assert_eq!(Priority::parse(&std::format!("{p}")), Ok(p));
        }
        assert_eq!(Priority::try_from(300u16), Err(InvalidPriority::AboveRange));
    }
}
