//! `https-server`: the chapter 5 HTTPS server, a client that inspects any
//! TLS server, and a demo. See `src/lib.rs` and docs/ch5-https.md.

use std::error::Error;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use common::cli::ListenArgs;
use common::tls::{Identity, TlsArgs};
use https_server::{Config, Server, client, redirect};
use tokio_util::sync::CancellationToken;
use tracing::info;

/// HTTPS with rustls (chapter 5): a local certificate authority, HTTP/2,
/// redirects, HSTS, and a client that shows the handshake.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve HTTPS: `GET /` shows your own connection (TLS version, cipher
    /// suite, ALPN, SNI, the certificate chain).
    ///
    /// Without --cert/--key, a local certificate authority and a server
    /// certificate signed by it are made in --certs on first run; trust
    /// the CA with `curl --cacert certs/ca.pem https://localhost:8443/`.
    Serve {
        #[command(flatten)]
        listen: ListenArgs<8443>,
        #[command(flatten)]
        tls: TlsArgs,
        /// Also listen for plain HTTP on this port, and redirect every
        /// request to the same path on HTTPS (307; see --permanent).
        #[arg(long, value_name = "PORT")]
        redirect_from: Option<u16>,
        /// Redirect with 308 (permanent: browsers remember it) instead of 307.
        #[arg(long, requires = "redirect_from")]
        permanent: bool,
        /// Send Strict-Transport-Security: browsers then use HTTPS only for
        /// this host, for --hsts-max-age seconds.
        #[arg(long)]
        hsts: bool,
        /// HSTS's max-age, in seconds (short by default: HSTS holds for
        /// every port of the host, localhost included).
        #[arg(long, value_name = "SECS", default_value_t = 300, requires = "hsts")]
        hsts_max_age: u64,
        /// How long a client may take to complete its TLS handshake.
        #[arg(long, value_name = "SECS", default_value_t = 10)]
        handshake_timeout: u64,
    },
    /// Connect to a TLS server and show the handshake: the version, the
    /// cipher suite, ALPN, the certificate chain, and whether it is trusted.
    Inspect {
        /// The CA to trust (PEM); without it, the system's trust store.
        #[arg(long, value_name = "PEM")]
        cacert: Option<PathBuf>,
        /// The name to ask for (SNI) and check the certificate against
        /// [default: HOST].
        #[arg(long, value_name = "NAME")]
        sni: Option<String>,
        /// The server, as HOST:PORT (localhost:8443, 127.0.0.1:8443, [::1]:8443).
        #[arg(value_name = "HOST:PORT")]
        server: String,
    },
    /// Run the lesson in one process on loopback and narrate the handshake:
    /// the certificates made, a trusting client over HTTP/2, an untrusting
    /// one refused, a wrong name refused, plain HTTP, the redirect.
    Demo,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve {
            listen,
            tls,
            redirect_from,
            permanent,
            hsts,
            hsts_max_age,
            handshake_timeout,
        } => {
            common::logging::init();
            let config = Config {
                hsts: hsts.then(|| Duration::from_secs(hsts_max_age)),
                handshake_timeout: Duration::from_secs(handshake_timeout),
                ..Config::default()
            };
            serve(
                listen,
                &tls,
                redirect_from.map(|port| (port, permanent)),
                config,
            )
            .await
        }
        Command::Inspect {
            cacert,
            sni,
            server,
        } => inspect(&server, sni, cacert).await,
        Command::Demo => {
            common::logging::init_demo("server");
            https_server::demo::run().await.map_err(Into::into)
        }
    };
    common::exit::report("https-server", result)
}

async fn serve(
    listen: ListenArgs<8443>,
    tls: &TlsArgs,
    redirect: Option<(u16, bool)>,
    config: Config,
) -> Result<(), Box<dyn Error>> {
    let identity = Identity::load_or_make(tls)?;
    let listener = common::net::bind_tcp(listen.addr()).await?;
    let redirect = match redirect {
        Some((port, permanent)) => {
            let addr = SocketAddr::new(listen.host, port);
            Some((common::net::bind_tcp(addr).await?, permanent))
        }
        None => None,
    };
    let server = Server::new(listener, &identity, config)?;
    let addr = server.local_addr()?;
    // Catch Ctrl-C from here on, before we say we are ready.
    let ctrl_c = common::shutdown::ctrl_c();
    common::net::announce_listening(addr);
    for note in &identity.notes {
        info!("{note}");
    }
    if let Some(ca) = &identity.ca {
        let ca = ca.display();
        info!(
            "the local CA is {ca}: trust it with `curl --cacert {ca} https://localhost:{}/`",
            addr.port()
        );
        info!(
            "in a browser or the system's trust store, import {ca} as an authority (docs/ch5-https.md says how, and how to remove it)"
        );
    }
    // One Ctrl-C stops both listeners.
    let stop = CancellationToken::new();
    let redirecting = redirect.map(|(listener, permanent)| {
        let from = listener
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        let status = if permanent { 308 } else { 307 };
        info!(
            "plain HTTP on {from} is redirected ({status}) to https on port {}",
            addr.port()
        );
        tokio::spawn(redirect::serve(
            listener,
            addr.port(),
            permanent,
            stop.clone().cancelled_owned(),
        ))
    });
    let https = tokio::spawn(server.run(stop.clone().cancelled_owned()));
    ctrl_c.await;
    stop.cancel();
    let _ = https.await;
    if let Some(redirecting) = redirecting {
        let _ = redirecting.await;
    }
    Ok(())
}

async fn inspect(
    server: &str,
    sni: Option<String>,
    cacert: Option<PathBuf>,
) -> Result<(), Box<dyn Error>> {
    let (host, port) = server
        .rsplit_once(':')
        .and_then(|(host, port)| Some((host, port.parse::<u16>().ok()?)))
        .ok_or_else(|| format!("{server:?} is not HOST:PORT (say localhost:8443)"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addr = common::net::resolve(host, port).await?;
    let name = sni.unwrap_or_else(|| host.to_owned());
    let trusted_by = cacert.as_ref().map_or_else(
        || "the system's trust store".to_owned(),
        |p| p.display().to_string(),
    );
    let roots = client::roots(cacert.as_deref())?;
    let seen = client::inspect(addr, &name, roots)
        .await
        .map_err(|error| format!("cannot complete a TLS handshake with {addr}: {error}"))?;
    // Printed at the end in one write, which may fail without harm: with
    // `inspect … | head`, nobody reads the rest (println! would panic).
    let mut report = Vec::new();
    report.push(format!("connected to {addr}, asking for {name}"));
    report.push(format!("TLS version:   {}", seen.version));
    report.push(format!("cipher suite:  {}", seen.cipher_suite));
    report.push(format!(
        "key exchange:  {}",
        seen.key_exchange.as_deref().unwrap_or("(not known)")
    ));
    report.push(format!(
        "ALPN:          {}",
        seen.alpn.as_deref().unwrap_or("(none chosen)")
    ));
    report.push("certificate chain (as the server sent it):".to_owned());
    for (i, der) in seen.chain.iter().enumerate() {
        let cert = https_server::page::Certificate::of(der);
        report.push(format!("  {i}: subject  {}", cert.subject));
        report.push(format!("     issuer   {}", cert.issuer));
        report.push(format!("     names    {}", cert.names.join(", ")));
        report.push(format!(
            "     valid    {} to {}",
            cert.not_before, cert.not_after
        ));
    }
    let verdict = match &seen.verdict {
        Ok(()) => format!("verified: trusted by {trusted_by}, for {name}"),
        Err(why) => format!("NOT verified against {trusted_by}: {why}"),
    };
    report.push(verdict);
    let _ = std::io::Write::write_all(
        &mut std::io::stdout(),
        (report.join("\n") + "\n").as_bytes(),
    );
    match seen.verdict {
        Ok(()) => Ok(()),
        Err(_) => Err(format!("{name}'s certificate is not trusted").into()),
    }
}
