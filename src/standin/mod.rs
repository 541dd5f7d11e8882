//! The project's stand-in PBX: an AMI server on loopback that greets, checks a login
//! (plain or MD5 challenge), then replays a capture to each client, optionally in random
//! small pieces, slowly, with garbage between messages, or cut off mid-stream; started at
//! a recorded checkpoint, it answers the state queries with what the PBX recorded there.
//! Tests and demos use it wherever a PBX is needed.

mod answers;
mod client;
mod config;
mod rng;
mod script;
mod server;
mod shared;

pub use config::ReplayConfig;
pub use server::ReplayServer;
