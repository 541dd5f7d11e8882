//! The standard model: channels, calls, conference rooms, trunks and numbers, changed by
//! [`Change`](super::Change)s under the rules of the 2014 framework (forgiving: a change
//! about a channel it never saw created is ignored); and beyond it, AMI 2.x bridges,
//! parked calls, queues and presence (device, extension, contact, registration and peer
//! states).
//!
//! `store` is what the model holds and `lookups` reads it; the other modules are the
//! rules, one file per area, each a `Model` method the change table
//! (`model/change.rs`) names for its kinds. They are private to the crate: a model
//! changes only by [`Model::apply`], or takes over one PBX's state exported by another
//! (`state`: [`Model::import_pbx`]).

mod bridges;
mod calls;
mod channels;
mod lookups;
mod parking;
mod presence;
mod queues;
mod rooms;
mod state;
mod store;
#[cfg(test)]
mod tests;

pub use state::{PbxState, STATE_VERSION};
pub use store::{ChannelKey, Model, ModelSizes};
