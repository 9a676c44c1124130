//! Response bodies (SPEC §8): the request id, the two formats, and the
//! success and error bodies, written into any [`fmt::Write`] without
//! allocating.
//!
//! # Escaping
//!
//! Messages may carry the caller's text (a parameter name, a `%s` detail),
//! so the message is escaped on its way out, by a small [`fmt::Write`]
//! adapter (`Escape`) that the error's message is written through:
//! - JSON: `"` and `\` are backslashed; `\b \f \n \r \t` use their short
//!   forms; other control characters (below U+0020) become `\u00xx`.
//! - XML: `&` `<` `>` `"` `'` become entities; `\n`, `\r` and `\t` become
//!   `&#10;`, `&#xD;` and `&#9;` (so a body is always one line, and
//!   end-of-line normalisation cannot turn `\r` into `\n`); characters XML 1.0
//!   does not allow at all (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F,
//!   U+FFFE, U+FFFF) are replaced with U+FFFD, since not even a character
//!   reference to them is well-formed XML 1.0.

use core::fmt;
use core::str::FromStr;

use crate::block;
use crate::error::ApiError;
use crate::keyword::{keyword_enum, keyword_error};
use crate::request::Action;

/// The `HostId` field of error bodies.
pub const HOST_ID: &str = "ecs.aliyuncs.com";

/// The length of the text of a [`RequestId`].
const REQUEST_ID_LEN: usize = 36;

/// A request id as the API shows it: 32 upper-case hex digits grouped
/// 8-4-4-4-12 (`473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E`).
///
/// It is stored as the 128-bit number the digits spell (no heap), and
/// [`Display`](fmt::Display) writes it back in the same shape, so parsing
/// and printing round-trip. The library has no randomness: callers supply
/// ids, by parsing one or from a number ([`RequestId::from_u128`],
/// [`RequestId::from_parts`]), for example a counter for deterministic ids.
///
/// Ids order as their text does.
///
/// ```
/// use aliyun_sg_egress::RequestId;
/// use aliyun_sg_egress::error::InvalidRequestId;
///
/// let id: RequestId = "473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E".parse()?;
/// assert_eq!(id.to_string(), "473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E");
/// assert_eq!(
///     "473469c7-aa6f-4dc5-b3db-a3dc0de3c83e".parse::<RequestId>(),
///     Err(InvalidRequestId::LowerCase)
/// );
/// # Ok::<(), InvalidRequestId>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(u128);

/// Why a request id was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvalidRequestId {
    /// The text is not 36 bytes long.
    Length,
    /// A dash is missing or out of place (they separate 8-4-4-4-12 digits).
    Dash,
    /// A hex digit is lower-case (the API writes them upper-case).
    LowerCase,
    /// A character is neither a hex digit nor a dash.
    NotHex,
}

impl fmt::Display for InvalidRequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InvalidRequestId::Length => "request id must be 36 characters long",
            InvalidRequestId::Dash => "request id must be hex digits grouped 8-4-4-4-12 by dashes",
            InvalidRequestId::LowerCase => "request id must use upper-case hex digits",
            InvalidRequestId::NotHex => "request id must hold only hex digits and dashes",
        })
    }
}

impl core::error::Error for InvalidRequestId {}

impl RequestId {
    /// The id whose digits spell `n` (most significant digit first).
    ///
    /// ```
    /// use aliyun_sg_egress::RequestId;
    /// const FIRST: RequestId = RequestId::from_u128(0x473469C7_AA6F_4DC5_B3DB_A3DC0DE3C83E);
    /// assert_eq!(FIRST.to_string(), "473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E");
    /// ```
    pub const fn from_u128(n: u128) -> RequestId {
        RequestId(n)
    }

    /// The id whose first 16 digits spell `high` and last 16 spell `low`:
    /// a fixed per-run prefix and a counter, say.
    ///
    /// ```
    /// use aliyun_sg_egress::RequestId;
    /// let id = RequestId::from_parts(0xCEF72CEB_54B64AE8, 7);
    /// assert_eq!(id.to_string(), "CEF72CEB-54B6-4AE8-0000-000000000007");
    /// ```
    pub const fn from_parts(high: u64, low: u64) -> RequestId {
        RequestId(((high as u128) << 64) | low as u128)
    }

    /// The number the digits spell.
    pub const fn as_u128(self) -> u128 {
        self.0
    }

    /// Parses the API's shape: exactly 36 bytes, upper-case hex digits
    /// grouped 8-4-4-4-12 by dashes.
    ///
    /// ```
    /// use aliyun_sg_egress::RequestId;
    /// use aliyun_sg_egress::error::InvalidRequestId;
    /// let id = RequestId::parse("CEF72CEB-54B6-4AE8-B225-F876FF7BA984")?;
    /// assert_eq!(id.as_u128(), 0xCEF72CEB_54B6_4AE8_B225_F876FF7BA984);
    /// assert_eq!(
    ///     RequestId::parse("CEF72CEB54B6-4AE8-B225-F876FF7BA984"),
    ///     Err(InvalidRequestId::Length)
    /// );
    /// # Ok::<(), InvalidRequestId>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The first fault from the left: [`InvalidRequestId::Length`] when the
    /// text is not 36 bytes; [`InvalidRequestId::Dash`] for a missing or
    /// misplaced dash; [`InvalidRequestId::LowerCase`] for a lower-case hex
    /// digit; [`InvalidRequestId::NotHex`] for any other character.
    pub fn parse(text: &str) -> Result<RequestId, InvalidRequestId> {
        if text.len() != REQUEST_ID_LEN {
            return Err(InvalidRequestId::Length);
        }
        let mut value = 0u128;
        for (i, b) in text.bytes().enumerate() {
            // The dashes of 8-4-4-4-12.
            if matches!(i, 8 | 13 | 18 | 23) {
                if b != b'-' {
                    return Err(InvalidRequestId::Dash);
                }
                continue;
            }
            let digit = match b {
                b'0'..=b'9' => b - b'0',
                b'A'..=b'F' => b - b'A' + 10,
                b'a'..=b'f' => return Err(InvalidRequestId::LowerCase),
                b'-' => return Err(InvalidRequestId::Dash),
                _ => return Err(InvalidRequestId::NotHex),
            };
            value = (value << 4) | u128::from(digit);
        }
        Ok(RequestId(value))
    }

    /// Writes the text, without the formatting machinery `Display` goes
    /// through.
    fn write_to<W: fmt::Write + ?Sized>(self, out: &mut W) -> fmt::Result {
        let text = self.encode();
        out.write_str(core::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }

    /// The text, as ASCII bytes.
    fn encode(self) -> [u8; REQUEST_ID_LEN] {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let hex = |nibble: u8| HEX.get(usize::from(nibble)).copied().unwrap_or(b'0');
        let mut digits = [0u8; 32];
        for (pair, byte) in digits.chunks_exact_mut(2).zip(self.0.to_be_bytes()) {
            pair.copy_from_slice(&[hex(byte >> 4), hex(byte & 0xF)]);
        }
        let mut text = [b'-'; REQUEST_ID_LEN];
        // 8-4-4-4-12: digit runs and where each lands in the text.
        for (from, to, len) in [(0, 0, 8), (8, 9, 4), (12, 14, 4), (16, 19, 4), (20, 24, 12)] {
            if let (Some(dst), Some(src)) =
                (text.get_mut(to..to + len), digits.get(from..from + len))
            {
                dst.copy_from_slice(src);
            }
        }
        text
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.encode();
        f.pad(core::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RequestId({self})")
    }
}

impl FromStr for RequestId {
    type Err = InvalidRequestId;
    fn from_str(text: &str) -> Result<RequestId, InvalidRequestId> {
        RequestId::parse(text)
    }
}

impl TryFrom<&str> for RequestId {
    type Error = InvalidRequestId;
    fn try_from(text: &str) -> Result<RequestId, InvalidRequestId> {
        RequestId::parse(text)
    }
}

keyword_enum! {
    /// The body format of a response (the common `Format` parameter),
    /// parsed from `json` / `xml` in any case; [`Format::Xml`] when a
    /// request leaves it out, as on the API.
    ///
    /// ```
    /// use aliyun_sg_egress::Format;
    /// assert_eq!("JSON".parse::<Format>(), Ok(Format::Json));
    /// assert_eq!(Format::Xml.to_string(), "xml");
    /// assert!("yaml".parse::<Format>().is_err());
    /// ```
    #[derive(Default)]
    pub enum Format / InvalidFormat {
        /// `json`: one line, no spaces.
        Json => "json",
        /// `xml`: one line, no XML declaration.
        #[default]
        Xml => "xml",
    }
}

keyword_error! {
    /// The text is neither `json` nor `xml`.
    pub struct InvalidFormat => "format must be json or xml";
}

impl Format {
    /// The media type of a body in this format (`application/json`,
    /// `application/xml`), for a `Content-Type` header.
    pub const fn media_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Xml => "application/xml",
        }
    }
}

/// A [`fmt::Write`] adapter that escapes what goes through it for a body in
/// `format` (see [Escaping](self#escaping)): as the inside of a JSON string,
/// or as XML character data or attribute text.
#[derive(Debug)]
pub(crate) struct Escape<'a, W: fmt::Write + ?Sized> {
    out: &'a mut W,
    format: Format,
}

impl<'a, W: fmt::Write + ?Sized> Escape<'a, W> {
    /// Escapes into `out` for `format`.
    pub(crate) fn new(out: &'a mut W, format: Format) -> Self {
        Escape { out, format }
    }

    /// Writes markup, which is not escaped.
    pub(crate) fn out_str(&mut self, markup: &str) -> fmt::Result {
        self.out.write_str(markup)
    }
}

impl<W: fmt::Write + ?Sized> fmt::Write for Escape<'_, W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        match self.format {
            Format::Json => escape_runs::<JsonSuspects, _, _>(self.out, s, json_escape),
            Format::Xml => escape_runs::<XmlSuspects, _, _>(self.out, s, xml_escape),
        }
    }
}

/// Escapes of the characters below U+0020, in JSON.
#[rustfmt::skip]
const JSON_CONTROL: [&str; 0x20] = [
    "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007",
    "\\b",     "\\t",     "\\n",     "\\u000b", "\\f",     "\\r",     "\\u000e", "\\u000f",
    "\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017",
    "\\u0018", "\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f",
];

/// The JSON escape of `c`, if it needs one.
fn json_escape(c: char) -> Option<&'static str> {
    match c {
        '"' => Some("\\\""),
        '\\' => Some("\\\\"),
        c if c < ' ' => JSON_CONTROL.get(usize::from(c as u8)).copied(),
        _ => None,
    }
}

/// The XML escape (or replacement) of `c`, if it needs one.
fn xml_escape(c: char) -> Option<&'static str> {
    match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '\'' => Some("&apos;"),
        '\r' => Some("&#xD;"),
        '\n' => Some("&#10;"),
        '\t' => Some("&#9;"),
        c if c < ' ' || c == '\u{fffe}' || c == '\u{ffff}' => Some("\u{fffd}"),
        _ => None,
    }
}

/// Writes `s` to `out`, passing runs that need no escape through whole and
/// each other character as `escape` maps it. `S` marks the bytes that may
/// start a character needing an escape (every such character starts with
/// one), so plain text is skipped without decoding it.
fn escape_runs<S, W, E>(out: &mut W, s: &str, escape: E) -> fmt::Result
where
    S: block::Marker,
    W: fmt::Write + ?Sized,
    E: Fn(char) -> Option<&'static str>,
{
    let mut start = 0;
    for at in block::MarkedBytes::<S>::new(s.as_bytes()) {
        let Some(c) = s.get(at..).and_then(|rest| rest.chars().next()) else {
            continue;
        };
        if let Some(replacement) = escape(c) {
            out.write_str(s.get(start..at).unwrap_or(""))?;
            out.write_str(replacement)?;
            start = at + c.len_utf8();
        }
    }
    out.write_str(s.get(start..).unwrap_or(""))
}

/// Marks the bytes that may start a character JSON escapes.
struct JsonSuspects;

impl block::Marker for JsonSuspects {
    const BELOW: u8 = 0x20;
    const ANY_OF: &'static [u8] = b"\"\\";
}

/// Marks the bytes that may start a character XML escapes (0xEF starts
/// U+FFFE and U+FFFF).
struct XmlSuspects;

impl block::Marker for XmlSuspects {
    const BELOW: u8 = 0x20;
    const ANY_OF: &'static [u8] = &[b'&', b'<', b'>', b'"', b'\'', 0xEF];
}

/// One response: its format, request id and outcome, giving the HTTP status
/// and writing the body (its [`Display`](fmt::Display) is the body; so is
/// [`Response::write_body`], into any [`fmt::Write`]).
///
/// Success: JSON `{"RequestId":"…"}`; XML
/// `<ModifySecurityGroupEgressRuleResponse><RequestId>…</RequestId></ModifySecurityGroupEgressRuleResponse>`.
/// Failure: JSON
/// `{"RequestId":"…","HostId":"ecs.aliyuncs.com","Code":"…","Message":"…"}`;
/// XML `<Error><RequestId>…</RequestId><HostId>ecs.aliyuncs.com</HostId><Code>…</Code><Message>…</Message></Error>`,
/// the message escaped for the format. One line each, no trailing newline.
///
/// ```
/// use aliyun_sg_egress::error::{ApiError, Cause};
/// use aliyun_sg_egress::request::Param;
/// use aliyun_sg_egress::{Format, RequestId, Response};
///
/// let id = RequestId::from_parts(0, 1);
/// let ok = Response::success(Format::Json, RequestId::from_u128(0xA));
/// assert_eq!(ok.to_string(), r#"{"RequestId":"00000000-0000-0000-0000-00000000000A"}"#);
///
/// let outcome: Result<(), ApiError> = Err(Cause::MissingParameter.into());
/// let response = Response::from_result(Format::Xml, id, &outcome);
/// assert_eq!(response.status(), 400);
/// assert!(response.to_string().starts_with("<Error><RequestId>00000000-0000-0000-0000-000000000001</RequestId>"));
///
/// let err = ApiError::new(Cause::MissingParameter).with_parameter(Param::RegionId);
/// let mut body = String::new();
/// Response::error(Format::Json, id, &err).write_body(&mut body)?;
/// assert!(body.ends_with(r#""Code":"MissingParameter","Message":"The input parameter \"RegionId\" that is mandatory for processing this request is not supplied."}"#));
/// # Ok::<(), core::fmt::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Response<'a> {
    format: Format,
    request_id: RequestId,
    error: Option<&'a ApiError>,
    action: Action,
}

impl<'a> Response<'a> {
    /// The response to a successful call.
    pub const fn success(format: Format, request_id: RequestId) -> Response<'a> {
        Response {
            format,
            request_id,
            error: None,
            action: Action::Modify,
        }
    }

    /// The same response for another action: a success body names its
    /// action (`<AuthorizeSecurityGroupEgressResponse>`, SPEC §12.3,
    /// §12.4); error bodies are the same for every action. Describe's
    /// success body is [`lifecycle::write_describe`](crate::lifecycle::write_describe)'s.
    ///
    /// ```
    /// use aliyun_sg_egress::request::Action;
    /// use aliyun_sg_egress::{Format, RequestId, Response};
    /// let r = Response::success(Format::Xml, RequestId::from_u128(1)).for_action(Action::Revoke);
    /// assert_eq!(
    ///     r.to_string(),
    ///     "<RevokeSecurityGroupEgressResponse><RequestId>00000000-0000-0000-0000-000000000001</RequestId></RevokeSecurityGroupEgressResponse>"
    /// );
    /// ```
    pub const fn for_action(mut self, action: Action) -> Response<'a> {
        self.action = action;
        self
    }

    /// The response to a call that failed with `error`.
    pub const fn error(format: Format, request_id: RequestId, error: &'a ApiError) -> Response<'a> {
        Response {
            format,
            request_id,
            error: Some(error),
            action: Action::Modify,
        }
    }

    /// The response to a call with this outcome (what it succeeded with is
    /// not part of the body).
    pub const fn from_result<T>(
        format: Format,
        request_id: RequestId,
        result: &'a Result<T, ApiError>,
    ) -> Response<'a> {
        match result {
            Ok(_) => Response::success(format, request_id),
            Err(error) => Response::error(format, request_id, error),
        }
    }

    /// The HTTP status: 200, or the error's.
    pub const fn status(&self) -> u16 {
        match self.error {
            None => 200,
            Some(error) => error.status(),
        }
    }

    /// The body format.
    pub const fn format(&self) -> Format {
        self.format
    }

    /// The request id.
    pub const fn request_id(&self) -> RequestId {
        self.request_id
    }

    /// The error, if the call failed.
    pub const fn api_error(&self) -> Option<&'a ApiError> {
        self.error
    }

    /// Writes the body, as `Display` does, into any [`fmt::Write`].
    ///
    /// # Errors
    ///
    /// Only those of the writer.
    pub fn write_body<W: fmt::Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        // Plain `write_str`s: these bodies are on every answer's path, and
        // the formatting machinery costs more than the bytes. No code has a
        // character to escape (a test checks).
        let id = self.request_id;
        let Some(error) = self.error else {
            return match self.format {
                Format::Json => {
                    out.write_str("{\"RequestId\":\"")?;
                    id.write_to(out)?;
                    out.write_str("\"}")
                }
                Format::Xml => {
                    let root = self.action.name();
                    out.write_str("<")?;
                    out.write_str(root)?;
                    out.write_str("Response><RequestId>")?;
                    id.write_to(out)?;
                    out.write_str("</RequestId></")?;
                    out.write_str(root)?;
                    out.write_str("Response>")
                }
            };
        };
        match self.format {
            Format::Json => {
                out.write_str("{\"RequestId\":\"")?;
                id.write_to(out)?;
                out.write_str("\",\"HostId\":\"")?;
                out.write_str(HOST_ID)?;
                out.write_str("\",\"Code\":\"")?;
                out.write_str(error.code())?;
                out.write_str("\",\"Message\":\"")?;
            }
            Format::Xml => {
                out.write_str("<Error><RequestId>")?;
                id.write_to(out)?;
                out.write_str("</RequestId><HostId>")?;
                out.write_str(HOST_ID)?;
                out.write_str("</HostId><Code>")?;
                out.write_str(error.code())?;
                out.write_str("</Code><Message>")?;
            }
        }
        error.write_message(&mut Escape::new(out, self.format))?;
        out.write_str(match self.format {
            Format::Json => "\"}",
            Format::Xml => "</Message></Error>",
        })
    }
}

impl fmt::Display for Response<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_body(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Cause;
    use core::fmt::Write as _;
    use std::prelude::rust_2024::*;

    const PAGE_ID: &str = "CEF72CEB-54B6-4AE8-B225-F876FF7BA984";

    fn page_id() -> RequestId {
        RequestId::parse(PAGE_ID).unwrap()
    }

    fn body(write: impl FnOnce(&mut String) -> fmt::Result) -> String {
        let mut out = String::new();
        write(&mut out).unwrap();
        out
    }

    fn missing_region() -> ApiError {
        ApiError::new(Cause::MissingParameter).with_parameter(crate::request::Param::RegionId)
    }

    #[test]
    fn request_ids_print_every_nibble_at_every_position() {
        let mut values = std::vec![0, u128::MAX, 0x0123_4567_89AB_CDEF_FEDC_BA98_7654_3210];
        for position in 0..32 {
            for nibble in 0..16u128 {
                values.push(nibble << (4 * position));
                values.push(!(nibble << (4 * position)));
            }
        }
        for v in values {
            let expected = std::format!("{v:032X}");
            let text = RequestId::from_u128(v).to_string();
            let dashed = std::format!(
                "{}-{}-{}-{}-{}",
                &expected[..8],
                &expected[8..12],
                &expected[12..16],
                &expected[16..20],
                &expected[20..]
            );
            assert_eq!(text, dashed);
        }
    }

    fn escaped_json(text: &str) -> String {
        let mut out = String::new();
        Escape::new(&mut out, Format::Json).write_str(text).unwrap();
        out
    }

    fn escaped_xml(text: &str) -> String {
        let mut out = String::new();
        Escape::new(&mut out, Format::Xml).write_str(text).unwrap();
        out
    }

    #[test]
    fn codes_need_no_escape() {
        // The bodies write codes as they are.
        for &cause in Cause::ALL {
            let code = cause.code();
            assert_eq!(
                (escaped_json(code), escaped_xml(code)),
                (code.into(), code.into())
            );
        }
    }

    #[test]
    fn json_success_bytes() {
        assert_eq!(
            body(|o| Response::success(Format::Json, page_id()).write_body(o)),
            r#"{"RequestId":"CEF72CEB-54B6-4AE8-B225-F876FF7BA984"}"#
        );
    }

    #[test]
    fn xml_success_bytes() {
        assert_eq!(
            body(|o| Response::success(Format::Xml, page_id()).write_body(o)),
            "<ModifySecurityGroupEgressRuleResponse><RequestId>CEF72CEB-54B6-4AE8-B225-F876FF7BA984\
             </RequestId></ModifySecurityGroupEgressRuleResponse>"
        );
    }

    #[test]
    fn json_error_bytes() {
        assert_eq!(
            body(|o| Response::error(Format::Json, page_id(), &missing_region()).write_body(o)),
            r#"{"RequestId":"CEF72CEB-54B6-4AE8-B225-F876FF7BA984","HostId":"ecs.aliyuncs.com","Code":"MissingParameter","Message":"The input parameter \"RegionId\" that is mandatory for processing this request is not supplied."}"#
        );
    }

    #[test]
    fn xml_error_bytes() {
        assert_eq!(
            body(|o| Response::error(Format::Xml, page_id(), &missing_region()).write_body(o)),
            "<Error><RequestId>CEF72CEB-54B6-4AE8-B225-F876FF7BA984</RequestId>\
             <HostId>ecs.aliyuncs.com</HostId><Code>MissingParameter</Code>\
             <Message>The input parameter &quot;RegionId&quot; that is mandatory for \
             processing this request is not supplied.</Message></Error>"
        );
    }

    #[test]
    fn response_bundles_status_and_body() {
        let err = missing_region();
        let ok = Response::success(Format::Json, page_id());
        assert_eq!(ok.status(), 200);
        assert_eq!(ok.api_error(), None);
        assert_eq!(
            ok.to_string(),
            body(|o| Response::success(Format::Json, page_id()).write_body(o))
        );
        let failed: Result<u8, ApiError> = Err(err.clone());
        let bad = Response::from_result(Format::Xml, page_id(), &failed);
        assert_eq!(bad.status(), 400);
        assert_eq!(bad.format(), Format::Xml);
        assert_eq!(bad.request_id(), page_id());
        assert_eq!(bad.api_error(), Some(&err));
        assert_eq!(
            bad.to_string(),
            body(|o| Response::error(Format::Xml, page_id(), &err).write_body(o))
        );
        let fine: Result<u8, ApiError> = Ok(3);
        assert_eq!(Response::from_result(Format::Json, page_id(), &fine), ok);
    }

    /// A `%s` message quoting the caller's text, as the IPv6 readers do.
    fn tricky() -> ApiError {
        ApiError::new(Cause::IllegalIpv6Cidr)
            .with_parameter(crate::request::Param::Ipv6DestCidrIp)
            .because(crate::error::Reason::Ipv6Cidr(
                crate::cidr::InvalidCidr::WrongFamily,
            ))
            .quoting(&["a\"b\\c\nd<&>'e\u{1}\r\t\u{ffff}é"])
    }

    #[test]
    fn json_escapes_user_text() {
        assert_eq!(
            body(|o| Response::error(Format::Json, page_id(), &tricky()).write_body(o)),
            "{\"RequestId\":\"CEF72CEB-54B6-4AE8-B225-F876FF7BA984\",\"HostId\":\"ecs.aliyuncs.com\",\
             \"Code\":\"ILLEGAL_IPV6_CIDR\",\"Message\":\"Ipv6DestCidrIp \\\"\
             a\\\"b\\\\c\\nd<&>'e\\u0001\\r\\t\u{ffff}é\
             \\\" is not an IPv6 address or CIDR: an address of the other IP family\"}"
        );
    }

    #[test]
    fn xml_escapes_user_text() {
        assert_eq!(
            body(|o| Response::error(Format::Xml, page_id(), &tricky()).write_body(o)),
            "<Error><RequestId>CEF72CEB-54B6-4AE8-B225-F876FF7BA984</RequestId>\
             <HostId>ecs.aliyuncs.com</HostId><Code>ILLEGAL_IPV6_CIDR</Code>\
             <Message>Ipv6DestCidrIp &quot;a&quot;b\\c&#10;d&lt;&amp;&gt;&apos;e\u{fffd}&#xD;&#9;\u{fffd}é\
             &quot; is not an IPv6 address or CIDR: an address of the other IP family</Message></Error>"
        );
    }

    #[test]
    fn escapers_cover_every_control_character() {
        for b in 0u8..0x20 {
            let c = char::from(b);
            let mut json = String::new();
            Escape::new(&mut json, Format::Json).write_char(c).unwrap();
            assert!(json.starts_with('\\'), "{b:#x} -> {json}");
            let decoded = match json.as_str() {
                "\\b" => 8,
                "\\t" => 9,
                "\\n" => 10,
                "\\f" => 12,
                "\\r" => 13,
                u => u32::from_str_radix(u.strip_prefix("\\u").unwrap(), 16).unwrap(),
            };
            assert_eq!(decoded, u32::from(b));
            let mut xml = String::new();
            Escape::new(&mut xml, Format::Xml).write_char(c).unwrap();
            let expected = match b {
                b'\t' => "&#9;".to_string(),
                b'\n' => "&#10;".to_string(),
                b'\r' => "&#xD;".to_string(),
                _ => "\u{fffd}".to_string(),
            };
            assert_eq!(xml, expected);
        }
        let mut plain = String::new();
        Escape::new(&mut plain, Format::Json)
            .write_str("名 / é ~\u{7f}")
            .unwrap();
        Escape::new(&mut plain, Format::Xml)
            .write_str("名 / é ~\u{7f}")
            .unwrap();
        assert_eq!(plain, "名 / é ~\u{7f}名 / é ~\u{7f}");
    }

    #[test]
    fn writes_into_a_fixed_capacity_string() {
        let mut out = heapless::String::<512>::new();
        Response::error(Format::Json, page_id(), &tricky())
            .write_body(&mut out)
            .unwrap();
        assert!(out.starts_with("{\"RequestId\":\"CEF72CEB-"));
        out.clear();
        Response::success(Format::Xml, page_id())
            .write_body(&mut out)
            .unwrap();
        assert!(out.ends_with("</ModifySecurityGroupEgressRuleResponse>"));
        let mut tiny = heapless::String::<16>::new();
        assert!(
            Response::success(Format::Json, page_id())
                .write_body(&mut tiny)
                .is_err()
        );
    }

    #[test]
    fn request_id_round_trips() {
        for text in [
            PAGE_ID,
            "473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E",
            "00000000-0000-0000-0000-000000000000",
            "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
        ] {
            let id = RequestId::parse(text).unwrap();
            assert_eq!(id.to_string(), text);
            assert_eq!(text.parse::<RequestId>(), Ok(id));
            assert_eq!(RequestId::try_from(text), Ok(id));
            assert_eq!(RequestId::from_u128(id.as_u128()), id);
        }
        assert_eq!(
            RequestId::from_u128(u128::MAX).to_string(),
            "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF"
        );
        assert_eq!(
            RequestId::from_parts(0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210).to_string(),
            "01234567-89AB-CDEF-FEDC-BA9876543210"
        );
        assert_eq!(RequestId::from_u128(5), RequestId::from_parts(0, 5));
        assert_eq!(format!("{:?}", page_id()), format!("RequestId({PAGE_ID})"));
        assert_eq!(format!("{:>38}", page_id()), format!("  {PAGE_ID}"));
        assert!(RequestId::from_u128(9) < RequestId::from_u128(0xA));
    }

    #[test]
    fn request_id_digits_match_core_fmt() {
        let mut n: u128 = 0x0123_4567_89AB_CDEF_FEDC_BA98_7654_3210;
        for _ in 0..1000 {
            let hex = format!("{n:032X}");
            let expected = format!(
                "{}-{}-{}-{}-{}",
                &hex[..8],
                &hex[8..12],
                &hex[12..16],
                &hex[16..20],
                &hex[20..]
            );
            assert_eq!(RequestId::from_u128(n).to_string(), expected);
            n = n
                .wrapping_mul(0x2545_F491_4F6C_DD1D)
                .wrapping_add(0x9E37_79B9);
        }
    }

    #[test]
    fn escapers_agree_with_char_by_char_escaping_at_every_offset() {
        let specials = [
            "\"", "\\", "\u{1}", "\n", "&", "<", "'", "\u{fffe}", "é", "名", "\u{ef}",
        ];
        for special in specials {
            for at in 0..20 {
                let text = format!("{}{special}{}", "a".repeat(at), "b".repeat(20 - at));
                let (mut json, mut json_expected) = (String::new(), String::new());
                let (mut xml, mut xml_expected) = (String::new(), String::new());
                Escape::new(&mut json, Format::Json)
                    .write_str(&text)
                    .unwrap();
                Escape::new(&mut xml, Format::Xml).write_str(&text).unwrap();
                for c in text.chars() {
                    let mut one = [0u8; 4];
                    json_expected.push_str(json_escape(c).unwrap_or(c.encode_utf8(&mut one)));
                    xml_expected.push_str(xml_escape(c).unwrap_or(c.encode_utf8(&mut one)));
                }
                assert_eq!(json, json_expected, "{text:?}");
                assert_eq!(xml, xml_expected, "{text:?}");
            }
        }
    }

    #[test]
    fn request_id_refuses_other_shapes() {
        use InvalidRequestId::*;
        for (text, why) in [
            ("", Length),
            ("CEF72CEB-54B6-4AE8-B225-F876FF7BA98", Length),
            ("CEF72CEB-54B6-4AE8-B225-F876FF7BA9840", Length),
            (" CEF72CEB-54B6-4AE8-B225-F876FF7BA984", Length),
            ("CEF72CEB54B64AE8B225F876FF7BA984", Length),
            ("CEF72CEB-54B6-4AE8-B225F-876FF7BA984", Dash),
            ("CEF72CE-B54B6-4AE8-B225-F876FF7BA984", Dash),
            ("CEF72CEB_54B6_4AE8_B225_F876FF7BA984", Dash),
            ("CEF72CEB-54B6-4AE8-B225-F876FF7BA98-", Dash),
            ("cef72ceb-54b6-4ae8-b225-f876ff7ba984", LowerCase),
            ("CEF72CEB-54B6-4AE8-B225-F876FF7BA98a", LowerCase),
            ("CEF72CEB-54B6-4AE8-B225-F876FF7BA98G", NotHex),
            ("{EF72CEB-54B6-4AE8-B225-F876FF7BA984", NotHex),
            ("CEF72CEB-54B6-4AE8-B225-F876FF7BA9é", NotHex),
        ] {
            assert_eq!(RequestId::parse(text), Err(why), "{text:?}");
        }
        for why in [Length, Dash, LowerCase, NotHex] {
            let text = why.to_string();
            assert!(text.starts_with("request id must"));
            assert_eq!(text, text.to_lowercase());
        }
    }

    #[test]
    fn format_parses_any_case() {
        for &f in Format::ALL {
            assert_eq!(Format::parse(f.as_str()), Ok(f));
            assert_eq!(f.as_str().to_uppercase().parse::<Format>(), Ok(f));
            assert_eq!(f.to_string(), f.as_str());
        }
        assert_eq!(Format::try_from("Xml"), Ok(Format::Xml));
        assert_eq!(Format::parse("yaml"), Err(InvalidFormat));
        assert_eq!(Format::parse(""), Err(InvalidFormat));
        assert_eq!(InvalidFormat.to_string(), "format must be json or xml");
        assert_eq!(Format::default(), Format::Xml);
        assert_eq!(Format::Json.media_type(), "application/json");
    }
}
