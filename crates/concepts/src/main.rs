//! `concepts`: chapter 1's addresses and ports, runnable. See `src/lib.rs`.
//! `--lang zh-CN` (or LANG=zh_CN.UTF-8) prints in Chinese.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use common::demo::{DemoArgs, Steps};
use common::lang::{Lang, LangArgs};

/// IP addresses and ports (chapter 1 of the Node.js networking tutorial).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    lang: LangArgs,
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
    Demo {
        #[command(flatten)]
        demo: DemoArgs,
    },
}
// ANCHOR_END: command

// ANCHOR: main
fn main() -> ExitCode {
    // `--help` in the user's language; `lang` for everything we print.
    let cli: Cli = common::lang::parse(concepts::help_text);
    let lang = cli.lang.resolve();
    match cli.command {
        Command::IsIp { addresses } => addresses
            .iter()
            .for_each(|a| println!("{}", concepts::explain(a, lang))),
        Command::Port { ports } => ports
            .iter()
            .for_each(|p| println!("{p:<6} {}", concepts::port_range(*p, lang))),
        Command::Demo { demo: args } => demo(&args, lang),
    }
    ExitCode::SUCCESS
}
// ANCHOR_END: main

fn demo(args: &DemoArgs, lang: Lang) {
    // `Steps` waits for Enter between steps with `--step`: a small runtime
    // runs it, since this program is otherwise not async.
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    runtime.block_on(async {
        let mut steps = Steps::new(args, lang);
        let say = |key: &str| concepts::text(lang, key);
        steps.next(&say("demo.is_ip")).await;
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
            println!("  {}", concepts::explain(input, lang));
        }
        steps.next(&say("demo.ports")).await;
        for port in [0, 22, 80, 443, 1023, 1024, 3000, 8124, 49151, 49152, 65535] {
            println!("  {port:<6} {}", concepts::port_range(port, lang));
        }
        steps.next(&say("demo.try_next")).await;
        println!("  ping -c 3 127.0.0.1      {}", say("demo.ping"));
        println!("  ss -tlnp                 {}", say("demo.ss"));
        println!("  lsof -i :8124            {}", say("demo.lsof"));
    });
}
