//! Waking a thread that sleeps in `poll` for something that is not input: a stop, an
//! action to send, a connect attempt ended.

use parking_lot::Mutex;
use polling::Poller;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A poller together with what the wake-up is about. The flags, not the poller's
/// notification, carry the news: a notification that lands while `poll` returns for a
/// readable socket anyway is consumed by that return and would otherwise be lost.
#[derive(Clone)]
pub(super) struct Waker {
    poller: Arc<Poller>,
    every_feed: Arc<AtomicBool>,
    feeds: Arc<Mutex<Vec<usize>>>,
}

impl Waker {
    pub fn new() -> std::io::Result<Self> {
        Ok(Waker {
            poller: Arc::new(Poller::new()?),
            every_feed: Arc::new(AtomicBool::new(false)),
            feeds: Arc::default(),
        })
    }

    pub fn poller(&self) -> &Poller {
        &self.poller
    }

    /// Something for every feed (a stop, an action whose feed the loop finds itself).
    pub fn wake(&self) {
        self.every_feed.store(true, Ordering::Release);
        self.poller.notify().ok();
    }

    /// Something for feed `i` only (its connect attempt ended).
    pub fn wake_feed(&self, i: usize) {
        self.feeds.lock().push(i);
        self.poller.notify().ok();
    }

    /// Since the last look: was every feed woken, and which feeds were.
    pub fn take(&self) -> (bool, Vec<usize>) {
        let all = self.every_feed.swap(false, Ordering::Acquire);
        (all, std::mem::take(&mut *self.feeds.lock()))
    }
}
