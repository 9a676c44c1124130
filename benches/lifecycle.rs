//! The lifecycle's speed (issue 16): an Authorize + Revoke pair of one rule
//! in groups of 50 to 100,000 rules, and Describe of a 200-rule group.
//! Each pair includes parsing both requests.

use aliyun_sg_egress::lifecycle::{self, Env};
use aliyun_sg_egress::model::{GroupInfo, Network};
use aliyun_sg_egress::request::{Action, Request, RequestParser};
use aliyun_sg_egress::store::{BoundedStore, GroupStore, VecStore};
use aliyun_sg_egress::text::{GroupId, RegionId, VpcId};
use aliyun_sg_egress::{Format, RequestId};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const NOW: &str = "2026-12-02T06:00:00Z";
const AUTHORIZE: &str = "RegionId=cn-hangzhou&SecurityGroupId=sg-1&IpProtocol=tcp&PortRange=443/443&DestCidrIp=10.200.0.0/16&Description=bench";
const REVOKE: &str = "RegionId=cn-hangzhou&SecurityGroupId=sg-1&IpProtocol=tcp&PortRange=443/443&DestCidrIp=10.200.0.0/16";

fn group() -> GroupInfo {
    let vpc = Network::Vpc {
        id: VpcId::parse("vpc-1").unwrap(),
        classic_link: false,
    };
    GroupInfo::new(
        GroupId::parse("sg-1").unwrap(),
        RegionId::parse("cn-hangzhou").unwrap(),
        vpc,
    )
}

fn counter_ids() -> impl FnMut() -> [u8; 20] {
    let mut n = 0u64;
    move || {
        n += 1;
        let mut id = [b'0'; 20];
        let text = format!("{n:020}");
        id.copy_from_slice(text.as_bytes());
        id
    }
}

/// Fills group sg-1 with `rules` egress rules (ports 1.. on 10.0.0.0/8).
fn fill<S: GroupStore>(store: &mut S, rules: usize, ids: &mut dyn FnMut() -> [u8; 20]) {
    let mut parser = Box::new(RequestParser::new());
    let mut env = Env::new(NOW, ids);
    env.rule_quota = usize::MAX;
    let mut n = 0;
    while n < rules {
        let batch = (rules - n).min(100);
        let mut query = String::from("RegionId=cn-hangzhou&SecurityGroupId=sg-1");
        for i in 1..=batch {
            let port = 1 + (n + i - 1) % 65535;
            let net = (n + i - 1) / 65535;
            query.push_str(&format!(
                "&Permissions.{i}.IpProtocol=tcp&Permissions.{i}.PortRange={port}/{port}&Permissions.{i}.DestCidrIp=10.{net}.0.0/16"
            ));
        }
        let request = parser
            .parse_request(Some(Action::Authorize), &query)
            .unwrap();
        lifecycle::execute(store, &mut env, &request).unwrap();
        n += batch;
    }
}

fn pair<S: GroupStore>(
    c: &mut Criterion,
    name: &str,
    store: &mut S,
    ids: &mut dyn FnMut() -> [u8; 20],
) {
    let mut authorize = Box::new(RequestParser::new());
    let mut revoke = Box::new(RequestParser::new());
    let mut env = Env::new(NOW, ids);
    env.rule_quota = usize::MAX;
    c.bench_function(name, |b| {
        b.iter(|| {
            let r = authorize
                .parse_request(Some(Action::Authorize), black_box(AUTHORIZE))
                .unwrap();
            let added = lifecycle::execute(store, &mut env, &r).unwrap();
            let r = revoke
                .parse_request(Some(Action::Revoke), black_box(REVOKE))
                .unwrap();
            let removed = lifecycle::execute(store, &mut env, &r).unwrap();
            black_box((added, removed))
        })
    });
}

fn authorize_revoke(c: &mut Criterion) {
    let mut ids = counter_ids();
    let mut bounded: Box<BoundedStore<2, 256, 16384>> = Box::new(BoundedStore::new());
    bounded.add_group(group()).unwrap();
    fill(&mut *bounded, 200, &mut ids);
    pair(
        c,
        "lifecycle/authorize_revoke_pair/bounded_store/200",
        &mut *bounded,
        &mut ids,
    );

    for rules in [50, 1_000, 100_000] {
        let mut store = VecStore::new();
        store.add_group(group()).unwrap();
        fill(&mut store, rules, &mut ids);
        pair(
            c,
            &format!("lifecycle/authorize_revoke_pair/vec_store/{rules}"),
            &mut store,
            &mut ids,
        );
    }
}

fn describe(c: &mut Criterion) {
    let mut ids = counter_ids();
    let mut bounded: Box<BoundedStore<2, 256, 16384>> = Box::new(BoundedStore::new());
    bounded.add_group(group()).unwrap();
    fill(&mut *bounded, 200, &mut ids);
    let mut parser = Box::new(RequestParser::new());
    let request = parser
        .parse_request(
            Some(Action::Describe),
            "RegionId=cn-hangzhou&SecurityGroupId=sg-1",
        )
        .unwrap();
    let Request::Describe(request) = request else {
        unreachable!()
    };
    let mut body = String::with_capacity(256 * 1024);
    c.bench_function("lifecycle/describe_json/bounded_store/200", |b| {
        b.iter(|| {
            body.clear();
            lifecycle::write_describe(
                &*bounded,
                &request,
                Format::Json,
                RequestId::from_u128(1),
                &mut body,
            )
            .unwrap();
            black_box(body.len())
        })
    });
}

criterion_group!(benches, authorize_revoke, describe);
criterion_main!(benches);
