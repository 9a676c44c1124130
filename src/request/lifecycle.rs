//! [`RequestParser::parse_request`](super::RequestParser::parse_request):
//! the action (SPEC §12.9), then each action's parameters in the order of
//! §12.2 steps 1–3, §12.6 and §12.9.
//!
//! The list forms are filed while the query is decoded: for each `N`, the
//! fields given (to refuse a second one) and where their pairs start, so
//! that a permission's fields can be read back as a flat lookup and
//! checked by the same code as Modify's. What a list request keeps is
//! recorded as offsets into the query or the decode buffer ([`TextRef`]),
//! so that the parser's tables hold it without a lifetime.

use core::str;

use super::forms::{
    DescribeRequest, Direction, ModifyByIdRequest, NicTypeFilter, PermissionName,
    PermissionsRequest, Request, RevokeRequest, RuleIdsRequest,
};
use super::param::Param;
use super::query::{self, Collected, Scratch, Sink, Text};
use super::validate::{
    Reader, check_client_token, check_group, check_version, has_id_shape, modify_by_parameters,
    read_patch, read_permission,
};
use super::{Action, Destination, GroupDestination, Permission};
use crate::error::{ApiError, Cause, Hint, Reason};
use crate::nic::NicType;
use crate::text::{GroupId, RegionId};

/// The most permissions, and rule ids, one request may carry.
pub(crate) const MAX_LIST: usize = 100;

/// The fields of a permission (SPEC §12.2), as `Permissions.N.<field>`
/// names them; a bit each in [`Lists`].
const FIELDS: [Param; 15] = [
    Param::IpProtocol,
    Param::PortRange,
    Param::SourcePortRange,
    Param::NicType,
    Param::Policy,
    Param::Priority,
    Param::DestCidrIp,
    Param::Ipv6DestCidrIp,
    Param::DestGroupId,
    Param::DestGroupOwnerAccount,
    Param::DestGroupOwnerId,
    Param::DestPrefixListId,
    Param::SourceCidrIp,
    Param::Ipv6SourceCidrIp,
    Param::Description,
];

/// Where a kept text lies: `len` bytes at `start` of the query, or of the
/// decode buffer when [`TextRef::IN_BUFFER`] is set in `start`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TextRef {
    start: u32,
    len: u32,
}

impl TextRef {
    const IN_BUFFER: u32 = 1 << 31;
}

/// The two places kept text lies in, to read [`TextRef`]s back.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Texts<'a> {
    query: &'a [u8],
    buffer: &'a [u8],
}

impl<'a> Texts<'a> {
    /// The text (checked UTF-8 when it was kept; empty if it were not).
    pub(crate) fn get(&self, text: TextRef) -> &'a str {
        let (from, start) = if text.start & TextRef::IN_BUFFER != 0 {
            (self.buffer, text.start & !TextRef::IN_BUFFER)
        } else {
            (self.query, text.start)
        };
        let (start, len) = (start as usize, text.len as usize);
        let bytes = from.get(start..start + len).unwrap_or(&[]);
        str::from_utf8(bytes).unwrap_or("")
    }
}

/// Where the query and the buffer lie in memory while the buffer is lent
/// out for writing: a kept text is found by its address.
struct Bases {
    query: (usize, usize),
    buffer: (usize, usize),
}

impl Bases {
    fn new(query: &[u8], buffer: &[u8]) -> Bases {
        let range = |bytes: &[u8]| {
            let start = bytes.as_ptr() as usize;
            (start, start + bytes.len())
        };
        Bases {
            query: range(query),
            buffer: range(buffer),
        }
    }

    /// Where `text` lies: every kept text borrows the query or the buffer,
    /// but the empty text, which may lie anywhere.
    fn locate(&self, text: &str) -> TextRef {
        let at = text.as_ptr() as usize;
        let len = text.len() as u32;
        let within = |(start, end): (usize, usize)| {
            (start <= at && at + text.len() <= end).then(|| (at - start) as u32)
        };
        match (within(self.query), within(self.buffer)) {
            (Some(start), _) if len > 0 => TextRef { start, len },
            (_, Some(start)) if len > 0 => TextRef {
                start: start | TextRef::IN_BUFFER,
                len,
            },
            _ => TextRef::default(),
        }
    }
}

/// One permission as a list request keeps it: its values, with its texts
/// (`Description`, the group or prefix-list id, the owner account) as
/// [`TextRef`]s and empty in `permission`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Slot {
    name: PermissionName,
    permission: Permission<'static>,
    texts: [TextRef; 3],
}

impl Slot {
    /// A slot no request uses.
    const UNUSED: Slot = Slot {
        name: PermissionName::Flat,
        permission: Permission {
            protocol: crate::protocol::IpProtocol::All,
            port_range: crate::port::PortRange::ANY,
            source_port_range: None,
            nic_type: None,
            policy: crate::policy::Policy::Accept,
            priority: None,
            description: None,
            destination: Destination::PrefixList(""),
            source: None,
        },
        texts: [TextRef { start: 0, len: 0 }; 3],
    };

    fn new(name: PermissionName, p: &Permission<'_>, bases: &Bases) -> Slot {
        let mut texts = [TextRef::default(); 3];
        if let Some(description) = p.description {
            texts[0] = bases.locate(description);
        }
        let destination = match p.destination {
            Destination::Ipv4(v4) => Destination::Ipv4(v4),
            Destination::Ipv6(v6) => Destination::Ipv6(v6),
            Destination::Group(g) => {
                texts[1] = bases.locate(g.id);
                if let Some(account) = g.owner_account {
                    texts[2] = bases.locate(account);
                }
                Destination::Group(GroupDestination {
                    id: "",
                    owner_account: g.owner_account.map(|_| ""),
                    owner_id: g.owner_id,
                })
            }
            Destination::PrefixList(id) => {
                texts[1] = bases.locate(id);
                Destination::PrefixList("")
            }
        };
        Slot {
            name,
            permission: Permission {
                description: p.description.map(|_| ""),
                destination,
                ..*p
            },
            texts,
        }
    }

    pub(crate) fn get<'a>(&self, texts: &Texts<'a>) -> (PermissionName, Permission<'a>) {
        let [description, id, account] = self.texts.map(|t| texts.get(t));
        let p = self.permission;
        let destination = match p.destination {
            Destination::Ipv4(v4) => Destination::Ipv4(v4),
            Destination::Ipv6(v6) => Destination::Ipv6(v6),
            Destination::Group(g) => Destination::Group(GroupDestination {
                id,
                owner_account: g.owner_account.map(|_| account),
                owner_id: g.owner_id,
            }),
            Destination::PrefixList(_) => Destination::PrefixList(id),
        };
        let permission = Permission {
            description: p.description.map(|_| description),
            destination,
            ..p
        };
        (self.name, permission)
    }
}

/// The list forms of one request, filed while decoding, and what a list
/// request keeps: part of the parser, reset by each `parse_request`.
#[derive(Clone, Debug)]
pub(crate) struct Lists {
    /// `Permissions.N` with any field given (bit `N - 1`); `fields` and
    /// `starts` of the others are stale.
    touched: u128,
    /// `Permissions.N` with a field given non-empty: the permissions.
    exists: u128,
    /// Per `N - 1`, the fields given (bits in [`FIELDS`] order).
    fields: [u16; MAX_LIST],
    /// Per `N - 1` and field, where its pair starts in the query.
    starts: [[u32; FIELDS.len()]; MAX_LIST],
    /// `SecurityGroupRuleId.N` given (bit `N - 1`), and non-empty.
    ids_given: u128,
    ids_non_empty: u128,
    /// Per `N - 1`, where `SecurityGroupRuleId.N` starts in the query.
    id_starts: [u32; MAX_LIST],
    /// The first name `Permissions.<bad N>…`, as its error.
    bad_permission: Option<ApiError>,
    /// The first name `SecurityGroupRuleId.<bad N>`, as its error.
    bad_id: Option<ApiError>,
    /// The permissions a list request keeps.
    slots: [Slot; MAX_LIST],
    /// The ids a list request keeps, with their `N`.
    ids: [(u8, TextRef); MAX_LIST],
}

impl Lists {
    pub(crate) const fn new() -> Lists {
        Lists {
            touched: 0,
            exists: 0,
            fields: [0; MAX_LIST],
            starts: [[0; FIELDS.len()]; MAX_LIST],
            ids_given: 0,
            ids_non_empty: 0,
            id_starts: [0; MAX_LIST],
            bad_permission: None,
            bad_id: None,
            slots: [Slot::UNUSED; MAX_LIST],
            ids: [(0, TextRef { start: 0, len: 0 }); MAX_LIST],
        }
    }

    fn reset(&mut self) {
        self.touched = 0;
        self.exists = 0;
        self.ids_given = 0;
        self.ids_non_empty = 0;
        self.bad_permission = None;
        self.bad_id = None;
    }
}

/// `N` of a list name: a decimal 1..=100 without leading zeros.
fn list_index(text: &str) -> Option<u8> {
    match text.as_bytes() {
        [b'1'..=b'9', ..] if text.len() <= 3 && text.bytes().all(|b| b.is_ascii_digit()) => text
            .parse::<u8>()
            .ok()
            .filter(|&n| usize::from(n) <= MAX_LIST),
        _ => None,
    }
}

/// Whether a text is given non-empty (`%XX` and `+` never decode to
/// nothing).
fn non_empty(text: Text<'_>) -> bool {
    !matches!(text, Text::Plain(""))
}

/// The sink of `parse_request`: the flat parameters, and the list forms
/// filed in [`Lists`].
struct ListSink<'s, 'a> {
    flat: &'s mut Collected<'a>,
    lists: &'s mut Lists,
}

impl ListSink<'_, '_> {
    /// The error for a bad `N`, naming the whole name.
    fn bad_index(cause: Cause, name: &str) -> ApiError {
        ApiError::new(cause)
            .with_parameter_name(name)
            .because(Reason::BadIndex)
    }
}

impl<'a> Sink<'a> for ListSink<'_, 'a> {
    fn set(&mut self, param: Param, value: Text<'a>) -> Result<(), ApiError> {
        Sink::set(self.flat, param, value)
    }

    fn add(
        &mut self,
        name: &str,
        value: Text<'a>,
        start: usize,
        named_earlier: impl FnOnce() -> bool,
    ) -> Result<(), ApiError> {
        let lists = &mut *self.lists;
        let start32 = u32::try_from(start).unwrap_or(u32::MAX);
        if let Some(rest) = name.strip_prefix("Permissions.") {
            let (index, field) = rest.split_once('.').unwrap_or((rest, ""));
            let Some(n) = list_index(index) else {
                if lists.bad_permission.is_none() {
                    let error = Self::bad_index(Cause::InvalidParamPermissions, name);
                    lists.bad_permission = Some(error);
                }
                return self.flat.add(name, value, named_earlier);
            };
            let known = FIELDS
                .iter()
                .position(|p| p.name() == field)
                .zip(Param::from_name(field.as_bytes()));
            let Some((f, param)) = known else {
                if let Some(hint) = Hint::for_ingress_parameter(field.as_bytes()) {
                    self.flat.hints = self.flat.hints.with(hint);
                }
                return self.flat.add(name, value, named_earlier);
            };
            let i = usize::from(n - 1);
            let bit = 1u128 << i;
            let (Some(fields), Some(starts)) = (lists.fields.get_mut(i), lists.starts.get_mut(i))
            else {
                return Ok(());
            };
            if lists.touched & bit == 0 {
                lists.touched |= bit;
                *fields = 0;
            }
            if *fields & (1 << f) != 0 {
                return Err(ApiError::new(Cause::InvalidParameter)
                    .with_parameter(param)
                    .in_permission(PermissionName::Numbered(n))
                    .because(Reason::Duplicate));
            }
            *fields |= 1 << f;
            if let Some(at) = starts.get_mut(f) {
                *at = start32;
            }
            if non_empty(value) {
                lists.exists |= bit;
            }
            return Ok(());
        }
        if let Some(index) = name.strip_prefix("SecurityGroupRuleId.") {
            let Some(n) = list_index(index) else {
                if lists.bad_id.is_none() {
                    let cause = Cause::InvalidParamSecurityGroupRuleId;
                    lists.bad_id = Some(Self::bad_index(cause, name));
                }
                return self.flat.add(name, value, named_earlier);
            };
            let i = usize::from(n - 1);
            let bit = 1u128 << i;
            if lists.ids_given & bit != 0 {
                return Err(ApiError::new(Cause::InvalidParameter)
                    .on_rule_id(n)
                    .because(Reason::Duplicate));
            }
            lists.ids_given |= bit;
            if non_empty(value) {
                lists.ids_non_empty |= bit;
            }
            if let Some(at) = lists.id_starts.get_mut(i) {
                *at = start32;
            }
            return Ok(());
        }
        self.flat.add(name, value, named_earlier)
    }
}

/// The set bits of a list mask, as `N` in ascending order.
fn numbers(mask: u128) -> impl Iterator<Item = u8> {
    (1..=MAX_LIST as u8).filter(move |n| mask & (1 << (n - 1)) != 0)
}

/// Parses a request of any action (see
/// [`RequestParser::parse_request`](super::RequestParser::parse_request)).
pub(crate) fn parse<'a>(
    action: Option<Action>,
    query: &'a [u8],
    buffer: &'a mut [u8],
    lists: &'a mut Lists,
) -> Result<Request<'a>, ApiError> {
    lists.reset();
    let mut collected = Collected::new();
    let query = {
        let mut scratch = Scratch::new(&mut *buffer);
        let mut sink = ListSink {
            flat: &mut collected,
            lists: &mut *lists,
        };
        query::collect_query(query, &mut scratch, &mut sink)?
    };
    let hints = collected.hints;

    let action = {
        let mut r = Reader {
            fields: &collected,
            scratch: Scratch::new(&mut *buffer),
            hints,
        };
        let action = read_action(&mut r, action)?;
        check_version(&mut r)?;
        action
    };

    let reader = |scratch| Reader {
        fields: &collected,
        scratch,
        hints,
    };
    match action {
        Action::Modify => {
            let r = reader(Scratch::new(buffer));
            if r.is_set(Param::SecurityGroupRuleId) {
                modify_by_id(r).map(Request::ModifyById)
            } else {
                modify_by_parameters(r).map(Request::Modify)
            }
        }
        Action::Describe => describe(reader(Scratch::new(buffer))).map(Request::Describe),
        Action::Authorize => {
            let list = read_list(action, query, &collected, buffer, lists)?;
            match list {
                List::Permissions(p) => Ok(Request::Authorize(p)),
                // Authorize never reads ids.
                List::Ids(_) => Err(ApiError::new(Cause::InternalError)),
            }
        }
        Action::Revoke => Ok(Request::Revoke(
            match read_list(action, query, &collected, buffer, lists)? {
                List::Permissions(p) => RevokeRequest::ByPermissions(p),
                List::Ids(ids) => RevokeRequest::ByIds(ids),
            },
        )),
    }
}

/// SPEC §12.9: the `Action` parameter against the action given beside
/// the parameters; neither means Modify.
fn read_action(r: &mut Reader<'_, '_>, given: Option<Action>) -> Result<Action, ApiError> {
    let hints = r.hints;
    let Some(v) = r.non_empty(Param::Action) else {
        return Ok(given.unwrap_or(Action::Modify));
    };
    let fault = |cause, reason| {
        ApiError::new(cause)
            .with_parameter(Param::Action)
            .with_hints(hints)
            .because(reason)
            .quoting(&[v])
    };
    match (Action::from_name(v), given) {
        (None, _) => Err(fault(Cause::InvalidActionNotFound, Reason::ActionNotFound)),
        (Some(named), Some(given)) if named != given => {
            Err(fault(Cause::InvalidParameter, Reason::ActionDiffers(given)))
        }
        (Some(named), _) => Ok(named),
    }
}

/// Modify by rule id (SPEC §12.9's order): `RegionId`, `SecurityGroupId`,
/// the rule id's shape, then the fields given.
fn modify_by_id<'a>(mut r: Reader<'_, 'a>) -> Result<ModifyByIdRequest<'a>, ApiError> {
    check_group(&mut r)?;
    let shape = |v: &str| {
        if has_id_shape(v, "sgr-") {
            Ok(())
        } else {
            Err(())
        }
    };
    r.parse(Param::SecurityGroupRuleId, shape, |()| {
        (Cause::InvalidParamSecurityGroupRuleId, Reason::RuleIdShape)
    })?;
    let patch = read_patch(&mut r)?;
    Ok(ModifyByIdRequest {
        region_id: r.keep(Param::RegionId).unwrap_or_default(),
        security_group_id: r.keep(Param::SecurityGroupId).unwrap_or_default(),
        client_token: r.keep_non_empty(Param::ClientToken),
        rule_id: r.keep(Param::SecurityGroupRuleId).unwrap_or_default(),
        patch,
        hints: r.hints,
    })
}

/// Describe (SPEC §12.6, §12.9): `RegionId`, `SecurityGroupId`,
/// `Direction`, `NicType`, `MaxResults`, `NextToken`.
fn describe<'a>(mut r: Reader<'_, 'a>) -> Result<DescribeRequest<'a>, ApiError> {
    if !r.check_text(Param::RegionId, RegionId::check, Reason::Text)? {
        return Err(r.missing(Cause::MissingParameterRegionId, Param::RegionId));
    }
    if !r.check_text(Param::SecurityGroupId, GroupId::check, Reason::Text)? {
        return Err(r.missing(Cause::MissingParameter, Param::SecurityGroupId));
    }
    let bad = Cause::InvalidParamterDescribe;
    let direction = r
        .parse(Param::Direction, read_direction, |()| {
            (bad, Reason::Direction)
        })?
        .unwrap_or_default();
    let nic_type = match r.fields.get(Param::NicType) {
        None => NicTypeFilter::Absent,
        Some(Text::Plain("")) => NicTypeFilter::Empty,
        Some(_) => r
            .parse(Param::NicType, NicType::parse, |_| {
                (Cause::InvalidNicTypeDoesNotExist, Reason::NicType)
            })?
            .map_or(NicTypeFilter::Empty, NicTypeFilter::Given),
    };
    let max_results = r
        .parse(Param::MaxResults, read_max_results, |()| {
            (bad, Reason::MaxResults)
        })?
        .unwrap_or(DescribeRequest::DEFAULT_MAX_RESULTS);
    Ok(DescribeRequest {
        region_id: r.keep(Param::RegionId).unwrap_or_default(),
        security_group_id: r.keep(Param::SecurityGroupId).unwrap_or_default(),
        direction,
        nic_type,
        max_results,
        next_token: r.keep_non_empty(Param::NextToken),
        hints: r.hints,
    })
}

fn read_direction(v: &str) -> Result<Direction, ()> {
    [
        ("egress", Direction::Egress),
        ("ingress", Direction::Ingress),
        ("all", Direction::All),
    ]
    .into_iter()
    .find(|(name, _)| v.eq_ignore_ascii_case(name))
    .map(|(_, d)| d)
    .ok_or(())
}

/// `MaxResults`: ASCII digits (leading zeros allowed) worth 10 to 1000.
fn read_max_results(v: &str) -> Result<u16, ()> {
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(());
    }
    let digits = v.trim_start_matches('0');
    match digits.parse::<u16>() {
        Ok(n) if (10..=1000).contains(&n) => Ok(n),
        _ => Err(()),
    }
}

/// Revoke's `SecurityGroupRuleId.N` in ascending `N` (SPEC §12.8): every
/// shape, then repeats (compared as written). Files the ids in `lists`;
/// returns how many there are.
fn read_ids<'s>(
    query: &'s [u8],
    lists: &mut Lists,
    r: &mut Reader<'_, 's>,
    bases: &Bases,
) -> Result<usize, ApiError> {
    let hints = r.hints;
    let refused = |cause, reason, n, v: &str| {
        ApiError::new(cause)
            .with_hints(hints)
            .on_rule_id(n)
            .because(reason)
            .quoting(&[v])
    };
    let value = |n: u8| {
        let start = lists.id_starts.get(usize::from(n - 1)).copied();
        query::value_at(query, start.unwrap_or(0) as usize)
    };
    let mut kept: [(u8, &str); MAX_LIST] = [(0, ""); MAX_LIST];
    let mut count = 0;
    for (n, slot) in numbers(lists.ids_non_empty).zip(kept.iter_mut()) {
        let id = r.scratch.keep(value(n));
        if !has_id_shape(id, "sgr-") {
            let shape = Cause::InvalidParamSecurityGroupRuleId;
            return Err(refused(shape, Reason::RuleIdShape, n, id));
        }
        *slot = (n, id);
        count += 1;
    }
    let kept = kept.get(..count).unwrap_or(&[]);
    for (i, &(n, id)) in kept.iter().enumerate() {
        if kept.iter().take(i).any(|&(_, earlier)| earlier == id) {
            let repeated = Cause::InvalidParamSecurityGroupRuleIdRepeated;
            return Err(refused(repeated, Reason::RuleIdRepeated, n, id));
        }
    }
    for (&(n, id), slot) in kept.iter().zip(lists.ids.iter_mut()) {
        *slot = (n, bases.locate(id));
    }
    Ok(count)
}

/// Every permission (SPEC §12.2 step 3): the flat one, or each
/// `Permissions.N` in ascending `N` read as a flat lookup of its fields
/// and checked by Modify's code, its errors named `Permissions.N.<field>`.
/// Files them in `lists`; returns how many there are.
fn read_permissions<'s>(
    query: &'s [u8],
    numbered: bool,
    lists: &mut Lists,
    r: &mut Reader<'_, 's>,
    bases: &Bases,
) -> Result<usize, ApiError> {
    let mut count = 0;
    let mut read = |name, r: &mut Reader<'_, '_>| -> Result<(), ApiError> {
        let permission = read_permission(r, |_| Ok(())).map_err(|e| e.in_permission(name))?;
        if let Some(slot) = lists.slots.get_mut(count) {
            *slot = Slot::new(name, &permission, bases);
            count += 1;
        }
        Ok(())
    };
    if !numbered {
        read(PermissionName::Flat, r)?;
        return Ok(count);
    }
    for n in numbers(lists.exists) {
        let i = usize::from(n - 1);
        let given = lists.fields.get(i).copied().unwrap_or(0);
        let starts = lists.starts.get(i).copied().unwrap_or_default();
        let mut fields = Collected::new();
        for (f, (&param, &start)) in FIELDS.iter().zip(&starts).enumerate() {
            if given & (1 << f) != 0 {
                fields.put(param, query::value_at(query, start as usize));
            }
        }
        // The permission's reader decodes into the same buffer.
        let mut reader = Reader {
            fields: &fields,
            scratch: core::mem::take(&mut r.scratch),
            hints: r.hints,
        };
        let result = read(PermissionName::Numbered(n), &mut reader);
        r.scratch = reader.scratch;
        result?;
    }
    Ok(count)
}

/// What a list action reads.
enum List<'a> {
    Permissions(PermissionsRequest<'a>),
    Ids(RuleIdsRequest<'a>),
}

/// Authorize and Revoke (SPEC §12.2 steps 2–3, §12.9 for Revoke by ids):
/// `RegionId`, `SecurityGroupId`, the form, `ClientToken`, then the ids
/// or every permission in ascending `N`.
fn read_list<'a>(
    action: Action,
    query: &'a [u8],
    collected: &Collected<'a>,
    buffer: &'a mut [u8],
    lists: &'a mut Lists,
) -> Result<List<'a>, ApiError> {
    let bases = Bases::new(query, buffer);
    let mut r = Reader {
        fields: collected,
        scratch: Scratch::new(&mut *buffer),
        hints: collected.hints,
    };
    let hints = r.hints;
    check_group(&mut r)?;

    // The form.
    let flat = FIELDS.iter().any(|&p| r.is_set(p));
    let numbered = lists.exists != 0;
    let by_ids = action == Action::Revoke && (lists.ids_non_empty != 0 || lists.bad_id.is_some());
    let form_error = |reason| {
        ApiError::new(Cause::InvalidParamPermissions)
            .with_hints(hints)
            .because(reason)
    };
    if let Some(error) = lists.bad_permission.take() {
        return Err(error.with_hints(hints));
    }
    if flat && numbered {
        return Err(form_error(Reason::MixedForms));
    }
    if by_ids && (flat || numbered) {
        return Err(form_error(Reason::IdsWithPermissions));
    }
    check_client_token(&mut r)?;

    let (ids_count, slots_count) = if by_ids {
        if let Some(error) = lists.bad_id.take() {
            return Err(error.with_hints(hints));
        }
        (read_ids(query, lists, &mut r, &bases)?, 0)
    } else {
        (0, read_permissions(query, numbered, lists, &mut r, &bases)?)
    };

    let region_id = bases.locate(r.keep(Param::RegionId).unwrap_or_default());
    let security_group_id = bases.locate(r.keep(Param::SecurityGroupId).unwrap_or_default());
    let client_token = r
        .keep_non_empty(Param::ClientToken)
        .map(|t| bases.locate(t));
    // `r`'s loan of the buffer ends here: what is kept is read back
    // through `Texts`.

    let lists: &'a Lists = lists;
    let buffer: &'a [u8] = buffer;
    let texts = Texts { query, buffer };
    if by_ids {
        return Ok(List::Ids(RuleIdsRequest {
            texts,
            region_id,
            security_group_id,
            client_token,
            ids: lists.ids.get(..ids_count).unwrap_or(&[]),
            hints,
        }));
    }
    Ok(List::Permissions(PermissionsRequest {
        texts,
        region_id,
        security_group_id,
        client_token,
        slots: lists.slots.get(..slots_count).unwrap_or(&[]),
        hints,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_indexes_are_decimals_from_1_to_100_without_leading_zeros() {
        for (text, n) in [
            ("1", Some(1)),
            ("9", Some(9)),
            ("10", Some(10)),
            ("100", Some(100)),
        ] {
            assert_eq!(list_index(text), n, "{text}");
        }
        for text in [
            "", "0", "01", "101", "255", "256", "1000", "+1", "-1", "1 ", "x", "1.5",
        ] {
            assert_eq!(list_index(text), None, "{text}");
        }
        assert_eq!(
            (1..=255)
                .filter(|n| list_index(&std::format!("{n}")).is_some())
                .count(),
            100
        );
    }

    #[test]
    fn kept_texts_are_found_again_where_they_lie() {
        let query = b"a=hello&b=x";
        let mut buffer = [0u8; 16];
        buffer[3..6].copy_from_slice(b"abc");
        let bases = Bases::new(query, &buffer);
        let in_query = bases.locate(core::str::from_utf8(&query[2..7]).unwrap());
        let in_buffer = bases.locate(core::str::from_utf8(&buffer[3..6]).unwrap());
        let elsewhere = bases.locate("static");
        let empty = bases.locate("");
        let texts = Texts {
            query,
            buffer: &buffer,
        };
        assert_eq!(texts.get(in_query), "hello");
        assert_eq!(texts.get(in_buffer), "abc");
        assert_eq!((texts.get(elsewhere), texts.get(empty)), ("", ""));
    }

    #[test]
    fn the_tables_stay_small_beside_the_buffer() {
        // 136-byte slots: a parser is about 85 KiB, a list request a few words.
        assert!(core::mem::size_of::<Lists>() <= 24 * 1024);
        assert!(core::mem::size_of::<PermissionsRequest<'_>>() <= 96);
    }
}
