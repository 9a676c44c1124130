//! The JSON text of a state file: parsing into a [`Value`] that refuses a
//! key given twice in one object (serde_json's own `Value` keeps the last
//! one silently, and the first would then be lost on save), and printing a
//! [`Value`] back over the text it was read from.
//!
//! # Saving keeps the text
//!
//! Numbers keep their digits as written (serde_json's
//! `arbitrary_precision`: `123456789012345678901234567890`, `1.10` and `-0`
//! stay so in the [`Value`]; only an exponent is rewritten, `1E+2` as
//! `1e+2`), and their text in the file: [`Layout::write`] walks the document beside the
//! text it was read from and copies the text of every value that is still
//! the same, with the whitespace between, byte for byte: so strings keep
//! their escapes (`\u00e9`, `\/`), and a file saved after one change
//! differs from the old one only in what changed, whatever its layout.
//!
//! What is new is printed in the layout detected from the file: the
//! indentation step (the leading blanks of the second line: N spaces, a
//! tab, or none when everything is on one line), the line break (`\n` or
//! `\r\n`, from the first one), the text between a key and its value (`:`,
//! `: `, ` : ` or ` :`, from the first key; other forms fall back to `: `
//! indented or `:` on one line) and, on one line, the blank after a comma
//! (`,` or `, `, from the first object with two keys). A new key or array
//! item copies the whitespace before the last one already there (so it
//! lines up with its siblings even in an irregular file); a new string is
//! written as serde_json writes it (control characters, `"` and `\`
//! escaped, everything else as is). An array whose items were removed
//! keeps the text of the items left; an item that changed keeps the text
//! of its unchanged parts.
//!
//! serde_json reserves one object key, `$serde_json::private::Number`, for
//! the numbers it hands over; an object whose first key is that is read as
//! a number (as serde_json's own `Value` does), and refused unless its
//! value is a string holding a JSON number.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Write as _};
use core::ops::Range;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::response::{Escape, Format};

/// The key under which serde_json (with `arbitrary_precision`) hands a
/// number's text to a visitor, as a one-entry map.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// Builds a [`Value`] like serde_json's own visitor, refusing duplicate
/// keys (only for [`parse`]'s deserializer, which never calls
/// `visit_string`, `visit_none` or `visit_some`).
struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    // With `arbitrary_precision` numbers arrive through `visit_map`; these
    // stay for any deserializer that hands them over as machine numbers.
    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        // JSON text has no NaN or infinity, so this always finds a number.
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.into()))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(StrictValue)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            if map.is_empty() && key == NUMBER_TOKEN {
                // The number's text, exactly as written; reading it back as
                // a `Number` keeps that text.
                let text: String = access.next_value()?;
                let number = serde_json::from_str::<Number>(&text).map_err(de::Error::custom)?;
                return Ok(Value::Number(number));
            }
            if map.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "duplicate key {key:?} in one object"
                )));
            }
            let value = access.next_value_seed(StrictValue)?;
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}

/// Parses JSON text, refusing duplicate keys and anything after the value
/// but whitespace.
pub(crate) fn parse(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = StrictValue.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// Where a group is in the text, and the indentation of its line.
pub(crate) type GroupText = (Range<usize>, String);

/// The text a state was read from and how it is laid out, so that a save
/// changes no more than what changed (see the [module docs](self)).
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Layout {
    /// The text as read; empty for a document read from no text.
    text: String,
    /// Where each object and array of `text` starts and ends (see
    /// [`container_ends`]).
    ends: Vec<(usize, usize)>,
    /// One indentation step, or `None` for everything on one line.
    indent: Option<String>,
    /// `\n` or `\r\n`.
    newline: &'static str,
    /// Between a key and its value.
    colon: &'static str,
    /// After a comma, on one line.
    comma_gap: &'static str,
    /// Whether the text ended with a line break (for a document with no
    /// text to copy its end from).
    final_newline: bool,
    /// The indentation of the line the value starts on: empty for a
    /// whole file, a group's for one group of a split state.
    base: String,
}

impl fmt::Debug for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Layout")
            .field("text_len", &self.text.len())
            .field("containers", &self.ends.len())
            .field("indent", &self.indent)
            .field("newline", &self.newline)
            .field("colon", &self.colon)
            .field("comma_gap", &self.comma_gap)
            .field("final_newline", &self.final_newline)
            .field("base", &self.base)
            .finish()
    }
}

impl Layout {
    /// Everything on one line, no final line break (serde_json's compact
    /// form), with no text to keep.
    pub(crate) const COMPACT: Layout = Layout {
        text: String::new(),
        ends: Vec::new(),
        indent: None,
        newline: "\n",
        colon: ":",
        comma_gap: "",
        final_newline: false,
        base: String::new(),
    };

    /// The layout of `text` (kept, to copy what stays the same): multi-line
    /// when a line break comes before its last value byte, indented by the
    /// leading blanks of its second line.
    pub(crate) fn detect(text: &[u8]) -> Layout {
        let body = text.trim_ascii_end();
        let first_break = text.iter().position(|&b| b == b'\n');
        let indent: Option<String> = first_break.filter(|&i| i < body.len()).map(|i| {
            let second = text.get(i + 1..).unwrap_or(&[]);
            let blanks = second.iter().take_while(|&&b| b == b' ' || b == b'\t');
            blanks.map(|&b| char::from(b)).collect()
        });
        // The style comes from the first line break anywhere, the final one
        // included, so that a one-line value ending in `\r\n` saves back
        // with `\r\n`.
        let newline = match first_break {
            Some(i) if i > 0 && text.get(i - 1) == Some(&b'\r') => "\r\n",
            _ => "\n",
        };
        let tail = text.get(body.len()..).unwrap_or(&[]);
        // Text that is not UTF-8 never parses; then nothing is copied.
        let text = core::str::from_utf8(text)
            .map(String::from)
            .unwrap_or_default();
        let ends = container_ends(text.as_bytes());
        let (colon, comma_gap) = separators(text.as_bytes(), &ends, indent.is_some());
        Layout {
            text,
            ends,
            indent,
            newline,
            colon,
            comma_gap,
            final_newline: tail.contains(&b'\n'),
            base: String::new(),
        }
    }

    /// Whether there is text to copy (a document read from text).
    pub(crate) fn has_text(&self) -> bool {
        !self.text.is_empty()
    }

    /// Where the groups of the document are in the text: the text around
    /// them (one piece more than there are groups: before the first,
    /// between each two, after the last) and, for each group, its range and
    /// the indentation of the line it starts on. The shapes are those of
    /// `load::groups`; `None` when the text is not one of them.
    pub(crate) fn cut(&self) -> Option<(Vec<String>, Vec<GroupText>)> {
        let t = self.text.as_bytes();
        let start = skip_blanks(t, 0);
        let end = value_end(t, &self.ends, start)?;
        let (list, list_base) = match t.get(start)? {
            b'[' => (start, String::new()),
            b'{' => {
                let members = Slots::read(t, &self.ends, start)?;
                let list = members
                    .slots
                    .iter()
                    .find(|s| self.string_is(s.key.clone(), "SecurityGroups"));
                match list {
                    Some(slot) => (
                        slot.value.start,
                        line_indent(self.slice(slot.lead.clone()), "").into(),
                    ),
                    None => {
                        let pieces = [String::new(), String::new()].into();
                        return Some((pieces, [(start..end, String::new())].into()));
                    }
                }
            }
            _ => return None,
        };
        if t.get(list) != Some(&b'[') {
            return None;
        }
        let items = Slots::read(t, &self.ends, list)?;
        let mut pieces = Vec::with_capacity(items.slots.len() + 1);
        let mut groups = Vec::with_capacity(items.slots.len());
        let mut from = start;
        for slot in &items.slots {
            pieces.push(self.slice(from..slot.value.start).into());
            let base = line_indent(self.slice(slot.lead.clone()), &list_base);
            groups.push((slot.value.clone(), base.into()));
            from = slot.value.end;
        }
        pieces.push(self.slice(from..end).into());
        Some((pieces, groups))
    }

    /// The layout of one group of the text, at `range`, whose line is
    /// indented by `base`: this layout's style, the group's text alone, and
    /// no final line break (the file's frame writes that).
    pub(crate) fn part(&self, range: Range<usize>, base: String) -> Layout {
        let text = String::from(self.slice(range));
        Layout {
            ends: container_ends(text.as_bytes()),
            text,
            indent: self.indent.clone(),
            newline: self.newline,
            colon: self.colon,
            comma_gap: self.comma_gap,
            final_newline: false,
            base,
        }
    }

    /// The text after the value: a line break if the file ended with one.
    pub(crate) fn ending(&self) -> &'static str {
        if self.final_newline { self.newline } else { "" }
    }

    /// Writes `value`: over the text it was read from when there is one
    /// (copying what is the same), else in this layout (serde_json's
    /// compact form on one line, or its pretty form with this indentation
    /// and line break).
    pub(crate) fn write<W: fmt::Write + ?Sized>(&self, out: &mut W, value: &Value) -> fmt::Result {
        let t = self.text.as_bytes();
        let start = skip_blanks(t, 0);
        match value_end(t, &self.ends, start) {
            Some(end) => self.emit(out, value, start..end, &self.base)?,
            None => self.fresh(out, value, &self.base, 0)?,
        }
        // Blanks around the value are not kept: the text starts with the
        // value and ends with it or one line break.
        out.write_str(self.ending())
    }

    /// A part of the text (only ever cut at ASCII bytes).
    fn slice(&self, range: Range<usize>) -> &str {
        self.text.get(range).unwrap_or("")
    }

    /// Writes `new`, whose old value is the text at `old`, on a line
    /// indented by `base`.
    fn emit<W: fmt::Write + ?Sized>(
        &self,
        out: &mut W,
        new: &Value,
        old: Range<usize>,
        base: &str,
    ) -> fmt::Result {
        // A container is written member by member (which copies it whole
        // when nothing in it changed), so that each level of a large file
        // is walked once.
        let t = self.text.as_bytes();
        match (new, t.get(old.start)) {
            (Value::Object(map), Some(b'{')) => {
                if let Some(slots) = Slots::read(t, &self.ends, old.start) {
                    return self.emit_object(out, map, &slots, base);
                }
            }
            (Value::Array(items), Some(b'[')) => {
                if let Some(slots) = Slots::read(t, &self.ends, old.start) {
                    return self.emit_array(out, items, &slots, base);
                }
            }
            _ if self.same(new, old.clone()) => return out.write_str(self.slice(old)),
            _ => {}
        }
        self.fresh(out, new, base, 0)
    }

    fn emit_object<W: fmt::Write + ?Sized>(
        &self,
        out: &mut W,
        map: &Map<String, Value>,
        old: &Slots,
        base: &str,
    ) -> fmt::Result {
        out.write_char('{')?;
        for (i, (key, value)) in map.iter().enumerate() {
            if i > 0 {
                out.write_char(',')?;
            }
            // Keys keep their order, so the same position is the usual hit.
            let at_i = old
                .slots
                .get(i)
                .filter(|s| self.string_is(s.key.clone(), key));
            let found = at_i.or_else(|| {
                old.slots
                    .iter()
                    .find(|s| self.string_is(s.key.clone(), key))
            });
            if let Some(slot) = found {
                let lead = self.slice(slot.lead.clone());
                out.write_str(lead)?;
                out.write_str(self.slice(slot.key.start..slot.value.start))?;
                self.emit(out, value, slot.value.clone(), line_indent(lead, base))?;
                if i + 1 < map.len() {
                    out.write_str(self.slice(slot.trail.clone()))?;
                }
            } else {
                let child = self.new_lead(out, old, i, base)?;
                out.write_char('"')?;
                Escape::new(out, Format::Json).write_str(key)?;
                out.write_char('"')?;
                out.write_str(self.colon)?;
                self.fresh(out, value, &child, 0)?;
            }
        }
        self.close(out, old, !map.is_empty(), base)?;
        out.write_char('}')
    }

    fn emit_array<W: fmt::Write + ?Sized>(
        &self,
        out: &mut W,
        items: &[Value],
        old: &Slots,
        base: &str,
    ) -> fmt::Result {
        out.write_char('[')?;
        // The first old item not yet used. Items are only ever removed or
        // appended, so each new item is the next old one, or one after as
        // many as were removed; else it changed, and takes the next old
        // one's place (or, past the old ones, is new).
        let mut next = 0;
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.write_char(',')?;
            }
            let left = items.len().saturating_sub(i);
            let removed = old.slots.len().saturating_sub(next).saturating_sub(left);
            let unchanged = (next..=next.saturating_add(removed)).find(|&p| {
                old.slots
                    .get(p)
                    .is_some_and(|s| self.same(item, s.value.clone()))
            });
            let pick = unchanged.unwrap_or(next);
            if let Some(slot) = old.slots.get(pick) {
                next = pick.saturating_add(1);
                let lead = self.slice(slot.lead.clone());
                out.write_str(lead)?;
                if unchanged.is_some() {
                    out.write_str(self.slice(slot.value.clone()))?;
                } else {
                    self.emit(out, item, slot.value.clone(), line_indent(lead, base))?;
                }
                if i + 1 < items.len() {
                    out.write_str(self.slice(slot.trail.clone()))?;
                }
            } else {
                let child = self.new_lead(out, old, i, base)?;
                self.fresh(out, item, &child, 0)?;
            }
        }
        self.close(out, old, !items.is_empty(), base)?;
        out.write_char(']')
    }

    /// Writes the whitespace before a new member or item at position `i`
    /// of a container whose old members are `old`: that before the last
    /// old one in a like position (after a comma or not), else this
    /// layout's. Returns the indentation of the line it starts.
    fn new_lead<W: fmt::Write + ?Sized>(
        &self,
        out: &mut W,
        old: &Slots,
        i: usize,
        base: &str,
    ) -> Result<String, fmt::Error> {
        let sibling = if i > 0 {
            old.slots.get(1..).and_then(<[Slot]>::last)
        } else {
            old.slots.first()
        };
        if let Some(slot) = sibling {
            let lead = self.slice(slot.lead.clone());
            out.write_str(lead)?;
            return Ok(String::from(line_indent(lead, base)));
        }
        let mut child = String::from(base);
        match &self.indent {
            Some(unit) => {
                child.push_str(unit);
                out.write_str(self.newline)?;
                out.write_str(&child)?;
            }
            None if i > 0 => out.write_str(self.comma_gap)?,
            None => {}
        }
        Ok(child)
    }

    /// Writes the whitespace before a container's closing bracket.
    fn close<W: fmt::Write + ?Sized>(
        &self,
        out: &mut W,
        old: &Slots,
        filled: bool,
        base: &str,
    ) -> fmt::Result {
        match (filled, old.slots.is_empty(), &self.indent) {
            (true, true, Some(_)) => {
                out.write_str(self.newline)?;
                out.write_str(base)
            }
            (true, true, None) | (false, false, _) => Ok(()),
            (_, _, _) => out.write_str(self.slice(old.close.clone())),
        }
    }

    /// Whether the text at `old` is the JSON of `new`, as this crate would
    /// read it.
    fn same(&self, new: &Value, old: Range<usize>) -> bool {
        let t = self.text.as_bytes();
        let raw = self.slice(old.clone());
        match new {
            Value::Null => raw == "null",
            Value::Bool(on) => raw == if *on { "true" } else { "false" },
            // serde_json keeps a number's digits but writes its exponent
            // as `e+3` or `e-3`: the text read back is compared.
            Value::Number(number) => {
                raw == number.as_str()
                    || serde_json::from_str::<Number>(raw).is_ok_and(|read| read == *number)
            }
            Value::String(text) => self.string_is(old, text),
            Value::Array(items) => {
                t.get(old.start) == Some(&b'[')
                    && Slots::read(t, &self.ends, old.start).is_some_and(|slots| {
                        slots.slots.len() == items.len()
                            && (slots.slots.iter().zip(items))
                                .all(|(s, item)| self.same(item, s.value.clone()))
                    })
            }
            Value::Object(map) => {
                t.get(old.start) == Some(&b'{')
                    && Slots::read(t, &self.ends, old.start).is_some_and(|slots| {
                        slots.slots.len() == map.len()
                            && slots.slots.iter().zip(map).all(|(s, (key, value))| {
                                self.string_is(s.key.clone(), key)
                                    && self.same(value, s.value.clone())
                            })
                    })
            }
        }
    }

    /// Whether the text at `old` is a JSON string holding `text`.
    fn string_is(&self, old: Range<usize>, text: &str) -> bool {
        let raw = self.slice(old);
        let inner = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"'));
        match inner {
            Some(inner) if !inner.contains('\\') => inner == text,
            Some(_) => serde_json::from_str::<String>(raw).is_ok_and(|read| read == text),
            None => false,
        }
    }

    /// Writes `value` afresh in this layout, its lines indented by `base`
    /// and `depth` steps.
    fn fresh<W: fmt::Write + ?Sized>(
        &self,
        out: &mut W,
        value: &Value,
        base: &str,
        depth: usize,
    ) -> fmt::Result {
        match value {
            Value::Array(items) if !items.is_empty() => {
                out.write_char('[')?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.write_char(',')?;
                    }
                    self.line(out, base, depth + 1, i > 0)?;
                    self.fresh(out, item, base, depth + 1)?;
                }
                self.line(out, base, depth, false)?;
                out.write_char(']')
            }
            Value::Object(map) if !map.is_empty() => {
                out.write_char('{')?;
                for (i, (key, item)) in map.iter().enumerate() {
                    if i > 0 {
                        out.write_char(',')?;
                    }
                    self.line(out, base, depth + 1, i > 0)?;
                    out.write_char('"')?;
                    Escape::new(out, Format::Json).write_str(key)?;
                    out.write_char('"')?;
                    out.write_str(self.colon)?;
                    self.fresh(out, item, base, depth + 1)?;
                }
                self.line(out, base, depth, false)?;
                out.write_char('}')
            }
            leaf => write!(out, "{leaf}"),
        }
    }

    /// A new line at `base` and `depth` steps; on one line, the blank
    /// after a comma.
    fn line<W: fmt::Write + ?Sized>(
        &self,
        out: &mut W,
        base: &str,
        depth: usize,
        after_comma: bool,
    ) -> fmt::Result {
        match &self.indent {
            Some(unit) => {
                out.write_str(self.newline)?;
                out.write_str(base)?;
                for _ in 0..depth {
                    out.write_str(unit)?;
                }
                Ok(())
            }
            None if after_comma => out.write_str(self.comma_gap),
            None => Ok(()),
        }
    }
}

/// The indentation of the line that whitespace `lead` ends on: what
/// follows its last line break, or `base` (the line it continues) when it
/// has none.
fn line_indent<'a>(lead: &'a str, base: &'a str) -> &'a str {
    lead.rsplit_once('\n').map_or(base, |(_, indent)| indent)
}

/// The text between a key and its value, and the blank after a comma on
/// one line, from the first object of `text` that shows them (descending
/// through first members and items).
fn separators(text: &[u8], ends: &[(usize, usize)], pretty: bool) -> (&'static str, &'static str) {
    let mut colon = None;
    let mut gap = None;
    let mut at = skip_blanks(text, 0);
    while let Some(slots) = Slots::read(text, ends, at) {
        let Some(first) = slots.slots.first() else {
            break;
        };
        if text.get(at) == Some(&b'{') {
            let between = text.get(first.key.end..first.value.start);
            colon = colon.or(between);
            let second = slots.slots.get(1).and_then(|s| text.get(s.lead.clone()));
            gap = gap.or(second);
        }
        if colon.is_some() && gap.is_some() {
            break;
        }
        at = first.value.start;
    }
    let colon = match colon {
        Some(b":") => ":",
        Some(b": ") => ": ",
        Some(b" : ") => " : ",
        Some(b" :") => " :",
        _ if pretty => ": ",
        _ => ":",
    };
    let gap = if gap == Some(b" ") { " " } else { "" };
    (colon, gap)
}

/// The members of an object, or the items of an array, in the text, as
/// byte ranges.
struct Slots {
    slots: Vec<Slot>,
    /// The whitespace before the closing bracket.
    close: Range<usize>,
}

/// One member or item.
struct Slot {
    /// The whitespace before it (after the opening bracket or a comma).
    lead: Range<usize>,
    /// A member's key, quotes included (empty for an item).
    key: Range<usize>,
    value: Range<usize>,
    /// The whitespace between the value and the comma after it (empty for
    /// the last).
    trail: Range<usize>,
}

impl Slots {
    /// The members or items of the container opening at `open`; `None`
    /// when there is none there (or the text is not JSON).
    fn read(text: &[u8], ends: &[(usize, usize)], open: usize) -> Option<Slots> {
        let (object, closer) = match text.get(open)? {
            b'{' => (true, b'}'),
            b'[' => (false, b']'),
            _ => return None,
        };
        let mut slots = Vec::new();
        let mut at = open + 1;
        loop {
            let lead_end = skip_blanks(text, at);
            if slots.is_empty() && text.get(lead_end) == Some(&closer) {
                return Some(Slots {
                    slots,
                    close: at..lead_end,
                });
            }
            let (key, value_start) = if object {
                if text.get(lead_end) != Some(&b'"') {
                    return None;
                }
                let key_end = string_end(text, lead_end);
                let colon = skip_blanks(text, key_end);
                if text.get(colon) != Some(&b':') {
                    return None;
                }
                (lead_end..key_end, skip_blanks(text, colon + 1))
            } else {
                (lead_end..lead_end, lead_end)
            };
            let value_end = value_end(text, ends, value_start)?;
            let trail_end = skip_blanks(text, value_end);
            let mut slot = Slot {
                lead: at..lead_end,
                key,
                value: value_start..value_end,
                trail: value_end..trail_end,
            };
            match text.get(trail_end)? {
                b',' => at = trail_end + 1,
                &c if c == closer => {
                    slot.trail = value_end..value_end;
                    slots.push(slot);
                    return Some(Slots {
                        slots,
                        close: value_end..trail_end,
                    });
                }
                _ => return None,
            }
            slots.push(slot);
        }
    }
}

/// The first byte at or after `at` that is not JSON whitespace.
fn skip_blanks(text: &[u8], at: usize) -> usize {
    let rest = text.get(at..).unwrap_or(&[]);
    let blanks = rest
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .count();
    at + blanks
}

/// Just past the string whose opening quote is at `at`.
fn string_end(text: &[u8], at: usize) -> usize {
    let mut i = at + 1;
    loop {
        match text.get(i) {
            Some(b'\\') => i += 2,
            Some(b'"') => return i + 1,
            Some(_) => i += 1,
            None => return text.len(),
        }
    }
}

/// Where each object and array of `text` starts (its bracket) and ends
/// (just past its closing bracket), in the order they start; found in one
/// pass, so that finding the end of a value is a binary search, not a scan.
fn container_ends(text: &[u8]) -> Vec<(usize, usize)> {
    let mut ends = Vec::new();
    let mut open = Vec::new();
    let mut i = 0;
    while let Some(&b) = text.get(i) {
        match b {
            b'"' => {
                i = string_end(text, i);
                continue;
            }
            b'{' | b'[' => {
                open.push(ends.len());
                ends.push((i, usize::MAX));
            }
            b'}' | b']' => {
                if let Some(end) = open.pop().and_then(|k| ends.get_mut(k)) {
                    end.1 = i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    ends
}

/// Just past the value starting at `at`; `None` when none starts there.
fn value_end(text: &[u8], ends: &[(usize, usize)], at: usize) -> Option<usize> {
    match text.get(at)? {
        b'"' => Some(string_end(text, at)),
        b'{' | b'[' => {
            let k = ends.binary_search_by_key(&at, |&(start, _)| start).ok()?;
            ends.get(k)
                .map(|&(_, end)| end)
                .filter(|&end| end <= text.len())
        }
        _ => {
            let rest = text.get(at..)?;
            let len = rest
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
                .count();
            (len > 0).then_some(at + len)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;

    fn print(layout: &Layout, value: &Value) -> String {
        let mut out = String::new();
        layout.write(&mut out, value).unwrap();
        out
    }

    /// The layout alone, as it prints what is new.
    fn without_text(layout: &Layout) -> Layout {
        Layout {
            text: String::new(),
            ends: Vec::new(),
            ..layout.clone()
        }
    }

    /// `text` read, changed by `change`, and written over itself.
    fn rewrite(text: &str, change: impl FnOnce(&mut Value)) -> String {
        let mut value = parse(text.as_bytes()).unwrap();
        change(&mut value);
        print(&Layout::detect(text.as_bytes()), &value)
    }

    #[test]
    fn numbers_keep_their_text() {
        let text = "[123456789012345678901234567890, 1.10, 1e3, -0, 1E+2, 0.5e-7, -12, 7]";
        let value = parse(text.as_bytes()).unwrap();
        assert_eq!(
            value.to_string(),
            "[123456789012345678901234567890,1.10,1e+3,-0,1e+2,0.5e-7,-12,7]"
        );
        assert_eq!(print(&Layout::detect(text.as_bytes()), &value), text);
        // The state still reads the numbers it models.
        assert_eq!(value[7].as_u64(), Some(7));
        assert_eq!(value[6].as_i64(), Some(-12));
        assert_eq!(
            (value[0].as_u64(), value[1].as_u64(), value[2].as_u64()),
            (None, None, None)
        );
        assert!(!value[1].is_i64() && !value[1].is_u64());
        // Numbers inside objects, and next to a duplicate key.
        let nested = parse(br#"{"a": {"n": 1.0, "m": [2.50]}}"#).unwrap();
        assert_eq!(nested.to_string(), r#"{"a":{"n":1.0,"m":[2.50]}}"#);
        let e = parse(br#"{"n": 1.0, "n": 2}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "duplicate key \"n\" in one object at line 1 column 14"
        );
        // serde_json's reserved key reads as a number, and only a number.
        let token = parse(br#"{"$serde_json::private::Number": "15"}"#).unwrap();
        assert_eq!(token.as_u64(), Some(15));
        assert!(parse(br#"{"$serde_json::private::Number": "x"}"#).is_err());
    }

    #[test]
    fn what_is_new_is_printed_in_the_files_layout() {
        let text = "{\n    \"A\": [\n        {\n            \"K\": \"\\u00e9\"\n        }\n    ],\n    \"E\": []\n}\n";
        let out = rewrite(text, |v| {
            v["A"][0]["D"] = "x".into();
            v["A"]
                .as_array_mut()
                .unwrap()
                .push(serde_json::json!({"K": 1, "L": [true]}));
            v["E"]
                .as_array_mut()
                .unwrap()
                .push(serde_json::json!({"Z": {}}));
            v["N"] = serde_json::json!({"a": []});
        });
        assert_eq!(
            out,
            "{\n    \"A\": [\n        {\n            \"K\": \"\\u00e9\",\n            \"D\": \"x\"\n        },\n        {\n            \"K\": 1,\n            \"L\": [\n                true\n            ]\n        }\n    ],\n    \"E\": [\n        {\n            \"Z\": {}\n        }\n    ],\n    \"N\": {\n        \"a\": []\n    }\n}\n"
        );
    }

    #[test]
    fn one_line_separators_are_kept() {
        // Python's json.dumps: `": "` and `", "` on one line.
        let text = r#"{"a": [1, 2], "b": {"c": "d"}}"#;
        let out = rewrite(text, |v| {
            v["b"]["e"] = 1.into();
            v["a"].as_array_mut().unwrap().push(3.into());
            v["f"] = serde_json::json!([{"g": null, "h": false}]);
        });
        assert_eq!(
            out,
            r#"{"a": [1, 2, 3], "b": {"c": "d", "e": 1}, "f": [{"g": null, "h": false}]}"#
        );
        let out = rewrite(r#"{"a":[],"b":{}}"#, |v| {
            v["a"].as_array_mut().unwrap().push(1.into());
            v["b"]["c"] = serde_json::json!({"d": 2, "e": 3});
        });
        assert_eq!(out, r#"{"a":[1],"b":{"c":{"d":2,"e":3}}}"#);
    }

    #[test]
    fn removed_items_and_members_take_their_text_with_them() {
        let text = "[\r\n\t{\"a\": 1},\r\n\t{\"a\": 2},\r\n\t{\"a\": 3,  \"b\": 1.50}\r\n]";
        let out = rewrite(text, |v| {
            let items = v.as_array_mut().unwrap();
            items.remove(0);
            items[1].as_object_mut().unwrap().shift_remove("a");
        });
        assert_eq!(out, "[\r\n\t{\"a\": 2},\r\n\t{  \"b\": 1.50}\r\n]");
        let out = rewrite(text, |v| {
            let items = v.as_array_mut().unwrap();
            items.truncate(1);
            items[0]["a"] = 9.into();
        });
        assert_eq!(out, "[\r\n\t{\"a\": 9}\r\n]");
        let out = rewrite(text, |v| v.as_array_mut().unwrap().clear());
        assert_eq!(out, "[]");
        // Everything changed: printed afresh, with one final line break.
        let out = rewrite(" [1]\n\n", |v| *v = serde_json::json!({"x": "\n"}));
        assert_eq!(out, "{\"x\":\"\\n\"}\n");
    }

    /// A JSON value as text pieces, for the property below.
    #[derive(Clone, Debug)]
    enum Tree {
        Leaf(&'static str),
        Array(Vec<Tree>),
        Object(Vec<Tree>),
    }

    const LEAVES: [&str; 16] = [
        "0",
        "-0",
        "1",
        "1.10",
        "1e3",
        "1E+2",
        "-12.5e-3",
        "123456789012345678901234567890",
        "\"a\"",
        "\"caf\\u00e9\"",
        "\"\\/\"",
        "\"x\\ny\"",
        "\"\"",
        "true",
        "false",
        "null",
    ];

    fn tree() -> impl proptest::strategy::Strategy<Value = Tree> {
        use proptest::prelude::*;
        let leaf = (0..LEAVES.len()).prop_map(|i| Tree::Leaf(LEAVES[i]));
        leaf.prop_recursive(4, 40, 5, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(Tree::Array),
                proptest::collection::vec(inner, 0..5).prop_map(Tree::Object),
            ]
        })
    }

    /// Prints `tree` with the given indentation step (`None`: one line),
    /// line break, key separator and blank after a comma on one line.
    fn print_tree(tree: &Tree, style: (Option<&str>, &str, &str, &str), depth: usize) -> String {
        let (indent, newline, colon, gap) = style;
        let line = |depth: usize| match indent {
            Some(unit) => format!("{newline}{}", unit.repeat(depth)),
            None => String::new(),
        };
        let items = |open: char, close: char, parts: Vec<String>| {
            if parts.is_empty() {
                return format!("{open}{close}");
            }
            let mut out = String::from(open);
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                    if indent.is_none() {
                        out.push_str(gap);
                    }
                }
                out.push_str(&line(depth + 1));
                out.push_str(part);
            }
            out.push_str(&line(depth));
            out.push(close);
            out
        };
        match tree {
            Tree::Leaf(text) => (*text).to_string(),
            Tree::Array(trees) => {
                let parts = trees.iter().map(|t| print_tree(t, style, depth + 1));
                items('[', ']', parts.collect())
            }
            Tree::Object(trees) => {
                let parts = trees
                    .iter()
                    .enumerate()
                    .map(|(i, t)| format!("\"k{i}\"{colon}{}", print_tree(t, style, depth + 1)));
                items('{', '}', parts.collect())
            }
        }
    }

    /// Changes `value` somewhere along `path` (child positions, taken
    /// modulo the children), as `how` says.
    fn mutate(value: &mut Value, path: &[usize], how: usize) {
        let child = match value {
            Value::Array(items) if !items.is_empty() && !path.is_empty() => {
                let n = items.len();
                items.get_mut(path[0] % n)
            }
            Value::Object(map) if !map.is_empty() && !path.is_empty() => {
                let n = map.len();
                map.values_mut().nth(path[0] % n)
            }
            _ => None,
        };
        if let Some(child) = child {
            return mutate(child, &path[1..], how);
        }
        match (value, how % 5) {
            (Value::Array(items), 0) => items.push(serde_json::json!({"new": [1, "n"]})),
            (Value::Array(items), 1) if !items.is_empty() => drop(items.remove(how % items.len())),
            (Value::Object(map), 0) => drop(map.insert("added".into(), serde_json::json!([{}]))),
            (Value::Object(map), 1) if !map.is_empty() => {
                let key = map.keys().nth(how % map.len()).unwrap().clone();
                map.shift_remove(&key);
            }
            (Value::Object(map), 2) => map.clear(),
            (value, _) => *value = serde_json::json!("changed\n"),
        }
    }

    proptest::proptest! {
        #[test]
        fn saves_are_exact_and_correct(
            tree in tree(),
            style in 0usize..6,
            final_newline: bool,
            path in proptest::collection::vec(0usize..8, 0..6),
            how in 0usize..50,
        ) {
            let style = [
                (None, "\n", ":", ""),
                (None, "\n", ": ", " "),
                (Some("  "), "\n", ": ", ""),
                (Some("    "), "\r\n", ": ", ""),
                (Some("\t"), "\n", " : ", ""),
                (Some("\t"), "\r\n", ":", ""),
            ][style];
            let mut text = print_tree(&tree, style, 0);
            if final_newline {
                text.push_str(style.1);
            }
            let layout = Layout::detect(text.as_bytes());
            let mut value = parse(text.as_bytes()).unwrap();
            proptest::prop_assert_eq!(print(&layout, &value), text.clone());
            mutate(&mut value, &path, how);
            let saved = print(&layout, &value);
            proptest::prop_assert_eq!(parse(saved.as_bytes()).unwrap(), value.clone(), "{}", saved);
            // What is new is in the file's layout: printed afresh, the
            // saved text reads as text in that layout.
            if style.0.is_none() {
                proptest::prop_assert!(!saved.trim_end().contains('\n'), "{}", saved);
            }
            if style.1 == "\r\n" {
                proptest::prop_assert!(!saved.replace("\r\n", "").contains('\n'), "{}", saved);
            }
            proptest::prop_assert_eq!(saved.ends_with('\n'), final_newline);
        }
    }

    #[test]
    fn refuses_duplicate_keys_and_trailing_text() {
        let e = parse(br#"{"a": 1, "b": {"c": 1, "c": 2}}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "duplicate key \"c\" in one object at line 1 column 26"
        );
        assert!(parse(b"{} x").is_err());
        assert!(parse(b"").is_err());
        assert_eq!(
            parse(b" [1, \"x\", null, true, 1.5, -2] \n")
                .unwrap()
                .to_string(),
            r#"[1,"x",null,true,1.5,-2]"#
        );
    }

    #[test]
    fn compact_text_prints_back_byte_for_byte() {
        let text = r#"{"b":[1,{"x":"\"q\"\n\u0001é"}],"a":{},"c":[],"d":1.5,"e":-3,"f":null}"#;
        let layout = Layout::detect(text.as_bytes());
        assert_eq!(without_text(&layout), Layout::COMPACT);
        assert_eq!(print(&layout, &parse(text.as_bytes()).unwrap()), text);
        let with_newline = format!("{text}\n");
        assert_eq!(
            print(
                &Layout::detect(with_newline.as_bytes()),
                &parse(with_newline.as_bytes()).unwrap()
            ),
            with_newline
        );
    }

    #[test]
    fn pretty_text_prints_back_byte_for_byte() {
        for (indent, newline) in [("  ", "\n"), ("    ", "\n"), ("\t", "\r\n")] {
            let value =
                parse(br#"{"SecurityGroups":[{"Id":"sg-1","Tags":{},"P":[1,2]}],"Empty":[]}"#)
                    .unwrap();
            let text = format!(
                "{{{newline}{indent}\"SecurityGroups\": [{newline}{indent}{indent}{{{newline}\
                 {indent}{indent}{indent}\"Id\": \"sg-1\",{newline}{indent}{indent}{indent}\"Tags\": {{}},{newline}\
                 {indent}{indent}{indent}\"P\": [{newline}{indent}{indent}{indent}{indent}1,{newline}\
                 {indent}{indent}{indent}{indent}2{newline}{indent}{indent}{indent}]{newline}\
                 {indent}{indent}}}{newline}{indent}],{newline}{indent}\"Empty\": []{newline}}}{newline}"
            );
            let layout = Layout::detect(text.as_bytes());
            assert_eq!(parse(text.as_bytes()).unwrap(), value);
            assert_eq!(print(&layout, &value), text, "{indent:?}");
        }
    }

    #[test]
    fn serde_json_pretty_output_is_kept() {
        let value = parse(br#"{"a":[{"b":"c"}],"d":{"e":[]}}"#).unwrap();
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        assert_eq!(print(&Layout::detect(pretty.as_bytes()), &value), pretty);
    }
}
