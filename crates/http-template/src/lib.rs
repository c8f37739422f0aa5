//! Chapter 4, 使用模板引擎处理动态页面 … 实现一个留言本案例: pages made from
//! templates and data, and a guestbook whose messages live in a database.
//!
//! The seed renders its todo list with art-template: read the template
//! file, fill in `message` and `todos`, `res.end(html)`; that is
//! `examples/todos.rs`, to read first (`cargo run -p http-template
//! --example todos`). The seed's last sections (using a database, a
//! guestbook) are only titles; this crate writes them:
//!
//! - [`pages`]: minijinja templates from `templates/`, each extending
//!   `base.html`, with HTML escaping on (a visitor's `<script>` is shown,
//!   not run); `--reload` picks up an edited template on the next request.
//! - [`form`]: the guestbook form decoded by `serde_urlencoded`, checked,
//!   and shown again with the visitor's input and the problems when wrong.
//! - [`store`]: SQLite through rusqlite, on a thread of its own, with bound
//!   parameters only.
//! - [`app`]: the routes; a valid post is answered `303 See Other`
//!   (post/redirect/get);
//! - [`language`]: each page in the visitor's language (`?lang=`, a cookie,
//!   `Accept-Language`, else `--lang`), the templates' texts from
//!   `locales/app.yml`;
//! - [`server`]: the serve loop (chapter 4's, as in `http-static`), and
//!   [`respond`]: small response builders.
//!
//! Run it (`just ch4-template`, or `cargo run -p http-template`), open
//! <http://127.0.0.1:3000/> and <http://127.0.0.1:3000/guestbook> in a
//! browser, or in a second terminal:
//!
//! ```text
//! $ curl -i -d name=小明 -d 'message=Hello <b>world</b>' http://127.0.0.1:3000/guestbook
//! HTTP/1.1 303 See Other
//! location: /guestbook
//! $ curl -s http://127.0.0.1:3000/api/guestbook
//! {"page":1,"pages":1,"total":1,"messages":[{"id":1,"name":"小明","message":"Hello <b>world</b>",…}]}
//! ```
//!
//! `cargo run -p http-template -- demo` runs the server with a temporary
//! database and a client in one process and narrates the whole lesson.

pub mod app;
pub mod demo;
pub mod form;
/// Which language each answer is in: shared by the three web lessons, in
/// `common::web` (`?lang=`, the cookie, `Accept-Language`, `Vary`, an ETag
/// per language).
pub use common::web as language;
pub mod pages;
pub mod respond;
pub mod server;
pub mod store;

pub use server::{Config, Server, StartError};

// Every text a visitor or the teacher reads, in English and Chinese:
// `locales/app.yml`, looked up with `t!("key", locale = lang.code())`.
rust_i18n::i18n!("locales", fallback = "en");

/// The `--help` text `key` in `lang` (for `common::lang::parse`).
pub fn help_text(lang: common::lang::Lang, key: &str) -> Option<String> {
    _rust_i18n_try_translate(lang.code(), key).map(|text| text.into_owned())
}
