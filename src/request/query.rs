//! Step 1 of a request (SPEC §6): split the query into `(name, value)`
//! pairs, percent-decode them, and refuse bad encodings, over-long values,
//! and parameters given twice. Nothing is validated here beyond decoding.

use core::str;

use heapless::Vec;

use super::param::Param;
use crate::error::{ApiError, Cause, Hints};

/// The longest raw query accepted (64 KiB).
pub const QUERY_MAX_BYTES: usize = 64 * 1024;
/// The longest decoded name or value accepted (4 KiB).
pub const VALUE_MAX_BYTES: usize = 4 * 1024;
/// The most parameters this crate does not read that one request may
/// carry (so that duplicates among them are found without a heap).
pub const MAX_UNKNOWN_PARAMETERS: usize = 128;

/// The name the query-level limits are reported under.
pub const QUERY_STRING: &str = "QueryString";

/// The page's placeholder for the common parameters, tolerated as a pair.
const COMMON_PARAMETERS_PLACEHOLDER: &[u8] = "<公共请求参数>".as_bytes();

/// A decoding buffer: a value is decoded into it, used, then dropped.
pub(crate) type Scratch = Vec<u8, VALUE_MAX_BYTES>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DecodeError {
    BadEscape,
    TooLong,
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn needs_decoding(raw: &[u8]) -> bool {
    raw.iter().any(|&b| b == b'%' || b == b'+')
}

/// Decodes `%XX` and `+` into `out` (cleared first).
fn decode_into<const N: usize>(raw: &[u8], out: &mut Vec<u8, N>) -> Result<(), DecodeError> {
    out.clear();
    let mut rest = raw;
    while !rest.is_empty() {
        let plain = rest
            .iter()
            .position(|&b| b == b'%' || b == b'+')
            .unwrap_or(rest.len());
        let (run, tail) = rest.split_at(plain);
        out.extend_from_slice(run)
            .map_err(|_| DecodeError::TooLong)?;
        rest = match tail {
            [b'+', after @ ..] => {
                out.push(b' ').map_err(|_| DecodeError::TooLong)?;
                after
            }
            [b'%', hi, lo, after @ ..] => {
                let byte = hex(*hi).zip(hex(*lo)).ok_or(DecodeError::BadEscape)?;
                out.push(byte.0 << 4 | byte.1)
                    .map_err(|_| DecodeError::TooLong)?;
                after
            }
            [] => tail,
            _ => return Err(DecodeError::BadEscape),
        };
    }
    Ok(())
}

/// The decoded bytes of an already checked encoded text, one at a time.
fn decoded_bytes(raw: &[u8]) -> impl Iterator<Item = u8> + '_ {
    let mut rest = raw;
    core::iter::from_fn(move || {
        let (byte, after) = match rest {
            [b'+', after @ ..] => (b' ', after),
            [b'%', hi, lo, after @ ..] => {
                (hex(*hi).unwrap_or(0) << 4 | hex(*lo).unwrap_or(0), after)
            }
            [b, after @ ..] => (*b, after),
            [] => return None,
        };
        rest = after;
        Some(byte)
    })
}

/// A name or value as found in the request, already checked to decode.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Text<'a> {
    /// Needs no decoding.
    Plain(&'a str),
    /// Holds `%XX` or `+`; decodes to valid UTF-8 within the limit.
    Encoded(&'a [u8]),
}

impl<'a> Text<'a> {
    /// The decoded text, borrowed from the request or decoded into `scratch`.
    pub(crate) fn decode<'s>(self, scratch: &'s mut Scratch) -> &'s str
    where
        'a: 's,
    {
        match self {
            Text::Plain(text) => text,
            Text::Encoded(raw) => {
                // Checked when the text was collected; a failure here would
                // be a bug, and yields the empty string rather than a panic.
                if decode_into(raw, scratch).is_err() {
                    scratch.clear();
                }
                str::from_utf8(scratch).unwrap_or("")
            }
        }
    }

    fn same_decoded(self, other: Text<'_>) -> bool {
        match (self, other) {
            (Text::Plain(a), Text::Plain(b)) => a == b,
            (Text::Plain(a), Text::Encoded(b)) => a.bytes().eq(decoded_bytes(b)),
            (Text::Encoded(a), Text::Plain(b)) => decoded_bytes(a).eq(b.bytes()),
            (Text::Encoded(a), Text::Encoded(b)) => decoded_bytes(a).eq(decoded_bytes(b)),
        }
    }
}

/// Checks one raw name or value, decoding into `scratch` when needed, and
/// returns it both as found and decoded. Errors are details for
/// `InvalidParameter`.
fn check<'a: 's, 's>(
    raw: &'a [u8],
    scratch: &'s mut Scratch,
) -> Result<(Text<'a>, &'s str), &'static str> {
    if needs_decoding(raw) {
        decode_into(raw, scratch).map_err(|e| match e {
            DecodeError::BadEscape => "invalid percent-encoding",
            DecodeError::TooLong => "decoded text is longer than 4096 bytes",
        })?;
        let text = str::from_utf8(scratch).map_err(|_| "decoded text is not valid UTF-8")?;
        Ok((Text::Encoded(raw), text))
    } else {
        let text = str::from_utf8(raw).map_err(|_| "text is not valid UTF-8")?;
        if text.len() > VALUE_MAX_BYTES {
            return Err("text is longer than 4096 bytes");
        }
        Ok((Text::Plain(text), text))
    }
}

/// The name an error gives a parameter: a pair with an empty name (`=x`)
/// is reported as a fault of the query string itself.
fn shown_name(name: &str) -> &str {
    if name.is_empty() { QUERY_STRING } else { name }
}

/// Strips the line breaks that the API page's layout puts before each `&`.
fn trim_line_breaks(mut pair: &[u8]) -> &[u8] {
    while let [rest @ .., b'\r' | b'\n'] = pair {
        pair = rest;
    }
    pair
}

/// The parameters of one request after step 1: the known ones by
/// [`Param`], plus the hints earned by ignored ingress-only names.
#[derive(Debug)]
pub(crate) struct Collected<'a> {
    values: [Option<Text<'a>>; Param::COUNT],
    unknown: Vec<Text<'a>, MAX_UNKNOWN_PARAMETERS>,
    pub(crate) hints: Hints,
}

impl<'a> Collected<'a> {
    fn new() -> Self {
        Collected {
            values: [None; Param::COUNT],
            unknown: Vec::new(),
            hints: Hints::NONE,
        }
    }

    /// The raw text of a known parameter, if given (possibly empty).
    pub(crate) fn get(&self, param: Param) -> Option<Text<'a>> {
        self.values.get(param as usize).copied().flatten()
    }

    /// Records one checked pair.
    fn add(&mut self, name: Text<'a>, decoded_name: &str, value: Text<'a>) -> Result<(), ApiError> {
        let duplicate = || {
            ApiError::new(Cause::InvalidParameter)
                .with_parameter(shown_name(decoded_name))
                .with_detail(format_args!(
                    "parameter \"{decoded_name}\" is given more than once"
                ))
        };
        if let Some(param) = Param::from_name(decoded_name.as_bytes()) {
            let slot = self.values.get_mut(param as usize).ok_or_else(duplicate)?;
            if slot.is_some() {
                return Err(duplicate());
            }
            *slot = Some(value);
            return Ok(());
        }
        if let Some(hint) = crate::error::Hint::for_ingress_parameter(decoded_name.as_bytes()) {
            self.hints = self.hints.with(hint);
        }
        if self.unknown.iter().any(|seen| seen.same_decoded(name)) {
            return Err(duplicate());
        }
        self.unknown.push(name).map_err(|_| {
            ApiError::new(Cause::InvalidParameter)
                .with_parameter(QUERY_STRING)
                .with_detail(format_args!(
                    "more than {MAX_UNKNOWN_PARAMETERS} parameters this API does not read"
                ))
        })
    }
}

/// Strips what the API page wraps around a query: an `http(s)://host/?`
/// prefix or a lone leading `?`.
fn strip_url_prefix(query: &[u8]) -> &[u8] {
    if query.starts_with(b"https://") || query.starts_with(b"http://") {
        return match query.iter().position(|&b| b == b'?') {
            Some(q) => query.get(q + 1..).unwrap_or(&[]),
            None => &[],
        };
    }
    query.strip_prefix(b"?").unwrap_or(query)
}

/// Decodes a query string (SPEC §6 step 1).
///
/// Pairs are separated by `&`; the line breaks of the API page's layout
/// just before a `&` (and at the very end) are part of the separator; empty
/// pairs and the page's `<公共请求参数>` placeholder are skipped; a pair
/// without `=` has an empty value.
pub(crate) fn collect_query<'a>(
    query: &'a [u8],
    scratch: &mut Scratch,
) -> Result<Collected<'a>, ApiError> {
    if query.len() > QUERY_MAX_BYTES {
        return Err(ApiError::new(Cause::InvalidParameter)
            .with_parameter(QUERY_STRING)
            .with_detail(format_args!(
                "query string is {} bytes, more than 65536",
                query.len()
            )));
    }
    let mut collected = Collected::new();
    let mut name_scratch = Scratch::new();
    for pair in strip_url_prefix(query).split(|&b| b == b'&') {
        let pair = trim_line_breaks(pair);
        if pair.is_empty() || pair == COMMON_PARAMETERS_PLACEHOLDER {
            continue;
        }
        let (raw_name, raw_value) = match pair.iter().position(|&b| b == b'=') {
            Some(eq) => (
                pair.get(..eq).unwrap_or(&[]),
                pair.get(eq + 1..).unwrap_or(&[]),
            ),
            None => (pair, &[][..]),
        };
        let (name, decoded_name) = check(raw_name, &mut name_scratch).map_err(|detail| {
            ApiError::new(Cause::InvalidParameter)
                .with_parameter_bytes(if raw_name.is_empty() {
                    QUERY_STRING.as_bytes()
                } else {
                    raw_name
                })
                .with_detail(format_args!("parameter name: {detail}"))
        })?;
        let (value, _) = check(raw_value, scratch).map_err(|detail| {
            ApiError::new(Cause::InvalidParameter)
                .with_parameter(shown_name(decoded_name))
                .with_detail(format_args!("{decoded_name}: {detail}"))
        })?;
        collected.add(name, decoded_name, value)?;
    }
    Ok(collected)
}

/// Collects already decoded `(name, value)` pairs (SPEC §6 step 1 without
/// the percent-decoding): the same length limits and duplicate check.
pub(crate) fn collect_pairs<'a, I>(pairs: I) -> Result<Collected<'a>, ApiError>
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut collected = Collected::new();
    for (name, value) in pairs {
        for text in [name, value] {
            if text.len() > VALUE_MAX_BYTES {
                return Err(ApiError::new(Cause::InvalidParameter)
                    .with_parameter(name)
                    .with_detail(format_args!("text is longer than 4096 bytes")));
            }
        }
        collected.add(Text::Plain(name), name, Text::Plain(value))?;
    }
    Ok(collected)
}
