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
//! Every note and error is in the `lang` handed in (texts `tls.*` in
//! `locales/app.yml`).
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
use rust_i18n::t;
use rustls::ServerConfig;
use rustls::crypto::CryptoProvider;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use time::{Duration, OffsetDateTime};
use x509_parser::prelude::{FromDer, GeneralName, ParsedExtension, X509Certificate};

use crate::lang::Lang;

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

/// A reason or a note, owned (`t!` lends a `Cow`).
fn owned(text: std::borrow::Cow<'_, str>) -> String {
    text.into_owned()
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
    /// made or remade as needed; notes and errors in `lang`.
    pub fn load_or_make(args: &TlsArgs, lang: Lang) -> Result<Self, TlsError> {
        match (&args.cert, &args.key) {
            (Some(cert), Some(key)) => Self::load(cert, key, lang),
            _ => Self::local(&args.certs, &args.san, lang),
        }
    }

    /// The user's own PEM files.
    pub fn load(cert: &Path, key: &Path, lang: Lang) -> Result<Self, TlsError> {
        let locale = lang.code();
        let chain = read_certs(cert, lang)?;
        let key_pem = read(key, lang)?;
        let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| {
            let path = key.display();
            error(t!(
                "tls.error.not_key",
                locale = locale,
                path = path,
                error = e
            ))
        })?;
        let path = cert.display();
        let mut notes = vec![owned(t!(
            "tls.note.from_file",
            locale = locale,
            path = path
        ))];
        if let Ok(leaf) = parse(&chain[0], lang)
            && leaf.validity().not_after.timestamp() < OffsetDateTime::now_utc().unix_timestamp()
        {
            let date = leaf.validity().not_after;
            notes.push(owned(t!(
                "tls.note.expired",
                locale = locale,
                path = path,
                date = date
            )));
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
    pub fn local(dir: &Path, sans: &[String], lang: Lang) -> Result<Self, TlsError> {
        let (locale, shown) = (lang.code(), dir.display());
        let wanted: BTreeSet<String> = ALWAYS
            .iter()
            .map(|s| (*s).to_owned())
            .chain(sans.iter().map(|s| s.trim().to_ascii_lowercase()))
            .collect();
        fs::create_dir_all(dir).map_err(|e| cannot_write(dir, &e, lang))?;
        let files = Files::in_dir(dir);
        let mut notes = Vec::new();

        // The CA: reused while it is valid and can vouch for every name.
        let mut ca_made = false;
        let ca = match ca_if_usable(&files, &wanted, lang) {
            Ok(ca) => ca,
            Err(why) => {
                notes.push(owned(t!(
                    "tls.note.new_ca",
                    locale = locale,
                    dir = shown,
                    why = why
                )));
                if files.ca.exists() {
                    notes.push(owned(t!("tls.note.ca_replaced", locale = locale)));
                }
                ca_made = true;
                make_ca(&files, &wanted, lang)?
            }
        };
        // The server certificate: reused while valid, for the same names,
        // and signed by this CA.
        let reason = if ca_made {
            Some(owned(t!("tls.why.ca_new", locale = locale)))
        } else {
            leaf_needs_remaking(&files, &wanted, lang)
        };
        if let Some(why) = reason {
            notes.push(owned(t!("tls.note.new_leaf", locale = locale, why = why)));
            make_leaf(&files, &ca, &wanted, lang)?;
        } else {
            notes.push(owned(t!("tls.note.reusing", locale = locale, dir = shown)));
        }
        let mut identity = Self::load(&files.leaf, &files.leaf_key, lang)?;
        identity.ca = Some(files.ca.clone());
        identity.notes = notes;
        Ok(identity)
    }
    // ANCHOR_END: local

    /// A rustls server config presenting this identity, offering `alpn`
    /// (`h2`, `http/1.1`) in that order of preference; TLS 1.2 and 1.3.
    pub fn server_config(&self, alpn: &[&[u8]], lang: Lang) -> Result<ServerConfig, TlsError> {
        let locale = lang.code();
        let mut config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| error(t!("tls.error.setup", locale = locale, error = e)))?
            .with_no_client_auth()
            .with_single_cert(self.chain.clone(), self.key.clone_key())
            .map_err(|e| error(t!("tls.error.mismatch", locale = locale, error = e)))?;
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
    lang: Lang,
) -> Result<Issuer<'static, KeyPair>, String> {
    let locale = lang.code();
    let unreadable = |file: &str| owned(t!("tls.why.unreadable", locale = locale, file = file));
    let (Ok(pem), Ok(key)) = (
        fs::read_to_string(&files.ca),
        fs::read_to_string(&files.ca_key),
    ) else {
        return Err(owned(t!("tls.why.none", locale = locale)));
    };
    let der = CertificateDer::from_pem_slice(pem.as_bytes()).map_err(|_| unreadable("ca.pem"))?;
    let cert = parse(&der, lang).map_err(|_| unreadable("ca.pem"))?;
    if expires_within(&cert, Duration::days(1)) {
        return Err(owned(t!("tls.why.expired", locale = locale)));
    }
    let covered = permitted_names(&cert);
    if let Some(name) = wanted.iter().find(|name| !covered.contains(*name)) {
        return Err(owned(t!(
            "tls.why.cannot_vouch",
            locale = locale,
            name = name
        )));
    }
    let key = KeyPair::from_pem(&key).map_err(|_| unreadable("ca-key.pem"))?;
    Issuer::from_ca_cert_pem(&pem, key).map_err(|_| unreadable("ca.pem"))
}

/// Why the server certificate must be made again, if it must.
fn leaf_needs_remaking(files: &Files, wanted: &BTreeSet<String>, lang: Lang) -> Option<String> {
    let locale = lang.code();
    let Ok(chain) = read_certs(&files.leaf, lang) else {
        return Some(owned(t!("tls.why.none", locale = locale)));
    };
    if !files.leaf_key.exists() {
        return Some(owned(t!("tls.why.key_missing", locale = locale)));
    }
    let Ok(leaf) = parse(&chain[0], lang) else {
        return Some(owned(t!(
            "tls.why.unreadable",
            locale = locale,
            file = "server.pem"
        )));
    };
    if expires_within(&leaf, Duration::days(1)) {
        return Some(owned(t!("tls.why.expired", locale = locale)));
    }
    let names = subject_alt_names(&leaf);
    if names != *wanted {
        let join = |names: &BTreeSet<String>| lang.list(&names.iter().collect::<Vec<_>>());
        let (old, new) = (join(&names), join(wanted));
        return Some(owned(t!(
            "tls.why.names_changed",
            locale = locale,
            old = old,
            new = new
        )));
    }
    // Signed by the CA as it is now? (A CA made elsewhere in the meantime.)
    let ca = read_certs(&files.ca, lang).ok()?;
    let ca = parse(&ca[0], lang).ok()?;
    (leaf.issuer() != ca.subject()).then(|| owned(t!("tls.why.other_ca", locale = locale)))
}

/// Makes the local CA, constrained to the `wanted` names, and writes it.
fn make_ca(
    files: &Files,
    wanted: &BTreeSet<String>,
    lang: Lang,
) -> Result<Issuer<'static, KeyPair>, TlsError> {
    let locale = lang.code();
    let key = KeyPair::generate()
        .map_err(|e| error(t!("tls.error.make_key", locale = locale, error = e)))?;
    let now = OffsetDateTime::now_utc();
    let mut params = CertificateParams::default();
    // A name of its own: a client looks for a certificate's issuer by name,
    // so two local CAs (two machines, or one remade) must not share one. A
    // short hash of the CA's public key tells them apart; the day it was
    // made, in no language's words (a certificate outlives the language of
    // whoever made it: it is read in Chinese and English alike).
    let tag = {
        use std::hash::{DefaultHasher, Hash, Hasher};
        let mut hasher = DefaultHasher::new();
        key.public_key_raw().hash(&mut hasher);
        hasher.finish() as u32
    };
    params.distinguished_name.push(
        DnType::CommonName,
        format!(
            "net-lessons local CA {tag:08x} ({}-{:02}-{:02})",
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
        .map_err(|e| error(t!("tls.error.make_ca", locale = locale, error = e)))?;
    write(&files.ca, cert.pem().as_bytes(), false, lang)?;
    write(&files.ca_key, key.serialize_pem().as_bytes(), true, lang)?;
    Ok(Issuer::new(params, key))
}

// ANCHOR: leaf
/// Makes the server certificate for `wanted`, signed by `ca`, and writes it.
fn make_leaf(
    files: &Files,
    ca: &Issuer<'static, KeyPair>,
    wanted: &BTreeSet<String>,
    lang: Lang,
) -> Result<(), TlsError> {
    let locale = lang.code();
    let names: Vec<String> = wanted.iter().cloned().collect();
    let mut params = CertificateParams::new(names)
        .map_err(|e| error(t!("tls.error.bad_name", locale = locale, error = e)))?;
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
    let key = KeyPair::generate()
        .map_err(|e| error(t!("tls.error.make_key", locale = locale, error = e)))?;
    let cert = params
        .signed_by(&key, ca)
        .map_err(|e| error(t!("tls.error.sign", locale = locale, error = e)))?;
    write(&files.leaf, cert.pem().as_bytes(), false, lang)?;
    write(&files.leaf_key, key.serialize_pem().as_bytes(), true, lang)
}
// ANCHOR_END: leaf

/// The certificates in a PEM file, or one sentence (in `lang`) saying why not.
pub fn read_certs(path: &Path, lang: Lang) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let pem = read(path, lang)?;
    let chain: Result<Vec<_>, _> = CertificateDer::pem_slice_iter(&pem).collect();
    let (locale, path) = (lang.code(), path.display());
    match chain {
        Ok(chain) if !chain.is_empty() => Ok(chain),
        Ok(_) => Err(error(t!("tls.error.no_cert", locale = locale, path = path))),
        Err(e) => Err(error(t!(
            "tls.error.not_pem",
            locale = locale,
            path = path,
            error = e
        ))),
    }
}

fn read(path: &Path, lang: Lang) -> Result<Vec<u8>, TlsError> {
    fs::read(path).map_err(|e| {
        let path = path.display();
        error(t!(
            "tls.error.read",
            locale = lang.code(),
            path = path,
            error = crate::exit::io_error(&e, lang)
        ))
    })
}

/// Writes `bytes` to `path`; a private key readable by its owner only.
fn write(path: &Path, bytes: &[u8], private: bool, lang: Lang) -> Result<(), TlsError> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let _ = private;
    let mut file = options
        .open(path)
        .map_err(|e| cannot_write(path, &e, lang))?;
    // The mode above applies to a new file only; a key remade over an old
    // file gets it here.
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(|e| cannot_write(path, &e, lang))?;
    }
    io::Write::write_all(&mut file, bytes).map_err(|e| cannot_write(path, &e, lang))
}

fn cannot_write(path: &Path, e: &io::Error, lang: Lang) -> TlsError {
    let path = path.display();
    error(t!(
        "tls.error.write",
        locale = lang.code(),
        path = path,
        error = crate::exit::io_error(e, lang)
    ))
}

/// A DER certificate, parsed (why not, in `lang`).
pub fn parse<'a>(der: &'a CertificateDer<'_>, lang: Lang) -> Result<X509Certificate<'a>, TlsError> {
    X509Certificate::from_der(der)
        .map(|(_, cert)| cert)
        .map_err(|e| error(t!("tls.error.not_x509", locale = lang.code(), error = e)))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A directory of its own under the system's temp dir, removed after.
    fn in_temp_dir(name: &str, test: impl FnOnce(&Path)) {
        let dir = std::env::temp_dir().join(format!("common-tls-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        test(&dir);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_notes_and_errors_speak_chinese_when_asked() {
        in_temp_dir("zh", |dir| {
            let made = Identity::local(dir, &[], Lang::ZhCn).unwrap();
            let notes = made.notes.join("\n");
            assert!(notes.contains("新建了一个本地 CA（之前还没有）"), "{notes}");
            assert!(
                notes.contains("新签发了一张服务器证书（CA 是新建的）"),
                "{notes}"
            );
            let again = Identity::local(dir, &[], Lang::ZhCn).unwrap();
            assert!(again.notes[0].starts_with("继续使用"), "{:?}", again.notes);
            let english = Identity::local(dir, &[], Lang::En).unwrap();
            assert!(english.notes[0].starts_with("reusing the certificates in"));
            let missing = read_certs(&dir.join("missing.pem"), Lang::ZhCn).unwrap_err();
            assert!(missing.to_string().starts_with("无法读取"), "{missing}");
        });
    }
}
