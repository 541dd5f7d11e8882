//! AMI 2.x bridges as the PBX has them now: which channels are in which bridge, so "who
//! is talking to whom right now" is answerable beside the call (which keeps its history).

use super::Text;

/// One bridge of one PBX.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Bridge {
    /// `BridgeUniqueid`.
    pub id: Text,
    /// `BridgeType`: basic, holding, parking...
    pub bridgetype: Text,
    /// `BridgeTechnology`: simple_bridge, native_rtp, softmix, holding_bridge...
    pub technology: Text,
    /// Uniqueids in order of entry.
    pub members: Vec<Text>,
    /// How many channels the PBX last said it holds (`BridgeNumChannels`), hidden ones
    /// included: a ConfBridge's announcer is in no event and no channel list.
    pub numchannels: u32,
    #[serde(skip)] // each model numbers its own
    pub(crate) seq: u64,
}

impl Bridge {
    /// Does this bridge only hold its channels (see [`holds_only`])?
    pub fn holding(&self) -> bool {
        holds_only(&self.bridgetype, &self.technology)
    }
}

/// A bridge that only holds channels, whose members are not talking to each other: a
/// holding bridge (`BridgeType: holding`), a parking lot (`BridgeType: parking`), or
/// any bridge of the `holding_bridge` technology (what both use). Its members join no
/// call through it.
pub fn holds_only(bridgetype: &str, technology: &str) -> bool {
    bridgetype.eq_ignore_ascii_case("holding")
        || bridgetype.eq_ignore_ascii_case("parking")
        || technology.eq_ignore_ascii_case("holding_bridge")
}

#[cfg(test)]
mod tests {
    use super::holds_only;

    #[test]
    fn parking_lots_and_holding_bridges_only_hold() {
        assert!(holds_only("parking", "holding_bridge"));
        assert!(holds_only("holding", ""));
        assert!(holds_only("", "holding_bridge"));
        assert!(holds_only("Parking", ""));
        assert!(!holds_only("basic", "simple_bridge"));
        assert!(!holds_only("", "softmix"));
    }
}
