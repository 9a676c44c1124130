//! The `ClientToken` parameter.

use super::InvalidText;

/// The most characters a client token may hold.
pub const CLIENT_TOKEN_MAX: usize = 64;

text_type! {
    /// An idempotency token (`ClientToken`): 1 to 64 characters, each
    /// printable ASCII other than space (0x21..=0x7E).
    ///
    /// ```
    /// use aliyun_sg_egress::text::{ClientToken, InvalidText};
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;

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
}
