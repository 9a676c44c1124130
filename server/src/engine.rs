//! The one file that calls the library: every action, every response body
//! and every error the server answers goes through here, so the rest of the
//! server does not depend on which actions exist.
//!
//! Today the library answers `ModifySecurityGroupEgressRule` by parameters
//! (`RequestParser::parse` + `modify`); the other §12 actions arrive with
//! `lifecycle::execute` / `lifecycle::write_describe`, and only
//! [`Engine::handle`] (and the `ServerError` table below) change then.
//!
//! Atomicity: the library's actions check everything before they change
//! the store, so an error leaves the state as it was. A panic inside
//! [`Engine::handle`] is a bug (the library denies the panicking calls);
//! the caller answers it `InternalError` and, with `--save`, rolls the
//! state back to the last durable one.

use std::fmt::Write as _;

use aliyun_sg_egress::Response;
use aliyun_sg_egress::error::{ApiError, Cause};
use aliyun_sg_egress::modify;
use aliyun_sg_egress::request::{Param, RequestParser};
use aliyun_sg_egress::state::State;
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
    /// Status, `Code`, message: the texts of SPEC §13 and §12.9. The ones
    /// the library catalogues come from it.
    // When the library's catalogue has the five signature causes and
    // `InvalidVersion` (`Cause::IncompleteSignature`, …), these rows become
    // `ApiError::new(Cause::…)` as the last three are.
    fn parts(self) -> Result<(u16, &'static str, &'static str), ApiError> {
        Ok(match self {
            ServerError::IncompleteSignature => (
                400,
                "IncompleteSignature",
                "The request signature does not conform to Aliyun standards.",
            ),
            ServerError::AccessKeyNotFound => (
                404,
                "InvalidAccessKeyId.NotFound",
                "Specified access key is not found.",
            ),
            ServerError::SignatureDoesNotMatch => (
                400,
                "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation.",
            ),
            ServerError::SignatureNonceUsed => (
                400,
                "SignatureNonceUsed",
                "Specified signature nonce was used already.",
            ),
            ServerError::TimestampExpired => (
                400,
                "InvalidTimeStamp.Expired",
                "Specified time stamp or date value is expired.",
            ),
            ServerError::InvalidVersion => (
                400,
                "InvalidVersion",
                "Specified parameter Version is not valid.",
            ),
            ServerError::ActionMismatch => {
                return Err(ApiError::new(Cause::InvalidParameter).with_parameter(Param::Action));
            }
            ServerError::NotFound => return Err(ApiError::new(Cause::InvalidActionNotFound)),
            ServerError::Internal => return Err(ApiError::new(Cause::InternalError)),
            ServerError::Undecodable => {
                return Err(
                    ApiError::new(Cause::InvalidParameter).with_parameter_name("QueryString")
                );
            }
        })
    }
}

/// Writes the body of a server error into `out` (cleared first).
pub fn write_error(error: ServerError, format: Format, id: RequestId, out: &mut String) -> Outcome {
    out.clear();
    match error.parts() {
        Err(api) => write_response(&Response::error(format, id, &api), out, false),
        Ok((status, code, message)) => {
            // The §8 shape; these codes and messages have nothing to escape.
            let _ = match format {
                Format::Json => write!(
                    out,
                    "{{\"RequestId\":\"{id}\",\"HostId\":\"ecs.aliyuncs.com\",\"Code\":\"{code}\",\"Message\":\"{message}\"}}"
                ),
                Format::Xml => write!(
                    out,
                    "<Error><RequestId>{id}</RequestId><HostId>ecs.aliyuncs.com</HostId><Code>{code}</Code><Message>{message}</Message></Error>"
                ),
            };
            Outcome {
                status,
                code: Some(code),
                changed: false,
            }
        }
    }
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
    parser: RequestParser,
    /// `--rule-quota`: Authorize's limit (SPEC §12.3), unused by Modify.
    #[allow(dead_code)]
    rule_quota: usize,
}

impl Engine {
    /// Loads a state file's text.
    pub fn load(text: &[u8], rule_quota: usize) -> Result<Engine, String> {
        let state = State::from_slice(text).map_err(|e| e.to_string())?;
        Ok(Engine {
            state,
            parser: RequestParser::new(),
            rule_quota,
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
        // Only Modify by parameters today: any other action named by the
        // header is not found, as the library says of the `Action`
        // parameter.
        if let Some(action) = action
            && action != aliyun_sg_egress::request::ACTION
        {
            let error = ApiError::new(Cause::InvalidActionNotFound);
            return write_response(&Response::error(format, id, &error), out, false);
        }
        let result = self
            .parser
            .parse(params)
            .and_then(|request| modify(&mut self.state, &request));
        match result {
            Ok(applied) => write_response(&Response::success(format, id), out, applied.changed),
            Err(error) => write_response(&Response::error(format, id, &error), out, false),
        }
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
    // With the lifecycle: move the tokens remembered since the last
    // snapshot to an "in flight" list here.
    pub fn snapshot(&mut self, out: &mut String) {
        out.clear();
        let _ = self.state.write_json(out);
    }

    /// The last snapshot is durable.
    // With the lifecycle: clear the "in flight" tokens.
    pub fn committed(&mut self) {}

    /// Puts back the last durable state (after a failed save, or a panic).
    // With the lifecycle, the idempotency memory rolls back too: forget the
    // tokens remembered since the last durable snapshot (in flight and
    // since).
    pub fn restore(&mut self, text: &str) -> Result<(), String> {
        self.state = State::from_json(text).map_err(|e| e.to_string())?;
        Ok(())
    }
}
