//! `http.createServer(handler).listen(port, host)`, on hyper.
//!
//! hyper reads and writes HTTP/1.1 for us (keep-alive, chunking, a 400 for
//! a malformed request); we give it a function from request to response
//! for each connection, and run each connection as its own task.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, Response};
use hyper::body::{Body, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{debug, info, warn};

use super::access_log;

// ANCHOR: serve
/// Serves HTTP/1.1 on `listener`, answering each request with `handler`
/// and logging it ([`access_log`]), until `shutdown` resolves. Then it
/// closes like `server.close()`: no new connections, requests in flight
/// get `grace` to finish (a download goes on), idle keep-alive connections
/// are closed, and after `grace` whatever is left is cut off.
pub async fn serve<H, F, B>(
    listener: TcpListener,
    handler: H,
    grace: Duration,
    shutdown: impl Future<Output = ()>,
) where
    H: Fn(Request<Incoming>) -> F + Send + Sync + 'static,
    F: Future<Output = Response<B>> + Send + 'static,
    B: Body<Data = Bytes> + Send + Unpin + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    // Every connection task calls the one handler: `Arc` shares it.
    let handler = Arc::new(handler);
    let mut http = http1::Builder::new();
    // A client gets 30 s to send its request headers, then it is closed:
    // one that trickles a byte at a time cannot hold a connection forever.
    http.timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(30));
    // `graceful` asks every connection to finish at shutdown; `tracker`
    // and `closing` wait for them and, after the grace period, end them.
    let graceful = GracefulShutdown::new();
    let tracker = TaskTracker::new();
    let closing = CancellationToken::new();
    tokio::pin!(shutdown);

    loop {
        let (stream, peer) = tokio::select! {
            accepted = crate::net::accept(&listener) => accepted,
            () = &mut shutdown => break,
        };
        // Small responses go out at once instead of waiting for more.
        let _ = stream.set_nodelay(true);
        let handler = Arc::clone(&handler);
        // `service_fn` turns our async function into what hyper calls
        // for each request on this connection (keep-alive: many).
        let service = service_fn(move |request: Request<Incoming>| {
            let (method, uri) = (request.method().clone(), request.uri().clone());
            let started = Instant::now();
            let response = handler(request);
            async move {
                let response = response.await;
                Ok::<_, Infallible>(access_log::wrap(method, uri, started, response))
            }
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        let closing = closing.clone();
        tracker.spawn(async move {
            tokio::select! {
                // A malformed request ends here: hyper has already sent
                // a 400 and closed; only this connection is affected.
                result = connection => if let Err(error) = result {
                    debug!(%peer, %error, "connection ended with an error");
                },
                () = closing.cancelled() => debug!(%peer, "closed: grace period over"),
            }
        });
    }

    // `server.close()`: dropping the listener stops accepting.
    drop(listener);
    tracker.close();
    info!(
        open = graceful.count(),
        ?grace,
        "shutting down: finishing requests in flight"
    );
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(grace) => {
            warn!("grace period over: closing the connections still open");
            closing.cancel();
        }
    }
    tracker.wait().await;
    info!("server closed");
}
// ANCHOR_END: serve
