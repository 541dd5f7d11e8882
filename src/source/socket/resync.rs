//! The resync a connection asks for after each login (answers go to the model), and
//! the parts asked again once a PBX that was still booting says `FullyBooted`.

use super::{boot, Socket};
use crate::ami::sync::{
    SYNC_BRIDGES, SYNC_CHANNELS, SYNC_DEVICES, SYNC_PREFIX, SYNC_ROOMS, SYNC_STATUS,
};
use crate::ami::{Action, Message};
use crate::source::SourceError;
use std::sync::atomic::{AtomicU64, Ordering};

/// Resyncs started in this process: each one's ActionIDs carry its number.
static SYNCS: AtomicU64 = AtomicU64::new(0);

impl Socket {
    /// Ask for the current bridges, channels, parked calls, queues, conference rooms and
    /// presence (extension and device states, contacts, outbound registrations; answers
    /// go to the model).
    pub(super) fn start_resync(&mut self) -> Result<(), SourceError> {
        let n = SYNCS.fetch_add(1, Ordering::Relaxed) + 1;
        let id = |what: &str| format!("{SYNC_PREFIX}{n}{what}");
        self.send_quietly(&Action::new("BridgeList").with("ActionID", id(SYNC_BRIDGES)))?;
        self.send_quietly(&Action::new("CoreShowChannels").with("ActionID", id(SYNC_CHANNELS)))?;
        let status = Action::new("Status")
            .with("ActionID", id(SYNC_STATUS))
            .with("Variables", self.config.trunk_variable.clone());
        self.send_quietly(&status)?;
        let ids = boot::MODULE_PARTS.map(|part| id(part.suffix));
        for (part, id) in boot::MODULE_PARTS.iter().zip(&ids) {
            self.send_quietly(&Action::new(part.action).with("ActionID", id.clone()))?;
        }
        self.send_quietly(&Action::new("DeviceStateList").with("ActionID", id(SYNC_DEVICES)))?;
        self.rooms_sync = Some((id(SYNC_ROOMS), Vec::new()));
        self.boot.asked(ids);
        Ok(())
    }

    /// The PBX said `FullyBooted` after answering these parts of the resync empty or
    /// refusing them: ask again, now that its modules are loaded.
    pub(super) fn ask_again(&mut self, parts: Vec<boot::Part>) -> Result<(), SourceError> {
        let n = SYNCS.fetch_add(1, Ordering::Relaxed) + 1;
        let names: Vec<&str> = parts.iter().map(|p| p.action).collect();
        log::info!(
            "{}: FullyBooted after {} answered empty or refused; asking again",
            self.config.name,
            names.join(", ")
        );
        for part in parts {
            let id = boot::again_id(SYNC_PREFIX, n, part);
            if part.suffix == SYNC_ROOMS {
                self.rooms_sync = Some((id.clone(), Vec::new()));
            }
            self.send_quietly(&Action::new(part.action).with("ActionID", id))?;
        }
        Ok(())
    }

    /// Follow our `ConfbridgeListRooms` answer: once complete, list each room.
    pub(super) fn follow_rooms(&mut self, m: &Message) -> Result<(), SourceError> {
        let Some((id, rooms)) = self.rooms_sync.as_mut() else {
            return Ok(());
        };
        if m.get("ActionID") != Some(id.as_bytes()) {
            return Ok(());
        }
        match m.event().as_deref() {
            Some("ConfbridgeListRooms") => {
                rooms.extend(m.get_str("Conference").map(|c| c.into_owned()));
            }
            Some("ConfbridgeListRoomsComplete") => {
                let (id, rooms) = self.rooms_sync.take().expect("checked above");
                for (i, room) in rooms.into_iter().enumerate() {
                    let list = Action::new("ConfbridgeList")
                        .with("ActionID", format!("{id}-{i}"))
                        .with("Conference", room);
                    self.send_quietly(&list)?;
                }
            }
            // `Response: Error` when there is no conference (or no app_confbridge).
            None if !m
                .response()
                .is_some_and(|r| r.eq_ignore_ascii_case("Success")) =>
            {
                self.rooms_sync = None;
            }
            _ => {}
        }
        Ok(())
    }
}
