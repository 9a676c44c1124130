//! `AuthorizeSecurityGroupEgress` (SPEC §12.3).

use super::{
    Env, GROUP_RULE_LIMIT, ID_ATTEMPTS, check_destination, duplicates, group, store_failed,
};
use crate::error::{ApiError, Cause, Reason};
use crate::matcher::permission_key;
use crate::model::{EgressRule, GroupInfo, Rule, RuleBody};
use crate::priority::Priority;
use crate::request::{Permission, PermissionsRequest};
use crate::store::{Change, GroupHandle, GroupStore, RuleRef, StoreError};

/// The most permissions one request holds (SPEC §12.2).
pub(super) const MAX_PERMISSIONS: usize = 100;

/// Adds the request's permissions that are not granted yet; all or none.
pub(super) fn authorize<S: GroupStore + ?Sized>(
    store: &mut S,
    env: &mut Env<'_>,
    request: &PermissionsRequest<'_>,
) -> Result<bool, ApiError> {
    let (handle, info) = group(store, request.region_id(), request.security_group_id())?;
    // Copied out: the store is changed below.
    let info: GroupInfo = info.clone();
    for (name, permission) in request.permissions() {
        let ids = (request.security_group_id(), request.region_id());
        check_destination(store, env, ids, &info, &permission)
            .map_err(|e| e.in_permission(name))?;
    }
    duplicates(request, &info)?;

    // Already granted permissions add nothing (§12.3); only the rest count.
    let mut new_rules = 0;
    let mut new_group_rules = 0;
    for (_, permission) in request.permissions() {
        let key = permission_key(&permission, &info);
        if store.find_rule(handle, RuleRef::Key(&key)).is_none() {
            new_rules += 1;
            new_group_rules += usize::from(key.destination.is_group());
        }
    }
    if new_rules == 0 {
        return Ok(false);
    }
    let counts = store.counts(handle);
    if new_group_rules > 0 && counts.group_destinations + new_group_rules > GROUP_RULE_LIMIT {
        return Err(
            ApiError::new(Cause::AuthorizedGroupRuleLimitExceed).because(Reason::GroupRuleLimit {
                limit: GROUP_RULE_LIMIT as u32,
            }),
        );
    }
    if counts.egress + new_rules > env.rule_quota {
        return Err(
            ApiError::new(Cause::AuthorizationLimitExceed).because(Reason::RuleQuota {
                quota: u32::try_from(env.rule_quota).unwrap_or(u32::MAX),
            }),
        );
    }

    let mut added = [0usize; MAX_PERMISSIONS];
    let mut count = 0;
    for (_, permission) in request.permissions() {
        let rule = new_rule(&permission, &info);
        if store.find_rule(handle, RuleRef::Key(&rule.key())).is_some() {
            continue;
        }
        match insert(store, env, handle, rule) {
            Ok(index) => {
                if let Some(slot) = added.get_mut(count) {
                    *slot = index;
                }
                count += 1;
            }
            Err(e) => {
                for &index in added.iter().take(count) {
                    let _ = store.change(handle, Change::Remove(index));
                }
                return Err(e);
            }
        }
    }
    Ok(true)
}

/// The rule a permission adds (§12.3, §12.8): defaults filled in, NIC type
/// as §5 reads it.
pub(super) fn new_rule<'p>(permission: &Permission<'p>, group: &GroupInfo) -> EgressRule<'p> {
    let key = permission_key(permission, group);
    EgressRule {
        protocol: key.protocol,
        port_range: key.port_range,
        source_port_range: key.source_port_range,
        nic_type: key.nic_type,
        policy: key.policy,
        priority: permission.priority.unwrap_or(Priority::DEFAULT),
        destination: key.destination,
        source: key.source,
        description: permission.description.unwrap_or(""),
    }
}

/// Inserts a rule under a fresh id, drawing again while the id is taken
/// or misshapen (at most [`ID_ATTEMPTS`] draws).
pub(super) fn insert<S: GroupStore + ?Sized>(
    store: &mut S,
    env: &mut Env<'_>,
    group: GroupHandle,
    rule: EgressRule<'_>,
) -> Result<usize, ApiError> {
    for _ in 0..ID_ATTEMPTS {
        let drawn = (env.rule_ids)();
        let mut id = [0u8; 24];
        let (prefix, tail) = id.split_at_mut(4);
        prefix.copy_from_slice(b"sgr-");
        tail.copy_from_slice(&drawn);
        if !drawn
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        {
            continue;
        }
        let Ok(id) = core::str::from_utf8(&id) else {
            continue;
        };
        let change = Change::Insert(Rule {
            id,
            create_time: env.now,
            body: RuleBody::Modelled(rule),
        });
        match store.change(group, change) {
            Ok(index) => return Ok(index),
            Err(StoreError::DuplicateRuleId) => {}
            Err(StoreError::RulesFull) => {
                return Err(ApiError::new(Cause::AuthorizationLimitExceed)
                    .because(Reason::Store(StoreError::RulesFull)));
            }
            Err(e) => return Err(store_failed(e)),
        }
    }
    Err(ApiError::new(Cause::InternalError).because(Reason::RuleIdsExhausted))
}
