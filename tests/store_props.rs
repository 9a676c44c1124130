//! Property test: any sequence of inserts, removals, replacements and
//! description changes on either store agrees with a plain reference model
//! (a `Vec` per group in store order, linear scans, a LIFO list of free
//! slots) on every answer, on store order, on lookups by key and by id, and
//! on the counts.
#![cfg(feature = "alloc")]

mod common;

use aliyun_sg_egress::model::*;
use aliyun_sg_egress::store::*;
use aliyun_sg_egress::*;
use common::*;
use proptest::prelude::*;

/// Rules of the bounded store's groups: small enough that the model's
/// "full" answer is reachable.
const RULES: usize = 24;

const PORTS: &[u16] = &[80, 81, 443];
const DESCRIPTIONS: &[&str] = &["", "a", "a longer description", "web servers in 杭州"];
const IDS: &[&str] = &["", "sgr-1", "sgr-2", "sgr-3", "sgr-4", "sgr-5"];
const TIMES: &[&str] = &["", "2024-01-01T00:00:00Z"];

fn destination(i: usize) -> RuleDestination<'static> {
    match i {
        0 => RuleDestination::Ipv4("10.0.0.0/8".parse().unwrap()),
        1 => RuleDestination::Ipv4("10.0.0.1".parse().unwrap()),
        2 => RuleDestination::Ipv4("10.0.0.1/32".parse().unwrap()),
        3 => RuleDestination::Ipv6("2001:db8::/32".parse().unwrap()),
        4 => RuleDestination::Group("sg-peer"),
        5 => RuleDestination::Group("sg-peer-2"),
        _ => RuleDestination::PrefixList("pl-1"),
    }
}

/// A rule's fields as indices; `None` for an opaque rule.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Fields {
    modelled: Option<(usize, usize, u8)>,
    description: usize,
}

#[derive(Clone, Debug)]
enum Op {
    Insert {
        group: usize,
        fields: Fields,
        id: usize,
        time: usize,
    },
    /// Acts on the n-th rule in the group's store order (modulo its
    /// length), or on a slot no rule holds when the group is empty.
    Remove { group: usize, nth: usize },
    Replace {
        group: usize,
        nth: usize,
        fields: Fields,
    },
    SetDescription {
        group: usize,
        nth: usize,
        description: usize,
    },
    /// A slot that names no rule.
    RemoveMissing { group: usize },
}

fn fields() -> impl Strategy<Value = Fields> {
    let modelled = (0..PORTS.len(), 0usize..7, 1u8..=3);
    (
        proptest::option::weighted(0.85, modelled),
        0..DESCRIPTIONS.len(),
    )
        .prop_map(|(modelled, description)| Fields {
            modelled,
            description,
        })
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (0..2usize, fields(), 0..IDS.len(), 0..TIMES.len())
            .prop_map(|(group, fields, id, time)| Op::Insert { group, fields, id, time }),
        2 => (0..2usize, any::<usize>()).prop_map(|(group, nth)| Op::Remove { group, nth }),
        2 => (0..2usize, any::<usize>(), fields())
            .prop_map(|(group, nth, fields)| Op::Replace { group, nth, fields }),
        2 => (0..2usize, any::<usize>(), 0..DESCRIPTIONS.len())
            .prop_map(|(group, nth, description)| Op::SetDescription { group, nth, description }),
        1 => (0..2usize).prop_map(|group| Op::RemoveMissing { group }),
    ]
}

/// One rule of the model.
#[derive(Clone, Debug)]
struct Entry {
    slot: usize,
    id: usize,
    time: usize,
    fields: Fields,
}

const OPAQUE: [(&str, &str); 3] = [("IpProtocol", "47"), ("PortRange", ""), ("Ünïcode", "值")];

/// The rule a store should give back for these fields.
fn rule(
    fields: Fields,
    id: usize,
    time: usize,
    pairs: &'static [(&'static str, &'static str)],
) -> Rule<'static> {
    let description = DESCRIPTIONS[fields.description];
    let body = match fields.modelled {
        Some(m) => RuleBody::Modelled(egress(m, description)),
        None => RuleBody::Opaque(OpaqueRule::new(pairs)),
    };
    Rule {
        id: IDS[id],
        create_time: TIMES[time],
        body,
    }
}

fn egress(
    (port, dest, priority): (usize, usize, u8),
    description: &'static str,
) -> EgressRule<'static> {
    EgressRule {
        protocol: IpProtocol::Tcp,
        port_range: PortRange::new_assert(PORTS[port], PORTS[port]),
        source_port_range: None,
        nic_type: NicType::Intranet,
        policy: Policy::Accept,
        priority: Priority::new(priority).unwrap(),
        destination: destination(dest),
        source: None,
        description,
    }
}

/// An opaque rule's fields, the description among them (leaked: a test
/// keeps them to the end, and there are six).
fn opaque_pairs(description: usize) -> &'static [(&'static str, &'static str)] {
    let mut pairs = OPAQUE.to_vec();
    pairs.push(("Description", DESCRIPTIONS[description]));
    Box::leak(pairs.into_boxed_slice())
}

fn key_of(fields: &Fields) -> Option<RuleKey<'static>> {
    fields.modelled.map(|m| egress(m, "").key())
}

#[derive(Default)]
struct Model {
    groups: [Vec<Entry>; 2],
    free: [Vec<usize>; 2],
    next_slot: [usize; 2],
}

impl Model {
    fn find_key(&self, group: usize, key: &RuleKey<'_>, except: Option<usize>) -> Option<usize> {
        self.groups[group]
            .iter()
            .find(|e| Some(e.slot) != except && key_of(&e.fields).as_ref() == Some(key))
            .map(|e| e.slot)
    }

    fn apply(&mut self, op: &Op, bounded: bool) -> Result<usize, StoreError> {
        match *op {
            Op::Insert {
                group,
                fields,
                id,
                time,
            } => {
                if id != 0 && self.groups.iter().flatten().any(|e| e.id == id) {
                    return Err(StoreError::DuplicateRuleId);
                }
                if let Some(other) = key_of(&fields).and_then(|k| self.find_key(group, &k, None)) {
                    return Err(StoreError::DuplicateRule(other));
                }
                if bounded && self.groups[group].len() == RULES {
                    return Err(StoreError::RulesFull);
                }
                let slot = self.free[group].pop().unwrap_or_else(|| {
                    self.next_slot[group] += 1;
                    self.next_slot[group] - 1
                });
                self.groups[group].push(Entry {
                    slot,
                    id,
                    time,
                    fields,
                });
                Ok(slot)
            }
            Op::Remove { group, nth } => {
                let rules = &mut self.groups[group];
                if rules.is_empty() {
                    return Err(StoreError::NoSuchRule);
                }
                let entry = rules.remove(nth % rules.len());
                self.free[group].push(entry.slot);
                Ok(entry.slot)
            }
            Op::RemoveMissing { .. } => Err(StoreError::NoSuchRule),
            Op::Replace { group, nth, fields } => {
                let len = self.groups[group].len();
                if len == 0 {
                    return Err(StoreError::NoSuchRule);
                }
                let at = nth % len;
                let entry = self.groups[group][at].clone();
                let (Some(_), Some(key)) = (entry.fields.modelled, key_of(&fields)) else {
                    return Err(if entry.fields.modelled.is_none() {
                        StoreError::OpaqueRule
                    } else {
                        // Replace takes a modelled rule only.
                        StoreError::NoSuchRule
                    });
                };
                if let Some(other) = self.find_key(group, &key, Some(entry.slot)) {
                    return Err(StoreError::DuplicateRule(other));
                }
                self.groups[group][at].fields = fields;
                Ok(entry.slot)
            }
            Op::SetDescription {
                group,
                nth,
                description,
            } => {
                let rules = &mut self.groups[group];
                if rules.is_empty() {
                    return Err(StoreError::NoSuchRule);
                }
                let len = rules.len();
                let entry = &mut rules[nth % len];
                entry.fields.description = description;
                Ok(entry.slot)
            }
        }
    }
}

/// The change an operation makes on a store, given the model before it
/// (which names the n-th rule's slot).
fn change(model: &Model, op: &Op) -> Option<(usize, Change<'static>)> {
    let slot = |group: usize, nth: usize| {
        let rules = &model.groups[group];
        (!rules.is_empty()).then(|| rules[nth % rules.len()].slot)
    };
    Some(match *op {
        Op::Insert {
            group,
            fields,
            id,
            time,
        } => (
            group,
            Change::Insert(rule(fields, id, time, opaque_pairs(fields.description))),
        ),
        Op::Remove { group, nth } => (group, Change::Remove(slot(group, nth).unwrap_or(10_000))),
        Op::RemoveMissing { group } => (group, Change::Remove(10_000)),
        Op::Replace { group, nth, fields } => {
            // A replacement by an opaque rule cannot be asked: keep the
            // model's reading (an opaque target answers first).
            let m = fields.modelled?;
            let new = egress(m, DESCRIPTIONS[fields.description]);
            (
                group,
                Change::Replace(slot(group, nth).unwrap_or(10_000), new),
            )
        }
        Op::SetDescription {
            group,
            nth,
            description,
        } => (
            group,
            Change::SetDescription(
                slot(group, nth).unwrap_or(10_000),
                DESCRIPTIONS[description],
            ),
        ),
    })
}

fn check<S: GroupStore>(
    store: &S,
    handles: [GroupHandle; 2],
    model: &Model,
) -> Result<(), TestCaseError> {
    for (g, handle) in handles.into_iter().enumerate() {
        let order: Vec<usize> = rule_indexes(store, handle).collect();
        let expected: Vec<usize> = model.groups[g].iter().map(|e| e.slot).collect();
        prop_assert_eq!(&order, &expected, "store order of group {}", g);
        let mut counts = RuleCounts::default();
        for e in &model.groups[g] {
            let got = store.rule(handle, e.slot).unwrap();
            let pairs = opaque_pairs(e.fields.description);
            prop_assert_eq!(got, rule(e.fields, e.id, e.time, pairs));
            if let Some(key) = key_of(&e.fields) {
                prop_assert_eq!(store.find_rule(handle, RuleRef::Key(&key)), Some(e.slot));
            }
            let id = IDS[e.id];
            let by_id = store.find_rule(handle, RuleRef::Id(id));
            prop_assert_eq!(by_id, (e.id != 0).then_some(e.slot));
            counts.egress += 1;
            let group_destination = e
                .fields
                .modelled
                .is_some_and(|(_, d, _)| (4..=5).contains(&d));
            counts.group_destinations += usize::from(group_destination);
        }
        prop_assert_eq!(store.counts(handle), counts);
        // Ids of the other group are not found in this one.
        for e in &model.groups[1 - g] {
            if e.id != 0 {
                prop_assert_eq!(store.find_rule(handle, RuleRef::Id(IDS[e.id])), None);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn stores_agree_with_a_vec_model(ops in proptest::collection::vec(op(), 1..120)) {
        let mut vec_store = VecStore::new();
        let mut bounded: Box<BoundedStore<2, RULES, 4096>> = Box::new(BoundedStore::new());
        let mut vec_model = Model::default();
        let mut bounded_model = Model::default();
        let mut vh = [GroupHandle::new(0); 2];
        let mut bh = [GroupHandle::new(0); 2];
        for (i, id) in ["sg-a", "sg-b"].into_iter().enumerate() {
            vh[i] = vec_store.add_group(group(id, REGION, Network::Classic)).unwrap();
            bh[i] = bounded.add_group(group(id, REGION, Network::Classic)).unwrap();
        }
        for op in &ops {
            if let Some((g, c)) = change(&vec_model, op) {
                let want = vec_model.apply(op, false);
                prop_assert_eq!(vec_store.change(vh[g], c), want, "{:?}", op);
            }
            if let Some((g, c)) = change(&bounded_model, op) {
                let want = bounded_model.apply(op, true);
                prop_assert_eq!(bounded.change(bh[g], c), want, "{:?}", op);
            }
            check(&vec_store, vh, &vec_model)?;
            check(&*bounded, bh, &bounded_model)?;
        }
    }
}
