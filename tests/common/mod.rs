//! Shared fixtures: rules written as request query strings.
#![allow(dead_code)]

use aliyun_sg_egress::model::*;
use aliyun_sg_egress::request::request_key;
use aliyun_sg_egress::request::*;
use aliyun_sg_egress::store::*;
use aliyun_sg_egress::text::*;
use aliyun_sg_egress::*;

pub const REGION: &str = "cn-hangzhou";

/// A request from a query string, `RegionId` and `SecurityGroupId`
/// prepended. The request borrows its query and parser, so both are leaked
/// (a few KiB a call): a test keeps its requests to the end.
pub fn req(group: &str, rest: &str) -> ModifyEgressRequest<'static> {
    let query: &'static str =
        String::leak(format!("RegionId={REGION}&SecurityGroupId={group}&{rest}"));
    Box::leak(Box::new(RequestParser::new()))
        .parse(query)
        .unwrap_or_else(|e| panic!("fixture request {rest:?} is invalid: {} {e}", e.code()))
}

pub fn vpc(id: &str, classic_link: bool) -> Network {
    Network::Vpc {
        id: VpcId::parse(id).unwrap(),
        classic_link,
    }
}

pub fn group(id: &str, region: &str, network: Network) -> GroupInfo {
    GroupInfo::new(
        GroupId::parse(id).unwrap(),
        RegionId::parse(region).unwrap(),
        network,
    )
}

/// The rule a request names in `info`, with a priority and a description.
pub fn rule_of<'a>(
    request: &ModifyEgressRequest<'a>,
    info: &GroupInfo,
    priority: u8,
    description: &'a str,
) -> EgressRule<'a> {
    let key = request_key(request, info);
    EgressRule {
        protocol: key.protocol,
        port_range: key.port_range,
        source_port_range: key.source_port_range,
        nic_type: key.nic_type,
        policy: key.policy,
        priority: Priority::new(priority).unwrap(),
        destination: key.destination,
        source: key.source,
        description,
    }
}

/// Every rule of a group as owned text, for before/after comparisons.
pub fn snapshot<S: GroupStore>(store: &S, group: GroupHandle) -> Vec<String> {
    (0..)
        .map_while(|i| store.rule(group, i))
        .map(|rule| format!("{rule:?}"))
        .collect()
}
