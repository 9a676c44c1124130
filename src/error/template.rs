//! Catalogue messages split at their `<name>` placeholder and escaped for
//! each body format when the crate is compiled, so that a response body
//! writes static text and escapes only what the request supplied (the
//! parameter name, or a detail).
//!
//! The catalogue's text is printable ASCII (a test checks it); the escapes
//! here are those of the body writers for such text (a test checks every
//! message against them).
//!
//! Everything here runs at compile time only (in constants and statics the
//! macros define), where an index out of range is a compile error, not a
//! run-time panic: hence indexing.
#![allow(clippy::indexing_slicing)]

/// How text is escaped where it is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Escaping {
    /// As is (the `Message` as the API documents it).
    Plain,
    /// A JSON string's content.
    Json,
    /// XML character data.
    Xml,
}

/// A message in one escaping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Template {
    /// `%s`: the detail is the message (the code when there is none).
    Detail,
    /// Static text; when the message has `<name>`, the parameter name goes
    /// between `before` and `after`.
    Text {
        /// The text up to `<name>`, or all of it.
        before: &'static str,
        /// The text after `<name>`; `None` when there is no `<name>`.
        after: Option<&'static str>,
    },
}

/// The placeholder for the parameter name.
pub(crate) const NAME: &str = "<name>";

/// The placeholder for a detail that is the whole message.
pub(crate) const DETAIL: &str = "%s";

/// Where `<name>` starts in `message`; its length when there is none.
pub(crate) const fn name_at(message: &str) -> usize {
    let (m, n) = (message.as_bytes(), NAME.as_bytes());
    let mut at = 0;
    while at + n.len() <= m.len() {
        let mut i = 0;
        while i < n.len() && m[at + i] == n[i] {
            i += 1;
        }
        if i == n.len() {
            return at;
        }
        at += 1;
    }
    m.len()
}

/// Whether `message` has `<name>`.
pub(crate) const fn has_name(message: &str) -> bool {
    name_at(message) < message.len()
}

/// Whether `message` is the detail alone.
pub(crate) const fn is_detail(message: &str) -> bool {
    let (m, d) = (message.as_bytes(), DETAIL.as_bytes());
    m.len() == d.len() && m[0] == d[0] && m[1] == d[1]
}

/// The text before `<name>` (all of it when there is none).
pub(crate) const fn before(message: &str) -> &str {
    message.split_at(name_at(message)).0
}

/// The text after `<name>` (empty when there is none).
pub(crate) const fn after(message: &str) -> &str {
    if has_name(message) {
        message.split_at(name_at(message) + NAME.len()).1
    } else {
        ""
    }
}

/// The escape of one ASCII byte, if it needs one.
const fn escape_of(b: u8, escaping: Escaping) -> Option<&'static str> {
    match (escaping, b) {
        (Escaping::Json, b'"') => Some("\\\""),
        (Escaping::Json, b'\\') => Some("\\\\"),
        (Escaping::Xml, b'&') => Some("&amp;"),
        (Escaping::Xml, b'<') => Some("&lt;"),
        (Escaping::Xml, b'>') => Some("&gt;"),
        (Escaping::Xml, b'"') => Some("&quot;"),
        (Escaping::Xml, b'\'') => Some("&apos;"),
        _ => None,
    }
}

/// The length of `text` escaped.
pub(crate) const fn escaped_len(text: &str, escaping: Escaping) -> usize {
    let bytes = text.as_bytes();
    let mut len = 0;
    let mut i = 0;
    while i < bytes.len() {
        len += match escape_of(bytes[i], escaping) {
            Some(e) => e.len(),
            None => 1,
        };
        i += 1;
    }
    len
}

/// `text` escaped, in `N` (= [`escaped_len`]) bytes.
pub(crate) const fn escape<const N: usize>(text: &str, escaping: Escaping) -> [u8; N] {
    let bytes = text.as_bytes();
    let mut out = [0u8; N];
    let (mut i, mut o) = (0, 0);
    while i < bytes.len() {
        match escape_of(bytes[i], escaping) {
            Some(e) => {
                let e = e.as_bytes();
                let mut k = 0;
                while k < e.len() {
                    out[o] = e[k];
                    o += 1;
                    k += 1;
                }
            }
            None => {
                out[o] = bytes[i];
                o += 1;
            }
        }
        i += 1;
    }
    out
}

/// `$text` (a constant) escaped, as a `&'static str`, computed at compile
/// time.
macro_rules! escaped {
    ($text:expr, $escaping:expr) => {{
        const LEN: usize = $crate::error::template::escaped_len($text, $escaping);
        static BYTES: [u8; LEN] = $crate::error::template::escape::<LEN>($text, $escaping);
        // Escaping ASCII yields ASCII; a test compares every template with
        // the run-time escapers, so an empty string here would be caught.
        static TEXT: &str = match core::str::from_utf8(&BYTES) {
            Ok(text) => text,
            Err(_) => "",
        };
        TEXT
    }};
}

/// The [`Template`] of the catalogue message `$message` in `$escaping`.
macro_rules! template_of {
    ($message:literal, $escaping:expr) => {{
        use $crate::error::template::{self, Escaping, Template};
        const HAS_NAME: bool = template::has_name($message);
        if template::is_detail($message) {
            Template::Detail
        } else {
            let (before, after) = match $escaping {
                Escaping::Plain => {
                    const BEFORE: &str = template::before($message);
                    const AFTER: &str = template::after($message);
                    (BEFORE, AFTER)
                }
                Escaping::Json => (
                    $crate::error::template::escaped!(template::before($message), Escaping::Json),
                    $crate::error::template::escaped!(template::after($message), Escaping::Json),
                ),
                Escaping::Xml => (
                    $crate::error::template::escaped!(template::before($message), Escaping::Xml),
                    $crate::error::template::escaped!(template::after($message), Escaping::Xml),
                ),
            };
            Template::Text {
                before,
                after: if HAS_NAME { Some(after) } else { None },
            }
        }
    }};
}

pub(crate) use {escaped, template_of};
