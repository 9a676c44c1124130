//! Reading groups and egress rules out of a state document into a
//! [`VecStore`], remembering where each egress rule lives in the document.

use alloc::string::String;
use alloc::vec::Vec;

use serde_json::{Map, Value};

use super::error::{InvalidValue, Reason, Shape, StateError, quote};
use crate::cidr::{Ipv4Cidr, Ipv6Cidr};
use crate::model::{EgressRule, GroupInfo, Network, RuleDestination};
use crate::nic::NicType;
use crate::policy::Policy;
use crate::port::PortRange;
use crate::priority::{InvalidPriority, Priority};
use crate::protocol::IpProtocol;
use crate::request::Source;
use crate::store::{GroupHandle, GroupStore, StoreError, VecStore};
use crate::text::{AccountId, AccountName, Description, GroupId, RegionId, VpcId};

/// The groups of the document: an array of them, `{"SecurityGroups":
/// [...]}`, or the document itself.
fn groups(document: &Value) -> Result<&[Value], StateError> {
    match document {
        Value::Array(items) => Ok(items.as_slice()),
        Value::Object(map) => match map.get("SecurityGroups") {
            Some(Value::Array(items)) => Ok(items.as_slice()),
            Some(other) => wrong_type("SecurityGroups", "an array of groups", other),
            None if map.contains_key("SecurityGroupId") => Ok(core::slice::from_ref(document)),
            None => Err(StateError::new(Reason::Shape(Shape::Document))),
        },
        _ => Err(StateError::new(Reason::Shape(Shape::Document))),
    }
}

/// The rule at `index` of `Permissions.Permission` in the group at
/// `position` of a document that [`load`] accepted (its shape tells where
/// the groups are, as in [`groups`]).
pub(crate) fn rule_mut(
    document: &mut Value,
    position: usize,
    index: usize,
) -> Option<&mut Map<String, Value>> {
    let group = if document.is_array() {
        document.get_mut(position)?
    } else if document.get("SecurityGroups").is_some() {
        document.get_mut("SecurityGroups")?.get_mut(position)?
    } else {
        document
    };
    group
        .get_mut("Permissions")?
        .get_mut("Permission")?
        .get_mut(index)?
        .as_object_mut()
}

/// Loads every group and egress rule of the document into a new store,
/// with each group's egress rule positions (see `load_group`), in document
/// order.
pub(crate) fn load(document: &Value) -> Result<(VecStore, Vec<Vec<usize>>), StateError> {
    let groups = groups(document)?;
    let mut store = VecStore::new();
    let mut egress = Vec::with_capacity(groups.len());
    for (position, group) in groups.iter().enumerate() {
        egress.push(load_group(&mut store, position, group)?);
    }
    Ok((store, egress))
}

/// The error for a field of the wrong JSON type.
fn wrong_type<T>(
    field: &'static str,
    expected: &'static str,
    found: &Value,
) -> Result<T, StateError> {
    Err(StateError::new(Reason::Type {
        field,
        expected,
        found: quote(found),
    }))
}

/// The error for a field whose value its type refuses.
fn value_error(field: &'static str, found: &Value, error: InvalidValue) -> StateError {
    StateError::new(Reason::Value {
        field,
        found: quote(found),
        error,
    })
}

/// A group or rule object.
type Object = Map<String, Value>;

/// A string field: `None` when absent or `null`.
fn string<'v>(object: &'v Object, field: &'static str) -> Result<Option<&'v str>, StateError> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.as_str())),
        Some(other) => wrong_type(field, "a string", other),
    }
}

/// An optional string field: `None` when absent, `null` or empty (the API
/// writes `""` for what a rule does not have).
fn optional<'v>(object: &'v Object, field: &'static str) -> Result<Option<&'v str>, StateError> {
    Ok(string(object, field)?.filter(|text| !text.is_empty()))
}

/// A required string field.
fn required<'v>(object: &'v Object, field: &'static str) -> Result<&'v str, StateError> {
    string(object, field)?.ok_or_else(|| StateError::new(Reason::Missing(field)))
}

/// Parses a field's text, naming the field and the value on failure.
fn parse<T, E: Into<InvalidValue>>(
    field: &'static str,
    text: &str,
    parser: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, StateError> {
    parser(text).map_err(|e| value_error(field, &text.into(), e.into()))
}

/// A required string field, parsed.
fn parse_required<T, E: Into<InvalidValue>>(
    object: &Object,
    field: &'static str,
    parser: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, StateError> {
    parse(field, required(object, field)?, parser)
}

/// An optional string field (see [`optional`]), parsed.
fn parse_optional<T, E: Into<InvalidValue>>(
    object: &Object,
    field: &'static str,
    parser: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Option<T>, StateError> {
    optional(object, field)?
        .map(|text| parse(field, text, parser))
        .transpose()
}

/// Adds the group at `position` of the document, and its egress rules, to
/// the store, whose handle for it is that position (groups are added in
/// order); returns each egress rule's index in `Permissions.Permission`, in
/// store order.
fn load_group(
    store: &mut VecStore,
    position: usize,
    group: &Value,
) -> Result<Vec<usize>, StateError> {
    let Value::Object(object) = group else {
        return Err(StateError::new(Reason::Shape(Shape::Group)).in_group(position, None));
    };
    let id = parse_required(object, "SecurityGroupId", GroupId::parse)
        .map_err(|e| e.in_group(position, None))?;
    let at_group = |reason| StateError::new(reason).in_group(position, Some(&id));
    let info = group_info(object, id.clone()).map_err(|e| e.in_group(position, Some(&id)))?;
    let network = info.network.clone();
    let handle = match store.add_group(info) {
        Ok(handle) => handle,
        Err(StoreError::DuplicateGroup) => {
            let first = store.find_group(&id).map_or(0, GroupHandle::index);
            let second = position;
            return Err(at_group(Reason::DuplicateGroup { first, second }));
        }
        Err(e) => return Err(at_group(Reason::Store(e))),
    };
    let mut egress = Vec::new();
    let rules = permissions(object).map_err(|e| e.in_group(position, Some(&id)))?;
    for (index, rule) in rules.iter().enumerate() {
        let at_rule = |e: StateError| e.in_group(position, Some(&id)).in_rule(index);
        let Some(rule) = egress_rule(rule, &network).map_err(at_rule)? else {
            continue;
        };
        let reason = match store.add_rule(handle, &rule) {
            Ok(_) => {
                egress.push(index);
                continue;
            }
            Err(StoreError::DuplicateRule(other)) => Reason::DuplicateRule {
                other: egress.get(other).copied().unwrap_or(other),
            },
            Err(StoreError::InvalidRule(e)) => Reason::Rule(e),
            Err(e) => Reason::Store(e),
        };
        return Err(at_rule(StateError::new(reason)));
    }
    Ok(egress)
}

fn group_info(object: &Object, id: GroupId) -> Result<GroupInfo, StateError> {
    let region = parse_required(object, "RegionId", RegionId::parse)?;
    let classic_link = match object.get("ClassicLink") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(on)) => *on,
        Some(other) => return wrong_type("ClassicLink", "true or false", other),
    };
    let network = match parse_optional(object, "VpcId", VpcId::parse)? {
        None => Network::Classic,
        Some(id) => Network::Vpc { id, classic_link },
    };
    let mut info = GroupInfo::new(id, region, network);
    info.owner_account = parse_optional(object, "OwnerAccount", AccountName::parse)?;
    info.owner_id = match object.get("OwnerId") {
        None | Some(Value::Null) => None,
        Some(Value::String(_)) => parse_optional(object, "OwnerId", AccountId::parse)?,
        Some(found) if found.is_u64() => found.as_u64().map(AccountId::new),
        Some(found) => return wrong_type("OwnerId", "a decimal account id", found),
    };
    Ok(info)
}

/// The group's `Permissions.Permission` array (empty when absent).
fn permissions(object: &Object) -> Result<&[Value], StateError> {
    let rules = match object.get("Permissions") {
        None | Some(Value::Null) => None,
        Some(Value::Object(permissions)) => permissions.get("Permission"),
        Some(other) => {
            return wrong_type("Permissions", "an object with a Permission array", other);
        }
    };
    match rules {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(rules)) => Ok(rules.as_slice()),
        Some(other) => wrong_type("Permissions.Permission", "an array of rules", other),
    }
}

/// The egress rule a permission describes, or `None` for an ingress rule
/// or a rule to a prefix list (kept in the document, never matched).
fn egress_rule<'v>(
    rule: &'v Value,
    network: &Network,
) -> Result<Option<EgressRule<'v>>, StateError> {
    let Value::Object(object) = rule else {
        return Err(StateError::new(Reason::Shape(Shape::Rule)));
    };
    let ingress = parse(
        "Direction",
        required(object, "Direction")?,
        |text| match text {
            _ if text.eq_ignore_ascii_case("egress") => Ok(false),
            _ if text.eq_ignore_ascii_case("ingress") => Ok(true),
            _ => Err(InvalidValue::Direction),
        },
    )?;
    if ingress || optional(object, "DestPrefixListId")?.is_some() {
        return Ok(None);
    }
    let protocol = parse_required(object, "IpProtocol", IpProtocol::parse)?;
    let ports = |text: &str| PortRange::parse_for(text, protocol);
    let port_range = parse_required(object, "PortRange", ports)?;
    let source_port_range = parse_optional(object, "SourcePortRange", ports)?;
    let nic_type = parse_optional(object, "NicType", NicType::parse)?;
    let policy = parse_optional(object, "Policy", Policy::parse)?.unwrap_or_default();
    let priority = priority(object)?;
    let description = string(object, "Description")?.unwrap_or("");
    parse("Description", description, Description::check)?;
    let destination = destination(object)?;
    let source = source(object)?;
    Ok(Some(EgressRule {
        protocol,
        port_range,
        source_port_range,
        nic_type: nic_type.unwrap_or(NicType::default_for(network, &destination)),
        policy,
        priority,
        destination,
        source,
        description,
    }))
}

/// `Priority`: a number or a decimal string; 1 when absent.
fn priority(object: &Object) -> Result<Priority, StateError> {
    let found = match object.get("Priority") {
        None | Some(Value::Null) => return Ok(Priority::DEFAULT),
        Some(Value::String(text)) => return parse("Priority", text, Priority::parse),
        Some(found) => found,
    };
    let value = match found.as_u64() {
        Some(value) => u8::try_from(value)
            .map_err(|_| InvalidPriority::AboveRange)
            .and_then(Priority::new),
        None if found.is_i64() => Err(InvalidPriority::BelowRange),
        None => return wrong_type("Priority", "an integer or a decimal string", found),
    };
    value.map_err(|e| value_error("Priority", found, e.into()))
}

fn destination(object: &Object) -> Result<RuleDestination<'_>, StateError> {
    let v4 = optional(object, "DestCidrIp")?;
    let v6 = optional(object, "Ipv6DestCidrIp")?;
    let group = optional(object, "DestGroupId")?;
    match (v4, v6, group) {
        (Some(_), Some(_), _) => Err(conflict("DestCidrIp", "Ipv6DestCidrIp")),
        (Some(_), None, Some(_)) => Err(conflict("DestCidrIp", "DestGroupId")),
        (None, Some(_), Some(_)) => Err(conflict("Ipv6DestCidrIp", "DestGroupId")),
        (Some(text), None, None) => {
            parse("DestCidrIp", text, Ipv4Cidr::parse).map(RuleDestination::Ipv4)
        }
        (None, Some(text), None) => {
            parse("Ipv6DestCidrIp", text, Ipv6Cidr::parse).map(RuleDestination::Ipv6)
        }
        (None, None, Some(text)) => {
            parse("DestGroupId", text, GroupId::check).map(|()| RuleDestination::Group(text))
        }
        (None, None, None) => Err(StateError::new(Reason::NoDestination)),
    }
}

fn source(object: &Object) -> Result<Option<Source>, StateError> {
    let v4 = optional(object, "SourceCidrIp")?;
    let v6 = optional(object, "Ipv6SourceCidrIp")?;
    let source = match (v4, v6) {
        (Some(_), Some(_)) => return Err(conflict("SourceCidrIp", "Ipv6SourceCidrIp")),
        (Some(text), None) => Source::Ipv4(parse("SourceCidrIp", text, Ipv4Cidr::parse)?),
        (None, Some(text)) => Source::Ipv6(parse("Ipv6SourceCidrIp", text, Ipv6Cidr::parse)?),
        (None, None) => return Ok(None),
    };
    Ok(Some(source))
}

fn conflict(field: &'static str, other: &'static str) -> StateError {
    StateError::new(Reason::Conflict { field, other })
}
