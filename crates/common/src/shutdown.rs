//! Ctrl-C as a future, so a server can `select!` on it.

/// Resolves when the user presses Ctrl-C (SIGINT) or the process gets SIGTERM
/// (what `kill` and process managers send). If the handlers cannot be
/// installed this never resolves, and the default behaviour (exit) remains.
pub async fn ctrl_c() {
    #[cfg(unix)]
    if let Ok(mut terminate) =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
    {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
        return;
    }
    if tokio::signal::ctrl_c().await.is_err() {
        // No handler: never report a shutdown that nobody asked for.
        std::future::pending::<()>().await;
    }
}
