//! `concepts`: chapter 1's addresses and ports, runnable. See `src/lib.rs`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// IP addresses and ports (chapter 1 of the Node.js networking tutorial).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// ANCHOR: command
#[derive(Debug, Subcommand)]
enum Command {
    /// net.isIP / isIPv4 / isIPv6 for each ADDRESS, and what kind of address it is.
    IsIp {
        #[arg(required = true, value_name = "ADDRESS")]
        addresses: Vec<String>,
    },
    /// Which of IANA's three port ranges each PORT is in (the seed gives two).
    Port {
        #[arg(required = true, value_name = "PORT")]
        ports: Vec<u16>,
    },
    /// Run both on the chapter's examples.
    Demo,
}
// ANCHOR_END: command

// ANCHOR: main
fn main() -> ExitCode {
    match Cli::parse().command {
        Command::IsIp { addresses } => addresses
            .iter()
            .for_each(|a| println!("{}", concepts::explain(a))),
        Command::Port { ports } => ports
            .iter()
            .for_each(|p| println!("{p:<6} {}", concepts::port_range(*p))),
        Command::Demo => demo(),
    }
    ExitCode::SUCCESS
}
// ANCHOR_END: main

fn demo() {
    println!("── is it an IP address? (Node: net.isIP, net.isIPv4, net.isIPv6)");
    let examples = [
        "127.0.0.1",
        "::1",
        "192.168.10.20",
        "0.0.0.0",
        "224.0.1.100",
        "255.255.255.255",
        "8.8.8.8",
        "fe80::1",
        "256.1.1.1",
        "localhost",
    ];
    for input in examples {
        println!("  {}", concepts::explain(input));
    }
    println!("\n── ports (Node: server.listen(port))");
    for port in [0, 22, 80, 443, 1023, 1024, 3000, 8124, 49151, 49152, 65535] {
        println!("  {port:<6} {}", concepts::port_range(port));
    }
    println!("\n── try next");
    println!("  ping -c 3 127.0.0.1      the loopback interface answers: your network stack works");
    println!("  ss -tlnp                 which programs listen on which TCP ports");
    println!("  lsof -i :8124            who holds port 8124 (start `just ch2-echo` first)");
}
