//! hackamore: a live model of who is on which call across Asterisk PBXes, built from their
//! Asterisk Manager Interface (AMI) event streams.
//!
//! Data flows one way: bytes -> [`ami::Decoder`] -> [`ami::Message`] -> (model) -> hooks.
//! Each stage works alone. Decoding a capture needs no socket:
//!
//! ```
//! use hackamore::ami::Decoder;
//! let mut d = Decoder::new();
//! d.feed(b"Event: Newchannel\r\nChannel: SIP/100-0001\r\nUniqueid: 1.1\r\n\r\n");
//! let m = d.next_message().unwrap();
//! assert_eq!(m.event().as_deref(), Some("Newchannel"));
//! ```
//!
//! Reading a source until its END marker:
//!
//! ```no_run
//! use hackamore::source::{CaptureFile, Source, Step};
//! use std::time::Duration;
//! let mut f = CaptureFile::raw("pbx1", "capture.ami")?;
//! while let Step::Message(m) = f.next_step(Duration::from_millis(100))? {
//!     println!("{:?}", m.event());
//! }
//! # Ok::<(), hackamore::source::SourceError>(())
//! ```
//!
//! The Python bindings live in `src/python/` behind the `python` feature; nothing else in
//! the crate knows about Python.

// The engines wait on socket descriptors with poll(2)/epoll/kqueue, the configuration
// checks file modes, and compat adopts Python sockets by descriptor.
#[cfg(not(unix))]
compile_error!("hackamore runs on POSIX systems (Linux, macOS, the BSDs)");

pub mod ami;
#[cfg(feature = "bench")]
pub mod bench;
pub mod config;
pub mod engine;
pub mod model;
pub mod source;
pub mod standin;

#[cfg(feature = "python")]
mod python;
