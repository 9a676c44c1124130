//! Decoding and validating one request with a reused `RequestParser`,
//! beside a floor that only splits the same query strings and
//! percent-decodes them into a stack buffer: what any parser must do
//! before it can look at a value.

use std::time::Duration;

use aliyun_sg_egress::request::RequestParser;
use criterion::{BenchmarkId, Criterion, black_box, criterion_group, criterion_main};

/// The requests measured: (name, query, whether it validates).
const REQUESTS: [(&str, &str, bool); 5] = [
    (
        "ipv4_typical",
        "Action=ModifySecurityGroupEgressRule&RegionId=cn-hangzhou\
         &SecurityGroupId=sg-bp67acfmxazb4ph1&IpProtocol=tcp&PortRange=22/22\
         &NicType=intranet&Policy=accept&Priority=1&DestCidrIp=10.159.6.18/12\
         &SourceCidrIp=192.168.0.0/16&Description=web%20servers%20in%20%E6%9D%AD%E5%B7%9E",
        true,
    ),
    (
        "ipv6",
        "Action=ModifySecurityGroupEgressRule&RegionId=cn-hangzhou&SecurityGroupId=sg-1\
         &IpProtocol=icmpv6&PortRange=-1/-1&Ipv6DestCidrIp=2001%3Adb8%3A%3A1%2F64\
         &Ipv6SourceCidrIp=2001%3Adb8%3A1%3A%3A%2F48&Policy=drop&Priority=5\
         &Description=ping%20v6",
        true,
    ),
    (
        "group",
        "Action=ModifySecurityGroupEgressRule&RegionId=cn-hangzhou&SecurityGroupId=sg-F876FF7BA\
         &IpProtocol=tcp&PortRange=80/80&DestGroupId=sg-1651FBB64\
         &DestGroupOwnerAccount=test%40aliyun.com&DestGroupOwnerId=155780923770\
         &NicType=intranet&Policy=accept&Description=Thisisanewsecuritygrouprule.",
        true,
    ),
    (
        "error_reversed_ports",
        "Action=ModifySecurityGroupEgressRule&RegionId=cn-hangzhou\
         &SecurityGroupId=sg-bp67acfmxazb4ph1&IpProtocol=tcp&PortRange=200/1\
         &NicType=intranet&Policy=accept&Priority=1&DestCidrIp=10.159.6.18/12\
         &SourceCidrIp=192.168.0.0/16&Description=web%20servers%20in%20%E6%9D%AD%E5%B7%9E",
        false,
    ),
    (
        "error_page_example",
        "https://ecs.aliyuncs.com/?Action=ModifySecurityGroupEgressRule\n\
         &SecurityGroupId=sg-F876FF7BA\n&SourceGroupId=sg-1651FBB64\n\
         &SourceGroupOwnerAccount=test@aliyun.com\n&IpProtocol=tcp\n&PortRange=80/80\n\
         &Policy=allow\n&Description=Thisisanewsecuritygrouprule.\n&<公共请求参数>",
        false,
    ),
];

fn hex(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        b'A'..=b'F' => b - b'A' + 10,
        _ => 0,
    }
}

/// Percent-decodes `raw` into `out` (runs without an escape are copied
/// whole), returning the decoded length; a text with nothing to decode is
/// only scanned, as any parser would borrow it.
fn decode(raw: &[u8], out: &mut [u8; 4096]) -> usize {
    let mut len = 0;
    let mut rest = raw;
    while !rest.is_empty() {
        let plain = rest
            .iter()
            .position(|&b| b == b'%' || b == b'+')
            .unwrap_or(rest.len());
        if plain == raw.len() {
            return black_box(raw).len();
        }
        let run = &rest[..plain];
        out[len..len + run.len()].copy_from_slice(run);
        len += run.len();
        rest = match &rest[plain..] {
            [b'+', after @ ..] => {
                out[len] = b' ';
                after
            }
            [b'%', hi, lo, after @ ..] => {
                out[len] = hex(*hi) << 4 | hex(*lo);
                after
            }
            _ => &[],
        };
        len += 1;
    }
    black_box(&out[..len]).len()
}

/// The floor: split on `&` and `=`, percent-decode every name and value.
fn split_and_decode(query: &[u8], buf: &mut [u8; 4096]) -> usize {
    let mut total = 0;
    for pair in query.split(|&b| b == b'&') {
        let (name, value) = match pair.iter().position(|&b| b == b'=') {
            Some(eq) => (&pair[..eq], &pair[eq + 1..]),
            None => (pair, &[][..]),
        };
        total += decode(name, buf) + decode(value, buf);
    }
    total
}

fn validate(c: &mut Criterion) {
    let mut group = c.benchmark_group("validate");
    for (name, query, valid) in REQUESTS {
        let mut parser = RequestParser::new();
        assert_eq!(parser.parse(query).is_ok(), valid, "{name}");
        group.bench_with_input(BenchmarkId::new("parser", name), query, |b, q| {
            b.iter(|| parser.parse(black_box(q)).is_ok())
        });
        let mut buf = [0u8; 4096];
        group.bench_with_input(BenchmarkId::new("floor", name), query, |b, q| {
            b.iter(|| split_and_decode(black_box(q.as_bytes()), &mut buf))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50);
    targets = validate
}
criterion_main!(benches);
