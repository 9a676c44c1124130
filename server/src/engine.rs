//! The one file that calls the library: every action, every response body
//! and every error the server answers goes through here, so the rest of the
//! server does not depend on which actions exist.
//!
//! A request is parsed once (`RequestParser::parse_request`, one parser per
//! engine: it is about 85 KiB); Describe is answered by
//! `State::write_describe` (every rule as the state file holds it, ingress
//! rules included, as the CLI answers), every other action by
//! `lifecycle::execute`
//! with what the library cannot know itself: the quota, the time, random
//! rule ids, the `ClientToken` memory and the state's prefix lists.
//!
//! Atomicity: the library's actions check everything before they change
//! the store, so an error leaves the state as it was. A panic inside
//! [`Engine::handle`] is a bug (the library denies the panicking calls);
//! the caller answers it `InternalError` and, with `--save`, rolls the
//! state back to the last durable one.
//!
//! `ClientToken`s with `--save`: a token is remembered when its request
//! succeeds, before the change is durable. The tokens remembered since the
//! last durable snapshot are kept aside, and forgotten when the state goes
//! back to that snapshot (a failed write, a panic), so a retry of a change
//! that was rolled back is applied again rather than answered "done".

use aliyun_sg_egress::Response;
use aliyun_sg_egress::error::{ApiError, Cause};
use aliyun_sg_egress::lifecycle::{self, Env};
use aliyun_sg_egress::request::{Action, Param, Request, RequestParser, RevokeRequest};
use aliyun_sg_egress::state::State;
use aliyun_sg_egress::store::Tokens;
pub use aliyun_sg_egress::{Format, RequestId};

/// The embedded demo state (the CLI's, SPEC §9).
pub const DEMO_STATE: &str = include_str!("../../examples/demo_state.json");

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

/// The state and what the library needs beside it.
pub struct Engine {
    state: State,
    parser: Box<RequestParser>,
    /// `--rule-quota`: Authorize's limit (SPEC §12.3).
    rule_quota: usize,
    /// The `ClientToken` memory (about 400 KiB, hence the box).
    tokens: Box<Tokens>,
    /// The state's `PrefixLists` alone (no groups), for
    /// `State::prefix_list_exists` while `state` is borrowed by an action;
    /// `None` when the state lists none (every prefix list exists). No
    /// action changes them.
    prefix_lists: Option<State>,
    /// With `--save`: the tokens remembered since the last snapshot, and
    /// those of the snapshot being written (see the module docs).
    track_tokens: bool,
    tokens_since_snapshot: Vec<String>,
    tokens_in_flight: Vec<String>,
}

impl Engine {
    /// Loads a state file's text. `saves`: the state is saved (`--save`),
    /// so [`Engine::restore`] may roll back and the tokens are tracked.
    pub fn load(text: &[u8], rule_quota: usize, saves: bool) -> Result<Engine, String> {
        let state = State::from_slice(text).map_err(|e| e.to_string())?;
        Ok(Engine {
            prefix_lists: prefix_lists(text)?,
            state,
            parser: Box::new(RequestParser::new()),
            rule_quota,
            tokens: Box::new(Tokens::new()),
            track_tokens: saves,
            tokens_since_snapshot: Vec::new(),
            tokens_in_flight: Vec::new(),
        })
    }

    /// Answers one request whose signature (if any) has been checked:
    /// `action` is the `x-acs-action` header's value (the `Action`
    /// parameter is among `params`, already checked to agree), `params` the
    /// raw query (and form body, joined by `&`). The body goes into `out`
    /// (cleared first).
    pub fn handle(
        &mut self,
        action: Option<&str>,
        params: &[u8],
        format: Format,
        id: RequestId,
        out: &mut String,
    ) -> Outcome {
        let action = match action.map(Action::from_name) {
            None => None,
            Some(Some(action)) => Some(action),
            Some(None) => {
                let error = ApiError::new(Cause::InvalidActionNotFound);
                return write_response(&Response::error(format, id, &error), out, false);
            }
        };
        let request = match self.parser.parse_request(action, params) {
            Ok(request) => request,
            Err(error) => return write_response(&Response::error(format, id, &error), out, false),
        };
        // Tracked only when it is new: a repeated token is the earlier,
        // already tracked (or durable) request's.
        let new_token = client_token(&request)
            .filter(|token| self.track_tokens && self.tokens.get(token).is_none());
        let now = utc_now();
        let mut rule_ids = random_rule_id;
        let mut env = Env::new(&now, &mut rule_ids).with_tokens(&mut self.tokens);
        env.rule_quota = self.rule_quota;
        let prefix_lists = self.prefix_lists.as_ref();
        let exists = |id: &str| prefix_lists.is_none_or(|lists| lists.prefix_list_exists(id));
        env.prefix_lists = Some(&exists);
        // Describe's checks (the group, NextToken) come from `execute`, so
        // its errors carry their status; the body is the state's.
        let done = match lifecycle::execute(&mut self.state, &mut env, &request) {
            Ok(done) => done,
            Err(error) => return write_response(&Response::error(format, id, &error), out, false),
        };
        if let Request::Describe(describe) = &request {
            out.clear();
            let _ = self.state.write_describe(describe, format, id, out);
            return Outcome::ok(false);
        }
        if let Some(token) = new_token {
            self.tokens_since_snapshot.push(token.to_owned());
        }
        let success = Response::success(format, id).for_action(done.action);
        write_response(&success, out, done.changed)
    }

    /// The library's own error for parameters the server could not decode
    /// (bad percent-encoding, bad UTF-8, a name given twice, too long):
    /// parses without applying. `None` if the library finds no fault.
    pub fn decoding_error(
        &mut self,
        params: &[u8],
        format: Format,
        id: RequestId,
        out: &mut String,
    ) -> Option<Outcome> {
        let error = self.parser.parse(params).err()?;
        Some(write_response(
            &Response::error(format, id, &error),
            out,
            false,
        ))
    }

    /// The whole state as the file's text (for a save): what the next
    /// [`Engine::committed`] or [`Engine::restore`] refers to.
    pub fn snapshot(&mut self, out: &mut String) {
        out.clear();
        let _ = self.state.write_json(out);
        self.tokens_in_flight
            .append(&mut self.tokens_since_snapshot);
    }

    /// The last snapshot is durable.
    pub fn committed(&mut self) {
        self.tokens_in_flight.clear();
    }

    /// Puts back the last durable state (after a failed save, or a panic),
    /// and forgets the tokens remembered since.
    pub fn restore(&mut self, text: &str) -> Result<(), String> {
        for token in self
            .tokens_in_flight
            .drain(..)
            .chain(self.tokens_since_snapshot.drain(..))
        {
            self.tokens.forget(&token);
        }
        self.state = State::from_json(text).map_err(|e| e.to_string())?;
        Ok(())
    }
}

/// The request's `ClientToken`, if any.
fn client_token<'a>(request: &Request<'a>) -> Option<&'a str> {
    match request {
        Request::Modify(r) => r.client_token(),
        Request::ModifyById(r) => r.client_token(),
        Request::Authorize(r) | Request::Revoke(RevokeRequest::ByPermissions(r)) => {
            r.client_token()
        }
        Request::Revoke(RevokeRequest::ByIds(r)) => r.client_token(),
        Request::Describe(_) => None,
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
fn utc_text(secs: u64) -> String {
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

    #[test]
    fn tokens_of_a_rolled_back_change_are_forgotten() {
        let mut engine = Engine::load(DEMO_STATE.as_bytes(), DEFAULT_RULE_QUOTA, true).unwrap();
        let mut out = String::new();
        let mut durable = String::new();
        engine.snapshot(&mut durable);
        engine.committed();
        let authorize = |port: u16, token: &str| {
            format!(
                "Action=AuthorizeSecurityGroupEgress&RegionId=cn-hangzhou&SecurityGroupId=sg-F876FF7BA\
                 &IpProtocol=tcp&PortRange={port}/{port}&DestCidrIp=10.1.0.0/16&ClientToken={token}"
            )
        };
        let id = RequestId::from_u128(1);
        let mut run = |engine: &mut Engine, query: &str| {
            engine.handle(None, query.as_bytes(), Format::Json, id, &mut out)
        };
        // Durable: kept after a later rollback.
        assert!(run(&mut engine, &authorize(1, "kept")).changed);
        engine.snapshot(&mut durable);
        engine.committed();
        // In flight, and since the snapshot: both rolled back.
        assert!(run(&mut engine, &authorize(2, "in-flight")).changed);
        let mut text = String::new();
        engine.snapshot(&mut text);
        assert!(run(&mut engine, &authorize(3, "since")).changed);
        engine.restore(&durable).unwrap();
        assert!(!run(&mut engine, &authorize(1, "kept")).changed);
        assert!(run(&mut engine, &authorize(2, "in-flight")).changed);
        assert!(run(&mut engine, &authorize(3, "since")).changed);
        // The same token with other parameters still mismatches.
        let o = run(&mut engine, &authorize(4, "kept"));
        assert_eq!(
            (o.status, o.code),
            (400, Some("IdempotentParameterMismatch"))
        );
    }
}
