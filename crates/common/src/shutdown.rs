//! Ctrl-C as a future, so a server can `select!` on it.

use std::future::Future;

/// Resolves on Ctrl-C (SIGINT) or SIGTERM (what `kill` sends). The handlers
/// are installed when this is *called*: call it before printing `listening
/// on`, so that a Ctrl-C right after that line stops the server cleanly
/// instead of killing it. Without handlers it never resolves.
pub fn ctrl_c() -> impl Future<Output = ()> {
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{SignalKind, signal};
        signal(SignalKind::interrupt()).and_then(|i| Ok((i, signal(SignalKind::terminate())?)))
    };
    async move {
        #[cfg(unix)]
        if let Ok((mut interrupt, mut terminate)) = signals {
            tokio::select! { _ = interrupt.recv() => {}, _ = terminate.recv() => {} }
            return;
        }
        #[cfg(not(unix))]
        if tokio::signal::ctrl_c().await.is_ok() {
            return;
        }
        std::future::pending::<()>().await; // no handler: no shutdown
    }
}
