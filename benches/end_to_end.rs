//! One request from query string to response body: decode and validate,
//! identify the rule in a group of 200, apply the new description, and
//! write the JSON body; on the bounded store, so nothing allocates.

use std::net::Ipv4Addr;
use std::time::Duration;

use aliyun_sg_egress::model::{EgressRule, RuleDestination};
use aliyun_sg_egress::model::{GroupInfo, Network};
use aliyun_sg_egress::modify;
use aliyun_sg_egress::request::RequestParser;
use aliyun_sg_egress::store::{BoundedStore, GroupStore};
use aliyun_sg_egress::text::{GroupId, RegionId, VpcId};
use aliyun_sg_egress::{Format, RequestId, Response};
use aliyun_sg_egress::{IpProtocol, Ipv4Cidr, NicType, Policy, PortRange, Priority};
use criterion::{Criterion, black_box, criterion_group, criterion_main};

const RULES: usize = 200;

type Store = BoundedStore<4, 256, 16384>;

fn store() -> Box<Store> {
    let mut store: Box<Store> = Box::default();
    let vpc = Network::Vpc {
        id: VpcId::parse("vpc-bp1opxu1zkhn00gzv").unwrap(),
        classic_link: false,
    };
    let info = GroupInfo::new(
        GroupId::parse("sg-bp67acfmxazb4ph1").unwrap(),
        RegionId::parse("cn-hangzhou").unwrap(),
        vpc,
    );
    let g = store.add_group(info).unwrap();
    for i in 0..RULES {
        let port = u16::try_from(i + 1).unwrap();
        let host = Ipv4Addr::new(10, 0, (i / 256) as u8, (i % 256) as u8);
        let description = format!("rule {i}");
        let rule = EgressRule {
            protocol: IpProtocol::Tcp,
            port_range: PortRange::new_assert(port, port),
            source_port_range: None,
            nic_type: NicType::Intranet,
            policy: Policy::Accept,
            priority: Priority::DEFAULT,
            destination: RuleDestination::Ipv4(Ipv4Cidr::from_addr(host)),
            source: None,
            description: &description,
        };
        store.add_rule(g, &rule).unwrap();
    }
    store
}

/// The typical IPv4 request of the `validate` bench, naming rule 100 of
/// the group, with one of two descriptions so that every call changes it.
fn query(description: &str) -> String {
    format!(
        "Action=ModifySecurityGroupEgressRule&RegionId=cn-hangzhou\
         &SecurityGroupId=sg-bp67acfmxazb4ph1&IpProtocol=tcp&PortRange=101/101\
         &NicType=intranet&Policy=accept&Priority=1&DestCidrIp=10.0.0.100\
         &Description={description}"
    )
}

/// One request, start to finish, through a reused parser; the body goes
/// into `body`.
fn handle(
    store: &mut Store,
    parser: &mut RequestParser,
    query: &str,
    id: RequestId,
    body: &mut String,
) -> u16 {
    body.clear();
    let outcome = parser.parse(query).and_then(|req| modify(store, &req));
    let response = Response::from_result(Format::Json, id, &outcome);
    let _ = response.write_body(body);
    response.status()
}

fn end_to_end(c: &mut Criterion) {
    let mut store = store();
    let queries = [
        query("web%20servers%20in%20%E6%9D%AD%E5%B7%9E"),
        query("web%20servers%20in%20%E5%8C%97%E4%BA%AC"),
    ];
    let mut body = String::with_capacity(512);
    let mut parser = RequestParser::new();
    for q in &queries {
        let id = RequestId::from_u128(1);
        assert_eq!(handle(&mut store, &mut parser, q, id, &mut body), 200);
    }
    let (g, _) = store.group("sg-bp67acfmxazb4ph1").unwrap();
    assert_eq!(
        store.rule(g, 100).unwrap().description(),
        "web servers in 北京"
    );

    let mut n = 0u64;
    let mut group = c.benchmark_group("end_to_end");
    group.bench_function("ipv4_modify_json", |b| {
        b.iter(|| {
            n += 1;
            let q = &queries[(n & 1) as usize];
            let id = RequestId::from_parts(0x4734_69C7_AA6F_4DC5, n);
            let status = handle(&mut store, &mut parser, black_box(q), id, &mut body);
            black_box(body.as_str());
            status
        })
    });
    group.finish();
    assert!(
        store
            .rule(g, 100)
            .unwrap()
            .description()
            .starts_with("web servers in ")
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50);
    targets = end_to_end
}
criterion_main!(benches);
