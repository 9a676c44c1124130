//! The one file that calls the library: every action, every response body
//! and every error the server answers goes through here, so the rest of the
//! server does not depend on which actions exist.
//!
//! # One lock per group
//!
//! The state is split by group (`State::split`): each group is a part of
//! its own behind its own lock, so requests on different groups run in
//! parallel and requests on one group one after another (SPEC §13). A
//! request is parsed before any lock (one parser per thread: it is about
//! 85 KiB), then runs under its group's lock: `lifecycle::execute`, and
//! for Describe `State::write_describe` (every rule as the state file
//! holds it, ingress rules included, as the CLI answers). A request naming
//! no group of the state runs on an empty state (it is not found there,
//! as in the whole one). What the groups share has locks of its own, taken
//! inside a group's and held for a lookup: the `ClientToken` memory (a
//! token is the caller's, whatever the group) and the set of every rule id
//! (a new id is unique in the whole state, not only in its group). The
//! file is written as the frame of the split with each group's text, and
//! a group's text is written again only when it changed.
//!
//! # Atomicity, also on a panic
//!
//! The library's actions check everything before they change the store,
//! so an error leaves the group as it was. A panic under a group's lock is
//! a bug (the library denies the panicking calls), but the group must
//! still be as before the request (§13): each group keeps a *base* (its
//! last durable state with `--save`, else a checkpoint taken every
//! [`CHECKPOINT`] changes) and the changes applied since, with the time
//! and rule ids they were given; after a panic the group is the base with
//! those changes applied again, which is exactly what it was before the
//! request. Bases move forward by applying the logged changes to them
//! (after a write, or every [`CHECKPOINT`] changes), never by copying a
//! group: only a rollback (a panic, a failed write) copies one.
//!
//! # `--save`
//!
//! A change puts a waiter on the pending list under its group's lock. The
//! committer ([`Engine::snapshot`]) takes the whole list and then the
//! groups one by one, so every change whose waiter it took is in the text
//! it writes. After the write, [`Engine::finish`] makes each group's
//! snapshot its new base, or, when the write failed, puts every group back
//! to its base and answers every waiter `false` (the request answers 500
//! `InternalError`). A successful request on a group with changes not yet
//! durable (a Describe that saw them, a Modify that found the description
//! already set) waits too, so nothing is answered 200 on the strength of a
//! state that could still be rolled back.
//!
//! `ClientToken`s with `--save`: a token is remembered when its request
//! succeeds, before the change is durable. The tokens remembered since a
//! group's last snapshot are kept aside with their group and forgotten
//! when the groups go back to their bases (a failed write), so a retry of
//! a change that was rolled back is applied again rather than answered
//! "done". After a panic, the token of the request that panicked is
//! forgotten.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Mutex, MutexGuard, PoisonError};

use aliyun_sg_egress::Response;
use aliyun_sg_egress::error::{ApiError, Cause};
use aliyun_sg_egress::lifecycle::{self, Env};
use aliyun_sg_egress::request::{Action, Param, Request, RequestParser};
use aliyun_sg_egress::state::{Frame, State};
use aliyun_sg_egress::store::Tokens;
pub use aliyun_sg_egress::{Format, RequestId};
use tokio::sync::oneshot;

/// The embedded demo state (the CLI's, SPEC §9).
pub const DEMO_STATE: &str = include_str!("../../examples/demo_state.json");

/// Without `--save`, a group's base catches up after this many changes:
/// the most a panic applies again.
pub const CHECKPOINT: usize = 256;

/// What a request came to, for the log line and the save.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The HTTP status.
    pub status: u16,
    /// The error's `Code`; `None` for success.
    pub code: Option<&'static str>,
    /// Whether the state changed (a save is due).
    pub changed: bool,
}

impl Outcome {
    const fn ok(changed: bool) -> Outcome {
        Outcome {
            status: 200,
            code: None,
            changed,
        }
    }
}

/// Errors the server itself answers (before or beside the library).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerError {
    /// No or unparsable signature.
    IncompleteSignature,
    /// The access key is not in `--credentials`.
    AccessKeyNotFound,
    /// The signature (or the ACS3 content hash) does not match.
    SignatureDoesNotMatch,
    /// The nonce was used with this key in the last 15 minutes.
    SignatureNonceUsed,
    /// The timestamp is more than 15 minutes off.
    TimestampExpired,
    /// `Version` / `x-acs-version` is not `2014-05-26`.
    InvalidVersion,
    /// `Action` and `x-acs-action` differ.
    ActionMismatch,
    /// Another path or method.
    NotFound,
    /// The save failed, or a request's handling panicked.
    Internal,
    /// Parameters the server could not decode though the library could
    /// (never expected: both decode by SPEC §2).
    Undecodable,
}

impl ServerError {
    /// The library's catalogue entry: status, `Code` and message (SPEC §13,
    /// §12.9).
    fn api_error(self) -> ApiError {
        match self {
            ServerError::IncompleteSignature => ApiError::new(Cause::IncompleteSignature),
            ServerError::AccessKeyNotFound => ApiError::new(Cause::InvalidAccessKeyIdNotFound),
            ServerError::SignatureDoesNotMatch => ApiError::new(Cause::SignatureDoesNotMatch),
            ServerError::SignatureNonceUsed => ApiError::new(Cause::SignatureNonceUsed),
            ServerError::TimestampExpired => ApiError::new(Cause::InvalidTimeStampExpired),
            ServerError::InvalidVersion => {
                ApiError::new(Cause::InvalidVersion).with_parameter(Param::Version)
            }
            ServerError::ActionMismatch => {
                ApiError::new(Cause::InvalidParameter).with_parameter(Param::Action)
            }
            ServerError::NotFound => ApiError::new(Cause::InvalidActionNotFound),
            ServerError::Internal => ApiError::new(Cause::InternalError),
            ServerError::Undecodable => {
                ApiError::new(Cause::InvalidParameter).with_parameter_name("QueryString")
            }
        }
    }
}

/// Writes the body of a server error into `out` (cleared first).
pub fn write_error(error: ServerError, format: Format, id: RequestId, out: &mut String) -> Outcome {
    write_response(&Response::error(format, id, &error.api_error()), out, false)
}

fn write_response(response: &Response<'_>, out: &mut String, changed: bool) -> Outcome {
    out.clear();
    // Writing into a `String` cannot fail.
    let _ = response.write_body(out);
    match response.api_error() {
        None => Outcome::ok(changed),
        Some(error) => Outcome {
            status: error.status(),
            code: Some(error.code()),
            changed: false,
        },
    }
}

thread_local! {
    /// This thread's parser: a request is parsed before any lock is taken.
    static PARSER: RefCell<Box<RequestParser>> = RefCell::new(Box::new(RequestParser::new()));
}

/// A lock whose holder panicked is still good: every group is put back
/// before its lock is let go (see the module docs).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One group: its part of the state, and how to put it back.
struct Shard {
    state: State,
    /// The part as `log` starts from: the last durable one with `--save`,
    /// else the last checkpoint.
    base: State,
    /// The changes applied since `base`, in order.
    log: Vec<Applied>,
    /// With `--save`, while a snapshot is written: how many of `log` it
    /// holds.
    writing: Option<usize>,
    /// Counts changes and rollbacks: the committer writes the group's text
    /// again only when this moved.
    generation: u64,
}

impl Shard {
    fn new(state: State) -> Shard {
        Shard {
            base: state.clone(),
            state,
            log: Vec::new(),
            writing: None,
            generation: 0,
        }
    }
}

/// A change as it was applied: all it takes to apply it again.
struct Applied {
    action: Option<Action>,
    params: Box<[u8]>,
    now: String,
    rule_ids: Vec<[u8; 20]>,
}

/// The `ClientToken` memory and, with `--save`, the tokens whose changes
/// are not durable yet.
struct TokenBook {
    /// About 400 KiB, hence the box.
    tokens: Box<Tokens>,
    /// Remembered since their group's last snapshot: (group, token).
    since: Vec<(usize, String)>,
    /// Remembered before the snapshot being written.
    in_flight: Vec<String>,
}

/// Requests waiting for the next write.
#[derive(Default)]
struct Pending {
    waiters: Vec<oneshot::Sender<bool>>,
    /// A write is under way.
    writing: bool,
}

/// What [`Engine::handle`] answers.
pub struct Handled {
    pub outcome: Outcome,
    /// With `--save`, when the answer must wait for a write: `true` once it
    /// is durable, `false` when it was rolled back.
    pub durable: Option<oneshot::Receiver<bool>>,
}

/// The state, split by group, and what the library needs beside it.
pub struct Engine {
    frame: Frame,
    /// Each group's shard, by `SecurityGroupId`.
    groups: HashMap<String, usize>,
    /// One per group in document order, then an empty state for requests
    /// that name no group of the state.
    shards: Vec<Mutex<Shard>>,
    tokens: Mutex<TokenBook>,
    /// Every rule id of the state (ingress rules' included) and every id
    /// drawn since.
    rule_ids: Mutex<HashSet<String>>,
    /// The state's `PrefixLists` alone (no groups), for
    /// `State::prefix_list_exists` while a group is borrowed by an action;
    /// `None` when the state lists none (every prefix list exists).
    prefix_lists: Option<State>,
    /// `--rule-quota`: Authorize's limit (SPEC §12.3).
    rule_quota: usize,
    /// `--save`: changes wait for a write, and bases are the durable state.
    saves: bool,
    pending: Mutex<Pending>,
}

impl Engine {
    /// Loads a state file's text. `saves`: the state is saved (`--save`).
    pub fn load(text: &[u8], rule_quota: usize, saves: bool) -> Result<Engine, String> {
        let whole = State::from_slice(text).map_err(|e| e.to_string())?;
        let (frame, parts) = whole.split().map_err(|e| e.to_string())?;
        let mut groups = HashMap::new();
        let mut rule_ids = HashSet::new();
        for (index, part) in parts.iter().enumerate() {
            if let Some(info) = part.store().groups().next() {
                groups.insert(info.id.as_str().to_owned(), index);
            }
            let rules = part.document().pointer("/Permissions/Permission");
            for rule in rules.and_then(|r| r.as_array()).into_iter().flatten() {
                if let Some(id) = rule.get("SecurityGroupRuleId").and_then(|v| v.as_str()) {
                    rule_ids.insert(id.to_owned());
                }
            }
        }
        let nowhere = State::from_json("[]").map_err(|e| e.to_string())?;
        let shards = parts
            .into_iter()
            .chain([nowhere])
            .map(|part| Mutex::new(Shard::new(part)))
            .collect();
        Ok(Engine {
            frame,
            groups,
            shards,
            tokens: Mutex::new(TokenBook {
                tokens: Box::new(Tokens::new()),
                since: Vec::new(),
                in_flight: Vec::new(),
            }),
            rule_ids: Mutex::new(rule_ids),
            prefix_lists: prefix_lists(text)?,
            rule_quota,
            saves,
            pending: Mutex::new(Pending::default()),
        })
    }

    /// Answers one request whose signature (if any) has been checked:
    /// `action` is the `x-acs-action` header's value (the `Action`
    /// parameter is among `params`, already checked to agree), `params` the
    /// raw query (and form body, joined by `&`). The body goes into `out`
    /// (cleared first). `panic_after_change` (tests only) panics once the
    /// request has changed its group.
    pub fn handle(
        &self,
        action: Option<&str>,
        params: &[u8],
        format: Format,
        id: RequestId,
        out: &mut String,
        panic_after_change: bool,
    ) -> Handled {
        let action = match action.map(Action::from_name) {
            None => None,
            Some(Some(action)) => Some(action),
            Some(None) => {
                let error = ApiError::new(Cause::InvalidActionNotFound);
                return answer(write_response(
                    &Response::error(format, id, &error),
                    out,
                    false,
                ));
            }
        };
        PARSER.with(|parser| {
            let mut parser = parser.borrow_mut();
            let request = match parser.parse_request(action, params) {
                Ok(request) => request,
                Err(error) => {
                    return answer(write_response(
                        &Response::error(format, id, &error),
                        out,
                        false,
                    ));
                }
            };
            let nowhere = self.shards.len() - 1;
            let index = self
                .groups
                .get(request.security_group_id())
                .copied()
                .unwrap_or(nowhere);
            let Some(shard) = self.shards.get(index) else {
                return answer(write_error(ServerError::Internal, format, id, out));
            };
            let mut shard = lock(shard);
            // Tracked only when it is new: a repeated token is the earlier
            // request's.
            let token = request.client_token();
            let new_token = token
                .filter(|t| lock(&self.tokens).tokens.get(t).is_none())
                .map(str::to_owned);
            let logged = shard.log.len();
            let run = catch_unwind(AssertUnwindSafe(|| {
                let outcome = self.run(&mut shard, &request, (action, params), format, id, out);
                if panic_after_change && outcome.changed {
                    panic!("TestPanic: a panic after the group changed, on request");
                }
                outcome
            }));
            let outcome = match run {
                Ok(outcome) => outcome,
                Err(_) => {
                    tracing::error!("a request's handling panicked; its group is put back");
                    let shard = &mut *shard;
                    shard.log.truncate(logged);
                    shard.state = shard.base.clone();
                    replay(
                        &mut parser,
                        &mut shard.state,
                        &shard.log,
                        self.rule_quota,
                        self.exists(),
                    );
                    shard.generation += 1;
                    if let Some(token) = new_token {
                        let mut book = lock(&self.tokens);
                        book.tokens.forget(&token);
                        book.since.retain(|(_, t)| *t != token);
                    }
                    return answer(write_error(ServerError::Internal, format, id, out));
                }
            };
            if let (Some(token), true) = (new_token, outcome.changed && self.saves) {
                lock(&self.tokens).since.push((index, token));
            }
            if !self.saves && shard.log.len() >= CHECKPOINT {
                let shard = &mut *shard;
                replay(
                    &mut parser,
                    &mut shard.base,
                    &shard.log,
                    self.rule_quota,
                    self.exists(),
                );
                shard.log.clear();
            }
            // Under the group's lock, so the committer's snapshot holds
            // every change whose waiter it takes.
            let durable =
                (self.saves && outcome.status == 200 && !shard.log.is_empty()).then(|| {
                    let (sender, receiver) = oneshot::channel();
                    lock(&self.pending).waiters.push(sender);
                    receiver
                });
            Handled { outcome, durable }
        })
    }

    /// The action on its group (locked by the caller).
    fn run(
        &self,
        shard: &mut Shard,
        request: &Request<'_>,
        (action, params): (Option<Action>, &[u8]),
        format: Format,
        id: RequestId,
        out: &mut String,
    ) -> Outcome {
        // Only a new rule takes the time (its `CreateTime`).
        let now = match request {
            Request::Authorize(_) => utc_now(),
            _ => String::new(),
        };
        let mut drawn = Vec::new();
        let mut rule_ids = || {
            let id = self.new_rule_id();
            drawn.push(id);
            id
        };
        let exists = self.exists();
        let mut env = Env::new(&now, &mut rule_ids);
        env.rule_quota = self.rule_quota;
        env.prefix_lists = Some(&exists);
        // The token memory is locked only for a request that has a token.
        let mut book = request.client_token().map(|_| lock(&self.tokens));
        if let Some(book) = book.as_mut() {
            env = env.with_tokens(&mut book.tokens);
        }
        let done = lifecycle::execute(&mut shard.state, &mut env, request);
        drop(book);
        let done = match done {
            Ok(done) => done,
            Err(error) => return write_response(&Response::error(format, id, &error), out, false),
        };
        if let Request::Describe(describe) = request {
            out.clear();
            let _ = shard.state.write_describe(describe, format, id, out);
            return Outcome::ok(false);
        }
        if done.changed {
            shard.log.push(Applied {
                action,
                params: params.into(),
                now,
                rule_ids: drawn,
            });
            shard.generation += 1;
        }
        let success = Response::success(format, id).for_action(done.action);
        write_response(&success, out, done.changed)
    }

    /// Which prefix lists exist.
    fn exists(&self) -> impl Fn(&str) -> bool + '_ {
        |id| {
            self.prefix_lists
                .as_ref()
                .is_none_or(|lists| lists.prefix_list_exists(id))
        }
    }

    /// A new rule id no rule of the state has had.
    fn new_rule_id(&self) -> [u8; 20] {
        let mut ids = lock(&self.rule_ids);
        // 36^20 ids: a second draw is next to never needed; after a few,
        // the library's own check (within the group) has the last word.
        let mut id = random_rule_id();
        for _ in 0..4 {
            let text = format!("sgr-{}", String::from_utf8_lossy(&id));
            if ids.insert(text) {
                break;
            }
            id = random_rule_id();
        }
        id
    }

    /// The library's own error for parameters the server could not decode
    /// (bad percent-encoding, bad UTF-8, a name given twice, too long):
    /// parses without applying. `None` if the library finds no fault.
    pub fn decoding_error(
        &self,
        params: &[u8],
        format: Format,
        id: RequestId,
        out: &mut String,
    ) -> Option<Outcome> {
        PARSER.with(|parser| {
            let error = parser.borrow_mut().parse(params).err()?;
            Some(write_response(
                &Response::error(format, id, &error),
                out,
                false,
            ))
        })
    }

    /// Starts a save: takes the waiting requests and writes the whole
    /// state's text into `out`. `texts` is the committer's copy of each
    /// group's text, written again only for the groups that changed.
    /// `None` when nobody waits.
    pub fn snapshot(
        &self,
        out: &mut String,
        texts: &mut Vec<(u64, String)>,
    ) -> Option<Vec<oneshot::Sender<bool>>> {
        let waiters = {
            let mut pending = lock(&self.pending);
            if pending.waiters.is_empty() {
                return None;
            }
            pending.writing = true;
            std::mem::take(&mut pending.waiters)
        };
        texts.resize_with(self.shards.len(), || (u64::MAX, String::new()));
        for (index, (shard, text)) in self.shards.iter().zip(texts.iter_mut()).enumerate() {
            let mut shard = lock(shard);
            if text.0 != shard.generation {
                text.1.clear();
                let _ = shard.state.write_json(&mut text.1);
                text.0 = shard.generation;
            }
            if !shard.log.is_empty() {
                shard.writing = Some(shard.log.len());
            }
            // This group's tokens so far belong to this snapshot.
            let mut book = lock(&self.tokens);
            let book = &mut *book;
            let (mine, others) = std::mem::take(&mut book.since)
                .into_iter()
                .partition::<Vec<_>, _>(|(group, _)| *group == index);
            book.since = others;
            book.in_flight
                .extend(mine.into_iter().map(|(_, token)| token));
        }
        out.clear();
        let _ = self
            .frame
            .write_json(out, texts.iter().map(|(_, text)| text.as_str()));
        Some(waiters)
    }

    /// Ends a save: `written`, every group's base catches up with the
    /// snapshot and its waiters are answered `true`; else every group goes
    /// back to its base (the last durable state), the tokens remembered
    /// since are forgotten, and every waiter, of this write or since, is
    /// answered `false`.
    pub fn finish(&self, written: bool, waiters: Vec<oneshot::Sender<bool>>) {
        let mut failed = Vec::new();
        if written {
            PARSER.with(|parser| {
                let mut parser = parser.borrow_mut();
                for shard in &self.shards {
                    let mut shard = lock(shard);
                    let shard = &mut *shard;
                    if let Some(mark) = shard.writing.take() {
                        let applied: Vec<Applied> = shard.log.drain(..mark).collect();
                        replay(
                            &mut parser,
                            &mut shard.base,
                            &applied,
                            self.rule_quota,
                            self.exists(),
                        );
                    }
                }
            });
            lock(&self.tokens).in_flight.clear();
            lock(&self.pending).writing = false;
        } else {
            // Every group at once, so no change slips in between the
            // rollback and the waiters it fails.
            let mut shards: Vec<_> = self.shards.iter().map(lock).collect();
            for shard in &mut shards {
                if !shard.log.is_empty() {
                    shard.state = shard.base.clone();
                    shard.log.clear();
                    shard.generation += 1;
                }
                shard.writing = None;
            }
            {
                let mut book = lock(&self.tokens);
                let book = &mut *book;
                let since = book.since.drain(..).map(|(_, token)| token);
                for token in book.in_flight.drain(..).chain(since) {
                    book.tokens.forget(&token);
                }
            }
            let mut pending = lock(&self.pending);
            pending.writing = false;
            failed = std::mem::take(&mut pending.waiters);
        }
        for waiter in waiters {
            let _ = waiter.send(written);
        }
        for waiter in failed {
            let _ = waiter.send(false);
        }
    }

    /// A waiter for the next write, when a change is not durable yet.
    pub fn until_saved(&self) -> Option<oneshot::Receiver<bool>> {
        let mut pending = lock(&self.pending);
        if pending.waiters.is_empty() && !pending.writing {
            return None;
        }
        let (sender, receiver) = oneshot::channel();
        pending.waiters.push(sender);
        Some(receiver)
    }
}

fn answer(outcome: Outcome) -> Handled {
    Handled {
        outcome,
        durable: None,
    }
}

/// Applies logged changes again, with the time and rule ids they had and
/// no token memory (their tokens are remembered already).
fn replay(
    parser: &mut RequestParser,
    state: &mut State,
    log: &[Applied],
    rule_quota: usize,
    exists: impl Fn(&str) -> bool,
) {
    for applied in log {
        let Ok(request) = parser.parse_request(applied.action, &applied.params) else {
            tracing::error!("a logged change no longer parses; skipped");
            continue;
        };
        let mut ids = applied.rule_ids.iter().copied();
        let mut rule_ids = || ids.next().unwrap_or_else(random_rule_id);
        let mut env = Env::new(&applied.now, &mut rule_ids);
        env.rule_quota = rule_quota;
        env.prefix_lists = Some(&exists);
        if !lifecycle::execute(state, &mut env, &request).is_ok_and(|done| done.changed) {
            tracing::error!("a logged change did not apply again");
        }
    }
}

/// The state's top-level `PrefixLists` as a state of its own (the library
/// reads them; the state has loaded, so they are well formed).
fn prefix_lists(text: &[u8]) -> Result<Option<State>, String> {
    let document: serde_json::Value = serde_json::from_slice(text).map_err(|e| e.to_string())?;
    let Some(lists) = document
        .get("SecurityGroups")
        .and(document.get("PrefixLists"))
        .filter(|lists| !lists.is_null())
    else {
        return Ok(None);
    };
    let only = serde_json::json!({ "SecurityGroups": [], "PrefixLists": lists });
    State::from_json(&only.to_string())
        .map(Some)
        .map_err(|e| e.to_string())
}

/// A new rule id's 20 characters of `[a-z0-9]` (SPEC §12.3), from `rand`'s
/// thread-local CSPRNG.
fn random_rule_id() -> [u8; 20] {
    use rand::Rng as _;
    const ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    std::array::from_fn(|_| ALPHABET[rng.random_range(0..ALPHABET.len())])
}

/// The current UTC time as `YYYY-MM-DDThh:mm:ssZ` (a rule's `CreateTime`).
fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    utc_text(secs)
}

/// Unix seconds as `YYYY-MM-DDThh:mm:ssZ` (Howard Hinnant's
/// `civil_from_days`).
pub(crate) fn utc_text(secs: u64) -> String {
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3_600,
        rest / 60 % 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use aliyun_sg_egress::lifecycle::DEFAULT_RULE_QUOTA;

    #[test]
    fn server_errors_have_the_texts_of_spec_13() {
        let id = RequestId::from_u128(1);
        let mut out = String::new();
        for (error, status, code, message) in [
            (
                ServerError::IncompleteSignature,
                400,
                "IncompleteSignature",
                "The request signature does not conform to Aliyun standards.",
            ),
            (
                ServerError::AccessKeyNotFound,
                404,
                "InvalidAccessKeyId.NotFound",
                "Specified access key is not found.",
            ),
            (
                ServerError::SignatureDoesNotMatch,
                400,
                "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation.",
            ),
            (
                ServerError::SignatureNonceUsed,
                400,
                "SignatureNonceUsed",
                "Specified signature nonce was used already.",
            ),
            (
                ServerError::TimestampExpired,
                400,
                "InvalidTimeStamp.Expired",
                "Specified time stamp or date value is expired.",
            ),
            (
                ServerError::InvalidVersion,
                400,
                "InvalidVersion",
                "Specified parameter Version is not valid.",
            ),
            (
                ServerError::NotFound,
                404,
                "InvalidAction.NotFound",
                "Specified api is not found, please check your url and method.",
            ),
        ] {
            let outcome = write_error(error, Format::Json, id, &mut out);
            assert_eq!((outcome.status, outcome.code), (status, Some(code)));
            assert_eq!(
                out,
                format!(
                    "{{\"RequestId\":\"{id}\",\"HostId\":\"ecs.aliyuncs.com\",\"Code\":\"{code}\",\"Message\":\"{message}\"}}"
                )
            );
        }
    }

    #[test]
    fn utc_text_is_the_calendar() {
        assert_eq!(utc_text(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_text(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc_text(1_798_761_599), "2026-12-31T23:59:59Z");
        assert_eq!(utc_text(4_107_542_400), "2100-03-01T00:00:00Z");
    }

    #[test]
    fn rule_ids_are_lower_case_letters_and_digits() {
        let a = random_rule_id();
        assert!(
            a.iter()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );
        assert_ne!(a, random_rule_id());
    }

    const GROUP_A: &str = "sg-F876FF7BA";

    fn authorize(group: &str, port: u16, token: &str) -> String {
        format!(
            "Action=AuthorizeSecurityGroupEgress&RegionId=cn-hangzhou&SecurityGroupId={group}\
             &IpProtocol=tcp&PortRange={port}/{port}&DestCidrIp=10.1.0.0/16&ClientToken={token}"
        )
    }

    fn run(engine: &Engine, query: &str) -> Outcome {
        let mut out = String::new();
        let id = RequestId::from_u128(1);
        engine
            .handle(None, query.as_bytes(), Format::Json, id, &mut out, false)
            .outcome
    }

    fn describe(engine: &Engine, group: &str) -> String {
        let mut out = String::new();
        let query = format!(
            "Action=DescribeSecurityGroupAttribute&RegionId=cn-hangzhou&SecurityGroupId={group}"
        );
        let id = RequestId::from_u128(1);
        let handled = engine.handle(None, query.as_bytes(), Format::Json, id, &mut out, false);
        assert_eq!(handled.outcome.status, 200, "{out}");
        out
    }

    /// Two VPC groups in one VPC, each with one rule, as a state file.
    fn two_groups() -> Vec<u8> {
        let group = |id: &str, rule: &str| {
            format!(
                r#"{{"SecurityGroupId":"{id}","RegionId":"cn-hangzhou","VpcId":"vpc-1","Permissions":{{"Permission":[{{"SecurityGroupRuleId":"{rule}","Direction":"egress","IpProtocol":"TCP","PortRange":"1/1","DestCidrIp":"10.0.0.0/8","Priority":"1","Description":""}}]}}}}"#
            )
        };
        format!("[{},{}]", group("sg-a", "sgr-a"), group("sg-b", "sgr-b")).into_bytes()
    }

    #[test]
    fn tokens_of_a_rolled_back_change_are_forgotten() {
        let engine = Engine::load(DEMO_STATE.as_bytes(), DEFAULT_RULE_QUOTA, true).unwrap();
        let (mut text, mut texts) = (String::new(), Vec::new());
        // Durable: kept after a later rollback.
        assert!(run(&engine, &authorize(GROUP_A, 1, "kept")).changed);
        let batch = engine.snapshot(&mut text, &mut texts).unwrap();
        engine.finish(true, batch);
        // In flight, and since the snapshot: both rolled back.
        assert!(run(&engine, &authorize(GROUP_A, 2, "in-flight")).changed);
        let batch = engine.snapshot(&mut text, &mut texts).unwrap();
        assert!(run(&engine, &authorize(GROUP_A, 3, "since")).changed);
        engine.finish(false, batch);
        assert!(!run(&engine, &authorize(GROUP_A, 1, "kept")).changed);
        assert!(run(&engine, &authorize(GROUP_A, 2, "in-flight")).changed);
        assert!(run(&engine, &authorize(GROUP_A, 3, "since")).changed);
        // The same token with other parameters still mismatches.
        let o = run(&engine, &authorize(GROUP_A, 4, "kept"));
        assert_eq!(
            (o.status, o.code),
            (400, Some("IdempotentParameterMismatch"))
        );
    }

    #[test]
    fn a_failed_write_puts_every_group_back_and_a_good_one_keeps_them() {
        let engine = Engine::load(&two_groups(), DEFAULT_RULE_QUOTA, true).unwrap();
        let (mut text, mut texts) = (String::new(), Vec::new());
        let first = text.clone();
        assert!(
            engine.snapshot(&mut text, &mut texts).is_none(),
            "nobody waits"
        );
        let before = (describe(&engine, "sg-a"), describe(&engine, "sg-b"));
        assert!(run(&engine, &authorize("sg-a", 2, "a")).changed);
        assert!(run(&engine, &authorize("sg-b", 2, "b")).changed);
        let batch = engine.snapshot(&mut text, &mut texts).unwrap();
        assert_eq!(batch.len(), 2);
        assert_ne!(text, first);
        assert!(
            text.contains("\"2/2\"") && text.matches("\"2/2\"").count() == 2,
            "{text}"
        );
        engine.finish(false, batch);
        let after = (describe(&engine, "sg-a"), describe(&engine, "sg-b"));
        assert_eq!(after, before);
        // Written: the text has both, and the groups keep them.
        assert!(run(&engine, &authorize("sg-a", 3, "a3")).changed);
        assert!(run(&engine, &authorize("sg-b", 3, "b3")).changed);
        let batch = engine.snapshot(&mut text, &mut texts).unwrap();
        engine.finish(true, batch);
        assert_eq!(text.matches("\"3/3\"").count(), 2, "{text}");
        assert!(!text.contains("\"2/2\""), "{text}");
        assert!(describe(&engine, "sg-a").contains("3/3"));
        // A later failed write goes back to that durable state.
        assert!(run(&engine, &authorize("sg-b", 4, "b4")).changed);
        let durable_b = {
            let b = describe(&engine, "sg-b");
            b.replace(",{\"SecurityGroupRuleId\"", "\n").len()
        };
        let batch = engine.snapshot(&mut text, &mut texts).unwrap();
        engine.finish(false, batch);
        assert!(!describe(&engine, "sg-b").contains("4/4"));
        assert!(describe(&engine, "sg-b").contains("3/3"));
        assert!(durable_b > 0);
    }

    /// The group is as before the request that panicked, whatever was
    /// logged (and checkpointed) before it, and its token is forgotten.
    #[test]
    fn a_panic_puts_only_its_group_back() {
        for saves in [false, true] {
            let engine = Engine::load(&two_groups(), DEFAULT_RULE_QUOTA, saves).unwrap();
            let mut out = String::new();
            let id = RequestId::from_u128(1);
            // More changes than a checkpoint holds, so the replay starts
            // from a checkpoint (without --save).
            for n in 0..CHECKPOINT + 3 {
                let port = 10 + (n / 40) as u16;
                let modify = format!(
                    "Action=ModifySecurityGroupEgressRule&RegionId=cn-hangzhou&SecurityGroupId=sg-a\
                     &IpProtocol=tcp&PortRange=1/1&DestCidrIp=10.0.0.0/8&Description=d{n}"
                );
                assert!(run(&engine, &modify).changed);
                if n % 40 == 0 {
                    assert!(run(&engine, &authorize("sg-a", port, &format!("t{n}"))).changed);
                }
            }
            assert!(run(&engine, &authorize("sg-b", 7, "b")).changed);
            let before = (describe(&engine, "sg-a"), describe(&engine, "sg-b"));
            let panicking = authorize("sg-a", 99, "panicked");
            let handled =
                engine.handle(None, panicking.as_bytes(), Format::Json, id, &mut out, true);
            assert_eq!(
                (handled.outcome.status, handled.outcome.code),
                (500, Some("InternalError")),
                "{out}"
            );
            assert!(handled.durable.is_none());
            assert_eq!(
                (describe(&engine, "sg-a"), describe(&engine, "sg-b")),
                before
            );
            // Its token was forgotten: the retry is applied.
            assert!(run(&engine, &panicking).changed, "saves: {saves}");
            assert!(describe(&engine, "sg-a").contains("99/99"));
        }
    }

    /// A request holds only its own group: another group answers while
    /// one is locked, and a request on the locked group waits for it.
    #[test]
    fn groups_run_in_parallel_and_one_group_in_turn() {
        let engine = Engine::load(&two_groups(), DEFAULT_RULE_QUOTA, false).unwrap();
        let a = engine.groups["sg-a"];
        let held = engine.shards[a].lock().unwrap();
        std::thread::scope(|scope| {
            let on_b = scope.spawn(|| run(&engine, &authorize("sg-b", 5, "b")));
            let on_a = scope.spawn(|| run(&engine, &authorize("sg-a", 5, "a")));
            assert!(
                on_b.join().unwrap().changed,
                "sg-b answered while sg-a is held"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
            assert!(!on_a.is_finished(), "sg-a waits for its lock");
            drop(held);
            assert!(on_a.join().unwrap().changed);
        });
    }

    #[test]
    fn a_group_not_in_the_state_is_not_found() {
        let engine = Engine::load(&two_groups(), DEFAULT_RULE_QUOTA, false).unwrap();
        let o = run(&engine, &authorize("sg-nowhere", 5, "n"));
        assert_eq!(
            (o.status, o.code),
            (404, Some("InvalidSecurityGroupId.NotFound"))
        );
        // Destination groups are found across groups.
        let q = "Action=AuthorizeSecurityGroupEgress&RegionId=cn-hangzhou&SecurityGroupId=sg-a\
                 &IpProtocol=tcp&PortRange=5/5&DestGroupId=sg-b";
        assert!(run(&engine, q).changed);
    }
}
