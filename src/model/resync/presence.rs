//! Presence from the resync's lists: `ExtensionStateList` (an `ExtensionStatus` per
//! hint), `DeviceStateList` (a `DeviceStateChange` per device the PBX keeps a state
//! for), `PJSIPShowContacts` (a `ContactList` per contact) and
//! `PJSIPShowRegistrationsOutbound` (an `OutboundRegistrationDetail` per registration,
//! each followed by the `AuthDetail` of its credentials, which says nothing of state).
//! Each list is the whole of its kind: what the model holds and the list does not is
//! taken out, unless an event said otherwise while the list was being read.

use super::lists::Part;
use super::state::{PbxSync, SyncStep};
use crate::model::{Change, Model, Text};

/// The part a presence change belongs to, and what it is about (its key in the model).
pub(super) fn key_of(change: &Change) -> Option<(Part, Text)> {
    Some(match change {
        Change::ExtensionStatus { exten, context, .. } => {
            (Part::Extensions, format!("{exten}@{context}").into())
        }
        Change::DeviceState { device, .. } => (Part::Devices, device.clone()),
        Change::ContactStatus { uri, .. } => (Part::Contacts, uri.clone()),
        Change::Registry {
            username, domain, ..
        } => (Part::Registrations, format!("{username} {domain}").into()),
        _ => return None,
    })
}

/// What the model holds of `part` for `pbx`, each as the change that would make it.
fn held(part: Part, pbx: &str, model: &Model) -> Vec<Change> {
    let pbx_t: Text = pbx.into();
    match part {
        Part::Extensions => model
            .extensions_of(pbx)
            .into_iter()
            .map(|e| Change::ExtensionStatus {
                pbx: pbx_t.clone(),
                exten: e.exten.clone(),
                context: e.context.clone(),
                hint: e.hint.clone(),
                status: e.status.clone(),
                statustext: e.statustext.clone(),
            })
            .collect(),
        Part::Devices => model
            .devices_of(pbx)
            .into_iter()
            .map(|(device, state)| Change::DeviceState {
                pbx: pbx_t.clone(),
                device: device.into(),
                state: state.into(),
            })
            .collect(),
        Part::Contacts => model
            .contacts_of(pbx)
            .into_iter()
            .map(|c| Change::ContactStatus {
                pbx: pbx_t.clone(),
                aor: c.aor.clone(),
                uri: c.uri.clone(),
                endpoint: c.endpoint.clone(),
                status: c.status.clone(),
                roundtrip: c.roundtrip.clone(),
            })
            .collect(),
        Part::Registrations => model
            .registrations_of(pbx)
            .into_iter()
            .map(|r| Change::Registry {
                pbx: pbx_t.clone(),
                channeltype: r.channeltype.clone(),
                username: r.username.clone(),
                domain: r.domain.clone(),
                status: r.status.clone(),
            })
            .collect(),
    }
}

/// `change` with its state emptied: the change that takes the thing out.
fn gone(change: Change) -> Change {
    match change {
        Change::ExtensionStatus {
            pbx,
            exten,
            context,
            hint,
            ..
        } => Change::ExtensionStatus {
            pbx,
            exten,
            context,
            hint,
            status: Text::default(),
            statustext: Text::default(),
        },
        Change::DeviceState { pbx, device, .. } => Change::DeviceState {
            pbx,
            device,
            state: Text::default(),
        },
        Change::ContactStatus {
            pbx,
            aor,
            uri,
            endpoint,
            ..
        } => Change::ContactStatus {
            pbx,
            aor,
            uri,
            endpoint,
            status: "Removed".into(),
            roundtrip: Text::default(),
        },
        Change::Registry {
            pbx,
            channeltype,
            username,
            domain,
            ..
        } => Change::Registry {
            pbx,
            channeltype,
            username,
            domain,
            status: Text::default(),
        },
        other => other,
    }
}

/// Does the model's `held` say what the list's `listed` says? A contact's round trip
/// changes with every qualify, which no event tells: it is not compared.
fn same(held: &Change, listed: &Change) -> bool {
    match (held, listed) {
        (
            Change::ContactStatus {
                aor,
                status,
                endpoint,
                ..
            },
            Change::ContactStatus {
                aor: a2,
                status: s2,
                endpoint: e2,
                ..
            },
        ) => aor == a2 && status == s2 && endpoint == e2,
        _ => held == listed,
    }
}

/// The changes that make `pbx`'s `part` the list `s` holds (all of it: a list refused,
/// as by a PBX without the module, leaves it empty). What an event said while the list
/// was read stands.
pub(super) fn presence(pbx: &str, part: Part, s: &PbxSync, model: &Model, out: &mut Vec<SyncStep>) {
    let fresh = |c: &Change| key_of(c).is_some_and(|k| !s.touched_presence.contains(&k));
    let listed = &s.presence_lines[part as usize];
    let held = held(part, pbx, model);
    for l in listed.iter().filter(|c| fresh(c)) {
        let key = key_of(l);
        let now = held.iter().find(|h| key_of(h) == key);
        if now.is_none_or(|h| !same(h, l)) {
            out.push(SyncStep::Apply(l.clone()));
        }
    }
    for h in held.into_iter().filter(|c| fresh(c)) {
        let key = key_of(&h);
        if !listed.iter().any(|l| key_of(l) == key) {
            out.push(SyncStep::Apply(gone(h)));
        }
    }
}
