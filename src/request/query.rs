//! Step 1 of a request (SPEC §6): split the query into `(name, value)`
//! pairs, percent-decode them, and refuse bad encodings, over-long values,
//! and parameters given twice. Nothing is validated here beyond decoding.

use core::str;

use super::param::Param;
use crate::block;
use crate::error::{ApiError, Cause, DecodeFault, Hint, Hints, Reason};

/// The longest raw query accepted (64 KiB).
pub const QUERY_MAX_BYTES: usize = 64 * 1024;
/// The longest decoded name or value accepted (4 KiB).
pub const VALUE_MAX_BYTES: usize = 4 * 1024;
/// The most parameters this crate does not read that one request may
/// carry (duplicates among them are found by re-reading the query, so this
/// bounds that work).
pub const MAX_UNKNOWN_PARAMETERS: usize = 128;

/// The name the query-level limits are reported under.
pub const QUERY_STRING: &str = "QueryString";

/// The page's placeholder for the common parameters, tolerated as a pair.
const COMMON_PARAMETERS_PLACEHOLDER: &[u8] = "<公共请求参数>".as_bytes();

/// The decode buffer of one parse, lent by its caller: a value is decoded
/// into the free part to be checked, then dropped; text a request keeps
/// is decoded there once more and split off the front, so that it lives as
/// long as the buffer's loan. Only kept text shrinks the free part.
pub(crate) struct Scratch<'b> {
    free: &'b mut [u8],
}

/// An empty buffer (what a reader holds while another borrows its own).
impl Default for Scratch<'_> {
    fn default() -> Self {
        Scratch { free: &mut [] }
    }
}

impl<'b> Scratch<'b> {
    pub(crate) fn new(buffer: &'b mut [u8]) -> Self {
        Scratch { free: buffer }
    }

    /// Decodes `raw` into the free part, for a look.
    fn decode(&mut self, raw: &[u8]) -> Result<&[u8], DecodeFault> {
        // The buffer may be larger (it holds kept text of many values);
        // one value never decodes to more than the limit.
        let room = self.free.len().min(VALUE_MAX_BYTES);
        let out = self.free.get_mut(..room).unwrap_or(&mut []);
        let len = decode_into(raw, out)?;
        Ok(self.free.get(..len).unwrap_or(&[]))
    }

    /// The text, for as long as the buffer is lent: borrowed as it is, or
    /// decoded and split off the free part.
    // Inline for the usual plain text; the decoding stays out of line.
    #[inline]
    pub(crate) fn keep(&mut self, text: Text<'b>) -> &'b str {
        match text {
            Text::Plain(text) => text,
            Text::Encoded(raw) => self.keep_decoded(raw),
        }
    }

    #[inline(never)]
    fn keep_decoded(&mut self, raw: &[u8]) -> &'b str {
        let free = core::mem::take(&mut self.free);
        // A text that does not decode here would be a bug (it was checked,
        // and a request's kept text fits the buffer); it yields the empty
        // string rather than a panic.
        let len = decode_into(raw, free).unwrap_or(0);
        let (kept, rest) = free.split_at_mut(len.min(free.len()));
        self.free = rest;
        str::from_utf8(kept).unwrap_or("")
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes `%XX` and `+` into the front of `out`, a byte at a time (values
/// are short, and a copy call per plain run would cost more than the
/// bytes); returns the decoded length.
fn decode_into(raw: &[u8], out: &mut [u8]) -> Result<usize, DecodeFault> {
    let mut len = 0;
    let mut rest = raw;
    while let [b, after @ ..] = rest {
        let (byte, after) = match (b, after) {
            (b'+', _) => (b' ', after),
            (b'%', [hi, lo, after @ ..]) => {
                let byte = hex(*hi).zip(hex(*lo)).ok_or(DecodeFault::BadEscape)?;
                (byte.0 << 4 | byte.1, after)
            }
            (b'%', _) => return Err(DecodeFault::BadEscape),
            _ => (*b, after),
        };
        *out.get_mut(len).ok_or(DecodeFault::DecodedTooLong)? = byte;
        len += 1;
        rest = after;
    }
    Ok(len)
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
    // Inline for the usual plain text (a call for each parameter would
    // cost more than the match); the decoding stays out of line.
    #[inline(always)]
    pub(crate) fn decode<'s>(self, scratch: &'s mut Scratch<'_>) -> &'s str
    where
        'a: 's,
    {
        match self {
            Text::Plain(text) => text,
            // It was checked to decode: a failure would be a bug, and
            // yields the empty string rather than a panic.
            Text::Encoded(raw) => check_slowly(raw, true, scratch).map_or("", |(_, text)| text),
        }
    }
}

/// An `InvalidParameter` error naming a parameter as decoded: a pair with
/// an empty name (`=x`) is reported as a fault of the query string itself.
fn invalid(decoded_name: &str, reason: Reason) -> ApiError {
    let error = ApiError::new(Cause::InvalidParameter).because(reason);
    if decoded_name.is_empty() {
        error.on_query_string()
    } else {
        error.with_parameter_name(decoded_name)
    }
}

/// Strips the line breaks that the API page's layout puts before each `&`.
fn trim_line_breaks(mut pair: &[u8]) -> &[u8] {
    while let [rest @ .., b'\r' | b'\n'] = pair {
        pair = rest;
    }
    pair
}

/// The parameters of one request after step 1: the known ones by
/// [`Param`], plus the hints earned by ignored ingress-only names and a
/// count of the other names.
#[derive(Debug)]
pub(crate) struct Collected<'a> {
    values: [Option<Text<'a>>; Param::COUNT],
    pub(crate) hints: Hints,
    unknown: usize,
}

impl<'a> Collected<'a> {
    pub(crate) fn new() -> Self {
        Collected {
            values: [None; Param::COUNT],
            hints: Hints::NONE,
            unknown: 0,
        }
    }

    /// The raw text of a known parameter, if given (possibly empty).
    pub(crate) fn get(&self, param: Param) -> Option<Text<'a>> {
        self.values.get(param as usize).copied().flatten()
    }

    /// Sets a known parameter's text (a permission's fields, read back
    /// from the list table).
    pub(crate) fn put(&mut self, param: Param, value: Text<'a>) {
        if let Some(slot) = self.values.get_mut(param as usize) {
            *slot = Some(value);
        }
    }

    /// Records a pair by its decoded name: a known name once; any other
    /// name (after noting the hint an ingress-only name earns) once, as
    /// `named_earlier` tells, and at most [`MAX_UNKNOWN_PARAMETERS`] of them.
    pub(crate) fn add(
        &mut self,
        name: &str,
        value: Text<'a>,
        named_earlier: impl FnOnce() -> bool,
    ) -> Result<(), ApiError> {
        if let Some(param) = Param::from_name(name.as_bytes()) {
            return self.set(param, value);
        }
        if let Some(hint) = Hint::for_ingress_parameter(name.as_bytes()) {
            self.hints = self.hints.with(hint);
        }
        if named_earlier() {
            return Err(invalid(name, Reason::Duplicate));
        }
        if self.unknown == MAX_UNKNOWN_PARAMETERS {
            let error = ApiError::new(Cause::InvalidParameter).on_query_string();
            return Err(error.because(Reason::TooManyParameters));
        }
        self.unknown += 1;
        Ok(())
    }

    /// Records the value of a known parameter, refusing a second one.
    #[inline(always)]
    fn set(&mut self, param: Param, value: Text<'a>) -> Result<(), ApiError> {
        match self.values.get_mut(param as usize) {
            Some(slot @ None) => {
                *slot = Some(value);
                Ok(())
            }
            _ => Err(ApiError::new(Cause::InvalidParameter)
                .with_parameter(param)
                .because(Reason::Duplicate)),
        }
    }
}

/// Where the pairs of a query go: [`Collected`] for the flat parameters,
/// or a wrapper that also files the list forms (`Permissions.N.<field>`).
pub(crate) trait Sink<'a> {
    /// Records the value of a known parameter, refusing a second one.
    fn set(&mut self, param: Param, value: Text<'a>) -> Result<(), ApiError>;

    /// Records any other pair by its decoded name; `start` is where the
    /// pair starts in the (prefix-stripped) query.
    fn add(
        &mut self,
        name: &str,
        value: Text<'a>,
        start: usize,
        named_earlier: impl FnOnce() -> bool,
    ) -> Result<(), ApiError>;
}

impl<'a> Sink<'a> for Collected<'a> {
    #[inline(always)]
    fn set(&mut self, param: Param, value: Text<'a>) -> Result<(), ApiError> {
        Collected::set(self, param, value)
    }

    fn add(
        &mut self,
        name: &str,
        value: Text<'a>,
        _start: usize,
        named_earlier: impl FnOnce() -> bool,
    ) -> Result<(), ApiError> {
        Collected::add(self, name, value, named_earlier)
    }
}

/// The text of the value of the pair starting at `start` (one the query
/// was collected with, so it is known to decode).
pub(crate) fn value_at(query: &[u8], start: usize) -> Text<'_> {
    let rest = query.get(start..).unwrap_or(&[]);
    let Some(span) = Pairs::new(rest).next() else {
        return Text::Plain("");
    };
    let raw = span.value(rest);
    if span.value_encoded {
        Text::Encoded(raw)
    } else {
        Text::Plain(str::from_utf8(raw).unwrap_or(""))
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

/// Where one pair lies in the query, in byte offsets: its name is
/// `start..name_end`, its value `value_start..end` (empty when the pair has
/// no `=`); and whether each holds `%` or `+`. Offsets, not slices, so that
/// the splitter hands back a few registers and text is cut only for the
/// parts a caller reads.
#[derive(Clone, Copy, Debug)]
struct Span<'a> {
    /// The name's bytes (cut once here rather than range-checked by each
    /// reader).
    name: &'a [u8],
    start: usize,
    name_end: usize,
    value_start: usize,
    end: usize,
    name_encoded: bool,
    value_encoded: bool,
}

impl Span<'_> {
    fn value(self, query: &[u8]) -> &[u8] {
        query.get(self.value_start..self.end).unwrap_or(&[])
    }

    /// The name as text, when the whole query is known to be UTF-8 (its
    /// ends sit next to ASCII separators, so they are character
    /// boundaries).
    fn name_text(self, text: Option<&str>) -> Option<&str> {
        text?.get(self.start..self.name_end)
    }

    /// The value as text, as [`Span::name_text`].
    #[inline(always)]
    fn value_text(self, text: Option<&str>) -> Option<&str> {
        text?.get(self.value_start..self.end)
    }
}

/// Marks the bytes that end a name or pair, or need decoding.
struct SpecialBytes;

impl block::Marker for SpecialBytes {
    const BELOW: u8 = 0;
    const ANY_OF: &'static [u8] = b"&=%+";
}

/// The pairs of a query, split at `&` and then at the first `=`; the line
/// breaks of the API page's layout just before a `&` are dropped, and
/// empty pairs and the page's `<公共请求参数>` placeholder skipped. One
/// pass over the bytes finds the separators and the escapes together.
struct Pairs<'a> {
    query: &'a [u8],
    special: block::MarkedBytes<'a, SpecialBytes>,
    /// Where the next pair starts; past the end when there is none.
    start: usize,
}

impl<'a> Pairs<'a> {
    fn new(query: &'a [u8]) -> Self {
        Pairs {
            query,
            special: block::MarkedBytes::new(query),
            start: 0,
        }
    }
}

impl<'a> Iterator for Pairs<'a> {
    type Item = Span<'a>;

    // `always`: it has two callers, and a plain `#[inline]` leaves it out
    // of line, returning each pair through memory.
    #[inline(always)]
    fn next(&mut self) -> Option<Span<'a>> {
        // No `=` seen yet (a sentinel, not an `Option`: the loop keeps it
        // in a register).
        const NO_EQ: usize = usize::MAX;
        loop {
            // Past the end once the last pair was split.
            if self.start > self.query.len() {
                return None;
            }
            let start = self.start;
            let mut eq = NO_EQ;
            let (mut name_encoded, mut value_encoded) = (false, false);
            let end = loop {
                let Some(at) = self.special.next() else {
                    break self.query.len();
                };
                match self.query.get(at) {
                    Some(b'&') => break at,
                    Some(b'=') => eq = eq.min(at),
                    // `%` or `+`, the only other bytes marked.
                    _ if eq == NO_EQ => name_encoded = true,
                    _ => value_encoded = true,
                }
            };
            self.start = end + 1;

            let piece = trim_line_breaks(self.query.get(start..end).unwrap_or(&[]));
            if piece.is_empty() || piece == COMMON_PARAMETERS_PLACEHOLDER {
                continue;
            }
            let end = start + piece.len();
            // An `=` is never among the line breaks trimmed.
            let (name_end, value_start) = if eq < end { (eq, eq + 1) } else { (end, end) };
            let name = piece.get(..name_end - start).unwrap_or(&[]);
            return Some(Span {
                name,
                start,
                name_end,
                value_start,
                end,
                name_encoded,
                value_encoded,
            });
        }
    }
}

/// Checks one raw name or value, decoding into `scratch` when it is
/// `encoded` (holds `%` or `+`), and returns it as found and decoded.
/// `text` is the same bytes as a `str`, when already known to be UTF-8.
/// Errors are reasons for `InvalidParameter`.
#[inline]
fn check_text<'a: 's, 's>(
    raw: &'a [u8],
    text: Option<&'a str>,
    encoded: bool,
    scratch: &'s mut Scratch<'_>,
) -> Result<(Text<'a>, &'s str), DecodeFault> {
    let text = match text {
        Some(text) if !encoded => text,
        _ => return check_slowly(raw, encoded, scratch),
    };
    if text.len() > VALUE_MAX_BYTES {
        return Err(DecodeFault::TooLong);
    }
    Ok((Text::Plain(text), text))
}

/// [`check_text`] for text that holds `%` or `+`, or in a query that is
/// not UTF-8.
// Out of line: kept apart, it leaves the usual pair's loop lean.
#[inline(never)]
fn check_slowly<'a: 's, 's>(
    raw: &'a [u8],
    encoded: bool,
    scratch: &'s mut Scratch<'_>,
) -> Result<(Text<'a>, &'s str), DecodeFault> {
    if encoded {
        let decoded = scratch.decode(raw)?;
        let text = str::from_utf8(decoded).map_err(|_| DecodeFault::DecodedNotUtf8)?;
        return Ok((Text::Encoded(raw), text));
    }
    let text = str::from_utf8(raw).map_err(|_| DecodeFault::NotUtf8)?;
    check_text(raw, Some(text), false, scratch)
}

/// Checks the value of a pair (see [`check_text`]); errors are reasons.
fn check_value<'a>(
    query: &'a [u8],
    text: Option<&'a str>,
    span: Span,
    scratch: &mut Scratch<'_>,
) -> Result<Text<'a>, DecodeFault> {
    check_text(
        span.value(query),
        span.value_text(text),
        span.value_encoded,
        scratch,
    )
    .map(|(value, _)| value)
}

/// Whether an earlier pair of the query has this name, once decoded
/// (every earlier name was checked to decode; plain text decodes to
/// itself).
fn named_earlier(query: &[u8], before: usize, name: &[u8]) -> bool {
    let earlier_query = query.get(..before.saturating_sub(1)).unwrap_or(&[]);
    Pairs::new(earlier_query).any(|earlier| decoded_bytes(earlier.name).eq(decoded_bytes(name)))
}

/// Any pair but a plain known name: a name to decode, or one this crate
/// does not read (the common parameters of every request, for one).
// Out of line: it holds a 4 KiB buffer's worth of work the usual pair
// never needs.
#[inline(never)]
fn add_other_pair<'a>(
    query: &'a [u8],
    text: Option<&'a str>,
    span: Span,
    scratch: &mut Scratch<'_>,
    collected: &mut impl Sink<'a>,
) -> Result<(), ApiError> {
    // A name is decoded into a buffer of its own (the value is checked in
    // `scratch` while the name is still needed); only an encoded name
    // needs one, so only it pays for zeroing it.
    let mut name_buffer;
    let mut name_scratch = if span.name_encoded {
        name_buffer = [0; VALUE_MAX_BYTES];
        Scratch::new(&mut name_buffer)
    } else {
        Scratch::new(&mut [])
    };
    let raw_name = span.name;
    let (_, decoded_name) = check_text(
        raw_name,
        span.name_text(text),
        span.name_encoded,
        &mut name_scratch,
    )
    .map_err(|fault| {
        let error = ApiError::new(Cause::InvalidParameter).because(Reason::BadName(fault));
        if raw_name.is_empty() {
            error.on_query_string()
        } else {
            error.with_raw_name(raw_name)
        }
    })?;
    let value = check_value(query, text, span, scratch)
        .map_err(|fault| invalid(decoded_name, Reason::BadValue(fault)))?;
    collected.add(decoded_name, value, span.start, || {
        named_earlier(query, span.start, raw_name)
    })
}

/// Decodes a query string (SPEC §6 step 1).
///
/// Pairs are separated by `&`; the line breaks of the API page's layout
/// just before a `&` (and at the very end) are part of the separator; empty
/// pairs and the page's `<公共请求参数>` placeholder are skipped; a pair
/// without `=` has an empty value. Fills `collected` (fresh from
/// [`Collected::new`]) in place: it is a few hundred bytes, worth not
/// moving on every request. Returns the query without its URL prefix,
/// which pair offsets count from.
pub(crate) fn collect_query<'a>(
    query: &'a [u8],
    scratch: &mut Scratch<'_>,
    collected: &mut impl Sink<'a>,
) -> Result<&'a [u8], ApiError> {
    if query.len() > QUERY_MAX_BYTES {
        return Err(ApiError::new(Cause::InvalidParameter)
            .on_query_string()
            .because(Reason::QueryTooLong {
                bytes: query.len() as u64,
            }));
    }
    let query = strip_url_prefix(query);
    // Checked once for the whole query: the usual case, and then every
    // name and value is cut from it as text without another check.
    let text = str::from_utf8(query).ok();
    for span in Pairs::new(query) {
        // The usual pair: a plain name this crate reads. Its name is ASCII,
        // so it has nothing to check before the value.
        if !span.name_encoded
            && let Some(param) = Param::from_name(span.name)
        {
            let value = check_value(query, text, span, scratch).map_err(|fault| {
                ApiError::new(Cause::InvalidParameter)
                    .with_parameter(param)
                    .because(Reason::BadValue(fault))
            })?;
            collected.set(param, value)?;
            continue;
        }
        add_other_pair(query, text, span, scratch, collected)?;
    }
    Ok(query)
}

/// Collects already decoded `(name, value)` pairs (SPEC §6 step 1 without
/// the percent-decoding): the same length limits and duplicate check,
/// filling `collected` in place as [`collect_query`] does.
pub(crate) fn collect_pairs<'a, I>(pairs: I, collected: &mut Collected<'a>) -> Result<(), ApiError>
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
    I::IntoIter: Clone,
{
    let pairs = pairs.into_iter();
    for (index, (name, value)) in pairs.clone().enumerate() {
        if name.len().max(value.len()) > VALUE_MAX_BYTES {
            return Err(invalid(name, Reason::PairTooLong));
        }
        let mut earlier = pairs.clone().take(index);
        collected.add(name, Text::Plain(value), || earlier.any(|(e, _)| e == name))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;

    fn collect(query: &str) -> Result<Collected<'_>, ApiError> {
        let mut buffer = [0; VALUE_MAX_BYTES];
        let mut collected = Collected::new();
        collect_query(
            query.as_bytes(),
            &mut Scratch::new(&mut buffer),
            &mut collected,
        )
        .map(|_| collected)
    }

    #[test]
    fn unknown_duplicates_are_found_through_encoding() {
        let e = collect("XY=1&A=2&X%59=3").unwrap_err();
        assert_eq!((e.code(), e.parameter()), ("InvalidParameter", Some("XY")));
        let e = collect("a+b=1&a%20b=2").unwrap_err();
        assert_eq!(e.parameter(), Some("a b"));
        // Raw invalid UTF-8 elsewhere takes the byte-wise path; same answer.
        let e = collect_query(
            b"Z=%FF&Q=1&Q=2",
            &mut Scratch::new(&mut [0; VALUE_MAX_BYTES]),
            &mut Collected::new(),
        )
        .unwrap_err();
        assert_eq!(e.parameter(), Some("Z"));
    }

    #[test]
    fn many_distinct_unknown_names_are_not_duplicates() {
        // Enough names to fill the filter: every hit must be confirmed.
        let query: std::vec::Vec<String> = (0..MAX_UNKNOWN_PARAMETERS)
            .map(|i| format!("n{i}=v"))
            .collect();
        let query = query.join("&");
        assert!(collect(&query).is_ok());
        let e = collect(&format!("{query}&one=more")).unwrap_err();
        assert_eq!(e.parameter(), Some(QUERY_STRING));
        let e = collect(&format!("{query}&n77=again")).unwrap_err();
        assert_eq!(e.parameter(), Some("n77"));
    }

    #[test]
    fn pairs_find_unknown_duplicates_too() {
        let pairs = [("X", "1"), ("RegionId", "r"), ("X", "2")];
        let e = collect_pairs(pairs, &mut Collected::new()).unwrap_err();
        assert_eq!(e.parameter(), Some("X"));
        assert!(collect_pairs([("X", "1"), ("Y", "2")], &mut Collected::new()).is_ok());
    }

    #[test]
    fn pairs_split_at_every_separator_position() {
        // Names and values of every length around the word boundaries.
        for name_len in 1..12 {
            for value_len in 0..12 {
                let name = "n".repeat(name_len);
                let value = "v".repeat(value_len);
                let query = std::format!("{name}={value}&{name}%41={value}+x&tail");
                let q = query.as_bytes();
                let pairs: std::vec::Vec<_> = Pairs::new(q).collect();
                assert_eq!(pairs.len(), 3, "{query}");
                assert_eq!(
                    (pairs[0].name, pairs[0].value(q)),
                    (name.as_bytes(), value.as_bytes())
                );
                assert!(!pairs[0].name_encoded && !pairs[0].value_encoded);
                let text = Some(query.as_str());
                assert_eq!(pairs[1].name_text(text), Some(&*std::format!("{name}%41")));
                assert_eq!(pairs[1].value_text(text), Some(&*std::format!("{value}+x")));
                assert!(pairs[1].name_encoded && pairs[1].value_encoded);
                assert_eq!(pairs[1].start, name_len + value_len + 2);
                assert_eq!((pairs[2].name, pairs[2].value(q)), (&b"tail"[..], &b""[..]));
            }
        }
    }

    /// A pair as the reference reads it: (name, value, name has `%`/`+`,
    /// value has `%`/`+`, start).
    type Split = (std::vec::Vec<u8>, std::vec::Vec<u8>, bool, bool, usize);

    /// What [`Pairs`] yields, read one byte at a time.
    fn reference_pairs(query: &[u8]) -> std::vec::Vec<Split> {
        let mut pairs = std::vec::Vec::new();
        let mut start = 0;
        for piece in query.split(|&b| b == b'&') {
            let at = start;
            start += piece.len() + 1;
            let piece = trim_line_breaks(piece);
            if piece.is_empty() || piece == COMMON_PARAMETERS_PLACEHOLDER {
                continue;
            }
            let (name, value) = match piece.iter().position(|&b| b == b'=') {
                Some(eq) => (&piece[..eq], &piece[eq + 1..]),
                None => (piece, &[][..]),
            };
            // Flags look at the untrimmed bytes up to the `&`.
            let raw = &query[at..start - 1];
            let eq = raw.iter().position(|&b| b == b'=');
            let escaped = |b: &u8| matches!(b, b'%' | b'+');
            let name_encoded = raw[..eq.unwrap_or(raw.len())].iter().any(escaped);
            let value_encoded = eq.is_some_and(|eq| raw[eq + 1..].iter().any(escaped));
            pairs.push((
                name.to_vec(),
                value.to_vec(),
                name_encoded,
                value_encoded,
                at,
            ));
        }
        pairs
    }

    /// Whether every `%` in `raw` starts `%XX` with two hex digits.
    fn escapes_are_whole(raw: &[u8]) -> bool {
        raw.iter().enumerate().all(|(i, &b)| {
            b != b'%'
                || raw
                    .get(i + 1..i + 3)
                    .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
        })
    }

    proptest::proptest! {
        #[test]
        fn decoding_agrees_with_the_byte_iterator(
            raw in proptest::collection::vec(
                proptest::sample::select(b"a%+0F9zg ".to_vec()),
                0..40,
            )
        ) {
            let mut out = [0; 16];
            match decode_into(&raw, &mut out) {
                Ok(len) => {
                    proptest::prop_assert!(escapes_are_whole(&raw));
                    let expected: std::vec::Vec<u8> = decoded_bytes(&raw).collect();
                    proptest::prop_assert_eq!(&out[..len], &expected[..]);
                }
                Err(DecodeFault::BadEscape) => proptest::prop_assert!(!escapes_are_whole(&raw)),
                Err(DecodeFault::DecodedTooLong) => {
                    proptest::prop_assert!(decoded_bytes(&raw).count() > 16);
                }
                Err(other) => proptest::prop_assert!(false, "{:?}", other),
            }
        }

        #[test]
        fn pairs_agree_with_a_byte_by_byte_split(
            query in proptest::collection::vec(
                proptest::sample::select(b"ab=&%+\r\n".to_vec()),
                0..200,
            )
        ) {
            let q = &query[..];
            let found: std::vec::Vec<_> = Pairs::new(q)
                .map(|p| (p.name.to_vec(), p.value(q).to_vec(), p.name_encoded, p.value_encoded, p.start))
                .collect();
            proptest::prop_assert_eq!(found, reference_pairs(q));
            // The text views are the same bytes (the alphabet is ASCII).
            let text = str::from_utf8(q).ok();
            for p in Pairs::new(q) {
                proptest::prop_assert_eq!(p.name_text(text).map(str::as_bytes), Some(p.name));
                proptest::prop_assert_eq!(p.value_text(text).map(str::as_bytes), Some(p.value(q)));
            }
        }
    }

    #[test]
    fn layout_line_breaks_and_placeholder_are_separators() {
        let c = collect("https://ecs.aliyuncs.com/?Action=A\n&RegionId=r\r\n&<公共请求参数>\n")
            .unwrap();
        assert!(matches!(c.get(Param::Action), Some(Text::Plain("A"))));
        assert!(matches!(c.get(Param::RegionId), Some(Text::Plain("r"))));
    }
}
