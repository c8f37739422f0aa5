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
    /// `localhost` means 127.0.0.1.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST), value_parser = parse_host)]
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

/// `--host`: an IP address, or `localhost`, which Node's
/// `server.listen(port, 'localhost')` also takes, for 127.0.0.1. Any other
/// name is refused rather than looked up: a server binds to one of this
/// machine's own addresses, and a name could stand for several.
fn parse_host(text: &str) -> Result<IpAddr, String> {
    if text.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    text.parse().map_err(|_| {
        // A parser has no arguments but the text: the language is read from
        // the command line again (`--lang`), or the system's.
        let lang = crate::lang::Lang::from_args_or_system(std::env::args_os());
        rust_i18n::t!("host.not_ip", locale = lang.code()).into_owned()
    })
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        listen: ListenArgs<8124>,
    }

    fn parse(args: &[&str]) -> Result<SocketAddr, String> {
        let args = std::iter::once("server").chain(args.iter().copied());
        Cli::try_parse_from(args)
            .map(|cli| cli.listen.addr())
            .map_err(|error| error.to_string())
    }

    #[test]
    fn the_default_is_loopback_and_the_lessons_port() {
        assert_eq!(parse(&[]), Ok("127.0.0.1:8124".parse().unwrap()));
    }

    #[test]
    fn host_takes_ip_addresses_and_localhost() {
        let cases = [
            ("0.0.0.0", "0.0.0.0:0"),
            ("::1", "[::1]:0"),
            ("localhost", "127.0.0.1:0"),
            ("LocalHost", "127.0.0.1:0"),
        ];
        for (host, addr) in cases {
            assert_eq!(
                parse(&["--host", host, "--port", "0"]),
                Ok(addr.parse().unwrap()),
                "{host}"
            );
        }
    }

    #[test]
    fn another_name_is_refused_with_the_addresses_to_use_instead() {
        let error = parse(&["--host", "example.com"]).unwrap_err();
        assert!(error.contains("'example.com'"), "{error}");
        assert!(error.contains("0.0.0.0 (every interface"), "{error}");
    }
}
