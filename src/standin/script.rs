//! A replay started at a recorded checkpoint: the messages after it, and the state the
//! PBX reports about itself there (its recorded answers to the state queries).

use super::config::replay_messages;
use crate::ami::{Decoder, Message};
use std::io;

/// What a PBX started at a checkpoint reports about itself.
pub(super) struct State {
    /// The recorded `CoreShowChannel` entries.
    pub(super) channels: Vec<Message>,
    /// The recorded `ConfbridgeList` entries by conference (none: no conference).
    pub(super) rooms: Vec<(String, Vec<Message>)>,
    /// Channel variables set before the checkpoint (`VarSet`): Uniqueid -> (name, value),
    /// the name without its inheritance prefix.
    pub(super) variables: std::collections::HashMap<String, Vec<(String, String)>>,
    /// The recorded `BridgeListItem` entries, if the capture has them.
    pub(super) bridges: Option<Vec<Message>>,
    /// The recorded `ParkedCall` lines of `ParkedCalls`.
    pub(super) parked: Vec<Message>,
    /// The recorded `QueueParams`, `QueueMember` and `QueueEntry` lines of `QueueStatus`.
    pub(super) queues: Vec<Message>,
    /// The recorded answers to the presence lists, by action (lower case).
    pub(super) presence: Vec<(&'static str, Recorded)>,
}

/// One recorded answer, whole: its response (a `Success` opening a list, or an
/// `Error`), the list's lines and the event completing it.
#[derive(Default)]
pub(super) struct Recorded {
    pub(super) response: Option<Message>,
    pub(super) lines: Vec<Message>,
    pub(super) complete: Option<Message>,
}

impl Recorded {
    fn done(&self) -> bool {
        self.complete.is_some()
            || self
                .response
                .as_ref()
                .is_some_and(|r| r.response().as_deref() != Some("Success"))
    }

    /// The answer again, each message with `id` for its ActionID.
    pub(super) fn wire(&self, id: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for m in self
            .response
            .iter()
            .chain(&self.lines)
            .chain(&self.complete)
        {
            let mut again = Message::new();
            for (k, v) in m.fields() {
                let v = if k.eq_ignore_ascii_case(b"ActionID") {
                    id
                } else {
                    v
                };
                again.push(k, v);
            }
            out.extend(again.to_wire());
        }
        out
    }
}

/// The presence lists a checkpoint may record: the ActionID's kind and the action.
const PRESENCE: [(&str, &str); 4] = [
    ("exten", "extensionstatelist"),
    ("devices", "devicestatelist"),
    ("contacts", "pjsipshowcontacts"),
    ("registrations", "pjsipshowregistrationsoutbound"),
];

/// The messages to replay, and the state at their start.
pub(super) struct Script {
    pub(super) messages: Vec<Vec<u8>>,
    pub(super) state: Option<State>,
}

impl Script {
    pub(super) fn new(capture: &[u8], start_at: Option<u32>) -> io::Result<Self> {
        let mut messages = replay_messages(capture);
        let Some(k) = start_at else {
            return Ok(Script {
                messages,
                state: None,
            });
        };
        let (truth, conf) = (format!("truth-{k}"), format!("conf-{k}"));
        let [bridges, parked, queues] = ["bridges", "parked", "queues"].map(|kind| {
            let id = format!("{kind}-{k}");
            // Only what the capture recorded is waited for.
            let recorded = messages.iter().any(|raw| {
                let needle = format!("ActionID: {id}\r\n");
                raw.windows(needle.len()).any(|w| w == needle.as_bytes())
            });
            (id, recorded)
        });
        let recorded = |id: &str| {
            let needle = format!("ActionID: {id}\r\n");
            messages
                .iter()
                .any(|raw| raw.windows(needle.len()).any(|w| w == needle.as_bytes()))
        };
        // (ActionID, action) of each presence list the capture recorded here.
        let presence: Vec<(String, &'static str)> = PRESENCE
            .iter()
            .map(|(kind, action)| (format!("{kind}-{k}"), *action))
            .filter(|(id, _)| recorded(id))
            .collect();
        let mut state = State {
            channels: Vec::new(),
            rooms: Vec::new(),
            variables: Default::default(),
            bridges: bridges.1.then(Vec::new),
            parked: Vec::new(),
            queues: Vec::new(),
            presence: presence
                .iter()
                .map(|(_, action)| (*action, Recorded::default()))
                .collect(),
        };
        let (mut truth_done, mut conf_done, mut start) = (false, false, None);
        let mut optional_done = [!bridges.1, !parked.1, !queues.1];
        for (i, raw) in messages.iter().enumerate() {
            let mut d = Decoder::new();
            d.feed(raw);
            let Some(m) = d.next_message() else { continue };
            let id = m.get_str("ActionID").unwrap_or_default().into_owned();
            let event = m.event().map(|e| e.into_owned());
            if let Some(p) = presence.iter().position(|(p, _)| *p == id) {
                let answer = &mut state.presence[p].1;
                match event {
                    None => answer.response = Some(m),
                    Some(e) if e.ends_with("Complete") => answer.complete = Some(m),
                    Some(_) => answer.lines.push(m),
                }
            } else {
                match event.as_deref() {
                    Some("BridgeListItem") if id == bridges.0 => {
                        state.bridges.get_or_insert_with(Vec::new).push(m);
                    }
                    Some("BridgeListComplete") if id == bridges.0 => optional_done[0] = true,
                    Some("ParkedCall") if id == parked.0 => state.parked.push(m),
                    Some("ParkedCallsComplete") if id == parked.0 => optional_done[1] = true,
                    Some("QueueParams" | "QueueMember" | "QueueEntry") if id == queues.0 => {
                        state.queues.push(m);
                    }
                    Some("QueueStatusComplete") if id == queues.0 => optional_done[2] = true,
                    Some("VarSet") => {
                        let uid = m.get_str("Uniqueid").unwrap_or_default().into_owned();
                        let name = m.get_str("Variable").unwrap_or_default();
                        let name = name.trim_start_matches('_').to_string();
                        let value = m.get_str("Value").unwrap_or_default().into_owned();
                        let vars = state.variables.entry(uid).or_default();
                        vars.retain(|(n, _)| *n != name);
                        vars.push((name, value));
                    }
                    Some("CoreShowChannel") if id == truth => state.channels.push(m),
                    Some("CoreShowChannelsComplete") if id == truth => truth_done = true,
                    Some("ConfbridgeList") if id == conf => {
                        let room = m.get_str("Conference").unwrap_or_default().into_owned();
                        match state.rooms.iter_mut().find(|(r, _)| *r == room) {
                            Some((_, entries)) => entries.push(m),
                            None => state.rooms.push((room, vec![m])),
                        }
                    }
                    Some("ConfbridgeListComplete") if id == conf => conf_done = true,
                    None if id == conf && m.response().as_deref() == Some("Error") => {
                        conf_done = true
                    }
                    _ => {}
                }
            }
            let presence_done = state.presence.iter().all(|(_, r)| r.done());
            if truth_done && conf_done && optional_done.iter().all(|d| *d) && presence_done {
                start = Some(i + 1);
                break;
            }
        }
        let Some(start) = start else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("the capture has no complete checkpoint {k} (truth-{k} and conf-{k})"),
            ));
        };
        messages.drain(..start);
        Ok(Script {
            messages,
            state: Some(state),
        })
    }
}
