//! The presence lists recorded at checkpoints against the model: read from the messages
//! alone, never through the model's own code.

use hackamore::ami::Message;
use hackamore::model::Model;
use std::collections::{BTreeMap, BTreeSet};

fn get(m: &Message, k: &str) -> String {
    m.get_str(k).map(|s| s.into_owned()).unwrap_or_default()
}

/// What a presence event or list line is about, and the state it gives: (kind, key,
/// state). Read from the message, never from the model's code.
pub fn presence_of(m: &Message) -> Option<(&'static str, String, String)> {
    Some(match get(m, "Event").as_str() {
        "DeviceStateChange" => ("device", get(m, "Device"), get(m, "State")),
        "ExtensionStatus" => (
            "extension",
            format!("{}@{}", get(m, "Exten"), get(m, "Context")),
            format!("{} {}", get(m, "Status"), get(m, "Hint")),
        ),
        "ContactStatus" => ("contact", get(m, "URI"), get(m, "ContactStatus")),
        "ContactList" => ("contact", get(m, "Uri"), get(m, "Status")),
        "Registry" => (
            "registration",
            format!("{} {}", get(m, "Username"), get(m, "Domain")),
            get(m, "Status"),
        ),
        "OutboundRegistrationDetail" => (
            "registration",
            format!("{} {}", get(m, "ClientUri"), get(m, "ServerUri")),
            get(m, "Status"),
        ),
        _ => return None,
    })
}

/// The model's presence of `kind` for `pbx`: key -> state, as `presence_of` reads them.
fn presence_held(model: &Model, pbx: &str, kind: &str) -> BTreeMap<String, String> {
    match kind {
        "device" => model
            .devices_of(pbx)
            .into_iter()
            .map(|(d, s)| (d.to_string(), s.to_string()))
            .collect(),
        "extension" => model
            .extensions_of(pbx)
            .into_iter()
            .map(|e| {
                (
                    format!("{}@{}", e.exten, e.context),
                    format!("{} {}", e.status, e.hint),
                )
            })
            .collect(),
        "contact" => model
            .contacts_of(pbx)
            .into_iter()
            .map(|c| (c.uri.to_string(), c.status.to_string()))
            .collect(),
        _ => model
            .registrations_of(pbx)
            .into_iter()
            .map(|r| (format!("{} {}", r.username, r.domain), r.status.to_string()))
            .collect(),
    }
}

/// A presence list recorded at a checkpoint (`devices-k`, `exten-k`, `contacts-k`,
/// `registrations-k`; an `Error` answer is an empty list) against the model, for what the
/// stream has described. A device Asterisk keeps no state for (a Local channel, a
/// conference announcer) is in no list: the model must not keep it either.
pub fn check_presence(
    model: &Model,
    pbx: &str,
    kind: &'static str,
    entries: &[Message],
    seen: &BTreeSet<(&'static str, String)>,
) -> Vec<String> {
    let known = |key: &String| seen.contains(&(kind, key.clone()));
    let want: BTreeMap<String, String> = entries
        .iter()
        .filter_map(presence_of)
        .filter(|(_, key, _)| known(key))
        .map(|(_, key, state)| (key, state))
        .collect();
    let have: BTreeMap<String, String> = presence_held(model, pbx, kind)
        .into_iter()
        .filter(|(key, _)| known(key) || kind == "device")
        .collect();
    if want == have {
        vec![]
    } else {
        vec![format!("{kind}s: want {want:?}, have {have:?}")]
    }
}
