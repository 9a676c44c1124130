//! Slow clients (SPEC §13): no progress for 10 s closes the connection,
//! none is cut before 5 s, and the server serves others meanwhile. The
//! cases run side by side, so the file takes about 10 s.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{Server, modify_query};

/// Sends `first`, stalls, and returns how long until the server closed.
fn closed_after(server: &Server, first: &[u8]) -> Duration {
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream.write_all(first).unwrap();
    let start = Instant::now();
    let mut buf = Vec::new();
    let _ = stream.read_to_end(&mut buf);
    start.elapsed()
}

#[test]
fn stalled_clients_are_cut_between_5_and_12_seconds() {
    let server = Server::with_state(2, &[]);
    let q = modify_query(0, "x");
    let cases: Vec<Vec<u8>> = vec![
        // Nothing at all (an idle connection).
        Vec::new(),
        // Half a request line.
        b"GET /?Action=Modify".to_vec(),
        // The headers, unfinished.
        format!("GET /?{q} HTTP/1.1\r\nHost: x\r\n").into_bytes(),
        // A body that stops after 10 of 100 bytes.
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nRegionId=c".to_vec(),
    ];
    let elapsed: Vec<Duration> = std::thread::scope(|scope| {
        let handles: Vec<_> = cases
            .iter()
            .map(|case| scope.spawn(|| closed_after(&server, case)))
            .collect();
        // Meanwhile the server answers others.
        std::thread::sleep(Duration::from_secs(1));
        assert_eq!(server.get(&q).status, 200);
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (case, took) in cases.iter().zip(&elapsed) {
        assert!(
            (Duration::from_secs(5)..Duration::from_secs(12)).contains(took),
            "{:?}: closed after {took:?}",
            String::from_utf8_lossy(case)
        );
    }
    assert!(server.alive());
}
