//! Presence: who can be reached, beside who is on a call. Device states
//! (`DeviceStateChange`), extension states from their hints (`ExtensionStatus`), the
//! contacts PJSIP endpoints registered (`ContactStatus`), the registrations a PBX makes
//! to others (`Registry`) and, for `chan_sip`/`chan_iax2`-era PBXes (PJSIP says it too),
//! each peer's reachability (`PeerStatus`).

use super::Text;

/// An extension's state as its hint makes it (`ExtensionStatus`, or a line of
/// `ExtensionStateList`).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Extension {
    pub exten: Text,
    pub context: Text,
    /// What the state comes from: `PJSIP/2001`, `PJSIP/2001&Custom:dnd`...
    pub hint: Text,
    /// As AMI numbers it: -1 removed, 0 idle, 1 in use, 2 busy, 4 unavailable, 8
    /// ringing, 9 in use and ringing, 16 on hold.
    pub status: Text,
    /// As AMI names it: `Idle`, `InUse`, `Busy`, `Unavailable`, `Ringing`, `OnHold`...
    pub statustext: Text,
}

/// A contact an endpoint registered (`ContactStatus`, or a line of `PJSIPShowContacts`).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Contact {
    /// The address of record it registered to.
    pub aor: Text,
    pub uri: Text,
    pub endpoint: Text,
    /// `Reachable`, `Unreachable`, `NonQualified` (not asked), `Unknown`, `Created`.
    pub status: Text,
    /// The last qualify's round trip in microseconds, as the PBX last said it.
    pub roundtrip: Text,
}

/// A registration this PBX makes to another (`Registry`, or a line of
/// `PJSIPShowRegistrationsOutbound`).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Registration {
    /// `PJSIP`, `SIP`, `IAX2`.
    pub channeltype: Text,
    /// Who registers (`sip:2001@127.0.0.1:5160`: PJSIP's client URI).
    pub username: Text,
    /// Where (`sip:127.0.0.1:5160`: PJSIP's server URI).
    pub domain: Text,
    /// `Registered`, `Unregistered`, `Rejected`, `Failed`...
    pub status: Text,
}

/// A peer's reachability (`PeerStatus`).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Peer {
    pub channeltype: Text,
    /// `SIP/alice`, `IAX2/pbx2`, `PJSIP/2001`.
    pub peer: Text,
    /// `Registered`, `Unregistered`, `Reachable`, `Unreachable`, `Lagged`, `Rejected`.
    pub status: Text,
    pub address: Text,
}

/// Does Asterisk keep a state for `device`? Its Local channels and conference
/// announcers (and recorders) say their state changes but are never in its device state
/// cache (`DeviceStateList` lists none of them): the model does not keep them either.
pub fn cached_device(device: &str) -> bool {
    let tech = device.split(['/', ':']).next().unwrap_or_default();
    !device.is_empty()
        && !["Local", "CBAnn", "CBRec"]
            .iter()
            .any(|t| tech.eq_ignore_ascii_case(t))
}

/// Is a contact of this URI one a phone registered, not one configured for an AOR (a
/// trunk's `contact=sip:host:port`)? PJSIP says both kinds' status (`ContactStatus`)
/// but lists only registered ones (`PJSIPShowContacts`); a configured contact's
/// reachability is its endpoint's (`PeerStatus`). Told apart by the user a registered
/// contact's URI names (`sip:2001@192.0.2.7:5062`), which a configured one seldom does.
pub fn registered_contact(uri: &str) -> bool {
    let rest = uri.split_once(':').map_or(uri, |(_, r)| r);
    rest.split([';', '?'])
        .next()
        .unwrap_or_default()
        .contains('@')
}

/// The device a channel of this name is on: `PJSIP/2001-0000000a` is on `PJSIP/2001`;
/// None for a channel of no device (a Local channel, a conference announcer) or a name
/// without a technology.
pub fn device_of_channel(name: &str) -> Option<&str> {
    let (tech, rest) = name.split_once('/')?;
    if tech.is_empty() || rest.is_empty() || !cached_device(name) {
        return None;
    }
    // The unique suffix after the last `-` (Asterisk's `-%08x`); `<ZOMBIE>` and
    // `<MASQ>` endings of renamed channels come after it.
    let base = name.split('<').next().unwrap_or(name);
    let end = base.rfind('-').filter(|&i| i > tech.len() + 1)?;
    Some(&name[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_channel_is_on_the_device_its_name_says() {
        assert_eq!(device_of_channel("PJSIP/2001-0000000a"), Some("PJSIP/2001"));
        assert_eq!(
            device_of_channel("SIP/alice-bob-00000001"),
            Some("SIP/alice-bob")
        );
        assert_eq!(device_of_channel("IAX2/pbx2-1734"), Some("IAX2/pbx2"));
        assert_eq!(device_of_channel("Local/2001@test-00000001;1"), None);
        assert_eq!(device_of_channel("CBAnn/100-00000001;2"), None);
        assert_eq!(device_of_channel("PJSIP/2001"), None);
        assert_eq!(device_of_channel("nodevice"), None);
    }

    #[test]
    fn a_registered_contact_names_its_user() {
        assert!(registered_contact("sip:2001@127.0.0.1:5162"));
        assert!(registered_contact("sips:alice@example.com;transport=tls"));
        assert!(!registered_contact("sip:127.0.0.1:5161"));
        assert!(!registered_contact("sip:trunk.example.com;transport=tcp"));
    }

    #[test]
    fn local_channels_and_announcers_have_no_cached_state() {
        assert!(cached_device("PJSIP/2001"));
        assert!(cached_device("Queue:support"));
        assert!(cached_device("confbridge:100"));
        assert!(!cached_device("Local/2001@test"));
        assert!(!cached_device("CBAnn/100"));
        assert!(!cached_device(""));
    }
}
