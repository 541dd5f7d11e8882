//! AMI over TLS and half-open detection, against the stand-in server on loopback.

mod common;

use common::*;
use hackamore::ami::{Message, Secret};
use hackamore::source::{
    CaptureFile, Socket, SocketConfig, Source, SourceError, Step, TlsConfig, Verify,
};
use hackamore::standin::{ReplayConfig, ReplayServer};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const USER: &str = "hackamore";
const SECRET: &str = "s3cret-pw";
const CAPTURE: &str = "conference-pbx1.ami";

fn tls_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tls")
        .join(name)
}

fn server(cfg: impl FnOnce(&mut ReplayConfig)) -> ReplayServer {
    let capture = std::fs::read(fixtures_dir().join(CAPTURE)).unwrap();
    let mut c = ReplayConfig::new(capture, USER, Secret::new(SECRET));
    cfg(&mut c);
    ReplayServer::start(c, "127.0.0.1", 0).unwrap()
}

fn tls_server() -> ReplayServer {
    server(|c| c.tls = Some((tls_file("server.pem"), tls_file("server.key"))))
}

fn socket(port: u16, host: &str, cfg: impl FnOnce(&mut SocketConfig)) -> Socket {
    let mut c = SocketConfig::new("pbx1", host, port).credentials(USER, Secret::new(SECRET));
    c.connect_timeout = Duration::from_secs(3);
    c.login_timeout = Duration::from_secs(3);
    cfg(&mut c);
    Socket::new(c)
}

/// What the stand-in sends for the capture: its events, then `Shutdown`.
fn capture_events() -> Vec<Message> {
    let mut f = CaptureFile::raw("pbx1", fixtures_dir().join(CAPTURE)).unwrap();
    served_events(&drain(&mut f).0)
}

#[test]
fn tls_with_the_right_ca_delivers_the_capture() {
    let srv = tls_server();
    for host in ["127.0.0.1", "localhost"] {
        let mut s = socket(srv.port(), host, |c| {
            c.tls = Some(TlsConfig::new(Verify::CaFile(tls_file("ca.pem"))));
        });
        let (ms, errs) = drain(&mut s);
        assert!(errs.is_empty(), "{host}: {errs:?}");
        assert_eq!(events(&ms), capture_events(), "{host}");
        assert!(ms.last().unwrap().is_end());
    }
}

#[test]
fn tls_with_another_ca_or_name_is_refused_clearly() {
    let srv = tls_server();
    let cases = [
        (
            TlsConfig::new(Verify::CaFile(tls_file("other-ca.pem"))),
            "UnknownIssuer",
        ),
        (
            TlsConfig {
                verify: Verify::CaFile(tls_file("ca.pem")),
                server_name: Some("pbx.example.org".into()),
            },
            "NotValidForName",
        ),
    ];
    for (tls, why) in cases {
        let mut s = socket(srv.port(), "127.0.0.1", |c| c.tls = Some(tls));
        let (ms, errs) = drain(&mut s);
        assert_eq!(errs.len(), 1, "{errs:?}");
        let text = format!("{}: {:?}", errs[0], errs[0]);
        assert!(matches!(errs[0], SourceError::Tls { .. }), "{text}");
        assert!(text.contains("pbx1") && text.contains(why), "{text}");
        assert!(!text.contains(SECRET));
        assert_eq!(ms.len(), 1, "only the END");
        assert!(ms[0].is_end());
    }
}

#[test]
fn skipping_verification_is_an_explicit_opt_in_that_works() {
    let srv = tls_server();
    let mut s = socket(srv.port(), "127.0.0.1", |c| {
        c.tls = Some(TlsConfig::new(Verify::InsecureSkipVerify));
    });
    let (ms, errs) = drain(&mut s);
    assert!(errs.is_empty(), "{errs:?}");
    assert_eq!(events(&ms), capture_events());
}

#[test]
fn plain_client_against_tls_server_and_missing_ca_file_fail_clearly() {
    let srv = tls_server();
    let mut s = socket(srv.port(), "127.0.0.1", |c| {
        c.tls = Some(TlsConfig::new(Verify::CaFile("/nonexistent/ca.pem".into())));
    });
    let (_, errs) = drain(&mut s);
    assert_eq!(errs.len(), 1);
    let text = errs[0].to_string();
    assert!(text.contains("/nonexistent/ca.pem"), "{text}");
    // A plain client gets no banner from a TLS server: the login times out, no hang.
    let mut s = socket(srv.port(), "127.0.0.1", |c| {
        c.login_timeout = Duration::from_millis(500)
    });
    let t = Instant::now();
    let (ms, errs) = drain(&mut s);
    assert!(t.elapsed() < Duration::from_secs(5));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(ms.last().unwrap().is_end());
}

#[test]
fn a_half_open_connection_is_found_by_ping_and_ended() {
    // The server sends part of the capture, then neither reads nor writes: no FIN comes.
    let srv = server(|c| c.stall_after = Some(2000));
    let mut s = socket(srv.port(), "127.0.0.1", |c| {
        c.ping_interval = Some(Duration::from_millis(200));
        c.ping_timeout = Duration::from_millis(300);
    });
    let t = Instant::now();
    let (ms, errs) = drain(&mut s);
    let took = t.elapsed();
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        matches!(errs[0], SourceError::Timeout { what, .. } if what.starts_with("Ping")),
        "{}",
        errs[0]
    );
    assert!(ms.len() > 2 && ms.last().unwrap().is_end());
    // 200 ms quiet, then 300 ms unanswered: ended well within a second or two.
    assert!(took >= Duration::from_millis(450), "{took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn a_quiet_but_live_pbx_answers_ping_and_stays_connected() {
    // After the replay the server lingers answering actions (Ping) but sends no events.
    let srv = server(|c| c.linger = true);
    let mut s = socket(srv.port(), "127.0.0.1", |c| {
        c.ping_interval = Some(Duration::from_millis(100));
        c.ping_timeout = Duration::from_millis(400);
    });
    let deadline = Instant::now() + Duration::from_millis(1500);
    let mut pongs = 0;
    while Instant::now() < deadline {
        match s.next_step(Duration::from_millis(50)) {
            Ok(Step::Message(m)) => {
                assert!(!m.is_end(), "a live PBX must not be dropped");
                if m.get_str("Ping").as_deref() == Some("Pong") {
                    pongs += 1;
                }
            }
            Ok(_) => {}
            Err(e) => panic!("{e}"),
        }
    }
    assert!(pongs >= 3, "pongs: {pongs}");
}
