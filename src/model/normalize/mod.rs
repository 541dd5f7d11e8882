//! AMI 1.x and 2.x+ events -> [`Change`](super::Change)s: [`Normalizer`] decides which
//! events the model reads and hands each to the module of its family (channels, calls,
//! AMI 2.x bridges, rooms, parking, queues, transfers, presence). Stateful only for AMI 2.x
//! bridges (`bridges`).
//!
//! An event that carries an `ActionID` is a line of an answer to a list action (a
//! `ParkedCall` in a `ParkedCalls` answer is not a call being parked): it never changes
//! the model. The resync reads the answers to its own actions before this sees them.

mod bridges;
mod calls;
mod channels;
mod events;
mod fields;
mod normalizer;
mod parking;
mod presence;
mod queues;
mod rooms;
mod transfers;

pub(crate) use fields::seconds_before;
pub(crate) use normalizer::reads;
pub use normalizer::Normalizer;
pub(crate) use parking::parked_call;
pub(crate) use presence::{device_state, extension_status, listed_contact, listed_registration};
pub(crate) use queues::queue_member_fields;
