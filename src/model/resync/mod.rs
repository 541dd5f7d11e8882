//! Resync: rebuilding one PBX's state from its answers to `BridgeList`,
//! `CoreShowChannels`, `Status`, `ParkedCalls`, `QueueStatus` and `ConfbridgeList`, and
//! its presence from `ExtensionStateList`, `DeviceStateList`, `PJSIPShowContacts` and
//! `PJSIPShowRegistrationsOutbound`, for a monitor that starts (or reconnects) in the
//! middle of calls.
//!
//! The socket sends the actions after login with ActionIDs under `ami::sync`; this
//! module collects the answers while live events go on being applied, then turns the
//! difference between the answer and the model into ordinary [`Change`]s, so hooks see
//! resynced channels as `newchannel`, `bridge`, `confbridgejoin`... like any other.
//!
//! Listing is not atomic: events interleave with the answer. A channel hung up while the
//! list was being sent may still be listed, and one created meanwhile may be missing; so
//! channels seen hanging up since the sync began are never resurrected, and channels seen
//! created since then are never removed. Once every answer is in, the resync of that PBX
//! is over and what it kept is let go (a monitor runs for months).
//!
//! What a PBX cannot tell on connect stays unknown: who dialled whom (roles), and a
//! channel put on hold by its phone (`Hold`); a channel in the `MusicOnHold` application
//! is HELD.

mod answers;
mod channels;
mod lists;
mod parking;
mod presence;
mod queues;
mod rooms;
mod state;
#[cfg(test)]
mod tests;

pub(crate) use answers::may_answer;
pub use answers::Resync;
pub(crate) use state::SyncStep;
