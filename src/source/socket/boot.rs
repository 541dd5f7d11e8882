//! A PBX still booting: Asterisk accepts manager logins before it has loaded every
//! module, and until then the lists its modules answer (`ParkedCalls` of res_parking,
//! `QueueStatus` of app_queue, `ConfbridgeListRooms` of app_confbridge) come back empty
//! or refused for that reason alone; static queue members from queues.conf then appear
//! in no later event. Asterisk says `FullyBooted` when it is ready (to a connection
//! logged in after that, right after its login): the parts of the resync answered empty
//! or refused before it are asked again after it.

use crate::ami::sync::{
    SYNC_AGAIN, SYNC_CONTACTS, SYNC_EXTENSIONS, SYNC_PARKED, SYNC_QUEUES, SYNC_REGISTRATIONS,
    SYNC_ROOMS,
};
use crate::ami::Message;
use crate::source::requests::completes_list;

/// A resync part a module answers: its ActionID suffix and its action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Part {
    pub(super) suffix: &'static str,
    pub(super) action: &'static str,
}

/// How many parts of a resync a module answers.
const PARTS: usize = 6;

/// The parts of a resync that a module not loaded yet answers empty or refuses (hints
/// are pbx_config's, contacts and registrations res_pjsip's).
pub(super) const MODULE_PARTS: [Part; PARTS] = [
    Part {
        suffix: SYNC_PARKED,
        action: "ParkedCalls",
    },
    Part {
        suffix: SYNC_QUEUES,
        action: "QueueStatus",
    },
    Part {
        suffix: SYNC_ROOMS,
        action: "ConfbridgeListRooms",
    },
    Part {
        suffix: SYNC_EXTENSIONS,
        action: "ExtensionStateList",
    },
    Part {
        suffix: SYNC_CONTACTS,
        action: "PJSIPShowContacts",
    },
    Part {
        suffix: SYNC_REGISTRATIONS,
        action: "PJSIPShowRegistrationsOutbound",
    },
];

/// What one connection knows of its PBX's boot, and of the module parts of its resync.
#[derive(Debug, Default)]
pub(super) struct Boot {
    booted: bool,
    /// The ActionIDs of the module parts asked (`None`: not asked), and the items each
    /// listed so far (`Some` once its response said `Success`).
    asked: [Option<(String, Option<usize>)>; PARTS],
    /// Parts answered empty or refused before `FullyBooted`.
    early: [bool; PARTS],
}

impl Boot {
    /// The module parts of a resync were asked with these ActionIDs (by `MODULE_PARTS`).
    pub(super) fn asked(&mut self, ids: [String; PARTS]) {
        self.asked = ids.map(|id| Some((id, None)));
        self.early = [false; PARTS];
    }

    /// Has the PBX said `FullyBooted` on this connection?
    pub(super) fn booted(&self) -> bool {
        self.booted
    }

    /// Look at a message the PBX sent; at `FullyBooted`, the parts to ask again.
    pub(super) fn observe(&mut self, m: &Message) -> Vec<Part> {
        if self.booted {
            return Vec::new();
        }
        let Some(id) = m.get("ActionID") else {
            if m.event()
                .is_some_and(|e| e.eq_ignore_ascii_case("FullyBooted"))
            {
                self.booted = true;
                return MODULE_PARTS
                    .into_iter()
                    .zip(std::mem::take(&mut self.early))
                    .filter_map(|(part, early)| early.then_some(part))
                    .collect();
            }
            return Vec::new();
        };
        let Some(i) = self
            .asked
            .iter()
            .position(|a| a.as_ref().is_some_and(|(asked, _)| asked.as_bytes() == id))
        else {
            return Vec::new();
        };
        let Some((_, listed)) = &mut self.asked[i] else {
            return Vec::new();
        };
        match (m.response(), listed.as_mut()) {
            (Some(r), _) if r.eq_ignore_ascii_case("Success") => *listed = Some(0),
            (Some(_), _) => {
                self.early[i] = true; // refused: its module may not be loaded yet
                self.asked[i] = None;
            }
            (None, Some(n)) if completes_list(m) => {
                self.early[i] = *n == 0;
                self.asked[i] = None;
            }
            (None, Some(n)) => *n += 1,
            (None, None) => {}
        }
        Vec::new()
    }
}

/// The ActionID of `part` asked again, resync number `n`.
pub(super) fn again_id(prefix: &str, n: u64, part: Part) -> String {
    format!("{prefix}{n}{SYNC_AGAIN}{}", part.suffix)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(fields: &[(&str, &str)]) -> Message {
        fields.iter().copied().collect()
    }

    fn asked() -> Boot {
        let mut b = Boot::default();
        b.asked(
            [
                "s-parked",
                "s-queues",
                "s-rooms",
                "s-extensions",
                "s-contacts",
                "s-registrations",
            ]
            .map(String::from),
        );
        b
    }

    #[test]
    fn parts_answered_empty_or_refused_before_fully_booted_are_asked_again() {
        let mut b = asked();
        let ok = |id| {
            msg(&[
                ("Response", "Success"),
                ("ActionID", id),
                ("EventList", "start"),
            ])
        };
        b.observe(&msg(&[("Response", "Error"), ("ActionID", "s-parked")]));
        b.observe(&ok("s-queues"));
        b.observe(&msg(&[
            ("Event", "QueueStatusComplete"),
            ("ActionID", "s-queues"),
        ]));
        b.observe(&ok("s-rooms"));
        b.observe(&msg(&[
            ("Event", "ConfbridgeListRooms"),
            ("ActionID", "s-rooms"),
        ]));
        b.observe(&msg(&[
            ("Event", "ConfbridgeListRoomsComplete"),
            ("ActionID", "s-rooms"),
        ]));
        let again = b.observe(&msg(&[("Event", "FullyBooted")]));
        let names: Vec<_> = again.iter().map(|p| p.action).collect();
        assert_eq!(names, ["ParkedCalls", "QueueStatus"]);
        assert!(b.booted());
        // Once booted, nothing is asked again.
        assert!(b.observe(&msg(&[("Event", "FullyBooted")])).is_empty());
    }

    #[test]
    fn a_booted_pbx_says_so_first_and_nothing_is_asked_again() {
        let mut b = asked();
        assert!(b.observe(&msg(&[("Event", "FullyBooted")])).is_empty());
        b.observe(&msg(&[("Response", "Error"), ("ActionID", "s-parked")]));
        assert!(b.observe(&msg(&[("Event", "FullyBooted")])).is_empty());
    }
}
