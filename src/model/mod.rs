//! The call-state model: AMI messages are normalised into [`Change`]s (one set for every
//! AMI generation), which the standard [`Model`] applies.

mod bridges;
mod change;
mod channel;
mod clock;
mod interest;
mod legacy;
mod normalize;
mod parking;
pub mod presence;
mod queues;
mod resync;
mod rules;
mod standard;
mod tracker;
mod values;

pub use crate::ami::sync::DEFAULT_TRUNK_VARIABLE;
pub use bridges::{holds_only, Bridge};
pub use change::{Change, ChangeKind};
pub use channel::{Activity, CallId, Channel, Role};
pub use clock::Clock;
pub use interest::ModelInterest;
pub use normalize::Normalizer;
pub use parking::ParkedCall;
pub use queues::{device_state, Queue, QueueCaller, QueueMember};
pub use resync::Resync;
pub use rules::Rules;
pub use standard::{ChannelKey, Model, ModelSizes, PbxState, STATE_VERSION};
pub use tracker::{interpret, Tracker, Watcher};
pub(crate) use values::Map;
pub use values::{means_none, or_none, Text, NONE_SPELLINGS};
