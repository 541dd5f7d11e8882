//! Socket against the project's stand-in AMI server, on loopback only.

mod common;

use common::*;
use hackamore::ami::{AuthMethod, Message, Secret};
use hackamore::source::{CaptureFile, Socket, SocketConfig, Source, SourceError, Step};
use hackamore::standin::{ReplayConfig, ReplayServer};
use std::sync::Arc;
use std::time::{Duration, Instant};

const USER: &str = "hackamore";
const SECRET: &str = "s3cret-pw";

fn capture(name: &str) -> Vec<u8> {
    std::fs::read(fixtures_dir().join(name)).unwrap()
}

fn server(cfg: impl FnOnce(&mut ReplayConfig)) -> ReplayServer {
    let mut c = ReplayConfig::new(capture("conference-pbx1.ami"), USER, Secret::new(SECRET));
    cfg(&mut c);
    ReplayServer::start(c, "127.0.0.1", 0).unwrap()
}

fn socket(port: u16, secret: &str, auth: AuthMethod) -> Socket {
    let mut c = SocketConfig::new("pbx1", "127.0.0.1", port).credentials(USER, Secret::new(secret));
    c.auth = auth;
    c.login_timeout = Duration::from_secs(3);
    Socket::new(c)
}

fn file_messages(name: &str) -> Vec<Message> {
    let mut f = CaptureFile::raw("pbx1", fixtures_dir().join(name)).unwrap();
    drain(&mut f).0
}

#[test]
fn plain_and_md5_login_deliver_the_capture() {
    let srv = server(|_| {});
    let expected = file_messages("conference-pbx1.ami");
    for auth in [AuthMethod::Plain, AuthMethod::Md5] {
        let mut s = socket(srv.port(), SECRET, auth);
        let (ms, errs) = drain(&mut s);
        assert!(errs.is_empty(), "{auth:?}: {errs:?}");
        assert_eq!(s.banner().unwrap().version, "13.0.0");
        // First the login answer, as the recorded capture has its own.
        assert_eq!(
            ms[0].get_str("Message").as_deref(),
            Some("Authentication accepted")
        );
        assert_eq!(events(&ms), served_events(&expected), "{auth:?}");
        assert_eq!(
            ms.len(),
            expected.len() + 1,
            "{auth:?}: same count, END included, and the Shutdown"
        );
        let end = ms.last().unwrap();
        assert!(end.is_end());
        assert_eq!(end.end_count(), Some(ms.len() as u64));
    }
    assert_eq!(srv.clients(), 2);
}

#[test]
fn random_small_pieces_and_garbage_still_deliver_every_event() {
    let srv = server(|c| {
        c.piece = Some(7);
        c.garbage = 0.2;
        c.seed = 42;
    });
    let mut s = socket(srv.port(), SECRET, AuthMethod::Md5);
    let (ms, errs) = drain(&mut s);
    assert!(errs.is_empty(), "{errs:?}");
    assert_eq!(
        events(&ms),
        served_events(&file_messages("conference-pbx1.ami"))
    );
    assert_eq!(
        s.stats().dropped(),
        0,
        "garbage blocks are junk messages, not drops"
    );
}

#[test]
fn wrong_secret_is_an_authentication_error_and_the_source_ends() {
    let srv = server(|_| {});
    for auth in [AuthMethod::Plain, AuthMethod::Md5] {
        let mut s = socket(srv.port(), "wrong", auth);
        let (ms, errs) = drain(&mut s);
        assert_eq!(errs.len(), 1, "{auth:?}");
        let text = errs[0].to_string();
        assert!(
            matches!(errs[0], SourceError::Authentication { .. }),
            "{text}"
        );
        assert!(text.contains("Authentication failed"), "{text}");
        assert!(!text.contains("wrong"), "the secret never appears: {text}");
        assert_eq!(ms.len(), 1, "only END");
        assert_eq!(ms[0].end_count(), Some(1));
    }
}

#[test]
fn connection_refused_is_a_clear_error() {
    // Bind then drop to get a loopback port with nobody listening.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut s = socket(port, SECRET, AuthMethod::Plain);
    let (ms, errs) = drain(&mut s);
    assert_eq!(errs.len(), 1);
    assert!(matches!(errs[0], SourceError::Connect { .. }));
    let text = errs[0].to_string();
    assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
    assert_eq!(ms.len(), 1);
    assert!(ms[0].is_end());
}

#[test]
fn a_finished_connect_attempt_wakes_whoever_waits_for_it() {
    // A poll loop has no descriptor to watch while the connect thread works: it is told
    // when the attempt ends, whichever way it ends.
    let srv = server(|_| {});
    let refused = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    for port in [srv.port(), refused] {
        let (tx, rx) = std::sync::mpsc::channel();
        let tx = std::sync::Mutex::new(tx);
        let mut s = socket(port, SECRET, AuthMethod::Plain).waking(Some(Arc::new(move || {
            tx.lock().unwrap().send(()).ok();
        })));
        assert!(matches!(s.next_step(Duration::ZERO), Ok(Step::Idle)));
        rx.recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|e| panic!("port {port}: not woken: {e}"));
        // Woken with the result ready: the next step takes it without waiting.
        let step = s.next_step(Duration::ZERO);
        if port == refused {
            assert!(matches!(step, Err(SourceError::Connect { .. })), "{step:?}");
        } else {
            assert!(matches!(step, Ok(Step::Idle)), "{step:?}");
            assert!(s.raw_fd().is_some(), "connected, logging in");
        }
    }
}

#[test]
fn server_that_never_answers_the_login_times_out() {
    let srv = server(|c| c.answer_login = false);
    let mut s = socket(srv.port(), SECRET, AuthMethod::Plain);
    let mut cfg = s.config().clone();
    cfg.login_timeout = Duration::from_millis(300);
    s = Socket::new(cfg);
    let t = Instant::now();
    let (ms, errs) = drain(&mut s);
    assert!(
        matches!(errs[..], [SourceError::Timeout { what: "login", .. }]),
        "{errs:?}"
    );
    assert!(t.elapsed() < Duration::from_secs(5));
    assert_eq!(ms.len(), 1);
}

#[test]
fn peer_closing_mid_message_ends_with_end() {
    let bytes = capture("conference-pbx1.ami");
    // Cut inside a message: 5000 bytes into the replay is not on a blank line.
    let srv = server(|c| c.cut_after = Some(5000));
    let mut s = socket(srv.port(), SECRET, AuthMethod::Plain);
    let (ms, errs) = drain(&mut s);
    assert!(
        errs.is_empty(),
        "a closed peer is an END, not an error: {errs:?}"
    );
    let end = ms.last().unwrap();
    assert!(end.is_end());
    assert_eq!(end.end_count(), Some(ms.len() as u64));
    assert_eq!(
        s.stats().truncated,
        1,
        "the cut message is dropped and counted"
    );
    let full = file_messages("conference-pbx1.ami");
    assert!(ms.len() > 3 && ms.len() < full.len());
    // Every complete message before the cut is delivered unchanged.
    assert_eq!(events(&ms), events(&full)[..events(&ms).len()]);
    assert!(bytes.len() > 5000);
}

#[test]
fn close_logs_off_and_ends() {
    let srv = server(|c| {
        c.linger = true;
        c.delay = Duration::from_millis(1);
    });
    let mut s = socket(srv.port(), SECRET, AuthMethod::Plain);
    let mut got = 0;
    while got < 5 {
        if let Step::Message(_) = s.next_step(Duration::from_millis(50)).unwrap() {
            got += 1;
        }
    }
    s.close();
    let (ms, errs) = drain(&mut s);
    assert!(errs.is_empty());
    assert_eq!(ms.len(), 1);
    assert_eq!(ms[0].end_count(), Some(6));
}

#[test]
fn debug_output_hides_the_secret() {
    let s = socket(1, SECRET, AuthMethod::Plain);
    assert!(!format!("{s:?} {:?}", s.config()).contains(SECRET));
}

/// A poll loop must delete a descriptor from its poller before the descriptor is closed
/// (the number may be reused by the next connection): the socket says which, while it is
/// still open, each time it closes one, whether the peer left or it was closed.
#[test]
fn a_socket_names_its_descriptor_before_closing_it() {
    use std::os::fd::{BorrowedFd, RawFd};
    for close_it in [false, true] {
        let srv = server(|c| c.linger = close_it);
        let told: Arc<parking_lot::Mutex<Vec<(RawFd, bool)>>> = Arc::default();
        let record = told.clone();
        let mut s =
            socket(srv.port(), SECRET, AuthMethod::Plain).closing(Some(Arc::new(move |fd| {
                // SAFETY: only borrowed for a dup that tells whether it is still open.
                let open = unsafe { BorrowedFd::borrow_raw(fd) }
                    .try_clone_to_owned()
                    .is_ok();
                record.lock().push((fd, open));
            })));
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut fd = None;
        while fd.is_none() {
            assert!(Instant::now() < deadline, "never connected");
            s.next_step(Duration::from_millis(20)).ok();
            fd = s.raw_fd();
        }
        if close_it {
            s.close();
        } else {
            drain(&mut s);
        }
        assert_eq!(
            *told.lock(),
            [(fd.unwrap(), true)],
            "closed by us: {close_it}"
        );
    }
}

/// Step `s` as a poll loop does: with no wait, until it says Idle, then only when its
/// descriptor is readable or a deadline it names comes. Panics if the socket says Idle
/// while it could go on, which would leave such a loop waiting for input that never
/// comes (a login answer already read, say).
fn drain_as_a_poll_loop(s: &mut Socket) -> Vec<Message> {
    let poller = polling::Poller::new().unwrap();
    let (tx, rx) = crossbeam_channel::unbounded();
    let waker = Arc::new(move || {
        tx.send(()).ok();
    });
    *s = std::mem::replace(s, socket(0, SECRET, AuthMethod::Plain)).waking(Some(waker));
    let mut watched = None;
    let mut out = Vec::new();
    let mut events = polling::Events::new();
    loop {
        match s.next_step(Duration::ZERO) {
            Ok(Step::Message(m)) => {
                let end = m.is_end();
                out.push(m);
                if end {
                    return out;
                }
                continue;
            }
            Ok(Step::Idle) => {}
            Ok(Step::Ended) => return out,
            Err(e) => panic!("{e}"),
        }
        if s.raw_fd() != watched {
            if let Some(fd) = s.raw_fd() {
                // SAFETY: the socket stays open while watched; the test ends before.
                unsafe { poller.add(fd, polling::Event::readable(0)).unwrap() };
            }
            watched = s.raw_fd();
        } else if let Some(fd) = watched {
            // SAFETY: as above.
            let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
            poller.modify(fd, polling::Event::readable(0)).unwrap();
        }
        if watched.is_none() {
            // Connecting: the connect thread says when it is done.
            rx.recv_timeout(Duration::from_secs(10))
                .expect("connect never ended");
            continue;
        }
        let wait = s
            .next_due()
            .map_or(Duration::from_secs(10), |d| {
                d.saturating_duration_since(Instant::now())
            })
            .min(Duration::from_secs(10));
        events.clear();
        poller.wait(&mut events, Some(wait)).unwrap();
        let due = s.next_due().is_some_and(|d| d <= Instant::now());
        assert!(
            !events.is_empty() || due,
            "idle with nothing readable and nothing due after {} messages: stuck",
            out.len()
        );
    }
}

#[test]
fn a_socket_idle_has_taken_everything_it_read() {
    let expected = file_messages("conference-pbx1.ami");
    for piece in [None, Some(7)] {
        let srv = server(|c| c.piece = piece);
        for auth in [AuthMethod::Plain, AuthMethod::Md5] {
            let mut s = socket(srv.port(), SECRET, auth);
            let ms = drain_as_a_poll_loop(&mut s);
            assert_eq!(events(&ms), served_events(&expected), "{auth:?} {piece:?}");
        }
    }
}
