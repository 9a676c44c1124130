//! Reading groups and egress rules out of a state document into a
//! [`VecStore`], remembering where each egress rule lives in the document.

use alloc::borrow::Cow;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde_json::{Map, Value};

use super::error::{InvalidValue, Reason, Shape, StateError, quote};
use crate::cidr::{Ipv4Cidr, Ipv6Cidr};
use crate::model::{EgressRule, GroupInfo, Network, OpaqueRule, Rule, RuleBody, RuleDestination};
use crate::nic::NicType;
use crate::policy::Policy;
use crate::port::PortRange;
use crate::priority::{InvalidPriority, Priority};
use crate::protocol::IpProtocol;
use crate::request::Source;
use crate::store::{Change, GroupStore, StoreError, VecStore};
use crate::text::{AccountId, AccountName, Description, GroupId, RegionId, VpcId};

/// The groups of the document: an array of them, `{"SecurityGroups":
/// [...]}`, or the document itself.
pub(crate) fn groups(document: &Value) -> Result<&[Value], StateError> {
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

/// The group object at `position` of a document that [`load`] accepted
/// (its shape tells where the groups are, as in [`groups`]).
pub(crate) fn group_mut(document: &mut Value, position: usize) -> Option<&mut Map<String, Value>> {
    let group = if document.is_array() {
        document.get_mut(position)?
    } else if document.get("SecurityGroups").is_some() {
        document.get_mut("SecurityGroups")?.get_mut(position)?
    } else {
        document
    };
    group.as_object_mut()
}

/// The group's `Permissions.Permission` array, made when absent (or
/// `null`: a group without rules).
pub(crate) fn permissions_mut(document: &mut Value, position: usize) -> Option<&mut Vec<Value>> {
    let group = group_mut(document, position)?;
    let permissions = group
        .entry("Permissions")
        .or_insert_with(|| Value::Object(Map::new()));
    if permissions.is_null() {
        *permissions = Value::Object(Map::new());
    }
    let rules = permissions
        .as_object_mut()?
        .entry("Permission")
        .or_insert_with(|| Value::Array(Vec::new()));
    if rules.is_null() {
        *rules = Value::Array(Vec::new());
    }
    rules.as_array_mut()
}

/// The rule at `index` of `Permissions.Permission` in the group at
/// `position`.
pub(crate) fn rule_mut(
    document: &mut Value,
    position: usize,
    index: usize,
) -> Option<&mut Map<String, Value>> {
    group_mut(document, position)?
        .get_mut("Permissions")?
        .get_mut("Permission")?
        .get_mut(index)?
        .as_object_mut()
}

/// What [`load`] reads out of a document.
#[derive(Clone, Debug, Default)]
pub(crate) struct Loaded {
    pub(crate) store: VecStore,
    /// For each group, at its position in the document (its handle in
    /// `store`), the `Permissions.Permission` index of the egress rule in
    /// each store slot.
    pub(crate) positions: Vec<Vec<Option<usize>>>,
    /// The ids of ingress rules: no egress rule may take one.
    pub(crate) ingress_ids: BTreeSet<String>,
    /// The top-level `PrefixLists`, when given.
    pub(crate) prefix_lists: Option<BTreeSet<String>>,
}

/// Where a rule id was first read: the group's id and the rule's index.
type SeenIds = BTreeMap<String, (String, usize)>;

/// Loads every group and egress rule of the document into a new store.
pub(crate) fn load(document: &Value) -> Result<Loaded, StateError> {
    let groups = groups(document)?;
    let mut loaded = Loaded {
        prefix_lists: prefix_lists(document)?,
        ..Loaded::default()
    };
    let mut seen = SeenIds::new();
    for (position, group) in groups.iter().enumerate() {
        let positions = load_group(&mut loaded, &mut seen, position, group)?;
        loaded.positions.push(positions);
    }
    Ok(loaded)
}

/// The top-level `PrefixLists` of a `{"SecurityGroups": ...}` document.
fn prefix_lists(document: &Value) -> Result<Option<BTreeSet<String>>, StateError> {
    let expected = "an array of prefix list ids";
    let Some(found) = document
        .get("SecurityGroups")
        .and(document.get("PrefixLists"))
    else {
        return Ok(None);
    };
    let Value::Array(items) = found else {
        return match found {
            Value::Null => Ok(None),
            _ => wrong_type("PrefixLists", expected, found),
        };
    };
    items
        .iter()
        .map(|item| match item {
            Value::String(id) => Ok(id.clone()),
            _ => wrong_type("PrefixLists", expected, found),
        })
        .collect::<Result<_, _>>()
        .map(Some)
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
/// order); returns the `Permissions.Permission` index of the rule in each
/// store slot.
fn load_group(
    loaded: &mut Loaded,
    seen: &mut SeenIds,
    position: usize,
    group: &Value,
) -> Result<Vec<Option<usize>>, StateError> {
    let Value::Object(object) = group else {
        return Err(StateError::new(Reason::Shape(Shape::Group)).in_group(position, None));
    };
    let id = parse_required(object, "SecurityGroupId", GroupId::parse)
        .map_err(|e| e.in_group(position, None))?;
    let at_group = |reason| StateError::new(reason).in_group(position, Some(&id));
    let info = group_info(object, id.clone()).map_err(|e| e.in_group(position, Some(&id)))?;
    let network = info.network.clone();
    let store = &mut loaded.store;
    let handle = match store.add_group(info) {
        Ok(handle) => handle,
        Err(StoreError::DuplicateGroup) => {
            let first = store.group(&id).map_or(0, |(h, _)| h.index());
            let second = position;
            return Err(at_group(Reason::DuplicateGroup { first, second }));
        }
        Err(e) => return Err(at_group(Reason::Store(e))),
    };
    let mut positions: Vec<Option<usize>> = Vec::new();
    let rules = permissions(object).map_err(|e| e.in_group(position, Some(&id)))?;
    for (index, rule) in rules.iter().enumerate() {
        let at_rule = |e: StateError| e.in_group(position, Some(&id)).in_rule(index);
        let Value::Object(fields) = rule else {
            return Err(at_rule(StateError::new(Reason::Shape(Shape::Rule))));
        };
        let (ingress, rule_id, create_time) = rule_head(fields).map_err(at_rule)?;
        if !rule_id.is_empty() {
            if let Some((group, rule)) = seen.get(rule_id) {
                let (group, rule) = (group.clone(), *rule);
                return Err(at_rule(StateError::new(Reason::DuplicateRuleId {
                    group,
                    rule,
                })));
            }
            seen.insert(rule_id.into(), (id.to_string(), index));
        }
        if ingress {
            if !rule_id.is_empty() {
                loaded.ingress_ids.insert(rule_id.into());
            }
            continue;
        }
        let opaque = opaque_fields(fields).map_err(at_rule)?;
        let pairs: Vec<(&str, &str)> = opaque
            .iter()
            .flatten()
            .map(|(n, v)| (*n, v.as_ref()))
            .collect();
        let body = match opaque {
            Some(_) => RuleBody::Opaque(OpaqueRule::new(&pairs)),
            None => RuleBody::Modelled(egress_rule(fields, &network).map_err(at_rule)?),
        };
        let change = Change::Insert(Rule {
            id: rule_id,
            create_time,
            body,
        });
        let reason = match store.change(handle, change) {
            Ok(slot) => {
                if positions.len() <= slot {
                    positions.resize(slot + 1, None);
                }
                if let Some(p) = positions.get_mut(slot) {
                    *p = Some(index);
                }
                continue;
            }
            Err(StoreError::DuplicateRule(other)) => Reason::DuplicateRule {
                other: positions.get(other).copied().flatten().unwrap_or(other),
            },
            Err(StoreError::InvalidRule(e)) => Reason::Rule(e),
            Err(e) => Reason::Store(e),
        };
        return Err(at_rule(StateError::new(reason)));
    }
    Ok(positions)
}

/// A rule's direction (`true` for ingress), `SecurityGroupRuleId` and
/// `CreateTime` (empty when absent, `null` or `""`).
fn rule_head(object: &Object) -> Result<(bool, &str, &str), StateError> {
    let ingress = parse(
        "Direction",
        required(object, "Direction")?,
        |text| match text {
            _ if text.eq_ignore_ascii_case("egress") => Ok(false),
            _ if text.eq_ignore_ascii_case("ingress") => Ok(true),
            _ => Err(InvalidValue::Direction),
        },
    )?;
    let id = optional(object, "SecurityGroupRuleId")?.unwrap_or("");
    let create_time = optional(object, "CreateTime")?.unwrap_or("");
    Ok((ingress, id, create_time))
}

/// An egress rule the API can hold but this crate does not model (SPEC
/// §10): a protocol number (`"6"`, 0 to 255) as `IpProtocol`, or a
/// `PortRangeListId`. Its fields as text pairs, or `None` for a rule to
/// model.
#[allow(clippy::type_complexity)]
fn opaque_fields(object: &Object) -> Result<Option<Vec<(&str, Cow<'_, str>)>>, StateError> {
    let protocol_number = match object.get("IpProtocol") {
        Some(Value::String(text)) => {
            (1..=3).contains(&text.len())
                && text.bytes().all(|b| b.is_ascii_digit())
                && text.parse::<u16>().is_ok_and(|n| n <= 255)
        }
        _ => false,
    };
    if !protocol_number && optional(object, "PortRangeListId")?.is_none() {
        return Ok(None);
    }
    let pairs = object.iter().map(|(name, value)| {
        let text = match value {
            Value::String(text) => Cow::Borrowed(text.as_str()),
            other => Cow::Owned(other.to_string()),
        };
        (name.as_str(), text)
    });
    Ok(Some(pairs.collect()))
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

/// The modelled egress rule a permission describes.
fn egress_rule<'v>(object: &'v Object, network: &Network) -> Result<EgressRule<'v>, StateError> {
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
    if matches!(destination, RuleDestination::PrefixList(_)) && !network.is_vpc() {
        return Err(StateError::new(Reason::ClassicPrefixList));
    }
    let source = source(object)?;
    Ok(EgressRule {
        protocol,
        port_range,
        source_port_range,
        nic_type: nic_type.unwrap_or(NicType::default_for(network, &destination)),
        policy,
        priority,
        destination,
        source,
        description,
    })
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

/// The one destination, in the precedence order of SPEC §12.2 (two given
/// is a conflict: a real dump writes `""` for the others).
fn destination(object: &Object) -> Result<RuleDestination<'_>, StateError> {
    const FIELDS: [&str; 4] = [
        "DestCidrIp",
        "Ipv6DestCidrIp",
        "DestGroupId",
        "DestPrefixListId",
    ];
    let mut given = None;
    for field in FIELDS {
        if let Some(text) = optional(object, field)? {
            if let Some((first, _)) = given {
                return Err(conflict(first, field));
            }
            given = Some((field, text));
        }
    }
    match given {
        Some(("DestCidrIp", text)) => {
            parse("DestCidrIp", text, Ipv4Cidr::parse).map(RuleDestination::Ipv4)
        }
        Some(("Ipv6DestCidrIp", text)) => {
            parse("Ipv6DestCidrIp", text, Ipv6Cidr::parse).map(RuleDestination::Ipv6)
        }
        Some(("DestGroupId", text)) => {
            parse("DestGroupId", text, GroupId::check).map(|()| RuleDestination::Group(text))
        }
        Some((_, text)) => Ok(RuleDestination::PrefixList(text)),
        None => Err(StateError::new(Reason::NoDestination)),
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
