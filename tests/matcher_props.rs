//! Property tests: the matcher agrees with a plain reference matcher (a
//! linear scan over SPEC §6's key), on both stores; the stores' near
//! misses are the generic scan's; a failed modify changes nothing and a
//! successful one is found again by the same request.
#![cfg(feature = "alloc")]

mod common;

use aliyun_sg_egress::error::*;
use aliyun_sg_egress::model::*;
use aliyun_sg_egress::request::*;
use aliyun_sg_egress::store::*;
use aliyun_sg_egress::*;
use common::*;
use proptest::prelude::*;

const PROTOCOLS: &[&str] = &["tcp", "udp", "icmp", "all", "icmpv6"];
const PORTS: &[&str] = &["1/1", "80/80", "1/65535"];
const DESTS: &[&str] = &[
    "DestCidrIp=10.0.0.0/8",
    "DestCidrIp=10.0.0.1/8",
    "DestCidrIp=1.2.3.4",
    "DestCidrIp=1.2.3.4/32",
    "Ipv6DestCidrIp=2001:db8::/32",
    "Ipv6DestCidrIp=2001:db8::1",
    "DestGroupId=sg-peer",
    "DestGroupId=sg-peer2",
];
const SOURCES: &[&str] = &[
    "",
    "&SourceCidrIp=192.168.0.0/16",
    "&SourceCidrIp=192.168.0.1",
    "&Ipv6SourceCidrIp=fd00::/8",
];
const NICS: &[&str] = &["", "&NicType=internet", "&NicType=intranet"];
const POLICIES: &[&str] = &["", "&Policy=drop", "&Policy=accept"];

/// One rule or request, as indices into the tables above.
#[derive(Clone, Debug)]
struct Spec {
    protocol: usize,
    port: usize,
    source_port: Option<usize>,
    dest: usize,
    source: usize,
    nic: usize,
    policy: usize,
    priority: Option<u8>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        0..PROTOCOLS.len(),
        0..PORTS.len(),
        proptest::option::of(0..PORTS.len()),
        0..DESTS.len(),
        0..SOURCES.len(),
        0..NICS.len(),
        0..POLICIES.len(),
        proptest::option::of(1u8..=3),
    )
        .prop_map(
            |(protocol, port, source_port, dest, source, nic, policy, priority)| Spec {
                protocol,
                port,
                source_port,
                dest,
                source,
                nic,
                policy,
                priority,
            },
        )
}

impl Spec {
    fn query(&self) -> String {
        let protocol = PROTOCOLS[self.protocol];
        let ports = |i: usize| {
            if protocol == "tcp" || protocol == "udp" {
                PORTS[i]
            } else {
                "-1/-1"
            }
        };
        let mut q = format!(
            "IpProtocol={protocol}&PortRange={}&{}",
            ports(self.port),
            DESTS[self.dest]
        );
        if let Some(sp) = self.source_port {
            q += &format!("&SourcePortRange={}", ports(sp));
        }
        q += SOURCES[self.source];
        q += NICS[self.nic];
        q += POLICIES[self.policy];
        if let Some(p) = self.priority {
            q += &format!("&Priority={p}");
        }
        q
    }
}

/// The reference: rules as plain owned values, found by a linear scan.
#[derive(Clone, Debug, PartialEq)]
struct RefRule {
    protocol: IpProtocol,
    port_range: PortRange,
    source_port_range: Option<PortRange>,
    nic: NicType,
    policy: Policy,
    dest: String,
    source: Option<Source>,
    priority: u8,
}

fn dest_text(d: &Destination) -> String {
    match d {
        Destination::Ipv4(v4) => format!("v4 {v4}"),
        Destination::Ipv6(v6) => format!("v6 {v6}"),
        Destination::Group(g) => format!("group {}", g.id),
        Destination::PrefixList(id) => format!("prefix list {id}"),
    }
}

fn reference_rule(r: &ModifyEgressRequest, vpc_group: bool, priority: u8) -> RefRule {
    let group_dest = matches!(r.destination(), Destination::Group(_));
    let nic = if vpc_group {
        NicType::Intranet
    } else {
        r.nic_type().unwrap_or(if group_dest {
            NicType::Intranet
        } else {
            NicType::Internet
        })
    };
    RefRule {
        protocol: r.protocol(),
        port_range: r.port_range(),
        source_port_range: r.source_port_range(),
        nic,
        policy: r.policy(),
        dest: dest_text(r.destination()),
        source: r.source(),
        priority,
    }
}

fn same_key(a: &RefRule, b: &RefRule) -> bool {
    (
        a.protocol,
        a.port_range,
        a.source_port_range,
        a.nic,
        a.policy,
        &a.dest,
        a.source,
    ) == (
        b.protocol,
        b.port_range,
        b.source_port_range,
        b.nic,
        b.policy,
        &b.dest,
        b.source,
    )
}

/// SPEC §5–§6 for a world where both peers exist and share the group's
/// network: the outcome as a rule index or an error code.
fn reference_identify(
    rules: &[RefRule],
    r: &ModifyEgressRequest,
    vpc_group: bool,
) -> Result<usize, &'static str> {
    if matches!(r.destination(), Destination::Group(_)) && r.nic_type() == Some(NicType::Internet) {
        return Err("InvalidDestGroupId.Mismatch");
    }
    let want = reference_rule(r, vpc_group, 0);
    let priority_ok = |rule: &RefRule| r.priority().is_none_or(|p| p.get() == rule.priority);
    if let Some(i) = rules.iter().position(|rule| same_key(rule, &want)) {
        if priority_ok(&rules[i]) {
            return Ok(i);
        }
        return Err("SecurityGroupRule.NotFound");
    }
    if !vpc_group {
        let other = RefRule {
            nic: if want.nic == NicType::Internet {
                NicType::Intranet
            } else {
                NicType::Internet
            },
            ..want
        };
        if rules
            .iter()
            .any(|rule| same_key(rule, &other) && priority_ok(rule))
        {
            return Err("InvalidNicType.Mismatch");
        }
    }
    Err("SecurityGroupRule.NotFound")
}

fn outcome(result: Result<Identified, ApiError>) -> Result<usize, &'static str> {
    result.map(|i| i.rule_index).map_err(|e| e.code())
}

fn network(vpc_group: bool) -> Network {
    if vpc_group {
        vpc("vpc-1", false)
    } else {
        Network::Classic
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn matcher_agrees_with_the_reference(
        vpc_group in any::<bool>(),
        rule_specs in proptest::collection::vec(spec(), 0..40),
        request_specs in proptest::collection::vec(spec(), 1..40),
    ) {
        let info = group("sg-1", REGION, network(vpc_group));
        let mut vec_store = VecStore::new();
        let mut bounded: Box<BoundedStore<3, 64, 4096>> = Box::default();
        let g = vec_store.add_group(info.clone()).unwrap();
        let gb = bounded.add_group(info.clone()).unwrap();
        for peer in ["sg-peer", "sg-peer2"] {
            vec_store.add_group(group(peer, REGION, network(vpc_group))).unwrap();
            bounded.add_group(group(peer, REGION, network(vpc_group))).unwrap();
        }

        let mut parser = RequestParser::new();
        let mut reference: Vec<RefRule> = Vec::new();
        for s in &rule_specs {
            let q = format!("RegionId={REGION}&SecurityGroupId=sg-1&{}", s.query());
            let Ok(r) = parser.parse(&q) else {
                continue;
            };
            if matches!(r.destination(), Destination::Group(_)) && r.nic_type() == Some(NicType::Internet) {
                continue;
            }
            let priority = s.priority.unwrap_or(1);
            let expected = reference_rule(&r, vpc_group, priority);
            let rule = rule_of(&r, &info, priority, "");
            let dup = reference.iter().position(|x| same_key(x, &expected));
            let got_vec = vec_store.add_rule(g, &rule);
            let got_bounded = bounded.add_rule(gb, &rule);
            match dup {
                Some(i) => {
                    prop_assert_eq!(got_vec, Err(StoreError::DuplicateRule(i)));
                    prop_assert_eq!(got_bounded, Err(StoreError::DuplicateRule(i)));
                }
                None => {
                    prop_assert_eq!(got_vec, Ok(reference.len()));
                    prop_assert_eq!(got_bounded, Ok(reference.len()));
                    reference.push(expected);
                }
            }
        }

        for (n, s) in request_specs.iter().enumerate() {
            let q = format!("RegionId={REGION}&SecurityGroupId=sg-1&{}&Description=d{n}", s.query());
            let Ok(r) = parser.parse(&q) else { continue };
            let want = reference_identify(&reference, &r, vpc_group);
            prop_assert_eq!(outcome(identify(&vec_store, &r)), want, "{}", q);
            prop_assert_eq!(outcome(identify(&*bounded, &r)), want, "{}", q);
            // Both stores give the near-miss scan the same rules: same
            // rule, same fields.
            let key = request_key(&r, &info);
            let near = closest_rule(&vec_store, g, &key, r.priority());
            prop_assert_eq!(closest_rule(&*bounded, gb, &key, r.priority()), near, "{}", q);

            let before = snapshot(&vec_store, g);
            match modify(&mut vec_store, &r) {
                Ok(applied) => {
                    prop_assert_eq!(Ok(applied.rule.rule_index), want);
                    let expected = format!("d{n}");
                    prop_assert_eq!(vec_store.rule(g, applied.rule.rule_index).unwrap().description(), expected.as_str());
                    prop_assert_eq!(outcome(identify(&vec_store, &r)), want);
                }
                Err(e) => {
                    prop_assert_eq!(Err(e.code()), want);
                    prop_assert_eq!(snapshot(&vec_store, g), before);
                }
            }
            let _ = modify(&mut *bounded, &r);
            prop_assert_eq!(snapshot(&*bounded, gb), snapshot(&vec_store, g));
        }
    }
}
