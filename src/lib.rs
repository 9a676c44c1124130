//! Validation and rule matching for Alibaba Cloud ECS
//! [`ModifySecurityGroupEgressRule`](https://api.aliyun.com/#product=Ecs&api=ModifySecurityGroupEgressRule).
//!
//! A request names one outbound rule of a security group by its parameters
//! and changes its description. This crate turns the request (an RPC query
//! string, or decoded name/value pairs) into typed, validated values, and
//! reports every failure as the API's own error: HTTP status, `Code` and
//! `Message`, exactly as the API page documents them.
//!
//! ```
//! use aliyun_sg_egress::request::{Destination, RequestParser};
//!
//! // The API page's example, corrected: `Policy=accept` (the page says
//! // `allow`) and `DestGroupId` (the page says `SourceGroupId`, an ingress
//! // parameter); `RegionId` is required by the parameter table.
//! let mut parser = RequestParser::new();
//! let req = parser.parse(
//!     "https://ecs.aliyuncs.com/?Action=ModifySecurityGroupEgressRule\
//!      &RegionId=cn-hangzhou&SecurityGroupId=sg-F876FF7BA&DestGroupId=sg-1651FBB64\
//!      &DestGroupOwnerAccount=test@aliyun.com&IpProtocol=tcp&PortRange=80/80\
//!      &Policy=accept&Description=Thisisanewsecuritygrouprule.&<公共请求参数>",
//! )?;
//! assert!(matches!(req.destination(), Destination::Group(g) if g.id == "sg-1651FBB64"));
//!
//! // Uncorrected, it fails where the API fails, with a hint.
//! let err = parser.parse(
//!     "RegionId=cn-hangzhou&SecurityGroupId=sg-F876FF7BA&SourceGroupId=sg-1651FBB64\
//!      &IpProtocol=tcp&PortRange=80/80&Policy=allow",
//! )
//! .unwrap_err();
//! assert_eq!((err.status(), err.code()), (400, "InvalidPolicy.Malformed"));
//! assert!(err.hints().to_string().contains("did you mean accept?"));
//! # Ok::<(), aliyun_sg_egress::error::ApiError>(())
//! ```
//!
//! # Layout
//!
//! Each item has one path. At the root: the value types ([`IpProtocol`],
//! [`PortRange`], [`Ipv4Cidr`], [`Ipv6Cidr`], [`NicType`], [`Policy`],
//! [`Priority`]), the matcher ([`identify`], [`modify`], [`Applied`],
//! [`Identified`]) and the bodies ([`Response`], [`Format`],
//! [`RequestId`]). The rest is grouped by role:
//! - [`request`]: [`RequestParser`](request::RequestParser) and the
//!   [`ModifyEgressRequest`](request::ModifyEgressRequest) it returns, the
//!   parameter table ([`Param`](request::Param)) and the query limits;
//! - [`error`]: [`ApiError`](error::ApiError), the catalogue
//!   ([`Cause`](error::Cause)), hints, near misses, and the narrow error of
//!   each value type;
//! - [`lifecycle`]: every action of the egress-rule lifecycle
//!   (Authorize, Revoke, Modify by parameters or rule id, Describe) on a
//!   store, atomically, and Describe's bodies;
//! - [`store`]: the [`GroupStore`](store::GroupStore) trait an embedder
//!   implements over their own storage, and the crate's two stores;
//! - [`model`]: groups and rules as stores hold them;
//! - [`text`]: ids and the other validated text;
//! - `state` (feature `serde`): the `DescribeSecurityGroupAttribute` state
//!   file.
//!
//! Layers, each using only those before it: value types → the error
//! catalogue → requests → model and stores → the matcher → the lifecycle →
//! response bodies.
//!
//! # Decisions beyond the API page
//!
//! The behaviour contract is `SPEC.md`; these are the choices this crate
//! adds where it is silent:
//! - Query strings: the line breaks of the API page's layout just before a
//!   `&` are part of the separator; empty pairs (`&&`) are skipped; a pair
//!   without `=` has an empty value.
//! - At most 128 parameters this crate does not read may come in one
//!   request (more is `InvalidParameter` naming `QueryString`), so that
//!   duplicates among them are found without a heap, by comparing each
//!   with the earlier ones.
//! - A pair with an empty name (`=x`) is one more parameter the API does
//!   not read; its faults (bad escapes, a second empty name) are reported
//!   as `InvalidParameter` naming `QueryString`.
//! - A request borrows its text from the query, or from the
//!   [`RequestParser`](request::RequestParser)'s 64 KiB buffer for text
//!   that needed percent-decoding (decoded text is never longer than the
//!   query, so every text of up to 100 permissions fits); a request is
//!   under 320 bytes (a `const` assertion). The parser is about 85 KiB:
//!   keep one and reuse it.
//! - IPv4 addresses are read in one pass by this crate's own parser,
//!   accepting exactly what `core::net` accepts (property tests compare
//!   them); IPv6 addresses by `core::net`.
//! - [`Applied`] names the rule and says whether its description changed;
//!   it does not copy the old description out (read it from the store
//!   first if you need it).
//! - An [`ApiError`](error::ApiError) is at most 64 bytes (a `const`
//!   assertion): the cause, the parameter, a small reason, hints, the near
//!   miss as a rule index and field bits, and the texts a detail quotes
//!   (the value at fault, an unknown name, ids) in 40 bytes. The message,
//!   the detail and the bodies are written only when asked for. Quoted
//!   texts that do not fit are cut at a character boundary with `…`
//!   (a value of up to 40 bytes, or two ids of up to 20 each, come out
//!   whole); the cut shows in `ApiError::detail`, in an unknown
//!   parameter's name, and in the message of the `%s` codes.
//! - A `DestGroupId` given beside a CIDR is still checked for length, then
//!   ignored.
//! - `%s` messages are filled with a detail in English; with no detail, the
//!   code itself.
//! - Stores put every rule of a VPC group on the intranet NIC when it is
//!   added (DescribeSecurityGroupAttribute reports VPC rules so), so a VPC
//!   rule is found whatever `NicType` the request gives for a CIDR.
//! - A classic group's `InvalidNicType.Mismatch` is found with one more
//!   hash lookup (the key with the other NIC type), not a scan.
//! - Near misses: the rule differing in the fewest fields wins, the first
//!   such rule on a tie; a rule found by key but filtered out by `Priority`
//!   is reported with `Priority` as the only difference. The scan ends at
//!   the first rule differing in one field: no rule matched, so none
//!   differs in none.
//! - `modify` with an absent `Description`, or the text the rule already
//!   has, succeeds and reports `changed: false`; the store is not written
//!   (the matcher compares the rule's description first).
//! - [`GroupStore`](store::GroupStore) has only what an embedder's own
//!   storage must answer (find a group; find a rule by key or by id; read
//!   a rule; walk store order; counts; one `change` method for insert,
//!   remove, replace and description); the matcher derives near misses and
//!   the `Priority` filter from those. A rule's index is a stable slot, not
//!   a position: removing a rule leaves the others' indexes as they were,
//!   and the crate's stores give a freed slot to the next insert (last
//!   freed first). The crate's stores index rules by a hash of their key
//!   and of their id, and find a group by a hash of its id (the growable
//!   store) or by comparing ids (the bounded one, for few groups).
//! - Rule ids are unique in a whole store: the bounded store asks each
//!   group's id index in turn (few groups), the growable one keeps one
//!   more hash index of every id's group.
//! - [`Tokens`](store::Tokens) forgets the oldest token *remembered*: a
//!   ring in the order tokens were first remembered (a token remembered
//!   again keeps its place), so a forgotten token's place is only reused
//!   when the ring comes round.
//! - A saved state keeps the file's line-break style, taken from its first
//!   line break (the final one included), so saving twice gives the same
//!   bytes.
//! - A store that cannot hold a new description (a full bounded text arena)
//!   answers `InternalError`, keeping the old description; a full rule quota
//!   answers `AuthorizationLimitExceed`.
//! - Byte scans (the query's separators and escapes, the response
//!   escapers) use the `wide` crate's 16-byte vectors with the `simd`
//!   feature (the crate forbids `unsafe`, and entering a
//!   `#[target_feature]` function still needs it), a plain byte loop
//!   without it.
//!
//! # Features
//!
//! - `std` (default): implies `alloc`.
//! - `alloc`: heap-backed extras; the request path never allocates.
//! - `serde`: serde glue for the value types and the state file.
//! - `simd` (default): byte scans sixteen bytes at a time with the `wide`
//!   crate (Rust 1.89 or newer); turn it off on targets without vector
//!   units. The answers are the same either way.
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;

mod block;
mod cidr;
mod hash;
mod keyword;
mod matcher;
mod nic;
mod policy;
mod port;
mod priority;
mod protocol;
mod response;
#[cfg(feature = "serde")]
mod serde_impls;

pub mod error;
pub mod lifecycle;
pub mod model;
pub mod request;
#[cfg(feature = "serde")]
pub mod state;
pub mod store;
pub mod text;

pub use cidr::{Ipv4Cidr, Ipv6Cidr};
pub use matcher::{Applied, Identified, identify, modify};
pub use nic::NicType;
pub use policy::Policy;
pub use port::PortRange;
pub use priority::Priority;
pub use protocol::IpProtocol;
pub use response::{Format, RequestId, Response};

/// The README's examples, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
