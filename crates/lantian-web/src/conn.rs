//! The HTTP/1.1 server loop with timeouts (issue 12 §8; OWASP ASVS 12 / slow-request denial of service):
//!
//! * **header timeout** — a connection must deliver a complete request head within it, from the moment
//!   it is accepted or the first byte of a later request arrives (half-sent requests are cut);
//! * **body timeout** — while a handler reads a request body, the client may stall at most this long
//!   between two chunks (nginx's `client_body_timeout` semantics); the read fails, the upload answers
//!   408 and the connection is closed;
//! * **idle timeout** — a keep-alive connection without a request in flight and without a byte of a
//!   new one is closed after it.
//!
//! A connection is watched by a small task of its own: hyper parses and answers, this loop only decides
//! when a silent connection has had enough time, and drops it (which closes the socket). Requests in
//! flight are never cut by the header or idle timeouts: a slow computation or download is not a stall.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use std::future::Future;

use axum::http::Request;
use axum::Router;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

/// The three connection timeouts (`lantian serve --header-timeout/--body-timeout/--idle-timeout`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    pub header: Duration,
    pub body: Duration,
    pub idle: Duration,
}

impl Default for Timeouts {
    /// Header 10 s (a browser or script sends its head in milliseconds; nginx allows 60 s, hardening
    /// guides 10–20 s), body 30 s between two chunks (nginx 60 s), idle keep-alive 60 s (nginx 75 s).
    fn default() -> Timeouts {
        Timeouts { header: Duration::from_secs(10), body: Duration::from_secs(30), idle: Duration::from_secs(60) }
    }
}

/// Serves `app` on `listener` until `shutdown` completes; then stops accepting, lets each connection
/// finish its request in flight and waits for all of them. At most `max_connections` are open at once:
/// the next is accepted only when one ends (the others wait in the kernel's listen queue).
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    timeouts: Timeouts,
    max_connections: usize,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(max_connections.max(1)));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    // Every connection holds a sender; `recv` answers `None` once all of them have ended.
    let (alive_tx, mut alive_rx) = tokio::sync::mpsc::channel::<()>(1);
    tokio::pin!(shutdown);
    loop {
        // A free slot first, then the next connection.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(s) => s,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, remote)) => {
                    let (app, stop, alive) = (app.clone(), stop_rx.clone(), alive_tx.clone());
                    tokio::spawn(async move {
                        connection(stream, remote, app, timeouts, stop).await;
                        drop((alive, slot));
                    });
                }
                Err(e) => {
                    // Out of file descriptors and the like: wait a little instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    let _ = stop_tx.send(true);
    drop(alive_tx);
    let _ = alive_rx.recv().await;
    Ok(())
}

/// What the watchdog knows about a connection (milliseconds since it was accepted).
struct Activity {
    start: Instant,
    /// Requests whose answer is not yet fully written.
    in_flight: AtomicU32,
    /// When the last answer was written (or the connection accepted).
    idle_since: AtomicU64,
    /// When the first byte of a request head arrived; [`NONE`] while nothing of a new request came.
    head_since: AtomicU64,
}

const NONE: u64 = u64::MAX;

impl Activity {
    fn new() -> Activity {
        // A new connection owes a request head from the start.
        Activity {
            start: Instant::now(),
            in_flight: AtomicU32::new(0),
            idle_since: AtomicU64::new(0),
            head_since: AtomicU64::new(0),
        }
    }
    fn now(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(NONE - 1)
    }
    fn bytes_read(&self) {
        if self.in_flight.load(Ordering::Acquire) == 0 && self.head_since.load(Ordering::Acquire) == NONE {
            self.head_since.store(self.now(), Ordering::Release);
        }
    }
    fn begin(self: &Arc<Activity>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.head_since.store(NONE, Ordering::Release);
        InFlight(self.clone())
    }
    /// Whether the connection has been silent for too long.
    fn expired(&self, t: &Timeouts) -> bool {
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return false;
        }
        let now = self.now();
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(NONE - 1);
        match self.head_since.load(Ordering::Acquire) {
            NONE => now.saturating_sub(self.idle_since.load(Ordering::Acquire)) > ms(t.idle),
            since => now.saturating_sub(since) > ms(t.header),
        }
    }
}

/// A request in flight; dropped when its answer has been written (or abandoned).
struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.0.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.idle_since.store(self.0.now(), Ordering::Release);
            self.0.head_since.store(NONE, Ordering::Release);
        }
    }
}

async fn connection(
    stream: TcpStream,
    remote: SocketAddr,
    app: Router,
    t: Timeouts,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched { inner: stream, activity: activity.clone() });
    let seen = activity.clone();
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let in_flight = seen.begin();
        let mut req = req.map(|b| Body::new(StallTimeout { inner: b, timeout: t.body, sleep: None }));
        req.extensions_mut().insert(ConnectInfo(remote));
        let app = app.clone();
        async move {
            let Ok(resp) = app.oneshot(req).await;
            Ok::<_, Infallible>(resp.map(|b| Body::new(Answer { inner: b, _in_flight: in_flight })))
        }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .header_read_timeout(None)
        .keep_alive(true)
        .serve_connection(io, service);
    tokio::pin!(conn);
    let tick = (t.header.min(t.idle) / 4).clamp(Duration::from_millis(10), Duration::from_secs(1));
    let mut ticker = tokio::time::interval(tick);
    let mut stopping = false;
    loop {
        tokio::select! {
            r = conn.as_mut() => {
                if let Err(e) = r {
                    tracing::debug!(%remote, error = %e, "connection ended with an error");
                }
                return;
            }
            _ = ticker.tick() => {
                if activity.expired(&t) {
                    tracing::debug!(%remote, "connection timed out (header or idle)");
                    return;
                }
            }
            _ = stop.changed(), if !stopping => {
                stopping = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

/// The socket, noting when bytes arrive.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.bytes_read();
        }
        r
    }
}

impl AsyncWrite for Watched {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// The error of a request body that stalled longer than the body timeout.
#[derive(Debug)]
pub struct BodyTimeout(pub Duration);

impl std::fmt::Display for BodyTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the request body stalled for more than {} s (--body-timeout)", self.0.as_secs_f64())
    }
}

impl std::error::Error for BodyTimeout {}

/// Whether an error of reading a request body is the body timeout.
pub fn is_body_timeout(e: &axum::Error) -> Option<&BodyTimeout> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(t) = s.downcast_ref::<BodyTimeout>() {
            return Some(t);
        }
        source = s.source();
    }
    None
}

/// A request body whose reader gives up when no chunk comes for `timeout` while it waits.
struct StallTimeout {
    inner: Incoming,
    timeout: Duration,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl hyper::body::Body for StallTimeout {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                self.sleep = None;
                Poll::Ready(frame.map(|f| f.map_err(Into::into)))
            }
            Poll::Pending => {
                let timeout = self.timeout;
                let sleep = self.sleep.get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
                match sleep.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(BodyTimeout(timeout))))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }
    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// An answer's body, holding the request in flight until it has been written.
struct Answer {
    inner: Body,
    _in_flight: InFlight,
}

impl hyper::body::Body for Answer {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }
    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }
    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
