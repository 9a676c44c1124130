//! `sg-egress-server`: the egress-rule actions of `aliyun-sg-egress` over
//! HTTP, as the official SDKs call them (SPEC §13).
//!
//! Decisions SPEC leaves open:
//! - One lock per group (the state split by group, see `engine`): requests
//!   on different groups run in parallel, on one group one after another,
//!   and a Describe never sees half an action.
//! - The query and a form body are joined by `&` and handed to the library
//!   as one query string (so a name in both is its "given more than once"
//!   error); each must be at most 64 KiB, and together they are subject to
//!   the library's 64 KiB limit too.
//! - A body that is not `application/x-www-form-urlencoded` carries no
//!   parameters (ACS3 still checks its hash).
//! - Headers over 16 KiB (names and values) are answered 431 with an empty
//!   body and the connection closed (a head hyper refuses: below).
//! - hyper refuses some heads itself before the server sees them (a
//!   request target over 65,534 bytes with 414; a request line and headers
//!   over its 96 KiB read buffer, or over 100 headers, with 431); the
//!   server drops that answer and closes the connection without a byte
//!   (`refusals.rs`). So a query after `/?` of up to 65,532 bytes is
//!   served, and a longer one (also 65,533..=65,536 bytes, within the 64 KiB
//!   limit: send those as a form) gets a close rather than the §2
//!   `QueryString` error, which a form body over 64 KiB gets.
//! - A stall: 10 s without the request's headers complete (hyper's header
//!   timeout, which also cuts an idle keep-alive connection), or 10 s
//!   without a byte of the body, closes the connection.
//! - A panic while a request is handled is answered 500 `InternalError`,
//!   and its group is as before the request (see `engine`); other requests
//!   are not touched.
//! - `SIGINT`/`SIGTERM`: stop accepting, give the open connections up to
//!   15 s to finish, write what is not durable yet, exit 0.

#![forbid(unsafe_code)]

mod auth;
mod engine;
mod log;
mod params;
mod refusals;
mod save;

use std::net::SocketAddr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use clap::Parser;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use engine::{Engine, Format, Outcome, RequestId, ServerError};
use params::Params;

/// The API version the endpoint speaks.
const VERSION: &str = "2014-05-26";
/// The longest query, and the longest form body (SPEC §2).
const PARAMS_MAX_BYTES: usize = 64 * 1024;
/// The most header bytes (names and values) a request may carry.
const HEADERS_MAX_BYTES: usize = 16 * 1024;
/// No progress for this long closes the connection.
const STALL: Duration = Duration::from_secs(10);
/// At most this many open connections; more wait in the accept queue.
const MAX_CONNECTIONS: usize = 1024;
/// How long the open connections get to finish on shutdown.
const DRAIN: Duration = Duration::from_secs(15);

#[derive(Parser, Debug)]
#[command(
    name = "sg-egress-server",
    version,
    about = "ECS egress-rule actions over HTTP (the official SDKs' requests)"
)]
struct Args {
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// State file (a DescribeSecurityGroupAttribute dump); the embedded
    /// demo state when absent.
    #[arg(long)]
    state: Option<PathBuf>,
    /// Write every change back to --state durably before answering it.
    #[arg(long, requires = "state")]
    save: bool,
    /// JSON array of {"AccessKeyId", "AccessKeySecret"}; without it,
    /// requests are not authenticated.
    #[arg(long)]
    credentials: Option<PathBuf>,
    /// The egress rules a group may hold.
    #[arg(long, default_value_t = aliyun_sg_egress::lifecycle::DEFAULT_RULE_QUOTA)]
    rule_quota: usize,
}

/// What every request shares.
pub struct Shared {
    engine: Engine,
    commit: Option<save::Commit>,
    credentials: Option<auth::Credentials>,
    /// Tests only (`SG_EGRESS_SERVER_TEST_PANIC=1`): a `TestPanic`
    /// parameter panics once the request has changed its group.
    test_panic: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let log = log::Log::new();
    tracing_subscriber::fmt()
        .with_writer(log.clone())
        .with_ansi(false)
        .with_target(false)
        .init();
    let result = run(args, &log);
    log.flush();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("sg-egress-server: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Args, log: &log::Log) -> Result<(), String> {
    let text = match &args.state {
        Some(path) => {
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?
        }
        None => engine::DEMO_STATE.as_bytes().to_vec(),
    };
    let engine =
        Engine::load(&text, args.rule_quota, args.save).map_err(|e| match &args.state {
            Some(path) => format!("{}: {e}", path.display()),
            None => format!("the demo state: {e}"),
        })?;
    let credentials = match &args.credentials {
        Some(path) => {
            let text =
                std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            Some(auth::Credentials::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?)
        }
        None => None,
    };
    let shared = Arc::new(Shared {
        engine,
        commit: match (&args.state, args.save) {
            (Some(path), true) => Some(save::Commit {
                path: path.clone(),
                notify: tokio::sync::Notify::new(),
            }),
            _ => None,
        },
        credentials,
        test_panic: std::env::var_os("SG_EGRESS_SERVER_TEST_PANIC").is_some_and(|v| v == "1"),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let log = log.clone();
    runtime.block_on(async move {
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_millis(100));
            loop {
                every.tick().await;
                log.flush();
            }
        });
        serve(args.listen, shared).await
    })
}

async fn serve(listen: SocketAddr, shared: Arc<Shared>) -> Result<(), String> {
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    {
        use std::io::Write as _;
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "listening on http://{local}");
        let _ = stdout.flush();
    }
    match &shared.credentials {
        None => tracing::warn!("no --credentials: requests are not authenticated"),
        Some(c) => tracing::info!("{} access key(s): every request must be signed", c.len()),
    }
    if shared.commit.is_some() {
        tokio::spawn(save::committer(shared.clone()));
    }

    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(STALL)
        .max_buf_size(96 * 1024)
        .keep_alive(true);
    let connections = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = connections.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of descriptors, say: wait a little, keep going.
                    tracing::warn!("accept: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        let service = hyper::service::service_fn(move |request| {
            let shared = shared.clone();
            async move { handle(shared, request).await }
        });
        let (stream, service) = refusals::guard(stream, service);
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    tracing::info!("shutting down: finishing the open requests");
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after {DRAIN:?}; leaving them");
    }
    flush(&shared).await;
    Ok(())
}

/// Waits until every change applied so far is durable.
async fn flush(shared: &Shared) {
    let Some(commit) = &shared.commit else { return };
    let Some(ticket) = shared.engine.until_saved() else {
        return;
    };
    commit.notify.notify_one();
    let _ = ticket.await;
}

async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}

/// What the log line says beside the outcome.
#[derive(Default)]
struct Seen {
    action: Option<String>,
    group: Option<String>,
}

/// How to answer: the outcome and body, and whether to close.
struct Answer {
    outcome: Outcome,
    format: Format,
    close: bool,
}

async fn handle(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, std::io::Error> {
    let start = Instant::now();
    let method = request.method().clone();
    let id = random_request_id();
    let mut body = String::new();
    let mut seen = Seen::default();
    let answer = match answer(&shared, request, id, &mut body, &mut seen).await {
        Ok(answer) => answer,
        Err(e) => {
            tracing::info!(
                target: log::REQUEST,
                "{method} action={} group={} status=- code=closed({}) us={}",
                escape(seen.action.as_deref().unwrap_or("-")),
                escape(seen.group.as_deref().unwrap_or("-")),
                escape(&e.to_string()),
                start.elapsed().as_micros()
            );
            return Err(e);
        }
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() =
        StatusCode::from_u16(answer.outcome.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if answer.outcome.status == 431 {
        // An empty body: nothing of the request was read as the API's.
        *response.body_mut() = Full::new(Bytes::new());
    }
    let headers = response.headers_mut();
    if answer.outcome.status != 431 {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(match answer.format {
                Format::Json => "application/json;charset=utf-8",
                Format::Xml => "text/xml;charset=utf-8",
            }),
        );
        if let Ok(value) = HeaderValue::from_str(&id.to_string()) {
            headers.insert("x-acs-request-id", value);
        }
    }
    if answer.close {
        headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    tracing::info!(
        target: log::REQUEST,
        "{method} action={} group={} status={} code={} us={}",
        escape(seen.action.as_deref().unwrap_or("-")),
        escape(seen.group.as_deref().unwrap_or("-")),
        answer.outcome.status,
        answer.outcome.code.unwrap_or("OK"),
        start.elapsed().as_micros()
    );
    Ok(response)
}

/// Handles one request up to its body text. An `Err` closes the connection
/// without an answer (a stalled or broken body).
async fn answer(
    shared: &Shared,
    request: Request<Incoming>,
    id: RequestId,
    out: &mut String,
    seen: &mut Seen,
) -> Result<Answer, std::io::Error> {
    let accept = accept_format(request.headers());
    let error = |error: ServerError, format: Format, out: &mut String, close: bool| Answer {
        outcome: engine::write_error(error, format, id, out),
        format,
        close,
    };
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    // 1. Path and method.
    if request.uri().path() != "/" || !matches!(*request.method(), Method::GET | Method::POST) {
        return Ok(error(ServerError::NotFound, accept, out, false));
    }
    let header_bytes: usize = request
        .headers()
        .iter()
        .map(|(n, v)| n.as_str().len() + v.len() + 4)
        .sum();
    if header_bytes > HEADERS_MAX_BYTES {
        return Ok(Answer {
            outcome: Outcome {
                status: 431,
                code: Some("RequestHeaderFieldsTooLarge"),
                changed: false,
            },
            format: accept,
            close: true,
        });
    }
    let (parts, mut incoming) = request.into_parts();
    let query = parts.uri.query().unwrap_or("").as_bytes();
    if query.len() > PARAMS_MAX_BYTES {
        return Ok(too_long(shared, query, accept, id, out));
    }
    // The body: 10 s at most between two pieces of it.
    let mut body = Vec::new();
    if parts.method == Method::POST {
        loop {
            let frame = match tokio::time::timeout(STALL, incoming.frame()).await {
                Err(_) => return Err(std::io::Error::other("the body stalled")),
                Ok(None) => break,
                Ok(Some(Err(e))) => return Err(std::io::Error::other(e)),
                Ok(Some(Ok(frame))) => frame,
            };
            if let Ok(data) = frame.into_data() {
                body.extend_from_slice(&data);
                if body.len() > PARAMS_MAX_BYTES {
                    return Ok(too_long(shared, &body, accept, id, out));
                }
            }
        }
    }
    let form = (is_form && !body.is_empty()).then_some(body.as_slice());
    let joined: std::borrow::Cow<[u8]> = match form {
        None => query.into(),
        Some(form) if query.is_empty() => form.into(),
        Some(form) => [query, b"&", form].concat().into(),
    };
    // 2. Decoding.
    let Some(params) = Params::decode(query, form) else {
        let outcome = shared.engine.decoding_error(&joined, accept, id, out);
        return Ok(match outcome {
            Some(outcome) => Answer {
                outcome,
                format: accept,
                close: false,
            },
            None => error(ServerError::Undecodable, accept, out, false),
        });
    };
    let format = params
        .get("Format")
        .and_then(|f| f.parse::<Format>().ok())
        .unwrap_or(accept);
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
    };
    let action_param = params.get("Action").filter(|a| !a.is_empty());
    let action_header = header("x-acs-action");
    seen.action = action_param.or(action_header).map(str::to_owned);
    seen.group = params.get("SecurityGroupId").map(str::to_owned);
    // 3. The signature.
    if let Some(credentials) = &shared.credentials
        && let Err(e) = credentials.verify(parts.method.as_str(), &parts.headers, &params, &body)
    {
        return Ok(error(e, format, out, false));
    }
    // 4. Action and Version.
    if let (Some(a), Some(h)) = (action_param, action_header)
        && a != h
    {
        return Ok(error(ServerError::ActionMismatch, format, out, false));
    }
    let version_param = params.get("Version").filter(|v| !v.is_empty());
    if [version_param, header("x-acs-version")]
        .into_iter()
        .flatten()
        .any(|v| v != VERSION)
    {
        return Ok(error(ServerError::InvalidVersion, format, out, false));
    }
    // 5. The action, atomic under its group's lock.
    let panic_requested = shared.test_panic && params.get("TestPanic").is_some();
    // The engine puts a group back after a panic under its lock; one
    // anywhere else (parsing, say) touched no state and is answered too.
    let handled = catch_unwind(AssertUnwindSafe(|| {
        shared
            .engine
            .handle(action_header, &joined, format, id, out, panic_requested)
    }));
    let Ok(handled) = handled else {
        tracing::error!("a request's handling panicked outside its group; answered InternalError");
        return Ok(error(ServerError::Internal, format, out, false));
    };
    if let Some(durable) = handled.durable {
        if let Some(commit) = &shared.commit {
            commit.notify.notify_one();
        }
        if !durable.await.unwrap_or(false) {
            return Ok(error(ServerError::Internal, format, out, false));
        }
    }
    Ok(Answer {
        outcome: handled.outcome,
        format,
        close: false,
    })
}

/// The §2 `QueryString` error for a query or body over 64 KiB; the
/// connection closes (the rest of the body is not read).
fn too_long(
    shared: &Shared,
    bytes: &[u8],
    format: Format,
    id: RequestId,
    out: &mut String,
) -> Answer {
    let outcome = shared
        .engine
        .decoding_error(bytes, format, id, out)
        .unwrap_or_else(|| engine::write_error(ServerError::Undecodable, format, id, out));
    Answer {
        outcome,
        format,
        close: true,
    }
}

/// The body format the `Accept` header asks for: the first of `json` and
/// `xml` in it; XML when neither.
fn accept_format(headers: &HeaderMap) -> Format {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Format::Xml;
    };
    let accept = accept.to_ascii_lowercase();
    match (accept.find("json"), accept.find("xml")) {
        (Some(j), Some(x)) if x < j => Format::Xml,
        (Some(_), _) => Format::Json,
        _ => Format::Xml,
    }
}

/// A random request id, in the API's shape: `rand`'s thread-local
/// generator (a CSPRNG seeded, and reseeded, from the OS), one system call
/// per thread rather than per request.
fn random_request_id() -> RequestId {
    RequestId::from_u128(rand::random())
}

/// A value for the log line: control characters, backslashes and spaces
/// escaped (`\n`, `\x1b`, `\\`, `\x20`), so a value cannot split the line or
/// drive the terminal.
fn escape(value: &str) -> std::borrow::Cow<'_, str> {
    if !value
        .chars()
        .any(|c| c.is_control() || c == ' ' || c == '\\')
    {
        return value.into();
    }
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() || c == ' ' => {
                out.push_str(&format!("\\x{:02x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.into()
}
