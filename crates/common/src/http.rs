//! What the HTTP lessons (chapter 4's `http-static` and `http-template`)
//! share: the serve loop with its graceful Ctrl-C, the access log, and the
//! small response builders. Behind the `http` feature, so that only the
//! crates that speak HTTP compile hyper.
//!
//! A lesson gives [`serve`] one async function from request to response,
//! the seed's `http.createServer((req, res) => { … })`; the rest (one task
//! per connection, keep-alive, a 400 for a malformed request, a log line
//! per request, closing at Ctrl-C) is the same for every lesson and lives
//! here.

pub mod access_log;
pub mod respond;
mod serve;

pub use respond::Body;
pub use serve::serve;
