//! Certificates for the lessons that speak TLS (chapter 5's `https-server`,
//! and `--tls` on `http-static` and `ws-chat`): the flags, a local
//! certificate authority made on first run, and the rustls server config.
//! Plumbing only: what TLS itself does is chapter 5's lesson.
//!
//! Without `--cert`/`--key`, [`Identity::load_or_make`] keeps, in `--certs`
//! (`certs/` by default, the same for every lesson, so one CA serves all):
//!
//! | file | what |
//! |---|---|
//! | `ca.pem` | the local CA's certificate: what a student trusts |
//! | `ca-key.pem` | its private key (mode 0600) |
//! | `server.pem` | the server's certificate, signed by the CA |
//! | `server-key.pem` | its private key (mode 0600) |
//!
//! The server certificate names localhost, 127.0.0.1, ::1 and every
//! `--san`; it is what browsers accept (the `serverAuth` extended key
//! usage, 365 days). The CA is *name-constrained* to those same names and
//! addresses, so trusting it lets nobody impersonate any other site with
//! it. Both are reused on later runs; the server certificate is made again
//! when it is missing or expired, or when the names asked for change, and
//! the CA too when it cannot vouch for a new name.
//!
//! One crypto provider, `ring`, is named explicitly ([`provider`]) rather
//! than left to rustls' process-wide default: with two providers compiled
//! in, an unnamed default panics at the first handshake.

use std::collections::BTreeSet;
use std::fmt;
use std::fs;
use std::io;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CidrSubnet, DnType, ExtendedKeyUsagePurpose,
    GeneralSubtree, IsCa, Issuer, KeyPair, KeyUsagePurpose, NameConstraints,
};
use rustls::ServerConfig;
use rustls::crypto::CryptoProvider;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use time::{Duration, OffsetDateTime};
use x509_parser::prelude::{FromDer, GeneralName, ParsedExtension, X509Certificate};

/// The names every local server certificate is for.
const ALWAYS: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// How long a server certificate made here is valid: browsers refuse more
/// than 397 days.
const LEAF_DAYS: i64 = 365;

/// How long the local CA is valid.
const CA_DAYS: i64 = 10 * 365;

/// The flags every TLS lesson takes.
#[derive(Debug, Clone, clap::Args)]
pub struct TlsArgs {
    /// Where the local certificate authority and the server certificate are
    /// kept (made on first run, reused after).
    #[arg(long, value_name = "DIR", default_value = "certs")]
    pub certs: PathBuf,
    /// Your own certificate chain (PEM) instead of the local CA's; needs --key.
    #[arg(long, value_name = "PEM", requires = "key")]
    pub cert: Option<PathBuf>,
    /// The private key (PEM) for --cert.
    #[arg(long, value_name = "PEM", requires = "cert")]
    pub key: Option<PathBuf>,
    /// Another name or address the certificate is for, besides localhost,
    /// 127.0.0.1 and ::1: a classroom's LAN address, say. Repeatable.
    #[arg(long, value_name = "NAME_OR_IP")]
    pub san: Vec<String>,
}

/// Why the server cannot have its certificate, in one sentence.
#[derive(Debug)]
pub struct TlsError(String);

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TlsError {}

fn error(text: impl Into<String>) -> TlsError {
    TlsError(text.into())
}

/// The crypto provider every config here is built with: ring.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The certificate chain and key a server presents, and what was done to
/// have them.
#[derive(Debug)]
pub struct Identity {
    /// The chain sent in the handshake, the server's own certificate first.
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
    /// The local CA's certificate, when the local CA signed the chain.
    pub ca: Option<PathBuf>,
    /// What happened, for the log: made, reused, remade and why, warnings.
    pub notes: Vec<String>,
}

impl Identity {
    /// `--cert`/`--key` if given, else the local CA's server certificate,
    /// made or remade as needed.
    pub fn load_or_make(args: &TlsArgs) -> Result<Self, TlsError> {
        match (&args.cert, &args.key) {
            (Some(cert), Some(key)) => Self::load(cert, key),
            _ => Self::local(&args.certs, &args.san),
        }
    }

    /// The user's own PEM files.
    pub fn load(cert: &Path, key: &Path) -> Result<Self, TlsError> {
        let chain = read_certs(cert)?;
        let key_pem = read(key)?;
        let key = PrivateKeyDer::from_pem_slice(&key_pem)
            .map_err(|e| error(format!("{} is not a PEM private key: {e}", key.display())))?;
        let mut notes = vec![format!("certificate from {}", cert.display())];
        if let Ok(leaf) = parse(&chain[0])
            && leaf.validity().not_after.timestamp() < OffsetDateTime::now_utc().unix_timestamp()
        {
            notes.push(format!(
                "warning: {} expired on {}: clients will refuse it",
                cert.display(),
                leaf.validity().not_after
            ));
        }
        Ok(Self {
            chain,
            key,
            ca: None,
            notes,
        })
    }

    // ANCHOR: local
    /// The local CA's server certificate in `dir`, for localhost and `sans`.
    pub fn local(dir: &Path, sans: &[String]) -> Result<Self, TlsError> {
        let wanted: BTreeSet<String> = ALWAYS
            .iter()
            .map(|s| (*s).to_owned())
            .chain(sans.iter().map(|s| s.trim().to_ascii_lowercase()))
            .collect();
        fs::create_dir_all(dir).map_err(|e| cannot_write(dir, &e))?;
        let files = Files::in_dir(dir);
        let mut notes = Vec::new();

        // The CA: reused while it is valid and can vouch for every name.
        let mut ca_made = false;
        let ca = match ca_if_usable(&files, &wanted) {
            Ok(ca) => ca,
            Err(why) => {
                notes.push(format!("made a new local CA in {} ({why})", dir.display()));
                if files.ca.exists() {
                    notes.push(
                        "the old CA is replaced: if you trusted it somewhere, remove it there \
                         and trust the new one"
                            .to_owned(),
                    );
                }
                ca_made = true;
                make_ca(&files, &wanted)?
            }
        };
        // The server certificate: reused while valid, for the same names,
        // and signed by this CA.
        let reason = if ca_made {
            Some("the CA is new".to_owned())
        } else {
            leaf_needs_remaking(&files, &wanted)
        };
        if let Some(why) = reason {
            notes.push(format!("made a new server certificate ({why})"));
            make_leaf(&files, &ca, &wanted)?;
        } else {
            notes.push(format!("reusing the certificates in {}", dir.display()));
        }
        let mut identity = Self::load(&files.leaf, &files.leaf_key)?;
        identity.ca = Some(files.ca.clone());
        identity.notes = notes;
        Ok(identity)
    }
    // ANCHOR_END: local

    /// A rustls server config presenting this identity, offering `alpn`
    /// (`h2`, `http/1.1`) in that order of preference; TLS 1.2 and 1.3.
    pub fn server_config(&self, alpn: &[&[u8]]) -> Result<ServerConfig, TlsError> {
        let mut config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| error(format!("cannot set up TLS: {e}")))?
            .with_no_client_auth()
            .with_single_cert(self.chain.clone(), self.key.clone_key())
            .map_err(|e| error(format!("the certificate and key do not go together: {e}")))?;
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        Ok(config)
    }
}

/// The four files of a local CA and its server certificate.
struct Files {
    ca: PathBuf,
    ca_key: PathBuf,
    leaf: PathBuf,
    leaf_key: PathBuf,
}

impl Files {
    fn in_dir(dir: &Path) -> Self {
        Self {
            ca: dir.join("ca.pem"),
            ca_key: dir.join("ca-key.pem"),
            leaf: dir.join("server.pem"),
            leaf_key: dir.join("server-key.pem"),
        }
    }
}

/// The existing CA as an issuer, or why it cannot be used.
fn ca_if_usable(
    files: &Files,
    wanted: &BTreeSet<String>,
) -> Result<Issuer<'static, KeyPair>, String> {
    let (Ok(pem), Ok(key)) = (
        fs::read_to_string(&files.ca),
        fs::read_to_string(&files.ca_key),
    ) else {
        return Err("there was none".into());
    };
    let der =
        CertificateDer::from_pem_slice(pem.as_bytes()).map_err(|_| "ca.pem was unreadable")?;
    let cert = parse(&der).map_err(|_| "ca.pem was unreadable")?;
    if expires_within(&cert, Duration::days(1)) {
        return Err("the old one expired".into());
    }
    let covered = permitted_names(&cert);
    if let Some(name) = wanted.iter().find(|name| !covered.contains(*name)) {
        return Err(format!("the old one could not vouch for {name}"));
    }
    let key = KeyPair::from_pem(&key).map_err(|_| "ca-key.pem was unreadable")?;
    Issuer::from_ca_cert_pem(&pem, key).map_err(|_| "ca.pem was unreadable".into())
}

/// Why the server certificate must be made again, if it must.
fn leaf_needs_remaking(files: &Files, wanted: &BTreeSet<String>) -> Option<String> {
    let Ok(chain) = read_certs(&files.leaf) else {
        return Some("there was none".into());
    };
    if !files.leaf_key.exists() {
        return Some("its key was missing".into());
    }
    let Ok(leaf) = parse(&chain[0]) else {
        return Some("server.pem was unreadable".into());
    };
    if expires_within(&leaf, Duration::days(1)) {
        return Some("the old one expired".into());
    }
    let names = subject_alt_names(&leaf);
    if names != *wanted {
        return Some(format!(
            "it was for {}, now asked for {}",
            join(&names),
            join(wanted)
        ));
    }
    // Signed by the CA as it is now? (A CA made elsewhere in the meantime.)
    let ca = read_certs(&files.ca).ok()?;
    let ca = parse(&ca[0]).ok()?;
    (leaf.issuer() != ca.subject()).then(|| "it was signed by another CA".into())
}

fn join(names: &BTreeSet<String>) -> String {
    names.iter().cloned().collect::<Vec<_>>().join(", ")
}

/// Makes the local CA, constrained to the `wanted` names, and writes it.
fn make_ca(files: &Files, wanted: &BTreeSet<String>) -> Result<Issuer<'static, KeyPair>, TlsError> {
    let key = KeyPair::generate().map_err(|e| error(format!("cannot make a key: {e}")))?;
    let now = OffsetDateTime::now_utc();
    let mut params = CertificateParams::default();
    // A name of its own: a client looks for a certificate's issuer by name,
    // so two local CAs (two machines, or one remade) must not share one. A
    // short hash of the CA's public key tells them apart.
    let tag = {
        use std::hash::{DefaultHasher, Hash, Hasher};
        let mut hasher = DefaultHasher::new();
        key.public_key_raw().hash(&mut hasher);
        hasher.finish() as u32
    };
    params.distinguished_name.push(
        DnType::CommonName,
        format!(
            "net-lessons local CA {tag:08x}, made {}-{:02}-{:02}",
            now.year(),
            u8::from(now.month()),
            now.day()
        ),
    );
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = now - Duration::hours(1);
    params.not_after = now + Duration::days(CA_DAYS);
    // ANCHOR: name_constraints
    let permitted = wanted.iter().map(|name| match name.parse::<IpAddr>() {
        Ok(ip) => GeneralSubtree::IpAddress(CidrSubnet::from_addr_prefix(
            ip,
            if ip.is_ipv4() { 32 } else { 128 },
        )),
        Err(_) => GeneralSubtree::DnsName(name.clone()),
    });
    let mut permitted: Vec<GeneralSubtree> = permitted.collect();
    // All of loopback, not only 127.0.0.1.
    permitted.push(GeneralSubtree::IpAddress(CidrSubnet::V4(
        [127, 0, 0, 0],
        [255, 0, 0, 0],
    )));
    params.name_constraints = Some(NameConstraints {
        permitted_subtrees: permitted,
        excluded_subtrees: Vec::new(),
    });
    // ANCHOR_END: name_constraints
    let cert = params
        .self_signed(&key)
        .map_err(|e| error(format!("cannot make the CA: {e}")))?;
    write(&files.ca, cert.pem().as_bytes(), false)?;
    write(&files.ca_key, key.serialize_pem().as_bytes(), true)?;
    Ok(Issuer::new(params, key))
}

// ANCHOR: leaf
/// Makes the server certificate for `wanted`, signed by `ca`, and writes it.
fn make_leaf(
    files: &Files,
    ca: &Issuer<'static, KeyPair>,
    wanted: &BTreeSet<String>,
) -> Result<(), TlsError> {
    let names: Vec<String> = wanted.iter().cloned().collect();
    let mut params = CertificateParams::new(names)
        .map_err(|e| error(format!("not a name or an address for a certificate: {e}")))?;
    params
        .distinguished_name
        .push(DnType::CommonName, "net-lessons server");
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    let now = OffsetDateTime::now_utc();
    params.not_before = now - Duration::hours(1);
    params.not_after = now + Duration::days(LEAF_DAYS);
    let key = KeyPair::generate().map_err(|e| error(format!("cannot make a key: {e}")))?;
    let cert = params
        .signed_by(&key, ca)
        .map_err(|e| error(format!("cannot sign the server certificate: {e}")))?;
    write(&files.leaf, cert.pem().as_bytes(), false)?;
    write(&files.leaf_key, key.serialize_pem().as_bytes(), true)
}
// ANCHOR_END: leaf

/// The certificates in a PEM file, or one sentence saying why not.
pub fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let pem = read(path)?;
    let chain: Result<Vec<_>, _> = CertificateDer::pem_slice_iter(&pem).collect();
    match chain {
        Ok(chain) if !chain.is_empty() => Ok(chain),
        Ok(_) => Err(error(format!(
            "{} holds no certificate: expected PEM (-----BEGIN CERTIFICATE-----)",
            path.display()
        ))),
        Err(e) => Err(error(format!(
            "{} is not a PEM certificate: {e}",
            path.display()
        ))),
    }
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    fs::read(path).map_err(|e| error(format!("cannot read {}: {e}", path.display())))
}

/// Writes `bytes` to `path`; a private key readable by its owner only.
fn write(path: &Path, bytes: &[u8], private: bool) -> Result<(), TlsError> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let _ = private;
    let mut file = options.open(path).map_err(|e| cannot_write(path, &e))?;
    // The mode above applies to a new file only; a key remade over an old
    // file gets it here.
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(|e| cannot_write(path, &e))?;
    }
    io::Write::write_all(&mut file, bytes).map_err(|e| cannot_write(path, &e))
}

fn cannot_write(path: &Path, e: &io::Error) -> TlsError {
    error(format!(
        "cannot write the certificates to {}: {e} (choose another directory with --certs)",
        path.display()
    ))
}

/// A DER certificate, parsed.
pub fn parse<'a>(der: &'a CertificateDer<'_>) -> Result<X509Certificate<'a>, TlsError> {
    X509Certificate::from_der(der)
        .map(|(_, cert)| cert)
        .map_err(|e| error(format!("not an X.509 certificate: {e}")))
}

fn expires_within(cert: &X509Certificate<'_>, margin: Duration) -> bool {
    let left = cert.validity().not_after.timestamp() - OffsetDateTime::now_utc().unix_timestamp();
    left < margin.whole_seconds()
}

/// The DNS names and IP addresses a certificate is for, lower-cased.
pub fn subject_alt_names(cert: &X509Certificate<'_>) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for extension in cert.extensions() {
        if let ParsedExtension::SubjectAlternativeName(san) = extension.parsed_extension() {
            for name in &san.general_names {
                names.extend(general_name(name));
            }
        }
    }
    names
}

/// What a CA's name constraints permit, as the names we ask for: DNS
/// names, and single addresses (a /32 or /128 subnet).
pub fn permitted_names(cert: &X509Certificate<'_>) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for extension in cert.extensions() {
        if let ParsedExtension::NameConstraints(constraints) = extension.parsed_extension() {
            for subtree in constraints.permitted_subtrees.iter().flatten() {
                names.extend(general_name(&subtree.base));
            }
        }
    }
    // 127.0.0.0/8 covers 127.0.0.1 (written as a single address above).
    names.insert("127.0.0.1".into());
    names
}

/// A SAN or a name constraint as text; an address constraint only when it
/// is a single address (its mask all ones).
fn general_name(name: &GeneralName<'_>) -> Option<String> {
    match name {
        GeneralName::DNSName(dns) => Some(dns.to_ascii_lowercase()),
        GeneralName::IPAddress(bytes) => match bytes.len() {
            4 => Some(IpAddr::from(<[u8; 4]>::try_from(*bytes).ok()?).to_string()),
            16 => Some(IpAddr::from(<[u8; 16]>::try_from(*bytes).ok()?).to_string()),
            8 if bytes[4..] == [255; 4] => {
                Some(IpAddr::from(<[u8; 4]>::try_from(&bytes[..4]).ok()?).to_string())
            }
            32 if bytes[16..] == [255; 16] => {
                Some(IpAddr::from(<[u8; 16]>::try_from(&bytes[..16]).ok()?).to_string())
            }
            _ => None,
        },
        _ => None,
    }
}
