//! How a lesson binary ends when something goes wrong: one line, no backtrace.

use std::error::Error;
use std::process::ExitCode;

use crate::lang::Lang;
use crate::net::BindError;

/// Prints `program: error` (with its causes, `: `-separated) to stderr and
/// returns exit code 1; `Ok` becomes exit code 0. Every `main` ends with it:
///
/// ```no_run
/// fn main() -> std::process::ExitCode {
///     common::exit::report("tcp-echo", Ok::<(), std::io::Error>(()))
/// }
/// ```
pub fn report<E: Into<Box<dyn Error>>>(program: &str, result: Result<(), E>) -> ExitCode {
    report_in(Lang::from_system(), program, result)
}

/// [`report`] in `lang`: a [`BindError`] (port in use, …) is said in it;
/// a lesson's own errors are worded in `lang` where they are made.
pub fn report_in<E: Into<Box<dyn Error>>>(
    lang: Lang,
    program: &str,
    result: Result<(), E>,
) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let error: Box<dyn Error> = error.into();
            let mut line = match error.downcast_ref::<BindError>() {
                Some(bind) => format!("{program}: {}", bind.localized(lang)),
                None => format!("{program}: {error}"),
            };
            let mut source = error.source();
            while let Some(cause) = source {
                line.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            eprintln!("{line}");
            ExitCode::FAILURE
        }
    }
}
