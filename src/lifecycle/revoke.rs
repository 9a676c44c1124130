//! `RevokeSecurityGroupEgress` (SPEC §12.4).

use super::authorize::MAX_PERMISSIONS;
use super::{Env, check_destination, duplicates, group, store_failed};
use crate::error::{ApiError, Cause, Reason};
use crate::request::{PermissionsRequest, RevokeRequest, RuleIdsRequest};
use crate::store::{Change, GroupHandle, GroupStore, RuleRef};

/// Removes every rule the request names, or none.
pub(super) fn revoke<S: GroupStore + ?Sized>(
    store: &mut S,
    env: &mut Env<'_>,
    request: &RevokeRequest<'_>,
) -> Result<bool, ApiError> {
    let mut found = [0usize; MAX_PERMISSIONS];
    let (group, count) = match request {
        RevokeRequest::ByIds(r) => by_ids(store, r, &mut found)?,
        RevokeRequest::ByPermissions(r) => by_permissions(store, env, r, &mut found)?,
    };
    for &index in found.iter().take(count) {
        store
            .change(group, Change::Remove(index))
            .map_err(store_failed)?;
    }
    Ok(count > 0)
}

/// The rules named by `SecurityGroupRuleId.N`: egress rules of this group
/// (another group's rule, or an ingress rule, is not found).
fn by_ids<S: GroupStore + ?Sized>(
    store: &S,
    request: &RuleIdsRequest<'_>,
    found: &mut [usize; MAX_PERMISSIONS],
) -> Result<(GroupHandle, usize), ApiError> {
    let (group, _) = group(store, request.region_id(), request.security_group_id())?;
    let mut count = 0;
    for (slot, (n, id)) in found.iter_mut().zip(request.numbered_ids()) {
        *slot = store
            .find_rule(group, RuleRef::Id(id))
            .ok_or_else(|| request.not_found(n))?;
        count += 1;
    }
    Ok((group, count))
}

/// The rules named by permissions, each found as Modify finds its rule
/// (§6, the Priority filter included).
fn by_permissions<S: GroupStore + ?Sized>(
    store: &S,
    env: &Env<'_>,
    request: &PermissionsRequest<'_>,
    found: &mut [usize; MAX_PERMISSIONS],
) -> Result<(GroupHandle, usize), ApiError> {
    let (region, group_id) = (request.region_id(), request.security_group_id());
    let (group, info) = group(store, region, group_id)?;
    for (name, permission) in request.permissions() {
        check_destination(store, env, (group_id, region), info, &permission)
            .map_err(|e| e.in_permission(name))?;
    }
    duplicates(request, info)?;
    let mut count = 0;
    for (slot, (name, permission)) in found.iter_mut().zip(request.permissions()) {
        let identified = crate::matcher::find_permission(store, region, group_id, &permission)
            .map_err(|e| match e.cause() {
                // The API's answer since 2024-07-08 (§12.4).
                Cause::SecurityGroupRuleNotFound => {
                    ApiError::new(Cause::InvalidSecurityGroupRuleRuleNotExist)
                        .because(Reason::NoRuleToRevoke)
                        .in_permission(name)
                }
                _ => e.in_permission(name),
            })?;
        *slot = identified.rule_index;
        count += 1;
    }
    Ok((group, count))
}
