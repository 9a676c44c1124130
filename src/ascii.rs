//! Byte-level helpers for the value parsers. Values are short, so a plain
//! loop beats the `str` pattern machinery (`split_once`,
//! `trim_start_matches`), which sets up a searcher on every call.

/// Splits `text` at its first `byte`, an ASCII byte (so both sides are
/// `str` boundaries).
#[inline]
pub(crate) fn split_once(text: &str, byte: u8) -> Option<(&str, &str)> {
    let at = text.bytes().position(|b| b == byte)?;
    Some((text.get(..at)?, text.get(at + 1..)?))
}

/// `bytes` without its leading `0`s.
#[inline]
pub(crate) fn trim_leading_zeros(bytes: &[u8]) -> &[u8] {
    let zeros = bytes.iter().take_while(|&&b| b == b'0').count();
    bytes.get(zeros..).unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_once_matches_the_str_method() {
        for text in ["", "/", "a/b", "a/b/c", "abc", "/x", "x/", "é/ü", "ü"] {
            assert_eq!(split_once(text, b'/'), text.split_once('/'), "{text:?}");
        }
    }

    #[test]
    fn trim_leading_zeros_matches_the_str_method() {
        for text in ["", "0", "000", "0010", "10", "a0", "00a"] {
            assert_eq!(
                trim_leading_zeros(text.as_bytes()),
                text.trim_start_matches('0').as_bytes(),
                "{text:?}"
            );
        }
    }
}
