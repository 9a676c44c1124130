//! Concurrent clients on one group (SPEC §13): no lost update. N clients
//! each make M description changes over R rules of one group; afterwards
//! each rule holds a change that no acknowledged change was sent after.
//! Read from the saved file (with `--save`) after SIGTERM.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{Server, modify_query};

const CLIENTS: usize = 8;
const CHANGES: usize = 40;
const RULES: usize = 3;

/// Keep-alive client: sends a GET, reads one response (content-length).
struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Client {
    fn connect(server: &Server) -> Client {
        let stream = TcpStream::connect(server.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        Client {
            writer: stream.try_clone().unwrap(),
            reader: BufReader::new(stream),
        }
    }

    fn get(&mut self, query: &str) -> (u16, String) {
        write!(self.writer, "GET /?{query} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        let status = line.split(' ').nth(1).unwrap().parse().unwrap();
        let mut length = 0;
        loop {
            line.clear();
            self.reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some((n, v)) = line.split_once(':')
                && n.eq_ignore_ascii_case("content-length")
            {
                length = v.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).unwrap();
        (status, String::from_utf8(body).unwrap())
    }
}

pub fn descriptions(text: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    v["Permissions"]["Permission"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["Description"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn no_lost_update_on_one_group() {
    let mut server = Server::with_state(RULES, &["--save"]);
    let origin = Instant::now();
    // (rule, text) -> (sent, acknowledged) in µs since origin.
    let log: Vec<(usize, String, u128, u128)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..CLIENTS)
            .map(|c| {
                let server = &server;
                scope.spawn(move || {
                    let mut client = Client::connect(server);
                    let mut log = Vec::new();
                    for i in 0..CHANGES {
                        let rule = (c + i) % RULES;
                        let text = format!("c{c}-{i}");
                        let sent = origin.elapsed().as_micros();
                        let (status, body) = client.get(&modify_query(rule, &text));
                        let acked = origin.elapsed().as_micros();
                        assert_eq!(status, 200, "{body}");
                        log.push((rule, text, sent, acked));
                    }
                    log
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(server.terminate().success());
    let finals = descriptions(&std::fs::read_to_string(server.state_path()).unwrap());
    let by_text: HashMap<&str, &(usize, String, u128, u128)> =
        log.iter().map(|e| (e.1.as_str(), e)).collect();
    for (rule, text) in finals.iter().enumerate() {
        let (r, _, _, acked) = by_text
            .get(text.as_str())
            .unwrap_or_else(|| panic!("rule {rule}: {text:?} was never sent"));
        assert_eq!(*r, rule);
        // No change to this rule was sent after this one was acknowledged.
        let later = log
            .iter()
            .filter(|(r2, _, sent, _)| *r2 == rule && sent > acked)
            .count();
        assert_eq!(
            later, 0,
            "rule {rule}: {text} was overwritten by a later acknowledged change"
        );
    }
}
