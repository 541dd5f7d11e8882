//! The threaded engine: a reader thread per feed, one consumer thread. Readers push into
//! an unbounded channel and never wait for the consumer.

use super::feed::{Feed, FeedStep};
use super::{EngineStats, Sink};
use crate::ami::Message;
use crossbeam_channel::RecvTimeoutError;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const STEP: Duration = Duration::from_millis(100);

pub(super) fn spawn(
    feeds: Vec<Feed>,
    mut sink: Box<dyn Sink>,
    stop: Arc<AtomicBool>,
    stats: Arc<EngineStats>,
) -> std::io::Result<Vec<JoinHandle<()>>> {
    let (tx, rx) = crossbeam_channel::unbounded::<(String, Message)>();
    let mut threads = Vec::new();
    for mut feed in feeds {
        let (tx, stop, stats) = (tx.clone(), stop.clone(), stats.clone());
        threads.push(
            std::thread::Builder::new()
                .name(format!("hackamore-{}", feed.name()))
                .spawn(move || loop {
                    match feed.step(STEP, stop.load(Ordering::Relaxed)) {
                        FeedStep::Message(m) => {
                            let pbx = feed.pbx_of(&m).into_owned();
                            let depth = stats.queued.fetch_add(1, Ordering::Relaxed) + 1;
                            stats.queue_peak.fetch_max(depth, Ordering::Relaxed);
                            if tx.send((pbx, m)).is_err() {
                                return;
                            }
                        }
                        FeedStep::Idle => {}
                        FeedStep::Waiting(until) => {
                            let left = until.saturating_duration_since(Instant::now());
                            std::thread::sleep(left.min(Duration::from_millis(50)));
                        }
                        FeedStep::Finished => return,
                    }
                })?,
        );
    }
    drop(tx);
    let consumer = std::thread::Builder::new()
        .name("hackamore-model".into())
        .spawn(move || loop {
            match rx.recv_timeout(STEP) {
                Ok((pbx, m)) => {
                    stats.queued.fetch_sub(1, Ordering::Relaxed);
                    sink.deliver(&pbx, &m);
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
        })?;
    threads.push(consumer);
    Ok(threads)
}
