//! Events that put channels in one call (AMI 1.x bridges, the halves of a Local
//! channel, the trunk variable). AMI 2.x bridges are `bridges`.

use super::events::Event;
use super::fields::{number, required, required_value, text};
use crate::ami::Message;
use crate::model::{Change, Text};

pub(super) fn change(event: Event, m: &Message, pbx: Text) -> Option<Change> {
    match event {
        // AMI 1.x: Bridge with Bridgestate Link/Unlink (1.4: Link/Unlink events).
        Event::Bridge if text(m, "Bridgestate").eq_ignore_ascii_case("Unlink") => None,
        Event::Bridge => bridge(m, pbx),
        Event::LocalBridge => local_bridge(m, pbx),
        Event::VarSet => trunk_variable(m, pbx),
        _ => None,
    }
}

fn bridge(m: &Message, pbx: Text) -> Option<Change> {
    Some(Change::Bridge {
        uniqueid1: required(m, "Uniqueid1")?,
        channel1: text(m, "Channel1"),
        callerid1: number(m, "CallerID1"),
        uniqueid2: required(m, "Uniqueid2")?,
        channel2: text(m, "Channel2"),
        callerid2: number(m, "CallerID2"),
        pbx,
    })
}

/// AMI 2.x names the halves LocalOne/LocalTwo; 1.x numbers them 1/2.
fn local_bridge(m: &Message, pbx: Text) -> Option<Change> {
    let [u1, c1, u2, c2] = if m.get("LocalOneUniqueid").is_some() {
        [
            "LocalOneUniqueid",
            "LocalOneChannel",
            "LocalTwoUniqueid",
            "LocalTwoChannel",
        ]
    } else {
        ["Uniqueid1", "Channel1", "Uniqueid2", "Channel2"]
    };
    Some(Change::LocalBridge {
        uniqueid1: required(m, u1)?,
        channel1: text(m, c1),
        uniqueid2: required(m, u2)?,
        channel2: text(m, c2),
        pbx,
    })
}

/// A VarSet of the trunk variable (the caller checked the variable's name).
fn trunk_variable(m: &Message, pbx: Text) -> Option<Change> {
    Some(Change::SipCallId {
        uniqueid: required(m, "Uniqueid")?,
        channel: text(m, "Channel"),
        // `SIPCALLID=(null)` is no trunk value: pairing on it would join strangers.
        value: required_value(m, "Value")?,
        pbx,
    })
}
