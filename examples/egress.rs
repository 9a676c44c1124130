//! `egress`: answers the egress-rule actions of a security group —
//! `AuthorizeSecurityGroupEgress`, `RevokeSecurityGroupEgress`,
//! `ModifySecurityGroupEgressRule` (by parameters or by
//! `SecurityGroupRuleId`) and `DescribeSecurityGroupAttribute` — against a
//! state file, as the API would (SPEC §9, §12).
//!
//! ```text
//! cargo run --features serde --example egress -- [--state FILE] [--save] [--format json|xml] [--verbose] [--rule-quota N] [--now TIME] [REQUEST...]
//! ```
//!
//! - Each REQUEST is one query string, as in the API page's example (a
//!   leading `https://ecs.aliyuncs.com/?`, scheme and host in any case,
//!   and the page's `&<公共请求参数>` placeholder are tolerated). Its
//!   `Action` parameter names the action; without one it is
//!   `ModifySecurityGroupEgressRule`. An empty argument is a request too.
//!   With no REQUEST, requests are read from standard input, one per line
//!   (`\n` or `\r\n`); blank lines and lines whose first non-blank
//!   character is `#` are skipped, however long they are (the whole line
//!   is looked at). Lines need not be UTF-8 (what is not gets the API's
//!   error); a line over 1 MiB is cut there, which changes nothing but the
//!   size its error reports (any query over 64 KiB is refused).
//! - Requests run in order against one state that each one changes: a rule
//!   that line 1 authorizes can be modified by line 2, by its id.
//!   `ClientToken`s are remembered for the run (not saved).
//! - `--state FILE`: the state, a `DescribeSecurityGroupAttribute` dump
//!   (see `aliyun_sg_egress::state`; its `PrefixLists` says which prefix
//!   lists exist). Without it, the demo state embedded from
//!   `examples/demo_state.json`.
//! - `--save`: after the last request, writes the state back to FILE if
//!   requests changed it (rules added, removed or changed), durably: a
//!   temporary file in the same directory (`.FILE.egress-PID-N.tmp`,
//!   given FILE's permissions), its data synced, a rename over FILE (a
//!   symbolic link is followed, not replaced), then the directory synced.
//!   Only then are the bodies (and the `--verbose` lines) written, so when
//!   the save fails standard output stays empty and standard error only
//!   says why (status 2, FILE unchanged). A save first removes the
//!   temporary files of FILE that runs killed mid-save left (any
//!   `.FILE.egress-*-*.tmp`; they are never read as the state; a run
//!   saving FILE at the same moment then fails and leaves FILE as the
//!   other one wrote it). Nothing else in the file changes
//!   (`aliyun_sg_egress::state`: an added rule gets the fields of the
//!   group's first egress rule, in its order); when nothing changed, the
//!   file is not written at all.
//! - `--format json|xml` (any case): the body format; `xml` when left out,
//!   as on the API. A request's own `Format` parameter (`JSON` or `XML`,
//!   any case; the name percent-decoded, in its case) wins for its body;
//!   any other value is ignored.
//! - `--verbose` (`-v`): one line per request on standard error:
//!   `<HTTP status> <Code or OK>`, then for an error the message and, in
//!   brackets, the detail, the closest rule when none matched, and any
//!   hint; for a success what happened: `rule 1: description set`
//!   (Modify), `rule 9 (sgr-…): changed` (Modify by id), `added rule 9
//!   (sgr-…)` or `nothing added, every permission already granted`
//!   (Authorize), `removed 2 rules` (Revoke), `8 rules shown, the last
//!   page` or `…, NextToken …` (Describe), `ClientToken repeated, nothing
//!   done`. Rules are named by their position in the group's
//!   `Permissions.Permission` (from 0, ingress rules counted). Every
//!   control character in the line is escaped (`\n`, `\t`, `\r`, `\x1b`,
//!   `\u{85}`), so no request can split it or drive a terminal.
//! - `--rule-quota N`: the egress rules a group may hold (a decimal
//!   integer, 0 allowed; default 200); only adding is refused over it.
//! - `--now TIME`: the time new rules are created at (their `CreateTime`),
//!   as `YYYY-MM-DDThh:mm:ssZ` (a real UTC date and time; default: the
//!   time the run started), so that runs can be repeated byte for byte.
//!
//! Output: one response body per request on standard output, one line
//! each (line breaks and other control characters in a body are escaped),
//! in request order. Without `--save`, lines read from standard input are
//! answered as soon as no more input is waiting, so an interactive session
//! sees each answer at once and a long batch is written in large blocks
//! (with `--save`, every answer waits for the save).
//!
//! Request ids are deterministic: the n-th request of a run (from 1) gets
//! `RequestId::from_parts(0xEC5E_0000_0000_0000, n)`, that is
//! `EC5E0000-0000-0000-0000-000000000001`, `…-000000000002`, and so on.
//!
//! New rule ids are deterministic too: the k-th id drawn for the n-th
//! request is `sgr-ec5e`, then n as 12 lower-case hex digits (the last
//! group of the request's id), then k as 4, so the first rule that
//! request 3 adds is `sgr-ec5e0000000000030001` and the second
//! `sgr-ec5e0000000000030002`. An id the state held when loaded is passed
//! over (a saved state run again gets the next one), so the same state and
//! requests always give the same ids.
//!
//! Exit status: 0 when every request succeeded; 1 when any got an API
//! error; 2 for a usage error, a state file that cannot be read or is
//! refused (nothing is written to standard output then), or a failure to
//! write the output or save the file (then FILE is left as it was).
//!
//! The state is loaded once: each request costs a parse, a few hash
//! lookups and a body, however long the input.

use std::borrow::Cow;
use std::collections::HashSet;
use std::ffi::{OsStr, OsString};
use std::fmt::{self, Write as _};
use std::fs;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::LazyLock;
use std::time::{SystemTime, UNIX_EPOCH};

use aliyun_sg_egress::error::ApiError;
use aliyun_sg_egress::identify;
use aliyun_sg_egress::lifecycle::{DEFAULT_RULE_QUOTA, Done, Env, execute};
use aliyun_sg_egress::request::{
    DescribeRequest, Destination, Request, RequestParser, RevokeRequest,
};
use aliyun_sg_egress::state::State;
use aliyun_sg_egress::store::{GroupStore, RuleRef, Tokens};
use aliyun_sg_egress::{Format, RequestId, Response};
use memchr::memmem;
use serde_json::Value;

/// The state used without `--state`.
const DEMO_STATE: &str = include_str!("demo_state.json");

/// The high 64 bits of every request id of a run; the low 64 count the
/// requests from 1.
const REQUEST_ID_PREFIX: u64 = 0xEC5E_0000_0000_0000;

/// The longest line kept from standard input; the rest of a longer line is
/// skipped (the query limit is 64 KiB, so the request is refused anyway).
const MAX_LINE_BYTES: usize = 1024 * 1024;

const USAGE: &str = "\
usage: egress [--state FILE] [--save] [--format json|xml] [--verbose]
              [--rule-quota N] [--now YYYY-MM-DDThh:mm:ssZ] [REQUEST...]

Answers AuthorizeSecurityGroupEgress, RevokeSecurityGroupEgress,
ModifySecurityGroupEgressRule (the default Action) and
DescribeSecurityGroupAttribute requests (RPC query strings) against a
DescribeSecurityGroupAttribute state, in order, one response body per line
on stdout. With no REQUEST, reads one request per line from stdin (blank
and # lines are skipped).

  --state FILE         the state file (default: the embedded demo state)
  --save               write the changed state back to FILE, atomically
  --format json|xml    the body format (default: xml, as on the API; a
                       request's own Format parameter wins)
  -v, --verbose        one line per request on stderr: status, code, message
  --rule-quota N       the egress rules a group may hold (default: 200)
  --now TIME           new rules' CreateTime, YYYY-MM-DDThh:mm:ssZ (default: now)
  -h, --help           this text

Exit status: 0 all succeeded, 1 some API error, 2 usage or state-file error.
";

/// What the command line asks for.
struct Options {
    state: Option<PathBuf>,
    save: bool,
    format: Format,
    verbose: bool,
    rule_quota: usize,
    /// `--now`, checked: `YYYY-MM-DDThh:mm:ssZ`.
    now: Option<String>,
    requests: Vec<Vec<u8>>,
}

/// What the lifecycle actions (Authorize and the rest, SPEC §12) take from
/// the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Lifecycle {
    /// The egress rules a group may hold.
    rule_quota: usize,
    /// New rules' `CreateTime`, `YYYY-MM-DDThh:mm:ssZ`: `--now`, or the
    /// time the run started.
    now: String,
}

/// Why the run stops with status 2.
enum Fatal {
    Usage(String),
    Help,
    State(String),
    Input(io::Error),
    Output(io::Error),
    Save(PathBuf, io::Error),
}

impl fmt::Display for Fatal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fatal::Usage(message) => write!(f, "{message} (see --help)"),
            Fatal::Help => f.write_str("help"),
            Fatal::State(message) => f.write_str(message),
            Fatal::Input(e) => write!(f, "cannot read the requests: {e}"),
            Fatal::Output(e) => write!(f, "cannot write the output: {e}"),
            Fatal::Save(path, e) => write!(
                f,
                "cannot save {}: {e} (the file is unchanged)",
                path.display()
            ),
        }
    }
}

fn parse_options(args: impl IntoIterator<Item = OsString>) -> Result<Options, Fatal> {
    let mut options = Options {
        state: None,
        save: false,
        format: Format::default(),
        verbose: false,
        rule_quota: DEFAULT_RULE_QUOTA,
        now: None,
        requests: Vec::new(),
    };
    let mut args = args.into_iter();
    let mut only_requests = false;
    while let Some(arg) = args.next() {
        if only_requests {
            options.requests.push(arg.into_encoded_bytes());
            continue;
        }
        let text = arg.to_string_lossy();
        let (name, inline_value) = match text.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name, Some(value)),
            _ => (text.as_ref(), None),
        };
        let mut value = |name: &str| -> Result<OsString, Fatal> {
            match inline_value {
                Some(v) => Ok(OsString::from(v)),
                None => args
                    .next()
                    .ok_or_else(|| Fatal::Usage(format!("{name} needs a value"))),
            }
        };
        match name {
            "--state" => options.state = Some(PathBuf::from(value(name)?)),
            "--format" => {
                let given = value(name)?;
                let given = given.to_string_lossy();
                options.format = Format::parse(&given).map_err(|_| {
                    Fatal::Usage(format!("--format must be json or xml, not {given:?}"))
                })?;
            }
            "--rule-quota" => {
                let given = value(name)?;
                let given = given.to_string_lossy();
                options.rule_quota = parse_quota(&given).ok_or_else(|| {
                    Fatal::Usage(format!(
                        "--rule-quota must be a whole number of rules, not {given:?}"
                    ))
                })?;
            }
            "--now" => {
                let given = value(name)?;
                let given = given.to_string_lossy();
                if !is_utc_time(&given) {
                    return Err(Fatal::Usage(format!(
                        "--now must be a UTC time as YYYY-MM-DDThh:mm:ssZ, not {given:?}"
                    )));
                }
                options.now = Some(given.into_owned());
            }
            "--save" | "--verbose" | "-v" | "-h" | "--help" if inline_value.is_some() => {
                return Err(Fatal::Usage(format!("{name} takes no value")));
            }
            "--save" => options.save = true,
            "--verbose" | "-v" => options.verbose = true,
            "-h" | "--help" => return Err(Fatal::Help),
            "--" => only_requests = true,
            _ if name.starts_with('-') && name.len() > 1 => {
                return Err(Fatal::Usage(format!("unknown option {name}")));
            }
            _ => options.requests.push(arg.into_encoded_bytes()),
        }
    }
    if options.save && options.state.is_none() {
        return Err(Fatal::Usage("--save needs --state FILE".into()));
    }
    Ok(options)
}

/// A quota: decimal digits only (no sign, no blanks), fitting a `usize`.
fn parse_quota(text: &str) -> Option<usize> {
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    digits.then(|| text.parse().ok()).flatten()
}

/// Whether `text` is `YYYY-MM-DDThh:mm:ssZ` naming a real date and time
/// (no leap second: the API's times have none).
fn is_utc_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 20
        && bytes.iter().enumerate().all(|(i, &b)| match i {
            4 | 7 => b == b'-',
            10 => b == b'T',
            13 | 16 => b == b':',
            19 => b == b'Z',
            _ => b.is_ascii_digit(),
        });
    if !shaped {
        return false;
    }
    let number = |at: usize, len: usize| {
        text.get(at..at + len)
            .and_then(|digits| digits.parse::<u32>().ok())
            .unwrap_or(u32::MAX)
    };
    let (year, month, day) = (number(0, 4), number(5, 2), number(8, 2));
    (1..=12).contains(&month)
        && (1..=days_in_month(year, month)).contains(&day)
        && number(11, 2) < 24
        && number(14, 2) < 60
        && number(17, 2) < 60
}

fn days_in_month(year: u32, month: u32) -> u32 {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The current UTC time as `YYYY-MM-DDThh:mm:ssZ` (the epoch if the clock
/// is before it).
fn utc_now() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    // Days to a civil date (Howard Hinnant's `civil_from_days`), counted
    // from 0000-03-01 so that a leap day ends each year.
    let days = seconds / 86_400 + 719_468;
    let (era, day_of_era) = (days / 146_097, days % 146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = era * 400 + year_of_era + u64::from(month <= 2);
    let time = seconds % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        time / 3600,
        time / 60 % 60,
        time % 60
    )
}

fn load_state(path: Option<&Path>) -> Result<State, Fatal> {
    let Some(path) = path else {
        return State::from_json(DEMO_STATE)
            .map_err(|e| Fatal::State(format!("the demo state: {e}")));
    };
    let bytes =
        fs::read(path).map_err(|e| Fatal::State(format!("cannot read {}: {e}", path.display())))?;
    State::from_slice(&bytes).map_err(|e| Fatal::State(format!("{}: {e}", path.display())))
}

/// A `fmt::Write` over an `io::Write`, keeping the first I/O error.
struct IoSink<'a, W: Write> {
    out: &'a mut W,
    error: Option<io::Error>,
}

impl<W: Write> fmt::Write for IoSink<'_, W> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        self.out.write_all(text.as_bytes()).map_err(|e| {
            self.error = Some(e);
            fmt::Error
        })
    }
}

/// One run: the state, where answers go, and the tally.
struct Session<O: Write, E: Write> {
    state: State,
    format: Format,
    verbose: bool,
    lifecycle: Lifecycle,
    /// The `ClientToken`s of the run's successful requests (SPEC §12.7).
    tokens: Box<Tokens>,
    /// The rule ids of the state as loaded: never drawn for a new rule.
    loaded_ids: HashSet<String>,
    count: u64,
    failed: bool,
    out: O,
    err: E,
    /// A `--verbose` line, escaped on its way to `err`.
    line: String,
    /// A Describe body, built whole before it is written.
    body: String,
}

/// What `--verbose` needs to know from before an action ran.
struct Before {
    /// A `ClientToken` repeat: the action succeeds and does nothing.
    repeat: bool,
    /// The group's egress rules.
    egress: usize,
}

impl<O: Write, E: Write> Session<O, E> {
    fn new(state: State, options: &Options, lifecycle: Lifecycle, out: O, err: E) -> Self {
        let mut loaded_ids = HashSet::new();
        rule_ids_in(state.document(), &mut loaded_ids);
        Session {
            state,
            format: options.format,
            verbose: options.verbose,
            lifecycle,
            tokens: Box::new(Tokens::new()),
            loaded_ids,
            count: 0,
            failed: false,
            out,
            err,
            line: String::new(),
            body: String::new(),
        }
    }

    /// Answers one request: its body on `out`, and with `--verbose` a line
    /// on `err`.
    fn answer(&mut self, parser: &mut RequestParser, query: &[u8]) -> io::Result<()> {
        self.count += 1;
        let id = RequestId::from_parts(REQUEST_ID_PREFIX, self.count);
        let format = format_parameter(query).unwrap_or(self.format);
        let query = lower_case_scheme(query);
        // One parser for every line: its buffer holds the decoded text the
        // request borrows. The `Action` parameter decides; absent: Modify.
        let request = match parser.parse_request(None, &*query) {
            Ok(request) => request,
            Err(error) => return self.respond_error(format, id, None, &error),
        };
        let before = self.verbose.then(|| self.before(&request));
        let mut drawn = Vec::new();
        match self.execute(&request, &mut drawn) {
            Err(error) => self.respond_error(format, id, Some(&request), &error),
            Ok(done) => {
                if let Request::Describe(describe) = &request {
                    self.body.clear();
                    self.state
                        .write_describe(describe, format, id, &mut self.body)
                        .map_err(|_| io::Error::other("cannot format a response"))?;
                    self.out.write_all(self.body.as_bytes())?;
                    self.out.write_all(b"\n")?;
                } else {
                    let response = Response::success(format, id).for_action(done.action);
                    self.write_response(&response)?;
                }
                match before {
                    Some(before) => self.explain_success(&request, done, &before, &drawn, format),
                    None => Ok(()),
                }
            }
        }
    }

    /// Runs one action on the state, with the run's quota, time, token
    /// memory and rule ids (see [`rule_id`]); the ids drawn go to `drawn`.
    fn execute(
        &mut self,
        request: &Request<'_>,
        drawn: &mut Vec<[u8; 20]>,
    ) -> Result<Done, ApiError> {
        // Asked before the action borrows the state: the only prefix lists
        // an action looks up are its request's.
        let lists: Vec<(&str, bool)> = prefix_list_ids(request)
            .into_iter()
            .map(|id| (id, self.state.prefix_list_exists(id)))
            .collect();
        let exists = |id: &str| {
            lists
                .iter()
                .find(|(listed, _)| *listed == id)
                .is_none_or(|&(_, exists)| exists)
        };
        let (n, loaded) = (self.count, &self.loaded_ids);
        let mut draw = 0;
        let mut next_id = || loop {
            draw += 1;
            let id = rule_id(n, draw);
            let text = format!("sgr-{}", String::from_utf8_lossy(&id));
            if draw >= MAX_DRAWS || !loaded.contains(&text) {
                drawn.push(id);
                return id;
            }
        };
        let mut env = Env::new(&self.lifecycle.now, &mut next_id).with_tokens(&mut self.tokens);
        env.rule_quota = self.lifecycle.rule_quota;
        env.prefix_lists = Some(&exists);
        execute(&mut self.state, &mut env, request)
    }

    fn before(&self, request: &Request<'_>) -> Before {
        let repeat = request
            .client_token()
            .and_then(|token| self.tokens.get(token))
            .is_some_and(|seen| seen == request.fingerprint());
        let egress = self
            .state
            .find_group(request.security_group_id())
            .map_or(0, |group| self.state.counts(group).egress);
        Before { repeat, egress }
    }

    fn respond_error(
        &mut self,
        format: Format,
        id: RequestId,
        request: Option<&Request<'_>>,
        error: &ApiError,
    ) -> io::Result<()> {
        self.failed = true;
        self.write_response(&Response::error(format, id, error))?;
        if self.verbose {
            self.explain_error(request, error)?;
        }
        Ok(())
    }

    fn write_response(&mut self, response: &Response<'_>) -> io::Result<()> {
        // Written through `IoSink` rather than `writeln!(out, "{response}")`:
        // the `Formatter` in between costs about 450 instructions a request
        // (BENCHMARKS.md).
        let mut sink = IoSink {
            out: &mut self.out,
            error: None,
        };
        if response.write_body(&mut sink).is_err() {
            return Err(sink
                .error
                .unwrap_or_else(|| io::Error::other("cannot format a response")));
        }
        self.out.write_all(b"\n")
    }

    fn explain_success(
        &mut self,
        request: &Request<'_>,
        done: Done,
        before: &Before,
        drawn: &[[u8; 20]],
        format: Format,
    ) -> io::Result<()> {
        let group_id = request.security_group_id();
        let group = self.state.find_group(group_id);
        // A rule is named by its position in the group's
        // `Permissions.Permission`.
        let position = |state: &State, by: RuleRef<'_>| {
            group
                .and_then(|g| state.find_rule(g, by).map(|slot| (g, slot)))
                .and_then(|(g, slot)| state.permission_index(g, slot))
        };
        let mut line = std::mem::take(&mut self.line);
        line.clear();
        write!(line, "200 OK {group_id}").map_err(io::Error::other)?;
        let written = match request {
            _ if before.repeat => line.write_str(": ClientToken repeated, nothing done"),
            Request::Modify(modify) => {
                let rule = identify(&self.state, modify)
                    .ok()
                    .and_then(|found| {
                        self.state
                            .permission_index(found.group, found.rule_index)
                            .or(Some(found.rule_index))
                    })
                    .map_or_else(|| "?".to_owned(), |rule| rule.to_string());
                let what = match (done.changed, modify.description()) {
                    (true, Some("")) => "description cleared",
                    (true, _) => "description set",
                    (false, None) => "description unchanged (no Description given)",
                    (false, Some(_)) => "description unchanged (same text)",
                };
                write!(line, " rule {rule}: {what}")
            }
            Request::ModifyById(modify) => {
                let rule = position(&self.state, RuleRef::Id(modify.rule_id()))
                    .map_or_else(|| "?".to_owned(), |rule| rule.to_string());
                let patch = modify.patch();
                let only_description = patch.protocol.is_none()
                    && patch.port_range.is_none()
                    && patch.source_port_range.is_none()
                    && patch.nic_type.is_none()
                    && patch.policy.is_none()
                    && patch.priority.is_none()
                    && patch.destination.is_none()
                    && patch.source.is_none();
                let what = match (done.changed, only_description, patch.description) {
                    (false, _, _) => "unchanged (the values given are the rule's)",
                    (true, true, Some("")) => "description cleared",
                    (true, true, _) => "description set",
                    (true, false, _) => "changed",
                };
                write!(line, " rule {rule} ({}): {what}", modify.rule_id())
            }
            Request::Authorize(authorize) => {
                let mut added = 0;
                for id in drawn {
                    let id = format!("sgr-{}", String::from_utf8_lossy(id));
                    // A drawn id the state already held was refused.
                    if self.loaded_ids.contains(&id) {
                        continue;
                    }
                    if let Some(rule) = position(&self.state, RuleRef::Id(&id)) {
                        line.write_str(if added == 0 { ": added " } else { ", " })
                            .map_err(io::Error::other)?;
                        write!(line, "rule {rule} ({id})").map_err(io::Error::other)?;
                        added += 1;
                    }
                }
                match authorize.len().saturating_sub(added) {
                    _ if added == 0 => {
                        line.write_str(": nothing added, every permission already granted")
                    }
                    0 => Ok(()),
                    granted => write!(line, "; {granted} already granted"),
                }
            }
            Request::Revoke(revoke) => {
                let egress = group.map_or(0, |g| self.state.counts(g).egress);
                let removed = before.egress.saturating_sub(egress);
                let noun = if removed == 1 { "rule" } else { "rules" };
                write!(line, ": removed {removed} {noun}").and_then(|()| match revoke {
                    RevokeRequest::ByIds(ids) => {
                        let ids: Vec<&str> = ids.ids().collect();
                        write!(line, " ({})", ids.join(", "))
                    }
                    RevokeRequest::ByPermissions(_) => Ok(()),
                })
            }
            Request::Describe(describe) => {
                let (shown, next) = self.describe_summary(describe, format)?;
                let noun = if shown == 1 { "rule" } else { "rules" };
                match next {
                    None => write!(line, ": {shown} {noun} shown, the last page"),
                    Some(next) => write!(line, ": {shown} {noun} shown, NextToken {next}"),
                }
            }
        };
        written.map_err(io::Error::other)?;
        let hints = request.hints();
        if !hints.is_empty() {
            write!(line, " [hint: {hints}]").map_err(io::Error::other)?;
        }
        let result = write_verbose_line(&mut self.err, &line);
        self.line = line;
        result
    }

    /// How many rules the Describe body in `self.body` shows, and its
    /// `NextToken` unless it is the last page (read from the XML body,
    /// where neither can be mistaken for a value: `<` is escaped there).
    fn describe_summary(
        &self,
        describe: &DescribeRequest<'_>,
        format: Format,
    ) -> io::Result<(usize, Option<String>)> {
        let mut xml = String::new();
        let body = match format {
            Format::Xml => &self.body,
            Format::Json => {
                let id = RequestId::from_parts(REQUEST_ID_PREFIX, self.count);
                self.state
                    .write_describe(describe, Format::Xml, id, &mut xml)
                    .map_err(io::Error::other)?;
                &xml
            }
        };
        let shown = body.matches("<Permission>").count();
        let next = body
            .split_once("<NextToken>")
            .and_then(|(_, rest)| rest.split_once("</NextToken>"))
            .map(|(token, _)| token.to_owned())
            .filter(|token| !token.is_empty());
        Ok((shown, next))
    }

    fn explain_error(&mut self, request: Option<&Request<'_>>, error: &ApiError) -> io::Result<()> {
        let message = error.to_string();
        let line = &mut self.line;
        line.clear();
        write!(line, "{} {} {message}", error.status(), error.code()).map_err(io::Error::other)?;
        match error.near_miss() {
            Some(near) => {
                // A near miss is a rule of the request's own group.
                let rule = request
                    .and_then(|r| self.state.find_group(r.security_group_id()))
                    .and_then(|g| self.state.permission_index(g, near.rule_index))
                    .unwrap_or(near.rule_index);
                write!(line, " [closest rule: {rule}, differs in {}]", near.differs)
                    .map_err(io::Error::other)?;
            }
            None if !error.detail().is_empty() && error.detail().to_string() != message => {
                write!(line, " [detail: {}]", error.detail()).map_err(io::Error::other)?;
            }
            None => {}
        }
        if !error.hints().is_empty() {
            write!(line, " [hint: {}]", error.hints()).map_err(io::Error::other)?;
        }
        write_verbose_line(&mut self.err, line)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()?;
        self.err.flush()
    }
}

/// The most ids drawn for one request before one in the loaded state is
/// handed out anyway (the library then asks again, up to 16 times).
const MAX_DRAWS: u32 = 0xFFFF;

/// The `draw`-th new rule id of the run's `n`-th request, after `sgr-`:
/// `ec5e`, then `n` as 12 lower-case hex digits (the last group of the
/// request's id), then `draw` (from 1) as 4, so
/// `sgr-ec5e0000000000030001` is the first rule request 3 adds. Ids the
/// loaded state holds are skipped; within a run they are all distinct.
fn rule_id(n: u64, draw: u32) -> [u8; 20] {
    let text = format!("ec5e{:012x}{:04x}", n & 0xFFFF_FFFF_FFFF, draw & 0xFFFF);
    let mut id = [b'0'; 20];
    id.copy_from_slice(text.as_bytes());
    id
}

/// Adds every `SecurityGroupRuleId` text in `value` to `ids`.
fn rule_ids_in(value: &Value, ids: &mut HashSet<String>) {
    match value {
        Value::Object(fields) => {
            for (name, field) in fields {
                match field {
                    Value::String(id) if name == "SecurityGroupRuleId" => {
                        ids.insert(id.clone());
                    }
                    _ => rule_ids_in(field, ids),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| rule_ids_in(item, ids)),
        _ => {}
    }
}

/// The prefix-list ids a request names as destinations.
fn prefix_list_ids<'a>(request: &Request<'a>) -> Vec<&'a str> {
    let list = |destination: &Destination<'a>| match *destination {
        Destination::PrefixList(id) => Some(id),
        _ => None,
    };
    match request {
        Request::Modify(r) => list(r.destination()).into_iter().collect(),
        Request::ModifyById(r) => r
            .patch()
            .destination
            .as_ref()
            .and_then(list)
            .into_iter()
            .collect(),
        Request::Authorize(r) | Request::Revoke(RevokeRequest::ByPermissions(r)) => r
            .permissions()
            .filter_map(|(_, permission)| list(&permission.destination))
            .collect(),
        Request::Revoke(RevokeRequest::ByIds(_)) | Request::Describe(_) => Vec::new(),
    }
}

/// The body format a request asks for with its own `Format` parameter
/// (`JSON` or `XML`, any case), which wins over `--format`: the value of
/// the first pair named `Format` (names and values percent-decoded) that
/// is one of them; any other value is ignored. The query is split as the
/// library splits it: after an `http(s)://…?` prefix (any case) or a bare
/// leading `?`, at `&`, then at the first `=`.
fn format_parameter(query: &[u8]) -> Option<Format> {
    // The usual request names no `Format` and escapes nothing: a vector
    // scan for each says so, rather than a look at every pair. (A name
    // that decodes to `Format` holds a `%`: a `+` would decode to a space.)
    static FORMAT: LazyLock<memmem::Finder<'static>> =
        LazyLock::new(|| memmem::Finder::new(b"Format"));
    if memchr::memchr(b'%', query).is_none() && FORMAT.find(query).is_none() {
        return None;
    }
    let url = query
        .get(..8)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"https://"))
        || query
            .get(..7)
            .is_some_and(|p| p.eq_ignore_ascii_case(b"http://"));
    let query = match url {
        true => &query[memchr::memchr(b'?', query)? + 1..],
        false => query.strip_prefix(b"?").unwrap_or(query),
    };
    query.split(|&b| b == b'&').find_map(|pair| {
        // The line breaks of the API page's layout before a `&`.
        let mut pair = pair;
        while let [rest @ .., b'\r' | b'\n'] = pair {
            pair = rest;
        }
        // Pairs are short: plain loops beat a vector scan's set-up here.
        let (name, value) = match pair.iter().position(|&b| b == b'=') {
            Some(eq) => (&pair[..eq], &pair[eq + 1..]),
            None => (pair, &[][..]),
        };
        // Most names need no decoding: no copy for them.
        let escaped = name.contains(&b'%');
        if !escaped && name != b"Format" || escaped && percent_decode(name)? != b"Format" {
            return None;
        }
        let value = percent_decode(value)?;
        Format::parse(std::str::from_utf8(&value).ok()?).ok()
    })
}

/// The query with a leading `HTTP://` or `HTTPS://` in any case written
/// in lower case, as the library tolerates it (SPEC §9: the scheme and host
/// in any case; the host is skipped whatever its case). Same length, so
/// the prefix still counts toward the 64 KiB limit.
fn lower_case_scheme(query: &[u8]) -> Cow<'_, [u8]> {
    let scheme = [&b"https://"[..], b"http://"].into_iter().find(|scheme| {
        query
            .get(..scheme.len())
            .is_some_and(|given| given.eq_ignore_ascii_case(scheme) && given != *scheme)
    });
    match scheme {
        Some(scheme) => {
            let mut owned = query.to_vec();
            owned[..scheme.len()].copy_from_slice(scheme);
            Cow::Owned(owned)
        }
        None => Cow::Borrowed(query),
    }
}

/// `%XX` and `+` decoded, as the library decodes a query; `None` for a
/// broken escape.
fn percent_decode(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    while let [b, after @ ..] = rest {
        rest = after;
        out.push(match *b {
            b'+' => b' ',
            b'%' => {
                let [hi, lo, after @ ..] = rest else {
                    return None;
                };
                rest = after;
                let hex = |b: u8| char::from(b).to_digit(16);
                u8::try_from(hex(*hi)? << 4 | hex(*lo)?).ok()?
            }
            b => b,
        });
    }
    Some(out)
}

/// Writes a `--verbose` line and its line break, every control character
/// in it escaped (`\n`, `\t`, `\r`, `\x1b`, `\u{85}`): it quotes the
/// request's values, which must neither split it nor drive a terminal.
fn write_verbose_line(out: &mut impl Write, line: &str) -> io::Result<()> {
    let mut start = 0;
    for (at, c) in line.char_indices() {
        if !c.is_control() {
            continue;
        }
        out.write_all(&line.as_bytes()[start..at])?;
        match c {
            '\n' => out.write_all(b"\\n")?,
            '\t' => out.write_all(b"\\t")?,
            '\r' => out.write_all(b"\\r")?,
            c if u32::from(c) < 0x80 => write!(out, "\\x{:02x}", u32::from(c))?,
            c => write!(out, "\\u{{{:x}}}", u32::from(c))?,
        }
        start = at + c.len_utf8();
    }
    out.write_all(&line.as_bytes()[start..])?;
    out.write_all(b"\n")
}

/// Calls `each` on every line of `reader`, without its line break (`\n`
/// or `\r\n`) and cut to [`MAX_LINE_BYTES`], or with `None` for a line
/// that is skipped (see [`skipped`]: the whole line is looked at, however
/// long), saying whether the reader's buffer is then drained (the input
/// paused: time to flush). The lines whole in the buffer are lent from it;
/// a line spanning refills is gathered in a vector.
/// Line breaks are found with the `memchr` crate (vector instructions;
/// `BufRead::read_until` scans a word at a time and copies).
fn for_each_line<R: BufRead>(
    reader: &mut R,
    mut each: impl FnMut(Option<&[u8]>, bool) -> Result<(), Fatal>,
) -> Result<(), Fatal> {
    fn cut(line: &[u8]) -> &[u8] {
        let line = line.get(..MAX_LINE_BYTES).unwrap_or(line);
        line.strip_suffix(b"\r").unwrap_or(line)
    }
    /// The line to answer, given its first byte that is not blank.
    fn request(line: &[u8], first: Option<u8>) -> Option<&[u8]> {
        (!skipped(first)).then(|| cut(line))
    }
    /// Adds `bytes` to a gathered line, up to the cut, noting its first
    /// byte that is not blank even past the cut.
    fn gather(carry: &mut Vec<u8>, first: &mut Option<u8>, bytes: &[u8]) {
        if first.is_none() {
            *first = first_non_blank(bytes);
        }
        let room = MAX_LINE_BYTES.saturating_sub(carry.len());
        carry.extend_from_slice(bytes.get(..room).unwrap_or(bytes));
    }
    let mut carry = Vec::new();
    let mut first = None;
    // Whether a line began in an earlier buffer (it may still be empty).
    let mut carrying = false;
    loop {
        let buf = reader.fill_buf().map_err(Fatal::Input)?;
        if buf.is_empty() {
            return if carrying {
                each(request(&carry, first), true)
            } else {
                Ok(())
            };
        }
        let Some(first_end) = memchr::memchr(b'\n', buf) else {
            gather(&mut carry, &mut first, buf);
            carrying = true;
            let read = buf.len();
            reader.consume(read);
            continue;
        };
        if carrying {
            gather(&mut carry, &mut first, &buf[..first_end]);
            each(request(&carry, first), first_end + 1 == buf.len())?;
            carry.clear();
            first = None;
            carrying = false;
            reader.consume(first_end + 1);
            continue;
        }
        // Every whole line in the buffer, then the rest is left for the
        // next round (where, alone, it is gathered).
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', buf) {
            let line = &buf[start..end];
            each(request(line, first_non_blank(line)), end + 1 == buf.len())?;
            start = end + 1;
        }
        reader.consume(start);
    }
}

/// The first byte of `bytes` that is not blank (space, tab, CR, LF, form
/// feed).
fn first_non_blank(bytes: &[u8]) -> Option<u8> {
    bytes.iter().copied().find(|b| !b.is_ascii_whitespace())
}

/// Whether a line whose first byte that is not blank is `first` is
/// skipped: a blank line, or a `#` comment.
fn skipped(first: Option<u8>) -> bool {
    matches!(first, None | Some(b'#'))
}

/// The part of a temporary file's name before `PID-N.tmp`.
fn temporary_prefix(name: &OsStr) -> OsString {
    let mut prefix = OsString::from(".");
    prefix.push(name);
    prefix.push(".egress-");
    prefix
}

/// Whether `file` is named as a save of the file whose temporaries start
/// with `prefix` names its temporary file: `PID-N.tmp` after the prefix.
fn is_temporary(file: &OsStr, prefix: &OsStr) -> bool {
    let digits = |text: &[u8]| !text.is_empty() && text.iter().all(u8::is_ascii_digit);
    file.as_encoded_bytes()
        .strip_prefix(prefix.as_encoded_bytes())
        .and_then(|rest| rest.strip_suffix(b".tmp"))
        .and_then(|middle| {
            let dash = middle.iter().position(|&b| b == b'-')?;
            Some((&middle[..dash], &middle[dash + 1..]))
        })
        .is_some_and(|(pid, attempt)| digits(pid) && digits(attempt))
}

/// Removes the temporary files that saves of the file whose temporaries
/// start with `prefix` left in `dir` when killed (regular files only).
/// Best effort: one that cannot be removed is left.
fn remove_temporaries(dir: &Path, prefix: &OsStr) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let regular = entry.file_type().is_ok_and(|t| t.is_file());
        if regular && is_temporary(&entry.file_name(), prefix) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Writes `text` to `path` durably: through a temporary file in the same
/// directory, synced, renamed over `path`, then the directory synced. On
/// failure the temporary file is removed and `path` is untouched.
/// Temporary files left by killed saves of `path` are removed first.
fn save_atomically(path: &Path, text: &str) -> io::Result<()> {
    let target = fs::canonicalize(path)?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let prefix = temporary_prefix(target.file_name().unwrap_or_default());
    let permissions = fs::metadata(&target)?.permissions();
    remove_temporaries(dir, &prefix);
    let mut attempt = 0;
    let (temporary, mut file) = loop {
        let mut name = prefix.clone();
        name.push(format!("{}-{attempt}.tmp", std::process::id()));
        let candidate = dir.join(name);
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(file) => break (candidate, file),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e),
        }
    };
    let written = file
        .set_permissions(permissions)
        .and_then(|()| file.write_all(text.as_bytes()))
        .and_then(|()| file.sync_all())
        .and_then(|()| {
            drop(file);
            fs::rename(&temporary, &target)
        });
    if let Err(e) = written {
        let _ = fs::remove_file(&temporary);
        return Err(e);
    }
    // Make the rename itself durable; a failure here loses nothing already
    // written.
    if let Ok(dir) = fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Answers every request (the arguments, else the lines of standard input).
fn serve<O: Write, E: Write>(session: &mut Session<O, E>, options: &Options) -> Result<(), Fatal> {
    let mut parser = RequestParser::new();
    if options.requests.is_empty() {
        let mut reader = BufReader::with_capacity(64 * 1024, io::stdin().lock());
        for_each_line(&mut reader, |line, drained| {
            if let Some(line) = line {
                session.answer(&mut parser, line).map_err(Fatal::Output)?;
            }
            if drained {
                session.flush().map_err(Fatal::Output)?;
            }
            Ok(())
        })?;
    } else {
        for request in &options.requests {
            session
                .answer(&mut parser, request)
                .map_err(Fatal::Output)?;
        }
    }
    session.flush().map_err(Fatal::Output)
}

/// Saves the state to `path` if requests changed it.
fn save(state: &mut State, path: &Path) -> Result<(), Fatal> {
    if state.sync() == 0 {
        return Ok(());
    }
    let mut text = String::new();
    state
        .write_json(&mut text)
        .map_err(|_| Fatal::Save(path.into(), io::Error::other("cannot print the state")))?;
    save_atomically(path, &text).map_err(|e| Fatal::Save(path.into(), e))
}

fn run() -> Result<bool, Fatal> {
    let options = parse_options(std::env::args_os().skip(1))?;
    let state = load_state(options.state.as_deref())?;
    let lifecycle = Lifecycle {
        rule_quota: options.rule_quota,
        now: options.now.clone().unwrap_or_else(utc_now),
    };
    let stdout = io::stdout();
    let stderr = io::stderr();
    if let (true, Some(path)) = (options.save, &options.state) {
        // The bodies and verbose lines wait for the save: when it fails,
        // none is written.
        let mut session = Session::new(state, &options, lifecycle, Vec::new(), Vec::new());
        serve(&mut session, &options)?;
        save(&mut session.state, path)?;
        let mut out = stdout.lock();
        out.write_all(&session.out)
            .and_then(|()| out.flush())
            .map_err(Fatal::Output)?;
        let mut err = stderr.lock();
        err.write_all(&session.err)
            .and_then(|()| err.flush())
            .map_err(Fatal::Output)?;
        return Ok(session.failed);
    }
    let mut session = Session::new(
        state,
        &options,
        lifecycle,
        BufWriter::with_capacity(64 * 1024, stdout.lock()),
        BufWriter::new(stderr.lock()),
    );
    serve(&mut session, &options)?;
    Ok(session.failed)
}

fn main() -> ExitCode {
    match run() {
        Ok(false) => ExitCode::SUCCESS,
        Ok(true) => ExitCode::from(1),
        Err(Fatal::Help) => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Err(fatal) => {
            eprintln!("egress: {fatal}");
            ExitCode::from(2)
        }
    }
}
