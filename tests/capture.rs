//! File and Trace sources: END markers, Trace pass-through, close and reopen.

mod common;

use common::*;
use hackamore::ami::Message;
use hackamore::source::{CaptureFile, Paced, Source, SourceError, Step};
use parking_lot::Mutex;
use std::time::{Duration, Instant};

fn take(src: &mut CaptureFile, n: usize) -> Vec<Message> {
    let mut out = Vec::new();
    while out.len() < n {
        match src.next_step(Duration::ZERO).unwrap() {
            Step::Message(m) => out.push(m),
            Step::Idle => {}
            Step::Ended => break,
        }
    }
    out
}

#[test]
fn file_yields_every_message_then_end_with_count() {
    let path = fixtures_dir().join("basic-pbx1.ami");
    let mut f = CaptureFile::raw("pbx1", &path).unwrap();
    let ms = take(&mut f, usize::MAX);
    let decoded = decode_all(&std::fs::read(&path).unwrap());
    assert_eq!(&ms[..ms.len() - 1], &decoded[..]);
    assert_eq!(ms.last().unwrap().end_count(), Some(ms.len() as u64));
    assert_eq!(f.banner().unwrap().version, "13.0.0");
    assert!(matches!(f.next_step(Duration::ZERO).unwrap(), Step::Ended));
}

#[test]
fn missing_file_is_a_clear_error() {
    let err = CaptureFile::raw("pbx1", "/nonexistent/capture.ami").unwrap_err();
    assert!(matches!(err, SourceError::Capture { .. }));
    assert!(
        err.to_string().contains("/nonexistent/capture.ami"),
        "{err}"
    );
}

#[test]
fn trace_passes_per_pbx_ends_through_then_ends_itself() {
    let mut t = CaptureFile::trace("trace", fixtures_dir().join("cross-pbx.trace")).unwrap();
    let ms = take(&mut t, usize::MAX);
    let ends: Vec<_> = ms.iter().filter(|m| m.is_end()).collect();
    assert_eq!(
        ends.len(),
        3,
        "END of pbx1, END of pbx2, then the source's own"
    );
    let sources: Vec<_> = ends
        .iter()
        .map(|m| m.get_exact("SOURCE").map(|s| s.to_vec()))
        .collect();
    assert_eq!(
        sources,
        [Some(b"pbx1".to_vec()), Some(b"pbx2".to_vec()), None]
    );
    assert_eq!(ms.last().unwrap().end_count(), Some(ms.len() as u64));
    assert!(ms
        .iter()
        .filter(|m| !m.is_end())
        .all(|m| m.get_exact("SOURCE").is_some()));
}

#[test]
fn dtmf_end_field_is_not_an_end_marker() {
    let path = legacy("typescript.txt");
    let mut f = CaptureFile::raw("pbx", path).unwrap();
    let ms = take(&mut f, usize::MAX);
    let dtmf_with_end = ms
        .iter()
        .filter(|m| m.event().as_deref() == Some("DTMF") && m.get("End").is_some())
        .count();
    assert!(dtmf_with_end > 0, "the legacy capture has DTMF End: fields");
    let ends: Vec<_> = ms.iter().filter(|m| m.is_end()).collect();
    assert_eq!(ends.len(), 1);
    assert!(std::ptr::eq(*ends.last().unwrap(), ms.last().unwrap()));
}

#[test]
fn trace_close_and_reopen_goes_on_where_it_stopped() {
    let path = fixtures_dir().join("hold.trace");
    let mut whole = CaptureFile::trace("t", &path).unwrap();
    let all = take(&mut whole, usize::MAX);

    let mut t = CaptureFile::trace("t", &path).unwrap();
    let mut got = take(&mut t, 10);
    t.close();
    assert!(!t.is_open());
    // A closed source ends: END carries the count so far.
    let end = take(&mut t, 1);
    assert_eq!(end[0].end_count(), Some(11));
    t.reopen().unwrap();
    got.extend(take(&mut t, 25));
    t.close();
    t.reopen().unwrap();
    t.reopen().unwrap(); // reopening an open source is harmless
    got.extend(take(&mut t, usize::MAX));
    let data: Vec<_> = got
        .iter()
        .filter(|m| !m.is_end() || m.get_exact("SOURCE").is_some())
        .collect();
    let expected: Vec<_> = all
        .iter()
        .filter(|m| !m.is_end() || m.get_exact("SOURCE").is_some())
        .collect();
    assert_eq!(data, expected, "nothing lost, nothing repeated");
    assert!(got.last().unwrap().is_end());
}

#[test]
fn closing_and_reopening_a_capture_while_it_is_read_ahead_loses_and_repeats_nothing() {
    let path = fixtures_dir().join("churn.trace");
    let n = 300;
    for reopen_at_once in [false, true] {
        // Step by step: n messages, a close (its END, unless reopened at once), the rest.
        let mut plain = CaptureFile::trace("t", &path).unwrap();
        let mut want = take(&mut plain, n);
        plain.close();
        if !reopen_at_once {
            want.extend(take(&mut plain, 1));
        }
        plain.reopen().unwrap();
        want.extend(take(&mut plain, usize::MAX));

        let file = Mutex::new(CaptureFile::trace("t", &path).unwrap());
        let got = std::thread::scope(|s| {
            let mut paced = Paced::start(s, &file);
            let mut got: Vec<Message> = (0..n)
                .map(|_| paced.next_step().unwrap().unwrap())
                .collect();
            let deadline = Instant::now() + Duration::from_secs(20);
            while file.lock().stats().messages < n as u64 + 512 {
                assert!(Instant::now() < deadline, "the helper never read ahead");
                std::thread::sleep(Duration::from_millis(1));
            }
            file.lock().close();
            if !reopen_at_once {
                got.push(paced.next_step().unwrap().unwrap());
            }
            file.lock().reopen().unwrap();
            while let Some(step) = paced.next_step() {
                got.push(step.unwrap());
            }
            got
        });
        assert_eq!(got.len(), want.len(), "reopen_at_once={reopen_at_once}");
        assert_eq!(got, want, "reopen_at_once={reopen_at_once}");
    }
}
