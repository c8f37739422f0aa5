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
//! ```

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

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
/// What kind of address this is, in the chapter's terms.
pub fn kind(ip: IpAddr) -> &'static str {
    // `::ffff:127.0.0.1` is an IPv4 address written as IPv6: judge the IPv4.
    match ip.to_canonical() {
        ip if ip.is_loopback() => "loopback: this machine itself (ping 127.0.0.1, ping ::1)",
        ip if ip.is_unspecified() => "unspecified: \"every interface\" when a server binds it",
        ip if ip.is_multicast() => "multicast: a group address (chapter 3)",
        IpAddr::V4(v4) if v4.is_broadcast() => {
            "limited broadcast: everyone on this LAN (chapter 3)"
        }
        IpAddr::V4(v4) if v4.is_private() => {
            "private: a home or classroom LAN, not routed on the internet"
        }
        IpAddr::V4(v4) if v4.is_link_local() => "link-local: self-assigned, this link only",
        IpAddr::V4(v4) if v4.is_documentation() => "documentation: for examples, never routed",
        IpAddr::V6(v6) if v6.segments()[..2] == [0x2001, 0x0db8] => {
            "documentation: for examples, never routed"
        }
        IpAddr::V6(v6) if v6.is_unicast_link_local() => "link-local: self-assigned, this link only",
        IpAddr::V6(v6) if v6.is_unique_local() => "unique local: IPv6's private range",
        _ => "global: routable on the internet",
    }
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
pub fn port_range(port: u16) -> &'static str {
    match port {
        0 => {
            "0: not a real port; binding it asks the OS for a free one from its ephemeral range (Linux: 32768-60999)"
        }
        1..=1023 => "system (well-known, 0-1023): HTTP 80, HTTPS 443; binding needs root on Linux",
        1024..=49151 => "user (registered, 1024-49151): assigned to applications, free to use",
        49152..=65535 => "dynamic (private, 49152-65535): never assigned; free to use",
    }
}
// ANCHOR_END: port_range

// ANCHOR: explain
/// One line about `input`: what `net.isIP` and friends say, and what it is.
pub fn explain(input: &str) -> String {
    let verdict = format!(
        "isIP={} isIPv4={} isIPv6={}",
        is_ip(input),
        is_ipv4(input),
        is_ipv6(input)
    );
    match input.parse::<IpAddr>() {
        Ok(ip) => format!("{input:<18} {verdict}  {}", kind(ip)),
        Err(error) => format!("{input:<18} {verdict}  not an address ({error})"),
    }
}
// ANCHOR_END: explain
