//! The certificates: made on first run, kept between runs, made again when
//! they must be; names added with `--san`; a CA that can vouch for nothing
//! else; private keys readable by their owner only.

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::sync::Arc;

use common::lang::Lang;
use common::tls::{Identity, parse, permitted_names, read_certs, subject_alt_names};
use rcgen::{CertificateParams, Issuer, KeyPair};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls_pki_types::{ServerName, UnixTime};

fn names(identity: &Identity) -> Vec<String> {
    subject_alt_names(&parse(&identity.chain[0], Lang::En).unwrap())
        .into_iter()
        .collect()
}

#[test]
fn certificates_are_kept_between_runs_and_made_again_when_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let first = Identity::local(dir.path(), &[], Lang::En).unwrap();
    assert!(
        first.notes[0].contains("made a new local CA"),
        "{:?}",
        first.notes
    );
    let again = Identity::local(dir.path(), &[], Lang::En).unwrap();
    assert_eq!(
        again.chain, first.chain,
        "the same certificate, byte for byte"
    );
    assert!(again.notes[0].contains("reusing"), "{:?}", again.notes);

    // The server certificate gone: a new one, from the same CA.
    let ca_before = fs::read(dir.path().join("ca.pem")).unwrap();
    fs::remove_file(dir.path().join("server.pem")).unwrap();
    let remade = Identity::local(dir.path(), &[], Lang::En).unwrap();
    assert_ne!(remade.chain, first.chain);
    assert_eq!(fs::read(dir.path().join("ca.pem")).unwrap(), ca_before);
    assert!(
        remade
            .notes
            .iter()
            .any(|n| n.contains("new server certificate"))
    );

    // The CA gone: both made again.
    fs::remove_file(dir.path().join("ca.pem")).unwrap();
    let fresh = Identity::local(dir.path(), &[], Lang::En).unwrap();
    assert_ne!(fs::read(dir.path().join("ca.pem")).unwrap(), ca_before);
    assert_ne!(fresh.chain, remade.chain);
}

#[test]
fn a_san_is_in_the_certificate_and_the_ca_vouches_for_it_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let identity = Identity::local(
        dir.path(),
        &["192.168.1.23".into(), "Teacher.local".into()],
        Lang::En,
    )
    .unwrap();
    assert_eq!(
        names(&identity),
        [
            "127.0.0.1",
            "192.168.1.23",
            "::1",
            "localhost",
            "teacher.local"
        ]
    );
    let ca = read_certs(&dir.path().join("ca.pem"), Lang::En).unwrap();
    let vouches = permitted_names(&parse(&ca[0], Lang::En).unwrap());
    assert!(
        vouches.contains("192.168.1.23") && vouches.contains("teacher.local"),
        "{vouches:?}"
    );

    // Fewer names: only the server certificate is made again.
    let ca_before = fs::read(dir.path().join("ca.pem")).unwrap();
    let fewer = Identity::local(dir.path(), &["192.168.1.23".into()], Lang::En).unwrap();
    assert_eq!(names(&fewer).len(), 4);
    assert_eq!(fs::read(dir.path().join("ca.pem")).unwrap(), ca_before);
    // A name the CA cannot vouch for: the CA is made again too.
    let more = Identity::local(dir.path(), &["10.0.0.5".into()], Lang::En).unwrap();
    assert!(
        more.notes[0].contains("could not vouch for 10.0.0.5"),
        "{:?}",
        more.notes
    );
    assert_ne!(fs::read(dir.path().join("ca.pem")).unwrap(), ca_before);
}

// ANCHOR: forged
#[test]
fn a_certificate_the_local_ca_signs_for_another_site_is_refused_by_a_client() {
    // Someone with the CA's key (a student's machine, stolen) signs a
    // certificate for example.com: a client that trusts the CA must still
    // refuse it, because the CA's name constraints do not cover that name.
    let dir = tempfile::tempdir().unwrap();
    Identity::local(dir.path(), &[], Lang::En).unwrap();
    let ca_pem = fs::read_to_string(dir.path().join("ca.pem")).unwrap();
    let ca_key =
        KeyPair::from_pem(&fs::read_to_string(dir.path().join("ca-key.pem")).unwrap()).unwrap();
    let issuer = Issuer::from_ca_cert_pem(&ca_pem, ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let forged = CertificateParams::new(vec!["example.com".to_owned()])
        .unwrap()
        .signed_by(&key, &issuer)
        .unwrap();

    let roots = https_server::client::roots(Some(&dir.path().join("ca.pem")), Lang::En).unwrap();
    let verifier =
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots), common::tls::provider())
            .build()
            .unwrap();
    let name = ServerName::try_from("example.com").unwrap();
    let verdict = verifier.verify_server_cert(forged.der(), &[], &name, &[], UnixTime::now());
    let refused = verdict.expect_err("a forged certificate for example.com was accepted");
    assert!(
        format!("{refused:?}").contains("NameConstraint"),
        "{refused:?}"
    );
    // The same CA's real certificate, for its own name, is accepted.
    let real = read_certs(&dir.path().join("server.pem"), Lang::En).unwrap();
    let localhost = ServerName::try_from("localhost").unwrap();
    assert!(
        verifier
            .verify_server_cert(&real[0], &[], &localhost, &[], UnixTime::now())
            .is_ok()
    );
}
// ANCHOR_END: forged

#[cfg(unix)]
#[test]
fn private_keys_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    Identity::local(dir.path(), &[], Lang::En).unwrap();
    // A key remade over a file that someone made readable to all.
    let leaf_key = dir.path().join("server-key.pem");
    fs::set_permissions(&leaf_key, fs::Permissions::from_mode(0o644)).unwrap();
    fs::remove_file(dir.path().join("server.pem")).unwrap();
    let identity = Identity::local(dir.path(), &[], Lang::En).unwrap();
    assert!(
        identity
            .notes
            .iter()
            .any(|n| n.contains("new server certificate")),
        "{:?}",
        identity.notes
    );
    for file in ["ca-key.pem", "server-key.pem"] {
        let mode = fs::metadata(dir.path().join(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{file}: {mode:o}");
    }
}

/// A server on 0.0.0.0 announces its LAN addresses to students; those the
/// certificate does not name get one sentence saying which `--san` adds them.
#[test]
fn students_addresses_missing_from_the_certificate_are_pointed_out() {
    use https_server::page::{not_named, san_warning};
    let lan: std::net::IpAddr = "192.168.1.23".parse().unwrap();
    let loopback: std::net::IpAddr = "127.0.0.1".parse().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let plain = Identity::local(dir.path(), &[], Lang::En).unwrap();
    let missing = not_named(&plain.chain[0], &[lan, loopback], Lang::En);
    assert_eq!(missing, vec![lan]);
    let english = san_warning(&missing, Lang::En).unwrap();
    assert!(english.contains("--san 192.168.1.23"), "{english}");
    let chinese = san_warning(&missing, Lang::ZhCn).unwrap();
    assert!(chinese.contains("证书里没有 192.168.1.23"), "{chinese}");
    assert!(chinese.contains("--san 192.168.1.23"), "{chinese}");

    let named = Identity::local(dir.path(), &["192.168.1.23".into()], Lang::En).unwrap();
    assert!(not_named(&named.chain[0], &[lan], Lang::En).is_empty());
    assert_eq!(san_warning(&[], Lang::En), None);
}

/// The page's dates, as each language writes them (UTC either way).
#[test]
fn certificate_dates_are_written_for_the_language() {
    let dir = tempfile::tempdir().unwrap();
    let identity = Identity::local(dir.path(), &[], Lang::En).unwrap();
    let cert = https_server::page::Certificate::of(&identity.chain[0], Lang::ZhCn);
    let (from, until) = cert.dates(Lang::ZhCn);
    assert!(from.contains('年') && from.ends_with("（UTC）"), "{from}");
    assert!(until.contains('月') && until.contains('日'), "{until}");
    let (from, _) = cert.dates(Lang::En);
    assert!(from.ends_with(" UTC") && from.starts_with("20"), "{from}");
    assert!(!cert.subject.contains("made"), "{}", cert.subject);
}
