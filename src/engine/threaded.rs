//! The threaded engine: a reader thread per feed, one consumer thread. Readers push batches
//! into an unbounded channel and never wait for the consumer.

use super::feed::{Feed, FeedStep};
use super::main_loop::{register, MAX_WAIT};
use super::options::{EngineStats, Sink};
use super::waker::Waker;
use crate::ami::Message;
use polling::Events;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Most messages a reader hands over at once. A reader hands over what it has whenever its
/// source has nothing more ready, so batching adds no delay, only fewer wake-ups.
const BATCH: usize = 256;

/// How much lower a reader's priority is than the model thread's (a nice increment).
///
/// When the CPU is contended (more busy threads than cores: several PBXes streaming fast
/// on a small machine), readers at the model's priority take its CPU time and decode ever
/// further ahead into the queue, which then costs memory and allocation (with two
/// stand-in servers on two cores, a backlog about ten times larger and a slower model).
/// Readers still never wait for the model: whenever a core is free they run at once, and
/// a reader needs a few percent of a core for the busiest real PBX.
pub const READER_NICENESS: i32 = 10;

/// Lower the calling reader thread's priority by [`READER_NICENESS`] (Linux only: on
/// other systems `nice` applies to the whole process, so nothing changes there).
fn yield_cpu_to_the_model() {
    #[cfg(target_os = "linux")]
    // SAFETY: nice(2) takes and returns plain integers; on Linux it changes the nice
    // value of the calling thread only. A failure leaves the priority as it was.
    unsafe {
        libc::nice(READER_NICENESS);
    }
}

/// Messages from one reader (`feeds[feed]`).
struct Batch {
    feed: usize,
    messages: Vec<Message>,
}

/// Start a reader per feed (`wakers[i]` wakes feed `i`'s) and the consumer.
pub(super) fn spawn(
    feeds: Vec<Feed>,
    wakers: &[Waker],
    mut sink: Box<dyn Sink>,
    stop: Arc<AtomicBool>,
    stats: Arc<EngineStats>,
) -> std::io::Result<Vec<JoinHandle<()>>> {
    let (tx, rx) = crossbeam_channel::unbounded::<Batch>();
    let mut threads = Vec::new();
    let mut rules = Vec::new();
    // Delivered batches go back to their reader, whose decoder reuses the messages; what
    // it cannot reuse it frees itself. The allocations stay with the thread that makes
    // them: the model freeing a backlog's messages contended with the readers' mallocs
    // for the allocator's arena locks (4 PBXes on 2 cores: the model thread got 0.13 of
    // a core and the backlog reached 2.5 million messages).
    let mut returns = Vec::new();
    for (index, mut feed) in feeds.into_iter().enumerate() {
        let (tx, stop, stats) = (tx.clone(), stop.clone(), stats.clone());
        let waker = wakers[index].clone();
        let (back_tx, back_rx) = crossbeam_channel::unbounded::<Vec<Message>>();
        rules.push(feed.pbx_rule());
        returns.push(back_tx);
        let hand_over = move |messages: Vec<Message>| {
            let depth = stats.queued.fetch_add(messages.len(), Ordering::Relaxed);
            stats
                .queue_peak
                .fetch_max(depth + messages.len(), Ordering::Relaxed);
            let batch = Batch {
                feed: index,
                messages,
            };
            tx.send(batch).ok().map(|()| {
                let mut back = back_rx.try_recv().unwrap_or_default();
                back.extend(back_rx.try_iter().flatten());
                back
            })
        };
        threads.push(
            std::thread::Builder::new()
                .name(format!("hackamore-{}", feed.name()))
                .spawn(move || {
                    yield_cpu_to_the_model();
                    read(&mut feed, &stop, &waker, hand_over)
                })?,
        );
    }
    drop(tx);
    let consumer = std::thread::Builder::new()
        .name("hackamore-model".into())
        // Ends when every reader has ended (their senders dropped).
        .spawn(move || {
            for Batch { feed, messages } in rx.iter() {
                for m in &messages {
                    sink.deliver(&rules[feed].pbx_of(m), m);
                }
                stats.queued.fetch_sub(messages.len(), Ordering::Relaxed);
                returns[feed].send(messages).ok(); // fails once the reader has ended
            }
        })?;
    threads.push(consumer);
    Ok(threads)
}

/// A reader thread: step the feed, handing messages over in batches, and sleep in its
/// own `poll` when it has nothing (woken by input, a deadline, or `waker`: a stop, an
/// action to send, a connect ended). `hand_over` gives back delivered messages to reuse,
/// or `None` once the consumer is gone.
fn read(
    feed: &mut Feed,
    stop: &AtomicBool,
    waker: &Waker,
    mut hand_over: impl FnMut(Vec<Message>) -> Option<Vec<Message>>,
) {
    let mut batch = Vec::new();
    let mut flush = |feed: &mut Feed, batch: &mut Vec<Message>| {
        if batch.is_empty() {
            return true;
        }
        let Some(mut delivered) = hand_over(std::mem::take(batch)) else {
            return false;
        };
        for m in delivered.drain(..) {
            feed.recycle(m);
        }
        // After a backlog, `delivered` held all of it: keep no more room than a batch.
        delivered.shrink_to(BATCH);
        *batch = delivered;
        true
    };
    let mut registered = None;
    let mut events = Events::new();
    loop {
        match feed.step(Duration::ZERO, stop.load(Ordering::Relaxed)) {
            FeedStep::Message(m) => {
                batch.push(m);
                if batch.len() >= BATCH && !flush(feed, &mut batch) {
                    return;
                }
            }
            FeedStep::Idle | FeedStep::Waiting => {
                if !flush(feed, &mut batch) {
                    return;
                }
                let mut wait = MAX_WAIT;
                if !register(waker.poller(), &mut registered, feed, 0) {
                    wait = Duration::from_millis(10);
                }
                if let Some(due) = feed.next_due() {
                    wait = wait.min(due.saturating_duration_since(Instant::now()));
                }
                if !wait.is_zero() {
                    events.clear();
                    if let Err(e) = waker.poller().wait(&mut events, Some(wait)) {
                        log::error!("{}: poll failed: {e}", feed.name());
                        std::thread::sleep(Duration::from_millis(10));
                    }
                    waker.take();
                }
            }
            FeedStep::Finished => {
                flush(feed, &mut batch);
                return;
            }
        }
    }
}
