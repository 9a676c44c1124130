//! Finding the rule a request names, in groups of 10 to 100,000 egress
//! rules, beside a field-by-field linear scan over the same rules kept as
//! owned values; and a store's insert + remove of one rule, which must not
//! grow with the group.

use std::net::Ipv4Addr;
use std::time::Duration;

use aliyun_sg_egress::identify;
use aliyun_sg_egress::model::{EgressRule, Rule, RuleBody, RuleDestination};
use aliyun_sg_egress::model::{GroupInfo, Network};
use aliyun_sg_egress::request::{Destination, ModifyEgressRequest, RequestParser, Source};
use aliyun_sg_egress::store::{BoundedStore, Change, GroupHandle, GroupStore, RuleRef, VecStore};
use aliyun_sg_egress::text::{GroupId, RegionId, VpcId};
use aliyun_sg_egress::{IpProtocol, Ipv4Cidr, Ipv6Cidr, NicType, Policy, PortRange, Priority};
use criterion::{BenchmarkId, Criterion, black_box, criterion_group, criterion_main};

const SIZES: [usize; 5] = [10, 200, 1_000, 10_000, 100_000];

/// A rule as a straightforward implementation would keep it.
struct OwnedRule {
    protocol: IpProtocol,
    port_range: PortRange,
    source_port_range: Option<PortRange>,
    nic_type: NicType,
    policy: Policy,
    priority: Priority,
    destination: OwnedDestination,
    source: Option<Source>,
    #[allow(dead_code)] // kept, as a store would, but never compared
    description: String,
}

enum OwnedDestination {
    Ipv4(Ipv4Cidr),
    #[allow(dead_code)]
    Ipv6(Ipv6Cidr),
    #[allow(dead_code)]
    Group(String),
}

/// Rule `i`: TCP to one port and one host, each pair distinct.
fn owned_rule(i: usize) -> OwnedRule {
    let port = u16::try_from(i % 60_000 + 1).unwrap();
    let host = Ipv4Addr::from(0x0A00_0000 | u32::try_from(i).unwrap());
    OwnedRule {
        protocol: IpProtocol::Tcp,
        port_range: PortRange::new_assert(port, port),
        source_port_range: None,
        nic_type: NicType::Intranet,
        policy: Policy::Accept,
        priority: Priority::DEFAULT,
        destination: OwnedDestination::Ipv4(Ipv4Cidr::from_addr(host)),
        source: None,
        description: format!("rule {i}"),
    }
}

fn view(r: &OwnedRule) -> EgressRule<'_> {
    EgressRule {
        protocol: r.protocol,
        port_range: r.port_range,
        source_port_range: r.source_port_range,
        nic_type: r.nic_type,
        policy: r.policy,
        priority: r.priority,
        destination: match &r.destination {
            OwnedDestination::Ipv4(v4) => RuleDestination::Ipv4(*v4),
            OwnedDestination::Ipv6(v6) => RuleDestination::Ipv6(*v6),
            OwnedDestination::Group(id) => RuleDestination::Group(id),
        },
        source: r.source,
        description: &r.description,
    }
}

fn group_info() -> GroupInfo {
    let vpc = Network::Vpc {
        id: VpcId::parse("vpc-bp1opxu1zkhn00gzv").unwrap(),
        classic_link: false,
    };
    GroupInfo::new(
        GroupId::parse("sg-bp67acfmxazb4ph1").unwrap(),
        RegionId::parse("cn-hangzhou").unwrap(),
        vpc,
    )
}

/// The query of the request naming rule `i`.
fn query_for(i: usize) -> String {
    let rule = owned_rule(i);
    let OwnedDestination::Ipv4(dest) = rule.destination else {
        unreachable!()
    };
    format!(
        "RegionId=cn-hangzhou&SecurityGroupId=sg-bp67acfmxazb4ph1&IpProtocol=tcp\
         &PortRange={}&DestCidrIp={dest}&Description=changed",
        rule.port_range
    )
}

/// The baseline: the first rule whose every key field equals the
/// request's (a VPC group, so the NIC type is intranet).
fn linear_scan(rules: &[OwnedRule], req: &ModifyEgressRequest) -> Option<usize> {
    rules.iter().position(|r| {
        r.protocol == req.protocol()
            && r.port_range == req.port_range()
            && r.source_port_range == req.source_port_range()
            && r.nic_type == NicType::Intranet
            && r.policy == req.policy()
            && match (&r.destination, req.destination()) {
                (OwnedDestination::Ipv4(a), Destination::Ipv4(b)) => a == b,
                (OwnedDestination::Ipv6(a), Destination::Ipv6(b)) => a == b,
                (OwnedDestination::Group(a), Destination::Group(b)) => *a == *b.id,
                _ => false,
            }
            && r.source == req.source()
            && req.priority().is_none_or(|p| p == r.priority)
    })
}

fn identify_rules(c: &mut Criterion) {
    let mut group = c.benchmark_group("identify");
    for n in SIZES {
        let rules: Vec<OwnedRule> = (0..n).map(owned_rule).collect();
        let mut store = VecStore::new();
        let g = store.add_group(group_info()).unwrap();
        for r in &rules {
            store.add_rule(g, &view(r)).unwrap();
        }
        let target = n / 2;
        let (query, mut parser) = (query_for(target), RequestParser::new());
        let req = parser.parse(&query).unwrap();
        assert_eq!(identify(&store, &req).unwrap().rule_index, target);
        assert_eq!(linear_scan(&rules, &req), Some(target));

        group.bench_with_input(BenchmarkId::new("vec_store", n), &req, |b, req| {
            b.iter(|| identify(black_box(&store), black_box(req)))
        });
        group.bench_with_input(BenchmarkId::new("linear_scan", n), &req, |b, req| {
            b.iter(|| linear_scan(black_box(&rules), black_box(req)))
        });
    }

    // A miss: rule 500's port to another host. Every rule before it
    // differs in two fields (port and host), so the near-miss scan reads
    // 501 rules before it stops at the first that differs in one.
    let n = 1_000;
    let mut store = VecStore::new();
    let g = store.add_group(group_info()).unwrap();
    for r in (0..n).map(owned_rule) {
        store.add_rule(g, &view(&r)).unwrap();
    }
    let mut parser = RequestParser::new();
    let miss = parser
        .parse(
            "RegionId=cn-hangzhou&SecurityGroupId=sg-bp67acfmxazb4ph1&IpProtocol=tcp\
             &PortRange=501/501&DestCidrIp=192.0.2.1",
        )
        .unwrap();
    let near = identify(&store, &miss).unwrap_err().near_miss();
    assert_eq!(near.map(|m| m.rule_index), Some(500));
    group.bench_with_input(BenchmarkId::new("near_miss", n), &miss, |b, req| {
        b.iter(|| identify(black_box(&store), black_box(req)))
    });

    let n = 200;
    let rules: Vec<OwnedRule> = (0..n).map(owned_rule).collect();
    let mut store: Box<BoundedStore<1, 256, 4096>> = Box::default();
    let g = store.add_group(group_info()).unwrap();
    for r in &rules {
        store.add_rule(g, &view(r)).unwrap();
    }
    let (query, mut parser) = (query_for(n / 2), RequestParser::new());
    let req = parser.parse(&query).unwrap();
    assert_eq!(identify(&*store, &req).unwrap().rule_index, n / 2);
    assert_eq!(store.rules(g).count(), n);
    group.bench_with_input(BenchmarkId::new("bounded_store", n), &req, |b, req| {
        b.iter(|| identify(black_box(&*store), black_box(req)))
    });
    group.finish();
}

/// Inserts one rule (with an id and a create time) after the group's
/// `n` rules, and removes it again: what Authorize then Revoke ask of a
/// store.
fn insert_remove<S: GroupStore + ?Sized>(store: &mut S, g: GroupHandle, rule: &EgressRule<'_>) {
    let new = Rule {
        id: "sgr-bp1d0f5wdzgsnxyb4vse",
        create_time: "2026-12-02T00:00:00Z",
        body: RuleBody::Modelled(*rule),
    };
    let index = store.change(g, Change::Insert(new)).unwrap();
    store.change(g, Change::Remove(index)).unwrap();
}

fn store_changes(c: &mut Criterion) {
    let mut group = c.benchmark_group("insert_remove");
    let extra = owned_rule(200_000);
    for n in [1_000, 100_000] {
        let mut store = VecStore::new();
        let g = store.add_group(group_info()).unwrap();
        for r in (0..n).map(owned_rule) {
            store.add_rule(g, &view(&r)).unwrap();
        }
        insert_remove(&mut store, g, &view(&extra));
        assert_eq!(
            store.find_rule(g, RuleRef::Id("sgr-bp1d0f5wdzgsnxyb4vse")),
            None
        );
        group.bench_function(BenchmarkId::new("vec_store", n), |b| {
            b.iter(|| insert_remove(black_box(&mut store), g, black_box(&view(&extra))))
        });
    }
    let mut store: Box<BoundedStore<1, 256, 8192>> = Box::default();
    let g = store.add_group(group_info()).unwrap();
    for r in (0..200).map(owned_rule) {
        store.add_rule(g, &view(&r)).unwrap();
    }
    group.bench_function(BenchmarkId::new("bounded_store", 200), |b| {
        b.iter(|| insert_remove(black_box(&mut *store), g, black_box(&view(&extra))))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50);
    targets = identify_rules, store_changes
}
criterion_main!(benches);
