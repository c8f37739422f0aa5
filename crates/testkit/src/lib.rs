//! What every lesson's tests share, so that each test file says only what
//! it checks:
//!
//! - [`Background`]: a server started in the test's own runtime, on a
//!   listener the test bound to `127.0.0.1:0`, and stopped the way Ctrl-C
//!   stops it (its `run(shutdown)` future's `shutdown` resolves);
//! - [`process`]: a lesson's binary or example started as its own process,
//!   ready once it has printed `listening on IP:PORT`, killed when dropped;
//! - [`http`]: an HTTP request written by hand on a raw socket, and the
//!   response parsed off the wire;
//! - [`browser`]: a real headless chromium, for the tests that need one;
//! - [`tls`]: the same raw HTTP inside TLS, for the lessons' `--tls`;
//! - [`redis`]: a real `redis-server` on a Unix socket in a temporary
//!   directory, for chapter 7.
//!
//! A dev-dependency only: no lesson's own code depends on it.

// Helpers fail the test that calls them by panicking: that is their job.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub mod browser;
pub mod http;
pub mod process;
pub mod redis;
pub mod tls;

/// How long one step of a test (an answer, a start, a stop) may take before
/// the test fails. Generous, for a loaded 2-core CI machine: a passing test
/// never waits for it.
pub const STEP: Duration = Duration::from_secs(10);

/// The future a server's `run(shutdown)` takes: it resolves when the test
/// calls [`Background::signal`] or [`Background::stop`], or drops the
/// [`Background`] (as Ctrl-C would).
#[derive(Debug)]
pub struct Shutdown(oneshot::Receiver<()>);

impl Future for Shutdown {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // A sent signal and a dropped sender both mean "stop".
        Pin::new(&mut self.0).poll(cx).map(|_| ())
    }
}

/// A server running as a task of the test's runtime.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// // Any `run(shutdown)` future will do; a lesson's is `server.run(shutdown)`.
/// let server = testkit::Background::spawn(|shutdown| async move {
///     shutdown.await;
///     "closed"
/// });
/// assert_eq!(server.stop().await, "closed");
/// # }
/// ```
#[derive(Debug)]
pub struct Background<T> {
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<T>,
}

impl<T: Send + 'static> Background<T> {
    /// Spawns `run(shutdown)` on the test's runtime.
    pub fn spawn<F, Fut>(run: F) -> Self
    where
        F: FnOnce(Shutdown) -> Fut,
        Fut: Future<Output = T> + Send + 'static,
    {
        let (stop, stopped) = oneshot::channel();
        Self {
            stop: Some(stop),
            task: tokio::spawn(run(Shutdown(stopped))),
        }
    }

    /// Sends the Ctrl-C signal without waiting for the server to stop.
    pub fn signal(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// The server's task, to await (with a timeout of the test's choosing)
    /// after [`signal`](Self::signal).
    pub fn task(&mut self) -> &mut JoinHandle<T> {
        &mut self.task
    }

    /// Sends the Ctrl-C signal and waits, at most two [`STEP`]s, for the
    /// server to return; returns what it returned.
    pub async fn stop(mut self) -> T {
        self.signal();
        tokio::time::timeout(STEP * 2, &mut self.task)
            .await
            .expect("the server stops in time after the signal")
            .expect("the server task did not panic")
    }
}
