//! `https-server`: the chapter 5 HTTPS server, a client that inspects any
//! TLS server, and a demo. See `src/lib.rs` and docs/ch5-https.md.

use std::error::Error;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use common::cli::ListenArgs;
use common::demo::DemoArgs;
use common::lang::{Lang, LangArgs};
use common::tls::{Identity, TlsArgs};
use https_server::{Config, Server, client, redirect, text};
use tokio_util::sync::CancellationToken;
use tracing::info;

/// HTTPS with rustls (chapter 5): a local certificate authority, HTTP/2,
/// redirects, HSTS, and a client that shows the handshake.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    lang: LangArgs,
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
    Demo(DemoArgs),
}

#[tokio::main]
async fn main() -> ExitCode {
    // `--help` in the user's language (--lang, else LANG).
    let cli: Cli = common::lang::parse(https_server::help_text);
    let lang = cli.lang.resolve();
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
                lang,
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
        } => inspect(&server, sni, cacert, lang).await,
        Command::Demo(args) => {
            common::logging::init_demo("server");
            https_server::demo::run(&args, lang)
                .await
                .map_err(Into::into)
        }
    };
    common::exit::report_in(lang, "https-server", result)
}

async fn serve(
    listen: ListenArgs<8443>,
    tls: &TlsArgs,
    redirect: Option<(u16, bool)>,
    config: Config,
) -> Result<(), Box<dyn Error>> {
    let identity = Identity::load_or_make(tls, config.lang)?;
    let listener = common::net::bind_tcp(listen.addr()).await?;
    let redirect = match redirect {
        Some((port, permanent)) => {
            let addr = SocketAddr::new(listen.host, port);
            Some((common::net::bind_tcp(addr).await?, permanent))
        }
        None => None,
    };
    let lang = config.lang;
    let server = Server::new(listener, &identity, config)?;
    let addr = server.local_addr()?;
    // Catch Ctrl-C from here on, before we say we are ready.
    let ctrl_c = common::shutdown::ctrl_c();
    common::net::announce_listening(addr);
    // For the teacher: the addresses students open (or "this machine only").
    // A student's browser must trust certs/ca.pem, and the certificate must
    // name the address: --san 192.168.1.23 (docs/ch5-https.md).
    let announced = std::cell::RefCell::new(Vec::new());
    common::net::tell_students(addr, lang, |addr| {
        announced.borrow_mut().push(addr.ip());
        format!("https://{addr}/")
    });
    // Addresses announced above that the certificate does not name: their
    // URLs would fail in every student's browser. Say how to add them.
    if let Some(ours) = identity.chain.first() {
        let missing = https_server::page::not_named(ours, &announced.into_inner(), lang);
        if let Some(warning) = https_server::page::san_warning(&missing, lang) {
            eprintln!("{warning}");
        }
    }
    for note in &identity.notes {
        info!("{note}");
    }
    if let Some(ca) = &identity.ca {
        let ca = ca.display().to_string();
        let port = addr.port().to_string();
        let values = [("ca", ca.as_str()), ("port", port.as_str())];
        info!("{}", text(lang, "log.local_ca", &values));
        info!("{}", text(lang, "log.import_ca", &values));
    }
    // One Ctrl-C stops both listeners.
    let stop = CancellationToken::new();
    let redirecting = redirect.map(|(listener, permanent)| {
        let from = listener
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        let status = if permanent { "308" } else { "307" };
        let port = addr.port().to_string();
        let values = [
            ("from", from.as_str()),
            ("status", status),
            ("port", port.as_str()),
        ];
        info!("{}", text(lang, "log.redirecting", &values));
        tokio::spawn(redirect::serve(
            listener,
            addr.port(),
            permanent,
            lang,
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
    lang: Lang,
) -> Result<(), Box<dyn Error>> {
    let (host, port) = server
        .rsplit_once(':')
        .and_then(|(host, port)| Some((host, port.parse::<u16>().ok()?)))
        .ok_or_else(|| {
            text(
                lang,
                "inspect.not_host_port",
                &[("server", &format!("{server:?}"))],
            )
        })?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addr = common::net::resolve_in(host, port, lang).await?;
    let name = sni.unwrap_or_else(|| host.to_owned());
    let trusted_by = cacert.as_ref().map_or_else(
        || text(lang, "inspect.system_store", &[]),
        |p| p.display().to_string(),
    );
    let roots = client::roots(cacert.as_deref(), lang)?;
    let at = addr.to_string();
    let seen = client::inspect(addr, &name, roots, lang)
        .await
        .map_err(|error| {
            let error = common::exit::io_error(&error, lang);
            text(
                lang,
                "inspect.no_handshake",
                &[("addr", &at), ("error", &error)],
            )
        })?;
    // Printed at the end in one write, which may fail without harm: with
    // `inspect … | head`, nobody reads the rest (println! would panic).
    let line = |key: &str, value: &str| text(lang, key, &[("value", value)]);
    let or =
        |value: &Option<String>, key: &str| value.clone().unwrap_or_else(|| text(lang, key, &[]));
    let mut report = vec![
        text(lang, "inspect.connected", &[("addr", &at), ("name", &name)]),
        line("inspect.version", &seen.version),
        line("inspect.cipher", &seen.cipher_suite),
        line(
            "inspect.key_exchange",
            &or(&seen.key_exchange, "inspect.not_known"),
        ),
        line("inspect.alpn", &or(&seen.alpn, "inspect.none_chosen")),
        text(lang, "inspect.chain", &[]),
    ];
    for (i, der) in seen.chain.iter().enumerate() {
        let cert = https_server::page::Certificate::of(der, lang);
        let i = i.to_string();
        report.push(text(
            lang,
            "inspect.subject",
            &[("i", &i), ("value", &cert.subject)],
        ));
        report.push(line("inspect.issuer", &cert.issuer));
        report.push(line("inspect.names", &lang.list(&cert.names)));
        let (from, until) = cert.dates(lang);
        let valid = [("from", from.as_str()), ("until", until.as_str())];
        report.push(text(lang, "inspect.valid", &valid));
    }
    let verdict = match &seen.verdict {
        Ok(()) => text(
            lang,
            "inspect.verified",
            &[("by", &trusted_by), ("name", &name)],
        ),
        Err(why) => text(
            lang,
            "inspect.not_verified",
            &[("by", &trusted_by), ("why", why)],
        ),
    };
    report.push(verdict);
    let _ = std::io::Write::write_all(
        &mut std::io::stdout(),
        (report.join("\n") + "\n").as_bytes(),
    );
    match seen.verdict {
        Ok(()) => Ok(()),
        Err(_) => Err(text(lang, "inspect.untrusted", &[("name", &name)]).into()),
    }
}
