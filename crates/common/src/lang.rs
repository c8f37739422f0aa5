//! Which language a lesson speaks: Chinese (`zh-CN`) or English (`en`).
//!
//! Every text a student reads (a chat's notices, the teacher's log lines,
//! errors, a demo's narration, a page) is written in both, side by side, in
//! the crate's `locales/app.yml`, and looked up with rust-i18n's macro:
//!
//! ```text
//! t!("chat.welcome", locale = lang.code(), nickname = "alice")
//! ```
//!
//! The language is a value handed along (one for the terminal, one per chat
//! connection, one per web request), never a process-wide switch: two
//! browsers in two languages, or tests running in parallel, each get theirs.
//! Never translated: the `listening on IP:PORT` line (scripts read it), JSON
//! field names and message types, and log field names.

use std::ffi::OsString;

/// The two languages of the course.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Lang {
    #[default]
    #[value(name = "en")]
    En,
    #[value(name = "zh-CN", alias = "zh")]
    ZhCn,
}

impl Lang {
    /// Both, English first.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhCn];

    /// The code the `locales/app.yml` files use, and `--lang` takes.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// Items of a list, joined as the language writes a list in a
    /// sentence: `a, b, c` in English, `a、b、c` in Chinese.
    pub fn list<T: AsRef<str>>(self, items: &[T]) -> String {
        let items: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
        items.join(if self == Lang::ZhCn { "、" } else { ", " })
    }

    /// A locale or language tag as systems and browsers write them
    /// (`zh_CN.UTF-8`, `zh-TW`, `zh`, `en_US.UTF-8`, `en-GB`); `None` for
    /// anything else (`C`, `POSIX`, `fr-FR`).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase();
        if tag.starts_with("zh") {
            Some(Lang::ZhCn)
        } else if tag.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The user's language as the system says, as command-line tools read
    /// it: on Linux the first of `LC_ALL`, `LC_MESSAGES`, `LANG` that is
    /// set (sys-locale reads them, and asks macOS and Windows their own
    /// way); English when it is neither Chinese nor English.
    pub fn from_system() -> Lang {
        sys_locale::get_locale()
            .and_then(|tag| Lang::from_tag(&tag))
            .unwrap_or_default()
    }

    /// `--lang X` (or `--lang=X`) if the command line has one, else the
    /// system's. Read before clap parses, so that `--help` speaks it too.
    pub fn from_args_or_system(args: impl IntoIterator<Item = OsString>) -> Lang {
        let args: Vec<String> = args
            .into_iter()
            .map(|arg| arg.to_string_lossy().into_owned())
            .collect();
        let given = args.iter().enumerate().find_map(|(i, arg)| {
            let value = match arg.strip_prefix("--lang") {
                Some("") => args.get(i + 1)?.as_str(),
                Some(rest) => rest.strip_prefix('=')?,
                None => return None,
            };
            Lang::from_tag(value)
        });
        given.unwrap_or_else(Lang::from_system)
    }

    /// The language a browser asks for in `Accept-Language`
    /// (`zh-CN,zh;q=0.9,en;q=0.8`): the one of ours it prefers most, or
    /// `None` when it names neither.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        accept_language::parse_with_quality(header)
            .into_iter()
            .filter(|(_, quality)| *quality > 0.0)
            .find_map(|(tag, _)| Lang::from_tag(&tag))
    }
}

/// `--lang`, for every binary: flatten it into the top-level `Cli`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct LangArgs {
    /// Language of what this program prints: zh-CN or en [default: from
    /// LANG]
    // (Its help names both values: clap need not list them again.)
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "LANG",
        hide_possible_values = true
    )]
    pub lang: Option<Lang>,
}

impl LangArgs {
    /// `--lang`, or the system's language.
    pub fn resolve(&self) -> Lang {
        self.lang.unwrap_or_else(Lang::from_system)
    }
}

/// Parses the command line with `--help` in the user's language.
///
/// clap's derive takes help texts from `///` comments, which are English
/// and fixed when compiling. Here every command's `about` and every
/// argument's help are looked up first in the crate's own texts (`text`,
/// keys `help.about`, `help.SUBCOMMAND.about`, `help.SUBCOMMAND.ARG`,
/// `help.ARG` for the top level) and then in `common`'s (`--host`,
/// `--port`, `--lang`); what neither has keeps its `///` comment. In
/// Chinese, clap's own words in `--help` are Chinese too
/// ([`clap_words_in_chinese`]); its parse errors (`error: invalid value …`)
/// stay English: clap has no way to change them.
pub fn parse<C: clap::Parser>(text: impl Fn(Lang, &str) -> Option<String>) -> C {
    let lang = Lang::from_args_or_system(std::env::args_os());
    let lookup = |key: &str| {
        text(lang, key).or_else(|| {
            let own = key.rsplit('.').next().unwrap_or(key);
            crate::_rust_i18n_try_translate(lang.code(), format!("help.{own}"))
                .map(|text| text.into_owned())
        })
    };
    let mut command = localize(C::command(), "help", &lookup);
    if lang == Lang::ZhCn {
        // clap adds `--help`, `--version` and the `help` subcommand when it
        // builds the command: build first, then reword them too.
        command.build();
        command = clap_words_in_chinese(command);
    }
    let matches = command.get_matches();
    C::from_arg_matches(&matches).unwrap_or_else(|error| error.exit())
}

/// Replaces one command's help texts, and its subcommands', recursively.
fn localize(
    mut command: clap::Command,
    path: &str,
    lookup: &impl Fn(&str) -> Option<String>,
) -> clap::Command {
    if let Some(about) = lookup(&format!("{path}.about")) {
        command = command.about(about).long_about(None::<&str>);
    }
    let args: Vec<String> = command
        .get_arguments()
        .map(|arg| arg.get_id().to_string())
        .collect();
    for id in args {
        if let Some(help) = lookup(&format!("{path}.{id}")) {
            command = command.mut_arg(&id, |arg| arg.help(help).long_help(None::<&str>));
        }
    }
    let subcommands: Vec<String> = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_owned())
        .collect();
    for name in subcommands {
        let sub_path = format!("{path}.{name}");
        command = command.mut_subcommand(&name, |sub| localize(sub, &sub_path, lookup));
    }
    command
}

/// clap's own words in a built command's `--help`, in Chinese, recursively:
/// the headings (`Usage:`, `Commands:`, `Arguments:`, `Options:`, through a
/// help template), `Print help`, `Print version`, the `help` subcommand,
/// and `[default: …]`, `[possible values: …]` (hidden, and written into the
/// argument's own help instead).
fn clap_words_in_chinese(mut command: clap::Command) -> clap::Command {
    let shown = |positional: bool| {
        command
            .get_arguments()
            .any(|arg| arg.is_positional() == positional && !arg.is_hide_set())
    };
    let mut template = String::from("{before-help}{about-with-newline}\n用法：{usage}\n");
    if command.get_subcommands().any(|sub| !sub.is_hide_set()) {
        template.push_str("\n命令：\n{subcommands}\n");
    }
    if shown(true) {
        template.push_str("\n参数：\n{positionals}\n");
    }
    if shown(false) {
        template.push_str("\n选项：\n{options}\n");
    }
    template.push_str("{after-help}");
    command = command.help_template(template);
    let ids: Vec<String> = command
        .get_arguments()
        .map(|arg| arg.get_id().to_string())
        .collect();
    for id in ids {
        command = command.mut_arg(&id, |arg| match id.as_str() {
            "help" if arg.get_long() == Some("help") => {
                arg.help("显示帮助").long_help(None::<&str>)
            }
            "version" if arg.get_long() == Some("version") => arg.help("显示版本号"),
            _ => defaults_in_chinese(arg),
        });
    }
    let subcommands: Vec<String> = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_owned())
        .collect();
    for name in subcommands {
        command = command.mut_subcommand(&name, |sub| {
            let sub = match name.as_str() {
                "help" => sub.about("显示这份帮助，或者某个子命令的帮助"),
                _ => sub,
            };
            clap_words_in_chinese(sub)
        });
    }
    command
}

/// `[default: 8124]` and `[possible values: en, zh-CN]` as `［默认：8124］`
/// and `［可选值：en、zh-CN］` at the end of the argument's help.
fn defaults_in_chinese(arg: clap::Arg) -> clap::Arg {
    if !arg.get_action().takes_values() {
        return arg;
    }
    let mut notes = String::new();
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|value| value.to_string_lossy().into_owned())
        .collect();
    let hide_default = !defaults.is_empty() && !arg.is_hide_default_value_set();
    if hide_default {
        notes.push_str(&format!("［默认：{}］", defaults.join("、")));
    }
    let values: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|value| !value.is_hide_set())
        .map(|value| value.get_name().to_owned())
        .collect();
    let hide_values = !values.is_empty() && !arg.is_hide_possible_values_set();
    if hide_values {
        notes.push_str(&format!("［可选值：{}］", values.join("、")));
    }
    if notes.is_empty() {
        return arg;
    }
    let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
    let long = arg.get_long_help().map(ToString::to_string);
    let arg = arg
        .hide_default_value(hide_default)
        .hide_possible_values(hide_values)
        .help(format!("{help}{notes}"));
    match long {
        Some(long) => arg.long_help(format!("{long}{notes}")),
        None => arg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_from_systems_and_browsers() {
        assert_eq!(Lang::from_tag("zh_CN.UTF-8"), Some(Lang::ZhCn));
        assert_eq!(Lang::from_tag("zh-TW"), Some(Lang::ZhCn));
        assert_eq!(Lang::from_tag("en_US.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::from_tag("C"), None);
        assert_eq!(Lang::from_tag("fr-FR"), None);
    }

    #[test]
    fn lang_on_the_command_line_wins() {
        let args = |list: &[&str]| list.iter().map(OsString::from).collect::<Vec<_>>();
        let chinese = Lang::from_args_or_system(args(&["x", "--lang", "zh-CN", "server"]));
        assert_eq!(chinese, Lang::ZhCn);
        assert_eq!(
            Lang::from_args_or_system(args(&["x", "--lang=en"])),
            Lang::En
        );
        assert_eq!(
            Lang::from_args_or_system(args(&["x", "--lang=zh"])),
            Lang::ZhCn
        );
    }

    #[test]
    fn help_texts_come_from_the_lookup_or_stay() {
        #[derive(clap::Parser)]
        /// An example.
        struct Cli {
            #[command(subcommand)]
            command: Command,
        }
        #[derive(clap::Subcommand)]
        enum Command {
            /// Runs a server.
            Server {
                /// Port to listen on.
                #[arg(long)]
                port: u16,
                /// Be quiet.
                #[arg(long)]
                quiet: bool,
            },
        }
        let chinese = |key: &str| match key {
            "help.about" => Some("一个例子".to_owned()),
            "help.server.port" => Some("监听的端口".to_owned()),
            _ => None,
        };
        let mut command = localize(<Cli as clap::CommandFactory>::command(), "help", &chinese);
        assert!(command.render_help().to_string().contains("一个例子"));
        let server = command.find_subcommand_mut("server").unwrap();
        let help = server.render_help().to_string();
        assert!(help.contains("监听的端口"), "{help}");
        assert!(help.contains("Be quiet"), "{help}");
    }

    #[test]
    fn clap_words_are_chinese_in_chinese_help() {
        #[derive(clap::Parser)]
        #[command(version)]
        /// An example.
        struct Cli {
            #[command(flatten)]
            lang: LangArgs,
            #[command(subcommand)]
            command: Command,
        }
        #[derive(clap::Subcommand)]
        enum Command {
            /// Runs a server.
            Server {
                /// Port to listen on.
                #[arg(long, default_value_t = 8124)]
                port: u16,
                /// Names.
                names: Vec<String>,
                /// Mode.
                #[arg(long, value_parser = ["fast", "slow"])]
                mode: Option<String>,
            },
        }
        let mut command = <Cli as clap::CommandFactory>::command();
        command.build();
        let mut command = clap_words_in_chinese(command);
        let help = command.render_help().to_string();
        for english in [
            "Usage:",
            "Commands:",
            "Options:",
            "Print",
            "possible values",
        ] {
            assert!(!help.contains(english), "{english} in\n{help}");
        }
        for chinese in ["用法：", "命令：", "选项：", "显示帮助", "显示版本号"] {
            assert!(help.contains(chinese), "{chinese} not in\n{help}");
        }
        let server = command.find_subcommand_mut("server").unwrap();
        let help = server.render_help().to_string();
        assert!(help.contains("参数："), "{help}");
        assert!(help.contains("Port to listen on［默认：8124］"), "{help}");
        assert!(!help.contains("[default: 8124"), "{help}");
        assert!(help.contains("Mode［可选值：fast、slow］"), "{help}");
        assert!(!help.contains("[possible values"), "{help}");
    }

    #[test]
    fn accept_language_picks_the_preferred_of_ours() {
        let pick = Lang::from_accept_language;
        assert_eq!(pick("zh-CN,zh;q=0.9,en;q=0.8"), Some(Lang::ZhCn));
        assert_eq!(pick("fr-FR, en;q=0.5, zh;q=0.4"), Some(Lang::En));
        assert_eq!(pick("en;q=0.2, zh-TW;q=0.9"), Some(Lang::ZhCn));
        assert_eq!(pick("de, zh;q=0"), None);
        assert_eq!(pick(""), None);
    }
}
