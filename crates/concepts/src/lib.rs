//! Chapter 1, 网络通信相关概念: IP addresses and ports, in code you can run.
//!
//! Node answers "is this an IP address?" with `net.isIP(input)` (4, 6 or 0),
//! `net.isIPv4` and `net.isIPv6`. Rust answers by *parsing*: `"::1".parse::<IpAddr>()`
//! either gives an address you can use or an error, so a string that was
//! checked and the address you then use can never drift apart.
//!
//! ```text
//! $ just ch1-is-ip 127.0.0.1 ::1 localhost
//! $ cargo run -p concepts -- demo
//! $ cargo run -p concepts -- --lang zh-CN is-ip ::1    # 中文输出
//! ```
//!
//! Every sentence it prints is in `locales/app.yml`, in English and
//! Chinese; the language is passed along (`--lang`, or LANG).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use common::lang::Lang;
use rust_i18n::t;

rust_i18n::i18n!("locales", fallback = "en");

/// A `--help` text in `lang`, for `common::lang::parse`.
pub fn help_text(lang: Lang, key: &str) -> Option<String> {
    _rust_i18n_try_translate(lang.code(), key).map(|text| text.into_owned())
}

/// One of this crate's sentences in `lang`.
pub fn text(lang: Lang, key: &str) -> String {
    t!(key, locale = lang.code()).into_owned()
}

// ANCHOR: is_ip
/// `net.isIP(input)`: 4 for an IPv4 address, 6 for IPv6, 0 for anything else.
pub fn is_ip(input: &str) -> u8 {
    match input.parse::<IpAddr>() {
        Ok(IpAddr::V4(_)) => 4,
        Ok(IpAddr::V6(_)) => 6,
        Err(_) => 0,
    }
}

/// `net.isIPv4(input)`
pub fn is_ipv4(input: &str) -> bool {
    input.parse::<Ipv4Addr>().is_ok()
}

/// `net.isIPv6(input)`
pub fn is_ipv6(input: &str) -> bool {
    input.parse::<Ipv6Addr>().is_ok()
}
// ANCHOR_END: is_ip

// ANCHOR: kind
/// What kind of address this is, in the chapter's terms, in `lang`
/// (the sentences are `kind.*` in `locales/app.yml`).
pub fn kind(ip: IpAddr, lang: Lang) -> String {
    // `::ffff:127.0.0.1` is an IPv4 address written as IPv6: judge the IPv4.
    let key = match ip.to_canonical() {
        ip if ip.is_loopback() => "kind.loopback",
        ip if ip.is_unspecified() => "kind.unspecified",
        ip if ip.is_multicast() => "kind.multicast",
        IpAddr::V4(v4) if v4.is_broadcast() => "kind.broadcast",
        IpAddr::V4(v4) if v4.is_private() => "kind.private",
        IpAddr::V4(v4) if v4.is_link_local() => "kind.link_local",
        IpAddr::V4(v4) if v4.is_documentation() => "kind.documentation",
        IpAddr::V6(v6) if v6.segments()[..2] == [0x2001, 0x0db8] => "kind.documentation",
        IpAddr::V6(v6) if v6.is_unicast_link_local() => "kind.link_local",
        IpAddr::V6(v6) if v6.is_unique_local() => "kind.unique_local",
        _ => "kind.global",
    };
    text(lang, key)
}
// ANCHOR_END: kind

// ANCHOR: port_range
/// Which of IANA's three port ranges (RFC 6335) `port` is in. The seed
/// gives two, 0–1023 and 1024–65535; IANA splits the second in two:
///
/// - system ("well-known") ports, 0–1023: HTTP's 80, HTTPS's 443. Binding
///   one needs root on Linux (or the `CAP_NET_BIND_SERVICE` capability);
///   not on Windows, nor on macOS since 10.14 for a server that binds
///   every interface (`0.0.0.0`);
/// - user ("registered") ports, 1024–49151: assigned to applications
///   (MySQL's 3306), but any program may use a free one;
/// - dynamic ("private") ports, 49152–65535: never assigned.
///
/// A client's port, and a server's `--port 0`, come from the OS's own
/// *ephemeral* range instead: on Linux 32768–60999
/// (`/proc/sys/net/ipv4/ip_local_port_range`), on Windows and macOS IANA's
/// dynamic range.
pub fn port_range(port: u16, lang: Lang) -> String {
    let key = match port {
        0 => "port.zero",
        1..=1023 => "port.system",
        1024..=49151 => "port.user",
        49152..=65535 => "port.dynamic",
    };
    text(lang, key)
}
// ANCHOR_END: port_range

// ANCHOR: explain
/// One line about `input`: what `net.isIP` and friends say, and what it is
/// (in `lang`; the `isIP=4` part is Node's, the same in both).
pub fn explain(input: &str, lang: Lang) -> String {
    let verdict = format!(
        "isIP={} isIPv4={} isIPv6={}",
        is_ip(input),
        is_ipv4(input),
        is_ipv6(input)
    );
    match input.parse::<IpAddr>() {
        Ok(ip) => format!("{input:<18} {verdict}  {}", kind(ip, lang)),
        // Rust's only reason here is "invalid IP address syntax".
        Err(_) => {
            let why = t!("explain.not_address", locale = lang.code());
            format!("{input:<18} {verdict}  {why}")
        }
    }
}
// ANCHOR_END: explain
