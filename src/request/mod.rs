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
use crate::text::{AccountId, AccountName, ClientToken, Description, GroupId, RegionId};

pub use param::Param;
pub use query::{MAX_UNKNOWN_PARAMETERS, QUERY_MAX_BYTES, QUERY_STRING, VALUE_MAX_BYTES};

/// The `Action` this crate implements.
pub const ACTION: &str = "ModifySecurityGroupEgressRule";

/// Where an egress rule sends traffic: an IPv4 block, an IPv6 block, or
/// another security group.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Destination {
    /// `DestCidrIp`.
    Ipv4(Ipv4Cidr),
    /// `Ipv6DestCidrIp`.
    Ipv6(Ipv6Cidr),
    /// `DestGroupId`, with the owner fields that serve the ownership check.
    Group(GroupDestination),
}

/// A security group named as a destination.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GroupDestination {
    /// `DestGroupId`.
    pub id: GroupId,
    /// `DestGroupOwnerAccount`, if given.
    pub owner_account: Option<AccountName>,
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

impl Destination {
    /// Whether the destination is an IPv6 block.
    pub const fn is_ipv6(&self) -> bool {
        matches!(self, Destination::Ipv6(_))
    }

    /// Whether the destination is an IPv4 block.
    pub const fn is_ipv4(&self) -> bool {
        matches!(self, Destination::Ipv4(_))
    }
}

impl Source {
    /// Whether the source is an IPv6 block.
    pub const fn is_ipv6(&self) -> bool {
        matches!(self, Source::Ipv6(_))
    }
}

/// A validated `ModifySecurityGroupEgressRule` request: every value typed,
/// defaults applied (`Policy` accept), and the optional fields that were
/// left out (or given empty) set to `None`.
///
/// Build one with [`ModifyEgressRequest::from_query`] or
/// [`ModifyEgressRequest::from_pairs`]; neither allocates.
///
/// ```
/// use aliyun_sg_egress::{ModifyEgressRequest, IpProtocol, Policy};
/// let req = ModifyEgressRequest::from_query(
///     "RegionId=cn-hangzhou&SecurityGroupId=sg-1&IpProtocol=TCP&PortRange=80/80\
///      &DestCidrIp=10.0.0.0/8&Description=web%20servers",
/// )
/// .unwrap();
/// assert_eq!(req.protocol(), IpProtocol::Tcp);
/// assert_eq!(req.policy(), Policy::Accept);
/// assert_eq!(req.description().map(|d| d.as_str()), Some("web servers"));
///
/// let err = ModifyEgressRequest::from_query("RegionId=cn-hangzhou").unwrap_err();
/// assert_eq!((err.status(), err.code()), (400, "MissingParameter"));
/// assert_eq!(err.parameter(), Some("SecurityGroupId"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModifyEgressRequest {
    region_id: RegionId,
    security_group_id: GroupId,
    protocol: IpProtocol,
    port_range: PortRange,
    source_port_range: Option<PortRange>,
    nic_type: Option<NicType>,
    policy: Policy,
    priority: Option<Priority>,
    // Text is kept inline with a flag rather than in an `Option`, so that a
    // request parsed in place is filled without moving kilobytes; an absent
    // text is always cleared, which keeps the derived `PartialEq` exact.
    description: Description,
    has_description: bool,
    client_token: ClientToken,
    has_client_token: bool,
    destination: Destination,
    source: Option<Source>,
    hints: Hints,
}

impl ModifyEgressRequest {
    /// Decodes and validates an RPC query string (SPEC §2–§4, in the order
    /// of §6 steps 1–2). An `https://ecs.aliyuncs.com/?` prefix and the API
    /// page's `&<公共请求参数>` placeholder are tolerated.
    ///
    /// # Errors
    ///
    /// The API error for the first fault in SPEC order.
    pub fn from_query(query: impl AsRef<[u8]>) -> Result<ModifyEgressRequest, ApiError> {
        let mut parser = RequestParser::new();
        parser.parse(query)?;
        Ok(parser.request)
    }

    /// Validates already decoded `(name, value)` pairs, as a web framework
    /// hands them over. The same checks as [`Self::from_query`] apply,
    /// except percent-decoding.
    ///
    /// # Errors
    ///
    /// The API error for the first fault in SPEC order.
    pub fn from_pairs<'a, I>(pairs: I) -> Result<ModifyEgressRequest, ApiError>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
        I::IntoIter: Clone,
    {
        let mut parser = RequestParser::new();
        parser.parse_pairs(pairs)?;
        Ok(parser.request)
    }

    /// A request with no values, to be filled in place by a parser.
    const fn blank() -> ModifyEgressRequest {
        ModifyEgressRequest {
            region_id: RegionId::blank(),
            security_group_id: GroupId::blank(),
            protocol: IpProtocol::All,
            port_range: PortRange::ANY,
            source_port_range: None,
            nic_type: None,
            policy: Policy::Accept,
            priority: None,
            description: Description::blank(),
            has_description: false,
            client_token: ClientToken::blank(),
            has_client_token: false,
            destination: Destination::Ipv4(Ipv4Cidr::from_addr(core::net::Ipv4Addr::UNSPECIFIED)),
            source: None,
            hints: Hints::NONE,
        }
    }

    /// `RegionId`.
    pub fn region_id(&self) -> &RegionId {
        &self.region_id
    }

    /// `SecurityGroupId`.
    pub fn security_group_id(&self) -> &GroupId {
        &self.security_group_id
    }

    /// `IpProtocol`.
    pub const fn protocol(&self) -> IpProtocol {
        self.protocol
    }

    /// `PortRange`, valid for the protocol.
    pub const fn port_range(&self) -> PortRange {
        self.port_range
    }

    /// `SourcePortRange`, if given.
    pub const fn source_port_range(&self) -> Option<PortRange> {
        self.source_port_range
    }

    /// `NicType` as written, if given; the group decides the default
    /// (see [`NicType::default_for`]).
    pub const fn nic_type(&self) -> Option<NicType> {
        self.nic_type
    }

    /// `Policy`, `accept` when left out.
    pub const fn policy(&self) -> Policy {
        self.policy
    }

    /// `Priority`, if given (then the rule found must have it).
    pub const fn priority(&self) -> Option<Priority> {
        self.priority
    }

    /// `Description`: `None` when left out (nothing to change), an empty
    /// description to clear it.
    pub fn description(&self) -> Option<&Description> {
        self.has_description.then_some(&self.description)
    }

    /// `ClientToken`, if given.
    pub fn client_token(&self) -> Option<&ClientToken> {
        self.has_client_token.then_some(&self.client_token)
    }

    /// The destination: `DestCidrIp`, else `Ipv6DestCidrIp`, else
    /// `DestGroupId` (a group given beside a CIDR is ignored).
    pub fn destination(&self) -> &Destination {
        &self.destination
    }

    /// The source address, if given.
    pub const fn source(&self) -> Option<Source> {
        self.source
    }

    /// Hints earned while reading the request (ingress-only parameters
    /// that were ignored).
    pub const fn hints(&self) -> Hints {
        self.hints
    }
}

/// Parses requests into one request buffer, in place: the way to validate
/// many requests without moving a multi-KiB request for each (a gateway's
/// hot path). [`ModifyEgressRequest::from_query`] is this, plus one move.
///
/// ```
/// use aliyun_sg_egress::RequestParser;
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
#[derive(Clone, Debug)]
pub struct RequestParser {
    scratch: query::Scratch,
    request: ModifyEgressRequest,
}

impl Default for RequestParser {
    fn default() -> Self {
        Self::new()
    }
}

impl RequestParser {
    /// A parser with an empty buffer.
    pub const fn new() -> RequestParser {
        RequestParser {
            scratch: query::Scratch::new(),
            request: ModifyEgressRequest::blank(),
        }
    }

    /// Decodes and validates a query string, as
    /// [`ModifyEgressRequest::from_query`], into the parser's buffer.
    ///
    /// # Errors
    ///
    /// The API error for the first fault in SPEC order.
    pub fn parse(&mut self, query: impl AsRef<[u8]>) -> Result<&ModifyEgressRequest, ApiError> {
        self.parse_known(query.as_ref(), None)
    }

    /// Decodes and validates a query string held as text, as
    /// [`RequestParser::parse`], without checking again that it is UTF-8:
    /// a caller with a `&str` (an HTTP framework's query string, a line of
    /// a file checked as a whole) has paid for that once.
    ///
    /// ```
    /// use aliyun_sg_egress::RequestParser;
    /// let mut parser = RequestParser::new();
    /// let query = "RegionId=cn-hangzhou&SecurityGroupId=sg-1&IpProtocol=tcp&PortRange=22/22&DestCidrIp=10.0.0.1";
    /// assert_eq!(parser.parse_str(query)?.port_range(), parser.parse(query)?.port_range());
    /// # Ok::<(), aliyun_sg_egress::ApiError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The API error for the first fault in SPEC order, as
    /// [`RequestParser::parse`] gives it for the same bytes.
    pub fn parse_str(&mut self, query: &str) -> Result<&ModifyEgressRequest, ApiError> {
        self.parse_known(query.as_bytes(), Some(query))
    }

    /// `query`, and the same bytes as text when the caller knows them to be
    /// UTF-8.
    fn parse_known(
        &mut self,
        query: &[u8],
        text: Option<&str>,
    ) -> Result<&ModifyEgressRequest, ApiError> {
        let mut collected = query::Collected::new();
        query::collect_query(query, text, &mut self.scratch, &mut collected)?;
        validate::validate(&collected, &mut self.scratch, &mut self.request)
    }

    /// Validates decoded pairs, as [`ModifyEgressRequest::from_pairs`], into
    /// the parser's buffer.
    ///
    /// # Errors
    ///
    /// The API error for the first fault in SPEC order.
    pub fn parse_pairs<'a, I>(&mut self, pairs: I) -> Result<&ModifyEgressRequest, ApiError>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
        I::IntoIter: Clone,
    {
        let mut collected = query::Collected::new();
        query::collect_pairs(pairs, &mut collected)?;
        validate::validate(&collected, &mut self.scratch, &mut self.request)
    }
}
