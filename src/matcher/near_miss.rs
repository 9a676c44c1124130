//! The closest rule to a key that matched none.

use crate::error::{NearMiss, RuleField, RuleFields};
use crate::model::{RuleDestination, RuleKey};
use crate::priority::Priority;
use crate::request::Source;
use crate::store::{GroupHandle, GroupStore};

fn destination_diff(rule: &RuleDestination<'_>, key: &RuleDestination<'_>) -> Option<RuleField> {
    match (rule, key) {
        _ if rule == key => None,
        (RuleDestination::Ipv4(a), RuleDestination::Ipv4(b)) if a.same_block(b) => {
            Some(RuleField::DestinationSpelling)
        }
        (RuleDestination::Ipv6(a), RuleDestination::Ipv6(b)) if a.same_block(b) => {
            Some(RuleField::DestinationSpelling)
        }
        _ => Some(RuleField::Destination),
    }
}

fn source_diff(rule: &Option<Source>, key: &Option<Source>) -> Option<RuleField> {
    match (rule, key) {
        _ if rule == key => None,
        (Some(Source::Ipv4(a)), Some(Source::Ipv4(b))) if a.same_block(b) => {
            Some(RuleField::SourceSpelling)
        }
        (Some(Source::Ipv6(a)), Some(Source::Ipv6(b))) if a.same_block(b) => {
            Some(RuleField::SourceSpelling)
        }
        _ => Some(RuleField::Source),
    }
}

/// The fields in which a rule (its key and priority) differs from what
/// the request names.
fn differences(
    rule: &RuleKey<'_>,
    rule_priority: Priority,
    key: &RuleKey<'_>,
    priority: Option<Priority>,
) -> RuleFields {
    let mut d = RuleFields::NONE;
    let mut mark = |differs: bool, field| {
        if differs {
            d = d.with(field);
        }
    };
    mark(rule.protocol != key.protocol, RuleField::IpProtocol);
    mark(rule.port_range != key.port_range, RuleField::PortRange);
    mark(
        rule.source_port_range != key.source_port_range,
        RuleField::SourcePortRange,
    );
    mark(rule.nic_type != key.nic_type, RuleField::NicType);
    mark(rule.policy != key.policy, RuleField::Policy);
    mark(
        priority.is_some_and(|p| p != rule_priority),
        RuleField::Priority,
    );
    if let Some(f) = destination_diff(&rule.destination, &key.destination) {
        d = d.with(f);
    }
    if let Some(f) = source_diff(&rule.source, &key.source) {
        d = d.with(f);
    }
    d
}

/// The group's rule that differs from the request in the fewest fields
/// (the first such rule on a tie), and those fields: SPEC §6's near miss.
/// A scan over [`GroupStore::rule`]: it runs only when no rule matched, and
/// ends at the first rule that differs in one field (with no rule
/// matching, none differs in none).
pub fn closest_rule<S: GroupStore + ?Sized>(
    store: &S,
    group: GroupHandle,
    key: &RuleKey<'_>,
    priority: Option<Priority>,
) -> Option<NearMiss> {
    let mut best: Option<NearMiss> = None;
    for (rule_index, rule) in (0..).map_while(|i| store.rule(group, i)).enumerate() {
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
