//! The call-state model: AMI messages are normalised into [`Change`]s (one set for every
//! AMI generation), which the standard [`Model`] applies.

mod change;
mod channel;
mod normalize;
mod standard;

pub use change::Change;
pub use channel::{Activity, CallId, Channel, Role};
pub use normalize::{Normalizer, DEFAULT_TRUNK_VARIABLE};
pub use standard::{ChannelKey, Model, ModelSizes};

use crate::ami::Message;

/// A normaliser and a model together: what an engine feeds messages to.
#[derive(Debug, Default)]
pub struct Tracker {
    pub normalizer: Normalizer,
    pub model: Model,
    scratch: Vec<Change>,
}

impl Tracker {
    pub fn new(trunk_variable: &str) -> Self {
        Tracker {
            normalizer: Normalizer::new(trunk_variable),
            model: Model::new(),
            scratch: Vec::new(),
        }
    }

    /// Normalise and apply one message; `seen` gets each change after it is applied.
    pub fn process(&mut self, pbx: &str, m: &Message, mut seen: impl FnMut(&Model, &Change)) {
        let mut changes = std::mem::take(&mut self.scratch);
        self.normalizer.normalize(pbx, m, &mut changes);
        for c in changes.drain(..) {
            self.model.apply(&c);
            seen(&self.model, &c);
        }
        self.scratch = changes;
    }
}
