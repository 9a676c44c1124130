//! The security-group model: a group's metadata, its egress rules, and the
//! key that identifies a rule (SPEC §5, §6).

mod group;
mod key;
mod opaque;
mod rule;

pub use group::{GroupInfo, Network};
pub use key::{RuleDestination, RuleKey};
pub use opaque::{OpaqueFields, OpaqueRule};
pub use rule::{EgressRule, InvalidRule, Rule, RuleBody};
