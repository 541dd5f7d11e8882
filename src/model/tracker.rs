//! The pipeline every consumer of messages goes through: a message is normalised (or,
//! answering a resync query, turned into the changes that bring the model in line),
//! then each change is applied and shown to whoever watches.

use super::resync::{self, SyncStep};
use super::{Change, Clock, Model, ModelInterest, Normalizer, Resync, Rules};
use crate::ami::{Interest, Message, Want};

/// Who watches the changes a message makes (hooks, checkers): asked before each change
/// is applied, told after.
pub trait Watcher {
    /// Called before `change` is applied to `model`.
    fn before(&mut self, _model: &Model, _change: &Change) {}
    /// Called after `change` was applied to `model`.
    fn after(&mut self, model: &Model, change: &Change);
}

/// A function told after each change.
struct After<F>(F);

impl<F: FnMut(&Model, &Change)> Watcher for After<F> {
    fn after(&mut self, model: &Model, change: &Change) {
        (self.0)(model, change)
    }
}

/// A normaliser, the resync and a model together: what an engine, `Model.apply` and
/// compat feed messages to.
#[derive(Debug, Default)]
pub struct Tracker {
    normalizer: Normalizer,
    model: Model,
    resync: Resync,
    /// Changes applied so far (a Linkedid followed counts as one): readers compare it to
    /// know whether the model moved.
    version: u64,
    scratch: Vec<Change>,
    interest: ModelInterest,
}

impl Tracker {
    pub fn new(trunk_variable: &str) -> Self {
        Tracker::with_rules(trunk_variable, Rules::Standard)
    }

    /// A tracker under the 2014 framework's rules where they differ (see [`Rules`]).
    pub fn with_rules(trunk_variable: &str, rules: Rules) -> Self {
        Tracker {
            normalizer: Normalizer::with_rules(trunk_variable, rules),
            model: Model::with_rules(rules),
            interest: ModelInterest::new(trunk_variable, rules),
            ..Tracker::default()
        }
    }

    /// The events this tracker reads, for a reader on another thread.
    pub fn interest(&self) -> ModelInterest {
        self.interest.clone()
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn normalizer(&self) -> &Normalizer {
        &self.normalizer
    }

    pub fn resync(&self) -> &Resync {
        &self.resync
    }

    /// What "when" means for the messages that follow: [`Clock::Recorded`] while
    /// reading a capture back, so the same capture always gives the same changes.
    pub fn set_clock(&mut self, clock: Clock) {
        self.normalizer.set_clock(clock);
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    /// Normalise and apply one message; `seen` gets each change after it is applied.
    /// Returns how many changes it made.
    pub fn process(&mut self, pbx: &str, m: &Message, seen: impl FnMut(&Model, &Change)) -> usize {
        self.process_watched(pbx, m, &mut After(seen))
    }

    /// [`Tracker::process`], telling `watcher` before and after each change.
    pub fn process_watched(&mut self, pbx: &str, m: &Message, watcher: &mut impl Watcher) -> usize {
        let mut changes = std::mem::take(&mut self.scratch);
        interpret(
            &mut self.normalizer,
            &mut self.resync,
            &self.model,
            pbx,
            m,
            &mut changes,
        );
        let mut n = 0;
        for c in changes.drain(..) {
            watcher.before(&self.model, &c);
            self.model.apply(&c);
            self.version += 1;
            watcher.after(&self.model, &c);
            n += 1;
        }
        self.scratch = changes;
        // After the message's own changes: the channel it relinks may be new.
        if let Some((uid, linkedid)) = self.normalizer.take_linkedid() {
            if self.model.relinks(pbx, &uid, &linkedid) {
                let channel = self
                    .model
                    .channel(pbx, &uid)
                    .map(|c| c.channel.clone())
                    .unwrap_or_default();
                let c = Change::Linkedid {
                    pbx: pbx.into(),
                    uniqueid: uid,
                    channel,
                    linkedid,
                };
                watcher.before(&self.model, &c);
                self.model.apply(&c);
                self.version += 1;
                watcher.after(&self.model, &c);
                n += 1;
            }
        }
        n
    }

    /// Apply one change made elsewhere (a hook of the 2014 API called directly).
    pub fn apply(&mut self, change: &Change) {
        self.model.apply(change);
        self.version += 1;
    }

    /// Hold `state` for `pbx` (another model's, see [`Model::export_pbx`]) instead of
    /// what this model had for it.
    pub fn import_pbx(&mut self, pbx: &str, state: &crate::model::PbxState) {
        self.model.import_pbx(pbx, state);
        self.version += 1;
    }

    /// Apply one change made elsewhere (by another process's model, read back from a
    /// stream of its changes), telling `watcher` before and after it.
    pub fn apply_watched(&mut self, change: &Change, watcher: &mut impl Watcher) {
        watcher.before(&self.model, change);
        self.model.apply(change);
        self.version += 1;
        watcher.after(&self.model, change);
    }
}

/// The model reads a few dozen events (and the resync's answers): a decoder given the
/// tracker passes over the rest unread ([`crate::ami::Decoder::next_wanted`]).
impl Interest for Tracker {
    fn wants(&self, event: &[u8]) -> Want<'_> {
        self.interest.wants(event)
    }

    fn reads_later_event_lines(&self) -> bool {
        self.interest.reads_later_event_lines()
    }
}

/// What one message from `pbx` means for a model now in state `model`, appended to `out`
/// (not applied): the normaliser's changes or, for an answer to a resync query, those
/// that bring `model` in line with the PBX's. [`Tracker::process`] goes through here;
/// so does `hackamore.Normalizer`, which shows the changes without applying them.
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
        if resync.on_message(
            pbx,
            m,
            model,
            normalizer.trunk_variable(),
            normalizer.clock(),
            &mut steps,
        ) {
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
