//! The presence lists a resync asks for, what answers them and what each line says.

use crate::ami::sync::{SYNC_CONTACTS, SYNC_DEVICES, SYNC_EXTENSIONS, SYNC_REGISTRATIONS};
use crate::ami::Message;
use crate::model::normalize::{
    device_state, extension_status, listed_contact, listed_registration,
};
use crate::model::{Change, Text};

/// One presence list of a resync.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Part {
    Extensions,
    Devices,
    Contacts,
    Registrations,
}

impl Part {
    pub(crate) const ALL: [Part; 4] = [
        Part::Extensions,
        Part::Devices,
        Part::Contacts,
        Part::Registrations,
    ];

    /// The part whose ActionID ends so.
    pub(super) fn of(rest: &str) -> Option<Part> {
        Part::ALL.into_iter().find(|p| rest.ends_with(p.suffix()))
    }

    pub(crate) fn suffix(self) -> &'static str {
        match self {
            Part::Extensions => SYNC_EXTENSIONS,
            Part::Devices => SYNC_DEVICES,
            Part::Contacts => SYNC_CONTACTS,
            Part::Registrations => SYNC_REGISTRATIONS,
        }
    }

    pub(crate) fn action(self) -> &'static str {
        match self {
            Part::Extensions => "ExtensionStateList",
            Part::Devices => "DeviceStateList",
            Part::Contacts => "PJSIPShowContacts",
            Part::Registrations => "PJSIPShowRegistrationsOutbound",
        }
    }

    /// The event of a line of its list, and the one that completes it.
    pub(super) fn events(self) -> (&'static str, &'static str) {
        match self {
            Part::Extensions => ("ExtensionStatus", "ExtensionStateListComplete"),
            Part::Devices => ("DeviceStateChange", "DeviceStateListComplete"),
            Part::Contacts => ("ContactList", "ContactListComplete"),
            Part::Registrations => (
                "OutboundRegistrationDetail",
                "OutboundRegistrationDetailComplete",
            ),
        }
    }

    /// A line of its list as the change it describes.
    pub(super) fn line(self, m: &Message, pbx: Text) -> Change {
        match self {
            Part::Extensions => extension_status(m, pbx),
            Part::Devices => device_state(m, pbx),
            Part::Contacts => listed_contact(m, pbx),
            Part::Registrations => listed_registration(m, pbx),
        }
    }
}
