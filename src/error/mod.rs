//! API errors: the catalogue of documented causes, and [`ApiError`], one
//! cause with the parameter it names, a detail, hints and a near miss.

mod catalogue;
mod hints;
mod near_miss;
pub(crate) mod template;

use core::fmt::{self, Write as _};

use heapless::String;

pub use catalogue::{Cause, Group};
pub use hints::{Hint, Hints};
pub use near_miss::{NearMiss, RuleField, RuleFields};
use template::{Escaping, Template};

/// The most bytes of a parameter name an error keeps.
pub const PARAMETER_NAME_MAX: usize = 64;
/// The most bytes of detail an error keeps.
pub const DETAIL_MAX: usize = 192;

/// An error as the API reports it: HTTP status, `Code` and `Message`, plus
/// what a caller needs to act on it (the parameter, a detail, hints, the
/// closest rule when none matched).
///
/// The message is exactly the catalogue's, with `<name>` filled with the
/// parameter and `%s` with the detail; hints and near misses never change
/// the code or the message.
///
/// ```
/// use aliyun_sg_egress::{ApiError, Cause};
/// let e = ApiError::new(Cause::MissingParameter).with_parameter("RegionId");
/// assert_eq!(e.status(), 400);
/// assert_eq!(e.code(), "MissingParameter");
/// assert_eq!(
///     e.to_string(),
///     "The input parameter \"RegionId\" that is mandatory for processing this request is not supplied."
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    cause: Cause,
    parameter: String<PARAMETER_NAME_MAX>,
    detail: String<DETAIL_MAX>,
    hints: Hints,
    near_miss: Option<NearMiss>,
}

/// Copies as much of `text` as fits, cutting at a character boundary and
/// marking the cut with `…`.
pub(crate) fn push_truncated<const N: usize>(out: &mut String<N>, text: &str) {
    if out.push_str(text).is_ok() {
        return;
    }
    let room = N.saturating_sub(out.len() + '…'.len_utf8());
    let mut cut = room.min(text.len());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let _ = out.push_str(text.get(..cut).unwrap_or(""));
    let _ = out.push('…');
}

/// 0 to 9, then 10 to 99, in decimal, one after another: the small numbers
/// of details (rule indices, priorities) are cut from it.
const SMALL_DECIMALS: &str = concat!(
    "0123456789",
    "101112131415161718192021222324252627282930313233343536373839",
    "404142434445464748495051525354555657585960616263646566676869",
    "707172737475767778798081828384858687888990919293949596979899"
);

/// A number's decimal digits, as a detail part.
pub(crate) enum Decimal {
    /// Below 100: cut from [`SMALL_DECIMALS`] (digits computed and then
    /// checked as UTF-8 cost several times more).
    Small(&'static str),
    /// The digits, from `start`.
    Digits { digits: [u8; 20], start: usize },
}

impl Decimal {
    pub(crate) fn new(mut n: u64) -> Decimal {
        let small = match n {
            0..=9 => SMALL_DECIMALS.get(n as usize..n as usize + 1),
            10..=99 => {
                let at = 10 + 2 * (n as usize - 10);
                SMALL_DECIMALS.get(at..at + 2)
            }
            _ => None,
        };
        if let Some(text) = small {
            return Decimal::Small(text);
        }
        let mut digits = [b'0'; 20];
        let mut start = digits.len();
        while let Some(at) = start.checked_sub(1) {
            if let Some(d) = digits.get_mut(at) {
                *d = b'0' + (n % 10) as u8;
            }
            start = at;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        Decimal::Digits { digits, start }
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            Decimal::Small(text) => text,
            Decimal::Digits { digits, start } => {
                core::str::from_utf8(digits.get(*start..).unwrap_or(&[])).unwrap_or("")
            }
        }
    }
}

/// A `fmt::Write` into a bounded string that never fails: what does not fit
/// is cut (details are informative, never part of the documented message).
struct Bounded<'a, const N: usize>(&'a mut String<N>);

impl<const N: usize> fmt::Write for Bounded<'_, N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        push_truncated(self.0, s);
        Ok(())
    }
}

impl ApiError {
    /// An error of one cause, with no parameter, detail or hint.
    pub fn new(cause: Cause) -> ApiError {
        ApiError {
            cause,
            parameter: String::new(),
            detail: String::new(),
            hints: Hints::NONE,
            near_miss: None,
        }
    }

    /// An error built in place: the builder methods below each move the
    /// few-hundred-byte value, which cost the request path more than the
    /// text. `parameter` may be empty (none named); the detail is the
    /// concatenation of `detail` (cut as [`ApiError::with_detail_parts`]
    /// cuts).
    pub(crate) fn described(
        cause: Cause,
        parameter: &str,
        detail: &[&str],
        hints: Hints,
    ) -> ApiError {
        let mut error = ApiError::new(cause);
        push_truncated(&mut error.parameter, parameter);
        for part in detail {
            push_truncated(&mut error.detail, part);
        }
        error.hints = hints;
        error
    }

    /// An error that attaches the closest rule when none matched, with a
    /// detail of `before` and then the near miss in words; built in place
    /// as [`ApiError::described`] is.
    pub(crate) fn near_miss_described(
        cause: Cause,
        before: &[&str],
        near_miss: NearMiss,
        hints: Hints,
    ) -> ApiError {
        let mut error = ApiError::new(cause);
        for part in before {
            push_truncated(&mut error.detail, part);
        }
        near_miss.for_each_part(|part| push_truncated(&mut error.detail, part));
        error.near_miss = Some(near_miss);
        error.hints = hints;
        error
    }

    /// Names the parameter at fault (cut to 64 bytes).
    #[must_use]
    pub fn with_parameter(mut self, name: &str) -> ApiError {
        self.parameter.clear();
        push_truncated(&mut self.parameter, name);
        self
    }

    /// Names the parameter at fault from raw bytes, replacing what is not
    /// UTF-8 with U+FFFD (cut to 64 bytes).
    #[must_use]
    pub fn with_parameter_bytes(mut self, name: &[u8]) -> ApiError {
        self.parameter.clear();
        for chunk in name.utf8_chunks() {
            push_truncated(&mut self.parameter, chunk.valid());
            if !chunk.invalid().is_empty() {
                push_truncated(&mut self.parameter, "\u{fffd}");
            }
        }
        self
    }

    /// Adds a detail in words (cut to 192 bytes); it fills `%s` messages.
    #[must_use]
    pub fn with_detail(mut self, detail: fmt::Arguments<'_>) -> ApiError {
        self.detail.clear();
        let _ = Bounded(&mut self.detail).write_fmt(detail);
        self
    }

    /// Adds a detail written as the concatenation of `parts` (cut to 192
    /// bytes, as [`ApiError::with_detail`] cuts): the same text without
    /// `core::fmt`, whose machinery costs most of an error's time on the
    /// request path.
    #[must_use]
    pub(crate) fn with_detail_parts(mut self, parts: &[&str]) -> ApiError {
        self.detail.clear();
        for part in parts {
            push_truncated(&mut self.detail, part);
        }
        self
    }

    /// Adds hints.
    #[must_use]
    pub fn with_hints(mut self, hints: Hints) -> ApiError {
        self.hints = self.hints.union(hints);
        self
    }

    /// Attaches the closest rule when none matched.
    #[must_use]
    pub fn with_near_miss(mut self, near_miss: NearMiss) -> ApiError {
        self.near_miss = Some(near_miss);
        self
    }

    /// The documented cause.
    pub const fn cause(&self) -> Cause {
        self.cause
    }

    /// The HTTP status.
    pub const fn status(&self) -> u16 {
        self.cause.status()
    }

    /// The `Code` field.
    pub const fn code(&self) -> &'static str {
        self.cause.code()
    }

    /// The parameter at fault, if the error names one.
    pub fn parameter(&self) -> Option<&str> {
        Some(self.parameter.as_str()).filter(|p| !p.is_empty())
    }

    /// A detail in words (which value, what is wrong); may be empty.
    pub fn detail(&self) -> &str {
        self.detail.as_str()
    }

    /// Hints for the caller; they never change the code.
    pub const fn hints(&self) -> Hints {
        self.hints
    }

    /// The closest rule, when the request named none.
    pub const fn near_miss(&self) -> Option<&NearMiss> {
        self.near_miss.as_ref()
    }

    /// Writes the `Message` field: the catalogue's text with `<name>` and
    /// `%s` filled.
    ///
    /// # Errors
    ///
    /// Only those of the writer.
    pub fn write_message<W: fmt::Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        self.write_message_as(out, Escaping::Plain, |out, text| out.write_str(text))
    }

    /// Writes the `Message` field with the catalogue's text in `escaping`
    /// (escaped when the crate was compiled) and what fills it (the
    /// parameter name or the detail) through `fill`, which escapes it.
    pub(crate) fn write_message_as<W: fmt::Write + ?Sized>(
        &self,
        out: &mut W,
        escaping: Escaping,
        mut fill: impl FnMut(&mut W, &str) -> fmt::Result,
    ) -> fmt::Result {
        match self.cause.template(escaping) {
            Template::Detail => fill(
                out,
                if self.detail.is_empty() {
                    self.cause.code()
                } else {
                    self.detail.as_str()
                },
            ),
            Template::Text { before, after } => {
                out.write_str(before)?;
                match after {
                    Some(after) => {
                        fill(out, &self.parameter)?;
                        out.write_str(after)
                    }
                    None => Ok(()),
                }
            }
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_message(f)
    }
}

impl core::error::Error for ApiError {}

impl From<Cause> for ApiError {
    fn from(cause: Cause) -> Self {
        ApiError::new(cause)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;

    #[test]
    fn decimal_digits_are_the_numbers_display() {
        for n in (0..=1000).chain([4096, 65_536, u64::MAX / 10, u64::MAX]) {
            assert_eq!(Decimal::new(n).as_str(), n.to_string());
        }
    }

    #[test]
    fn detail_parts_are_cut_as_formatted_details_are() {
        let long = "é".repeat(150);
        let by_parts =
            ApiError::new(Cause::InvalidParameter).with_detail_parts(&["ab ", &long, "tail"]);
        let by_format =
            ApiError::new(Cause::InvalidParameter).with_detail(format_args!("ab {long}tail"));
        assert_eq!(by_parts.detail(), by_format.detail());
        assert!(by_parts.detail().ends_with('…'));
        assert!(by_parts.detail().len() <= DETAIL_MAX);
    }

    #[test]
    fn fills_placeholders() {
        let e = ApiError::new(Cause::InvalidParameter).with_parameter("ClientToken");
        assert_eq!(
            e.to_string(),
            "The specified parameter \"ClientToken\" is not valid."
        );
        let e = ApiError::new(Cause::IllegalIpv6Cidr).with_detail(format_args!("{} is bad", "x"));
        assert_eq!(e.to_string(), "x is bad");
        assert_eq!(
            ApiError::new(Cause::IllegalIpv6Cidr).to_string(),
            "ILLEGAL_IPV6_CIDR"
        );
        let e = ApiError::new(Cause::SecurityGroupRuleNotFound).with_detail(format_args!("d"));
        assert_eq!(
            e.to_string(),
            "The target security group rule do not exist."
        );
    }

    #[test]
    fn cuts_long_names_and_details_at_char_boundaries() {
        let long = "名".repeat(100);
        let e = ApiError::new(Cause::InvalidParameter)
            .with_parameter(&long)
            .with_detail(format_args!("{long}"));
        assert!(e.parameter().unwrap().ends_with('…'));
        assert!(e.parameter().unwrap().len() <= PARAMETER_NAME_MAX);
        assert!(e.detail().ends_with('…'));
        assert!(e.detail().len() <= DETAIL_MAX);
        assert_eq!(ApiError::new(Cause::InternalError).parameter(), None);
    }
}
