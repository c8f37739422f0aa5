//! A demo's steps, which a teacher can pace: `demo --step` waits for Enter
//! before each step, so the class can look at one step at a time.

use std::io::{IsTerminal, Write};

use rust_i18n::t;

use crate::lang::Lang;

/// `--step`, for every `demo` subcommand: flatten it into its arguments.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct DemoArgs {
    /// Wait for Enter between the demo's steps (when run in a terminal), so
    /// a teacher can explain each one
    #[arg(long)]
    pub step: bool,
}

/// Numbers a demo's steps and prints a heading before each. With `--step`
/// and a terminal on stdin, it waits for Enter first; without a terminal
/// (a pipe, a test, CI) it runs straight through. A demo keeps its
/// timeouts around each exchange, never around a whole step, so none fires
/// while it waits here.
#[derive(Debug)]
pub struct Steps {
    lang: Lang,
    pause: bool,
    done: usize,
}

impl Steps {
    pub fn new(args: &DemoArgs, lang: Lang) -> Self {
        Self {
            lang,
            pause: args.step && std::io::stdin().is_terminal(),
            done: 0,
        }
    }

    /// Starts the next step: waits for Enter if pacing, then prints
    /// `── step 2: bob joins ──` (in the demo's language).
    pub async fn next(&mut self, title: &str) {
        self.done += 1;
        let locale = self.lang.code();
        if self.pause && self.done > 1 {
            print!("{} ", t!("demo.press_enter", locale = locale));
            let _ = std::io::stdout().flush();
            // Reading stdin blocks a thread: not one of the runtime's.
            let _ = tokio::task::spawn_blocking(|| {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)
            })
            .await;
        }
        let heading = t!("demo.step", locale = locale, n = self.done, title = title);
        println!("\n── {heading} ──");
    }
}
