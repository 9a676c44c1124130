//! The `Description` parameter.

use heapless::String;

use super::InvalidText;

/// The most Unicode scalar values a description may hold.
pub const DESCRIPTION_MAX_CHARS: usize = 512;
/// Bytes needed for the longest description (512 four-byte scalar values).
pub const DESCRIPTION_MAX_BYTES: usize = DESCRIPTION_MAX_CHARS * 4;

text_type! {
    /// A rule description: 0 to 512 Unicode scalar values. Empty means
    /// "clear the description" (Terraform sends `Description=` for that).
    ///
    /// ```
    /// use aliyun_sg_egress::text::{Description, InvalidText};
    /// assert_eq!(Description::parse("允许访问 web").unwrap().as_str(), "允许访问 web");
    /// assert!(Description::parse("").unwrap().is_empty());
    /// assert_eq!(Description::parse(&"é".repeat(513)), Err(InvalidText::TooLong));
    /// ```
    #[derive(Default)]
    Description, DESCRIPTION_MAX_BYTES, |text| {
        if over_max_chars(text) {
            Err(InvalidText::TooLong)
        } else {
            Ok(())
        }
    }
}

/// Whether `text` holds more than [`DESCRIPTION_MAX_CHARS`] scalar values
/// (counted only past that many bytes: a character is at least one byte).
#[inline]
pub(crate) fn over_max_chars(text: &str) -> bool {
    text.len() > DESCRIPTION_MAX_CHARS && text.chars().count() > DESCRIPTION_MAX_CHARS
}

impl Description {
    /// The empty description (clears a rule's description).
    pub const fn empty() -> Description {
        Description(String::new())
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
    fn display_round_trips() {
        let d = Description::parse("Thisisanewsecuritygrouprule.").unwrap();
        let shown = std::format!("{d}");
        assert_eq!(Description::parse(&shown), Ok(d));
    }
}
