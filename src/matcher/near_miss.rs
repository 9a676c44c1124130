//! The closest rule to a key that matched none.

use crate::error::{NearMiss, RuleField, RuleFields};
use crate::model::{RuleDestination, RuleKey};
use crate::priority::Priority;
use crate::request::Source;
use crate::store::{GroupHandle, GroupStore, rule_indexes};

/// The fields in which a rule (its key and priority) differs from what
/// the request names.
fn differences(
    rule: &RuleKey<'_>,
    rule_priority: Priority,
    key: &RuleKey<'_>,
    priority: Option<Priority>,
) -> RuleFields {
    use {RuleDestination as D, RuleField as F, Source as S};
    let destination = match (&rule.destination, &key.destination) {
        (a, b) if a == b => None,
        (D::Ipv4(a), D::Ipv4(b)) if a.same_block(b) => Some(F::DestinationSpelling),
        (D::Ipv6(a), D::Ipv6(b)) if a.same_block(b) => Some(F::DestinationSpelling),
        _ => Some(F::Destination),
    };
    let source = match (&rule.source, &key.source) {
        (a, b) if a == b => None,
        (Some(S::Ipv4(a)), Some(S::Ipv4(b))) if a.same_block(b) => Some(F::SourceSpelling),
        (Some(S::Ipv6(a)), Some(S::Ipv6(b))) if a.same_block(b) => Some(F::SourceSpelling),
        _ => Some(F::Source),
    };
    let port = rule.source_port_range != key.source_port_range;
    let priority = priority.is_some_and(|p| p != rule_priority);
    [
        (rule.protocol != key.protocol).then_some(F::IpProtocol),
        (rule.port_range != key.port_range).then_some(F::PortRange),
        port.then_some(F::SourcePortRange),
        (rule.nic_type != key.nic_type).then_some(F::NicType),
        (rule.policy != key.policy).then_some(F::Policy),
        priority.then_some(F::Priority),
        destination,
        source,
    ]
    .into_iter()
    .flatten()
    .fold(RuleFields::NONE, RuleFields::with)
}

/// The group's rule that differs from the request in the fewest fields
/// (the first such rule on a tie), and those fields: SPEC §6's near miss.
/// A scan in store order over the modelled rules (opaque ones have no key
/// to compare): it runs only when no rule matched, and ends at the first
/// rule that differs in one field (with no rule matching, none differs in
/// none).
pub fn closest_rule<S: GroupStore + ?Sized>(
    store: &S,
    group: GroupHandle,
    key: &RuleKey<'_>,
    priority: Option<Priority>,
) -> Option<NearMiss> {
    let mut best: Option<NearMiss> = None;
    for rule_index in rule_indexes(store, group) {
        let found = store.rule(group, rule_index);
        let Some(rule) = found.as_ref().and_then(|r| r.modelled()) else {
            continue;
        };
        let differs = differences(&rule.key(), rule.priority, key, priority);
        if best.is_none_or(|b| differs.len() < b.differs.len()) {
            best = Some(NearMiss {
                rule_index,
                differs,
            });
            if differs.len() <= 1 {
                break;
            }
        }
    }
    best
}
