//! Parked calls (`ParkedCalls`: a `ParkedCall` line per parked call, then
//! `ParkedCallsComplete`).

use super::state::{PbxSync, SyncStep};
use crate::model::{Change, Model};

/// The changes that make the model's parked calls of `pbx` those listed (`s.parked`:
/// each line read as the `parkedcall` change it describes).
pub(super) fn parked(pbx: &str, s: &PbxSync, model: &Model, out: &mut Vec<SyncStep>) {
    let now = model.parked_of(pbx);
    let fresh = |uid: &str| !s.hung_up.contains(uid) && !s.touched.contains(uid);
    let mut listed = Vec::new();
    for c in &s.parked {
        let Change::ParkedCall {
            uniqueid,
            lot,
            space,
            ..
        } = c
        else {
            continue;
        };
        if !fresh(uniqueid) {
            continue;
        }
        listed.push(uniqueid.as_str());
        let same = now
            .iter()
            .any(|p| p.uniqueid == *uniqueid && p.lot == *lot && p.space == *space);
        if !same {
            out.push(SyncStep::Apply(c.clone()));
        }
    }
    // Taken back or timed out while we were away: which, the PBX does not say.
    for p in now {
        if fresh(&p.uniqueid) && !listed.contains(&p.uniqueid.as_str()) {
            out.push(SyncStep::Apply(Change::UnParkedCall {
                pbx: pbx.into(),
                uniqueid: p.uniqueid.clone(),
                channel: p.channel.clone(),
                lot: p.lot.clone(),
                space: p.space.clone(),
                retriever: Default::default(),
                retrieverchannel: Default::default(),
            }));
        }
    }
}
