//! Conference rooms (`ConfbridgeListRooms`, then `ConfbridgeList` per room).

use super::state::PbxSync;
use super::state::SyncStep;
use crate::model::{Change, Model, Text};
use std::collections::HashSet;

/// The changes that put the listed members of a room in it.
pub(super) fn rooms(
    pbx: &str,
    s: &PbxSync,
    entries: &[(Text, Text, Text)],
    model: &Model,
    out: &mut Vec<SyncStep>,
) {
    let mut started = HashSet::new();
    for (conference, uid, channel) in entries {
        if uid.is_empty() || s.hung_up.contains(uid) || conference.is_empty() {
            continue;
        }
        let present = model.rooms_of(pbx).iter().any(|(c, _)| c == conference);
        if !present && started.insert(conference.clone()) {
            out.push(SyncStep::Apply(Change::ConfbridgeStart {
                pbx: pbx.into(),
                conference: conference.clone(),
            }));
        }
        let inside = model
            .channel(pbx, uid)
            .is_some_and(|c| c.conference.as_deref() == Some(conference.as_str()));
        if !inside {
            out.push(SyncStep::Apply(Change::ConfbridgeJoin {
                pbx: pbx.into(),
                uniqueid: uid.clone(),
                channel: channel.clone(),
                conference: conference.clone(),
            }));
        }
    }
}
