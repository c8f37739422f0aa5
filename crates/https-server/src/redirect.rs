//! `--redirect-from PORT`: a plain-HTTP listener that sends every request to
//! the same path on HTTPS, as sites do on port 80.
//!
//! `307 Temporary Redirect` by default: the browser asks again next time.
//! `--permanent` makes it `308 Permanent Redirect`, which a browser keeps
//! for that origin: in a classroom, a later lesson on the same port would
//! be sent to https too, hence temporary by default. (301 and 302 would let
//! a browser turn a POST into a GET; 307 and 308 keep the method.)

use std::convert::Infallible;
use std::future::Future;
use std::str::FromStr;

use common::lang::Lang;
use http::header::{HOST, HeaderValue, LOCATION};
use http::uri::Authority;
use http::{Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rust_i18n::t;
use tokio::net::TcpListener;
use tokio_util::task::TaskTracker;
use tracing::{debug, info};

use crate::server::{Body, text};

// ANCHOR: location
/// Where a plain-HTTP request should go: the same host (from its `Host`
/// header), our HTTPS port, the same path. `None` if there is no `Host`, or
/// it is not a host (the redirect is built from it, so it must be one).
pub fn location(request: &Request<Incoming>, https_port: u16) -> Option<String> {
    let host = request.headers().get(HOST)?.to_str().ok()?;
    // `Authority` parses `host[:port]`, `[::1]:80` included, and refuses
    // what is not one (spaces, `/`, `@`…).
    let authority = Authority::from_str(host).ok()?;
    if authority.as_str().contains('@') {
        return None;
    }
    let host = authority.host();
    let port = if https_port == 443 {
        String::new()
    } else {
        format!(":{https_port}")
    };
    let path = request.uri().path_and_query().map_or("/", |p| p.as_str());
    Some(format!("https://{host}{port}{path}"))
}
// ANCHOR_END: location

/// The answer to one plain-HTTP request, its words in the visitor's
/// language (`Accept-Language`, else `default`).
fn redirect(
    request: &Request<Incoming>,
    https_port: u16,
    permanent: bool,
    default: Lang,
) -> Response<Body> {
    let chosen = crate::language::choose(None, request.headers(), default);
    let locale = chosen.lang.code();
    let Some(location) = location(request, https_port) else {
        return text(
            StatusCode::BAD_REQUEST,
            &t!("http.no_host", locale = locale),
        );
    };
    let status = if permanent {
        StatusCode::PERMANENT_REDIRECT
    } else {
        StatusCode::TEMPORARY_REDIRECT
    };
    let body = t!(
        "http.moved",
        locale = locale,
        status = status,
        location = location
    );
    let mut response = text(status, &body);
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(LOCATION, value);
    }
    let from = request.uri().path();
    let line = t!(
        "log.redirected",
        locale = default.code(),
        from = from,
        location = location
    );
    info!("{line}");
    crate::language::marked(response, chosen)
}

/// Answers every request on `listener` with a redirect to `https_port`,
/// until `shutdown` resolves; `lang` is `--lang`.
pub async fn serve(
    listener: TcpListener,
    https_port: u16,
    permanent: bool,
    lang: Lang,
    shutdown: impl Future<Output = ()>,
) {
    let tracker = TaskTracker::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = common::net::accept(&listener) => accepted,
            () = &mut shutdown => break,
        };
        let service = service_fn(move |request: Request<Incoming>| async move {
            Ok::<_, Infallible>(redirect(&request, https_port, permanent, lang))
        });
        tracker.spawn(async move {
            // half_close: `nc -N`, which shuts its sending side after the
            // request, still gets the redirect.
            let connection = http1::Builder::new()
                .half_close(true)
                .serve_connection(TokioIo::new(stream), service);
            if let Err(error) = connection.await {
                debug!(%peer, %error, "redirect connection ended with an error");
            }
        });
    }
    tracker.close();
    // Redirects are answered at once: nothing in flight to wait for long.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), tracker.wait()).await;
}
