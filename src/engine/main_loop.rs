//! The single-thread engine: every feed in one loop, waiting in one `poll` for any
//! socket to become readable, so a slow or silent PBX never delays the others.

use super::feed::{Feed, FeedStep};
use super::options::Sink;
use polling::{Event, Events, PollMode, Poller};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Messages taken from one feed before the loop moves to the next (fairness).
const BURST: usize = 256;
/// Longest sleep in `poll`: bounds how late a stop or a reconnect deadline is seen.
const MAX_WAIT: Duration = Duration::from_millis(100);

pub(super) fn run(
    mut feeds: Vec<Feed>,
    mut sink: Box<dyn Sink>,
    poller: &Poller,
    stop: &AtomicBool,
) {
    // (generation, fd) registered for each feed.
    let mut registered: Vec<Option<(u64, i32)>> = vec![None; feeds.len()];
    let mut events = Events::new();
    loop {
        let stopping = stop.load(Ordering::Relaxed);
        let mut progressed = false;
        let mut deadline: Option<Instant> = None;
        let mut running = 0;
        for (i, feed) in feeds.iter_mut().enumerate() {
            for _ in 0..BURST {
                match feed.step(Duration::ZERO, stopping) {
                    FeedStep::Message(m) => {
                        progressed = true;
                        sink.deliver(&feed.pbx_of(&m), &m);
                        feed.recycle(m);
                    }
                    FeedStep::Idle | FeedStep::Finished => break,
                    FeedStep::Waiting(t) => {
                        deadline = Some(deadline.map_or(t, |d: Instant| d.min(t)));
                        break;
                    }
                }
            }
            if !feed.is_finished() {
                running += 1;
            }
            register(poller, &mut registered[i], feed, i);
        }
        if running == 0 {
            return;
        }
        if !progressed {
            let mut wait = MAX_WAIT;
            if let Some(d) = deadline {
                wait = wait.min(d.saturating_duration_since(Instant::now()));
            }
            events.clear();
            if let Err(e) = poller.wait(&mut events, Some(wait)) {
                log::error!("engine: poll failed: {e}");
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
}

/// Keep the poller watching the feed's current connection. The socket deletes its
/// descriptor from the poller before closing it (`Feed::on_socket_close`), so a new
/// connection is always added afresh, even when the kernel reused the old number.
fn register(poller: &Poller, slot: &mut Option<(u64, i32)>, feed: &Feed, key: usize) {
    let current = feed.socket_fd();
    if current == *slot {
        return;
    }
    if let Some((_, fd)) = current {
        // SAFETY: the descriptor belongs to the feed's socket, which is open now and
        // deletes it from this poller before closing it.
        let added = unsafe { poller.add_with_mode(fd, Event::readable(key), PollMode::Level) };
        if let Err(e) = added {
            log::error!("engine: cannot watch a connection ({e}); it is read at each turn");
        }
    }
    *slot = current;
}
