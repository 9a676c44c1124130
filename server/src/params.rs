//! The server's own view of the parameters: decoded once, for the
//! signature and for the few the server reads itself (`Action`, `Version`,
//! `Format`, `SecurityGroupId` for the log). The library decodes them again
//! by its own rules; when this decoding fails, the library's error is the
//! answer (`Engine::decoding_error`), so both agree on what is a fault:
//! bad percent-encoding, bad UTF-8, a name given twice.

use std::borrow::Cow;

/// Decoded `(name, value)` pairs, in the order given (borrowed from the
/// request when there was nothing to decode).
#[derive(Debug, Default)]
pub struct Params<'a> {
    pairs: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// How many of `pairs` came from the query (they come first).
    from_query: usize,
}

impl<'a> Params<'a> {
    /// Decodes `query` and then `body` (a form body's pairs count as
    /// parameters too); `None` on any fault, a name in both included.
    pub fn decode(query: &'a [u8], body: Option<&'a [u8]>) -> Option<Params<'a>> {
        let mut pairs = Vec::new();
        let mut from_query = 0;
        for (i, part) in [Some(query), body].into_iter().enumerate() {
            let Some(part) = part else { continue };
            if i == 1 {
                from_query = pairs.len();
            }
            for pair in part.split(|&b| b == b'&') {
                if pair.is_empty() {
                    continue;
                }
                let (name, value) = match pair.iter().position(|&b| b == b'=') {
                    Some(at) => (&pair[..at], &pair[at + 1..]),
                    None => (pair, &b""[..]),
                };
                pairs.push((decode(name)?, decode(value)?));
            }
        }
        if body.is_none() {
            from_query = pairs.len();
        }
        let mut names: Vec<&str> = pairs
            .iter()
            .map(|(n, _): &(Cow<str>, _)| n.as_ref())
            .collect();
        names.sort_unstable();
        if names.windows(2).any(|w| w[0] == w[1]) {
            return None;
        }
        Some(Params { pairs, from_query })
    }

    /// The value of `name`, if given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_ref())
    }

    /// Every pair.
    pub fn pairs(&self) -> &[(Cow<'a, str>, Cow<'a, str>)] {
        &self.pairs
    }

    /// The query's pairs (without the form body's).
    pub fn query_pairs(&self) -> &[(Cow<'a, str>, Cow<'a, str>)] {
        &self.pairs[..self.from_query]
    }
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Form decoding: `+` is a space, `%XY` a byte; the result must be UTF-8.
pub fn decode(raw: &[u8]) -> Option<Cow<'_, str>> {
    if !raw.iter().any(|&b| b == b'%' || b == b'+') {
        return std::str::from_utf8(raw).ok().map(Cow::Borrowed);
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let high = hex_value(*raw.get(i + 1)?)?;
                let low = hex_value(*raw.get(i + 2)?)?;
                out.push(high << 4 | low);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok().map(Cow::Owned)
}

/// RFC 3986 encoding as the SDKs sign: `A-Za-z0-9-_.~` kept, every other
/// byte `%XY` in upper-case hex (a space is `%20`).
pub fn encode_into(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
}

/// The pairs, minus those `skip` names, sorted by name (decoded, as the
/// SDKs sort their maps: for the names the API uses, the same order as the
/// encoded ones) and written `name=value` joined by `&`, each encoded.
pub fn canonical(pairs: &[(Cow<'_, str>, Cow<'_, str>)], skip: &[&str]) -> String {
    let mut sorted: Vec<&(Cow<str>, Cow<str>)> = pairs
        .iter()
        .filter(|(n, _)| !skip.contains(&n.as_ref()))
        .collect();
    sorted.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::new();
    for (i, (name, value)) in sorted.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode_into(name, &mut out);
        out.push('=');
        encode_into(value, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_refuses_faults() {
        let p = Params::decode(b"a=1+2&b=%E4%B8%AD&&c", Some(b"d=x%20y")).unwrap();
        assert_eq!(p.get("a"), Some("1 2"));
        assert_eq!(p.get("b"), Some("中"));
        assert_eq!(p.get("c"), Some(""));
        assert_eq!(p.get("d"), Some("x y"));
        assert_eq!(p.query_pairs().len(), 3);
        assert_eq!(p.pairs().len(), 4);
        assert!(Params::decode(b"a=%zz", None).is_none());
        assert!(Params::decode(b"a=%ff", None).is_none());
        assert!(Params::decode(b"a=1&a=2", None).is_none());
        assert!(Params::decode(b"a=1", Some(b"a=1")).is_none());
    }

    #[test]
    fn encodes_as_the_sdks_do() {
        let mut out = String::new();
        encode_into("a b*~/中", &mut out);
        assert_eq!(out, "a%20b%2A~%2F%E4%B8%AD");
        let pairs = vec![
            (Cow::from("b"), Cow::from("2")),
            (Cow::from("a"), Cow::from("x y")),
            (Cow::from("Signature"), Cow::from("s")),
        ];
        assert_eq!(canonical(&pairs, &["Signature"]), "a=x%20y&b=2");
    }
}
