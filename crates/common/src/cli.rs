//! The `--host`/`--port` pair every server takes.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// Where a server listens. Each lesson picks its own default port through the
/// const parameter, so `tcp-echo --help` shows `[default: 8124]`:
///
/// ```
/// #[derive(clap::Parser)]
/// struct Cli {
///     #[command(flatten)]
///     listen: common::cli::ListenArgs<8124>,
/// }
/// ```
#[derive(Debug, Clone, clap::Args)]
pub struct ListenArgs<const DEFAULT_PORT: u16> {
    /// Address to listen on. The default keeps the lesson on this machine;
    /// use --host 0.0.0.0 to let a classroom LAN connect.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub host: IpAddr,

    /// Port to listen on; 0 lets the OS pick a free one (printed at start).
    #[arg(long, default_value_t = DEFAULT_PORT)]
    pub port: u16,
}

impl<const DEFAULT_PORT: u16> ListenArgs<DEFAULT_PORT> {
    /// The socket address these flags name.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::new(self.host, self.port)
    }
}
