//! A rule held as read: its fields as text pairs (SPEC §10).

use core::fmt;

/// The name of the one field of an opaque rule a request can change.
const DESCRIPTION: &str = "Description";

/// In a stored rule's encoded fields, the value length that says "the
/// value is the rule's description, kept apart" (so that setting it never
/// rewrites the other fields).
const DESCRIPTION_APART: u16 = u16::MAX;

/// How many hex digits hold a stored name's length (at most 255) and a
/// stored value's (at most 65,535).
const NAME_LEN_DIGITS: usize = 2;
const VALUE_LEN_DIGITS: usize = 4;

/// `n` as 4 uppercase hex digits.
fn hex_digits(n: u16) -> [u8; 4] {
    let digit = |shift: u16| {
        b"0123456789ABCDEF"
            .get(usize::from(n >> shift & 0xF))
            .copied()
            .unwrap_or(b'0')
    };
    [digit(12), digit(8), digit(4), digit(0)]
}

/// The last `count` of the digits, as text.
fn tail(digits: &[u8; 4], count: usize) -> &str {
    let digits = digits
        .get(digits.len().saturating_sub(count)..)
        .unwrap_or(&[]);
    core::str::from_utf8(digits).unwrap_or("")
}

/// An egress rule this crate does not model but the API can hold (a
/// protocol number as `IpProtocol`, a `PortRangeListId`): its fields as
/// `(name, value)` text pairs, in the order read, `Description` among them.
///
/// A JSON string value is its text; any other JSON value is its JSON text
/// (`1`, `true`, `null`). Names are at most 255 bytes and values at most
/// 65,534 (a store refuses longer ones).
///
/// ```
/// use aliyun_sg_egress::model::OpaqueRule;
/// let fields = [("IpProtocol", "6"), ("PortRange", "22/22"), ("Description", "ssh")];
/// let rule = OpaqueRule::new(&fields);
/// assert_eq!(rule.description(), "ssh");
/// assert_eq!(rule.get("IpProtocol"), Some("6"));
/// assert_eq!(rule.fields().count(), 3);
/// ```
#[derive(Clone, Copy)]
pub struct OpaqueRule<'a> {
    repr: Repr<'a>,
}

#[derive(Clone, Copy)]
enum Repr<'a> {
    /// As given by a caller.
    Pairs(&'a [(&'a str, &'a str)]),
    /// As a store keeps it, in its text arena: per field the name's
    /// length as 2 hex digits, the name, the value's length as 4 hex
    /// digits, the value; the description apart.
    Encoded {
        fields: &'a str,
        description: &'a str,
    },
}

impl<'a> OpaqueRule<'a> {
    /// A rule with these fields, in this order.
    pub const fn new(fields: &'a [(&'a str, &'a str)]) -> OpaqueRule<'a> {
        OpaqueRule {
            repr: Repr::Pairs(fields),
        }
    }

    /// A stored rule's view: its encoded fields and its description.
    pub(crate) const fn from_encoded(fields: &'a str, description: &'a str) -> OpaqueRule<'a> {
        OpaqueRule {
            repr: Repr::Encoded {
                fields,
                description,
            },
        }
    }

    /// The fields in order. A stored rule given a description it did not
    /// have shows `Description` last.
    pub fn fields(&self) -> OpaqueFields<'a> {
        OpaqueFields {
            repr: self.repr,
            description_seen: false,
        }
    }

    /// The value of the first field with this name.
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.fields().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// `Description`, empty when absent.
    pub fn description(&self) -> &'a str {
        match self.repr {
            Repr::Encoded { description, .. } => description,
            Repr::Pairs(_) => self.get(DESCRIPTION).unwrap_or(""),
        }
    }

    /// The bytes [`OpaqueRule::encode`] writes, or `None` when a name or a
    /// value is too long to encode.
    pub(crate) fn encoded_len(&self) -> Option<usize> {
        let mut total = 0usize;
        let mut description_seen = false;
        for (name, value) in self.fields() {
            let apart = name == DESCRIPTION && !description_seen;
            description_seen |= apart;
            u8::try_from(name.len()).ok()?;
            let value_len = if apart { 0 } else { value.len() };
            if value_len >= usize::from(DESCRIPTION_APART) {
                return None;
            }
            total += NAME_LEN_DIGITS + name.len() + VALUE_LEN_DIGITS + value_len;
        }
        Some(total)
    }

    /// Writes the encoded fields piece by piece through `push` (which
    /// answers `false` when out of room), the first `Description`'s value
    /// apart; `false` when a piece did not fit or is too long.
    pub(crate) fn encode(&self, mut push: impl FnMut(&str) -> bool) -> bool {
        let mut description_seen = false;
        for (name, value) in self.fields() {
            let apart = name == DESCRIPTION && !description_seen;
            description_seen |= apart;
            let (Ok(name_len), Ok(value_len)) =
                (u8::try_from(name.len()), u16::try_from(value.len()))
            else {
                return false;
            };
            if !apart && value_len == DESCRIPTION_APART {
                return false;
            }
            let value_len = if apart { DESCRIPTION_APART } else { value_len };
            let stored = if apart { "" } else { value };
            let (name_len, value_len) = (hex_digits(name_len.into()), hex_digits(value_len));
            let written = push(tail(&name_len, NAME_LEN_DIGITS))
                && push(name)
                && push(tail(&value_len, VALUE_LEN_DIGITS))
                && push(stored);
            if !written {
                return false;
            }
        }
        true
    }
}

impl PartialEq for OpaqueRule<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.fields().eq(other.fields())
    }
}

impl Eq for OpaqueRule<'_> {}

impl fmt::Debug for OpaqueRule<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.fields()).finish()
    }
}

/// The fields of an [`OpaqueRule`], in order.
#[derive(Clone, Debug)]
pub struct OpaqueFields<'a> {
    repr: Repr<'a>,
    description_seen: bool,
}

impl fmt::Debug for Repr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("..")
    }
}

impl<'a> Iterator for OpaqueFields<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<(&'a str, &'a str)> {
        match &mut self.repr {
            Repr::Pairs(pairs) => {
                let (first, rest) = pairs.split_first()?;
                *pairs = rest;
                Some(*first)
            }
            Repr::Encoded {
                fields,
                description,
            } => {
                let Some((name_len, rest)) = fields.split_at_checked(NAME_LEN_DIGITS) else {
                    // A description given to a rule that had none comes last.
                    if self.description_seen || description.is_empty() {
                        return None;
                    }
                    self.description_seen = true;
                    return Some((DESCRIPTION, description));
                };
                let name_len = u16::from_str_radix(name_len, 16).ok()?;
                let (name, rest) = rest.split_at_checked(usize::from(name_len))?;
                let (len, rest) = rest.split_at_checked(VALUE_LEN_DIGITS)?;
                let len = u16::from_str_radix(len, 16).ok()?;
                if len == DESCRIPTION_APART {
                    *fields = rest;
                    self.description_seen = true;
                    return Some((name, description));
                }
                let (value, rest) = rest.split_at_checked(usize::from(len))?;
                *fields = rest;
                Some((name, value))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::String;
    use std::vec::Vec;

    fn stored<'a>(
        rule: &OpaqueRule<'_>,
        buffer: &'a mut String,
        description: &'a str,
    ) -> OpaqueRule<'a> {
        assert!(rule.encode(|piece| {
            buffer.push_str(piece);
            true
        }));
        assert_eq!(rule.encoded_len(), Some(buffer.len()));
        OpaqueRule::from_encoded(buffer, description)
    }

    #[test]
    fn encoded_fields_read_back_in_order_with_the_description_apart() {
        let pairs = [
            ("IpProtocol", "6"),
            ("Description", "a"),
            ("PortRangeListId", "prl-1"),
            ("É", "ü"),
        ];
        let rule = OpaqueRule::new(&pairs);
        let mut buffer = String::new();
        let back = stored(&rule, &mut buffer, "a");
        assert_eq!(back, rule);
        assert_eq!(back.description(), "a");
        let mut buffer = String::new();
        let changed = stored(&rule, &mut buffer, "b");
        let names: Vec<_> = changed.fields().collect();
        assert_eq!(
            names,
            [
                ("IpProtocol", "6"),
                ("Description", "b"),
                ("PortRangeListId", "prl-1"),
                ("É", "ü")
            ]
        );
    }

    #[test]
    fn a_description_given_later_comes_last() {
        let pairs = [("IpProtocol", "6")];
        let mut buffer = String::new();
        let rule = stored(&OpaqueRule::new(&pairs), &mut buffer, "new");
        assert_eq!(
            rule.fields().collect::<Vec<_>>(),
            [("IpProtocol", "6"), ("Description", "new")]
        );
        let mut buffer = String::new();
        let rule = stored(&OpaqueRule::new(&pairs), &mut buffer, "");
        assert_eq!(rule.fields().count(), 1);
    }

    #[test]
    fn overlong_names_and_values_do_not_encode() {
        let name = "n".repeat(256);
        let value = "v".repeat(65_535);
        for pairs in [[(name.as_str(), "x")], [("x", value.as_str())]] {
            let rule = OpaqueRule::new(&pairs);
            assert_eq!(rule.encoded_len(), None);
            assert!(!rule.encode(|_| true));
        }
    }
}
