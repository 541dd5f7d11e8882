//! Reading a capture on a helper thread while its consumer applies what was read: decoding
//! and modelling then run on two cores instead of taking turns on one.
//!
//! The helper decodes at most [`DEPTH`] batches ahead. Whatever the consumer has not taken
//! when the [`ReadAhead`] is dropped goes back into the capture ([`CaptureFile::unread`]),
//! so stopping early (a hook raised, Ctrl-C) loses and repeats nothing.

use super::file::{Ahead, CaptureFile};
use super::{Source, SourceError};
use crate::ami::Message;
use crossbeam_channel::{Receiver, SendTimeoutError, Sender};
use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::{Scope, ScopedJoinHandle};
use std::time::Duration;

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
pub struct ReadAhead<'scope> {
    file: &'scope Mutex<CaptureFile>,
    batches: Receiver<Vec<Ahead>>,
    /// Messages done with, back to the helper for its decoder to reuse.
    done: Sender<Vec<Message>>,
    stop: Arc<AtomicBool>,
    /// Where reading goes on after the last step taken here (the capture's `offset()`).
    consumed: Arc<AtomicU64>,
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
        let consumed = file.lock().begin_read_ahead();
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
            consumed,
            helper: Some(helper),
            current: Vec::new().into_iter(),
        })
    }

    /// The next message or error, waiting for the helper if it has none ready; `None` once
    /// the capture has ended (after its END marker).
    pub fn next_step(&mut self) -> Option<Result<Message, SourceError>> {
        loop {
            if let Some(a) = self.current.next() {
                self.consumed.store(a.past(), Ordering::Relaxed);
                return Some(a.into_step());
            }
            // The helper only disconnects after its last batch, or when stopped.
            self.current = self.batches.recv().ok()?.into_iter();
        }
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
        let unsent = self
            .helper
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
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
                match f.step_ahead() {
                    Some(a) => batch.push(a),
                    None => {
                        ended = true;
                        break;
                    }
                }
            }
        }
        loop {
            if stop.load(Ordering::Relaxed) {
                return batch;
            }
            match batches.send_timeout(batch, STOP_CHECK) {
                Ok(()) => break,
                Err(SendTimeoutError::Timeout(b)) => batch = b,
                Err(SendTimeoutError::Disconnected(b)) => return b,
            }
        }
        if ended {
            return Vec::new();
        }
    }
}
