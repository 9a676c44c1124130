//! Why an error was raised, in a few bytes, and its detail in words,
//! written only when asked for.

use core::fmt;

use super::{ApiError, RuleFields};
use crate::cidr::InvalidCidr;
use crate::nic::NicType;
use crate::port::InvalidPortRange;
use crate::priority::InvalidPriority;
use crate::protocol::IpProtocol;
use crate::request::{
    ACTION, API_VERSION, Action, MAX_UNKNOWN_PARAMETERS, PermissionName, QUERY_MAX_BYTES,
    VALUE_MAX_BYTES,
};
use crate::store::StoreError;
use crate::text::InvalidText;

/// Why a name or value of a query did not decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DecodeFault {
    /// A `%` not followed by two hex digits.
    BadEscape,
    /// Longer than [`VALUE_MAX_BYTES`] once decoded.
    DecodedTooLong,
    /// Not UTF-8 once decoded.
    DecodedNotUtf8,
    /// Not UTF-8 as given.
    NotUtf8,
    /// Longer than [`VALUE_MAX_BYTES`] as given.
    TooLong,
}

/// The few facts an error's detail needs besides the parameter and the
/// quoted texts ([`super::Echo`]): one variant per detail, written by
/// [`write_detail`], which shows the words and which texts each quotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reason {
    None,

    // Decoding the query (SPEC §6 step 1).
    QueryTooLong {
        bytes: u64,
    },
    TooManyParameters,
    Duplicate,
    BadName(DecodeFault),
    BadValue(DecodeFault),
    PairTooLong,

    // Reading the parameters (§2–§4); most quote the value at fault.
    OtherAction,
    Required,
    Text(InvalidText),
    ClientToken(InvalidText),
    Protocol,
    PortRange {
        protocol: IpProtocol,
        error: InvalidPortRange,
    },
    NicTypeEmpty,
    NicType,
    Policy,
    Priority(InvalidPriority),
    DescriptionTooLong {
        chars: u32,
    },
    BothFamilies,
    DestCidr(InvalidCidr),
    SourceCidr(InvalidCidr),
    Ipv6Cidr(InvalidCidr),
    IcmpWithIpv6,
    Icmpv6WithIpv4,
    Ipv4DestIpv6Source,
    Ipv6DestIpv4Source,
    NoDestination,
    OwnerId,

    // The lifecycle's own parameters (§12); most quote the value at fault.
    ActionNotFound,
    ActionDiffers(Action),
    Version,
    MixedForms,
    BadIndex,
    IdsWithPermissions,
    RuleIdShape,
    RuleIdRepeated,
    NoSuchRuleId,
    PrefixListId,
    DuplicatePermissions {
        first: PermissionName,
        second: PermissionName,
    },
    Direction,
    MaxResults,
    NextToken,

    // Finding the rule (§5, §6); the ids are quoted.
    GroupNeedsIntranet,
    SameGroup,
    NoSuchGroup,
    OwnerAccount,
    OwnerAccountId(u64),
    VpcMismatch,
    ClassicLinkOff,
    ClassicWithoutLink,
    OtherNic {
        other: NicType,
        asked: NicType,
    },
    NoRuleWithKey {
        rule: u32,
        differs: RuleFields,
    },
    NoRules,
    Store(StoreError),

    // The lifecycle's checks on the store (§12.3–§12.6); ids are quoted.
    NoSuchPrefixList,
    GroupRuleLimit {
        limit: u32,
    },
    RuleQuota {
        quota: u32,
    },
    RuleIdsExhausted,
    NoRuleToRevoke,
    OpaqueRule,
    KindChange,
    NicChange {
        from: NicType,
        to: NicType,
    },
    MergedPorts {
        protocol: IpProtocol,
    },
    DuplicatesRule,
}

impl fmt::Display for DecodeFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const _: () = assert!(VALUE_MAX_BYTES == 4096);
        f.write_str(match self {
            DecodeFault::BadEscape => "invalid percent-encoding",
            DecodeFault::DecodedTooLong => "decoded text is longer than 4096 bytes",
            DecodeFault::DecodedNotUtf8 => "decoded text is not valid UTF-8",
            DecodeFault::NotUtf8 => "text is not valid UTF-8",
            DecodeFault::TooLong => "text is longer than 4096 bytes",
        })
    }
}

/// The words for an id or account that is not valid.
fn text_fault(e: InvalidText) -> &'static str {
    match e {
        InvalidText::Empty => "is empty",
        InvalidText::TooLong => "is too long",
        InvalidText::BadCharacter => "has a character that is not allowed",
    }
}

/// Writes the detail of `e` (see [`ApiError::detail`]).
pub(crate) fn write_detail(e: &ApiError, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    // The query string stands in for an empty name, which details show empty.
    let name = match e.name {
        super::Name::QueryString => "",
        _ => e.parameter().unwrap_or(""),
    };
    let [q0, q1, q2, q3] = [0, 1, 2, 3].map(|i| e.quoted(i));
    match e.reason {
        Reason::None => Ok(()),
        Reason::QueryTooLong { bytes } => {
            write!(
                f,
                "query string is {bytes} bytes, more than {QUERY_MAX_BYTES}"
            )
        }
        Reason::TooManyParameters => write!(
            f,
            "more than {MAX_UNKNOWN_PARAMETERS} parameters this API does not read"
        ),
        Reason::Duplicate => write!(f, "parameter \"{name}\" is given more than once"),
        Reason::BadName(fault) => write!(f, "parameter name: {fault}"),
        Reason::BadValue(fault) => write!(f, "{name}: {fault}"),
        Reason::PairTooLong => write!(f, "{}", DecodeFault::TooLong),
        Reason::OtherAction => write!(
            f,
            "Action \"{q0}\" is not implemented; this API is {ACTION}"
        ),
        Reason::Required => write!(f, "{name} is required"),
        Reason::Text(fault) => write!(f, "{name} {}", text_fault(fault)),
        Reason::ClientToken(fault) => write!(
            f,
            "{name} {} (1 to 64 printable ASCII characters, no space)",
            text_fault(fault)
        ),
        Reason::Protocol => write!(
            f,
            "{name} \"{q0}\" is not tcp, udp, icmp, gre, all or icmpv6"
        ),
        Reason::PortRange { protocol, error } => {
            write!(f, "{name} \"{q0}\" for {protocol}: {error}")
        }
        Reason::NicTypeEmpty => write!(f, "{name} is empty"),
        Reason::NicType => write!(f, "{name} \"{q0}\" is neither internet nor intranet"),
        Reason::Policy => write!(f, "{name} \"{q0}\" is neither accept nor drop"),
        Reason::Priority(error) => write!(f, "{name} \"{q0}\": {error}"),
        Reason::DescriptionTooLong { chars } => {
            write!(f, "{name} has {chars} characters, more than 512")
        }
        Reason::BothFamilies => {
            // `Permissions.1.DestCidrIp` pairs with `Permissions.1.Ipv6DestCidrIp`.
            let (list, field) = name.rsplit_once('.').map_or(("", name), |(l, f)| (l, f));
            let dot = if list.is_empty() { "" } else { "." };
            write!(
                f,
                "{name} and {list}{dot}Ipv6{field} are both given; give one"
            )
        }
        Reason::DestCidr(error) => write!(f, "{name} \"{q0}\": {error}"),
        Reason::SourceCidr(error) => {
            write!(f, "{name} \"{q0}\" is not an IPv4 address or CIDR: {error}")
        }
        Reason::Ipv6Cidr(error) => {
            write!(f, "{name} \"{q0}\" is not an IPv6 address or CIDR: {error}")
        }
        Reason::IcmpWithIpv6 => write!(
            f,
            "IpProtocol icmp is IPv4-only but {name} is an IPv6 address; use icmpv6"
        ),
        Reason::Icmpv6WithIpv4 => write!(
            f,
            "IpProtocol icmpv6 is IPv6-only but {name} is an IPv4 address; use icmp"
        ),
        Reason::Ipv4DestIpv6Source => {
            f.write_str("DestCidrIp is IPv4 but Ipv6SourceCidrIp is IPv6")
        }
        Reason::Ipv6DestIpv4Source => {
            f.write_str("Ipv6DestCidrIp is IPv6 but SourceCidrIp is IPv4")
        }
        Reason::NoDestination => f.write_str(
            "none of DestCidrIp, Ipv6DestCidrIp, DestGroupId, DestPrefixListId is given",
        ),
        Reason::OwnerId => write!(f, "{name} \"{q0}\" is not a decimal account id"),
        Reason::ActionNotFound => write!(f, "{name} \"{q0}\" is not an action of this API"),
        Reason::ActionDiffers(given) => write!(
            f,
            "{name} \"{q0}\" differs from the action given beside the parameters, {given}"
        ),
        Reason::Version => write!(f, "{name} \"{q0}\" is not {API_VERSION}"),
        Reason::MixedForms => f.write_str(
            "Permissions.N parameters and the flat rule fields are both given; give one form",
        ),
        Reason::BadIndex => write!(
            f,
            "\"{q0}\": N must be a decimal from 1 to 100 without leading zeros"
        ),
        Reason::IdsWithPermissions => f.write_str(
            "SecurityGroupRuleId.N and permissions are both given; revoke by one or the other",
        ),
        Reason::RuleIdShape => write!(
            f,
            "{name} \"{q0}\" is not sgr- followed by 1 to 64 letters or digits"
        ),
        Reason::RuleIdRepeated => write!(f, "{name} \"{q0}\" is given twice"),
        Reason::NoSuchRuleId => write!(f, "{name} \"{q0}\" is no egress rule of the group"),
        Reason::PrefixListId => write!(
            f,
            "{name} \"{q0}\" is not pl- followed by 1 to 64 letters or digits"
        ),
        Reason::DuplicatePermissions { first, second } => {
            write!(f, "{first} and {second} have the same key")
        }
        Reason::Direction => write!(f, "{name} \"{q0}\" is not egress, ingress or all"),
        Reason::MaxResults => write!(f, "{name} \"{q0}\" is not an integer from 10 to 1000"),
        Reason::NextToken => write!(
            f,
            "{name} \"{q0}\" was not given by a previous page of this group and these filters"
        ),
        Reason::GroupNeedsIntranet => {
            f.write_str("a group destination needs NicType intranet, not internet")
        }
        Reason::SameGroup => write!(f, "DestGroupId {q0} is the group itself"),
        Reason::NoSuchGroup => write!(f, "no group {q0} in region {q1}"),
        Reason::OwnerAccount => write!(f, "group {q0} is not owned by account {q1}"),
        Reason::OwnerAccountId(id) => write!(f, "group {q0} is not owned by account id {id}"),
        Reason::VpcMismatch => write!(f, "{q0} is in {q1} but {q2} is in {q3}"),
        Reason::ClassicLinkOff => write!(f, "{q0} is classic but {q1} has ClassicLink off"),
        Reason::ClassicWithoutLink => {
            write!(f, "{q0} is classic but {q1} is in {q2} without ClassicLink")
        }
        Reason::OtherNic { other, asked } => {
            write!(f, "the rule is on the {other} NIC, not {asked}")
        }
        Reason::NoRuleWithKey { .. } => match e.near_miss() {
            Some(near) => write!(f, "no egress rule of {q0} has this key; {near}"),
            None => Ok(()),
        },
        Reason::NoRules => write!(f, "group {q0} has no egress rules"),
        Reason::Store(error) => write!(f, "{error}"),
        Reason::NoSuchPrefixList => write!(f, "{name} {q0} is not among the state's PrefixLists"),
        Reason::GroupRuleLimit { limit } => write!(
            f,
            "the group would hold more than {limit} egress rules with a group destination"
        ),
        Reason::RuleQuota { quota } => {
            write!(f, "the group would hold more than {quota} egress rules")
        }
        Reason::RuleIdsExhausted => f.write_str("every new rule id drawn was already in use"),
        Reason::NoRuleToRevoke => f.write_str("no egress rule of the group has this key"),
        Reason::OpaqueRule => f.write_str(
            "the rule is held as read (a protocol number or a port range list): only its Description can change",
        ),
        Reason::KindChange => f.write_str(
            "the destination's kind, or the source's address family, differs from the rule's",
        ),
        Reason::NicChange { from, to } => write!(f, "the rule is on the {from} NIC, not {to}"),
        Reason::MergedPorts { protocol } => {
            write!(f, "{name} of the rule does not fit protocol {protocol}")
        }
        Reason::DuplicatesRule => {
            write!(f, "The rule being modified would duplicate rule {q0}")
        }
    }
}
