//! Which language a web server's own answers are in (chapters 4 and 5:
//! http-static's listing and errors, http-template's pages, https-server's
//! page): chosen per request, never for the whole server, so two browsers
//! in two languages each get theirs. Behind the `web` feature.
//!
//! In order: `?lang=zh-CN` or `?lang=en` on the URL (the switch link on the
//! page), then the `lang` cookie that link sets (so the next
//! pages stay in that language), then the browser's `Accept-Language`,
//! then the server's own `--lang`.
//!
//! The same URL now has two answers, so every one says so:
//! `Vary: Accept-Language, Cookie` (a cache keeps one copy per language),
//! `Content-Language`, and a page's `ETag` differs per language (a cache
//! revalidating the Chinese page never gets a 304 for the English one).

use std::hash::{DefaultHasher, Hash, Hasher};

use crate::lang::Lang;
use http::HeaderMap;
use http::header::{ACCEPT_LANGUAGE, CONTENT_LANGUAGE, COOKIE, HeaderValue, SET_COOKIE, VARY};

/// The cookie that remembers the switch.
pub const COOKIE_NAME: &str = "lang";

/// The language of one answer, and whether the URL asked for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chosen {
    pub lang: Lang,
    /// `?lang=…` was on the URL: remember it in the cookie.
    pub from_url: bool,
}

/// The language for a request with this `query` and these `headers`;
/// `default` is the server's `--lang`.
pub fn choose(query: Option<&str>, headers: &HeaderMap, default: Lang) -> Chosen {
    // `lang=zh-CN` among the query's `name=value` pairs (both values are
    // plain ASCII: nothing to decode).
    let asked = query
        .into_iter()
        .flat_map(|query| query.split('&'))
        .find_map(|pair| pair.strip_prefix("lang="))
        .and_then(Lang::from_tag);
    if let Some(lang) = asked {
        return Chosen {
            lang,
            from_url: true,
        };
    }
    let header = |name| headers.get_all(name).iter().filter_map(|v| v.to_str().ok());
    let cookie = header(COOKIE)
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .and_then(|(_, value)| Lang::from_tag(value));
    let browser = || header(ACCEPT_LANGUAGE).find_map(Lang::from_accept_language);
    Chosen {
        lang: cookie.or_else(browser).unwrap_or(default),
        from_url: false,
    }
}

/// Marks an answer in `chosen`'s language: `Vary`, `Content-Language`, and
/// the cookie when the URL chose.
pub fn mark(headers: &mut HeaderMap, chosen: Chosen) {
    headers.insert(VARY, HeaderValue::from_static("Accept-Language, Cookie"));
    headers.insert(
        CONTENT_LANGUAGE,
        HeaderValue::from_static(chosen.lang.code()),
    );
    if chosen.from_url {
        let cookie = format!(
            "{COOKIE_NAME}={}; Path=/; Max-Age=31536000; SameSite=Lax",
            chosen.lang.code()
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.insert(SET_COOKIE, value);
        }
    }
}

/// `response`, [`mark`]ed: for the server's own answers.
pub fn marked<B>(mut response: http::Response<B>, chosen: Chosen) -> http::Response<B> {
    mark(response.headers_mut(), chosen);
    response
}

/// A page's `ETag`: its language and a hash of its bytes, so it changes
/// when the page does, and differs between the two languages.
pub fn etag(lang: Lang, body: &[u8]) -> HeaderValue {
    let mut hasher = DefaultHasher::new();
    body.hash(&mut hasher);
    let tag = format!("\"{}-{:016x}\"", lang.code(), hasher.finish());
    HeaderValue::from_str(&tag).unwrap_or(HeaderValue::from_static("\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn the_url_wins_then_the_cookie_then_the_browser_then_the_server() {
        let browser_zh = headers(&[("accept-language", "zh-CN,zh;q=0.9")]);
        let chosen = choose(Some("lang=en"), &browser_zh, Lang::ZhCn);
        assert_eq!(
            chosen,
            Chosen {
                lang: Lang::En,
                from_url: true
            }
        );
        let cookie_en = headers(&[("accept-language", "zh-CN"), ("cookie", "a=b; lang=en")]);
        assert_eq!(choose(None, &cookie_en, Lang::ZhCn).lang, Lang::En);
        assert_eq!(
            choose(Some("page=2"), &browser_zh, Lang::En).lang,
            Lang::ZhCn
        );
        assert_eq!(choose(None, &HeaderMap::new(), Lang::ZhCn).lang, Lang::ZhCn);
        assert_eq!(
            choose(Some("lang=fr"), &HeaderMap::new(), Lang::En).lang,
            Lang::En
        );
    }

    #[test]
    fn the_etag_differs_per_language() {
        assert_ne!(etag(Lang::En, b"page"), etag(Lang::ZhCn, b"page"));
        assert_eq!(etag(Lang::En, b"page"), etag(Lang::En, b"page"));
    }
}
