//! What an engine is given and gives: where it delivers messages ([`Sink`]), how it
//! runs ([`EngineOptions`]), and its counters ([`EngineStats`]).

use super::feed::FeedStats;
use crate::ami::Message;
use crate::model::ModelInterest;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;
use std::time::Duration;

/// Where an engine delivers messages: one consumer, called from one thread at a time.
pub trait Sink: Send {
    fn deliver(&mut self, pbx: &str, m: &Message);
}

impl<F: FnMut(&str, &Message) + Send> Sink for F {
    fn deliver(&mut self, pbx: &str, m: &Message) {
        self(pbx, m)
    }
}

/// How an engine runs.
#[derive(Clone, Debug)]
pub struct EngineOptions {
    /// A reader thread per feed (Mains) instead of one poll loop (Main).
    pub threaded: bool,
    /// First reconnect delay; doubles up to `backoff_max`, with jitter.
    pub backoff: Duration,
    pub backoff_max: Duration,
    /// The events the sink reads (the model's): each connection passes over the rest
    /// unread. `None`: every event is delivered.
    pub interest: Option<ModelInterest>,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            threaded: false,
            backoff: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            interest: None,
        }
    }
}

/// Counters of a running engine.
#[derive(Debug, Default)]
pub struct EngineStats {
    pub feeds: Vec<(String, Arc<FeedStats>)>,
    /// Threaded engine: messages queued between readers and consumer, now and at most.
    pub queued: AtomicUsize,
    pub queue_peak: AtomicUsize,
}
