//! Every outcome of SPEC §5–§6 through the public API, with exact codes.
#![cfg(feature = "alloc")]

mod common;

use aliyun_sg_egress::error::*;
use aliyun_sg_egress::model::*;
use aliyun_sg_egress::store::*;
use aliyun_sg_egress::text::*;
use aliyun_sg_egress::*;
use common::*;

struct World {
    store: VecStore,
    vpc1: GroupHandle,
    classic: GroupHandle,
}

/// Seven groups: see each test for the one it uses.
fn world() -> World {
    let mut store = VecStore::new();
    let mut vpc1_info = group("sg-vpc1", REGION, vpc("vpc-1", false));
    vpc1_info.owner_account = Some(AccountName::parse("alice@example.com").unwrap());
    vpc1_info.owner_id = Some(AccountId::new(111));
    let vpc1 = store.add_group(vpc1_info.clone()).unwrap();
    let mut vpc1b_info = group("sg-vpc1b", REGION, vpc("vpc-1", false));
    vpc1b_info.owner_account = Some(AccountName::parse("bob@example.com").unwrap());
    vpc1b_info.owner_id = Some(AccountId::new(222));
    store.add_group(vpc1b_info).unwrap();
    store
        .add_group(group("sg-vpc2", REGION, vpc("vpc-2", false)))
        .unwrap();
    let cl_info = group("sg-vpc-cl", REGION, vpc("vpc-3", true));
    let cl = store.add_group(cl_info.clone()).unwrap();
    let classic_info = group("sg-classic", REGION, Network::Classic);
    let classic = store.add_group(classic_info.clone()).unwrap();
    store
        .add_group(group("sg-classic2", REGION, Network::Classic))
        .unwrap();
    store
        .add_group(group("sg-beijing", "cn-beijing", vpc("vpc-1", false)))
        .unwrap();

    let vpc1_rules = [
        (
            "IpProtocol=tcp&PortRange=80/80&DestCidrIp=10.0.0.0/8",
            1,
            "web",
        ),
        (
            "IpProtocol=tcp&PortRange=22/22&DestCidrIp=1.2.3.4",
            5,
            "ssh",
        ),
        (
            "IpProtocol=udp&PortRange=53/53&DestCidrIp=10.159.6.18/12&SourcePortRange=1000/2000",
            1,
            "",
        ),
        (
            "IpProtocol=tcp&PortRange=443/443&Ipv6DestCidrIp=2001:db8::/32&Policy=drop",
            1,
            "v6",
        ),
        (
            "IpProtocol=all&PortRange=-1/-1&DestGroupId=sg-vpc1b",
            1,
            "peer",
        ),
        (
            "IpProtocol=icmp&PortRange=-1/-1&DestCidrIp=0.0.0.0/0&SourceCidrIp=192.168.0.0/16",
            1,
            "",
        ),
    ];
    for (q, prio, desc) in vpc1_rules {
        let r = req("sg-vpc1", q);
        store
            .add_rule(vpc1, &rule_of(&r, &vpc1_info, prio, desc))
            .unwrap();
    }
    let r = req(
        "sg-vpc-cl",
        "IpProtocol=tcp&PortRange=80/80&DestGroupId=sg-classic",
    );
    store
        .add_rule(cl, &rule_of(&r, &cl_info, 1, "to classic"))
        .unwrap();
    let classic_rules = [
        (
            "IpProtocol=tcp&PortRange=80/80&DestCidrIp=10.0.0.0/8",
            1,
            "public web",
        ),
        (
            "IpProtocol=tcp&PortRange=80/80&DestGroupId=sg-vpc-cl",
            1,
            "linked",
        ),
        (
            "IpProtocol=tcp&PortRange=25/25&DestCidrIp=10.0.0.0/8&NicType=intranet",
            3,
            "smtp",
        ),
    ];
    for (q, prio, desc) in classic_rules {
        let r = req("sg-classic", q);
        store
            .add_rule(classic, &rule_of(&r, &classic_info, prio, desc))
            .unwrap();
    }
    World {
        store,
        vpc1,
        classic,
    }
}

fn code_of(w: &World, group_id: &str, rest: &str) -> (u16, &'static str) {
    let e = identify(&w.store, &req(group_id, rest)).unwrap_err();
    (e.status(), e.code())
}

fn found(w: &World, group_id: &str, rest: &str) -> usize {
    identify(&w.store, &req(group_id, rest))
        .unwrap_or_else(|e| panic!("{rest}: {} {e} ({})", e.code(), e.detail()))
        .rule_index
}

#[test]
fn security_group_must_exist_in_the_region() {
    let w = world();
    let q = "IpProtocol=tcp&PortRange=80/80&DestCidrIp=10.0.0.0/8";
    assert_eq!(
        code_of(&w, "sg-nope", q),
        (404, "InvalidSecurityGroupId.NotFound")
    );
    assert_eq!(
        code_of(&w, "sg-beijing", q),
        (404, "InvalidSecurityGroupId.NotFound")
    );
    assert_eq!(found(&w, "sg-vpc1", q), 0);
}

#[test]
fn group_destination_checks_in_spec_order() {
    let w = world();
    let base = "IpProtocol=all&PortRange=-1/-1";
    // 1. internet NIC first, even for the group itself or a missing group.
    assert_eq!(
        code_of(
            &w,
            "sg-vpc1",
            &format!("{base}&DestGroupId=sg-vpc1&NicType=internet")
        ),
        (403, "InvalidDestGroupId.Mismatch")
    );
    assert_eq!(
        code_of(
            &w,
            "sg-vpc1",
            &format!("{base}&DestGroupId=sg-missing&NicType=Internet")
        ),
        (403, "InvalidDestGroupId.Mismatch")
    );
    // 2. the group itself.
    assert_eq!(
        code_of(&w, "sg-vpc1", &format!("{base}&DestGroupId=sg-vpc1")),
        (403, "InvalidSecurityGroup.IsSame")
    );
    // 3. missing, or in another region.
    assert_eq!(
        code_of(&w, "sg-vpc1", &format!("{base}&DestGroupId=sg-missing")),
        (404, "InvalidDestGroupId.NotFound")
    );
    assert_eq!(
        code_of(&w, "sg-vpc1", &format!("{base}&DestGroupId=sg-beijing")),
        (404, "InvalidDestGroupId.NotFound")
    );
    // 4. another VPC.
    assert_eq!(
        code_of(&w, "sg-vpc1", &format!("{base}&DestGroupId=sg-vpc2")),
        (400, "InvalidDestGroupId.Mismatch")
    );
    // intranet given explicitly is fine.
    assert_eq!(
        found(
            &w,
            "sg-vpc1",
            &format!("{base}&DestGroupId=sg-vpc1b&NicType=intranet")
        ),
        4
    );
}

#[test]
fn ownership_is_checked_only_when_both_sides_have_it() {
    let w = world();
    let base = "IpProtocol=all&PortRange=-1/-1&DestGroupId=sg-vpc1b";
    assert_eq!(
        found(
            &w,
            "sg-vpc1",
            &format!("{base}&DestGroupOwnerAccount=bob@example.com")
        ),
        4
    );
    assert_eq!(
        found(&w, "sg-vpc1", &format!("{base}&DestGroupOwnerId=222")),
        4
    );
    assert_eq!(
        code_of(
            &w,
            "sg-vpc1",
            &format!("{base}&DestGroupOwnerAccount=alice@example.com")
        ),
        (400, "InvalidDestGroup.NotFound")
    );
    assert_eq!(
        code_of(&w, "sg-vpc1", &format!("{base}&DestGroupOwnerId=111")),
        (400, "InvalidDestGroup.NotFound")
    );
    // sg-vpc2 records no owner: nothing to check, then the VPC check fails.
    assert_eq!(
        code_of(
            &w,
            "sg-vpc1",
            "IpProtocol=all&PortRange=-1/-1&DestGroupId=sg-vpc2&DestGroupOwnerId=5"
        ),
        (400, "InvalidDestGroupId.Mismatch")
    );
}

#[test]
fn classic_link_rules() {
    let w = world();
    let q = "IpProtocol=tcp&PortRange=80/80&DestGroupId=sg-classic";
    // VPC source, classic destination, ClassicLink off.
    assert_eq!(
        code_of(&w, "sg-vpc1", q),
        (400, "InvalidSecurityGroup.InvalidNetworkType")
    );
    // ClassicLink on: the rule is found.
    assert_eq!(found(&w, "sg-vpc-cl", q), 0);
    // Classic source, VPC destination without ClassicLink.
    assert_eq!(
        code_of(
            &w,
            "sg-classic",
            "IpProtocol=tcp&PortRange=80/80&DestGroupId=sg-vpc1"
        ),
        (403, "InvalidNetworkType.Conflict")
    );
    // ... and with it.
    assert_eq!(
        found(
            &w,
            "sg-classic",
            "IpProtocol=tcp&PortRange=80/80&DestGroupId=sg-vpc-cl"
        ),
        1
    );
    // Classic to classic: no network check; no such rule.
    assert_eq!(
        code_of(
            &w,
            "sg-classic",
            "IpProtocol=tcp&PortRange=80/80&DestGroupId=sg-classic2"
        ),
        (404, "SecurityGroupRule.NotFound")
    );
}

#[test]
fn cidr_beside_a_group_wins() {
    let w = world();
    assert_eq!(
        found(
            &w,
            "sg-vpc1",
            "IpProtocol=tcp&PortRange=80/80&DestCidrIp=10.0.0.0/8&DestGroupId=sg-vpc2"
        ),
        0
    );
}

#[test]
fn nic_type_in_vpc_groups_is_always_intranet() {
    let w = world();
    for nic in [
        "",
        "&NicType=internet",
        "&NicType=intranet",
        "&NicType=INTERNET",
    ] {
        assert_eq!(
            found(
                &w,
                "sg-vpc1",
                &format!("IpProtocol=tcp&PortRange=80/80&DestCidrIp=10.0.0.0/8{nic}")
            ),
            0
        );
    }
}

#[test]
fn classic_groups_report_nic_mismatch() {
    let w = world();
    let web = "IpProtocol=tcp&PortRange=80/80&DestCidrIp=10.0.0.0/8";
    assert_eq!(found(&w, "sg-classic", web), 0);
    assert_eq!(
        found(&w, "sg-classic", &format!("{web}&NicType=internet")),
        0
    );
    assert_eq!(
        code_of(&w, "sg-classic", &format!("{web}&NicType=intranet")),
        (400, "InvalidNicType.Mismatch")
    );
    let smtp = "IpProtocol=tcp&PortRange=25/25&DestCidrIp=10.0.0.0/8";
    assert_eq!(
        code_of(&w, "sg-classic", smtp),
        (400, "InvalidNicType.Mismatch")
    );
    assert_eq!(
        code_of(&w, "sg-classic", &format!("{smtp}&Priority=3")),
        (400, "InvalidNicType.Mismatch")
    );
    // The Priority filter applies to the mismatch too.
    assert_eq!(
        code_of(&w, "sg-classic", &format!("{smtp}&Priority=1")),
        (404, "SecurityGroupRule.NotFound")
    );
    assert_eq!(
        found(
            &w,
            "sg-classic",
            &format!("{smtp}&NicType=intranet&Priority=3")
        ),
        2
    );
}

#[test]
fn priority_filters_the_found_rule() {
    let w = world();
    let ssh = "IpProtocol=tcp&PortRange=22/22&DestCidrIp=1.2.3.4";
    assert_eq!(found(&w, "sg-vpc1", ssh), 1);
    assert_eq!(found(&w, "sg-vpc1", &format!("{ssh}&Priority=5")), 1);
    let e = identify(&w.store, &req("sg-vpc1", &format!("{ssh}&Priority=1"))).unwrap_err();
    assert_eq!((e.status(), e.code()), (404, "SecurityGroupRule.NotFound"));
    assert_eq!(
        e.to_string(),
        "The target security group rule do not exist."
    );
    let near = e.near_miss().unwrap();
    assert_eq!(near.rule_index, 1);
    assert_eq!(near.differs, RuleFields::NONE.with(RuleField::Priority));
    assert_eq!(
        e.detail().to_string(),
        "no egress rule of sg-vpc1 has this key; closest rule #1 differs in Priority"
    );
}

#[test]
fn a_near_miss_detail_lists_every_differing_field() {
    let w = world();
    let e = identify(
        &w.store,
        &req(
            "sg-vpc1",
            "IpProtocol=tcp&PortRange=81/81&DestCidrIp=10.0.0.0/8&Policy=drop",
        ),
    )
    .unwrap_err();
    let near = e.near_miss().unwrap();
    assert_eq!(
        near.to_string(),
        "closest rule #0 differs in PortRange, Policy"
    );
    assert_eq!(
        e.detail().to_string(),
        "no egress rule of sg-vpc1 has this key; closest rule #0 differs in PortRange, Policy"
    );
    let every = NearMiss {
        rule_index: 12_345,
        differs: RuleField::ALL
            .into_iter()
            .fold(RuleFields::NONE, RuleFields::with),
    };
    assert_eq!(
        every.to_string(),
        "closest rule #12345 differs in IpProtocol, PortRange, SourcePortRange, NicType, \
         Policy, destination, destination as written (bare address, /32 or host bits), \
         source, source as written (bare address, /32 or host bits), Priority"
    );
}

fn near_miss(w: &World, rest: &str) -> NearMiss {
    let e = identify(&w.store, &req("sg-vpc1", rest)).unwrap_err();
    assert_eq!(e.code(), "SecurityGroupRule.NotFound", "{rest}");
    e.near_miss().unwrap()
}

#[test]
fn near_misses_name_the_closest_rule_and_what_differs() {
    let w = world();
    let only = |f| RuleFields::NONE.with(f);
    // 1.2.3.4/32 is not 1.2.3.4.
    let n = near_miss(&w, "IpProtocol=tcp&PortRange=22/22&DestCidrIp=1.2.3.4/32");
    assert_eq!(
        (n.rule_index, n.differs),
        (1, only(RuleField::DestinationSpelling))
    );
    // Host bits: 10.144.0.0/12 is not 10.159.6.18/12.
    let n = near_miss(
        &w,
        "IpProtocol=udp&PortRange=53/53&DestCidrIp=10.144.0.0/12&SourcePortRange=1000/2000",
    );
    assert_eq!(
        (n.rule_index, n.differs),
        (2, only(RuleField::DestinationSpelling))
    );
    // SourcePortRange left out.
    let n = near_miss(
        &w,
        "IpProtocol=udp&PortRange=53/53&DestCidrIp=10.159.6.18/12",
    );
    assert_eq!(
        (n.rule_index, n.differs),
        (2, only(RuleField::SourcePortRange))
    );
    // Another policy.
    let n = near_miss(
        &w,
        "IpProtocol=tcp&PortRange=443/443&Ipv6DestCidrIp=2001:db8::/32",
    );
    assert_eq!((n.rule_index, n.differs), (3, only(RuleField::Policy)));
    // A source the rule has, left out; and a different source block.
    let n = near_miss(&w, "IpProtocol=icmp&PortRange=-1/-1&DestCidrIp=0.0.0.0/0");
    assert_eq!((n.rule_index, n.differs), (5, only(RuleField::Source)));
    let n = near_miss(
        &w,
        "IpProtocol=icmp&PortRange=-1/-1&DestCidrIp=0.0.0.0/0&SourceCidrIp=192.168.0.0/24",
    );
    assert_eq!((n.rule_index, n.differs), (5, only(RuleField::Source)));
    // Two fields at once.
    let n = near_miss(
        &w,
        "IpProtocol=tcp&PortRange=81/81&DestCidrIp=10.0.0.0/8&Policy=drop",
    );
    assert_eq!(n.rule_index, 0);
    assert_eq!(
        n.differs,
        only(RuleField::PortRange).with(RuleField::Policy)
    );
    // IPv6 compares by value: a different spelling of the same value matches.
    assert_eq!(
        found(
            &w,
            "sg-vpc1",
            "IpProtocol=tcp&PortRange=443/443&Ipv6DestCidrIp=2001:DB8:0::/32&Policy=Drop"
        ),
        3
    );
}

#[test]
fn hints_never_change_the_code() {
    let w = world();
    let e = identify(
        &w.store,
        &req(
            "sg-vpc1",
            "IpProtocol=tcp&PortRange=22/22&DestCidrIp=1.2.3.4/32&SourceGroupId=sg-x",
        ),
    )
    .unwrap_err();
    assert_eq!((e.status(), e.code()), (404, "SecurityGroupRule.NotFound"));
    assert!(e.hints().contains(Hint::SourceGroupId));
}

#[test]
fn modify_sets_clears_or_keeps_the_description_and_nothing_else() {
    let mut w = world();
    let before = snapshot(&w.store, w.vpc1);
    let q = "IpProtocol=tcp&PortRange=22/22&DestCidrIp=1.2.3.4";

    let applied = modify(
        &mut w.store,
        &req("sg-vpc1", &format!("{q}&Description=jump%20host")),
    )
    .unwrap();
    assert_eq!(applied.rule.rule_index, 1);
    assert!(applied.changed);
    let rule = w.store.rule(w.vpc1, 1).unwrap();
    assert_eq!(rule.description(), "jump host");
    assert_eq!(rule.modelled().unwrap().priority.get(), 5);
    let after = snapshot(&w.store, w.vpc1);
    for (i, (b, a)) in before.iter().zip(&after).enumerate() {
        if i == 1 {
            assert_eq!(a.replace("jump host", "ssh"), *b);
        } else {
            assert_eq!(a, b, "rule {i} changed");
        }
    }

    // The same request finds the same rule afterwards.
    assert_eq!(
        identify(&w.store, &req("sg-vpc1", q)).unwrap().rule_index,
        1
    );

    // Absent Description: success, nothing changes.
    let applied = modify(&mut w.store, &req("sg-vpc1", q)).unwrap();
    assert!(!applied.changed);
    assert_eq!(w.store.rule(w.vpc1, 1).unwrap().description(), "jump host");

    // Empty Description clears.
    let applied = modify(&mut w.store, &req("sg-vpc1", &format!("{q}&Description="))).unwrap();
    assert!(applied.changed);
    assert_eq!(applied.rule.rule_index, 1);
    assert_eq!(w.store.rule(w.vpc1, 1).unwrap().description(), "");
}

#[test]
fn failed_requests_change_nothing() {
    let mut w = world();
    let before: Vec<_> = [w.vpc1, w.classic]
        .iter()
        .map(|&g| snapshot(&w.store, g))
        .collect();
    for (group_id, rest) in [
        (
            "sg-vpc1",
            "IpProtocol=tcp&PortRange=22/22&DestCidrIp=1.2.3.4/32&Description=x",
        ),
        (
            "sg-vpc1",
            "IpProtocol=tcp&PortRange=22/22&DestCidrIp=1.2.3.4&Priority=2&Description=x",
        ),
        (
            "sg-vpc1",
            "IpProtocol=all&PortRange=-1/-1&DestGroupId=sg-vpc2&Description=x",
        ),
        (
            "sg-classic",
            "IpProtocol=tcp&PortRange=25/25&DestCidrIp=10.0.0.0/8&Description=x",
        ),
        (
            "sg-nope",
            "IpProtocol=tcp&PortRange=25/25&DestCidrIp=10.0.0.0/8&Description=x",
        ),
    ] {
        assert!(modify(&mut w.store, &req(group_id, rest)).is_err());
    }
    let after: Vec<_> = [w.vpc1, w.classic]
        .iter()
        .map(|&g| snapshot(&w.store, g))
        .collect();
    assert_eq!(before, after);
}

#[test]
fn bounded_store_enforces_the_rule_quota_and_key_uniqueness() {
    let mut store: BoundedStore<2, 3, 256> = BoundedStore::new();
    let info = group("sg-1", REGION, vpc("vpc-1", false));
    let g = store.add_group(info.clone()).unwrap();
    let reqs: Vec<_> = (1..=4)
        .map(|p| {
            req(
                "sg-1",
                &format!("IpProtocol=tcp&PortRange={p}/{p}&DestCidrIp=10.0.0.0/8"),
            )
        })
        .collect();
    for r in &reqs[..3] {
        store.add_rule(g, &rule_of(r, &info, 1, "")).unwrap();
    }
    let full = store
        .add_rule(g, &rule_of(&reqs[3], &info, 1, ""))
        .unwrap_err();
    assert_eq!(full, StoreError::RulesFull);
    let api = ApiError::from(full);
    assert_eq!(
        (api.status(), api.code()),
        (403, "AuthorizationLimitExceed")
    );

    let mut store: BoundedStore<2, 3, 256> = BoundedStore::new();
    let g = store.add_group(info.clone()).unwrap();
    store
        .add_rule(g, &rule_of(&reqs[0], &info, 1, "a"))
        .unwrap();
    // Same key, other priority and description: still the same rule.
    assert_eq!(
        store.add_rule(g, &rule_of(&reqs[0], &info, 7, "b")),
        Err(StoreError::DuplicateRule(0))
    );
    assert_eq!(store.add_group(info), Err(StoreError::DuplicateGroup));
    assert_eq!(store.rules(g).count(), 1);
}

#[test]
fn growable_text_arena_compacts_without_losing_a_description() {
    // Enough rewrites that garbage passes 4 KiB and the live text, so the
    // `VecStore` copies its arena at least once.
    let mut store = VecStore::new();
    let info = group("sg-1", REGION, vpc("vpc-1", false));
    let g = store.add_group(info.clone()).unwrap();
    let rules = 40;
    for p in 1..=rules {
        let r = req(
            "sg-1",
            &format!("IpProtocol=tcp&PortRange={p}/{p}&DestCidrIp=10.0.0.0/8"),
        );
        store
            .add_rule(g, &rule_of(&r, &info, 1, &format!("start-{p}")))
            .unwrap();
    }
    let mut model: Vec<String> = (1..=rules).map(|p| format!("start-{p}")).collect();
    for round in 0..30 {
        for p in 1..=rules {
            // Always longer than before, so each rewrite leaves garbage.
            let text = format!("{round:02}-{p}-{}", "y".repeat(round));
            let q = format!(
                "IpProtocol=tcp&PortRange={p}/{p}&DestCidrIp=10.0.0.0/8&Description={text}"
            );
            modify(&mut store, &req("sg-1", &q)).unwrap();
            model[p - 1] = text;
        }
        for (i, expected) in model.iter().enumerate() {
            assert_eq!(
                store.rule(g, i).unwrap().description(),
                *expected,
                "round {round}"
            );
        }
    }
}

#[test]
fn bounded_text_arena_compacts_and_stays_atomic_when_full() {
    let mut store: BoundedStore<1, 4, 64> = BoundedStore::new();
    let info = group("sg-1", REGION, vpc("vpc-1", false));
    let g = store.add_group(info.clone()).unwrap();
    let reqs: Vec<_> = (1..=4)
        .map(|p| {
            req(
                "sg-1",
                &format!("IpProtocol=tcp&PortRange={p}/{p}&DestCidrIp=10.0.0.0/8"),
            )
        })
        .collect();
    for (i, r) in reqs.iter().enumerate() {
        store
            .add_rule(
                g,
                &rule_of(r, &info, 1, ["aaaa", "bbbb", "cccc", "dddd"][i]),
            )
            .unwrap();
    }
    // Rewriting descriptions many times only works if garbage is reclaimed;
    // lengths go up, down and to empty (cut off the end, appended, cleared),
    // and every other rule keeps its text.
    let mut model = ["aaaa", "bbbb", "cccc", "dddd"].map(String::from);
    for round in 0..50 {
        for i in 0..reqs.len() {
            let text = match (round + i) % 4 {
                0 => String::new(),
                k => format!("r{round}-{i}-{}", "x".repeat(k * 3)),
            };
            let q = format!(
                "IpProtocol=tcp&PortRange={0}/{0}&DestCidrIp=10.0.0.0/8&Description={text}",
                i + 1
            );
            modify(&mut store, &req("sg-1", &q)).unwrap();
            model[i] = text;
            for (j, expected) in model.iter().enumerate() {
                assert_eq!(
                    store.rule(g, j).unwrap().description(),
                    *expected,
                    "{round} {i}"
                );
            }
        }
    }
    // A description that cannot fit fails as InternalError and changes nothing.
    let before = snapshot(&store, g);
    let q = format!(
        "IpProtocol=tcp&PortRange=1/1&DestCidrIp=10.0.0.0/8&Description={}",
        "y".repeat(60)
    );
    let e = modify(&mut store, &req("sg-1", &q)).unwrap_err();
    assert_eq!((e.status(), e.code()), (500, "InternalError"));
    assert_eq!(snapshot(&store, g), before);
}

#[test]
fn bounded_text_arena_compacts_multibyte_texts_and_opaque_fields_intact() {
    // A full arena of texts with characters of 2 to 4 bytes, rewritten
    // in the middle until it must be compacted many times: every cut
    // falls between whole texts, so every text reads back as written.
    let mut store: BoundedStore<1, 4, 160> = BoundedStore::new();
    let info = group("sg-1", REGION, vpc("vpc-1", false));
    let g = store.add_group(info.clone()).unwrap();
    let fields = [
        ("IpProtocol", "47"),
        ("Ünïcode", "值🙂"),
        ("Description", "é"),
    ];
    let opaque = Rule {
        id: "sgr-opaque",
        create_time: "",
        body: RuleBody::Opaque(OpaqueRule::new(&fields)),
    };
    store.change(g, Change::Insert(opaque)).unwrap();
    let reqs: Vec<_> = (1..=3)
        .map(|p| {
            req(
                "sg-1",
                &format!("IpProtocol=tcp&PortRange={p}/{p}&DestCidrIp=10.0.0.0/8"),
            )
        })
        .collect();
    for r in &reqs {
        store.add_rule(g, &rule_of(r, &info, 1, "杭州")).unwrap();
    }
    let mut model = ["杭州", "杭州", "杭州"].map(String::from);
    for round in 0..60 {
        for i in [1, 0, 2, 1] {
            let text = format!(
                "{round}-{}",
                ["é", "北京", "🙂"][(round + i) % 3].repeat(round % 5)
            );
            let q = format!(
                "IpProtocol=tcp&PortRange={0}/{0}&DestCidrIp=10.0.0.0/8&Description={1}",
                i + 1,
                encoded(&text)
            );
            modify(&mut store, &req("sg-1", &q)).unwrap();
            model[i] = text;
            let read: Vec<String> = (1..=3)
                .map(|j| store.rule(g, j).unwrap().description().to_string())
                .collect();
            assert_eq!(read, model, "round {round}, rule {i}");
            let back = store.rule(g, 0).unwrap();
            let RuleBody::Opaque(back) = back.body else {
                panic!("{back:?}")
            };
            assert_eq!(back.fields().collect::<Vec<_>>(), fields);
        }
    }
}

/// Every byte of `text` as `%XX`.
fn encoded(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// Issue #3's memory budget: a stored rule (key, three text spans, the
/// id's length, hash, two chain links, two order links, priority) plus its
/// two buckets, texts aside.
#[test]
#[cfg(target_pointer_width = "64")]
fn a_stored_rule_takes_100_bytes_plus_two_4_byte_buckets() {
    assert_eq!(aliyun_sg_egress::store::STORED_RULE_BYTES, 100);
}

/// The growable store finds each of many groups by id (comparing ids in
/// turn among a few, then through its hashed index), only those, and
/// refuses a second group with an existing id.
#[test]
fn vec_store_finds_each_of_many_groups() {
    use aliyun_sg_egress::store::{GroupStore, StoreError, VecStore};
    let mut store = VecStore::new();
    let region = RegionId::parse("cn-hangzhou").unwrap();
    let id = |i: usize| GroupId::parse(&format!("sg-{i:x}")).unwrap();
    let found = |store: &VecStore, i: usize| store.group(id(i).as_str()).map(|(g, _)| g.index());
    for i in 0..2_000 {
        let g = store
            .add_group(GroupInfo::new(id(i), region.clone(), Network::Classic))
            .unwrap();
        assert_eq!(g.index(), i);
        if i < 20 {
            // Across the switch from the scan to the index.
            assert!((0..=i).all(|k| found(&store, k) == Some(k)), "{i}");
            assert_eq!(found(&store, i + 1), None);
            let again = GroupInfo::new(id(i / 2), region.clone(), Network::Classic);
            assert_eq!(store.add_group(again), Err(StoreError::DuplicateGroup));
        }
    }
    for i in 0..2_000 {
        let found = store
            .group(id(i).as_str())
            .map(|(g, info)| (g.index(), info.id.clone()));
        assert_eq!(found, Some((i, id(i))));
    }
    for missing in ["sg-7d0", "sg-", "sg-00", "SG-1", "sg-1 "] {
        assert!(store.group(missing).is_none(), "{missing}");
    }
    let again = GroupInfo::new(id(1_234), region, Network::Classic);
    assert_eq!(store.add_group(again), Err(StoreError::DuplicateGroup));
}

/// A store of one's own: the `GroupStore` methods over a `VecStore`, so
/// the matcher sees it only through the trait.
struct RequiredOnly(VecStore);

impl GroupStore for RequiredOnly {
    fn group(&self, id: &str) -> Option<(GroupHandle, &GroupInfo)> {
        self.0.group(id)
    }
    fn find_rule(&self, group: GroupHandle, by: RuleRef<'_>) -> Option<usize> {
        self.0.find_rule(group, by)
    }
    fn rule(&self, group: GroupHandle, index: usize) -> Option<Rule<'_>> {
        self.0.rule(group, index)
    }
    fn next_rule(&self, group: GroupHandle, after: Option<usize>) -> Option<usize> {
        self.0.next_rule(group, after)
    }
    fn counts(&self, group: GroupHandle) -> RuleCounts {
        self.0.counts(group)
    }
    fn change(&mut self, group: GroupHandle, change: Change<'_>) -> Result<usize, StoreError> {
        self.0.change(group, change)
    }
}

/// A store known only through the trait answers as the crate's own store.
#[test]
fn a_store_known_only_through_the_trait_answers_the_same() {
    let requests = [
        (
            "sg-vpc1",
            "IpProtocol=tcp&PortRange=80/80&DestCidrIp=10.0.0.0/8&Description=new",
        ),
        (
            "sg-vpc1",
            "IpProtocol=tcp&PortRange=80/80&DestCidrIp=10.0.0.0/8&Description=web",
        ),
        (
            "sg-vpc1",
            "IpProtocol=tcp&PortRange=80/80&DestCidrIp=10.0.0.0/8&Priority=1",
        ),
        (
            "sg-vpc1",
            "IpProtocol=tcp&PortRange=80/80&DestCidrIp=10.0.0.0/8&Priority=2",
        ),
        (
            "sg-vpc1",
            "IpProtocol=tcp&PortRange=22/22&DestCidrIp=1.2.3.4/32",
        ),
        (
            "sg-vpc1",
            "IpProtocol=udp&PortRange=53/53&DestCidrIp=10.159.6.18/12",
        ),
        (
            "sg-vpc1",
            "IpProtocol=tcp&PortRange=443/443&Ipv6DestCidrIp=2001:db8::1/32",
        ),
        (
            "sg-vpc1",
            "IpProtocol=all&PortRange=-1/-1&DestGroupId=sg-vpc1b&Description=p",
        ),
        (
            "sg-vpc1",
            "IpProtocol=icmp&PortRange=-1/-1&DestCidrIp=0.0.0.0/0&SourceCidrIp=192.168.1.0/16",
        ),
        (
            "sg-classic",
            "IpProtocol=tcp&PortRange=25/25&DestCidrIp=10.0.0.0/8",
        ),
        (
            "sg-classic",
            "IpProtocol=tcp&PortRange=80/80&DestGroupId=sg-vpc-cl&Priority=1&Description=",
        ),
        (
            "sg-vpc2",
            "IpProtocol=tcp&PortRange=80/80&DestCidrIp=10.0.0.0/8",
        ),
    ];
    let mut ours = world().store;
    let mut defaults = RequiredOnly(world().store);
    let mut near_misses = 0;
    for (group_id, rest) in requests {
        let r = req(group_id, rest);
        let (a, b) = (identify(&ours, &r), identify(&defaults, &r));
        match (&a, &b) {
            (Ok(x), Ok(y)) => assert_eq!(x, y, "{rest}"),
            (Err(x), Err(y)) => {
                assert_eq!(
                    (x.code(), x.near_miss()),
                    (y.code(), y.near_miss()),
                    "{rest}"
                );
                near_misses += usize::from(x.near_miss().is_some());
            }
            _ => panic!("{rest}: {a:?} vs {b:?}"),
        }
        let (a, b) = (modify(&mut ours, &r), modify(&mut defaults, &r));
        let outcome = |r: Result<Applied, ApiError>| r.map_err(|e| (e.code(), e.near_miss()));
        assert_eq!(outcome(a), outcome(b), "{rest}");
    }
    assert!(
        near_misses >= 5,
        "the requests exercise near misses: {near_misses}"
    );
    let (g, _) = ours.group("sg-vpc1").unwrap();
    for i in 0..ours.rules(g).count() {
        assert_eq!(ours.rule(g, i), defaults.rule(g, i));
    }
}
