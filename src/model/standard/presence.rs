//! Rules of presence: each kind of state replaces what the model had of the same thing.
//! What a PBX says is gone (a contact `Removed`) goes; a change with an empty state (made
//! by a resync for what the PBX no longer lists) takes the thing out.

use super::store::{pbx_entry, set_text, Pbx};
use super::Model;
use crate::model::presence::{
    cached_device, registered_contact, Contact, Extension, Peer, Registration,
};

impl Model {
    /// Run `rule` on `pbx`'s state (made if missing), then let an empty PBX go.
    fn presence(&mut self, pbx: &str, rule: impl FnOnce(&mut Pbx)) {
        rule(pbx_entry(&mut self.pbxes, pbx));
        self.drop_if_empty(pbx);
    }

    pub(crate) fn devicestate(&mut self, pbx: &str, device: &str, state: &str) {
        if device.is_empty() || !cached_device(device) {
            return;
        }
        self.presence(pbx, |p| {
            if state.is_empty() {
                p.devices.remove(device);
            } else if let Some(held) = p.devices.get_mut(device) {
                set_text(held, state); // the common case: a device seen before
            } else {
                p.devices.insert(device.into(), state.into());
            }
        });
    }

    pub(crate) fn extensionstatus(
        &mut self,
        pbx: &str,
        exten: &str,
        context: &str,
        hint: &str,
        status: &str,
        statustext: &str,
    ) {
        if exten.is_empty() {
            return;
        }
        let key = (exten.into(), context.into());
        self.presence(pbx, |p| {
            // -1: the hint was removed (a dialplan reload).
            if status.is_empty() || status == "-1" {
                p.extensions.remove(&key);
                return;
            }
            let e = Extension {
                exten: key.0.clone(),
                context: key.1.clone(),
                hint: hint.into(),
                status: status.into(),
                statustext: statustext.into(),
            };
            p.extensions.insert(key, e);
        });
    }

    pub(crate) fn contactstatus(
        &mut self,
        pbx: &str,
        aor: &str,
        uri: &str,
        endpoint: &str,
        status: &str,
        roundtrip: &str,
    ) {
        if uri.is_empty() || !registered_contact(uri) {
            return;
        }
        self.presence(pbx, |p| {
            if status.is_empty() || status.eq_ignore_ascii_case("Removed") {
                p.contacts.remove(uri);
                return;
            }
            let c = Contact {
                aor: aor.into(),
                uri: uri.into(),
                endpoint: endpoint.into(),
                status: status.into(),
                roundtrip: roundtrip.into(),
            };
            p.contacts.insert(uri.into(), c);
        });
    }

    pub(crate) fn registry(
        &mut self,
        pbx: &str,
        channeltype: &str,
        username: &str,
        domain: &str,
        status: &str,
    ) {
        if username.is_empty() && domain.is_empty() {
            return;
        }
        let key = (username.into(), domain.into());
        self.presence(pbx, |p| {
            if status.is_empty() {
                p.registrations.remove(&key);
                return;
            }
            let r = Registration {
                channeltype: channeltype.into(),
                username: key.0.clone(),
                domain: key.1.clone(),
                status: status.into(),
            };
            p.registrations.insert(key, r);
        });
    }

    pub(crate) fn peerstatus(
        &mut self,
        pbx: &str,
        channeltype: &str,
        peer: &str,
        status: &str,
        address: &str,
    ) {
        if peer.is_empty() {
            return;
        }
        self.presence(pbx, |p| {
            if status.is_empty() {
                p.peers.remove(peer);
                return;
            }
            let entry = Peer {
                channeltype: channeltype.into(),
                peer: peer.into(),
                status: status.into(),
                address: address.into(),
            };
            p.peers.insert(peer.into(), entry);
        });
    }
}
