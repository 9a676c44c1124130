//! Starting the server and talking raw HTTP/1.1 to it (so malformed and
//! stalled requests are possible), plus the SDKs' two signatures.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

pub const KEY: &str = "ak-test";
pub const SECRET: &str = "sk-test-secret";
pub const GROUP: &str = "sg-test0001";

pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
    pub dir: PathBuf,
}

static DIRS: AtomicU64 = AtomicU64::new(0);

/// A fresh directory under the target dir.
pub fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "sg-egress-server-test-{}-{}",
        std::process::id(),
        DIRS.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A VPC group `GROUP` with `n` egress rules: TCP port 1000+k to
/// 10.0.0.0/8, description "d{k}".
pub fn state_json(n: usize) -> String {
    let rules: Vec<String> = (0..n)
        .map(|k| {
            format!(
                r#"{{"Direction": "egress", "IpProtocol": "TCP", "PortRange": "{p}/{p}", "DestCidrIp": "10.0.0.0/8", "NicType": "intranet", "Policy": "Accept", "Priority": "1", "Description": "d{k}", "SecurityGroupRuleId": "sgr-t{k:08}", "CreateTime": "2024-01-01T00:00:00Z"}}"#,
                p = 1000 + k
            )
        })
        .collect();
    format!(
        "{{\n  \"SecurityGroupId\": \"{GROUP}\",\n  \"RegionId\": \"cn-hangzhou\",\n  \"VpcId\": \"vpc-1\",\n  \"Permissions\": {{\n    \"Permission\": [\n      {}\n    ]\n  }}\n}}\n",
        rules.join(",\n      ")
    )
}

/// The query of a Modify that sets rule `k`'s description (raw, encoded).
pub fn modify_query(k: usize, description: &str) -> String {
    format!(
        "Action=ModifySecurityGroupEgressRule&RegionId=cn-hangzhou&SecurityGroupId={GROUP}&IpProtocol=tcp&PortRange={p}/{p}&DestCidrIp=10.0.0.0/8&Description={}",
        encode(description),
        p = 1000 + k
    )
}

impl Server {
    /// Starts the binary with `args` (plus `--listen 127.0.0.1:0`).
    pub fn start(args: &[&str]) -> Server {
        Server::start_with(args, &[], temp_dir())
    }

    pub fn start_with(args: &[&str], env: &[(&str, &str)], dir: PathBuf) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_sg-egress-server"));
        command
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(
                std::fs::File::create(dir.join("stderr.log")).unwrap(),
            ));
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("first line: {line:?}"))
            .parse()
            .unwrap();
        Server { child, addr, dir }
    }

    /// Starts on a state of `n` rules written to a file in a fresh dir.
    pub fn with_state(n: usize, extra: &[&str]) -> Server {
        let dir = temp_dir();
        let state = dir.join("state.json");
        std::fs::write(&state, state_json(n)).unwrap();
        let mut args = vec!["--state", state.to_str().unwrap()];
        args.extend_from_slice(extra);
        let args: Vec<String> = args.into_iter().map(str::to_owned).collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Server::start_with(&args, &[], dir)
    }

    pub fn state_path(&self) -> PathBuf {
        self.dir.join("state.json")
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("stderr.log")).unwrap_or_default()
    }

    /// Sends raw bytes, reads the answer until the server closes.
    pub fn raw(&self, request: &[u8]) -> Option<Reply> {
        self.raw_then(request, false)
    }

    /// Sends raw bytes, then (`eof`) shuts the writing side, and reads the
    /// answer until the server closes.
    pub fn raw_then(&self, request: &[u8], eof: bool) -> Option<Reply> {
        let mut stream = TcpStream::connect(self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let _ = stream.write_all(request);
        if eof {
            let _ = stream.shutdown(std::net::Shutdown::Write);
        }
        let mut bytes = Vec::new();
        let _ = stream.read_to_end(&mut bytes);
        Reply::parse(&bytes)
    }

    /// A request with `Connection: close`.
    pub fn send(&self, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        let mut request = format!(
            "{method} {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.addr
        );
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        if method == "POST" || !body.is_empty() {
            request.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        request.push_str("\r\n");
        let mut bytes = request.into_bytes();
        bytes.extend_from_slice(body);
        self.raw(&bytes).expect("an HTTP response")
    }

    pub fn get(&self, query: &str) -> Reply {
        self.send("GET", &format!("/?{query}"), &[], b"")
    }

    /// Whether the server still answers.
    pub fn alive(&self) -> bool {
        self.get("Action=Nope").status == 404
    }

    pub fn terminate(&mut self) -> std::process::ExitStatus {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        self.child.wait().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn parse(bytes: &[u8]) -> Option<Reply> {
        let text = String::from_utf8_lossy(bytes);
        let (head, body) = text.split_once("\r\n\r\n")?;
        let mut lines = head.split("\r\n");
        let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        Some(Reply {
            status,
            headers,
            body: body.to_string(),
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The `Code` of a JSON or XML error body.
    pub fn code(&self) -> Option<String> {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&self.body) {
            return v.get("Code").and_then(|c| c.as_str()).map(str::to_owned);
        }
        let start = self.body.find("<Code>")? + 6;
        let end = self.body.find("</Code>")?;
        Some(self.body[start..end].to_string())
    }

    pub fn request_id(&self) -> Option<String> {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&self.body) {
            return v
                .get("RequestId")
                .and_then(|c| c.as_str())
                .map(str::to_owned);
        }
        let start = self.body.find("<RequestId>")? + 11;
        let end = self.body.find("</RequestId>")?;
        Some(self.body[start..end].to_string())
    }
}

/// RFC 3986, as the SDKs encode.
pub fn encode(text: &str) -> String {
    let mut out = String::new();
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn canonical(pairs: &[(String, String)]) -> String {
    let mut sorted: Vec<_> = pairs.to_vec();
    sorted.sort();
    sorted
        .iter()
        .map(|(n, v)| format!("{}={}", encode(n), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

pub fn timestamp(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

static NONCE: AtomicU64 = AtomicU64::new(0);

pub fn nonce() -> String {
    format!(
        "n-{}-{}-{}",
        std::process::id(),
        now(),
        NONCE.fetch_add(1, Ordering::Relaxed)
    )
}

/// Decoded pairs of a query.
pub fn pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (n, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(n), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// An HMAC-SHA1 RPC-signed query (the parameters of `query`, plus the
/// signature's own, signed with `secret`).
pub fn rpc_signed(
    method: &str,
    query: &str,
    key: &str,
    secret: &str,
    nonce: &str,
    time: i64,
) -> String {
    let mut all = pairs(query);
    for (n, v) in [
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("AccessKeyId", key),
        ("SignatureNonce", nonce),
        ("Timestamp", &timestamp(time)),
        ("Format", "JSON"),
        ("Version", "2014-05-26"),
    ] {
        all.push((n.to_string(), v.to_string()));
    }
    let to_sign = format!("{method}&%2F&{}", encode(&canonical(&all)));
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(format!("{secret}&").as_bytes()).unwrap();
    mac.update(to_sign.as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    all.push(("Signature".into(), signature));
    all.iter()
        .map(|(n, v)| format!("{}={}", encode(n), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// ACS3-HMAC-SHA256 headers for a request to `/?query` with `body`.
#[allow(clippy::too_many_arguments)]
pub fn acs3_headers(
    method: &str,
    query: &str,
    body: &[u8],
    host: &str,
    key: &str,
    secret: &str,
    nonce: &str,
    time: i64,
) -> Vec<(String, String)> {
    let mut headers = vec![
        ("host".to_string(), host.to_string()),
        (
            "x-acs-action".to_string(),
            "ModifySecurityGroupEgressRule".to_string(),
        ),
        ("x-acs-version".to_string(), "2014-05-26".to_string()),
        ("x-acs-date".to_string(), timestamp(time)),
        ("x-acs-signature-nonce".to_string(), nonce.to_string()),
        (
            "x-acs-content-sha256".to_string(),
            hex::encode(Sha256::digest(body)),
        ),
        ("accept".to_string(), "application/json".to_string()),
    ];
    headers.sort();
    let canonical_headers: String = headers.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
    let signed: Vec<&str> = headers.iter().map(|(n, _)| n.as_str()).collect();
    let signed = signed.join(";");
    let request = format!(
        "{method}\n/\n{}\n{canonical_headers}\n{signed}\n{}",
        canonical(&pairs(query)),
        hex::encode(Sha256::digest(body))
    );
    let to_sign = format!(
        "ACS3-HMAC-SHA256\n{}",
        hex::encode(Sha256::digest(request.as_bytes()))
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(to_sign.as_bytes());
    let signature = hex::encode(mac.finalize().into_bytes());
    headers.retain(|(n, _)| n != "host");
    headers.push((
        "Authorization".into(),
        format!("ACS3-HMAC-SHA256 Credential={key},SignedHeaders={signed},Signature={signature}"),
    ));
    headers
}

pub fn read_file(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}
