//! The JSON text of a state file: parsing into a [`Value`] that refuses a
//! key given twice in one object (serde_json's own `Value` keeps the last
//! one silently, and the first would then be lost on save), and printing a
//! [`Value`] back in the layout the file was written in.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Write as _};

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::response::{Escape, Format};

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

/// How a file was laid out, so that a save changes no more lines than the
/// descriptions that changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    /// One indentation step, or `None` for everything on one line.
    indent: Option<String>,
    /// `\n` or `\r\n`.
    newline: &'static str,
    /// Whether the text ended with a line break.
    final_newline: bool,
}

impl Layout {
    /// Everything on one line, no final line break (serde_json's compact
    /// form).
    pub(crate) const COMPACT: Layout = Layout {
        indent: None,
        newline: "\n",
        final_newline: false,
    };

    /// The layout of `text`: multi-line when a line break comes before its
    /// last value byte, indented by the leading blanks of its second line.
    pub(crate) fn detect(text: &[u8]) -> Layout {
        let body = text.trim_ascii_end();
        let first_break = text.iter().position(|&b| b == b'\n');
        let indent = first_break.filter(|&i| i < body.len()).map(|i| {
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
        Layout {
            indent,
            newline,
            final_newline: tail.contains(&b'\n'),
        }
    }

    /// Writes `value` in this layout: serde_json's compact form on one
    /// line, or its pretty form (`"key": value`, empty containers as `[]`
    /// and `{}`) with this indentation.
    pub(crate) fn write<W: fmt::Write + ?Sized>(&self, out: &mut W, value: &Value) -> fmt::Result {
        self.write_value(out, value, 0)?;
        if self.final_newline {
            out.write_str(self.newline)?;
        }
        Ok(())
    }

    fn line<W: fmt::Write + ?Sized>(&self, out: &mut W, depth: usize) -> fmt::Result {
        if let Some(indent) = &self.indent {
            out.write_str(self.newline)?;
            for _ in 0..depth {
                out.write_str(indent)?;
            }
        }
        Ok(())
    }

    fn write_value<W: fmt::Write + ?Sized>(
        &self,
        out: &mut W,
        value: &Value,
        depth: usize,
    ) -> fmt::Result {
        match value {
            Value::Array(items) if !items.is_empty() => {
                out.write_char('[')?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.write_char(',')?;
                    }
                    self.line(out, depth + 1)?;
                    self.write_value(out, item, depth + 1)?;
                }
                self.line(out, depth)?;
                out.write_char(']')
            }
            Value::Object(map) if !map.is_empty() => {
                out.write_char('{')?;
                for (i, (key, item)) in map.iter().enumerate() {
                    if i > 0 {
                        out.write_char(',')?;
                    }
                    self.line(out, depth + 1)?;
                    out.write_char('"')?;
                    Escape::new(out, Format::Json).write_str(key)?;
                    out.write_str(if self.indent.is_some() { "\": " } else { "\":" })?;
                    self.write_value(out, item, depth + 1)?;
                }
                self.line(out, depth)?;
                out.write_char('}')
            }
            leaf => write!(out, "{leaf}"),
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
        assert_eq!(layout, Layout::COMPACT);
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
