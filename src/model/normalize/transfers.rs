//! Transfer events: who sent whom where. The channels move by the bridge events around
//! them.

use super::bridges::Bridges;
use super::fields::text;
use crate::ami::Message;
use crate::model::{Change, Text};

pub(super) fn blind(m: &Message, pbx: Text) -> Change {
    Change::BlindTransfer {
        result: text(m, "Result"),
        transferer: text(m, "TransfererUniqueid"),
        transfererchannel: text(m, "TransfererChannel"),
        transferee: text(m, "TransfereeUniqueid"),
        transfereechannel: text(m, "TransfereeChannel"),
        extension: text(m, "Extension"),
        context: text(m, "Context"),
        isexternal: text(m, "IsExternal"),
        pbx,
    }
}

/// Who joined whom: the transfer target is named by the PBX (`TransferTarget*`), or is
/// whoever else is in the destination bridge.
pub(super) fn attended(m: &Message, pbx: Text, bridges: &Bridges) -> Change {
    let transferee = text(m, "TransfereeUniqueid");
    let transferer = text(m, "OrigTransfererUniqueid");
    let mut target = (
        text(m, "TransferTargetUniqueid"),
        text(m, "TransferTargetChannel"),
    );
    let destbridge = text(m, "DestBridgeUniqueid");
    if target.0.is_empty() {
        if let Some((u, c, _)) = bridges.other_member(&pbx, &destbridge, [&transferee, &transferer])
        {
            target = (u.clone(), c.clone());
        }
    }
    Change::AttendedTransfer {
        result: text(m, "Result"),
        transferer,
        transfererchannel: text(m, "OrigTransfererChannel"),
        transferee,
        transfereechannel: text(m, "TransfereeChannel"),
        target: target.0,
        targetchannel: target.1,
        desttype: text(m, "DestType"),
        destbridge,
        isexternal: text(m, "IsExternal"),
        pbx,
    }
}
