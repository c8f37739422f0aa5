//! The chat protocol against the seed's own example messages (chapter 2, 数据格式设计).

// Helpers outside #[test] functions may panic too: that is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use common::chat::*;
use common::lang::Lang::{self, En, ZhCn};
use serde_json::{Value, json};

/// Parses `json` as `T`, checks it is `expected`, and checks that writing it
/// back gives the same JSON object (field order aside).
fn round_trip<T>(json: Value, expected: T)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let parsed: T = serde_json::from_value(json.clone()).expect("seed example parses");
    assert_eq!(parsed, expected);
    assert_eq!(serde_json::to_value(&parsed).unwrap(), json);
    // And through text, as it travels on the wire.
    let text = serde_json::to_string(&parsed).unwrap();
    assert_eq!(serde_json::from_str::<T>(&text).unwrap(), expected);
}

#[test]
fn seed_client_messages_round_trip() {
    round_trip(
        json!({"type": "login", "nickname": "xxx"}),
        ClientMessage::Login(Login {
            nickname: "xxx".into(),
        }),
    );
    round_trip(
        json!({"type": "broadcast", "message": "xxx"}),
        ClientMessage::Broadcast(Broadcast {
            message: "xxx".into(),
        }),
    );
    round_trip(
        json!({"type": "p2p", "to": "xxx", "message": "xxx"}),
        ClientMessage::P2p(P2pTo {
            to: "xxx".into(),
            message: "xxx".into(),
        }),
    );
    round_trip(json!({"type": "users"}), ClientMessage::Users);
}

#[test]
fn seed_server_messages_round_trip() {
    round_trip(
        json!({"type": "login", "success": true, "message": "登录成功", "sumUsers": 10}),
        ServerMessage::Login(LoginResult {
            success: true,
            message: "登录成功".into(),
            sum_users: 10,
        }),
    );
    round_trip(
        json!({"type": "login", "success": false, "message": "登录失败", "sumUsers": 10}),
        ServerMessage::Login(LoginResult {
            success: false,
            message: "登录失败".into(),
            sum_users: 10,
        }),
    );
    round_trip(
        json!({"type": "broadcast", "nickname": "xxx", "message": "xxx"}),
        ServerMessage::Broadcast(BroadcastFrom {
            nickname: "xxx".into(),
            message: "xxx".into(),
        }),
    );
    round_trip(
        json!({"type": "p2p", "from": "xxx", "to": "xxx", "message": "xxx"}),
        ServerMessage::P2p(P2pFrom {
            from: "xxx".into(),
            to: "xxx".into(),
            message: "xxx".into(),
        }),
    );
    round_trip(
        json!({"type": "log", "message": "xxx 进入了聊天室，当前在线人数：10"}),
        ServerMessage::log("xxx 进入了聊天室，当前在线人数：10"),
    );
    round_trip(
        json!({"type": "users", "users": ["alice", "bob"]}),
        ServerMessage::Users(UserList {
            users: vec!["alice".into(), "bob".into()],
        }),
    );
    round_trip(
        json!({"type": "error", "message": "login first"}),
        ServerMessage::error("login first"),
    );
}

#[test]
fn sum_users_is_camel_case_on_the_wire() {
    let reply = ServerMessage::Login(LoginResult {
        success: true,
        message: "welcome".into(),
        sum_users: 3,
    });
    let text = serde_json::to_string(&reply).unwrap();
    assert!(text.contains(r#""sumUsers":3"#), "{text}");
    assert!(!text.contains("sum_users"), "{text}");
}

/// The error for `text`, which must be rejected.
fn client_error(text: &str) -> String {
    match serde_json::from_str::<ClientMessage>(text) {
        Ok(message) => panic!("{text} was accepted as {message:?}"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn unknown_type_is_named() {
    let error = client_error(r#"{"type":"shout","message":"hi"}"#);
    assert!(error.contains("unknown message type `shout`"), "{error}");
    assert!(error.contains("login, broadcast, p2p, users"), "{error}");

    let error = serde_json::from_str::<ServerMessage>(r#"{"type":"shout"}"#)
        .unwrap_err()
        .to_string();
    assert!(error.contains("unknown message type `shout`"), "{error}");
}

#[test]
fn missing_field_is_named() {
    let error = client_error(r#"{"type":"login"}"#);
    assert!(error.contains("missing field `nickname`"), "{error}");
    let error = client_error(r#"{"type":"p2p","message":"hi"}"#);
    assert!(error.contains("missing field `to`"), "{error}");
    let error = client_error(r#"{"nickname":"alice"}"#);
    assert!(error.contains("missing field `type`"), "{error}");

    let error =
        serde_json::from_str::<ServerMessage>(r#"{"type":"login","success":true,"message":"x"}"#)
            .unwrap_err()
            .to_string();
    assert!(error.contains("missing field `sumUsers`"), "{error}");
}

#[test]
fn wrong_field_type_is_named() {
    let error = client_error(r#"{"type":"login","nickname":5}"#);
    assert!(error.contains("field `nickname`"), "{error}");
    assert!(error.contains("expected a string"), "{error}");

    let error = client_error(r#"{"type":"p2p","to":"bob","message":["hi"]}"#);
    assert!(error.contains("field `message`"), "{error}");

    let error = client_error(r#"{"type":7}"#);
    assert!(error.contains("field `type` must be a string"), "{error}");

    let error = serde_json::from_str::<ServerMessage>(
        r#"{"type":"login","success":"yes","message":"x","sumUsers":1}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("field `success`"), "{error}");
}

#[test]
fn a_message_must_be_an_object() {
    assert!(client_error("[1,2]").contains("must be a JSON object"));
    assert!(client_error("\"login\"").contains("not a string"));
    assert!(client_error("null").contains("not null"));
}

#[test]
fn extra_fields_are_ignored() {
    // A newer client may send more than we know; the known fields still count.
    let message: ClientMessage =
        serde_json::from_str(r#"{"type":"broadcast","message":"hi","color":"red"}"#).unwrap();
    assert_eq!(
        message,
        ClientMessage::Broadcast(Broadcast {
            message: "hi".into()
        })
    );
}

#[test]
fn typing_round_trips_both_ways() {
    round_trip(
        json!({"type": "typing", "typing": true}),
        ClientMessage::Typing(Typing { typing: true }),
    );
    round_trip(
        json!({"type": "typing", "typing": false}),
        ClientMessage::Typing(Typing { typing: false }),
    );
    round_trip(
        json!({"type": "typing", "nickname": "alice", "typing": true}),
        ServerMessage::typing("alice", true),
    );
    round_trip(
        json!({"type": "broadcast", "nickname": "alice", "message": "hi"}),
        ServerMessage::broadcast("alice", "hi"),
    );
}

#[test]
fn typing_must_be_a_boolean() {
    let error = client_error(r#"{"type":"typing","typing":"yes"}"#);
    assert!(error.contains("field `typing`"), "{error}");
    assert!(error.contains("expected a boolean"), "{error}");
    let error = client_error(r#"{"type":"typing"}"#);
    assert!(error.contains("missing field `typing`"), "{error}");
    // The list of known types names it.
    let error = client_error(r#"{"type":"shout"}"#);
    assert!(error.contains("users, typing"), "{error}");
}

#[test]
fn nickname_rules() {
    assert_eq!(check_nickname("  alice ", En), Ok("alice"));
    assert_eq!(check_nickname("李雷", En), Ok("李雷"));
    assert!(check_nickname("", En).unwrap_err().contains("empty"));
    assert!(check_nickname("   ", En).unwrap_err().contains("empty"));
    assert!(check_nickname("a b", En).unwrap_err().contains("spaces"));
    assert!(
        check_nickname("a\u{7}b", En)
            .unwrap_err()
            .contains("control")
    );
    // What the clients read as a command or a private message.
    let command = check_nickname("/quit", En).unwrap_err();
    assert!(command.contains("start with @ or /"), "{command}");
    let private = check_nickname("@x", En).unwrap_err();
    assert!(private.contains("start with @ or /"), "{private}");
    assert_eq!(check_nickname("x/y", En), Ok("x/y"));
    let longest = "é".repeat(MAX_NICKNAME);
    assert_eq!(check_nickname(&longest, En), Ok(longest.as_str()));
    let too_long = "é".repeat(MAX_NICKNAME + 1);
    assert!(
        check_nickname(&too_long, En)
            .unwrap_err()
            .contains("too long")
    );
}

#[test]
fn nickname_rules_are_said_in_chinese_too() {
    assert_eq!(check_nickname("  李雷 ", ZhCn), Ok("李雷"));
    assert_eq!(
        check_nickname("", ZhCn),
        Err("昵称不能为空，也不能全是空格".into())
    );
    let command = check_nickname("/quit", ZhCn).unwrap_err();
    assert!(command.contains("不能以 @ 或 / 开头"), "{command}");
    let too_long = check_nickname(&"é".repeat(MAX_NICKNAME + 1), ZhCn).unwrap_err();
    assert!(
        too_long.contains(&format!("最多 {MAX_NICKNAME} 个字符")),
        "{too_long}"
    );
}

/// What the server answers, in `lang`, to a line it cannot read.
fn explained(line: &str, lang: Lang) -> String {
    let error = serde_json::from_str::<ClientMessage>(line).unwrap_err();
    explain_decode_error(line.as_bytes(), &error, lang)
}

#[test]
fn a_bad_message_is_explained_in_either_language() {
    let cases = [
        ("hello", "这不是合法的 JSON（第 1 行第 1 列附近出错）"),
        ("[1]", "而不是数组"),
        (r#"{"type":5}"#, "字段 `type` 必须是字符串，而不是数字"),
        (r#"{"nickname":"a"}"#, "缺少字段 `type`"),
        (r#"{"type":"shout"}"#, "不认识的消息类型 `shout`"),
        (r#"{"type":"login"}"#, "缺少字段 `nickname`"),
        (
            r#"{"type":"login","nickname":5}"#,
            "字段 `nickname` 的值不对（invalid type",
        ),
    ];
    for (line, chinese) in cases {
        let said = explained(line, ZhCn);
        assert!(said.contains(chinese), "{line}: {said}");
        // English is serde's sentence, as before.
        let error = serde_json::from_str::<ClientMessage>(line).unwrap_err();
        assert_eq!(explained(line, En), error.to_string());
    }
}

#[test]
fn a_room_without_typing_lists_only_what_it_accepts() {
    let line = r#"{"type":"shout"}"#;
    let error = serde_json::from_str::<ClientMessage>(line).unwrap_err();
    for lang in [En, ZhCn] {
        let why =
            explain_decode_error_for(line.as_bytes(), &error, lang, CLIENT_TYPES_WITHOUT_TYPING);
        assert!(why.contains("login, broadcast, p2p, users"), "{why}");
        assert!(!why.contains("typing"), "{why}");
        // ws-chat's list keeps typing.
        assert!(explained(line, lang).contains("users, typing"));
    }
    let why = unknown_type_in("typing", CLIENT_TYPES_WITHOUT_TYPING, En);
    assert_eq!(
        why,
        "unknown message type `typing`, expected one of login, broadcast, p2p, users"
    );
    let why = unknown_type_in("typing", CLIENT_TYPES_WITHOUT_TYPING, ZhCn);
    assert!(why.starts_with("不认识的消息类型 `typing`"), "{why}");
}
