//! An arbitrary state and a sequence of arbitrary requests, through
//! `identify` and `modify` on both stores. After every step: rule keys are
//! unique and each finds its own rule; a refused insert or a failed request
//! changes nothing; a successful one changes only the description it names;
//! `identify` agrees with a linear-scan reference; and the bounded store
//! agrees with the growable one while they hold the same rules.
//!
//! The input is read as (one byte per choice, values from the pools below,
//! which come from the SPEC's examples; a missing byte reads as 0):
//! - groups: a count (mod 5), then per group its id, region, network,
//!   owner account and owner id;
//! - rules: a count (mod 40), then per rule its group, protocol, port range,
//!   source port range, NIC type, policy, priority, destination, source and
//!   description (`255`: a raw string follows, a length byte then bytes);
//! - then requests to the end (at most 16): a flag byte (bit 0: sent as a
//!   percent-encoded query instead of pairs; bit 1: with an ingress-only
//!   `SourceGroupId`), then one byte per parameter in `Param::ALL` order:
//!   0 absent, 1 empty, 255 a raw string, else a pool value.
#![no_main]
// `ApiError` is large by design (the crate's request path never allocates).
#![allow(clippy::result_large_err)]

use std::sync::LazyLock;

use aliyun_sg_egress::error::ApiError;
use aliyun_sg_egress::model::{EgressRule, GroupInfo, Network, RuleDestination, RuleKey};
use aliyun_sg_egress::request::Param;
use aliyun_sg_egress::request::{Destination, ModifyEgressRequest, RequestParser, Source};
use aliyun_sg_egress::store::VecStore;
use aliyun_sg_egress::store::{BoundedStore, GroupHandle, RuleRef, StoreError};
use aliyun_sg_egress::text::{AccountId, AccountName, GroupId, RegionId, VpcId};
use aliyun_sg_egress::{IpProtocol, NicType, Policy, PortRange, Priority};
use aliyun_sg_egress::{identify, modify};
use aliyun_sg_egress_fuzz::{
    Groups, OwnedDestination, OwnedRule, Snapshot, assert_error_well_formed, snapshot,
};
use libfuzzer_sys::fuzz_target;

const GROUP_IDS: &[&str] = &["sg-F876FF7BA", "sg-1651FBB64", "sg-1", "sg-missing"];
const REGIONS: &[&str] = &["cn-hangzhou", "cn-beijing"];
const ACCOUNTS: &[&str] = &["test@aliyun.com", "other@aliyun.com"];
const OWNER_IDS: &[u64] = &[155780923770, 1];
const V4: &[&str] = &[
    "10.0.0.0/8",
    "10.0.0.1/8",
    "10.159.6.18/12",
    "1.2.3.4",
    "1.2.3.4/32",
    "0.0.0.0/0",
];
const V6: &[&str] = &[
    "2001:db8::1",
    "2001:DB8:0:0::1/64",
    "2001:db8::1/128",
    "::ffff:10.0.0.1",
    "::/0",
];
const PORTS: &[&str] = &["-1/-1", "80/80", "22/22", "1/65535", "443/443"];
const PRIORITIES: &[u8] = &[1, 2, 100, 50];

static DESCRIPTIONS: LazyLock<Vec<String>> = LazyLock::new(|| {
    vec![
        String::new(),
        "Thisisanewsecuritygrouprule.".into(),
        "web servers".into(),
        "允许访问 web".into(),
        "é".repeat(512),
        "a".repeat(513),
        "x".repeat(200),
    ]
});

/// Request values per parameter, in `Param::ALL` order.
static REQUEST_POOLS: LazyLock<Vec<Vec<String>>> = LazyLock::new(|| {
    let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let with = |v: &[&str], extra: &[&str]| {
        let mut all = own(v);
        all.extend(own(extra));
        all
    };
    let ports = with(PORTS, &["0022/00022", "200/1", "80-90", "-1/80"]);
    let v4 = with(V4, &["010.0.0.1", "10.0.0.1/08", "::1"]);
    let v6 = with(V6, &["2001:db8::/129", "10.0.0.0/8", "gggg::"]);
    Param::ALL
        .iter()
        .map(|p| match p {
            Param::Action => own(&[
                "ModifySecurityGroupEgressRule",
                "AuthorizeSecurityGroupEgress",
            ]),
            Param::RegionId => own(REGIONS),
            Param::SecurityGroupId | Param::DestGroupId => own(GROUP_IDS),
            Param::IpProtocol => {
                own(&["tcp", "udp", "icmp", "gre", "all", "icmpv6", "TCP", "sctp"])
            }
            Param::PortRange | Param::SourcePortRange => ports.clone(),
            Param::NicType => own(&["intranet", "internet", "Intranet", "wan"]),
            Param::Policy => own(&["accept", "drop", "Accept", "allow"]),
            Param::Priority => own(&["1", "2", "100", "50", "0", "101", "007", "1.5"]),
            Param::Description => DESCRIPTIONS.clone(),
            Param::ClientToken => own(&["123e4567-e89b-12d3-a456-426655440000", "a b"]),
            Param::DestCidrIp | Param::SourceCidrIp => v4.clone(),
            Param::Ipv6DestCidrIp | Param::Ipv6SourceCidrIp => v6.clone(),
            Param::DestGroupOwnerAccount => with(ACCOUNTS, &["nobody@aliyun.com"]),
            Param::DestGroupOwnerId => own(&["155780923770", "1", "x"]),
            // Parameters of the other actions: never sent, so that the
            // corpus keeps its meaning (they come last in `Param::ALL`).
            // LEAD: `DestPrefixListId` joins once the store models it.
            Param::Version
            | Param::SecurityGroupRuleId
            | Param::DestPrefixListId
            | Param::Direction
            | Param::MaxResults
            | Param::NextToken => Vec::new(),
        })
        .collect()
});

struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    fn pick<T: Clone>(&mut self, pool: &[T]) -> T {
        pool[usize::from(self.byte()) % pool.len()].clone()
    }

    fn raw(&mut self) -> String {
        let len = usize::from(self.byte()).min(self.0.len());
        let (text, rest) = self.0.split_at(len);
        self.0 = rest;
        String::from_utf8_lossy(text).into_owned()
    }
}

fn read_group(input: &mut Input<'_>) -> GroupInfo {
    let id = GroupId::parse(input.pick(GROUP_IDS)).unwrap();
    let region = RegionId::parse(input.pick(REGIONS)).unwrap();
    let vpc = |id: &str, classic_link| Network::Vpc {
        id: VpcId::parse(id).unwrap(),
        classic_link,
    };
    let network = match input.byte() % 4 {
        0 => Network::Classic,
        1 => vpc("vpc-1", false),
        2 => vpc("vpc-1", true),
        _ => vpc("vpc-2", false),
    };
    let mut info = GroupInfo::new(id, region, network);
    info.owner_account = match input.byte() % 3 {
        0 => None,
        n => Some(AccountName::parse(ACCOUNTS[usize::from(n) - 1]).unwrap()),
    };
    info.owner_id = match input.byte() % 3 {
        0 => None,
        n => Some(AccountId::new(OWNER_IDS[usize::from(n) - 1])),
    };
    info
}

fn read_rule(input: &mut Input<'_>) -> (u8, OwnedRule) {
    let group = input.byte();
    let ports = |text: &str| PortRange::parse(text).unwrap();
    let protocol = input.pick(IpProtocol::ALL);
    let port_range = ports(input.pick(PORTS));
    let source_port_range = match input.byte() % 4 {
        0 => None,
        1 => Some(PortRange::ANY),
        2 => Some(ports("80/80")),
        _ => Some(ports("1/65535")),
    };
    let nic_type = input.pick(NicType::ALL);
    let policy = input.pick(Policy::ALL);
    let priority = Priority::new(input.pick(PRIORITIES)).unwrap();
    let n = usize::from(input.byte()) % (V4.len() + V6.len() + GROUP_IDS.len());
    let destination = if n < V4.len() {
        OwnedDestination::Ipv4(V4[n].parse().unwrap())
    } else if n < V4.len() + V6.len() {
        OwnedDestination::Ipv6(V6[n - V4.len()].parse().unwrap())
    } else {
        OwnedDestination::Group(GROUP_IDS[n - V4.len() - V6.len()].to_owned())
    };
    let n = usize::from(input.byte()) % (1 + V4.len() + V6.len());
    let source = if n == 0 {
        None
    } else if n <= V4.len() {
        Some(Source::Ipv4(V4[n - 1].parse().unwrap()))
    } else {
        Some(Source::Ipv6(V6[n - 1 - V4.len()].parse().unwrap()))
    };
    let description = match input.byte() {
        255 => input.raw(),
        n => DESCRIPTIONS[usize::from(n) % DESCRIPTIONS.len()].clone(),
    };
    let rule = OwnedRule {
        protocol,
        port_range,
        source_port_range,
        nic_type,
        policy,
        priority,
        destination,
        source,
        description,
    };
    (group, rule)
}

/// A request's parameters, and whether to send them as a query.
struct RequestSpec {
    as_query: bool,
    pairs: Vec<(&'static str, String)>,
}

fn read_request(input: &mut Input<'_>) -> RequestSpec {
    let flags = input.byte();
    let mut pairs = Vec::new();
    if flags & 2 != 0 {
        pairs.push(("SourceGroupId", "sg-1651FBB64".to_owned()));
    }
    for (&param, pool) in Param::ALL.iter().zip(REQUEST_POOLS.iter()) {
        if pool.is_empty() {
            continue;
        }
        let value = match input.byte() {
            0 => continue,
            1 => String::new(),
            255 => input.raw(),
            n => pool[usize::from(n - 2) % pool.len()].clone(),
        };
        pairs.push((param.name(), value));
    }
    RequestSpec {
        as_query: flags & 1 != 0,
        pairs,
    }
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

impl RequestSpec {
    fn validate(&self) -> Result<ModifyEgressRequest<'_>, ApiError> {
        let from_pairs =
            ModifyEgressRequest::from_pairs(self.pairs.iter().map(|(n, v)| (*n, v.as_str())));
        if self.as_query {
            let query = self
                .pairs
                .iter()
                .map(|(n, v)| format!("{n}={}", encode(v)))
                .collect::<Vec<_>>()
                .join("&");
            let mut parser = RequestParser::new();
            let from_query = parser.parse(&query);
            match (&from_query, &from_pairs) {
                (Ok(a), Ok(b)) => assert_eq!(a, b),
                (Err(a), Err(b)) => assert_eq!(
                    (a.code(), a.parameter(), a.hints()),
                    (b.code(), b.parameter(), b.hints())
                ),
                _ => panic!("{query:?}: from_query {from_query:?}, from_pairs {from_pairs:?}"),
            }
        }
        from_pairs
    }
}

/// Keys are unique, each finds its own rule, and every stored rule is one
/// a validated request could name.
fn assert_invariants<S: Groups>(store: &S, snap: &Snapshot) {
    for (g, (info, rules)) in snap.iter().enumerate() {
        let h = GroupHandle::new(g);
        assert_eq!(store.group(&info.id).map(|(h, _)| h), Some(h));
        for (i, rule) in rules.iter().enumerate() {
            let view = rule.view();
            assert_eq!(view.check(), Ok(()), "{rule:?}");
            if info.network.is_vpc() {
                assert_eq!(rule.nic_type, NicType::Intranet);
            }
            assert_eq!(
                store.find_rule(h, RuleRef::Key(&view.key())),
                Some(i),
                "{rule:?}"
            );
            for other in &rules[..i] {
                assert_ne!(other.view().key(), view.key());
            }
        }
    }
}

/// The stores under test, filled the same way.
trait Fill: Groups {
    fn add_group(&mut self, info: GroupInfo) -> Result<GroupHandle, StoreError>;
    fn add_rule(&mut self, group: GroupHandle, rule: &EgressRule<'_>) -> Result<usize, StoreError>;
}

impl Fill for VecStore {
    fn add_group(&mut self, info: GroupInfo) -> Result<GroupHandle, StoreError> {
        VecStore::add_group(self, info)
    }
    fn add_rule(&mut self, group: GroupHandle, rule: &EgressRule<'_>) -> Result<usize, StoreError> {
        VecStore::add_rule(self, group, rule)
    }
}

type Small = BoundedStore<4, 8, 256>;

impl Fill for Small {
    fn add_group(&mut self, info: GroupInfo) -> Result<GroupHandle, StoreError> {
        BoundedStore::add_group(self, info)
    }
    fn add_rule(&mut self, group: GroupHandle, rule: &EgressRule<'_>) -> Result<usize, StoreError> {
        BoundedStore::add_rule(self, group, rule)
    }
}

/// Fills a store; returns how many groups it took.
fn fill<S: Fill>(store: &mut S, groups: &[GroupInfo], rules: &[(u8, OwnedRule)]) -> usize {
    let mut added = 0;
    for info in groups {
        match store.add_group(info.clone()) {
            Ok(h) => {
                assert_eq!(h.index(), added);
                added += 1;
            }
            Err(StoreError::DuplicateGroup) => {
                assert!(snapshot(store, added).iter().any(|(g, _)| g.id == info.id));
            }
            Err(StoreError::GroupsFull) => assert_eq!(added, 4),
            Err(e) => panic!("add_group: {e}"),
        }
    }
    if added == 0 {
        return 0;
    }
    for (group, rule) in rules {
        let g = usize::from(*group) % added;
        let h = GroupHandle::new(g);
        let before = snapshot(store, added);
        let result = store.add_rule(h, &rule.view());
        let after = snapshot(store, added);
        let mut stored = rule.clone();
        if before[g].0.network.is_vpc() {
            stored.nic_type = NicType::Intranet;
        }
        match result {
            Ok(index) => {
                assert_eq!(index, before[g].1.len());
                let mut expected = before.clone();
                expected[g].1.push(stored);
                assert_eq!(after, expected);
            }
            Err(e) => {
                assert_eq!(after, before, "refused insert ({e}) changed the store");
                match e {
                    StoreError::DuplicateRule(i) => {
                        assert_eq!(before[g].1[i].view().key(), stored.view().key());
                    }
                    StoreError::InvalidRule(why) => {
                        assert_eq!(stored.view().check(), Err(why));
                    }
                    StoreError::RulesFull | StoreError::TextFull => {}
                    other => panic!("add_rule: {other}"),
                }
            }
        }
        assert_invariants(store, &after);
    }
    added
}

/// What `identify` must answer, by a linear scan of the snapshot (SPEC §5
/// and §6 steps 3–5): the rule's position, or the error code.
fn reference_identify(snap: &Snapshot, req: &ModifyEgressRequest) -> Result<usize, &'static str> {
    let found = |id: &str| {
        snap.iter()
            .position(|(g, _)| g.id == id && g.region == *req.region_id())
    };
    let g = found(req.security_group_id()).ok_or("InvalidSecurityGroupId.NotFound")?;
    let (info, rules) = &snap[g];
    if let Destination::Group(dest) = req.destination() {
        if req.nic_type() == Some(NicType::Internet) {
            return Err("InvalidDestGroupId.Mismatch");
        }
        if dest.id == req.security_group_id() {
            return Err("InvalidSecurityGroup.IsSame");
        }
        let target = &snap[found(dest.id).ok_or("InvalidDestGroupId.NotFound")?].0;
        let account_differs =
            matches!((dest.owner_account, &target.owner_account), (Some(a), Some(b)) if b != a);
        let id_differs = matches!((dest.owner_id, target.owner_id), (Some(a), Some(b)) if a != b);
        if account_differs || id_differs {
            return Err("InvalidDestGroup.NotFound");
        }
        match (&info.network, &target.network) {
            (Network::Vpc { id: a, .. }, Network::Vpc { id: b, .. }) if a != b => {
                return Err("InvalidDestGroupId.Mismatch");
            }
            (
                Network::Vpc {
                    classic_link: false,
                    ..
                },
                Network::Classic,
            ) => {
                return Err("InvalidSecurityGroup.InvalidNetworkType");
            }
            (
                Network::Classic,
                Network::Vpc {
                    classic_link: false,
                    ..
                },
            ) => {
                return Err("InvalidNetworkType.Conflict");
            }
            _ => {}
        }
    }
    let destination = match req.destination() {
        Destination::Ipv4(v4) => RuleDestination::Ipv4(*v4),
        Destination::Ipv6(v6) => RuleDestination::Ipv6(*v6),
        Destination::Group(dest) => RuleDestination::Group(&dest.id),
        Destination::PrefixList(_) => unreachable!("the requests never name a prefix list"),
    };
    let nic_type = match (info.network.is_vpc(), req.nic_type()) {
        (true, _) => NicType::Intranet,
        (false, Some(nic)) => nic,
        (false, None) if destination.is_group() => NicType::Intranet,
        (false, None) => NicType::Internet,
    };
    let key = RuleKey {
        protocol: req.protocol(),
        port_range: req.port_range(),
        source_port_range: req.source_port_range(),
        nic_type,
        policy: req.policy(),
        destination,
        source: req.source(),
    };
    let priority_ok = |r: &OwnedRule| req.priority().is_none_or(|p| r.priority == p);
    let with_key = |key: &RuleKey<'_>| rules.iter().position(|r| r.view().key() == *key);
    match with_key(&key) {
        Some(i) if priority_ok(&rules[i]) => Ok(i),
        Some(_) => Err("SecurityGroupRule.NotFound"),
        None => {
            let other_nic = match nic_type {
                NicType::Internet => NicType::Intranet,
                NicType::Intranet => NicType::Internet,
            };
            let other = RuleKey {
                nic_type: other_nic,
                ..key
            };
            match with_key(&other) {
                Some(i) if !info.network.is_vpc() && priority_ok(&rules[i]) => {
                    Err("InvalidNicType.Mismatch")
                }
                _ => Err("SecurityGroupRule.NotFound"),
            }
        }
    }
}

/// Runs one request on a store, checking everything; returns what
/// `identify` and `modify` said.
fn run<S: Groups>(
    store: &mut S,
    groups: usize,
    req: &ModifyEgressRequest,
) -> (Result<usize, ApiError>, Result<(), ApiError>) {
    let before = snapshot(store, groups);
    let identified = identify(store, req);
    let expected = reference_identify(&before, req);
    match (&identified, expected) {
        (Ok(id), Ok(i)) => {
            assert_eq!(id.rule_index, i);
            assert_eq!(before[id.group.index()].0.id, *req.security_group_id());
        }
        (Err(e), Err(code)) => {
            assert_eq!(e.code(), code, "{e:?}");
            assert_error_well_formed(e);
            if let Some(near) = e.near_miss() {
                let g = before
                    .iter()
                    .position(|(g, _)| g.id == *req.security_group_id())
                    .expect("a near miss comes from the request's group");
                assert!(near.rule_index < before[g].1.len());
                // The error carries what the near-miss scan finds for the key.
                let handle = GroupHandle::new(g);
                let info = store.info(handle).expect("the group exists");
                let key = aliyun_sg_egress::request::request_key(req, info);
                let generic =
                    aliyun_sg_egress::store::closest_rule(&*store, handle, &key, req.priority());
                assert_eq!(Some(near), generic, "near miss differs from the scan");
            }
        }
        _ => panic!("identify {identified:?}, reference {expected:?}"),
    }
    assert_eq!(
        snapshot(store, groups),
        before,
        "identify changed the store"
    );

    let modified = modify(store, req);
    let after = snapshot(store, groups);
    match (&identified, &modified) {
        (Err(a), Err(b)) => assert_eq!(a, b),
        (Ok(id), Ok(applied)) => {
            assert_eq!(applied.rule, *id);
            let (g, i) = (id.group.index(), id.rule_index);
            let was = &before[g].1[i].description;
            let mut expected = before.clone();
            if let Some(d) = req.description() {
                expected[g].1[i].description = d.to_string();
            }
            assert_eq!(after, expected);
            assert_eq!(applied.changed, after[g].1[i].description != *was);
        }
        (Ok(_), Err(e)) => {
            assert!(
                matches!(
                    e.code(),
                    "InternalError" | "InvalidSecurityGroupDiscription.Malformed"
                ),
                "{e:?}"
            );
            assert_error_well_formed(e);
        }
        (Err(_), Ok(_)) => panic!("identify failed but modify succeeded: {modified:?}"),
    }
    if modified.is_err() {
        assert_eq!(after, before, "a failed request changed the store");
    }
    assert_invariants(store, &after);
    (identified.map(|id| id.rule_index), modified.map(|_| ()))
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let groups: Vec<GroupInfo> = (0..input.byte() % 5)
        .map(|_| read_group(&mut input))
        .collect();
    let rules: Vec<(u8, OwnedRule)> = (0..input.byte() % 40)
        .map(|_| read_rule(&mut input))
        .collect();

    let mut vec = VecStore::new();
    let mut small = Box::new(Small::new());
    let vec_groups = fill(&mut vec, &groups, &rules);
    let small_groups = fill(&mut *small, &groups, &rules);

    for _ in 0..16 {
        if input.0.is_empty() {
            break;
        }
        let spec = read_request(&mut input);
        let Ok(req) = spec.validate() else {
            continue;
        };
        let same = snapshot(&vec, vec_groups) == snapshot(&*small, small_groups);
        let on_vec = run(&mut vec, vec_groups, &req);
        let on_small = run(&mut *small, small_groups, &req);
        if same {
            assert_eq!(on_vec.0, on_small.0, "identify differs between the stores");
            if on_small
                .1
                .as_ref()
                .is_err_and(|e| e.code() == "InternalError")
            {
                continue;
            }
            assert_eq!(on_vec.1, on_small.1, "modify differs between the stores");
        }
    }
});
