//! The command-line front end (SPEC §9), run as a process on fixture
//! files: argv and stdin modes, `--save`, refused states, exit codes.
#![cfg(all(feature = "serde", feature = "std"))]

use std::io::{BufRead, BufReader, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

const WEB: &str = "RegionId=cn-hangzhou&SecurityGroupId=sg-web";

/// The example binary: cargo builds examples for integration tests, next to
/// the `deps` folder this test runs from.
fn binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile = exe.parent().and_then(Path::parent).unwrap();
    let path = profile
        .join("examples")
        .join(format!("egress{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} not built: run cargo test --features serde",
        path.display()
    );
    path
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A fresh directory for one test, with copies of the given fixtures.
fn scratch(fixtures: &[&str]) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "egress-cli-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for name in fixtures {
        std::fs::copy(fixture(name), dir.join(name)).unwrap();
    }
    dir
}

fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(binary())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.unwrap_or_default().to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    output
}

fn lines(bytes: &[u8]) -> Vec<String> {
    String::from_utf8(bytes.to_vec())
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

fn id(n: u64) -> String {
    format!("EC5E0000-0000-0000-0000-{n:012X}")
}

fn ok_json(n: u64) -> String {
    format!(r#"{{"RequestId":"{}"}}"#, id(n))
}

fn error_json(n: u64, code: &str, message: &str) -> String {
    json!({"RequestId": id(n), "HostId": "ecs.aliyuncs.com", "Code": code, "Message": message})
        .to_string()
}

const NOT_FOUND: &str = "The target security group rule do not exist.";

#[test]
fn argv_mode_answers_each_request_on_its_own_line() {
    let state = fixture("state.json");
    let out = run(
        &[
            "--state",
            state.to_str().unwrap(),
            "--format",
            "json",
            &format!("{WEB}&IpProtocol=tcp&PortRange=443/443&DestCidrIp=0.0.0.0/0&Description=x"),
            &format!(
                "https://ecs.aliyuncs.com/?{WEB}&IpProtocol=udp&PortRange=53/53&DestCidrIp=100.100.2.136/32&<公共请求参数>"
            ),
            "",
            &format!(
                "{WEB}&IpProtocol=tcp&PortRange=3306/3306&DestGroupId=sg-db&DestGroupOwnerAccount=owner@example.com"
            ),
        ],
        None,
    );
    assert_eq!(
        lines(&out.stdout),
        [
            ok_json(1),
            error_json(2, "SecurityGroupRule.NotFound", NOT_FOUND),
            error_json(
                3,
                "MissingParameter",
                "The input parameter \"RegionId\" that is mandatory for processing this request is not supplied."
            ),
            ok_json(4),
        ]
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stderr.is_empty());
}

#[test]
fn all_successes_exit_0_and_xml_is_the_default() {
    let out = run(
        &[
            "--state",
            fixture("state.json").to_str().unwrap(),
            &format!("{WEB}&IpProtocol=tcp&PortRange=443/443&DestCidrIp=0.0.0.0/0"),
        ],
        None,
    );
    assert_eq!(
        lines(&out.stdout),
        [format!(
            "<ModifySecurityGroupEgressRuleResponse><RequestId>{}</RequestId></ModifySecurityGroupEgressRuleResponse>",
            id(1)
        )]
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn lines_across_the_input_buffer_are_read_whole() {
    // About 200 KiB of successful requests of many lengths: some lines
    // straddle the reader's 64 KiB buffer and are gathered across refills;
    // any garbled line would answer an error.
    let mut input = Vec::new();
    let count: u64 = 2_000;
    for n in 0..count {
        let pad = "x".repeat((n % 97) as usize);
        let ending = if n % 3 == 0 { "\r\n" } else { "\n" };
        input.extend_from_slice(
            format!(
                "{WEB}&IpProtocol=tcp&PortRange=443/443&DestCidrIp=0.0.0.0/0&Description=d{pad}{ending}"
            )
            .as_bytes(),
        );
    }
    assert!(input.len() > 3 * 64 * 1024);
    let out = run(
        &[
            "--state",
            fixture("state.json").to_str().unwrap(),
            "--format",
            "json",
        ],
        Some(&input),
    );
    let body = lines(&out.stdout);
    let expected: Vec<String> = (1..=count).map(ok_json).collect();
    assert_eq!(body, expected);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn stdin_mode_answers_line_by_line() {
    let mut input = Vec::new();
    input.extend_from_slice(b"# a comment\n\n   \n");
    input.extend_from_slice(
        format!("{WEB}&IpProtocol=tcp&PortRange=443/443&DestCidrIp=0.0.0.0/0&Description=a\r\n")
            .as_bytes(),
    );
    input.extend_from_slice(b"  # indented comment\n");
    input.extend_from_slice(b"RegionId=cn-hangzhou&SecurityGroupId=\xff\xfe\n");
    input.extend_from_slice(b"\x00\x01garbage=%zz&&&=\n");
    input.extend_from_slice(
        format!("{WEB}&IpProtocol=tcp&PortRange=443/443&DestCidrIp=0.0.0.0/0&Priority=2")
            .as_bytes(),
    );
    let out = run(
        &[
            "--state",
            fixture("state.json").to_str().unwrap(),
            "--format=JSON",
            "--verbose",
        ],
        Some(&input),
    );
    let body = lines(&out.stdout);
    assert_eq!(body.len(), 4, "{body:?}");
    assert_eq!(body[0], ok_json(1));
    let v: Value = serde_json::from_str(&body[1]).unwrap();
    assert_eq!(
        (v["RequestId"].as_str(), v["Code"].as_str()),
        (Some(id(2).as_str()), Some("InvalidParameter"))
    );
    let v: Value = serde_json::from_str(&body[2]).unwrap();
    assert_eq!(
        (v["RequestId"].as_str(), v["Code"].as_str()),
        (Some(id(3).as_str()), Some("InvalidParameter"))
    );
    assert_eq!(
        body[3],
        error_json(4, "SecurityGroupRule.NotFound", NOT_FOUND)
    );
    assert_eq!(out.status.code(), Some(1));

    let verbose = lines(&out.stderr);
    assert_eq!(verbose.len(), 4, "{verbose:?}");
    assert_eq!(verbose[0], "200 OK sg-web rule 1: description set");
    assert!(verbose[1].starts_with(
        "400 InvalidParameter The specified parameter \"SecurityGroupId\" is not valid."
    ));
    assert!(verbose[2].starts_with("400 InvalidParameter "));
    assert_eq!(
        verbose[3],
        format!(
            "404 SecurityGroupRule.NotFound {NOT_FOUND} [closest rule: 1, differs in Priority]"
        )
    );
}

#[test]
fn verbose_lines_carry_hints() {
    let out = run(
        &[
            "-v",
            &format!("{WEB}&IpProtocol=tcp&PortRange=80/80&Policy=allow&SourceGroupId=sg-db"),
        ],
        None,
    );
    let verbose = lines(&out.stderr);
    assert_eq!(verbose.len(), 1);
    assert!(
        verbose[0].starts_with("400 InvalidPolicy.Malformed "),
        "{}",
        verbose[0]
    );
    assert!(verbose[0].contains(
        "[hint: Policy \"allow\": did you mean accept?; SourceGroupId is an ingress parameter"
    ));
}

#[test]
fn stdin_answers_arrive_before_the_input_ends() {
    let mut child = Command::new(binary())
        .args(["--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let _ = tx.send(line.unwrap());
        }
    });
    for n in 1..=3 {
        writeln!(input, "RegionId=cn-hangzhou&SecurityGroupId=sg-nope&IpProtocol=tcp&PortRange=1/1&DestCidrIp=1.2.3.4").unwrap();
        input.flush().unwrap();
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("no answer while stdin is still open");
        assert!(
            line.starts_with(&format!(r#"{{"RequestId":"{}","#, id(n))),
            "{line}"
        );
    }
    drop(input);
    assert_eq!(child.wait().unwrap().code(), Some(1));
    reader.join().unwrap();
}

#[test]
fn the_demo_state_answers_the_corrected_page_example() {
    let out = run(
        &[
            "--format",
            "json",
            "https://ecs.aliyuncs.com/?Action=ModifySecurityGroupEgressRule&RegionId=cn-hangzhou\
             &SecurityGroupId=sg-F876FF7BA&DestGroupId=sg-1651FBB64&DestGroupOwnerAccount=test@aliyun.com\
             &IpProtocol=tcp&PortRange=80/80&Policy=accept&Description=Thisisanewsecuritygrouprule.&<公共请求参数>",
        ],
        None,
    );
    assert_eq!(lines(&out.stdout), [ok_json(1)]);
    assert_eq!(out.status.code(), Some(0));
}

/// Parses a JSON file.
fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn save_changes_only_the_descriptions_requests_changed() {
    let dir = scratch(&["state.json"]);
    let file = dir.join("state.json");
    let before = read_json(&file);
    let requests = format!(
        "{WEB}&IpProtocol=tcp&PortRange=443/443&DestCidrIp=0.0.0.0/0&Description=web%20out\n\
         {WEB}&IpProtocol=udp&PortRange=53/53&DestCidrIp=100.100.2.136&Description=dns\n\
         {WEB}&IpProtocol=tcp&PortRange=3306/3306&DestGroupId=sg-db&Description=mysql\n\
         {WEB}&IpProtocol=tcp&PortRange=3306/3306&DestGroupId=sg-db\n\
         {WEB}&IpProtocol=tcp&PortRange=22/22&DestCidrIp=0.0.0.0/0&Description=ingress%20is%20not%20matched\n\
         RegionId=cn-hangzhou&SecurityGroupId=sg-classic&IpProtocol=tcp&PortRange=80/80&DestCidrIp=0.0.0.0/0&Description=\n"
    );
    let out = run(
        &[
            "--state",
            file.to_str().unwrap(),
            "--save",
            "--format",
            "json",
        ],
        Some(requests.as_bytes()),
    );
    assert_eq!(lines(&out.stdout).len(), 6);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut expected = before.clone();
    let web = &mut expected["SecurityGroups"][0]["Permissions"]["Permission"];
    web[1]["Description"] = json!("web out");
    web[2]["Description"] = json!("dns");
    expected["SecurityGroups"][2]["Permissions"]["Permission"][0]["Description"] = json!("");
    assert_ne!(expected, before);
    assert_eq!(read_json(&file), expected);
    // Priority "1" is still a string.
    assert_eq!(
        expected["SecurityGroups"][0]["Permissions"]["Permission"][1]["Priority"],
        json!("1")
    );
    assert_eq!(
        entries(&dir),
        ["state.json"],
        "a temporary file was left behind"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn save_without_changes_leaves_the_file_alone() {
    let dir = scratch(&["state_array.json"]);
    let file = dir.join("state_array.json");
    let before = std::fs::read(&file).unwrap();
    let out = run(
        &[
            "--save",
            "--state",
            file.to_str().unwrap(),
            "RegionId=cn-beijing&SecurityGroupId=sg-a&IpProtocol=all&PortRange=-1/-1&DestCidrIp=10.0.0.0/8&NicType=intranet&Policy=drop&Description=",
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read(&file).unwrap(), before);
    assert_eq!(entries(&dir), ["state_array.json"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_duplicate_key_state_exits_2_and_leaves_the_file_alone() {
    let dir = scratch(&["duplicate_key.json"]);
    let file = dir.join("duplicate_key.json");
    let before = std::fs::read(&file).unwrap();
    let request = "RegionId=cn-hangzhou&SecurityGroupId=sg-dup&IpProtocol=tcp&PortRange=80/80&DestCidrIp=10.0.0.0/8&Description=x";
    for stdin in [None, Some(request.as_bytes())] {
        let args: &[&str] = match stdin {
            None => &["--state", file.to_str().unwrap(), "--save", request],
            Some(_) => &["--state", file.to_str().unwrap(), "--save"],
        };
        let out = run(args, stdin);
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty());
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(
            stderr,
            format!(
                "egress: {}: group sg-dup, rule 2: same key as rule 0 (a request could not tell them apart)\n",
                file.display()
            )
        );
        assert_eq!(std::fs::read(&file).unwrap(), before);
        assert_eq!(entries(&dir), ["duplicate_key.json"]);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_non_json_state_exits_2_with_nothing_on_stdout() {
    let file = fixture("not_json.json");
    let out = run(&["--state", file.to_str().unwrap(), "RegionId=x"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("egress: ")
            && stderr.contains("not a valid JSON state: expected value at line 1 column 1"),
        "{stderr}"
    );
    let missing = run(
        &["--state", "/nonexistent/state.json"],
        Some(b"RegionId=x\n"),
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(missing.stdout.is_empty());
    assert!(
        String::from_utf8(missing.stderr)
            .unwrap()
            .starts_with("egress: cannot read /nonexistent/state.json: ")
    );
}

#[test]
fn usage_errors_exit_2() {
    for (args, message) in [
        (
            &["--bogus"][..],
            "egress: unknown option --bogus (see --help)\n",
        ),
        (
            &["--save", "RegionId=x"][..],
            "egress: --save needs --state FILE (see --help)\n",
        ),
        (
            &["--format", "yaml"][..],
            "egress: --format must be json or xml, not \"yaml\" (see --help)\n",
        ),
        (
            &["--state"][..],
            "egress: --state needs a value (see --help)\n",
        ),
        (
            &["--verbose=yes"][..],
            "egress: --verbose takes no value (see --help)\n",
        ),
    ] {
        let out = run(args, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
        assert_eq!(String::from_utf8(out.stderr).unwrap(), message);
    }
    let help = run(&["--help"], None);
    assert_eq!(help.status.code(), Some(0));
    assert!(
        String::from_utf8(help.stdout)
            .unwrap()
            .starts_with("usage: egress ")
    );
}

#[test]
fn a_request_after_double_dash_may_look_like_an_option() {
    let out = run(&["--format", "json", "--", "--save"], None);
    let body = lines(&out.stdout);
    assert_eq!(body.len(), 1);
    assert!(body[0].contains("\"Code\":\"MissingParameter\""));
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn stdin_lines_are_answered_as_the_same_requests_in_argv() {
    // Lines after a non-UTF-8 line in the same buffer, text with
    // multi-byte characters, `\r\n` endings: stdin passes UTF-8 lines to
    // the parser as text, argv as bytes; the answers must not differ.
    let requests: Vec<Vec<u8>> = vec![
        format!("{WEB}&IpProtocol=tcp&PortRange=443/443&DestCidrIp=0.0.0.0/0&Description=é1").into_bytes(),
        b"RegionId=cn-hangzhou&SecurityGroupId=\xff\xfe".to_vec(),
        format!("{WEB}&IpProtocol=tcp&PortRange=443/443&DestCidrIp=0.0.0.0/0&Description=%E2%82%AC").into_bytes(),
        format!("https://ecs.aliyuncs.com/?{WEB}&IpProtocol=tcp&PortRange=443/443&DestCidrIp=0.0.0.0/0&Description=ü&<公共请求参数>").into_bytes(),
        format!("{WEB}&IpProtocol=tcp&PortRange=443/443&DestCidrIp=0.0.0.0/0&Priority=é").into_bytes(),
        b"\xc3".to_vec(),
        format!("{WEB}&IpProtocol=tcp&PortRange=443/443&DestCidrIp=0.0.0.0/0&Description=Ω").into_bytes(),
    ];
    let state = fixture("state.json");
    let options = [
        "--state",
        state.to_str().unwrap(),
        "--format",
        "json",
        "--verbose",
    ];
    let mut input = Vec::new();
    for (i, request) in requests.iter().enumerate() {
        input.extend_from_slice(request);
        input.extend_from_slice(if i % 2 == 0 { b"\r\n" } else { b"\n" });
    }
    let by_stdin = run(&options, Some(&input));
    let by_argv = Command::new(binary())
        .args(options)
        .args(requests.iter().map(|r| std::ffi::OsStr::from_bytes(r)))
        .output()
        .unwrap();
    assert_eq!(lines(&by_stdin.stdout).len(), requests.len());
    assert_eq!(
        (lines(&by_stdin.stdout), lines(&by_stdin.stderr)),
        (lines(&by_argv.stdout), lines(&by_argv.stderr))
    );
    assert_eq!(by_stdin.status.code(), Some(1));
}

#[test]
fn a_long_mixed_stream_gets_one_answer_per_request() {
    let mut input = Vec::new();
    let mut expected = 0;
    for n in 0..3000u32 {
        let line: Vec<u8> = match n % 6 {
            0 => format!(
                "{WEB}&IpProtocol=tcp&PortRange=443/443&DestCidrIp=0.0.0.0/0&Description=d{n}"
            )
            .into_bytes(),
            1 => format!(
                "{WEB}&IpProtocol=tcp&PortRange={}/{}&DestCidrIp=0.0.0.0/0",
                n % 1000 + 1,
                n % 1000 + 1
            )
            .into_bytes(),
            2 => format!("{WEB}&IpProtocol=tcp&PortRange=80/70&DestCidrIp=0.0.0.0/0").into_bytes(),
            3 => (0..(n % 200))
                .map(|i| (i * 37 + n) as u8)
                .filter(|&b| b != b'\n')
                .collect(),
            4 => b"# skipped".to_vec(),
            _ => format!("{WEB}&IpProtocol=icmp&PortRange=-1/-1&Ipv6DestCidrIp=::/0").into_bytes(),
        };
        if !matches!(line.trim_ascii_start().first(), None | Some(b'#')) {
            expected += 1;
        }
        input.extend_from_slice(&line);
        input.push(b'\n');
    }
    // A line far over the 64 KiB query limit, and one over the 1 MiB cut.
    for size in [100_000, 1_200_000] {
        input.extend(std::iter::repeat_n(b'a', size));
        input.push(b'\n');
        expected += 1;
    }
    let out = run(&["--format", "json"], Some(&input));
    let body = lines(&out.stdout);
    assert_eq!(body.len(), expected);
    for (n, line) in body.iter().enumerate() {
        assert!(
            line.starts_with(&format!(r#"{{"RequestId":"{}""#, id(n as u64 + 1))),
            "{line}"
        );
    }
    assert!(body[expected - 1].contains(r#""Code":"InvalidParameter","Message":"The specified parameter \"QueryString\" is not valid."#));
    assert_eq!(out.status.code(), Some(1));
}

/// The `InvalidParameter` body naming the query string (a line over the
/// 64 KiB limit).
fn query_string_json(n: u64) -> String {
    error_json(
        n,
        "InvalidParameter",
        "The specified parameter \"QueryString\" is not valid.",
    )
}

#[test]
fn blank_lines_are_skipped_however_long_they_are() {
    const MIB: usize = 1024 * 1024;
    let answered = format!("{WEB}&IpProtocol=tcp&PortRange=443/443&DestCidrIp=0.0.0.0/0");
    let mut input = Vec::new();
    // Blank: over the 1 MiB cut, over the 64 KiB read buffer, with tabs
    // and a CRLF ending.
    input.extend(std::iter::repeat_n(b' ', MIB + 100));
    input.push(b'\n');
    input.extend(std::iter::repeat_n(b"\t ".as_slice(), MIB).flatten());
    input.extend_from_slice(b"\r\n");
    // A comment after more than 1 MiB of blanks.
    input.extend(std::iter::repeat_n(b' ', MIB + 7));
    input.extend_from_slice(b"# comment\n");
    input.extend_from_slice(format!("{answered}\n").as_bytes());
    // A request after more than 1 MiB of blanks: one answer, the limit's.
    input.extend(std::iter::repeat_n(b' ', MIB + 7));
    input.extend_from_slice(format!("{answered}\n").as_bytes());
    input.extend(std::iter::repeat_n(b' ', 70_000));
    input.push(b'\n');
    // The last line has no line break.
    input.extend_from_slice(answered.as_bytes());
    let out = run(
        &[
            "--state",
            fixture("state.json").to_str().unwrap(),
            "--format",
            "json",
        ],
        Some(&input),
    );
    assert_eq!(
        lines(&out.stdout),
        [ok_json(1), query_string_json(2), ok_json(3)]
    );
    assert_eq!(out.status.code(), Some(1));
    // A blank last line without a line break is skipped too.
    let out = run(&["--format", "json"], Some(&vec![b' '; MIB + 1]));
    assert!(out.stdout.is_empty());
    assert_eq!(out.status.code(), Some(0));
}

/// A parameter given twice, its name holding CR, LF, tab, ESC and U+0085.
const CONTROL_NAME: &str = "A%0Db%0A%09%1B%C2%85";

#[test]
fn bodies_escape_line_breaks_and_control_characters() {
    let twice = format!("{WEB}&{CONTROL_NAME}=1&{CONTROL_NAME}=2");
    let v6 = format!("{WEB}&IpProtocol=tcp&PortRange=1/1&Ipv6DestCidrIp=1.2.3.4%0A%09%1B");
    let state = fixture("state.json");
    let state = state.to_str().unwrap();
    let json = run(&["--state", state, "--format", "json", &twice, &v6], None);
    assert_eq!(
        String::from_utf8(json.stdout).unwrap(),
        format!(
            "{{\"RequestId\":\"{}\",\"HostId\":\"ecs.aliyuncs.com\",\"Code\":\"InvalidParameter\",\
             \"Message\":\"The specified parameter \\\"A\\rb\\n\\t\\u001b\u{85}\\\" is not valid.\"}}\n\
             {{\"RequestId\":\"{}\",\"HostId\":\"ecs.aliyuncs.com\",\"Code\":\"InvalidParam.Ipv6DestCidrIp\",\
             \"Message\":\"Ipv6DestCidrIp \\\"1.2.3.4\\n\\t\\u001b\\\" is not an IPv6 address or CIDR: not a valid address\"}}\n",
            id(1),
            id(2)
        )
    );
    let xml = run(&["--state", state, &twice, &v6], None);
    assert_eq!(
        String::from_utf8(xml.stdout).unwrap(),
        format!(
            "<Error><RequestId>{}</RequestId><HostId>ecs.aliyuncs.com</HostId><Code>InvalidParameter</Code>\
             <Message>The specified parameter &quot;A&#xD;b&#10;&#9;\u{fffd}\u{85}&quot; is not valid.</Message></Error>\n\
             <Error><RequestId>{}</RequestId><HostId>ecs.aliyuncs.com</HostId><Code>InvalidParam.Ipv6DestCidrIp</Code>\
             <Message>Ipv6DestCidrIp &quot;1.2.3.4&#10;&#9;\u{fffd}&quot; is not an IPv6 address or CIDR: not a valid address</Message></Error>\n",
            id(1),
            id(2)
        )
    );
}

#[test]
fn verbose_escapes_every_control_character_it_echoes() {
    let twice = format!("{WEB}&{CONTROL_NAME}=1&{CONTROL_NAME}=2");
    let v6 = format!("{WEB}&IpProtocol=tcp&PortRange=1/1&Ipv6DestCidrIp=1.2.3.4%0A%09%1B[31m%7F");
    let out = run(
        &[
            "--state",
            fixture("state.json").to_str().unwrap(),
            "-v",
            &twice,
            &v6,
        ],
        None,
    );
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "400 InvalidParameter The specified parameter \"A\\rb\\n\\t\\x1b\\u{85}\" is not valid. \
         [detail: parameter \"A\\rb\\n\\t\\x1b\\u{85}\" is given more than once]\n\
         400 InvalidParam.Ipv6DestCidrIp Ipv6DestCidrIp \"1.2.3.4\\n\\t\\x1b[31m\\x7f\" is not an \
         IPv6 address or CIDR: not a valid address\n"
    );
}

/// Runs the example with the size of files it writes limited to 512 bytes
/// (and the signal for crossing it ignored, so the write fails with
/// `EFBIG`): a save that cannot be written, even by root.
fn run_with_small_files(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 1 && exec \"$0\" \"$@\"")
        .arg(binary())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.unwrap_or_default().to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    output
}

#[test]
fn a_failed_save_prints_no_body() {
    let dir = scratch(&["state.json"]);
    let file = dir.join("state.json");
    let before = std::fs::read(&file).unwrap();
    let change = format!(
        "{WEB}&IpProtocol=tcp&PortRange=443/443&DestCidrIp=0.0.0.0/0&Description=web%20out"
    );
    let file_arg = file.to_str().unwrap();
    for stdin in [None, Some(format!("{change}\nRegionId=x\n"))] {
        let args: &[&str] = match stdin {
            None => &["--state", file_arg, "--save", "-v", &change, "RegionId=x"],
            Some(_) => &["--state", file_arg, "--save", "-v"],
        };
        let out = run_with_small_files(args, stdin.as_deref().map(str::as_bytes));
        assert_eq!(
            String::from_utf8(out.stderr).unwrap(),
            format!(
                "egress: cannot save {}: File too large (os error 27) (the file is unchanged)\n",
                file.display()
            )
        );
        assert!(out.stdout.is_empty());
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(std::fs::read(&file).unwrap(), before);
        assert_eq!(entries(&dir), ["state.json"]);
    }
    // The same run, files unlimited: the bodies and verbose lines, after
    // the save.
    let out = run(
        &[
            "--state",
            file_arg,
            "--save",
            "-v",
            "--format",
            "json",
            &change,
            "RegionId=x",
        ],
        None,
    );
    assert_eq!(
        lines(&out.stdout),
        [
            ok_json(1),
            error_json(
                2,
                "MissingParameter",
                "The input parameter \"SecurityGroupId\" that is mandatory for processing this request is not supplied."
            )
        ]
    );
    assert_eq!(
        lines(&out.stderr),
        [
            "200 OK sg-web rule 1: description set",
            "400 MissingParameter The input parameter \"SecurityGroupId\" that is mandatory for processing this request is not supplied. [detail: SecurityGroupId is required]"
        ]
    );
    assert_eq!(out.status.code(), Some(1));
    let saved = String::from_utf8(std::fs::read(&file).unwrap()).unwrap();
    assert_ne!(saved.as_bytes(), before);
    assert!(saved.contains("\"Description\": \"web out\""));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn stale_temporary_files_are_never_read_and_the_next_save_removes_them() {
    let dir = scratch(&["state.json"]);
    let file = dir.join("state.json");
    let before = std::fs::read(&file).unwrap();
    // What killed saves leave: a partial file, and a whole one with other
    // descriptions. Names that only look alike are not ours.
    let stale = [
        ".state.json.egress-4000000-0.tmp",
        ".state.json.egress-12-3.tmp",
    ];
    std::fs::write(dir.join(stale[0]), &before[..100]).unwrap();
    let other = String::from_utf8(before.clone())
        .unwrap()
        .replace("\"Priority\": \"1\"", "\"Priority\": \"2\"");
    assert_ne!(other.as_bytes(), before);
    std::fs::write(dir.join(stale[1]), &other).unwrap();
    let kept = [
        ".state.json.egress-x-0.tmp",
        ".state.json.egress-1-0.tmp.bak",
        ".other.json.egress-1-0.tmp",
        "state.json.egress-1-0.tmp",
    ];
    for name in kept {
        std::fs::write(dir.join(name), "x").unwrap();
    }
    std::fs::create_dir(dir.join(".state.json.egress-5-5.tmp")).unwrap();
    let mut all: Vec<String> = ["state.json", ".state.json.egress-5-5.tmp"]
        .iter()
        .chain(&stale)
        .chain(&kept)
        .map(|s| s.to_string())
        .collect();
    all.sort();
    assert_eq!(entries(&dir), all);

    let file_arg = file.to_str().unwrap();
    let priority_2 = format!(
        "{WEB}&IpProtocol=tcp&PortRange=443/443&DestCidrIp=0.0.0.0/0&Priority=2&Description=x"
    );
    // Read from FILE, not from a temporary file; no change: nothing
    // written (not even the same bytes), nothing removed.
    let modified = std::fs::metadata(&file).unwrap().modified().unwrap();
    std::thread::sleep(Duration::from_millis(20));
    let out = run(
        &[
            "--state",
            file_arg,
            "--save",
            "--format",
            "json",
            &priority_2,
        ],
        None,
    );
    assert_eq!(
        lines(&out.stdout),
        [error_json(1, "SecurityGroupRule.NotFound", NOT_FOUND)]
    );
    assert_eq!(std::fs::read(&file).unwrap(), before);
    assert_eq!(
        std::fs::metadata(&file).unwrap().modified().unwrap(),
        modified
    );
    assert_eq!(entries(&dir), all);

    let change = format!(
        "{WEB}&IpProtocol=tcp&PortRange=443/443&DestCidrIp=0.0.0.0/0&Description=web%20out"
    );
    let out = run(
        &["--state", file_arg, "--save", "--format", "json", &change],
        None,
    );
    assert_eq!(lines(&out.stdout), [ok_json(1)]);
    assert_eq!(out.status.code(), Some(0));
    let mut left: Vec<String> = ["state.json", ".state.json.egress-5-5.tmp"]
        .iter()
        .chain(&kept)
        .map(|s| s.to_string())
        .collect();
    left.sort();
    assert_eq!(entries(&dir), left);
    let saved = String::from_utf8(std::fs::read(&file).unwrap()).unwrap();
    assert!(saved.contains("\"Description\": \"web out\""));
    assert!(saved.contains("\"Priority\": \"1\""));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn rule_quota_and_now_are_checked() {
    for (args, message) in [
        (
            &["--rule-quota", "x"][..],
            "--rule-quota must be a whole number of rules, not \"x\"",
        ),
        (
            &["--rule-quota=-1"][..],
            "--rule-quota must be a whole number of rules, not \"-1\"",
        ),
        (
            &["--rule-quota", "+5"][..],
            "--rule-quota must be a whole number of rules, not \"+5\"",
        ),
        (
            &["--rule-quota", " 5"][..],
            "--rule-quota must be a whole number of rules, not \" 5\"",
        ),
        (
            &["--rule-quota="][..],
            "--rule-quota must be a whole number of rules, not \"\"",
        ),
        (
            &["--rule-quota", "99999999999999999999999"][..],
            "--rule-quota must be a whole number of rules, not \"99999999999999999999999\"",
        ),
        (&["--rule-quota"][..], "--rule-quota needs a value"),
        (&["--now"][..], "--now needs a value"),
        (
            &["--now", "2024-02-30T00:00:00Z"][..],
            "--now must be a UTC time as YYYY-MM-DDThh:mm:ssZ, not \"2024-02-30T00:00:00Z\"",
        ),
        (
            &["--now", "2023-02-29T00:00:00Z"][..],
            "--now must be a UTC time as YYYY-MM-DDThh:mm:ssZ, not \"2023-02-29T00:00:00Z\"",
        ),
        (
            &["--now=2024-01-01T24:00:00Z"][..],
            "--now must be a UTC time as YYYY-MM-DDThh:mm:ssZ, not \"2024-01-01T24:00:00Z\"",
        ),
        (
            &["--now", "2024-01-01T00:00:60Z"][..],
            "--now must be a UTC time as YYYY-MM-DDThh:mm:ssZ, not \"2024-01-01T00:00:60Z\"",
        ),
        (
            &["--now", "2024-01-01 00:00:00Z"][..],
            "--now must be a UTC time as YYYY-MM-DDThh:mm:ssZ, not \"2024-01-01 00:00:00Z\"",
        ),
        (
            &["--now", "2024-01-01T00:00:00+08:00"][..],
            "--now must be a UTC time as YYYY-MM-DDThh:mm:ssZ, not \"2024-01-01T00:00:00+08:00\"",
        ),
        (
            &["--now", "2024-1-01T00:00:00Z"][..],
            "--now must be a UTC time as YYYY-MM-DDThh:mm:ssZ, not \"2024-1-01T00:00:00Z\"",
        ),
        (
            &["--now", "2024-01-01T00:00:00Z\n"][..],
            "--now must be a UTC time as YYYY-MM-DDThh:mm:ssZ, not \"2024-01-01T00:00:00Z\\n\"",
        ),
    ] {
        let out = run(args, Some(b"RegionId=x\n"));
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
        assert_eq!(
            String::from_utf8(out.stderr).unwrap(),
            format!("egress: {message} (see --help)\n")
        );
    }
    // Good values change no answer of a Modify.
    for args in [
        &["--rule-quota", "0", "--now", "2024-02-29T23:59:59Z"][..],
        &["--rule-quota=200", "--now=2000-02-29T00:00:00Z"][..],
        &["--rule-quota", "18446744073709551615"][..],
    ] {
        let mut all = args.to_vec();
        all.extend(["--format", "json", "RegionId=x"]);
        let out = run(&all, None);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(
            lines(&out.stdout),
            [error_json(
                1,
                "MissingParameter",
                "The input parameter \"SecurityGroupId\" that is mandatory for processing this request is not supplied."
            )]
        );
    }
}

// ---- The lifecycle actions (SPEC §9, §12) ----

const DB: &str = "RegionId=cn-hangzhou&SecurityGroupId=sg-1651FBB64";
const NOW: &str = "2026-12-02T08:00:00Z";

fn ok_xml(action: &str, n: u64) -> String {
    format!(
        "<{action}Response><RequestId>{}</RequestId></{action}Response>",
        id(n)
    )
}

fn error_xml(n: u64, code: &str, message: &str) -> String {
    format!(
        "<Error><RequestId>{}</RequestId><HostId>ecs.aliyuncs.com</HostId><Code>{code}</Code><Message>{message}</Message></Error>",
        id(n)
    )
}

const DB_DESCRIBE_JSON: &str = r#"{"RequestId":"EC5E0000-0000-0000-0000-000000000008","RegionId":"cn-hangzhou","SecurityGroupId":"sg-1651FBB64","SecurityGroupName":"db","VpcId":"vpc-bp1opxu1zkhn00gzv","Permissions":{"Permission":[{"Direction":"egress","IpProtocol":"TCP","PortRange":"3306/3306","DestGroupId":"sg-F876FF7BA","NicType":"intranet","Policy":"Accept","Priority":1,"Description":"replies to the web tier","SecurityGroupRuleId":"sgr-bp1egress00011"},{"Direction":"egress","IpProtocol":"TCP","PortRange":"1/65535","DestCidrIp":"192.168.0.0/16","NicType":"intranet","Policy":"Drop","Priority":2,"Description":"","SecurityGroupRuleId":"sgr-bp1egress00012"},{"Direction":"egress","IpProtocol":"TCP","PortRange":"6379/6379","DestGroupId":"","NicType":"intranet","Policy":"Accept","Priority":3,"Description":"cache","SecurityGroupRuleId":"sgr-ec5e0000000000010001","DestCidrIp":"10.0.0.0/8","CreateTime":"2026-12-02T08:00:00Z"},{"Direction":"egress","IpProtocol":"TCP","PortRange":"22/22","DestGroupId":"","NicType":"intranet","Policy":"Accept","Priority":7,"Description":"","SecurityGroupRuleId":"sgr-ec5e0000000000020001","DestCidrIp":"10.0.0.0/8","CreateTime":"2026-12-02T08:00:00Z"}]},"NextToken":""}"#;
const DB_DESCRIBE_XML: &str = r#"<DescribeSecurityGroupAttributeResponse><RequestId>EC5E0000-0000-0000-0000-000000000009</RequestId><RegionId>cn-hangzhou</RegionId><SecurityGroupId>sg-1651FBB64</SecurityGroupId><SecurityGroupName>db</SecurityGroupName><VpcId>vpc-bp1opxu1zkhn00gzv</VpcId><Permissions><Permission><Direction>egress</Direction><IpProtocol>TCP</IpProtocol><PortRange>3306/3306</PortRange><DestGroupId>sg-F876FF7BA</DestGroupId><NicType>intranet</NicType><Policy>Accept</Policy><Priority>1</Priority><Description>replies to the web tier</Description><SecurityGroupRuleId>sgr-bp1egress00011</SecurityGroupRuleId></Permission><Permission><Direction>egress</Direction><IpProtocol>TCP</IpProtocol><PortRange>1/65535</PortRange><DestCidrIp>192.168.0.0/16</DestCidrIp><NicType>intranet</NicType><Policy>Drop</Policy><Priority>2</Priority><Description></Description><SecurityGroupRuleId>sgr-bp1egress00012</SecurityGroupRuleId></Permission><Permission><Direction>egress</Direction><IpProtocol>TCP</IpProtocol><PortRange>6379/6379</PortRange><DestGroupId></DestGroupId><NicType>intranet</NicType><Policy>Accept</Policy><Priority>3</Priority><Description>cache</Description><SecurityGroupRuleId>sgr-ec5e0000000000010001</SecurityGroupRuleId><DestCidrIp>10.0.0.0/8</DestCidrIp><CreateTime>2026-12-02T08:00:00Z</CreateTime></Permission><Permission><Direction>egress</Direction><IpProtocol>TCP</IpProtocol><PortRange>22/22</PortRange><DestGroupId></DestGroupId><NicType>intranet</NicType><Policy>Accept</Policy><Priority>7</Priority><Description></Description><SecurityGroupRuleId>sgr-ec5e0000000000020001</SecurityGroupRuleId><DestCidrIp>10.0.0.0/8</DestCidrIp><CreateTime>2026-12-02T08:00:00Z</CreateTime></Permission></Permissions><NextToken></NextToken></DescribeSecurityGroupAttributeResponse>"#;

#[test]
fn a_lifecycle_session_runs_every_action_on_one_evolving_state() {
    let session = format!(
        "# authorize (flat, with a token), then two more as Permissions.N, in JSON\n\
         Action=AuthorizeSecurityGroupEgress&{DB}&IpProtocol=tcp&PortRange=6379/6379&DestCidrIp=10.0.0.0/8&Description=redis&ClientToken=tok-1\n\
         Action=AuthorizeSecurityGroupEgress&{DB}&Format=json\
         &Permissions.2.IpProtocol=udp&Permissions.2.PortRange=53/53&Permissions.2.DestCidrIp=10.0.0.2\
         &Permissions.1.IpProtocol=tcp&Permissions.1.PortRange=22/22&Permissions.1.DestCidrIp=10.0.0.0/8&Permissions.1.Priority=7\n\
         # the same token: the same request succeeds again, another one is refused\n\
         Action=AuthorizeSecurityGroupEgress&{DB}&IpProtocol=tcp&PortRange=6379/6379&DestCidrIp=10.0.0.0/8&Description=redis&ClientToken=tok-1\n\
         Action=AuthorizeSecurityGroupEgress&{DB}&IpProtocol=tcp&PortRange=6380/6380&DestCidrIp=10.0.0.0/8&Description=redis&ClientToken=tok-1\n\
         # the rule line 1 added, by the id the CLI gave it\n\
         Action=ModifySecurityGroupEgressRule&{DB}&SecurityGroupRuleId=sgr-ec5e0000000000010001&Priority=3&Description=cache\n\
         Action=RevokeSecurityGroupEgress&{DB}&SecurityGroupRuleId.1=sgr-ec5e0000000000020002\n\
         Action=RevokeSecurityGroupEgress&{DB}&SecurityGroupRuleId.1=sgr-ec5e0000000000020002\n\
         Action=DescribeSecurityGroupAttribute&{DB}&Direction=egress&Format=JSON\n\
         Action=DescribeSecurityGroupAttribute&{DB}&Direction=egress\n"
    );
    let out = run(
        &["-v", "--format", "xml", "--now", NOW],
        Some(session.as_bytes()),
    );
    let not_found = "The specified SecurityGroupRuleId is not exists.";
    assert_eq!(
        lines(&out.stdout),
        [
            ok_xml("AuthorizeSecurityGroupEgress", 1),
            ok_json(2),
            ok_xml("AuthorizeSecurityGroupEgress", 3),
            error_xml(
                4,
                "IdempotentParameterMismatch",
                "The request is retried with updated parameters."
            ),
            ok_xml("ModifySecurityGroupEgressRule", 5),
            ok_xml("RevokeSecurityGroupEgress", 6),
            error_xml(7, "InvalidSecurityGroupRuleId.NotFound", not_found),
            // Rules as the state holds them (SPEC §12.6): the demo's with
            // their own fields, the added ones with the group's first
            // egress rule's fields in its order, then those it lacks.
            DB_DESCRIBE_JSON.to_owned(),
            DB_DESCRIBE_XML.to_owned(),
        ]
    );
    assert_eq!(
        lines(&out.stderr),
        [
            "200 OK sg-1651FBB64: added rule 2 (sgr-ec5e0000000000010001)",
            "200 OK sg-1651FBB64: added rule 3 (sgr-ec5e0000000000020001), rule 4 (sgr-ec5e0000000000020002)",
            "200 OK sg-1651FBB64: ClientToken repeated, nothing done",
            "400 IdempotentParameterMismatch The request is retried with updated parameters.",
            "200 OK sg-1651FBB64 rule 2 (sgr-ec5e0000000000010001): changed",
            "200 OK sg-1651FBB64: removed 1 rule (sgr-ec5e0000000000020002)",
            &format!(
                "404 InvalidSecurityGroupRuleId.NotFound {not_found} [detail: SecurityGroupRuleId.1 \"sgr-ec5e00000000…\" is no egress rule of the group]"
            ),
            "200 OK sg-1651FBB64: 4 rules shown, the last page",
            "200 OK sg-1651FBB64: 4 rules shown, the last page",
        ]
    );
    assert_eq!(out.status.code(), Some(1));

    // The same state and requests give the same bodies, ids included.
    let again = run(
        &["-v", "--format", "xml", "--now", NOW],
        Some(session.as_bytes()),
    );
    assert_eq!(again.stdout, out.stdout);
}

#[test]
fn the_rule_quota_limits_only_adding() {
    let batch = "RegionId=cn-hangzhou&SecurityGroupId=sg-bp67acfmxazb4ph2";
    let gre = "IpProtocol=gre&PortRange=-1/-1&DestCidrIp=172.16.0.0/12";
    let http = "IpProtocol=tcp&PortRange=80/80&DestCidrIp=10.0.0.0/8";
    let out = run(
        &[
            "--rule-quota",
            "1",
            "--format",
            "json",
            "-v",
            &format!("Action=AuthorizeSecurityGroupEgress&{batch}&{http}"),
            // Already granted: adds nothing, so the full group takes it.
            &format!("Action=AuthorizeSecurityGroupEgress&{batch}&{gre}&Priority=9"),
            &format!("Action=RevokeSecurityGroupEgress&{batch}&{gre}"),
            &format!("Action=AuthorizeSecurityGroupEgress&{batch}&{http}"),
            &format!("Action=AuthorizeSecurityGroupEgress&{batch}&{gre}"),
        ],
        None,
    );
    let full = "The limit of authorization records in the security group reaches.";
    assert_eq!(
        lines(&out.stdout),
        [
            error_json(1, "AuthorizationLimitExceed", full),
            ok_json(2),
            ok_json(3),
            ok_json(4),
            error_json(5, "AuthorizationLimitExceed", full),
        ]
    );
    let stderr = lines(&out.stderr);
    assert_eq!(
        stderr[1..4],
        [
            "200 OK sg-bp67acfmxazb4ph2: nothing added, every permission already granted",
            "200 OK sg-bp67acfmxazb4ph2: removed 1 rule",
            "200 OK sg-bp67acfmxazb4ph2: added rule 0 (sgr-ec5e0000000000040001)",
        ]
    );
    assert!(stderr[0].starts_with(&format!("403 AuthorizationLimitExceed {full}")));
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn the_format_parameter_wins_over_the_format_option() {
    let missing = "The input parameter \"SecurityGroupId\" that is mandatory for processing this request is not supplied.";
    let out = run(
        &[
            "--format",
            "xml",
            "RegionId=cn-hangzhou&Format=json",
            "RegionId=cn-hangzhou&Format=JsOn",
            // Names are percent-decoded, as the library decodes them.
            "RegionId=cn-hangzhou&Form%61t=json",
            "HTTPS://ECS.aliyuncs.com/?Format=json&RegionId=cn-hangzhou",
            // An unknown value, or another name's case, is ignored.
            "RegionId=cn-hangzhou&Format=yaml",
            "RegionId=cn-hangzhou&format=json",
        ],
        None,
    );
    assert_eq!(
        lines(&out.stdout),
        [
            error_json(1, "MissingParameter", missing),
            error_json(2, "MissingParameter", missing),
            error_json(3, "MissingParameter", missing),
            error_json(4, "MissingParameter", missing),
            error_xml(5, "MissingParameter", &missing.replace('"', "&quot;")),
            error_xml(6, "MissingParameter", &missing.replace('"', "&quot;")),
        ]
    );
    let out = run(
        &[
            "--format",
            "json",
            "Action=RevokeSecurityGroupEgress&RegionId=cn-shanghai&SecurityGroupId=sg-uf6shanghai01&IpProtocol=all&PortRange=-1/-1&DestCidrIp=0.0.0.0/0&Format=XML",
        ],
        None,
    );
    assert_eq!(lines(&out.stdout), [ok_xml("RevokeSecurityGroupEgress", 1)]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn verbose_describe_names_the_next_page() {
    let web = "RegionId=cn-hangzhou&SecurityGroupId=sg-F876FF7BA";
    let out = run(
        &[
            "-v",
            "--format",
            "json",
            &format!(
                "Action=AuthorizeSecurityGroupEgress&{web}\
                 &Permissions.1.IpProtocol=tcp&Permissions.1.PortRange=1/1&Permissions.1.DestCidrIp=10.0.0.1\
                 &Permissions.2.IpProtocol=tcp&Permissions.2.PortRange=2/2&Permissions.2.DestCidrIp=10.0.0.1\
                 &Permissions.3.IpProtocol=tcp&Permissions.3.PortRange=3/3&Permissions.3.DestCidrIp=10.0.0.1"
            ),
            &format!("Action=DescribeSecurityGroupAttribute&{web}&MaxResults=10"),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let page: Value = serde_json::from_slice(&lines(&out.stdout)[1].clone().into_bytes()).unwrap();
    let token = page["NextToken"].as_str().unwrap();
    assert_eq!(
        page["Permissions"]["Permission"].as_array().unwrap().len(),
        10
    );
    assert_eq!(
        lines(&out.stderr),
        [
            "200 OK sg-F876FF7BA: added rule 9 (sgr-ec5e0000000000010001), rule 10 (sgr-ec5e0000000000010002), rule 11 (sgr-ec5e0000000000010003)".to_owned(),
            format!("200 OK sg-F876FF7BA: 10 rules shown, NextToken {token}"),
        ]
    );
}

/// The demo state's text, and the text it has once Authorize added a
/// rule to the web group (after its last rule, every field the group's
/// first egress rule has, in its order; CreateTime from `--now`).
fn demo_with_rule(id: &str, port: u16, description: &str) -> (String, String) {
    let demo = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo_state.json"),
    )
    .unwrap();
    let anchor = "\"CreateTime\": \"2024-03-01T08:00:08Z\"\n          }";
    assert_eq!(demo.matches(anchor).count(), 1);
    let added = format!(
        r#"{anchor},
          {{
            "Direction": "egress",
            "IpProtocol": "TCP",
            "PortRange": "{port}/{port}",
            "SourcePortRange": "",
            "DestCidrIp": "10.0.0.0/8",
            "Ipv6DestCidrIp": "",
            "DestGroupId": "",
            "DestGroupOwnerAccount": "",
            "DestGroupName": "",
            "DestPrefixListId": "",
            "SourceCidrIp": "",
            "Ipv6SourceCidrIp": "",
            "NicType": "intranet",
            "Policy": "Accept",
            "Priority": 1,
            "Description": "{description}",
            "SecurityGroupRuleId": "{id}",
            "CreateTime": "{NOW}"
          }}"#
    );
    let saved = demo.replacen(anchor, &added, 1);
    (demo, saved)
}

#[test]
fn save_writes_an_authorized_rule_with_every_dump_field_and_revoke_removes_it() {
    let dir = scratch(&[]);
    let file = dir.join("state.json");
    let (demo, with_rule) = demo_with_rule("sgr-ec5e0000000000010001", 8443, "admin");
    std::fs::write(&file, &demo).unwrap();
    let web = "RegionId=cn-hangzhou&SecurityGroupId=sg-F876FF7BA";
    let state = file.to_str().unwrap();
    let authorize = format!(
        "Action=AuthorizeSecurityGroupEgress&{web}&IpProtocol=tcp&PortRange=8443/8443&DestCidrIp=10.0.0.0/8&Description=admin"
    );
    let out = run(
        &["--state", state, "--save", "--now", NOW, "-v", &authorize],
        None,
    );
    assert_eq!(
        lines(&out.stdout),
        [ok_xml("AuthorizeSecurityGroupEgress", 1)]
    );
    assert_eq!(
        lines(&out.stderr),
        ["200 OK sg-F876FF7BA: added rule 9 (sgr-ec5e0000000000010001)"]
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), with_rule);
    assert_eq!(entries(&dir), ["state.json"]);

    // A second run numbers its requests from 1 again: the id the first
    // one gave is in the state now, so the next is drawn.
    let out = run(
        &[
            "--state",
            state,
            "--now",
            NOW,
            "-v",
            &authorize.replace("8443", "8444"),
        ],
        None,
    );
    assert_eq!(
        lines(&out.stderr),
        ["200 OK sg-F876FF7BA: added rule 10 (sgr-ec5e0000000000010002)"]
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), with_rule);

    let out = run(
        &[
            "--state",
            state,
            "--save",
            &format!(
                "Action=RevokeSecurityGroupEgress&{web}&SecurityGroupRuleId.1=sgr-ec5e0000000000010001"
            ),
        ],
        None,
    );
    assert_eq!(lines(&out.stdout), [ok_xml("RevokeSecurityGroupEgress", 1)]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), demo);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn prefix_lists_are_those_the_state_lists() {
    let dir = scratch(&[]);
    let file = dir.join("state.json");
    std::fs::write(
        &file,
        r#"{"SecurityGroups": [{"SecurityGroupId": "sg-1", "RegionId": "cn-hangzhou", "VpcId": "vpc-1",
            "Permissions": {"Permission": []}}], "PrefixLists": ["pl-known"]}"#,
    )
    .unwrap();
    let group = "RegionId=cn-hangzhou&SecurityGroupId=sg-1&IpProtocol=tcp&PortRange=443/443";
    let out = run(
        &[
            "--state",
            file.to_str().unwrap(),
            "--format",
            "json",
            "--now",
            NOW,
            &format!("Action=AuthorizeSecurityGroupEgress&{group}&DestPrefixListId=pl-unknown"),
            &format!("Action=AuthorizeSecurityGroupEgress&{group}&DestPrefixListId=pl-known"),
            &format!("{group}&DestPrefixListId=pl-unknown&Description=x"),
            &format!("{group}&DestPrefixListId=pl-known&Description=x"),
            "Action=RevokeSecurityGroupEgress&RegionId=cn-hangzhou&SecurityGroupId=sg-1\
             &Permissions.1.IpProtocol=tcp&Permissions.1.PortRange=443/443&Permissions.1.DestPrefixListId=pl-unknown",
            &format!("Action=RevokeSecurityGroupEgress&{group}&DestPrefixListId=pl-known"),
        ],
        None,
    );
    let unknown = "The specified prefix list was not found.";
    assert_eq!(
        lines(&out.stdout),
        [
            error_json(1, "InvalidPrefixListId.NotFound", unknown),
            ok_json(2),
            error_json(3, "InvalidPrefixListId.NotFound", unknown),
            ok_json(4),
            error_json(5, "InvalidPrefixListId.NotFound", unknown),
            ok_json(6),
        ]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
