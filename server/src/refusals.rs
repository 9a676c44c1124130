//! hyper answers some request heads itself, before the service sees them:
//! a request target over 65,534 bytes with 414, and a head still incomplete
//! when its read buffer holds 96 KiB, or with over 100 headers, with 431;
//! then it closes the connection. Neither is an API answer: a query over
//! 64 KiB must get the §2 `QueryString` error or a close, headers over
//! 16 KiB 431 or a close (SPEC §13). Nothing of a refused head (`Accept`,
//! the query) can shape an API answer, so such a connection closes without
//! a byte instead.
//!
//! hyper writes its answer after whatever it still has to send and then
//! closes, so the wrapped stream writes what comes before that status line
//! and drops the rest. A body never holds a raw CR (the library escapes
//! every control character), so these status lines can only be heads. The
//! server's own 431 (headers over 16 KiB) is byte for byte hyper's: the
//! wrapped service marks it, and it goes out.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use hyper::service::Service;
use hyper::{Response, StatusCode};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// hyper's own answers' status lines.
const URI_TOO_LONG: &[u8] = b"HTTP/1.1 414 URI Too Long\r\n";
const HEAD_TOO_LARGE: &[u8] = b"HTTP/1.1 431 Request Header Fields Too Large\r\n";

/// Wraps one connection's stream and service.
pub fn guard<S>(stream: TcpStream, service: S) -> (Stream, Marked<S>) {
    let own_431 = Arc::new(AtomicBool::new(false));
    let stream = Stream {
        inner: stream,
        own_431: own_431.clone(),
        dropping: false,
    };
    (
        stream,
        Marked {
            inner: service,
            own_431,
        },
    )
}

/// A stream that drops hyper's own 414 and 431 answers.
pub struct Stream {
    inner: TcpStream,
    /// The service answered 431 (it then closes: at most one per connection).
    own_431: Arc<AtomicBool>,
    /// hyper's answer has begun: everything from there on is dropped.
    dropping: bool,
}

impl Stream {
    /// Where hyper's own answer starts in `buf`.
    fn refusal(&self, buf: &[u8]) -> Option<usize> {
        let own_431 = self.own_431.load(Ordering::Relaxed);
        (0..buf.len()).find(|&at| {
            let rest = buf.get(at..).unwrap_or_default();
            rest.first() == Some(&b'H')
                && (rest.starts_with(URI_TOO_LONG)
                    || (!own_431 && rest.starts_with(HEAD_TOO_LARGE)))
        })
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if !self.dropping {
            match self.refusal(buf) {
                None => return Pin::new(&mut self.inner).poll_write(cx, buf),
                Some(0) => self.dropping = true,
                Some(at) => {
                    let before = buf.get(..at).unwrap_or_default();
                    return Pin::new(&mut self.inner).poll_write(cx, before);
                }
            }
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A service that tells its stream when it answers 431 itself.
pub struct Marked<S> {
    inner: S,
    own_431: Arc<AtomicBool>,
}

type Answer<B, E> = Pin<Box<dyn Future<Output = Result<Response<B>, E>> + Send>>;

impl<R, S, B> Service<R> for Marked<S>
where
    S: Service<R, Response = Response<B>>,
    S::Future: Send + 'static,
{
    type Response = Response<B>;
    type Error = S::Error;
    type Future = Answer<B, S::Error>;

    fn call(&self, request: R) -> Self::Future {
        let answer = self.inner.call(request);
        let own_431 = self.own_431.clone();
        Box::pin(async move {
            let answer = answer.await;
            if let Ok(response) = &answer
                && response.status() == StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
            {
                own_431.store(true, Ordering::Relaxed);
            }
            answer
        })
    }
}
