//! The egress-rule lifecycle (SPEC §12): every action on one store.
//!
//! [`execute`] takes a parsed [`Request`] (from
//! [`RequestParser::parse_request`](crate::request::RequestParser::parse_request))
//! and applies it to a [`GroupStore`] atomically: on any error the store is
//! as before. What the library cannot know on its own comes in an [`Env`]:
//! the quota, the time for `CreateTime`, a source of new rule ids (the
//! library has no randomness), the `ClientToken` memory and which prefix
//! lists exist. [`write_describe`] writes a `DescribeSecurityGroupAttribute`
//! body; the other actions' bodies are [`Response`](crate::Response)s.
//!
//! ```
//! use aliyun_sg_egress::lifecycle::{self, Env};
//! use aliyun_sg_egress::model::{GroupInfo, Network};
//! use aliyun_sg_egress::request::{Action, Request, RequestParser};
//! use aliyun_sg_egress::store::{BoundedStore, GroupStore, Tokens};
//! use aliyun_sg_egress::text::{GroupId, RegionId, VpcId};
//! use aliyun_sg_egress::{Format, RequestId};
//!
//! let mut store: BoundedStore<2, 16, 1024> = BoundedStore::new();
//! let vpc = Network::Vpc { id: VpcId::parse("vpc-1")?, classic_link: false };
//! store.add_group(GroupInfo::new(GroupId::parse("sg-1")?, RegionId::parse("cn-hangzhou")?, vpc)).unwrap();
//!
//! let mut tokens = Tokens::new();
//! let mut n = 0u8;
//! let mut next_id = || { n += 1; [b'a' + n % 26; 20] };
//! let mut env = Env::new("2026-12-02T06:00:00Z", &mut next_id).with_tokens(&mut tokens);
//!
//! let mut parser = RequestParser::new();
//! let request = parser.parse_request(
//!     Some(Action::Authorize),
//!     "RegionId=cn-hangzhou&SecurityGroupId=sg-1\
//!      &Permissions.1.IpProtocol=tcp&Permissions.1.PortRange=443/443&Permissions.1.DestCidrIp=10.0.0.0/8\
//!      &Permissions.2.IpProtocol=udp&Permissions.2.PortRange=53/53&Permissions.2.DestCidrIp=10.0.0.2",
//! )?;
//! assert!(lifecycle::execute(&mut store, &mut env, &request)?.changed);
//!
//! let describe = parser.parse_request(
//!     Some(Action::Describe),
//!     "RegionId=cn-hangzhou&SecurityGroupId=sg-1&Direction=egress",
//! )?;
//! let Request::Describe(describe) = describe else { unreachable!() };
//! let mut body = String::new();
//! lifecycle::write_describe(&store, &describe, Format::Json, RequestId::from_u128(1), &mut body)?;
//! assert!(body.contains(r#""SecurityGroupRuleId":"sgr-bbbbbbbbbbbbbbbbbbbb","Direction":"egress","IpProtocol":"TCP","PortRange":"443/443""#));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Decisions SPEC leaves open
//!
//! - The `ClientToken` fingerprint is [`Request::fingerprint`], a 64-bit
//!   hash; two different requests colliding on one token is a 2⁻⁶⁴
//!   chance, accepted.
//! - [`write_describe`] shows what a [`GroupStore`] holds: the group's id,
//!   region and VPC, and its egress rules with every field in Describe's
//!   order (a store keeps no ingress rules, so `Direction=ingress` lists
//!   none). A state file's own Describe,
//!   `state::State::write_describe`
//!   (feature `serde`), shows the group and its rules as the dump has them,
//!   ingress rules included: that is what the CLI and the server answer.
//! - `InvalidOperation.RuleDuplicate` names the rule it duplicates by its
//!   `SecurityGroupRuleId` (or by its position when it has none).
//! - A store that fails while an action is half applied (only an
//!   embedder's store can: the crate's own check room first) gets the
//!   applied part undone and the action answers `InternalError`.

mod authorize;
pub(crate) mod describe;
mod modify;
mod revoke;

use crate::error::{ApiError, Cause, Reason};
use crate::model::GroupInfo;
use crate::request::{Action, Destination, Param, Permission, PermissionsRequest, Request};
use crate::store::{GroupHandle, GroupStore, Tokens};

pub use describe::write_describe;

/// The egress rules a group may hold unless the embedder says otherwise
/// (SPEC §12.3).
pub const DEFAULT_RULE_QUOTA: usize = 200;

/// The egress rules with a group destination a group may hold (SPEC §12.3).
pub const GROUP_RULE_LIMIT: usize = 20;

/// How often a new rule id that is already in use is drawn again before
/// the action gives up with `InternalError` (SPEC §12.9).
const ID_ATTEMPTS: usize = 16;

/// What an action needs from its caller besides the store.
pub struct Env<'e> {
    /// The egress rules a group may hold (§12.3); ingress rules do not count.
    pub rule_quota: usize,
    /// `CreateTime` of new rules: UTC as `YYYY-MM-DDThh:mm:ssZ`.
    pub now: &'e str,
    /// New rule ids: 20 characters of `[a-z0-9]`, put after `sgr-`. Asked
    /// again when an id is in use or not of that shape.
    pub rule_ids: &'e mut dyn FnMut() -> [u8; 20],
    /// The `ClientToken` memory (§12.7); `None`: tokens are not remembered.
    pub tokens: Option<&'e mut Tokens>,
    /// Which prefix lists exist (§12.2); `None`: every one does.
    pub prefix_lists: Option<&'e dyn Fn(&str) -> bool>,
}

impl<'e> Env<'e> {
    /// An environment with the default quota, no token memory, and every
    /// prefix list taken to exist.
    pub fn new(now: &'e str, rule_ids: &'e mut dyn FnMut() -> [u8; 20]) -> Env<'e> {
        Env {
            rule_quota: DEFAULT_RULE_QUOTA,
            now,
            rule_ids,
            tokens: None,
            prefix_lists: None,
        }
    }

    /// Remembers `ClientToken`s in `tokens`.
    pub fn with_tokens(mut self, tokens: &'e mut Tokens) -> Env<'e> {
        self.tokens = Some(tokens);
        self
    }
}

/// A successful action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Done {
    /// The action.
    pub action: Action,
    /// Whether the store changed (an already granted permission, a repeated
    /// token or an unchanged description change nothing).
    pub changed: bool,
}

/// Applies a request to the store (SPEC §12), atomically.
///
/// Describe changes nothing here: its body is [`write_describe`]'s.
///
/// # Errors
///
/// The API's error for the first fault, in §12's order; the store is then
/// unchanged.
pub fn execute<S: GroupStore + ?Sized>(
    store: &mut S,
    env: &mut Env<'_>,
    request: &Request<'_>,
) -> Result<Done, ApiError> {
    let action = request.action();
    let remembered = match (request.client_token(), env.tokens.as_deref()) {
        (Some(token), Some(tokens)) => {
            let fingerprint = request.fingerprint();
            match tokens.get(token) {
                Some(seen) if seen == fingerprint => {
                    return Ok(Done {
                        action,
                        changed: false,
                    });
                }
                Some(_) => {
                    return Err(ApiError::new(Cause::IdempotentParameterMismatch)
                        .with_parameter(Param::ClientToken));
                }
                None => Some((token, fingerprint)),
            }
        }
        _ => None,
    };
    let changed = match request {
        Request::Modify(r) => modify::by_parameters(store, env, r)?,
        Request::ModifyById(r) => modify::by_id(store, env, r)?,
        Request::Authorize(r) => authorize::authorize(store, env, r)?,
        Request::Revoke(r) => revoke::revoke(store, env, r)?,
        Request::Describe(r) => {
            describe::check(store, r)?;
            false
        }
    };
    if let (Some((token, fingerprint)), Some(tokens)) = (remembered, env.tokens.as_deref_mut()) {
        // A token the memory cannot hold (over 64 bytes) is not one the
        // parser accepts.
        let _ = tokens.remember(token, fingerprint);
    }
    Ok(Done { action, changed })
}

/// The request's group, in its region (§6 step 3).
fn group<'s, S: GroupStore + ?Sized>(
    store: &'s S,
    region: &str,
    id: &str,
) -> Result<(GroupHandle, &'s GroupInfo), ApiError> {
    store
        .group(id)
        .filter(|(_, info)| info.region == *region)
        .ok_or_else(|| {
            ApiError::new(Cause::InvalidSecurityGroupIdNotFound)
                .because(Reason::NoSuchGroup)
                .quoting(&[id, region])
        })
}

/// An `InternalError` for a store that failed mid-action.
fn store_failed(e: crate::store::StoreError) -> ApiError {
    ApiError::new(Cause::InternalError).because(Reason::Store(e))
}

/// §12.2 step 5 for one permission: §5's checks on a group destination,
/// and a prefix list's.
fn check_destination<S: GroupStore + ?Sized>(
    store: &S,
    env: &Env<'_>,
    (group_id, region): (&str, &str),
    info: &GroupInfo,
    permission: &Permission<'_>,
) -> Result<(), ApiError> {
    match &permission.destination {
        Destination::Group(dest) => crate::matcher::check_destination_group(
            store,
            permission.nic_type,
            (group_id, region),
            info,
            dest,
        ),
        Destination::PrefixList(id) => check_prefix_list(env, info, id),
        Destination::Ipv4(_) | Destination::Ipv6(_) => Ok(()),
    }
}

/// A prefix-list destination: VPC groups only, and a list that exists.
fn check_prefix_list(env: &Env<'_>, info: &GroupInfo, id: &str) -> Result<(), ApiError> {
    if !info.network.is_vpc() {
        return Err(ApiError::new(Cause::NotSupportedClassicNetworkPrefixList)
            .with_parameter(Param::DestPrefixListId));
    }
    if env.prefix_lists.is_some_and(|exists| !exists(id)) {
        return Err(ApiError::new(Cause::InvalidPrefixListIdNotFound)
            .with_parameter(Param::DestPrefixListId)
            .because(Reason::NoSuchPrefixList)
            .quoting(&[id]));
    }
    Ok(())
}

/// §12.2 step 6, with the NIC type as this group reads it.
fn duplicates(request: &PermissionsRequest<'_>, info: &GroupInfo) -> Result<(), ApiError> {
    request.first_duplicate(info.network.is_vpc())
}
