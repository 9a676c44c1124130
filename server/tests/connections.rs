//! At most 1,024 open connections (SPEC §13): more wait in the accept
//! queue and are served once others close.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{Server, modify_query};

#[test]
fn the_1025th_connection_waits_for_a_free_slot() {
    let server = Server::with_state(2, &[]);
    let mut idle: Vec<TcpStream> = (0..1024)
        .map(|_| TcpStream::connect(server.addr).unwrap())
        .collect();
    // Let the server accept them all.
    std::thread::sleep(Duration::from_millis(500));
    let mut waiting = TcpStream::connect(server.addr).unwrap();
    write!(
        waiting,
        "GET /?{} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        modify_query(0, "x")
    )
    .unwrap();
    waiting
        .set_read_timeout(Some(Duration::from_millis(700)))
        .unwrap();
    let mut buf = [0u8; 16];
    assert!(waiting.read(&mut buf).is_err(), "answered beyond the cap");
    idle.truncate(1000);
    waiting
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut answer = Vec::new();
    waiting.read_to_end(&mut answer).unwrap();
    assert!(
        answer.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    drop(idle);
    assert!(server.alive());
}
