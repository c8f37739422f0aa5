//! What a visitor sends: the guestbook form, and the `?page=N` of a link.
//!
//! A browser sends a form as `application/x-www-form-urlencoded`:
//! `name=%E5%B0%8F%E6%98%8E&message=Hi+there%21`. We never take that apart
//! by hand (`+` for space, `%XX` bytes, UTF-8, repeated keys…):
//! `serde_urlencoded` decodes it into a struct, as Node's `querystring` or
//! `URLSearchParams` would into an object.

use common::lang::Lang;
use rust_i18n::t;
use serde::{Deserialize, Serialize};

/// The longest name, in characters, after trimming.
pub const NAME_MAX: usize = 40;
/// The longest message, in characters, after trimming.
pub const MESSAGE_MAX: usize = 1000;

// ANCHOR: form
/// The form's fields, exactly as typed: shown again, untouched, when the
/// visitor has something to fix. A field that was not sent at all is empty.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Form {
    pub name: String,
    pub message: String,
}

/// A form that passed every check: trimmed, within the limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub name: String,
    pub message: String,
}

/// What is wrong with a form, field by field, worded for the visitor (in
/// the page's language); the page shows each one next to its field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Problems {
    pub name: Option<String>,
    pub message: Option<String>,
    /// A problem with the form as a whole (it could not be decoded).
    pub form: Option<String>,
}

impl Form {
    /// Decodes a urlencoded body. Fails on a body that is not one (a field
    /// sent twice, say); bytes that are not UTF-8 become `�`.
    pub fn parse(body: &[u8]) -> Result<Form, serde_urlencoded::de::Error> {
        serde_urlencoded::from_bytes(body)
    }

    /// Checks the rules: a name of 1 to 40 characters and a message of 1 to
    /// 1000, both after trimming spaces and newlines at either end. The
    /// problems are worded in `lang`.
    pub fn validate(&self, lang: Lang) -> Result<NewMessage, Problems> {
        let name = self.name.trim();
        let message = self.message.trim();
        let problems = Problems {
            name: length_problem(lang, "name", name, NAME_MAX),
            message: length_problem(lang, "message", message, MESSAGE_MAX),
            form: None,
        };
        if problems == Problems::default() {
            Ok(NewMessage {
                name: name.to_owned(),
                message: message.to_owned(),
            })
        } else {
            Err(problems)
        }
    }
}

/// "Please write a name." / "Your name is 52 characters long; 40 at most,
/// please." (请填写名字。/ 名字有 52 个字，最多只能 40 个。) Characters are
/// Unicode scalar values: `é`, `好` and `😀` each count one.
fn length_problem(lang: Lang, field: &str, value: &str, max: usize) -> Option<String> {
    let locale = lang.code();
    let field = match field {
        "name" => t!("form.field.name", locale = locale),
        _ => t!("form.field.message", locale = locale),
    };
    let len = value.chars().count();
    if len == 0 {
        Some(t!("form.empty", locale = locale, field = field).into_owned())
    } else if len > max {
        let problem = t!(
            "form.too_long",
            locale = locale,
            field = field,
            len = len,
            max = max
        );
        Some(problem.into_owned())
    } else {
        None
    }
}
// ANCHOR_END: form

/// The page number a link asks for: `?page=3`. Anything else (no `page`,
/// `page=abc`, `page=1.5`, `page=` twice) asks for page 1; the store then
/// clamps a number to the pages there are, so `0`, `-1` and `999` are
/// fine too.
pub fn requested_page(query: Option<&str>) -> i64 {
    #[derive(Deserialize)]
    struct Query {
        page: Option<String>,
    }
    query
        .and_then(|query| serde_urlencoded::from_str::<Query>(query).ok())
        .and_then(|query| query.page?.trim().parse().ok())
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_default_to_the_first() {
        for (query, expected) in [
            (None, 1),
            (Some(""), 1),
            (Some("page=3"), 3),
            (Some("x=1&page=2"), 2),
            (Some("page=0"), 0),
            (Some("page=-1"), -1),
            (Some("page=abc"), 1),
            (Some("page=1.5"), 1),
            (Some("page=99999999999999999999999"), 1),
            (Some("page=1&page=2"), 1),
            (Some("page=%32"), 2),
        ] {
            assert_eq!(requested_page(query), expected, "{query:?}");
        }
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        let form = Form {
            name: "好".repeat(NAME_MAX),
            message: "😀".repeat(MESSAGE_MAX),
        };
        assert!(form.validate(Lang::En).is_ok());
        let form = Form {
            name: format!(" {} ", "好".repeat(NAME_MAX + 1)),
            message: "\n".into(),
        };
        let problems = form.validate(Lang::En).err().unwrap_or_default();
        assert_eq!(
            problems.name.as_deref(),
            Some("Your name is 41 characters long; 40 at most, please.")
        );
        assert_eq!(problems.message.as_deref(), Some("Please write a message."));
        let problems = form.validate(Lang::ZhCn).err().unwrap_or_default();
        assert_eq!(
            problems.name.as_deref(),
            Some("名字有 41 个字，最多只能 40 个。")
        );
        assert_eq!(problems.message.as_deref(), Some("请填写留言。"));
    }
}
