//! `net.isIP` and friends, on the cases Node documents and a few traps.

use common::lang::Lang::{En, ZhCn};
use concepts::{explain, is_ip, is_ipv4, is_ipv6, kind, port_range};

#[test]
fn node_documented_examples() {
    // From Node's docs for net.isIP.
    assert_eq!(is_ip("::1"), 6);
    assert_eq!(is_ip("127.0.0.1"), 4);
    assert_eq!(is_ip("127.000.000.001"), 0);
    assert_eq!(is_ip("127.0.0.1/24"), 0);
    assert_eq!(is_ip("fhqwhgads"), 0);
}

#[test]
fn v4_and_v6_are_told_apart() {
    assert!(is_ipv4("192.168.10.255") && !is_ipv6("192.168.10.255"));
    assert!(is_ipv6("2001:db8::1") && !is_ipv4("2001:db8::1"));
    assert!(is_ipv6("::ffff:127.0.0.1"));
}

#[test]
fn near_misses_are_not_addresses() {
    for input in [
        "256.1.1.1",
        "1.2.3",
        "1.2.3.4.5",
        "localhost",
        "",
        " 127.0.0.1",
        "::1::2",
    ] {
        assert_eq!(is_ip(input), 0, "{input:?}");
    }
}

#[test]
fn kinds_match_the_chapter() {
    assert!(kind("127.0.0.1".parse().unwrap(), En).starts_with("loopback"));
    assert!(kind("::1".parse().unwrap(), En).starts_with("loopback"));
    assert!(kind("192.168.10.20".parse().unwrap(), En).starts_with("private"));
    assert!(kind("224.0.1.100".parse().unwrap(), En).starts_with("multicast"));
    assert!(kind("255.255.255.255".parse().unwrap(), En).starts_with("limited broadcast"));
    assert!(kind("8.8.8.8".parse().unwrap(), En).starts_with("global"));
    // IPv4 written as IPv6 is judged as the IPv4 it is.
    assert!(kind("::ffff:127.0.0.1".parse().unwrap(), En).starts_with("loopback"));
    assert!(kind("::ffff:192.168.1.1".parse().unwrap(), En).starts_with("private"));
    // The ranges reserved for examples are not "global".
    assert!(kind("2001:db8::1".parse().unwrap(), En).starts_with("documentation"));
    assert!(kind("192.0.2.1".parse().unwrap(), En).starts_with("documentation"));
}

#[test]
fn port_ranges_are_iana_s_three() {
    assert!(port_range(80, En).starts_with("system"));
    assert!(port_range(1023, En).starts_with("system"));
    assert!(port_range(1024, En).starts_with("user"));
    assert!(port_range(8124, En).starts_with("user"));
    assert!(port_range(49151, En).starts_with("user"));
    assert!(port_range(49152, En).starts_with("dynamic"));
    assert!(port_range(65535, En).starts_with("dynamic"));
    assert!(port_range(0, En).contains("ephemeral range"));
}

#[test]
fn kinds_and_ranges_in_chinese() {
    assert!(kind("127.0.0.1".parse().unwrap(), ZhCn).starts_with("回环地址"));
    assert!(port_range(80, ZhCn).starts_with("系统端口"));
    let line = explain("256.1.1.1", ZhCn);
    assert!(
        line.contains("isIP=0") && line.contains("不是 IP 地址"),
        "{line}"
    );
    let line = explain("256.1.1.1", En);
    assert!(
        line.contains("not an address (invalid IP address syntax)"),
        "{line}"
    );
}
