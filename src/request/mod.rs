//! Requests: decoding (step 1), validation (step 2), and the typed
//! [`ModifyEgressRequest`] they produce.

mod encode;
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
pub use param::Param;
pub use query::{MAX_UNKNOWN_PARAMETERS, QUERY_MAX_BYTES, QUERY_STRING, VALUE_MAX_BYTES};

/// The `Action` this crate implements.
pub const ACTION: &str = "ModifySecurityGroupEgressRule";

/// Where an egress rule sends traffic: an IPv4 block, an IPv6 block, or
/// another security group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Destination<'a> {
    /// `DestCidrIp`.
    Ipv4(Ipv4Cidr),
    /// `Ipv6DestCidrIp`.
    Ipv6(Ipv6Cidr),
    /// `DestGroupId`, with the owner fields that serve the ownership check.
    Group(GroupDestination<'a>),
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
/// out (or given empty) as `None`. Read by one function
/// (`validate::read_permission`) from a lookup of its fields, so that the
/// flat form of Modify and the `Permissions.N.<field>` form share it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Permission<'a> {
    pub(crate) protocol: IpProtocol,
    pub(crate) port_range: PortRange,
    pub(crate) source_port_range: Option<PortRange>,
    pub(crate) nic_type: Option<NicType>,
    pub(crate) policy: Policy,
    pub(crate) priority: Option<Priority>,
    pub(crate) description: Option<&'a str>,
    pub(crate) destination: Destination<'a>,
    pub(crate) source: Option<Source>,
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

// The texts a request keeps fit the parser's buffer once the checks are
// done with it.
const _: () = assert!(
    4 * ID_MAX_BYTES + CLIENT_TOKEN_MAX + DESCRIPTION_MAX_BYTES <= RequestParser::BUFFER_BYTES
);
// Small enough to return by value, and a parser that is its buffer.
const _: () = assert!(core::mem::size_of::<ModifyEgressRequest<'_>>() <= 320);
const _: () = assert!(core::mem::size_of::<RequestParser>() <= 1024 + RequestParser::BUFFER_BYTES);

impl<'a> ModifyEgressRequest<'a> {
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
    /// `DestGroupId` (a group given beside a CIDR is ignored).
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
}

/// Parses query strings into [`ModifyEgressRequest`]s, decoding
/// percent-encoded text into a buffer it owns
/// ([`BUFFER_BYTES`](Self::BUFFER_BYTES)): make one and reuse it. A
/// request borrows the query and the parser until it is dropped.
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
}

impl Default for RequestParser {
    fn default() -> Self {
        Self::new()
    }
}

impl core::fmt::Debug for RequestParser {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The buffer holds nothing of use between requests.
        f.debug_struct("RequestParser").finish_non_exhaustive()
    }
}

impl RequestParser {
    /// The size of the decode buffer: the longest decoded value (4 KiB),
    /// looked at while checking, which also holds every decoded text a
    /// request keeps (ids, token and description: 2,624 bytes at most),
    /// decoded again once every check has passed.
    pub const BUFFER_BYTES: usize = VALUE_MAX_BYTES;

    /// A parser with an empty buffer.
    pub const fn new() -> RequestParser {
        RequestParser {
            buffer: [0; RequestParser::BUFFER_BYTES],
        }
    }

    /// Decodes and validates an RPC query string, as text or bytes (SPEC
    /// §2–§4, in the order of §6 steps 1–2). An `https://ecs.aliyuncs.com/?`
    /// prefix and the API page's `&<公共请求参数>` placeholder are
    /// tolerated.
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
}
