//! SPEC §11: parse → validate → identify → apply on the bounded store, and
//! writing the response body, allocate nothing. A counting global allocator
//! counts this thread's allocations (other test threads do not disturb it).

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use aliyun_sg_egress::model::{OpaqueRule, Rule, RuleBody};
use aliyun_sg_egress::request::*;
use aliyun_sg_egress::store::*;
use aliyun_sg_egress::*;
use aliyun_sg_egress::{Format, RequestId, Response};
use common::*;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// thread-local counter is const-initialised, so counting never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_in<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let before = ALLOCATIONS.with(Cell::get);
    let out = f();
    (ALLOCATIONS.with(Cell::get) - before, out)
}

const REQUESTS: &[&str] = &[
    // success: IPv4, percent-encoded description
    "Action=ModifySecurityGroupEgressRule&RegionId=cn-hangzhou&SecurityGroupId=sg-1&IpProtocol=TCP\
     &PortRange=80%2F80&NicType=intranet&Policy=accept&Priority=1&DestCidrIp=10.0.0.0%2F8\
     &Description=web%20servers%20%E2%9C%93&ClientToken=123e4567-e89b-12d3",
    // success: group destination, description cleared
    "RegionId=cn-hangzhou&SecurityGroupId=sg-1&IpProtocol=all&PortRange=-1/-1&DestGroupId=sg-2&Description=",
    // success: IPv6, no description
    "RegionId=cn-hangzhou&SecurityGroupId=sg-1&IpProtocol=udp&PortRange=53/53&Ipv6DestCidrIp=2001:db8::/32",
    // not found, with a near miss
    "RegionId=cn-hangzhou&SecurityGroupId=sg-1&IpProtocol=tcp&PortRange=80/80&DestCidrIp=10.0.0.1/8&Description=x",
    // validation errors, with hints and details
    "RegionId=cn-hangzhou&SecurityGroupId=sg-1&SourceGroupId=sg-9&IpProtocol=tcp&PortRange=80/80&Policy=allow",
    "RegionId=cn-hangzhou&SecurityGroupId=sg-1&IpProtocol=tcp&PortRange=80/80&Ipv6DestCidrIp=10.0.0.0/8",
    "RegionId=cn-hangzhou&RegionId=cn-beijing",
    "%ZZ=1",
    // the destination group checks
    "RegionId=cn-hangzhou&SecurityGroupId=sg-1&IpProtocol=all&PortRange=-1/-1&DestGroupId=sg-missing",
];

#[test]
fn request_path_allocates_nothing() {
    let mut store: BoundedStore<2, 16, 1024> = BoundedStore::new();
    let info = group("sg-1", REGION, vpc("vpc-1", false));
    let g = store.add_group(info.clone()).unwrap();
    store
        .add_group(group("sg-2", REGION, vpc("vpc-1", false)))
        .unwrap();
    for q in [
        "IpProtocol=tcp&PortRange=80/80&DestCidrIp=10.0.0.0/8",
        "IpProtocol=all&PortRange=-1/-1&DestGroupId=sg-2",
        "IpProtocol=udp&PortRange=53/53&Ipv6DestCidrIp=2001:db8::/32",
    ] {
        let r = req("sg-1", q);
        store.add_rule(g, &rule_of(&r, &info, 1, "old")).unwrap();
    }

    let mut outcomes = Vec::new();
    let mut parser = RequestParser::new();
    for (n, query) in REQUESTS.iter().enumerate() {
        let (count, (status, body)) = allocations_in(|| {
            let mut body: heapless::String<1024> = heapless::String::new();
            let id = RequestId::from_parts(0x4734_69C7_AA6F_4DC5, n as u64);
            let result = parser.parse(query).and_then(|r| modify(&mut store, &r));
            let response = Response::from_result(Format::Json, id, &result);
            response.write_body(&mut body).unwrap();
            (response.status(), body)
        });
        assert_eq!(count, 0, "request {n} allocated {count} times: {query}");
        outcomes.push((status, !body.is_empty()));
    }
    // The requests exercised what they claim to.
    let statuses: Vec<u16> = outcomes.iter().map(|o| o.0).collect();
    assert_eq!(statuses, [200, 200, 200, 404, 400, 400, 400, 400, 404]);
    assert_eq!(store.rule(g, 0).unwrap().description(), "web servers ✓");
    assert_eq!(store.rule(g, 1).unwrap().description(), "");
    assert_eq!(store.rule(g, 2).unwrap().description(), "old");

    // The counter does count: a heap allocation is seen.
    let (count, _) = allocations_in(|| std::hint::black_box(vec![1u8; 16]));
    assert_eq!(count, 1);
}

/// Every change on the bounded store (insert, with an id and a create
/// time, modelled or opaque; replace; set description; remove, with slot
/// reuse) and the token memory allocate nothing, also when the text arena
/// compacts.
#[test]
fn store_changes_and_tokens_allocate_nothing() {
    let mut store: Box<BoundedStore<2, 8, 256>> = Box::new(BoundedStore::new());
    let info = group("sg-1", REGION, vpc("vpc-1", false));
    let g = store.add_group(info.clone()).unwrap();
    let r = req(
        "sg-1",
        "IpProtocol=tcp&PortRange=80/80&DestCidrIp=10.0.0.0/8",
    );
    let web = rule_of(&r, &info, 1, "web");
    let r2 = req("sg-1", "IpProtocol=udp&PortRange=53/53&DestGroupId=sg-2");
    let dns = rule_of(&r2, &info, 1, "dns");
    let fields = [
        ("IpProtocol", "47"),
        ("PortRange", ""),
        ("Description", "gre"),
    ];
    let mut tokens: Box<store::Tokens> = Box::default();
    let (count, ()) = allocations_in(|| {
        for round in 0..40u64 {
            let a = Rule {
                id: "sgr-a",
                create_time: "2026-12-02T00:00:00Z",
                body: RuleBody::Modelled(web),
            };
            let b = Rule {
                id: "sgr-b",
                create_time: "",
                body: RuleBody::Opaque(OpaqueRule::new(&fields)),
            };
            let ia = store.change(g, Change::Insert(a)).unwrap();
            let ib = store.change(g, Change::Insert(b)).unwrap();
            store.change(g, Change::Replace(ia, dns)).unwrap();
            store
                .change(
                    g,
                    Change::SetDescription(ib, "a longer description than before"),
                )
                .unwrap();
            assert_eq!(store.find_rule(g, RuleRef::Id("sgr-b")), Some(ib));
            store.change(g, Change::Remove(ia)).unwrap();
            store.change(g, Change::Remove(ib)).unwrap();
            tokens.remember("123e4567-e89b-12d3", round);
            assert_eq!(tokens.get("123e4567-e89b-12d3"), Some(round));
            tokens.forget("123e4567-e89b-12d3");
        }
    });
    assert_eq!(count, 0, "store changes allocated {count} times");
    assert_eq!(store.counts(g), RuleCounts::default());
}

/// `parse_request` for every action, accepted and refused, allocates
/// nothing (the store side of the lifecycle is the executor's test).
#[test]
fn parse_request_allocates_nothing() {
    const G: &str = "RegionId=cn-hangzhou&SecurityGroupId=sg-1";
    let cases: &[(Option<Action>, String, bool)] = &[
        (
            Some(Action::Authorize),
            format!(
                "{G}&Permissions.2.IpProtocol=udp&Permissions.2.PortRange=53%2F53&Permissions.2.DestGroupId=sg-2\
                 &Permissions.2.Description=dns%20%E2%9C%93&Permissions.1.IpProtocol=tcp&Permissions.1.PortRange=22/22\
                 &Permissions.1.DestPrefixListId=pl-1&ClientToken=t"
            ),
            true,
        ),
        (
            None,
            format!(
                "Action=AuthorizeSecurityGroupEgress&{G}&IpProtocol=tcp&PortRange=22/22&DestCidrIp=10.0.0.1"
            ),
            true,
        ),
        (
            Some(Action::Authorize),
            format!("{G}&Permissions.1.IpProtocol=tcp&IpProtocol=tcp"),
            false,
        ),
        (
            Some(Action::Authorize),
            format!(
                "{G}&Permissions.3.IpProtocol=tcp&Permissions.3.PortRange=1/2&Permissions.3.Policy=allow"
            ),
            false,
        ),
        (
            Some(Action::Revoke),
            format!("{G}&SecurityGroupRuleId.2=sgr-b&SecurityGroupRuleId.1=sgr%2Da"),
            true,
        ),
        (
            Some(Action::Revoke),
            format!("{G}&SecurityGroupRuleId.1=sgr-a&SecurityGroupRuleId.2=sgr-a"),
            false,
        ),
        (
            Some(Action::Revoke),
            format!("{G}&IpProtocol=tcp&PortRange=22/22&DestCidrIp=10.0.0.1"),
            true,
        ),
        (
            None,
            format!("{G}&SecurityGroupRuleId=sgr-1&Description=new%20text&PortRange=1%2F2"),
            true,
        ),
        (None, format!("{G}&SecurityGroupRuleId=bad"), false),
        (
            None,
            format!("{G}&IpProtocol=tcp&PortRange=22/22&DestCidrIp=10.0.0.1&Version=2014-05-26"),
            true,
        ),
        (
            Some(Action::Describe),
            format!("{G}&Direction=egress&NicType=&MaxResults=100&NextToken=abc%3D"),
            true,
        ),
        (
            Some(Action::Describe),
            "SecurityGroupId=sg-1".to_string(),
            false,
        ),
        (Some(Action::Describe), format!("Action=Nope&{G}"), false),
    ];
    let mut parser = RequestParser::new();
    for (action, query, accepted) in cases {
        let (count, outcome) = allocations_in(|| {
            let mut body: heapless::String<1024> = heapless::String::new();
            let result = parser.parse_request(*action, query.as_str());
            let walked = match &result {
                Ok(Request::Authorize(r)) => {
                    r.permissions().count() + r.first_duplicate(true).map_or(0, |()| 1)
                }
                Ok(Request::Revoke(RevokeRequest::ByIds(r))) => r.ids().count(),
                Ok(Request::Revoke(RevokeRequest::ByPermissions(r))) => r.permissions().count(),
                Ok(_) => 1,
                Err(e) => {
                    let id = RequestId::from_u128(1);
                    Response::error(Format::Xml, id, e)
                        .write_body(&mut body)
                        .unwrap();
                    0
                }
            };
            (result.is_ok(), walked)
        });
        assert_eq!(count, 0, "{query} allocated {count} times");
        assert_eq!(outcome.0, *accepted, "{query}");
    }
}

/// Every lifecycle action on the bounded store — Authorize (flat and
/// `Permissions.N`), Describe (JSON and XML into a reused buffer), Modify by
/// rule id, Revoke by id and by permission, a repeated `ClientToken` and
/// the errors between — allocates nothing (SPEC §11).
#[test]
fn every_lifecycle_action_allocates_nothing() {
    use aliyun_sg_egress::lifecycle::{self, Env};

    const G: &str = "RegionId=cn-hangzhou&SecurityGroupId=sg-1";
    let steps: Vec<(Action, String)> = vec![
        (
            Action::Authorize,
            format!(
                "{G}&IpProtocol=tcp&PortRange=443/443&DestCidrIp=10.0.0.0/8&Description=web%20tier&ClientToken=t1"
            ),
        ),
        (
            Action::Authorize,
            format!(
                "{G}&IpProtocol=tcp&PortRange=443/443&DestCidrIp=10.0.0.0/8&Description=web%20tier&ClientToken=t1"
            ),
        ),
        (
            Action::Authorize,
            format!(
                "{G}&Permissions.1.IpProtocol=udp&Permissions.1.PortRange=53/53&Permissions.1.DestGroupId=sg-2\
                 &Permissions.4.IpProtocol=all&Permissions.4.PortRange=-1/-1&Permissions.4.Ipv6DestCidrIp=2001:db8::/32"
            ),
        ),
        (Action::Describe, format!("{G}&MaxResults=10")),
        (
            Action::Modify,
            format!(
                "{G}&SecurityGroupRuleId=sgr-00000000000000000001&PortRange=8443/8443&Description=tls"
            ),
        ),
        (
            Action::Modify,
            format!("{G}&SecurityGroupRuleId=sgr-00000000000000000001&IpProtocol=all"),
        ),
        (
            Action::Revoke,
            format!(
                "{G}&SecurityGroupRuleId.1=sgr-00000000000000000001&SecurityGroupRuleId.2=sgr-nope"
            ),
        ),
        (
            Action::Revoke,
            format!("{G}&SecurityGroupRuleId.1=sgr-00000000000000000001"),
        ),
        (
            Action::Revoke,
            format!("{G}&IpProtocol=udp&PortRange=53/53&DestGroupId=sg-2"),
        ),
        (
            Action::Revoke,
            format!("{G}&IpProtocol=all&PortRange=-1/-1&Ipv6DestCidrIp=2001:db8::/32&Priority=1"),
        ),
        (
            Action::Revoke,
            format!("{G}&IpProtocol=all&PortRange=-1/-1&Ipv6DestCidrIp=2001:db8::/32"),
        ),
    ];
    let expected: [Result<bool, &str>; 11] = [
        Ok(true),
        Ok(false),
        Ok(true),
        Ok(false),
        Ok(true),
        Err("OperationDenied"),
        Err("InvalidSecurityGroupRuleId.NotFound"),
        Ok(true),
        Ok(true),
        Ok(true),
        Err("InvalidSecurityGroupRule.RuleNotExist"),
    ];

    let mut store: Box<BoundedStore<2, 8, 256>> = Box::new(BoundedStore::new());
    store
        .add_group(group("sg-1", REGION, vpc("vpc-1", false)))
        .unwrap();
    store
        .add_group(group("sg-2", REGION, vpc("vpc-1", false)))
        .unwrap();
    let mut tokens: Box<Tokens> = Box::default();
    let mut parser = Box::new(RequestParser::new());
    let mut body = String::with_capacity(64 * 1024);
    let mut n = 0u8;
    let mut ids = || {
        n += 1;
        let mut id = [b'0'; 20];
        id[19] = b'0' + n;
        id
    };
    let mut outcomes = Vec::with_capacity(steps.len());
    let (count, ()) = allocations_in(|| {
        let mut env = Env::new("2026-12-02T06:00:00Z", &mut ids).with_tokens(&mut tokens);
        for (action, query) in &steps {
            body.clear();
            let outcome = match parser.parse_request(Some(*action), query) {
                Ok(Request::Describe(d)) => {
                    for format in [Format::Json, Format::Xml] {
                        lifecycle::write_describe(
                            &*store,
                            &d,
                            format,
                            RequestId::from_u128(1),
                            &mut body,
                        )
                        .unwrap();
                    }
                    Ok(false)
                }
                Ok(request) => {
                    lifecycle::execute(&mut *store, &mut env, &request).map(|d| d.changed)
                }
                Err(e) => Err(e),
            };
            let id = RequestId::from_u128(2);
            match &outcome {
                Ok(_) => Response::success(Format::Xml, id)
                    .for_action(*action)
                    .write_body(&mut body),
                Err(e) => Response::error(Format::Json, id, e).write_body(&mut body),
            }
            .unwrap();
            outcomes.push(outcome.map_err(|e| e.code()));
        }
    });
    assert_eq!(count, 0, "lifecycle actions allocated {count} times");
    assert_eq!(outcomes, expected);
}
