//! The log on stderr, through a buffer: a request's line is one
//! `write_all` into a 64 KiB buffer that a task flushes every 100 ms (and
//! at exit), instead of a system call per request. Every other event
//! (start-up, warnings, errors) is flushed at once. A `kill -9` can lose
//! the last 100 ms of request lines, never a save.

use std::io::{self, BufWriter, Stderr, Write};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tracing_subscriber::fmt::MakeWriter;

/// The target of per-request lines.
pub const REQUEST: &str = "request";

#[derive(Clone)]
pub struct Log {
    buffer: Arc<Mutex<BufWriter<Stderr>>>,
}

impl Log {
    pub fn new() -> Log {
        Log {
            buffer: Arc::new(Mutex::new(BufWriter::with_capacity(
                64 * 1024,
                io::stderr(),
            ))),
        }
    }

    fn lock(&self) -> MutexGuard<'_, BufWriter<Stderr>> {
        self.buffer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn flush(&self) {
        let _ = self.lock().flush();
    }
}

pub struct Guard<'a> {
    buffer: MutexGuard<'a, BufWriter<Stderr>>,
    flush: bool,
}

impl Write for Guard<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buffer.write(bytes)
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.buffer.write_all(bytes)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.buffer.flush()
    }
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        if self.flush {
            let _ = self.buffer.flush();
        }
    }
}

impl<'a> MakeWriter<'a> for Log {
    type Writer = Guard<'a>;

    fn make_writer(&'a self) -> Guard<'a> {
        Guard {
            buffer: self.lock(),
            flush: true,
        }
    }

    fn make_writer_for(&'a self, meta: &tracing::Metadata<'_>) -> Guard<'a> {
        Guard {
            buffer: self.lock(),
            flush: meta.target() != REQUEST,
        }
    }
}
