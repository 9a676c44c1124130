//! Inputs the fuzz targets (`fuzz/`) found, kept as plain tests.

use aliyun_sg_egress::model::{EgressRule, RuleDestination};
use aliyun_sg_egress::model::{GroupInfo, Network};
use aliyun_sg_egress::store::{BoundedStore, Change, GroupHandle, GroupStore, StoreError};
use aliyun_sg_egress::text::{GroupId, RegionId};
use aliyun_sg_egress::{IpProtocol, NicType, Policy, PortRange, Priority};

fn rule<'a>(destination: RuleDestination<'a>, description: &'a str) -> EgressRule<'a> {
    EgressRule {
        protocol: IpProtocol::Tcp,
        port_range: PortRange::new_assert(80, 80),
        source_port_range: None,
        nic_type: NicType::Intranet,
        policy: Policy::Accept,
        priority: Priority::DEFAULT,
        destination,
        source: None,
        description,
    }
}

/// One classic group in a store whose text arena holds 64 bytes, with one
/// CIDR rule whose description was replaced, leaving `garbage` bytes of
/// dead text behind it.
fn store_with_garbage(live: &str, garbage: usize) -> (Box<BoundedStore<1, 8, 64>>, GroupHandle) {
    let mut store = Box::new(BoundedStore::<1, 8, 64>::new());
    let info = GroupInfo::new(
        GroupId::parse("sg-1").unwrap(),
        RegionId::parse("cn-hangzhou").unwrap(),
        Network::Classic,
    );
    let g = store.add_group(info).unwrap();
    let old = "o".repeat(garbage);
    store
        .add_rule(
            g,
            &rule(RuleDestination::Ipv4("10.0.0.0/8".parse().unwrap()), &old),
        )
        .unwrap();
    // Cleared first: a text that fits would be written over the old one.
    store.change(g, Change::SetDescription(0, "")).unwrap();
    store.change(g, Change::SetDescription(0, live)).unwrap();
    (store, g)
}

/// matcher target: a group destination that fit only after compacting the
/// arena lost the new rule's description, which had been written just
/// before and was not yet referenced by any rule.
#[test]
fn insert_that_compacts_keeps_its_own_description() {
    let (mut store, g) = store_with_garbage(&"b".repeat(30), 30);
    let description = "c".repeat(2);
    let index = store
        .add_rule(g, &rule(RuleDestination::Group("sg-2"), &description))
        .unwrap();
    let stored = store.rule(g, index).unwrap();
    assert_eq!(stored.description(), description);
    assert_eq!(
        stored.modelled().unwrap().destination,
        RuleDestination::Group("sg-2")
    );
    assert_eq!(store.rule(g, 0).unwrap().description(), "b".repeat(30));
}

/// matcher target: when the group id did not fit even after compacting,
/// the description written before it was counted as garbage a second time
/// (compaction had already dropped it), and the next write underflowed
/// `len - garbage`.
#[test]
fn refused_insert_leaves_the_arena_consistent() {
    let (mut store, g) = store_with_garbage("", 30);
    let description = "c".repeat(30);
    let id = "g".repeat(70);
    assert_eq!(
        store.add_rule(g, &rule(RuleDestination::Group(&id), &description)),
        Err(StoreError::TextFull)
    );
    assert_eq!(store.rules(g).count(), 1);
    store
        .change(g, Change::SetDescription(0, &"d".repeat(64)))
        .unwrap();
    assert_eq!(store.rule(g, 0).unwrap().description(), "d".repeat(64));
    let index = store
        .add_rule(
            g,
            &rule(RuleDestination::Ipv4("1.2.3.4".parse().unwrap()), ""),
        )
        .unwrap();
    assert_eq!(store.rule(g, index).unwrap().description(), "");
}

/// Found by the state target: a file whose first line break is `\r\n`
/// but whose value fits on one line was saved as `[]\r\n`, and that file
/// saved again as `[]\n`. Saving must be stable: the line-break style
/// comes from the first line break, the final one included.
#[cfg(feature = "serde")]
#[test]
fn one_line_state_keeps_its_crlf_through_two_saves() {
    fn save(bytes: &[u8]) -> String {
        let mut state = aliyun_sg_egress::state::State::from_slice(bytes).unwrap();
        let mut out = String::new();
        state.write_json(&mut out).unwrap();
        out
    }
    let input = b"\r\n\n\n\n\n          \n []\n\n\n\n\n\n\n\n\n\n";
    let first = save(input);
    assert_eq!(first, "[]\r\n");
    assert_eq!(save(first.as_bytes()), "[]\r\n");
    assert_eq!(save(b"[]\n"), "[]\n");
    assert_eq!(save(b"[]"), "[]");
}
