//! Property test: any sequence of Authorize, Revoke (by id or by
//! permission) and Modify by rule id agrees with a plain reference model —
//! a `Vec` of rules and linear scans — on every answer and on the final
//! Describe, on both of the crate's stores.
#![cfg(feature = "serde")]

use aliyun_sg_egress::lifecycle::{self, Env};
use aliyun_sg_egress::model::{GroupInfo, Network};
use aliyun_sg_egress::request::{Action, Request, RequestParser};
use aliyun_sg_egress::store::{BoundedStore, GroupStore, VecStore};
use aliyun_sg_egress::text::{GroupId, RegionId, VpcId};
use aliyun_sg_egress::{Format, RequestId};
use proptest::prelude::*;

const QUOTA: usize = 5;
const DESTS: &[&str] = &["10.0.0.1", "10.0.0.0/8", "10.0.0.1/32"];
const DESCRIPTIONS: &[&str] = &["", "a", "bb"];

#[derive(Clone, Debug)]
enum Op {
    Authorize {
        port: u16,
        dest: usize,
        priority: u8,
        description: usize,
    },
    RevokeId {
        pick: usize,
    },
    RevokeRule {
        port: u16,
        dest: usize,
        priority: Option<u8>,
    },
    ModifyId {
        pick: usize,
        port: Option<u16>,
        description: Option<usize>,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let port = 1u16..5;
    let dest = 0..DESTS.len();
    prop_oneof![
        (port.clone(), dest.clone(), 1u8..4, 0..DESCRIPTIONS.len()).prop_map(
            |(port, dest, priority, description)| Op::Authorize {
                port,
                dest,
                priority,
                description
            }
        ),
        (0usize..8).prop_map(|pick| Op::RevokeId { pick }),
        (port.clone(), dest, proptest::option::of(1u8..4)).prop_map(|(port, dest, priority)| {
            Op::RevokeRule {
                port,
                dest,
                priority,
            }
        }),
        (
            0usize..8,
            proptest::option::of(port),
            proptest::option::of(0..DESCRIPTIONS.len())
        )
            .prop_map(|(pick, port, description)| Op::ModifyId {
                pick,
                port,
                description
            }),
    ]
}

#[derive(Clone, Debug, PartialEq)]
struct ModelRule {
    id: String,
    port: u16,
    dest: usize,
    priority: u8,
    description: &'static str,
}

/// The reference: what each operation answers (Ok(changed) or the code).
#[derive(Default)]
struct Model {
    rules: Vec<ModelRule>,
    next: u32,
}

impl Model {
    fn find(&self, port: u16, dest: usize) -> Option<usize> {
        self.rules
            .iter()
            .position(|r| r.port == port && r.dest == dest)
    }

    /// A picked id: an existing rule's, or one no rule has.
    fn id(&self, pick: usize) -> String {
        self.rules
            .get(pick)
            .map_or_else(|| format!("sgr-none{pick}"), |r| r.id.clone())
    }

    fn apply(&mut self, op: &Op) -> Result<bool, &'static str> {
        match *op {
            Op::Authorize {
                port,
                dest,
                priority,
                description,
            } => {
                if self.find(port, dest).is_some() {
                    return Ok(false);
                }
                if self.rules.len() >= QUOTA {
                    return Err("AuthorizationLimitExceed");
                }
                self.next += 1;
                self.rules.push(ModelRule {
                    id: format!("sgr-{:020}", self.next),
                    port,
                    dest,
                    priority,
                    description: DESCRIPTIONS[description],
                });
                Ok(true)
            }
            Op::RevokeId { pick } => {
                let id = self.id(pick);
                let at = self.rules.iter().position(|r| r.id == id);
                let at = at.ok_or("InvalidSecurityGroupRuleId.NotFound")?;
                self.rules.remove(at);
                Ok(true)
            }
            Op::RevokeRule {
                port,
                dest,
                priority,
            } => {
                let at = self
                    .find(port, dest)
                    .filter(|&i| priority.is_none_or(|p| self.rules[i].priority == p))
                    .ok_or("InvalidSecurityGroupRule.RuleNotExist")?;
                self.rules.remove(at);
                Ok(true)
            }
            Op::ModifyId {
                pick,
                port,
                description,
            } => {
                let id = self.id(pick);
                let at = self.rules.iter().position(|r| r.id == id);
                let at = at.ok_or("InvalidSecurityGroupRuleId.NotFound")?;
                let mut merged = self.rules[at].clone();
                if let Some(port) = port {
                    merged.port = port;
                }
                if let Some(d) = description {
                    merged.description = DESCRIPTIONS[d];
                }
                if self
                    .rules
                    .iter()
                    .enumerate()
                    .any(|(i, r)| i != at && r.port == merged.port && r.dest == merged.dest)
                {
                    return Err("InvalidOperation.RuleDuplicate");
                }
                let changed = merged != self.rules[at];
                self.rules[at] = merged;
                Ok(changed)
            }
        }
    }
}

fn query(op: &Op, model: &Model) -> (Action, String) {
    let base = "RegionId=cn-hangzhou&SecurityGroupId=sg-1";
    match *op {
        Op::Authorize {
            port,
            dest,
            priority,
            description,
        } => (
            Action::Authorize,
            format!(
                "{base}&IpProtocol=tcp&PortRange={port}/{port}&DestCidrIp={}&Priority={priority}&Description={}",
                DESTS[dest], DESCRIPTIONS[description]
            ),
        ),
        Op::RevokeId { pick } => (
            Action::Revoke,
            format!("{base}&SecurityGroupRuleId.1={}", model.id(pick)),
        ),
        Op::RevokeRule {
            port,
            dest,
            priority,
        } => (
            Action::Revoke,
            format!(
                "{base}&IpProtocol=tcp&PortRange={port}/{port}&DestCidrIp={}{}",
                DESTS[dest],
                priority
                    .map(|p| format!("&Priority={p}"))
                    .unwrap_or_default()
            ),
        ),
        Op::ModifyId {
            pick,
            port,
            description,
        } => (
            Action::Modify,
            format!(
                "{base}&SecurityGroupRuleId={}{}{}",
                model.id(pick),
                port.map(|p| format!("&PortRange={p}/{p}"))
                    .unwrap_or_default(),
                description
                    .map(|d| format!("&Description={}", DESCRIPTIONS[d]))
                    .unwrap_or_default()
            ),
        ),
    }
}

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

/// Runs the ops on a store and the model side by side.
fn agree<S: GroupStore>(store: &mut S, ops: &[Op]) -> Result<(), TestCaseError> {
    let mut model = Model::default();
    let mut n = 0u32;
    let mut ids = || {
        n += 1;
        let mut id = [b'0'; 20];
        id.copy_from_slice(format!("{n:020}").as_bytes());
        id
    };
    let mut env = Env::new("2026-12-02T06:00:00Z", &mut ids);
    env.rule_quota = QUOTA;
    let mut parser = Box::new(RequestParser::new());
    for op in ops {
        let (action, q) = query(op, &model);
        let request = parser.parse_request(Some(action), &q).unwrap();
        let got = lifecycle::execute(store, &mut env, &request)
            .map(|d| d.changed)
            .map_err(|e| e.code());
        let want = model.apply(op);
        prop_assert_eq!(got, want, "{:?} ({})", op, q);
    }
    let request = parser
        .parse_request(
            Some(Action::Describe),
            "RegionId=cn-hangzhou&SecurityGroupId=sg-1",
        )
        .unwrap();
    let Request::Describe(request) = request else {
        unreachable!()
    };
    let mut body = String::new();
    lifecycle::write_describe(
        store,
        &request,
        Format::Json,
        RequestId::from_u128(1),
        &mut body,
    )
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let described: Vec<(String, String, String, String, String)> = v["Permissions"]["Permission"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap().to_owned();
            (
                s("SecurityGroupRuleId"),
                s("PortRange"),
                s("DestCidrIp"),
                s("Priority"),
                s("Description"),
            )
        })
        .collect();
    let expected: Vec<_> = model
        .rules
        .iter()
        .map(|r| {
            (
                r.id.clone(),
                format!("{0}/{0}", r.port),
                DESTS[r.dest].to_owned(),
                r.priority.to_string(),
                r.description.to_owned(),
            )
        })
        .collect();
    prop_assert_eq!(described, expected);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn bounded_store_agrees_with_the_model(ops in proptest::collection::vec(op(), 1..40)) {
        let mut store: Box<BoundedStore<2, 8, 1024>> = Box::new(BoundedStore::new());
        store.add_group(group()).unwrap();
        agree(&mut *store, &ops)?;
    }

    #[test]
    fn vec_store_agrees_with_the_model(ops in proptest::collection::vec(op(), 1..40)) {
        let mut store = VecStore::new();
        store.add_group(group()).unwrap();
        agree(&mut store, &ops)?;
    }
}
