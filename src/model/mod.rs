//! The call-state model: AMI messages are normalised into [`Change`]s (one set for every
//! AMI generation), which the standard [`Model`] applies.

mod bridges;
mod change;
mod channel;
mod legacy;
mod normalize;
mod parking;
mod queues;
mod resync;
mod rules;
mod standard;

pub use bridges::{holds_only, Bridge};
pub use change::Change;
pub use channel::{Activity, CallId, Channel, Role};
pub use normalize::{Normalizer, DEFAULT_TRUNK_VARIABLE};
pub use parking::ParkedCall;
pub use queues::{device_state, Queue, QueueCaller, QueueMember};
pub use resync::Resync;
pub use rules::Rules;
pub use standard::{ChannelKey, Model, ModelSizes};

use crate::ami::Message;
use resync::SyncStep;

/// The text of a model field. AMI values are short (Uniqueids, channel names, states,
/// numbers): up to 24 bytes are kept inline, so most changes and channels are made and
/// dropped without allocating.
pub type Text = compact_str::CompactString;

/// The model's hash maps: foldhash, seeded per process, hashes a short key several times
/// faster than the standard SipHash, and its seed still keeps keys from a PBX from
/// being chosen to collide.
pub(crate) type Map<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// A normaliser and a model together: what an engine feeds messages to.
#[derive(Debug, Default)]
pub struct Tracker {
    pub normalizer: Normalizer,
    pub model: Model,
    pub resync: Resync,
    scratch: Vec<Change>,
}

impl Tracker {
    pub fn new(trunk_variable: &str) -> Self {
        Tracker {
            normalizer: Normalizer::new(trunk_variable),
            model: Model::new(),
            resync: Resync::default(),
            scratch: Vec::new(),
        }
    }

    /// Normalise and apply one message; `seen` gets each change after it is applied.
    pub fn process(&mut self, pbx: &str, m: &Message, mut seen: impl FnMut(&Model, &Change)) {
        let mut changes = std::mem::take(&mut self.scratch);
        interpret(
            &mut self.normalizer,
            &mut self.resync,
            &self.model,
            pbx,
            m,
            &mut changes,
        );
        for c in changes.drain(..) {
            self.model.apply(&c);
            seen(&self.model, &c);
        }
        self.scratch = changes;
        if let Some((uid, linkedid)) = self.normalizer.take_linkedid() {
            self.model.follow_linkedid(pbx, &uid, &linkedid);
        }
    }
}

/// What one message from `pbx` means for a model now in state `model`, appended to `out`
/// (not applied): the normaliser's changes or, for an answer to a resync query, those
/// that bring `model` in line with the PBX's. Every consumer of messages goes through
/// here, so resync works the same under the engines, `Model.apply` and compat.
pub fn interpret(
    normalizer: &mut Normalizer,
    resync: &mut Resync,
    model: &Model,
    pbx: &str,
    m: &Message,
    out: &mut Vec<Change>,
) {
    if resync::may_answer(m.get("Event")) {
        let mut steps = Vec::new();
        if resync.on_message(pbx, m, model, normalizer.trunk_variable(), &mut steps) {
            for step in steps {
                match step {
                    SyncStep::Apply(c) => out.push(c),
                    SyncStep::AdoptBridge {
                        pbx,
                        bridge,
                        holding,
                        members,
                    } => normalizer.adopt_bridge(pbx, bridge, holding, members),
                }
            }
            return;
        }
    }
    let start = out.len();
    normalizer.normalize(pbx, m, out);
    if resync.active(pbx) {
        for c in &out[start..] {
            resync.saw(c);
        }
    }
}
