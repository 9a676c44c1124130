//! `DescribeSecurityGroupAttribute` (SPEC §12.6): the group and its rules,
//! page by page, written into any [`fmt::Write`].
//!
//! A `NextToken` is 24 hex digits: a hash of the group id and the filters
//! (16), then the position of the page's first rule among the rules the
//! filters keep (8). A token from another group or other filters, or not
//! of that shape, is `InvalidParamter`; one past the end gives an empty
//! last page.

use core::fmt::{self, Write as _};

use super::group;
use crate::cidr::{Ipv4Cidr, Ipv6Cidr};
use crate::error::ApiError;
use crate::model::RuleBody;
use crate::model::{EgressRule, GroupInfo, RuleDestination};
use crate::nic::NicType;
use crate::port::PortRange;
use crate::request::{DescribeRequest, Direction, NicTypeFilter, Source};
use crate::response::{Escape, Format, RequestId};
use crate::store::{GroupHandle, GroupStore};

const TOKEN_LEN: usize = 24;

/// The checks that need the store: the group, then the `NextToken`.
pub(crate) fn check<S: GroupStore + ?Sized>(
    store: &S,
    request: &DescribeRequest<'_>,
) -> Result<(GroupHandle, usize), ApiError> {
    let (handle, info) = group(store, request.region_id(), request.security_group_id())?;
    let start = match request.next_token() {
        None => 0,
        Some(token) => {
            position(token, scope(request, info)).ok_or_else(|| request.bad_next_token())?
        }
    };
    Ok((handle, start))
}

/// Writes the Describe body for `request`, or its error body.
///
/// # Errors
///
/// Only those of the writer.
pub fn write_describe<S: GroupStore + ?Sized, W: fmt::Write + ?Sized>(
    store: &S,
    request: &DescribeRequest<'_>,
    format: Format,
    request_id: RequestId,
    out: &mut W,
) -> fmt::Result {
    let (handle, start) = match check(store, request) {
        Ok(found) => found,
        Err(error) => return crate::Response::error(format, request_id, &error).write_body(out),
    };
    let Some((_, info)) = store.group(request.security_group_id()) else {
        return Ok(());
    };
    let filter = nic_filter(request, info);
    let keep = |rule: &crate::model::Rule<'_>| -> bool {
        request.direction() != Direction::Ingress
            && filter.is_none_or(|nic| match &rule.body {
                RuleBody::Modelled(r) => r.nic_type == nic,
                RuleBody::Opaque(o) => o
                    .get("NicType")
                    .is_some_and(|v| v.eq_ignore_ascii_case(nic.as_str())),
            })
    };
    let page = usize::from(request.max_results());
    let mut w = Body {
        out,
        format,
        rules: 0,
    };
    w.open(request_id, info)?;
    let mut kept = 0;
    let mut shown = 0;
    let mut more = false;
    let mut at = store.next_rule(handle, None);
    while let Some(index) = at {
        at = store.next_rule(handle, Some(index));
        let Some(rule) = store.rule(handle, index) else {
            continue;
        };
        if !keep(&rule) {
            continue;
        }
        kept += 1;
        if kept <= start {
            continue;
        }
        if shown == page {
            more = true;
            break;
        }
        w.rule(&rule)?;
        shown += 1;
    }
    let next = more.then(|| token(scope(request, info), start + shown));
    w.close(next.as_ref().map(|t| t.as_str()).unwrap_or(""))
}

/// The NIC type filter (§12.6, §12.9): in a VPC group `internet` and an
/// empty value read as `intranet`; in a classic group an empty value is no
/// filter.
pub(crate) fn nic_filter(request: &DescribeRequest<'_>, info: &GroupInfo) -> Option<NicType> {
    let vpc = info.network.is_vpc();
    match request.nic_type() {
        NicTypeFilter::Absent => None,
        NicTypeFilter::Empty => vpc.then_some(NicType::Intranet),
        NicTypeFilter::Given(_) if vpc => Some(NicType::Intranet),
        NicTypeFilter::Given(nic) => Some(nic),
    }
}

/// What a token is valid for: the group and the filters.
pub(crate) fn scope(request: &DescribeRequest<'_>, info: &GroupInfo) -> u64 {
    crate::hash::hash(&(
        request.security_group_id(),
        request.direction() as u8,
        nic_filter(request, info).map(|n| n as u8),
    ))
}

pub(crate) fn token(scope: u64, position: usize) -> heapless::String<TOKEN_LEN> {
    let mut t = heapless::String::new();
    let _ = write!(t, "{scope:016x}{:08x}", position as u32);
    t
}

fn position(token: &str, scope: u64) -> Option<usize> {
    if token.len() != TOKEN_LEN
        || !token
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return None;
    }
    let (hash, at) = token.split_at(16);
    let hash = u64::from_str_radix(hash, 16).ok()?;
    let at = u32::from_str_radix(at, 16).ok()?;
    (hash == scope).then_some(at as usize)
}

/// The body's writer: one field at a time, escaped for the format.
struct Body<'w, W: fmt::Write + ?Sized> {
    out: &'w mut W,
    format: Format,
    /// Rules written so far.
    rules: usize,
}

impl<W: fmt::Write + ?Sized> Body<'_, W> {
    fn open(&mut self, id: RequestId, info: &GroupInfo) -> fmt::Result {
        match self.format {
            Format::Json => self.out.write_str("{")?,
            Format::Xml => self
                .out
                .write_str("<DescribeSecurityGroupAttributeResponse>")?,
        }
        self.field_display("RequestId", &id, true)?;
        self.field("RegionId", info.region.as_str(), false)?;
        self.field("SecurityGroupId", info.id.as_str(), false)?;
        if let Some(vpc) = info.network.vpc_id() {
            self.field("VpcId", vpc.as_str(), false)?;
        }
        match self.format {
            Format::Json => self.out.write_str(",\"Permissions\":{\"Permission\":["),
            Format::Xml => self.out.write_str("<Permissions>"),
        }
    }

    fn close(&mut self, next_token: &str) -> fmt::Result {
        match self.format {
            Format::Json => {
                self.out.write_str("]}")?;
                self.field("NextToken", next_token, false)?;
                self.out.write_str("}")
            }
            Format::Xml => {
                self.out.write_str("</Permissions>")?;
                self.field("NextToken", next_token, false)?;
                self.out
                    .write_str("</DescribeSecurityGroupAttributeResponse>")
            }
        }
    }

    fn rule(&mut self, rule: &crate::model::Rule<'_>) -> fmt::Result {
        match self.format {
            Format::Json if self.rules > 0 => self.out.write_str(",{")?,
            Format::Json => self.out.write_str("{")?,
            Format::Xml => self.out.write_str("<Permission>")?,
        }
        match &rule.body {
            RuleBody::Modelled(r) => self.modelled(rule.id, rule.create_time, r)?,
            RuleBody::Opaque(o) => {
                let mut first = true;
                for (name, value) in o.fields() {
                    self.dump_field(name, value, first)?;
                    first = false;
                }
            }
        }
        match self.format {
            Format::Json => self.out.write_str("}")?,
            Format::Xml => self.out.write_str("</Permission>")?,
        }
        self.rules += 1;
        Ok(())
    }

    /// Describe's field order (§12.9), every field present. The markup
    /// between two values is one static string per format, so a field
    /// costs one write besides its value.
    fn modelled(&mut self, id: &str, create_time: &str, r: &EgressRule<'_>) -> fmt::Result {
        let none = Value::Text("");
        let (dest_v4, dest_v6, dest_group, prefix_list) = match r.destination {
            RuleDestination::Ipv4(v4) => (Value::Ipv4(v4), none, "", ""),
            RuleDestination::Ipv6(v6) => (none, Value::Ipv6(v6), "", ""),
            RuleDestination::Group(g) => (none, none, g, ""),
            RuleDestination::PrefixList(p) => (none, none, "", p),
        };
        let (source_v4, source_v6) = match r.source {
            Some(Source::Ipv4(v4)) => (Value::Ipv4(v4), none),
            Some(Source::Ipv6(v6)) => (none, Value::Ipv6(v6)),
            None => (none, none),
        };
        let values = [
            Value::Text(id),
            Value::Plain("egress"),
            Value::Plain(r.protocol.api_name()),
            Value::Ports(r.port_range),
            r.source_port_range.map_or(none, Value::Ports),
            Value::Plain(r.nic_type.as_str()),
            Value::Plain(r.policy.api_name()),
            Value::Number(r.priority.get()),
            dest_v4,
            dest_v6,
            Value::Text(dest_group),
            none,
            none,
            Value::Text(prefix_list),
            none,
            source_v4,
            source_v6,
            Value::Text(r.description),
            Value::Text(create_time),
        ];
        for (i, (name, value)) in RULE_FIELDS.iter().zip(values).enumerate() {
            match self.format {
                Format::Json => self.out.write_str(name.json(i == 0))?,
                Format::Xml => self.out.write_str(name.xml_open)?,
            }
            value.write(self.out, self.format)?;
            if self.format == Format::Xml {
                self.out.write_str(name.xml_close)?;
            }
        }
        match self.format {
            Format::Json => self.out.write_str("\""),
            Format::Xml => Ok(()),
        }
    }

    /// A field with a text value, escaped for the format.
    fn field(&mut self, name: &str, value: &str, first: bool) -> fmt::Result {
        self.open_field(name, first)?;
        if !value.is_empty() {
            Escape::new(self.out, self.format).write_str(value)?;
        }
        self.close_field(name)
    }

    /// A field whose value prints as digits, letters and `.:/-` only (a
    /// request id): nothing to escape.
    fn field_display<T: fmt::Display + ?Sized>(
        &mut self,
        name: &str,
        value: &T,
        first: bool,
    ) -> fmt::Result {
        self.open_field(name, first)?;
        write!(self.out, "{value}")?;
        self.close_field(name)
    }

    /// A field of an unmodelled rule: its name comes from a dump, so it is
    /// escaped too.
    fn dump_field(&mut self, name: &str, value: &str, first: bool) -> fmt::Result {
        let mut escaped = Escape::new(self.out, self.format);
        match self.format {
            Format::Json => {
                escaped.out_str(if first { "\"" } else { ",\"" })?;
                escaped.write_str(name)?;
                escaped.out_str("\":\"")?;
                escaped.write_str(value)?;
                escaped.out_str("\"")
            }
            Format::Xml => {
                escaped.out_str("<")?;
                escaped.write_str(name)?;
                escaped.out_str(">")?;
                escaped.write_str(value)?;
                escaped.out_str("</")?;
                escaped.write_str(name)?;
                escaped.out_str(">")
            }
        }
    }

    /// `name` is one of this crate's field names: nothing to escape.
    fn open_field(&mut self, name: &str, first: bool) -> fmt::Result {
        match self.format {
            Format::Json => {
                self.out.write_str(if first { "\"" } else { ",\"" })?;
                self.out.write_str(name)?;
                self.out.write_str("\":\"")
            }
            Format::Xml => {
                self.out.write_str("<")?;
                self.out.write_str(name)?;
                self.out.write_str(">")
            }
        }
    }

    fn close_field(&mut self, name: &str) -> fmt::Result {
        match self.format {
            Format::Json => self.out.write_str("\""),
            Format::Xml => {
                self.out.write_str("</")?;
                self.out.write_str(name)?;
                self.out.write_str(">")
            }
        }
    }
}

/// A modelled rule's value, written without the formatting machinery where
/// it can be.
#[derive(Clone, Copy)]
enum Value<'a> {
    /// Text that may need escaping.
    Text(&'a str),
    /// One of this crate's keywords: nothing to escape.
    Plain(&'static str),
    Ports(PortRange),
    Number(u8),
    Ipv4(Ipv4Cidr),
    Ipv6(Ipv6Cidr),
}

impl Value<'_> {
    fn write<W: fmt::Write + ?Sized>(self, out: &mut W, format: Format) -> fmt::Result {
        match self {
            Value::Text("") => Ok(()),
            Value::Text(text) => Escape::new(out, format).write_str(text),
            Value::Plain(text) => out.write_str(text),
            Value::Ports(range) => match (range.start(), range.end()) {
                (Some(start), Some(end)) => {
                    decimal(out, start)?;
                    out.write_str("/")?;
                    decimal(out, end)
                }
                _ => out.write_str("-1/-1"),
            },
            Value::Number(n) => decimal(out, u16::from(n)),
            // As `Ipv4Cidr`'s `Display` prints it, without the formatting
            // machinery: a quarter of Describe's time went to it.
            Value::Ipv4(v4) => {
                for (i, octet) in v4.addr().octets().into_iter().enumerate() {
                    if i > 0 {
                        out.write_str(".")?;
                    }
                    decimal(out, u16::from(octet))?;
                }
                if !v4.is_bare() {
                    out.write_str("/")?;
                    decimal(out, u16::from(v4.prefix_len()))?;
                }
                Ok(())
            }
            // Addresses print as hex, `:` and `/`.
            Value::Ipv6(v6) => write!(out, "{v6}"),
        }
    }
}

/// Writes `n` in decimal.
fn decimal<W: fmt::Write + ?Sized>(out: &mut W, n: u16) -> fmt::Result {
    let mut digits = [0u8; 5];
    let mut len = 0;
    let mut rest = n;
    for d in digits.iter_mut() {
        *d = (rest % 10) as u8;
        len += 1;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    digits
        .iter()
        .take(len)
        .rev()
        .try_for_each(|&d| out.write_char(char::from(b'0' + d)))
}

/// A field's markup in both formats.
pub(crate) struct FieldName {
    /// The field's name (the state file names a new rule's fields so).
    #[cfg_attr(not(feature = "serde"), expect(dead_code))]
    pub(crate) name: &'static str,
    /// `","Name":"` (JSON, after another field).
    json_next: &'static str,
    /// `<Name>`.
    xml_open: &'static str,
    /// `</Name>`.
    xml_close: &'static str,
}

impl FieldName {
    /// The JSON before the value: the first field has no comma or
    /// previous closing quote.
    fn json(&self, first: bool) -> &'static str {
        if first {
            // `","` is three bytes: `"`, `,`, `"`; the first field starts at the name's quote.
            self.json_next.get(2..).unwrap_or(self.json_next)
        } else {
            self.json_next
        }
    }
}

macro_rules! field_names {
    ($($name:literal),+ $(,)?) => {
        [$(FieldName {
            name: $name,
            json_next: concat!("\",\"", $name, "\":\""),
            xml_open: concat!("<", $name, ">"),
            xml_close: concat!("</", $name, ">"),
        }),+]
    };
}

/// A modelled rule's fields in Describe's order (SPEC §12.9).
pub(crate) const RULE_FIELDS: [FieldName; 19] = field_names![
    "SecurityGroupRuleId",
    "Direction",
    "IpProtocol",
    "PortRange",
    "SourcePortRange",
    "NicType",
    "Policy",
    "Priority",
    "DestCidrIp",
    "Ipv6DestCidrIp",
    "DestGroupId",
    "DestGroupOwnerAccount",
    "DestGroupName",
    "DestPrefixListId",
    "DestPrefixListName",
    "SourceCidrIp",
    "Ipv6SourceCidrIp",
    "Description",
    "CreateTime",
];
