//! Presence events: device and extension states, contacts, outbound registrations, peers.
//! The resync reads the same things from its list answers (`ExtensionStateList`,
//! `DeviceStateList`, `PJSIPShowContacts`, `PJSIPShowRegistrationsOutbound`) with the
//! functions here, so a line of a list and the event it stands for make one change.

use super::events::Event;
use super::fields::{required, text};
use crate::ami::Message;
use crate::model::presence::{cached_device, registered_contact};
use crate::model::{Change, Text};

/// The change an event makes; none for a state the model does not keep (a Local
/// channel's device, a contact configured rather than registered: see
/// `model::presence`), so hooks see what the model holds.
pub(super) fn change(event: Event, m: &Message, pbx: Text) -> Option<Change> {
    Some(match event {
        Event::DeviceStateChange => {
            let change = device_state(m, pbx);
            match &change {
                Change::DeviceState { device, .. } if cached_device(device) => change,
                _ => return None,
            }
        }
        Event::ExtensionStatus => {
            let change = extension_status(m, pbx);
            match &change {
                Change::ExtensionStatus { exten, .. } if !exten.is_empty() => change,
                _ => return None,
            }
        }
        Event::ContactStatus if !registered_contact(&text(m, "URI")) => return None,
        Event::ContactStatus => Change::ContactStatus {
            aor: text(m, "AOR"),
            uri: text(m, "URI"),
            endpoint: text(m, "EndpointName"),
            status: text(m, "ContactStatus"),
            roundtrip: text(m, "RoundtripUsec"),
            pbx,
        },
        Event::Registry if text(m, "Username").is_empty() && text(m, "Domain").is_empty() => {
            return None
        }
        Event::Registry => Change::Registry {
            channeltype: text(m, "ChannelType"),
            username: text(m, "Username"),
            domain: text(m, "Domain"),
            status: text(m, "Status"),
            pbx,
        },
        Event::PeerStatus => Change::PeerStatus {
            channeltype: text(m, "ChannelType"),
            peer: required(m, "Peer")?,
            status: text(m, "PeerStatus"),
            address: text(m, "Address"),
            pbx,
        },
        _ => return None,
    })
}

/// A `DeviceStateChange`, event or line of `DeviceStateList`.
pub(crate) fn device_state(m: &Message, pbx: Text) -> Change {
    Change::DeviceState {
        device: text(m, "Device"),
        state: text(m, "State"),
        pbx,
    }
}

/// An `ExtensionStatus`, event or line of `ExtensionStateList`.
pub(crate) fn extension_status(m: &Message, pbx: Text) -> Change {
    Change::ExtensionStatus {
        exten: text(m, "Exten"),
        context: text(m, "Context"),
        hint: text(m, "Hint"),
        status: text(m, "Status"),
        statustext: text(m, "StatusText"),
        pbx,
    }
}

/// A `ContactList` line of `PJSIPShowContacts`: its `ObjectName` is `<aor>;@<hash>`.
pub(crate) fn listed_contact(m: &Message, pbx: Text) -> Change {
    let name = text(m, "ObjectName");
    let aor = text(m, "Aor");
    let aor = if aor.is_empty() {
        name.split(";@").next().unwrap_or_default().into()
    } else {
        aor
    };
    Change::ContactStatus {
        aor,
        uri: text(m, "Uri"),
        endpoint: text(m, "Endpoint"),
        status: text(m, "Status"),
        roundtrip: text(m, "RoundtripUsec"),
        pbx,
    }
}

/// An `OutboundRegistrationDetail` line of `PJSIPShowRegistrationsOutbound`: the
/// `Registry` event of the same registration names its client URI `Username` and its
/// server URI `Domain`.
pub(crate) fn listed_registration(m: &Message, pbx: Text) -> Change {
    Change::Registry {
        channeltype: "PJSIP".into(),
        username: text(m, "ClientUri"),
        domain: text(m, "ServerUri"),
        status: text(m, "Status"),
        pbx,
    }
}
