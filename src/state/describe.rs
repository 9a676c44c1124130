//! `DescribeSecurityGroupAttribute` on a state (SPEC §12.6): the group's
//! fields and every rule as the document holds them — as read from the
//! dump, or as the actions since wrote them — ingress rules included.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Write as _};

use serde_json::{Map, Value};

use super::{State, load};
use crate::lifecycle::describe::{check, nic_filter, scope, token};
use crate::nic::NicType;
use crate::request::{DescribeRequest, Direction};
use crate::response::{Escape, Format, RequestId, Response};

/// The group fields Describe shows, in its order, when the state has them.
const GROUP_FIELDS: [&str; 6] = [
    "RegionId",
    "SecurityGroupId",
    "SecurityGroupName",
    "Description",
    "VpcId",
    "InnerAccessPolicy",
];

impl State {
    /// Writes the `DescribeSecurityGroupAttribute` body for `request` (or
    /// its error body): the group's fields as the state holds them
    /// (`RegionId`, `SecurityGroupId`, `SecurityGroupName`, `Description`,
    /// `VpcId`, `InnerAccessPolicy`, those present), then its rules in
    /// document order with every field as the document has it (numbers as
    /// written), ingress rules too when `Direction` asks for them, paged as
    /// [`lifecycle::write_describe`](crate::lifecycle::write_describe)
    /// pages.
    ///
    /// # Errors
    ///
    /// Only those of the writer.
    pub fn write_describe<W: fmt::Write + ?Sized>(
        &self,
        request: &DescribeRequest<'_>,
        format: Format,
        request_id: RequestId,
        out: &mut W,
    ) -> fmt::Result {
        let (handle, start) = match check(self, request) {
            Ok(found) => found,
            Err(error) => return Response::error(format, request_id, &error).write_body(out),
        };
        let (Some(info), Some(group)) = (
            self.group_info(handle),
            load::groups(&self.document)
                .ok()
                .and_then(|groups| groups.get(handle.index()))
                .and_then(Value::as_object),
        ) else {
            return Ok(());
        };
        let vpc = info.network.is_vpc();
        let filter = nic_filter(request, info);
        let rules = group
            .get("Permissions")
            .and_then(|p| p.get("Permission"))
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        let keep = |rule: &Map<String, Value>| {
            let egress = text(rule.get("Direction")).eq_ignore_ascii_case("egress");
            let direction = match request.direction() {
                Direction::All => true,
                Direction::Egress => egress,
                Direction::Ingress => !egress,
            };
            direction && filter.is_none_or(|nic| rule_nic(rule, vpc) == nic)
        };

        let mut w = Writer { out, format };
        match format {
            Format::Json => w.out.write_str("{\"RequestId\":\"")?,
            Format::Xml => w
                .out
                .write_str("<DescribeSecurityGroupAttributeResponse><RequestId>")?,
        }
        write!(w.out, "{request_id}")?;
        w.out.write_str(match format {
            Format::Json => "\"",
            Format::Xml => "</RequestId>",
        })?;
        for name in GROUP_FIELDS {
            if let Some(value) = group.get(name) {
                w.field(name, value)?;
            }
        }
        w.out.write_str(match format {
            Format::Json => ",\"Permissions\":{\"Permission\":[",
            Format::Xml => "<Permissions>",
        })?;
        let page = usize::from(request.max_results());
        let mut shown = 0;
        let mut more = false;
        let kept = rules
            .iter()
            .filter_map(Value::as_object)
            .filter(|r| keep(r));
        for rule in kept.skip(start) {
            if shown == page {
                more = true;
                break;
            }
            w.rule(rule, shown == 0)?;
            shown += 1;
        }
        let next = more.then(|| token(scope(request, info), start + shown));
        let next = next.as_ref().map_or("", |t| t.as_str());
        match format {
            Format::Json => {
                w.out.write_str("]},\"NextToken\":\"")?;
                Escape::new(w.out, format).write_str(next)?;
                w.out.write_str("\"}")
            }
            Format::Xml => {
                w.out.write_str("</Permissions><NextToken>")?;
                Escape::new(w.out, format).write_str(next)?;
                w.out
                    .write_str("</NextToken></DescribeSecurityGroupAttributeResponse>")
            }
        }
    }
}

/// A rule's NIC type as §5 reads it: in a VPC group always `intranet`; in
/// a classic one as written, else `intranet` for a group or prefix-list
/// destination and `internet` for a CIDR.
fn rule_nic(rule: &Map<String, Value>, vpc: bool) -> NicType {
    let written = NicType::parse(text(rule.get("NicType"))).ok();
    let to_group = ["DestGroupId", "DestPrefixListId"]
        .iter()
        .any(|k| !text(rule.get(*k)).is_empty());
    match (vpc, written) {
        (true, _) => NicType::Intranet,
        (false, Some(nic)) => nic,
        (false, None) if to_group => NicType::Intranet,
        (false, None) => NicType::Internet,
    }
}

/// A JSON string's text; `""` for anything else.
fn text(value: Option<&Value>) -> &str {
    value.and_then(Value::as_str).unwrap_or("")
}

struct Writer<'w, W: fmt::Write + ?Sized> {
    out: &'w mut W,
    format: Format,
}

impl<W: fmt::Write + ?Sized> Writer<'_, W> {
    fn rule(&mut self, rule: &Map<String, Value>, first: bool) -> fmt::Result {
        match self.format {
            Format::Json => self.out.write_str(if first { "{" } else { ",{" })?,
            Format::Xml => self.out.write_str("<Permission>")?,
        }
        let mut comma = false;
        for (name, value) in rule {
            match self.format {
                Format::Json => {
                    if comma {
                        self.out.write_str(",")?;
                    }
                    comma = true;
                    self.json_pair(name, value)?;
                }
                Format::Xml => self.field(name, value)?,
            }
        }
        self.out.write_str(match self.format {
            Format::Json => "}",
            Format::Xml => "</Permission>",
        })
    }

    /// A group field: `,"name":value` or `<name>text</name>`.
    fn field(&mut self, name: &str, value: &Value) -> fmt::Result {
        match self.format {
            Format::Json => {
                self.out.write_str(",")?;
                self.json_pair(name, value)
            }
            Format::Xml => {
                let mut e = Escape::new(self.out, self.format);
                e.out_str("<")?;
                e.write_str(name)?;
                e.out_str(">")?;
                match value {
                    Value::String(s) => e.write_str(s)?,
                    Value::Null => {}
                    // Numbers as written (serde_json keeps their text).
                    other => write!(e, "{other}")?,
                }
                e.out_str("</")?;
                e.write_str(name)?;
                e.out_str(">")
            }
        }
    }

    /// `"name":value`, the value as serde_json writes it (one line: every
    /// control character escaped; numbers as written).
    fn json_pair(&mut self, name: &str, value: &Value) -> fmt::Result {
        self.out.write_str("\"")?;
        Escape::new(self.out, self.format).write_str(name)?;
        self.out.write_str("\":")?;
        write!(self.out, "{value}")
    }
}
