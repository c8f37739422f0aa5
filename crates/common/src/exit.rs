//! How a lesson binary ends when something goes wrong: one line, no backtrace.

use std::error::Error;
use std::io;
use std::process::ExitCode;

use rust_i18n::t;

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
                None => format!("{program}: {}", said(error.as_ref(), lang)),
            };
            let mut source = error.source();
            while let Some(cause) = source {
                line.push_str(&format!(": {}", said(cause, lang)));
                source = cause.source();
            }
            eprintln!("{line}");
            ExitCode::FAILURE
        }
    }
}

/// `error` as a person reads it in `lang`: an OS error in words of `lang`
/// (see [`io_error`]), anything else as it says itself.
fn said(error: &(dyn Error + 'static), lang: Lang) -> String {
    match error.downcast_ref::<io::Error>() {
        Some(io) => io_error(io, lang),
        None => error.to_string(),
    }
}

/// An error from the OS, said in `lang`, for a line a person reads:
/// `Connection refused (os error 111)` in English (Rust's own words), and
/// in Chinese the same kind in Chinese with the same code
/// (`连接被拒绝（系统错误码 111）`), so that a Chinese sentence does not end
/// in English. Errors that are not the OS's (a library's own message) and
/// kinds without a Chinese text stay as they are.
pub fn io_error(error: &io::Error, lang: Lang) -> String {
    use io::ErrorKind as K;
    let (Lang::ZhCn, Some(code)) = (lang, error.raw_os_error()) else {
        return error.to_string();
    };
    let key = match error.kind() {
        K::ConnectionRefused => "io.connection_refused",
        K::ConnectionReset => "io.connection_reset",
        K::ConnectionAborted => "io.connection_aborted",
        K::NotConnected => "io.not_connected",
        K::BrokenPipe => "io.broken_pipe",
        K::AddrInUse => "io.addr_in_use",
        K::AddrNotAvailable => "io.addr_not_available",
        K::PermissionDenied => "io.permission_denied",
        K::NotFound => "io.not_found",
        K::AlreadyExists => "io.already_exists",
        K::TimedOut => "io.timed_out",
        K::HostUnreachable => "io.host_unreachable",
        K::NetworkUnreachable => "io.network_unreachable",
        K::NetworkDown => "io.network_down",
        K::InvalidInput => "io.invalid_input",
        K::Interrupted => "io.interrupted",
        K::Unsupported => "io.unsupported",
        _ => return error.to_string(),
    };
    let what = t!(key, locale = lang.code());
    t!(
        "io.with_code",
        locale = lang.code(),
        what = what,
        code = code
    )
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_errors_are_said_in_chinese_with_their_code() {
        let refused = io::Error::from_raw_os_error(111);
        if refused.kind() != io::ErrorKind::ConnectionRefused {
            return; // not Linux's numbering
        }
        assert_eq!(
            io_error(&refused, Lang::ZhCn),
            "连接被拒绝（系统错误码 111）"
        );
        assert_eq!(
            io_error(&refused, Lang::En),
            "Connection refused (os error 111)"
        );
        let denied = io::Error::from_raw_os_error(13);
        assert_eq!(io_error(&denied, Lang::ZhCn), "没有权限（系统错误码 13）");
    }

    #[test]
    fn a_library_message_stays_as_it_is() {
        let own = io::Error::other("the lesson's own words");
        assert_eq!(io_error(&own, Lang::ZhCn), "the lesson's own words");
        let boxed: Box<dyn Error> = Box::new(io::Error::from_raw_os_error(13));
        assert!(said(boxed.as_ref(), Lang::ZhCn).starts_with("没有权限"));
    }
}
