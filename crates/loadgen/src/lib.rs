//! `loadgen`: measures the lessons' servers, the way `../shared/peers`
//! measures the Node originals, so the two can be compared in one run.
//!
//! Two rules hold for every subcommand:
//! - it only ever connects to loopback (127.0.0.0/8 or ::1): [`require_loopback`];
//! - every run is bounded in time: a run stops at `--secs`, and
//!   [`hard_deadline`] ends it a little later whatever the server does.

use std::net::SocketAddr;
use std::time::Duration;

pub mod chat;
pub mod echo;
pub mod stats;
pub mod udp;
pub mod ws;

/// Refuses any target that is not on this machine's loopback interface.
pub fn require_loopback(addr: SocketAddr) -> Result<SocketAddr, String> {
    if addr.ip().is_loopback() {
        Ok(addr)
    } else {
        Err(format!(
            "refusing to load {addr}: loadgen only targets loopback \
             (127.0.0.1 or ::1), so a benchmark never leaves this machine"
        ))
    }
}

/// How long past `--secs` a run may take (connecting, draining) before it is
/// cut off.
pub fn hard_deadline(secs: u64) -> Duration {
    Duration::from_secs(secs + 10)
}
