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
use crate::error::ApiError;
use crate::model::RuleBody;
use crate::model::{EgressRule, GroupInfo, RuleDestination};
use crate::nic::NicType;
use crate::policy::Policy;
use crate::protocol::IpProtocol;
use crate::request::{DescribeRequest, Direction, NicTypeFilter, Source};
use crate::response::{Escape, Format, RequestId};
use crate::store::{GroupHandle, GroupStore};

const TOKEN_LEN: usize = 24;

/// The checks that need the store: the group, then the `NextToken`.
pub(super) fn check<S: GroupStore + ?Sized>(
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
fn nic_filter(request: &DescribeRequest<'_>, info: &GroupInfo) -> Option<NicType> {
    let vpc = info.network.is_vpc();
    match request.nic_type() {
        NicTypeFilter::Absent => None,
        NicTypeFilter::Empty => vpc.then_some(NicType::Intranet),
        NicTypeFilter::Given(_) if vpc => Some(NicType::Intranet),
        NicTypeFilter::Given(nic) => Some(nic),
    }
}

/// What a token is valid for: the group and the filters.
fn scope(request: &DescribeRequest<'_>, info: &GroupInfo) -> u64 {
    crate::hash::hash(&(
        request.security_group_id(),
        request.direction() as u8,
        nic_filter(request, info).map(|n| n as u8),
    ))
}

fn token(scope: u64, position: usize) -> heapless::String<TOKEN_LEN> {
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
                    self.field(name, value, first)?;
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

    /// Describe's field order (§12.9), every field present.
    fn modelled(&mut self, id: &str, create_time: &str, r: &EgressRule<'_>) -> fmt::Result {
        let (dest_v4, dest_v6, dest_group, prefix_list) = match r.destination {
            RuleDestination::Ipv4(v4) => (Some(v4), None, "", ""),
            RuleDestination::Ipv6(v6) => (None, Some(v6), "", ""),
            RuleDestination::Group(g) => (None, None, g, ""),
            RuleDestination::PrefixList(p) => (None, None, "", p),
        };
        let (source_v4, source_v6) = match r.source {
            Some(Source::Ipv4(v4)) => (Some(v4), None),
            Some(Source::Ipv6(v6)) => (None, Some(v6)),
            None => (None, None),
        };
        self.field("SecurityGroupRuleId", id, true)?;
        self.field("Direction", "egress", false)?;
        self.field("IpProtocol", api_protocol(r.protocol), false)?;
        self.field_display("PortRange", &r.port_range, false)?;
        self.field_option("SourcePortRange", r.source_port_range.as_ref())?;
        self.field("NicType", r.nic_type.as_str(), false)?;
        self.field("Policy", api_policy(r.policy), false)?;
        self.field_display("Priority", &r.priority, false)?;
        self.field_option("DestCidrIp", dest_v4.as_ref())?;
        self.field_option("Ipv6DestCidrIp", dest_v6.as_ref())?;
        self.field("DestGroupId", dest_group, false)?;
        self.field("DestGroupOwnerAccount", "", false)?;
        self.field("DestGroupName", "", false)?;
        self.field("DestPrefixListId", prefix_list, false)?;
        self.field("DestPrefixListName", "", false)?;
        self.field_option("SourceCidrIp", source_v4.as_ref())?;
        self.field_option("Ipv6SourceCidrIp", source_v6.as_ref())?;
        self.field("Description", r.description, false)?;
        self.field("CreateTime", create_time, false)
    }

    fn field_option<T: fmt::Display>(&mut self, name: &str, value: Option<&T>) -> fmt::Result {
        match value {
            Some(v) => self.field_display(name, v, false),
            None => self.field(name, "", false),
        }
    }

    fn field(&mut self, name: &str, value: &str, first: bool) -> fmt::Result {
        self.field_display(name, &value, first)
    }

    fn field_display<T: fmt::Display + ?Sized>(
        &mut self,
        name: &str,
        value: &T,
        first: bool,
    ) -> fmt::Result {
        match self.format {
            Format::Json => {
                if !first {
                    self.out.write_str(",")?;
                }
                self.out.write_str("\"")?;
                write!(Escape::new(self.out, self.format), "{name}")?;
                self.out.write_str("\":\"")?;
                write!(Escape::new(self.out, self.format), "{value}")?;
                self.out.write_str("\"")
            }
            Format::Xml => {
                self.out.write_str("<")?;
                write!(Escape::new(self.out, self.format), "{name}")?;
                self.out.write_str(">")?;
                write!(Escape::new(self.out, self.format), "{value}")?;
                self.out.write_str("</")?;
                write!(Escape::new(self.out, self.format), "{name}")?;
                self.out.write_str(">")
            }
        }
    }
}

/// `IpProtocol` as the API writes it in rules.
fn api_protocol(p: IpProtocol) -> &'static str {
    match p {
        IpProtocol::Tcp => "TCP",
        IpProtocol::Udp => "UDP",
        IpProtocol::Icmp => "ICMP",
        IpProtocol::Gre => "GRE",
        IpProtocol::All => "ALL",
        IpProtocol::Icmpv6 => "ICMPv6",
    }
}

/// `Policy` as the API writes it in rules.
fn api_policy(p: Policy) -> &'static str {
    match p {
        Policy::Accept => "Accept",
        Policy::Drop => "Drop",
    }
}
