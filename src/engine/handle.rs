//! Running an engine: the handle that stops it and sends actions through it, and
//! [`start`].

use super::backoff::Backoff;
use super::feed::{Feed, FeedSpec};
use super::options::{EngineOptions, EngineStats, Sink};
use super::waker::Waker;
use super::{main_loop, threaded};
use crate::ami::Message;
use crate::source::{Outbox, SharedInterest};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

/// A running engine. Dropping it stops it.
pub struct EngineHandle {
    stop: Arc<AtomicBool>,
    /// The poll loop's (Main) or each reader's (Mains).
    wakers: Vec<Waker>,
    threads: Vec<JoinHandle<()>>,
    stats: Arc<EngineStats>,
    /// Each server feed's way in for actions, by PBX name.
    outboxes: Vec<(String, Outbox)>,
}

impl EngineHandle {
    /// Ask every feed to stop (connections log off); returns at once.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
        for w in &self.wakers {
            w.wake();
        }
    }

    /// Have all the engine's threads finished (every feed ended, or stopped)?
    pub fn is_finished(&self) -> bool {
        self.threads.iter().all(|t| t.is_finished())
    }

    /// Wait for the engine's threads.
    pub fn join(&mut self) {
        for t in self.threads.drain(..) {
            t.join().ok();
        }
    }

    pub fn stats(&self) -> &Arc<EngineStats> {
        &self.stats
    }

    /// Queue `action` for the PBX named `pbx` (sent once it is logged in); its answers
    /// arrive on the returned receiver (see [`Outbox`]). `None`: no such
    /// PBX in this engine.
    pub fn send(
        &self,
        pbx: &str,
        action: crate::ami::Action,
    ) -> Option<(String, crossbeam_channel::Receiver<Message>, Outbox)> {
        let (_, outbox) = self.outboxes.iter().find(|(n, _)| n == pbx)?;
        let (id, answers) = outbox.send(action)?;
        for w in &self.wakers {
            w.wake(); // sent now, not at the next wake-up
        }
        Some((id, answers, outbox.clone()))
    }
}

impl Drop for EngineHandle {
    fn drop(&mut self) {
        self.stop();
    }
}

type Outboxes = Vec<(String, Outbox)>;

fn make_feeds(
    specs: Vec<FeedSpec>,
    opts: &EngineOptions,
) -> (Vec<Feed>, Arc<EngineStats>, Outboxes) {
    let interest = opts.interest.clone().map(|i| Arc::new(i) as SharedInterest);
    let feeds: Vec<Feed> = specs
        .into_iter()
        .enumerate()
        .map(|(i, spec)| {
            let seed =
                0x9E37_79B9_7F4A_7C15u64.wrapping_mul(i as u64 + 1) ^ std::process::id() as u64;
            let mut feed = Feed::new(spec, Backoff::new(opts.backoff, opts.backoff_max, seed));
            feed.interested(interest.clone());
            feed
        })
        .collect();
    let stats = EngineStats {
        feeds: feeds
            .iter()
            .map(|f| (f.name().to_string(), f.stats()))
            .collect(),
        ..EngineStats::default()
    };
    let outboxes = feeds
        .iter()
        .filter_map(|f| Some((f.name().to_string(), f.outbox()?)))
        .collect();
    (feeds, Arc::new(stats), outboxes)
}

/// Start an engine over `specs`, delivering every message to `sink` from the engine's
/// own thread(s). It runs until every feed has finished (captures end; servers only
/// when stopped).
pub fn start(
    specs: Vec<FeedSpec>,
    opts: EngineOptions,
    sink: Box<dyn Sink>,
) -> std::io::Result<EngineHandle> {
    let stop = Arc::new(AtomicBool::new(false));
    let (mut feeds, stats, outboxes) = make_feeds(specs, &opts);
    if opts.threaded {
        let mut wakers = Vec::new();
        for feed in &mut feeds {
            let waker = Waker::new()?;
            wake_on_socket_events(feed, 0, &waker);
            wakers.push(waker);
        }
        let threads = threaded::spawn(feeds, &wakers, sink, stop.clone(), stats.clone())?;
        Ok(EngineHandle {
            stop,
            wakers,
            threads,
            stats,
            outboxes,
        })
    } else {
        let waker = Waker::new()?;
        for (i, feed) in feeds.iter_mut().enumerate() {
            wake_on_socket_events(feed, i, &waker);
        }
        let (w, s) = (waker.clone(), stop.clone());
        let thread = std::thread::Builder::new()
            .name("hackamore-main".into())
            .spawn(move || main_loop::run(feeds, sink, &w, &s))?;
        Ok(EngineHandle {
            stop,
            wakers: vec![waker],
            threads: vec![thread],
            stats,
            outboxes,
        })
    }
}

/// Have `feed`'s connections wake the thread waiting on `waker` (as its feed `key`) when
/// a connect attempt ends, and leave its poller before closing their descriptor.
fn wake_on_socket_events(feed: &mut Feed, key: usize, waker: &Waker) {
    let w = waker.clone();
    feed.wake_on_connect(Arc::new(move || w.wake_feed(key)));
    let w = waker.clone();
    feed.on_socket_close(Arc::new(move |fd| {
        // SAFETY: the socket calls this with its descriptor while it is still open,
        // just before closing it.
        let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
        // Not registered yet (closed before the loop saw it): nothing to delete.
        w.poller().delete(fd).ok();
    }));
}
