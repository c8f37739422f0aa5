//! The templates: minijinja, loading `*.html` files from the `--templates`
//! directory, with HTML escaping on.
//!
//! art-template (the seed's engine) and minijinja (Jinja2's syntax, as in
//! Python's Flask) do the same job: a page with holes, filled from data.
//!
//! | art-template | minijinja |
//! |---|---|
//! | `{{ message }}` | `{{ message }}` |
//! | `{{ each todos }}` … `{{ $value.title }}` … `{{ /each }}` | `{% for todo in todos %}` … `{{ todo.title }}` … `{% endfor %}` |
//! | `{{ $value.completed ? 'checked' : '' }}` | `{{ "checked" if todo.completed }}` |
//! | `{{ extend './base.art' }}` + `{{ block 'content' }}` | `{% extends "base.html" %}` + `{% block content %}` |

use std::path::{Path, PathBuf};

use common::lang::Lang;
use minijinja::syntax::SyntaxConfig;
use minijinja::value::Kwargs;
use minijinja::{Environment, Value, context};
use tracing::error;

/// The page shown when a template cannot be rendered. It is built into the
/// program, not loaded from the directory: the directory's templates are
/// what just failed.
const ERROR_PAGE: &str = r#"<!DOCTYPE html>
<html lang="{{ lang }}">
<head><meta charset="UTF-8" /><title>{{ t("error_page.title") }}</title></head>
<body>
<h1>{{ t("error_page.title") }}</h1>
<p>{{ t("error_page.text") }}</p>
{% if detail %}
<p>{{ t("error_page.why_shown") | safe }}</p>
<pre>{{ detail }}</pre>
{% endif %}
</body>
</html>
"#;

/// The templates of one directory, ready to render.
#[derive(Debug)]
pub struct Pages {
    /// Loads `name` from the directory the first time it is asked for and
    /// keeps it compiled; with `--reload` it also checks the file's time
    /// and size on every use and reloads an edited one.
    env: Environment<'static>,
    /// The built-in error page, in an environment of its own.
    errors: Environment<'static>,
    /// `--reload`: show template errors in the page, not only in the log.
    reload: bool,
    dir: PathBuf,
    /// The terminal's language, for the log.
    log_lang: Lang,
}

/// A page that could not be rendered: the 500 page to send, and the error.
#[derive(Debug)]
pub struct RenderError {
    pub page: String,
    pub error: minijinja::Error,
}

impl Pages {
    // ANCHOR: new
    /// The templates in `dir`; fails if it is not a directory. With
    /// `reload`, an edited template is picked up on the next request.
    /// `lang` is the terminal's, for the error if there is none.
    pub fn new(dir: &Path, reload: bool, lang: Lang) -> std::io::Result<Pages> {
        if !dir.is_dir() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                rust_i18n::t!(
                    "templates.missing",
                    locale = lang.code(),
                    dir = dir.display()
                )
                .into_owned(),
            ));
        }
        let mut env = Environment::new();
        // `path_loader` reads `todos.html` from the directory when a page
        // first needs it (and refuses names like `../secret`).
        env.set_loader(minijinja::path_loader(dir));
        // The default escaping callback turns HTML escaping on for every
        // template whose name ends in .html: `{{ name }}` writes `<` as
        // `&lt;`, so a visitor's `<script>` is shown, never run.
        env.set_auto_escape_callback(minijinja::default_auto_escape_callback);
        env.set_auto_reload(reload);
        // Keep the template's source in errors, to show the failing line.
        env.set_debug(reload);
        // `{% for %}` lines leave no blank lines and indentation behind.
        let syntax = SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
            .map_err(std::io::Error::other)?;
        env.set_syntax(syntax);
        // ANCHOR_END: new

        let mut errors = Environment::new();
        errors
            .add_template("error.html", ERROR_PAGE)
            .map_err(std::io::Error::other)?;
        Ok(Pages {
            env,
            errors,
            reload,
            dir: dir.to_path_buf(),
            log_lang: lang,
        })
    }

    /// The directory the templates come from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    // ANCHOR: render
    /// Renders template `name` with `data`, its texts in `lang` (the
    /// template writes `{{ t("guestbook.title") }}`). A missing template, a syntax
    /// error or a failing expression gives the 500 page: with `--reload`
    /// it shows the error with its file and line (the person editing the
    /// template is the one looking), without it the detail goes only to
    /// the log (a visitor has no use for our file names).
    pub fn render(&self, name: &str, data: Value, lang: Lang) -> Result<String, RenderError> {
        // The page's language and its texts, added to what the route gave.
        let texts = context! { lang => lang.code(), t => texts(lang) };
        let rendered = self
            .env
            .get_template(name)
            .and_then(|template| template.render(context! { ..texts.clone(), ..data }));
        rendered.map_err(|error| {
            let what = rust_i18n::t!("log.cannot_render", locale = self.log_lang.code());
            error!(template = name, "{what}: {}", describe(&error));
            let detail = self.reload.then(|| describe(&error));
            let page = self
                .errors
                .get_template("error.html")
                .and_then(|page| page.render(context! { detail, ..texts }))
                .unwrap_or_else(|_| "500 Internal Server Error".to_owned());
            RenderError { page, error }
        })
    }
    // ANCHOR_END: render
}

// ANCHOR: texts
/// The templates' `t` function: `{{ t("guestbook.title") }}` is that text in
/// `lang`, from `locales/app.yml`; `{{ t("guestbook.page_of", page=2,
/// pages=5) }}` fills in `%{page}` and `%{pages}`. A key with no text shows
/// as itself, so a typo is visible in the page.
fn texts(lang: Lang) -> Value {
    Value::from_function(move |key: &str, values: Kwargs| {
        let mut text = crate::_rust_i18n_try_translate(lang.code(), key)
            .map_or_else(|| key.to_owned(), |text| text.into_owned());
        for name in values.args() {
            let value: Value = values.get(name)?;
            text = text.replace(&format!("%{{{name}}}"), &value.to_string());
        }
        Ok::<_, minijinja::Error>(text)
    })
}
// ANCHOR_END: texts

/// The error, its file and line, the lines of the template around it (when
/// the source is kept), and every error that led to it.
fn describe(error: &minijinja::Error) -> String {
    // `{:#}` adds minijinja's excerpt of the template around the error.
    let mut text = format!("{error:#}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!("\ncaused by: {cause:#}"));
        source = cause.source();
    }
    text
}
