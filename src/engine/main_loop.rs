//! The single-thread engine: every feed in one loop, waiting in one `poll` for any
//! socket to become readable, so a slow or silent PBX never delays the others.
//!
//! Only the feeds with something to do are stepped: those whose socket `poll` reports
//! readable, those with a deadline due ([`Feed::next_due`]), and those cut short by the
//! fairness limit. Stepping every feed at every wake-up cost a read per PBX per wake-up:
//! with a thousand PBXes each sending a little, most of the loop's time.

use super::feed::{Feed, FeedStep};
use super::options::Sink;
use super::waker::Waker;
use polling::{Event, Events, PollMode, Poller};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Messages taken from one feed before the loop moves to the next (fairness).
const BURST: usize = 256;
/// Longest sleep in `poll`. Every feed is stepped at least this often, whatever the
/// poller said: a safety net, not a timer (deadlines wake the loop on time).
pub(super) const MAX_WAIT: Duration = Duration::from_secs(1);

/// The feeds to step on the next turn, each at most once.
struct Turn {
    queued: Vec<bool>,
    feeds: Vec<usize>,
}

impl Turn {
    fn all(n: usize) -> Self {
        Turn {
            queued: vec![true; n],
            feeds: (0..n).collect(),
        }
    }

    fn add(&mut self, i: usize) {
        if !self.queued[i] {
            self.queued[i] = true;
            self.feeds.push(i);
        }
    }

    fn add_all(&mut self) {
        for i in 0..self.queued.len() {
            self.add(i);
        }
    }

    fn take(&mut self) -> Vec<usize> {
        let feeds = std::mem::take(&mut self.feeds);
        for &i in &feeds {
            self.queued[i] = false;
        }
        feeds
    }
}

pub(super) fn run(mut feeds: Vec<Feed>, mut sink: Box<dyn Sink>, waker: &Waker, stop: &AtomicBool) {
    let poller = waker.poller();
    // What the poller watches of each feed.
    let mut registered: Vec<Option<Watched>> = vec![None; feeds.len()];
    let mut due: Vec<Option<Instant>> = vec![None; feeds.len()];
    let mut turn = Turn::all(feeds.len());
    let mut running = feeds.len();
    let mut stop_seen = false;
    let mut last_sweep = Instant::now();
    let mut events = Events::new();
    loop {
        let stopping = stop.load(Ordering::Relaxed);
        if stopping && !stop_seen {
            stop_seen = true; // every feed must see it to log off
            turn.add_all();
        }
        for i in turn.take() {
            let feed = &mut feeds[i];
            if feed.is_finished() {
                continue;
            }
            let mut left = BURST;
            loop {
                if left == 0 {
                    turn.add(i); // more may be waiting: after the others
                    break;
                }
                left -= 1;
                match feed.step(Duration::ZERO, stopping) {
                    FeedStep::Message(m) => {
                        sink.deliver(&feed.pbx_of(&m), &m);
                        feed.recycle(m);
                    }
                    FeedStep::Idle | FeedStep::Waiting => break,
                    FeedStep::Finished => {
                        running -= 1;
                        break;
                    }
                }
            }
            due[i] = feed.next_due();
            if !register(poller, &mut registered[i], feed, i) {
                due[i] = Some(Instant::now() + Duration::from_millis(10));
            }
        }
        if running == 0 {
            return;
        }
        let now = Instant::now();
        let wait = if turn.feeds.is_empty() {
            let earliest = due.iter().flatten().min().copied();
            let until = earliest.map_or(last_sweep + MAX_WAIT, |d| d.min(last_sweep + MAX_WAIT));
            until.saturating_duration_since(now)
        } else {
            Duration::ZERO // only a look: the turn's feeds are ready now
        };
        events.clear();
        if let Err(e) = poller.wait(&mut events, Some(wait)) {
            log::error!("engine: poll failed: {e}");
            std::thread::sleep(Duration::from_millis(10));
        }
        for ev in events.iter() {
            turn.add(ev.key);
        }
        let (every_feed, woken) = waker.take();
        for i in woken {
            turn.add(i);
        }
        let now = Instant::now();
        if every_feed || now >= last_sweep + MAX_WAIT {
            turn.add_all();
            last_sweep = now;
        } else {
            for (i, d) in due.iter().enumerate() {
                if d.is_some_and(|d| d <= now) {
                    turn.add(i);
                }
            }
        }
    }
}

/// What a poller watches of one feed's connection: which one (its generation and
/// descriptor), and whether for writing as well as reading.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct Watched {
    generation: u64,
    fd: i32,
    writable: bool,
}

/// Keep the poller watching the feed's current connection: for reading, and for
/// writing while it holds actions the socket has not taken. The socket deletes its
/// descriptor from the poller before closing it (`Feed::on_socket_close`), so a new
/// connection is always added afresh, even when the kernel reused the old number.
/// `false`: the connection is not watched (it must be stepped without the poller).
pub(super) fn register(
    poller: &Poller,
    slot: &mut Option<Watched>,
    feed: &Feed,
    key: usize,
) -> bool {
    let current = feed.socket_fd().map(|(generation, fd)| Watched {
        generation,
        fd,
        writable: feed.wants_write(),
    });
    if current == *slot {
        return true;
    }
    if let Some(w) = current {
        let interest = if w.writable {
            Event::all(key)
        } else {
            Event::readable(key)
        };
        let same = slot.is_some_and(|s| (s.generation, s.fd) == (w.generation, w.fd));
        let watched = if same {
            // SAFETY: as below; the descriptor is already in this poller.
            let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(w.fd) };
            poller.modify_with_mode(fd, interest, PollMode::Level)
        } else {
            // SAFETY: the descriptor belongs to the feed's socket, which is open now and
            // deletes it from this poller before closing it.
            unsafe { poller.add_with_mode(w.fd, interest, PollMode::Level) }
        };
        if let Err(e) = watched {
            log::error!("engine: cannot watch a connection ({e}); it is read every 10 ms");
            return false; // not recorded: the next step tries again
        }
    }
    *slot = current;
    true
}
