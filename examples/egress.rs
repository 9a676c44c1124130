//! `egress`: answers `ModifySecurityGroupEgressRule` requests against a
//! state file, as the API would (SPEC §9).
//!
//! ```text
//! cargo run --features serde --example egress -- [--state FILE] [--save] [--format json|xml] [--verbose] [REQUEST...]
//! ```
//!
//! - Each REQUEST is one query string, as in the API page's example (a
//!   leading `https://ecs.aliyuncs.com/?` and the page's `&<公共请求参数>`
//!   placeholder are tolerated). An empty argument is a request too. With
//!   no REQUEST, requests are read from standard input, one per line
//!   (`\n` or `\r\n`); blank lines and lines whose first non-blank
//!   character is `#` are skipped. Lines need not be UTF-8 (what is not
//!   gets the API's error); a line over 1 MiB is cut there, which changes
//!   nothing but the size its error reports (any query over 64 KiB is
//!   refused).
//! - `--state FILE`: the state, a `DescribeSecurityGroupAttribute` dump
//!   (see `aliyun_sg_egress::state`). Without it, the demo state embedded
//!   from `examples/demo_state.json`.
//! - `--save`: after the last request, writes the descriptions that
//!   requests changed back to FILE, atomically: a temporary file in the
//!   same directory (`.FILE.egress-PID.tmp`, given FILE's permissions),
//!   then a rename over FILE (a symbolic link is followed, not replaced).
//!   Nothing else in the file changes; when no description changed, the
//!   file is not written at all.
//! - `--format json|xml` (any case): the body format; `xml` when left out,
//!   as on the API.
//! - `--verbose` (`-v`): one line per request on standard error:
//!   `<HTTP status> <Code or OK> <message>`, then, in brackets, the
//!   detail, the closest rule when none matched, and any hint. Rules are
//!   named by their position in the group's `Permissions.Permission`.
//!
//! Output: one response body per request on standard output, one line
//! each, in request order. Lines read from standard input are answered as
//! soon as no more input is waiting, so an interactive session sees each
//! answer at once and a long batch is written in large blocks.
//!
//! Request ids are deterministic: the n-th request of a run (from 1) gets
//! `RequestId::from_parts(0xEC5E_0000_0000_0000, n)`, that is
//! `EC5E0000-0000-0000-0000-000000000001`, `…-000000000002`, and so on.
//!
//! Exit status: 0 when every request succeeded; 1 when any got an API
//! error; 2 for a usage error, a state file that cannot be read or is
//! refused (nothing is written to standard output then), or a failure to
//! write the output or save the file (then FILE is left as it was).
//!
//! The state is loaded once: each request costs a parse, one hash lookup
//! and a body, however long the input.

use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use aliyun_sg_egress::Applied;
use aliyun_sg_egress::error::ApiError;
use aliyun_sg_egress::modify;
use aliyun_sg_egress::request::{ModifyEgressRequest, RequestParser};
use aliyun_sg_egress::state::State;
use aliyun_sg_egress::store::GroupStore;
use aliyun_sg_egress::{Format, RequestId, Response};

/// The state used without `--state`.
const DEMO_STATE: &str = include_str!("demo_state.json");

/// The high 64 bits of every request id of a run; the low 64 count the
/// requests from 1.
const REQUEST_ID_PREFIX: u64 = 0xEC5E_0000_0000_0000;

/// The longest line kept from standard input; the rest of a longer line is
/// skipped (the query limit is 64 KiB, so the request is refused anyway).
const MAX_LINE_BYTES: usize = 1024 * 1024;

const USAGE: &str = "\
usage: egress [--state FILE] [--save] [--format json|xml] [--verbose] [REQUEST...]

Answers ModifySecurityGroupEgressRule requests (RPC query strings) against a
DescribeSecurityGroupAttribute state, one response body per line on stdout.
With no REQUEST, reads one request per line from stdin (blank and # lines
are skipped).

  --state FILE         the state file (default: the embedded demo state)
  --save               write changed descriptions back to FILE, atomically
  --format json|xml    the body format (default: xml, as on the API)
  -v, --verbose        one line per request on stderr: status, code, message
  -h, --help           this text

Exit status: 0 all succeeded, 1 some API error, 2 usage or state-file error.
";

/// What the command line asks for.
struct Options {
    state: Option<PathBuf>,
    save: bool,
    format: Format,
    verbose: bool,
    requests: Vec<Vec<u8>>,
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
    count: u64,
    failed: bool,
    out: O,
    err: E,
}

impl<O: Write, E: Write> Session<O, E> {
    /// Answers one request: its body on `out`, and with `--verbose` a line
    /// on `err`.
    fn answer(&mut self, parser: &mut RequestParser, query: &[u8]) -> io::Result<()> {
        self.count += 1;
        let id = RequestId::from_parts(REQUEST_ID_PREFIX, self.count);
        // One parser for every line: its buffer holds the decoded text the
        // request borrows.
        let parsed = parser.parse(query);
        match &parsed {
            Err(error) => self.respond(id, None, Err(error)),
            Ok(request) => {
                let outcome = modify(&mut self.state, request);
                self.respond(id, Some(request), outcome.as_ref())
            }
        }
    }

    fn respond(
        &mut self,
        id: RequestId,
        request: Option<&ModifyEgressRequest>,
        outcome: Result<&Applied, &ApiError>,
    ) -> io::Result<()> {
        let response = match outcome {
            Ok(_) => Response::success(self.format, id),
            Err(error) => {
                self.failed = true;
                Response::error(self.format, id, error)
            }
        };
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
        self.out.write_all(b"\n")?;
        if self.verbose {
            match (request, outcome) {
                (Some(request), Ok(applied)) => self.explain_success(request, applied)?,
                (_, Err(error)) => self.explain_error(request, error)?,
                (None, Ok(_)) => {}
            }
        }
        Ok(())
    }

    fn explain_success(
        &mut self,
        request: &ModifyEgressRequest,
        applied: &Applied,
    ) -> io::Result<()> {
        let group = applied.rule.group;
        let id = self
            .state
            .group_info(group)
            .map_or("?", |info| info.id.as_str());
        let rule = self
            .state
            .permission_index(group, applied.rule.rule_index)
            .unwrap_or(applied.rule.rule_index);
        let what = match (applied.changed, request.description()) {
            (true, Some("")) => "description cleared",
            (true, _) => "description set",
            (false, None) => "description unchanged (no Description given)",
            (false, Some(_)) => "description unchanged (same text)",
        };
        write!(self.err, "200 OK {id} rule {rule}: {what}")?;
        if !request.hints().is_empty() {
            write!(self.err, " [hint: {}]", request.hints())?;
        }
        writeln!(self.err)
    }

    fn explain_error(
        &mut self,
        request: Option<&ModifyEgressRequest>,
        error: &ApiError,
    ) -> io::Result<()> {
        let message = error.to_string();
        write!(self.err, "{} {} {message}", error.status(), error.code())?;
        match error.near_miss() {
            Some(near) => {
                // A near miss is a rule of the request's own group.
                let rule = request
                    .and_then(|r| self.state.find_group(r.security_group_id()))
                    .and_then(|g| self.state.permission_index(g, near.rule_index))
                    .unwrap_or(near.rule_index);
                write!(
                    self.err,
                    " [closest rule: {rule}, differs in {}]",
                    near.differs
                )?;
            }
            None if !error.detail().is_empty() && error.detail().to_string() != message => {
                write!(self.err, " [detail: {}]", error.detail())?;
            }
            None => {}
        }
        if !error.hints().is_empty() {
            write!(self.err, " [hint: {}]", error.hints())?;
        }
        writeln!(self.err)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()?;
        self.err.flush()
    }
}

/// Calls `each` on every line of `reader`, without its line break (`\n`
/// or `\r\n`) and cut to [`MAX_LINE_BYTES`], saying whether the reader's
/// buffer is then drained (the input paused: time to flush). The lines
/// whole in the buffer are lent from it; a line spanning refills is
/// gathered in a vector.
/// Line breaks are found with the `memchr` crate (vector instructions;
/// `BufRead::read_until` scans a word at a time and copies).
fn for_each_line<R: BufRead>(
    reader: &mut R,
    mut each: impl FnMut(&[u8], bool) -> Result<(), Fatal>,
) -> Result<(), Fatal> {
    fn cut(line: &[u8]) -> &[u8] {
        let line = line.get(..MAX_LINE_BYTES).unwrap_or(line);
        line.strip_suffix(b"\r").unwrap_or(line)
    }
    fn gather(carry: &mut Vec<u8>, bytes: &[u8]) {
        let room = MAX_LINE_BYTES.saturating_sub(carry.len());
        carry.extend_from_slice(bytes.get(..room).unwrap_or(bytes));
    }
    let mut carry = Vec::new();
    // Whether a line began in an earlier buffer (it may still be empty).
    let mut carrying = false;
    loop {
        let buf = reader.fill_buf().map_err(Fatal::Input)?;
        if buf.is_empty() {
            return if carrying {
                each(cut(&carry), true)
            } else {
                Ok(())
            };
        }
        let Some(first_end) = memchr::memchr(b'\n', buf) else {
            gather(&mut carry, buf);
            carrying = true;
            let read = buf.len();
            reader.consume(read);
            continue;
        };
        if carrying {
            gather(&mut carry, &buf[..first_end]);
            each(cut(&carry), first_end + 1 == buf.len())?;
            carry.clear();
            carrying = false;
            reader.consume(first_end + 1);
            continue;
        }
        // Every whole line in the buffer, then the rest is left for the
        // next round (where, alone, it is gathered).
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', buf) {
            each(cut(&buf[start..end]), end + 1 == buf.len())?;
            start = end + 1;
        }
        reader.consume(start);
    }
}

fn skipped(line: &[u8]) -> bool {
    matches!(line.trim_ascii_start().first(), None | Some(b'#'))
}

/// Writes `text` to `path` through a temporary file in the same directory
/// and a rename; on failure the temporary file is removed and `path` is
/// untouched.
fn save_atomically(path: &Path, text: &str) -> io::Result<()> {
    let target = fs::canonicalize(path)?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let permissions = fs::metadata(&target)?.permissions();
    let mut attempt = 0;
    let (temporary, mut file) = loop {
        let candidate = dir.join(format!(
            ".{name}.egress-{}-{attempt}.tmp",
            std::process::id()
        ));
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

fn run() -> Result<bool, Fatal> {
    let options = parse_options(std::env::args_os().skip(1))?;
    let state = load_state(options.state.as_deref())?;
    let stdout = io::stdout();
    let stderr = io::stderr();
    let mut parser = RequestParser::new();
    let mut session = Session {
        state,
        format: options.format,
        verbose: options.verbose,
        count: 0,
        failed: false,
        out: BufWriter::with_capacity(64 * 1024, stdout.lock()),
        err: BufWriter::new(stderr.lock()),
    };
    if options.requests.is_empty() {
        let mut reader = BufReader::with_capacity(64 * 1024, io::stdin().lock());
        for_each_line(&mut reader, |line, drained| {
            if !skipped(line) {
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
    session.flush().map_err(Fatal::Output)?;
    if let (true, Some(path)) = (options.save, &options.state)
        && session.state.sync() > 0
    {
        let mut text = String::new();
        session
            .state
            .write_json(&mut text)
            .map_err(|_| Fatal::Save(path.clone(), io::Error::other("cannot print the state")))?;
        save_atomically(path, &text).map_err(|e| Fatal::Save(path.clone(), e))?;
    }
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
