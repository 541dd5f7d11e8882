//! The action encoder refuses injection and over-long lines; MD5 login keys.

use hackamore::ami::{md5_key, Action, ActionError, Decoder, MAX_ACTION_LINE};

#[test]
fn encodes_in_order_with_repeats() {
    let wire = Action::new("Originate")
        .with("ActionID", "o-1")
        .with("Channel", "Local/100@test")
        .with("Variable", "a=1")
        .with("Variable", "b=2")
        .encode()
        .unwrap();
    assert_eq!(
        wire,
        b"Action: Originate\r\nActionID: o-1\r\nChannel: Local/100@test\r\nVariable: a=1\r\nVariable: b=2\r\n\r\n"
    );
    let mut d = Decoder::new();
    d.feed(&wire);
    let m = d.next_message().unwrap();
    assert_eq!(m.get_all("variable").count(), 2);
}

#[test]
fn action_id_is_generated_when_absent() {
    let mut a = Action::new("Ping");
    assert!(a.action_id().is_none());
    let id = a.ensure_action_id();
    assert!(!id.is_empty());
    let wire = String::from_utf8(a.encode().unwrap()).unwrap();
    assert!(wire.contains(&format!("ActionID: {id}\r\n")));
}

#[test]
fn cr_or_lf_anywhere_is_refused() {
    for (k, v) in [
        ("Channel", "SIP/1\r\nAction: Hangup"),
        ("Channel", "SIP/1\nAction: Hangup"),
        ("Channel", "SIP/1\rX"),
        ("Chan\nnel", "x"),
        ("Chan\rnel", "x"),
    ] {
        let err = Action::new("Redirect").with(k, v).encode().unwrap_err();
        assert!(matches!(err, ActionError::LineBreak { .. }), "{k:?}: {err}");
    }
    assert!(
        Action::new("Ping\r\nAction: Logoff").encode().is_err(),
        "the action name too"
    );
    assert!(Action::new("Setvar")
        .with("Bad: key", "v")
        .encode()
        .is_err());
    assert!(Action::new("Setvar").with("", "v").encode().is_err());
}

#[test]
fn lines_over_the_ami_limit_are_refused() {
    let key = "Variable";
    let fits = "v".repeat(MAX_ACTION_LINE - key.len() - 2);
    assert!(Action::new("Setvar")
        .with(key, fits.as_str())
        .encode()
        .is_ok());
    let over = format!("{fits}v");
    match Action::new("Setvar").with(key, over).encode() {
        Err(ActionError::LineTooLong { len, .. }) => assert_eq!(len, MAX_ACTION_LINE + 1),
        other => panic!("expected LineTooLong, got {other:?}"),
    }
}

#[test]
fn errors_never_carry_the_value() {
    let err = Action::new("Login")
        .with("Secret", "hunter2\r\nAction: Logoff")
        .encode()
        .unwrap_err();
    assert!(!err.to_string().contains("hunter2"));
}

#[test]
fn md5_key_is_md5_of_challenge_then_secret() {
    // RFC 1321 test vectors, split between challenge and secret.
    assert_eq!(md5_key("", ""), "d41d8cd98f00b204e9800998ecf8427e");
    assert_eq!(
        md5_key("message ", "digest"),
        "f96b697d7cb7938d525a2f31aaf161d0"
    );
    assert_eq!(
        md5_key("abcdefghijklm", "nopqrstuvwxyz"),
        "c3fcd3d76192e4007dfb496cca67e13b"
    );
    assert_ne!(md5_key("digest", "message "), md5_key("message ", "digest"));
}
