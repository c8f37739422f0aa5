//! Ctrl-C as a future, so a server can `select!` on it.

use std::future::Future;

/// Resolves when the user presses Ctrl-C (SIGINT) or the process gets SIGTERM
/// (what `kill` and process managers send).
///
/// The handlers are installed when this is *called*, not when the future is
/// first awaited. So call it before printing `listening on`: a script (or
/// a test) that reads that line and presses Ctrl-C at once then stops the
/// server cleanly, instead of reaching the operating system's default for
/// SIGINT, which kills the process. If the handlers cannot be installed the
/// future never resolves, and that default remains.
pub fn ctrl_c() -> impl Future<Output = ()> {
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{SignalKind, signal};
        signal(SignalKind::interrupt())
            .and_then(|interrupt| Ok((interrupt, signal(SignalKind::terminate())?)))
    };
    async move {
        #[cfg(unix)]
        if let Ok((mut interrupt, mut terminate)) = signals {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
        #[cfg(not(unix))]
        if tokio::signal::ctrl_c().await.is_ok() {
            return;
        }
        // No handler: never report a shutdown that nobody asked for.
        std::future::pending::<()>().await;
    }
}
