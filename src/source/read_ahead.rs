//! Reading a capture on a helper thread while its consumer applies what was read: decoding
//! and modelling then run on two cores instead of taking turns on one.
//!
//! The helper decodes at most [`DEPTH`] batches ahead. Whatever the consumer has not taken
//! when the [`ReadAhead`] is dropped goes back into the capture ([`CaptureFile::unread`]),
//! so stopping early (a hook raised, Ctrl-C) loses and repeats nothing. Handing messages
//! from core to core is not always cheap, so [`Paced`] reads ahead only while that
//! measures faster than reading in turn ([`Pace`]).

use super::file::{Ahead, CaptureFile, ReadAheadShared};
use super::{Source, SourceError};
use crate::ami::Message;
use crossbeam_channel::{Receiver, RecvTimeoutError, SendTimeoutError, Sender};
use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{Scope, ScopedJoinHandle};
use std::time::{Duration, Instant};

/// Steps taken under one lock of the capture and handed over together.
const BATCH: usize = 256;

/// Batches in flight: enough to keep both threads busy, few enough to bound memory.
const DEPTH: usize = 2;

/// Room for every message in flight (`BATCH * (DEPTH + 2)`) coming back in handfuls of 32
/// or more: a full return path drops what it cannot take, and the decoder allocates anew.
const RETURNS: usize = BATCH * (DEPTH + 2) / 32;

/// How often a helper waiting for room in the channel looks whether it should stop.
const STOP_CHECK: Duration = Duration::from_millis(10);

/// A capture being read ahead on a scoped thread. Dropping it stops the thread and hands
/// back every step not yet taken.
pub(crate) struct ReadAhead<'scope> {
    file: &'scope Mutex<CaptureFile>,
    batches: Receiver<Vec<Ahead>>,
    /// Messages done with, back to the helper for its decoder to reuse.
    done: Sender<Vec<Message>>,
    stop: Arc<AtomicBool>,
    shared: ReadAheadShared,
    helper: Option<ScopedJoinHandle<'scope, Vec<Ahead>>>,
    current: std::vec::IntoIter<Ahead>,
}

impl<'scope> ReadAhead<'scope> {
    /// Start reading `file` on a thread of `scope`.
    pub fn start<'env>(
        scope: &'scope Scope<'scope, 'env>,
        file: &'env Mutex<CaptureFile>,
    ) -> std::io::Result<Self> {
        let (batch_tx, batches) = crossbeam_channel::bounded(DEPTH);
        let (done, done_rx) = crossbeam_channel::bounded(RETURNS);
        let stop = Arc::new(AtomicBool::new(false));
        let shared = file.lock().begin_read_ahead();
        let helper = {
            let stop = stop.clone();
            std::thread::Builder::new()
                .name("hackamore-read-ahead".into())
                .spawn_scoped(scope, move || read(file, &batch_tx, &done_rx, &stop))
                .inspect_err(|_| file.lock().end_read_ahead(Vec::new()))?
        };
        Ok(ReadAhead {
            file,
            batches,
            done,
            stop,
            shared,
            helper: Some(helper),
            current: Vec::new().into_iter(),
        })
    }

    /// The next message or error, waiting for the helper if it has none ready; `None` once
    /// the capture has ended (after its END marker) or was closed ([`ReadAhead::closed`]:
    /// then its END is the capture's to deliver, read in turn).
    pub fn next_step(&mut self) -> Option<Result<Message, SourceError>> {
        loop {
            if self.closed() {
                return None;
            }
            if let Some(a) = self.current.next() {
                self.shared.consumed.store(a.past(), Ordering::Relaxed);
                return Some(a.into_step());
            }
            match self.batches.recv_timeout(STOP_CHECK) {
                Ok(batch) => self.current = batch.into_iter(),
                Err(RecvTimeoutError::Timeout) => {} // the helper stopped at a close, or is slow
                // The helper has returned after the capture's end, or it panicked: a bug
                // that must not pass for the end of the capture.
                Err(RecvTimeoutError::Disconnected) => {
                    if let Some(Err(panic)) = self.helper.take().map(|h| h.join()) {
                        std::panic::resume_unwind(panic);
                    }
                    return None;
                }
            }
        }
    }

    /// Was the capture closed while it was read ahead?
    pub fn closed(&self) -> bool {
        self.shared.closed.load(Ordering::Relaxed)
    }

    /// Hand back delivered messages for the decoder to reuse (dropped if the helper is
    /// behind on taking them back).
    pub fn recycle(&self, done: &mut Vec<Message>) {
        let _ = self.done.try_send(std::mem::take(done));
    }
}

impl Drop for ReadAhead<'_> {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Joined first: once it has returned, everything it read is in the channel or in
        // what it returns, in order after what the consumer holds.
        let unsent = match self.helper.take().map(|h| h.join()) {
            Some(Ok(unsent)) => unsent,
            Some(Err(_)) => {
                log::error!("a capture's read-ahead thread panicked; what it read is lost");
                Vec::new()
            }
            None => Vec::new(),
        };
        let mut left: Vec<Ahead> = std::mem::take(&mut self.current).collect();
        left.extend(self.batches.try_iter().flatten());
        left.extend(unsent);
        self.file.lock().end_read_ahead(left);
    }
}

/// The helper: steps under the capture's lock a batch at a time, so Python can still ask
/// the capture for its offset or stats in between. Returns what it could not hand over.
fn read(
    file: &Mutex<CaptureFile>,
    batches: &Sender<Vec<Ahead>>,
    done: &Receiver<Vec<Message>>,
    stop: &AtomicBool,
) -> Vec<Ahead> {
    loop {
        let mut batch = Vec::with_capacity(BATCH);
        let mut ended = false;
        {
            let mut f = file.lock();
            for m in done.try_iter().flatten() {
                f.recycle(m);
            }
            while batch.len() < BATCH && !stop.load(Ordering::Relaxed) {
                // Closed: nothing more until the consumer stops this reader.
                if f.closed_while_read_ahead() {
                    drop(f);
                    return wait_for_stop(batch, batches, stop);
                }
                match f.step_ahead() {
                    Some(a) => batch.push(a),
                    None => {
                        ended = true;
                        break;
                    }
                }
            }
        }
        if let Err(unsent) = hand_over(batch, batches, stop) {
            return unsent;
        }
        if ended {
            return Vec::new();
        }
    }
}

/// Send `batch`, waiting for room unless told to stop: then it is returned.
fn hand_over(
    mut batch: Vec<Ahead>,
    batches: &Sender<Vec<Ahead>>,
    stop: &AtomicBool,
) -> Result<(), Vec<Ahead>> {
    loop {
        if stop.load(Ordering::Relaxed) {
            return Err(batch);
        }
        match batches.send_timeout(batch, STOP_CHECK) {
            Ok(()) => return Ok(()),
            Err(SendTimeoutError::Timeout(b)) => batch = b,
            Err(SendTimeoutError::Disconnected(b)) => return Err(b),
        }
    }
}

/// After a close: hand over what was read before it (for the consumer's stop to take
/// back) and idle until stopped.
fn wait_for_stop(batch: Vec<Ahead>, batches: &Sender<Vec<Ahead>>, stop: &AtomicBool) -> Vec<Ahead> {
    if let Err(unsent) = hand_over(batch, batches, stop) {
        return unsent;
    }
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(STOP_CHECK);
    }
    Vec::new()
}

/// A capture read by one consumer: ahead on a helper thread while that is the faster way
/// ([`Pace`]), else in turn on the consumer's thread.
pub struct Paced<'scope, 'env> {
    file: &'env Mutex<CaptureFile>,
    scope: &'scope Scope<'scope, 'env>,
    ahead: Option<ReadAhead<'scope>>,
    /// `None` once reading ahead is over: stopped, or no thread could be started.
    pace: Option<Pace>,
}

impl<'scope, 'env> Paced<'scope, 'env> {
    /// Start reading `file`, ahead on a thread of `scope` to begin with.
    pub fn start(scope: &'scope Scope<'scope, 'env>, file: &'env Mutex<CaptureFile>) -> Self {
        Self::with_pace(scope, file, Pace::default())
    }

    /// [`Paced::start`] with windows of another size (tests switch every few messages).
    pub(crate) fn with_pace(
        scope: &'scope Scope<'scope, 'env>,
        file: &'env Mutex<CaptureFile>,
        pace: Pace,
    ) -> Self {
        let mut paced = Paced {
            file,
            scope,
            ahead: None,
            pace: Some(pace),
        };
        paced.read_ahead(true);
        paced
    }

    /// The next message or error; `None` once the capture has ended (after its END).
    pub fn next_step(&mut self) -> Option<Result<Message, SourceError>> {
        let step = match &mut self.ahead {
            Some(a) => match a.next_step() {
                None if a.closed() => {
                    self.stop_reading_ahead();
                    self.step_in_turn()
                }
                step => step,
            },
            None => self.step_in_turn(),
        };
        if let (Some(Ok(_)), Some(pace)) = (&step, &mut self.pace) {
            let ahead = pace.delivered();
            if ahead != self.ahead.is_some() {
                self.read_ahead(ahead);
            }
        }
        step
    }

    /// Hand back delivered messages for the decoder to reuse.
    pub fn recycle(&self, done: &mut Vec<Message>) {
        match &self.ahead {
            Some(a) => a.recycle(done),
            None => {
                let mut f = self.file.lock();
                for m in done.drain(..) {
                    f.recycle(m);
                }
            }
        }
    }

    fn step_in_turn(&self) -> Option<Result<Message, SourceError>> {
        self.file.lock().step()
    }

    /// Read in turn from now on: what the helper read ahead goes back into the capture.
    fn stop_reading_ahead(&mut self) {
        self.pace = None;
        self.ahead = None;
    }

    fn read_ahead(&mut self, on: bool) {
        if !on {
            self.ahead = None;
        } else if self.ahead.is_none() {
            self.ahead = ReadAhead::start(self.scope, self.file)
                .inspect_err(|e| log::warn!("reading a capture without a helper thread: {e}"))
                .ok();
            if self.ahead.is_none() {
                self.pace = None;
            }
        }
    }
}

/// Messages per measured window of [`Pace`]: a few milliseconds.
const WINDOW: u32 = 8 * 1024;

/// Every this many windows (about half a million messages), the way not in use is tried
/// again.
const RETRY_EVERY: u32 = 64;

/// Chooses, window by window, between reading a capture ahead on a helper thread and
/// reading it in turn on the consumer's thread, by which delivered its last window
/// faster. Reading ahead is faster when the two threads' cores pass data cheaply, and
/// much slower when they do not (on a VM whose vCPUs sometimes sit far apart, over twice
/// as slow as reading in turn); only trying both tells.
#[derive(Debug)]
pub(crate) struct Pace {
    /// Messages per window, and every how many windows the other way is tried again.
    window: u32,
    retry_every: u32,
    /// Windows ended so far.
    windows: u32,
    delivered: u32,
    began: Instant,
    ahead: bool,
    /// Whether this window's time counts: not the first after a helper starts (a new
    /// thread, cold caches, perhaps on the consumer's core until the scheduler moves it).
    counts: bool,
    /// The last counted window's time, reading in turn and ahead.
    last: [Option<Duration>; 2],
}

impl Default for Pace {
    fn default() -> Self {
        Pace::new(WINDOW, RETRY_EVERY)
    }
}

impl Pace {
    /// A pace measuring windows of `window` messages, trying the way not in use again
    /// every `retry_every` windows.
    pub fn new(window: u32, retry_every: u32) -> Self {
        Pace {
            window: window.max(1),
            retry_every: retry_every.max(2),
            windows: 0,
            delivered: 0,
            began: Instant::now(),
            ahead: true,
            counts: false,
            last: [None, None],
        }
    }

    /// One message delivered: whether to read ahead from now on.
    pub fn delivered(&mut self) -> bool {
        self.delivered += 1;
        if self.delivered == self.window {
            let now = Instant::now();
            self.window_ended(now - self.began);
            self.delivered = 0;
            self.began = now;
        }
        self.ahead
    }

    fn window_ended(&mut self, took: Duration) {
        let (was, counted) = (self.ahead, self.counts);
        if counted {
            self.last[usize::from(was)] = Some(took);
        }
        self.windows += 1;
        self.ahead = match self.last {
            _ if was && !counted => true, // a helper's first window: measure the next
            [None, _] => false,
            [_, None] => true,
            _ if self.windows.is_multiple_of(self.retry_every) => !was,
            [Some(in_turn), Some(ahead)] => ahead < in_turn,
        };
        self.counts = was || !self.ahead;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ways `Pace` picks for `windows` windows, each taking what `took` says for its
    /// way (the helper's first window after a start takes `start` more).
    fn picks(windows: u32, took: impl Fn(bool) -> u64, start: u64) -> Vec<bool> {
        let mut p = Pace::default();
        let mut started = true;
        (0..windows)
            .map(|_| {
                let ahead = p.ahead;
                let ms = took(ahead) + if started { start } else { 0 };
                p.window_ended(Duration::from_millis(ms));
                started = p.ahead && !ahead;
                ahead
            })
            .collect()
    }

    #[test]
    fn pace_keeps_the_faster_way_and_tries_the_other_now_and_then() {
        let (a, t) = (true, false);
        // Reading ahead faster, even though each start of the helper costs a slow window.
        let ways = picks(70, |ahead| if ahead { 6 } else { 8 }, 20);
        assert_eq!(ways[..5], [a, a, t, a, a], "tried both, then ahead");
        assert_eq!(
            ways.iter().filter(|&&w| !w).count(),
            2,
            "in turn once more at 64"
        );
        assert!(!ways[64] && ways[65] && ways[69]);
        // Reading ahead slower: in turn from the third window on, ahead tried at 64.
        let ways = picks(70, |ahead| if ahead { 17 } else { 8 }, 0);
        assert_eq!(ways[..5], [a, a, t, t, t]);
        assert_eq!(
            ways.iter().filter(|&&w| w).count(),
            4,
            "ahead: 2 at first, 2 at 64"
        );
        assert!(ways[64] && ways[65] && !ways[66]);
    }

    use crate::source::{Source, Step};
    use std::time::Instant;

    fn churn() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/asterisk/churn.trace")
    }

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

    /// Take `n` messages through a [`ReadAhead`] and stop it once its helper has decoded
    /// `ahead` messages beyond them (or the whole capture): what was taken, the capture's
    /// offset just before stopping, and the capture it hands back.
    fn read_ahead_then_stop(
        path: &std::path::Path,
        n: usize,
        ahead: u64,
    ) -> (Vec<Message>, u64, CaptureFile) {
        let file = Mutex::new(CaptureFile::trace("t", path).unwrap());
        let (taken, offset) = std::thread::scope(|s| {
            let mut reading = ReadAhead::start(s, &file).unwrap();
            let taken: Vec<Message> = (0..n)
                .map_while(|_| reading.next_step())
                .map(Result::unwrap)
                .collect();
            let deadline = Instant::now() + Duration::from_secs(20);
            while file.lock().stats().messages < ahead {
                assert!(Instant::now() < deadline, "the helper never read ahead");
                std::thread::sleep(Duration::from_millis(1));
            }
            let offset = file.lock().offset();
            (taken, offset)
        });
        (taken, offset, file.into_inner())
    }

    #[test]
    fn reading_ahead_and_stopping_anywhere_loses_and_repeats_nothing() {
        let path = churn();
        let all = take(&mut CaptureFile::trace("t", &path).unwrap(), usize::MAX);
        let decoded = all.len() as u64 - 1; // the END marker is not decoded
        assert!(all.len() > 2000, "enough for several batches");
        for n in [0, 1, 255, 256, 257, 1000, all.len() - 1, all.len()] {
            // Once the helper is well ahead of the consumer (two batches or the whole file),
            // dropping the reader hands back what it read that was not taken.
            let (taken, reading, mut f) =
                read_ahead_then_stop(&path, n, decoded.min(n as u64 + 512));
            assert_eq!(taken, all[..n], "taken through the helper, n={n}");
            let mut plain = CaptureFile::trace("t", &path).unwrap();
            take(&mut plain, n);
            assert_eq!(reading, plain.offset(), "offset while reading ahead, n={n}");
            assert_eq!(
                f.offset(),
                plain.offset(),
                "where a reopen would resume, n={n}"
            );
            assert_eq!(
                take(&mut f, usize::MAX),
                all[n..],
                "the rest, END count included, n={n}"
            );
        }
    }

    #[test]
    fn a_capture_closed_after_reading_ahead_ends_and_reopens_where_its_consumer_stopped() {
        let path = churn();
        let all = take(&mut CaptureFile::trace("t", &path).unwrap(), usize::MAX);
        let n = 300;
        let (taken, _, mut f) = read_ahead_then_stop(&path, n, n as u64 + 512);
        f.close();
        let end = take(&mut f, 1);
        assert_eq!(
            end[0].end_count(),
            Some(n as u64 + 1),
            "counts only what was taken"
        );
        f.reopen().unwrap();
        let rest = take(&mut f, usize::MAX);
        assert_eq!(rest[..rest.len() - 1], all[n..all.len() - 1]);
        assert_eq!(
            taken.len() + rest.len() + 1,
            all.len() + 1,
            "one END more: the close's"
        );
    }

    #[test]
    fn a_capture_read_switching_between_ahead_and_in_turn_delivers_every_message_once() {
        let path = churn();
        let all = take(&mut CaptureFile::trace("t", &path).unwrap(), usize::MAX);
        let file = Mutex::new(CaptureFile::trace("t", &path).unwrap());
        let got: Vec<Message> = std::thread::scope(|s| {
            // Windows of 16 messages, the way not in use tried every 4th: over a hundred
            // switches between the helper and the consumer's own reading.
            let mut paced = Paced::with_pace(s, &file, Pace::new(16, 4));
            let (mut got, mut done) = (Vec::new(), Vec::new());
            while let Some(step) = paced.next_step() {
                let m = step.unwrap();
                got.push(m.clone());
                done.push(m);
                if done.len() == 5 {
                    paced.recycle(&mut done);
                }
            }
            got
        });
        assert_eq!(got, all);
        assert_eq!(
            file.lock().offset(),
            std::fs::metadata(&path).unwrap().len()
        );
    }
}
