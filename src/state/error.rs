//! Why a state document was refused, and where.

use alloc::string::String;
use core::fmt;

use serde_json::Value;

use crate::cidr::InvalidCidr;
use crate::model::InvalidRule;
use crate::nic::InvalidNicType;
use crate::policy::InvalidPolicy;
use crate::port::InvalidPortRange;
use crate::priority::InvalidPriority;
use crate::protocol::InvalidIpProtocol;
use crate::store::StoreError;
use crate::text::{GroupId, InvalidText};

/// The most characters of an offending value an error quotes.
const QUOTE_MAX_CHARS: usize = 64;

/// A state the crate refuses: where (the group, the rule) and why.
///
/// `Display` names the group by its `SecurityGroupId` (or, before that is
/// known, by its position `#N` in the document's list of groups), the rule
/// by its position `N` in the group's `Permissions.Permission` array
/// (0-based, ingress rules counted), then the reason:
///
/// ```
/// use aliyun_sg_egress::state::State;
/// let err = State::from_json(
///     r#"{"SecurityGroupId": "sg-1", "RegionId": "cn-hangzhou", "Permissions": {"Permission": [
///         {"Direction": "egress", "IpProtocol": "SCTP", "PortRange": "1/1", "DestCidrIp": "10.0.0.0/8"}
///     ]}}"#,
/// )
/// .unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     r#"group sg-1, rule 0: invalid IpProtocol "SCTP": ip protocol must be tcp, udp, icmp, gre, all or icmpv6"#
/// );
/// assert_eq!((err.group_id(), err.rule()), (Some("sg-1"), Some(0)));
/// ```
#[derive(Debug)]
pub struct StateError {
    group_position: Option<usize>,
    group_id: Option<GroupId>,
    rule: Option<usize>,
    reason: Reason,
}

/// Why a state was refused.
#[derive(Debug)]
#[non_exhaustive]
pub enum Reason {
    /// Not JSON text (or a key given twice in one object, which could not
    /// be saved back).
    Syntax(serde_json::Error),
    /// The document, a group or a rule is not a JSON object.
    Shape(Shape),
    /// A required field is absent (or `null`).
    Missing(&'static str),
    /// A field has the wrong JSON type.
    Type {
        /// The field.
        field: &'static str,
        /// What it must be, in words.
        expected: &'static str,
        /// What it is, as JSON (cut to 64 characters).
        found: String,
    },
    /// A field's value is invalid.
    Value {
        /// The field.
        field: &'static str,
        /// The value, as JSON (cut to 64 characters).
        found: String,
        /// What is wrong with it.
        error: InvalidValue,
    },
    /// Two fields that exclude each other are both set.
    Conflict {
        /// The first field.
        field: &'static str,
        /// The second field.
        other: &'static str,
    },
    /// An egress rule has no destination (`DestCidrIp`, `Ipv6DestCidrIp`,
    /// `DestGroupId`, `DestPrefixListId`).
    NoDestination,
    /// A rule of a classic group has a prefix-list destination (VPC
    /// groups only).
    ClassicPrefixList,
    /// Another rule (ingress or egress, in any group) has the same
    /// `SecurityGroupRuleId`.
    DuplicateRuleId {
        /// The other rule's group id.
        group: String,
        /// The other rule's position in its `Permissions.Permission`.
        rule: usize,
    },
    /// The rule breaks an invariant no single field shows (an `icmp` rule
    /// to an IPv6 block, a group destination on the internet NIC, …).
    Rule(InvalidRule),
    /// Another egress rule of the group has the same key (SPEC §6), so a
    /// request could not tell them apart.
    DuplicateRule {
        /// The other rule's position in `Permissions.Permission`.
        other: usize,
    },
    /// Two groups have the same `SecurityGroupId`.
    DuplicateGroup {
        /// The position of the first of them.
        first: usize,
        /// The position of the second.
        second: usize,
    },
    /// The store refused the group or rule for another reason.
    Store(StoreError),
}

/// What must be a JSON object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// The document: a group, an array of groups, or `{"SecurityGroups": [...]}`.
    Document,
    /// A group.
    Group,
    /// A rule.
    Rule,
    /// A group that [`State::split`](super::State::split) cannot make a
    /// state of its own: one with a `SecurityGroups` field.
    GroupAlone,
}

/// Defines [`InvalidValue`]: `Direction`, and one variant per value type
/// holding its parser's error (built by `From`, displayed as that error).
macro_rules! invalid_value {
    ($( $(#[$meta:meta])* $variant:ident($error:ty), )+) => {
        /// Why a field's value is invalid: the error of the value type's parser.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum InvalidValue {
            /// `Direction` is neither `egress` nor `ingress`.
            Direction,
            $( $(#[$meta])* $variant($error), )+
        }

        impl fmt::Display for InvalidValue {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    InvalidValue::Direction => f.write_str("direction must be egress or ingress"),
                    $( InvalidValue::$variant(e) => e.fmt(f), )+
                }
            }
        }

        $(
            impl From<$error> for InvalidValue {
                fn from(e: $error) -> Self {
                    InvalidValue::$variant(e)
                }
            }
        )+
    };
}

invalid_value! {
    /// `IpProtocol`.
    IpProtocol(InvalidIpProtocol),
    /// `PortRange` or `SourcePortRange`.
    PortRange(InvalidPortRange),
    /// `NicType`.
    NicType(InvalidNicType),
    /// `Policy`.
    Policy(InvalidPolicy),
    /// `Priority`.
    Priority(InvalidPriority),
    /// An address or CIDR block.
    Cidr(InvalidCidr),
    /// An id, an account, or the description.
    Text(InvalidText),
}

impl core::error::Error for InvalidValue {}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Shape::Document => {
                "the state must be a DescribeSecurityGroupAttribute object, an array of them, \
                 or {\"SecurityGroups\": [...]}"
            }
            Shape::Group => "a group must be a JSON object",
            Shape::Rule => "a rule must be a JSON object",
            Shape::GroupAlone => {
                "a group with a SecurityGroups field cannot be split into a state of its own"
            }
        })
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Syntax(e) => write!(f, "not a valid JSON state: {e}"),
            Reason::Shape(shape) => shape.fmt(f),
            Reason::Missing(field) => write!(f, "missing {field}"),
            Reason::Type {
                field,
                expected,
                found,
            } => write!(f, "{field} must be {expected}, not {found}"),
            Reason::Value {
                field,
                found,
                error,
            } => write!(f, "invalid {field} {found}: {error}"),
            Reason::Conflict { field, other } => write!(f, "{field} and {other} are both set"),
            Reason::NoDestination => f.write_str(
                "no destination (DestCidrIp, Ipv6DestCidrIp, DestGroupId or DestPrefixListId)",
            ),
            Reason::ClassicPrefixList => f.write_str("a prefix-list destination needs a VPC group"),
            Reason::DuplicateRuleId { group, rule } => write!(
                f,
                "same SecurityGroupRuleId as rule {rule} of group {group}"
            ),
            Reason::Rule(e) => e.fmt(f),
            Reason::DuplicateRule { other } => write!(
                f,
                "same key as rule {other} (a request could not tell them apart)"
            ),
            Reason::DuplicateGroup { first, second } => write!(
                f,
                "groups #{first} and #{second} have the same SecurityGroupId"
            ),
            Reason::Store(e) => e.fmt(f),
        }
    }
}

impl StateError {
    pub(crate) fn new(reason: Reason) -> StateError {
        StateError {
            group_position: None,
            group_id: None,
            rule: None,
            reason,
        }
    }

    pub(crate) fn in_group(mut self, position: usize, id: Option<&GroupId>) -> StateError {
        self.group_position = Some(position);
        self.group_id = id.cloned();
        self
    }

    pub(crate) fn in_rule(mut self, rule: usize) -> StateError {
        self.rule = Some(rule);
        self
    }

    /// The group's `SecurityGroupId`, when the fault is in a group whose id
    /// was read.
    pub fn group_id(&self) -> Option<&str> {
        self.group_id.as_deref()
    }

    /// The group's position in the document's list of groups (0 for a
    /// document that is a single group).
    pub const fn group_position(&self) -> Option<usize> {
        self.group_position
    }

    /// The rule's position in the group's `Permissions.Permission` array.
    pub const fn rule(&self) -> Option<usize> {
        self.rule
    }

    /// Why the state was refused.
    pub const fn reason(&self) -> &Reason {
        &self.reason
    }
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.group_id, self.group_position) {
            (Some(id), _) => write!(f, "group {id}")?,
            (None, Some(position)) => write!(f, "group #{position}")?,
            (None, None) => return self.reason.fmt(f),
        }
        if let Some(rule) = self.rule {
            write!(f, ", rule {rule}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

impl core::error::Error for StateError {}

impl From<serde_json::Error> for StateError {
    fn from(e: serde_json::Error) -> Self {
        StateError::new(Reason::Syntax(e))
    }
}

/// A value as JSON, for an error message: cut to [`QUOTE_MAX_CHARS`]
/// characters (with `…`).
pub(crate) fn quote(value: &Value) -> String {
    let mut text = alloc::format!("{value}");
    if let Some((cut, _)) = text.char_indices().nth(QUOTE_MAX_CHARS) {
        text.truncate(cut);
        text.push('…');
    }
    text
}
