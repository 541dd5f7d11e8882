//! Engines: many feeds into one consumer. [`start`] without `threaded` runs the single-thread
//! poll loop over every feed (the old framework's Main); with `threaded` it runs a reader
//! thread per feed and one consumer thread (its Mains). Both keep each PBX's order and
//! give the consumer the same messages.
//!
//! Queue policy (threaded): readers never wait for the consumer. Their queue is
//! unbounded, so nothing is dropped; its depth and peak are counted in [`EngineStats`]
//! so a consumer that falls behind is visible.

mod backoff;
mod feed;
mod handle;
mod main_loop;
mod options;
mod threaded;
mod waker;

pub use feed::{FeedSpec, FeedStats};
pub use handle::{start, EngineHandle};
pub use options::{EngineOptions, EngineStats, Sink};
pub use threaded::READER_NICENESS;
