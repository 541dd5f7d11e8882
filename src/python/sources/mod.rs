//! Python sources: `File` and `Trace` read on the calling thread (with the GIL released);
//! `Server` connects in a reader thread of its own that never touches Python, and the
//! iterating thread waits on a channel in short steps so Ctrl-C is seen promptly.

mod capture;
mod connection;
mod server;

pub(crate) use capture::{Capture, DecodeStats, File, Trace};
pub(crate) use connection::{build_action, Asked, Connection};
pub(crate) use server::Server;
