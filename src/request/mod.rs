//! Requests: decoding (step 1), validation (step 2), and the typed
//! requests they produce: [`ModifyEgressRequest`] from
//! [`RequestParser::parse`], and every action of the egress-rule lifecycle
//! (SPEC §12) as a [`Request`] from [`RequestParser::parse_request`].
//!
//! # Decisions beyond SPEC
//!
//! - Storage: a parser holds a decode buffer as large as the longest query
//!   (64 KiB) and the table of the list forms (`Permissions.N`,
//!   `SecurityGroupRuleId.N`), about 85 KiB in all: make one and reuse it
//!   (on a small target, as a `static`). Decoding never lengthens text, so
//!   every decoded text one request keeps (up to 100 permissions with
//!   descriptions and ids) fits the buffer, and no request ever fails for
//!   lack of room. The list requests hold the query and the parser's
//!   tables by reference and hand out each permission or rule id as it is
//!   read, so they stay a few words whatever the number of permissions.
//! - A parameter whose name starts with `Permissions.` or
//!   `SecurityGroupRuleId.` and whose `N` is valid is not one of the 128
//!   unknown parameters a request may carry (SPEC §2's duplicate check
//!   reaches it through the table); an unknown field inside a permission
//!   (`Permissions.1.Foo`) is. Modify and Describe ignore the list forms
//!   (their names are read and checked for duplicates like any other).
//! - A bad `N` (`Permissions.01.IpProtocol`, `Permissions.x`,
//!   `SecurityGroupRuleId.0`) is reported with the first such name as the
//!   error's parameter; `Permissions.1` with no field is an unknown
//!   parameter with a valid `N`. An ingress-only field inside a permission
//!   (`Permissions.1.SourceGroupId`) earns its hint as the flat name does.
//! - Revoke counts as "by ids" when any `SecurityGroupRuleId.*` name is
//!   given non-empty, or with a bad `N`; a flat `SecurityGroupRuleId` is
//!   Modify's and is ignored by Revoke.
//! - Duplicate permissions (SPEC §12.2 step 6) need each permission's key,
//!   whose `NicType` depends on the group's network (§5): the executor
//!   checks them once it has the group, with
//!   [`PermissionsRequest::first_duplicate`].
//! - Modify by rule id checks `PortRange` and `SourcePortRange` against
//!   `IpProtocol` when the request gives the protocol, else for their
//!   grammar only, and keeps their text
//!   ([`PermissionPatch::port_ranges_for`] reads them for the merged
//!   rule's protocol); §4's family checks run on what the request gives,
//!   [`check_families`] on the merged rule. A patch's destination follows
//!   §12.2's precedence; owner fields without `DestGroupId` give none.
//! - Describe's `MaxResults` is ASCII digits (leading zeros allowed) worth
//!   10 to 1000.
//! - Errors inside permission `N` carry the whole indexed name in the
//!   40 bytes an error quotes: it is kept whole, and a value the detail
//!   quotes gets what is left (cut with `…`).
//! - [`Request::fingerprint`] leaves out the numbers of `Permissions.N`
//!   (only their order counts) and hashes with a fixed seed: the same on
//!   every run of one build, as an in-memory token store needs.

mod action;
mod encode;
mod forms;
mod lifecycle;
mod param;
mod query;
mod validate;

use crate::cidr::{Ipv4Cidr, Ipv6Cidr};
use crate::error::{ApiError, Hints};
use crate::nic::NicType;
use crate::policy::Policy;
use crate::port::PortRange;
use crate::priority::Priority;
use crate::protocol::IpProtocol;
use crate::text::{AccountId, CLIENT_TOKEN_MAX, DESCRIPTION_MAX_BYTES, ID_MAX_BYTES};

pub use crate::matcher::request_key;
pub use action::Action;
pub use forms::{
    DescribeRequest, Direction, ModifyByIdRequest, NicTypeFilter, PermissionName, PermissionPatch,
    Permissions, PermissionsRequest, Request, RevokeRequest, RuleIds, RuleIdsRequest,
    check_families,
};
pub use param::Param;
pub use query::{MAX_UNKNOWN_PARAMETERS, QUERY_MAX_BYTES, QUERY_STRING, VALUE_MAX_BYTES};

/// The `Action` [`RequestParser::parse`] reads.
pub const ACTION: &str = "ModifySecurityGroupEgressRule";

/// The only `Version` the API answers (SPEC §12.9).
pub const API_VERSION: &str = "2014-05-26";

/// Where an egress rule sends traffic: an IPv4 block, an IPv6 block,
/// another security group, or a prefix list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Destination<'a> {
    /// `DestCidrIp`.
    Ipv4(Ipv4Cidr),
    /// `Ipv6DestCidrIp`.
    Ipv6(Ipv6Cidr),
    /// `DestGroupId`, with the owner fields that serve the ownership check.
    Group(GroupDestination<'a>),
    /// `DestPrefixListId` (`pl-` and 1 to 64 letters or digits), as written.
    PrefixList(&'a str),
}

/// A security group named as a destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GroupDestination<'a> {
    /// `DestGroupId` (1 to 128 bytes).
    pub id: &'a str,
    /// `DestGroupOwnerAccount` (1 to 128 bytes), if given.
    pub owner_account: Option<&'a str>,
    /// `DestGroupOwnerId`, if given.
    pub owner_id: Option<AccountId>,
}

/// The source address of an egress rule (`SourceCidrIp` or
/// `Ipv6SourceCidrIp`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// `SourceCidrIp`.
    Ipv4(Ipv4Cidr),
    /// `Ipv6SourceCidrIp`.
    Ipv6(Ipv6Cidr),
}

/// One rule's fields as a request gives them (SPEC §12.2's *permission*):
/// every value typed, `Policy` defaulted to accept, optional fields left
/// out (or given empty) as `None`. Read by one function from a lookup of
/// its fields, so that the flat form and the `Permissions.N.<field>` form
/// share it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Permission<'a> {
    /// `IpProtocol`.
    pub protocol: IpProtocol,
    /// `PortRange`, valid for the protocol.
    pub port_range: PortRange,
    /// `SourcePortRange`, if given.
    pub source_port_range: Option<PortRange>,
    /// `NicType` as written, if given (the group decides the default).
    pub nic_type: Option<NicType>,
    /// `Policy`, `accept` when left out.
    pub policy: Policy,
    /// `Priority`, if given.
    pub priority: Option<Priority>,
    /// `Description`: `None` when left out, empty to clear.
    pub description: Option<&'a str>,
    /// The destination, after SPEC §12.2's precedence.
    pub destination: Destination<'a>,
    /// The source address, if given.
    pub source: Option<Source>,
}

/// A validated `ModifySecurityGroupEgressRule` request: `RegionId`,
/// `SecurityGroupId`, `ClientToken` and one rule's fields, every value
/// typed, defaults applied (`Policy` accept), and the optional fields that
/// were left out (or given empty) set to `None`.
///
/// Text borrows the query, or the [`RequestParser`]'s buffer for a value
/// that needed percent-decoding. Build one with [`RequestParser::parse`]
/// (a query string) or [`ModifyEgressRequest::from_pairs`] (decoded pairs);
/// neither allocates.
///
/// ```
/// use aliyun_sg_egress::{IpProtocol, Policy};
/// use aliyun_sg_egress::request::RequestParser;
/// let mut parser = RequestParser::new();
/// let req = parser.parse(
///     "RegionId=cn-hangzhou&SecurityGroupId=sg-1&IpProtocol=TCP&PortRange=80/80\
///      &DestCidrIp=10.0.0.0/8&Description=web%20servers",
/// )?;
/// assert_eq!(req.protocol(), IpProtocol::Tcp);
/// assert_eq!(req.policy(), Policy::Accept);
/// assert_eq!(req.description(), Some("web servers"));
///
/// let err = parser.parse("RegionId=cn-hangzhou").unwrap_err();
/// assert_eq!((err.status(), err.code()), (400, "MissingParameter"));
/// assert_eq!(err.parameter(), Some("SecurityGroupId"));
/// # Ok::<(), aliyun_sg_egress::error::ApiError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModifyEgressRequest<'a> {
    region_id: &'a str,
    security_group_id: &'a str,
    client_token: Option<&'a str>,
    permission: Permission<'a>,
    hints: Hints,
}

// The texts a Modify request keeps fit the parser's buffer beside the
// longest value checked.
const _: () = assert!(
    4 * ID_MAX_BYTES + CLIENT_TOKEN_MAX + DESCRIPTION_MAX_BYTES + VALUE_MAX_BYTES
        <= RequestParser::BUFFER_BYTES
);
// Small enough to return by value; a parser that is its buffer and the
// list tables (`lifecycle::Lists`, about 24 KiB).
const _: () = assert!(core::mem::size_of::<ModifyEgressRequest<'_>>() <= 320);
const _: () = assert!(core::mem::size_of::<Request<'_>>() <= 320);
const _: () =
    assert!(core::mem::size_of::<RequestParser>() <= 32 * 1024 + RequestParser::BUFFER_BYTES);

impl<'a> ModifyEgressRequest<'a> {
    /// The Modify request naming `permission`'s rule in a group: how
    /// Revoke by permissions finds its rules (§12.4).
    pub(crate) const fn naming(
        region_id: &'a str,
        security_group_id: &'a str,
        permission: Permission<'a>,
    ) -> ModifyEgressRequest<'a> {
        ModifyEgressRequest {
            region_id,
            security_group_id,
            client_token: None,
            permission,
            hints: Hints::NONE,
        }
    }

    /// Validates already decoded `(name, value)` pairs, as a web framework
    /// hands them over: the checks of [`RequestParser::parse`] but
    /// percent-decoding, and no buffer needed (the text is borrowed from
    /// the pairs).
    ///
    /// ```
    /// use aliyun_sg_egress::request::ModifyEgressRequest;
    /// let req = ModifyEgressRequest::from_pairs([
    ///     ("RegionId", "cn-hangzhou"),
    ///     ("SecurityGroupId", "sg-1"),
    ///     ("IpProtocol", "tcp"),
    ///     ("PortRange", "22/22"),
    ///     ("DestCidrIp", "10.0.0.1"),
    ///     ("Description", "ssh from the bastion"),
    /// ])?;
    /// assert_eq!(req.description(), Some("ssh from the bastion"));
    /// # Ok::<(), aliyun_sg_egress::error::ApiError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The API error for the first fault in SPEC order.
    pub fn from_pairs<I>(pairs: I) -> Result<ModifyEgressRequest<'a>, ApiError>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
        I::IntoIter: Clone,
    {
        let mut collected = query::Collected::new();
        query::collect_pairs(pairs, &mut collected)?;
        // Pairs are plain text: nothing is ever decoded into the buffer.
        validate::validate(&collected, query::Scratch::new(&mut []))
    }

    /// `RegionId`.
    pub const fn region_id(&self) -> &'a str {
        self.region_id
    }

    /// `SecurityGroupId`.
    pub const fn security_group_id(&self) -> &'a str {
        self.security_group_id
    }

    /// `IpProtocol`.
    pub const fn protocol(&self) -> IpProtocol {
        self.permission.protocol
    }

    /// `PortRange`, valid for the protocol.
    pub const fn port_range(&self) -> PortRange {
        self.permission.port_range
    }

    /// `SourcePortRange`, if given.
    pub const fn source_port_range(&self) -> Option<PortRange> {
        self.permission.source_port_range
    }

    /// `NicType` as written, if given; the group decides the default
    /// (see [`NicType::default_for`]).
    pub const fn nic_type(&self) -> Option<NicType> {
        self.permission.nic_type
    }

    /// `Policy`, `accept` when left out.
    pub const fn policy(&self) -> Policy {
        self.permission.policy
    }

    /// `Priority`, if given (then the rule found must have it).
    pub const fn priority(&self) -> Option<Priority> {
        self.permission.priority
    }

    /// `Description` (0 to 512 characters): `None` when left out (nothing
    /// to change), an empty text to clear it.
    pub const fn description(&self) -> Option<&'a str> {
        self.permission.description
    }

    /// `ClientToken` (1 to 64 printable ASCII characters), if given.
    pub const fn client_token(&self) -> Option<&'a str> {
        self.client_token
    }

    /// The destination: `DestCidrIp`, else `Ipv6DestCidrIp`, else
    /// `DestGroupId`, else `DestPrefixListId` (the others given beside one
    /// are ignored).
    pub const fn destination(&self) -> &Destination<'a> {
        &self.permission.destination
    }

    /// The source address, if given.
    pub const fn source(&self) -> Option<Source> {
        self.permission.source
    }

    /// Hints earned while reading the request (ingress-only parameters
    /// that were ignored).
    pub const fn hints(&self) -> Hints {
        self.hints
    }

    /// The rule's fields.
    pub const fn permission(&self) -> &Permission<'a> {
        &self.permission
    }
}

/// Parses query strings into requests, decoding percent-encoded text into
/// a buffer it owns ([`BUFFER_BYTES`](Self::BUFFER_BYTES)) beside the
/// tables of the list forms: make one and reuse it (it is about 85 KiB;
/// on a small target, a `static`). A request borrows the query and the
/// parser until it is dropped.
///
/// ```
/// use aliyun_sg_egress::request::RequestParser;
/// let mut parser = RequestParser::new();
/// for query in [
///     "RegionId=cn-hangzhou&SecurityGroupId=sg-1&IpProtocol=tcp&PortRange=22/22&DestCidrIp=10.0.0.1",
///     "RegionId=cn-hangzhou&SecurityGroupId=sg-1&IpProtocol=tcp&PortRange=22/22",
/// ] {
///     match parser.parse(query) {
///         Ok(request) => assert_eq!(request.port_range().start(), Some(22)),
///         Err(e) => assert_eq!(e.code(), "MissingParameter.Dest"),
///     }
/// }
/// ```
#[derive(Clone)]
pub struct RequestParser {
    buffer: [u8; RequestParser::BUFFER_BYTES],
    lists: lifecycle::Lists,
}

impl Default for RequestParser {
    fn default() -> Self {
        Self::new()
    }
}

impl core::fmt::Debug for RequestParser {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The buffer and tables hold nothing of use between requests.
        f.debug_struct("RequestParser").finish_non_exhaustive()
    }
}

impl RequestParser {
    /// The size of the decode buffer: the longest query (64 KiB). A value
    /// looked at while checking is at most 4 KiB; the decoded text one
    /// request keeps is never longer than the query it came from, so it
    /// always fits, however many permissions the request carries.
    pub const BUFFER_BYTES: usize = QUERY_MAX_BYTES;

    /// A parser with an empty buffer.
    pub const fn new() -> RequestParser {
        RequestParser {
            buffer: [0; RequestParser::BUFFER_BYTES],
            lists: lifecycle::Lists::new(),
        }
    }

    /// Decodes and validates a `ModifySecurityGroupEgressRule` request
    /// naming its rule by parameters, as text or bytes (SPEC §2–§4, in the
    /// order of §6 steps 1–2). An `https://ecs.aliyuncs.com/?` prefix and
    /// the API page's `&<公共请求参数>` placeholder are tolerated. `Action`
    /// must be that action, or absent.
    ///
    /// # Errors
    ///
    /// The API error for the first fault in SPEC order.
    pub fn parse<'a, Q>(&'a mut self, query: &'a Q) -> Result<ModifyEgressRequest<'a>, ApiError>
    where
        Q: AsRef<[u8]> + ?Sized,
    {
        let mut scratch = query::Scratch::new(&mut self.buffer);
        let mut collected = query::Collected::new();
        query::collect_query(query.as_ref(), &mut scratch, &mut collected)?;
        validate::validate(&collected, scratch)
    }

    /// Decodes and validates a request of any action of the egress-rule
    /// lifecycle (SPEC §12), as far as the parameters alone can tell
    /// (§12.2 steps 1–3; §12.6 and §12.9 for the other actions' orders).
    /// `action` is the action given beside the parameters (such as an
    /// `x-acs-action` header): an `Action` parameter naming no action is
    /// `InvalidAction.NotFound`, one naming another action than `action`
    /// is `InvalidParameter` naming `Action`, and with neither the action
    /// is Modify. `Version`, when given, must be `2014-05-26`.
    ///
    /// ```
    /// use aliyun_sg_egress::request::{Action, Request, RequestParser};
    /// let mut parser = RequestParser::new();
    /// let query = "RegionId=cn-hangzhou&SecurityGroupId=sg-1\
    ///     &Permissions.2.IpProtocol=udp&Permissions.2.PortRange=53/53&Permissions.2.DestCidrIp=10.0.0.2\
    ///     &Permissions.1.IpProtocol=tcp&Permissions.1.PortRange=22/22&Permissions.1.DestCidrIp=10.0.0.1";
    /// let Request::Authorize(req) = parser.parse_request(Some(Action::Authorize), query)? else {
    ///     unreachable!()
    /// };
    /// let ports: Vec<_> = req.permissions().map(|(_, p)| p.port_range.start()).collect();
    /// assert_eq!(ports, [Some(22), Some(53)]);
    ///
    /// let err = parser
    ///     .parse_request(Some(Action::Authorize), "RegionId=r&SecurityGroupId=sg-1&Permissions.1.IpProtocol=tcp&IpProtocol=tcp")
    ///     .unwrap_err();
    /// assert_eq!((err.status(), err.code()), (400, "InvalidParam.Permissions"));
    /// # Ok::<(), aliyun_sg_egress::error::ApiError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The API error for the first fault in SPEC order.
    pub fn parse_request<'a, Q>(
        &'a mut self,
        action: Option<Action>,
        query: &'a Q,
    ) -> Result<Request<'a>, ApiError>
    where
        Q: AsRef<[u8]> + ?Sized,
    {
        lifecycle::parse(action, query.as_ref(), &mut self.buffer, &mut self.lists)
    }
}
