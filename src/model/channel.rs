//! One Asterisk channel as the model sees it.

use super::Text;
/// What a channel is in its call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Role {
    #[default]
    Idle = 0,
    Calling = 1,
    Called = 2,
    /// Neither end: a channel between two others (Local halves, inter-PBX legs).
    Trunk = 3,
}

/// What a channel is doing now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Activity {
    #[default]
    Idle = 0,
    Dialing = 1,
    /// A hangup was requested.
    Hungup = 2,
    /// A soft hangup was requested (with a cause).
    Caused = 3,
    Held = 4,
}

impl Role {
    pub fn name(self) -> &'static str {
        ["IDLE", "CALLING", "CALLED", "TRUNK"][self as usize]
    }

    /// Dialling: IDLE becomes CALLING; a CALLED channel that dials on is a TRUNK.
    pub(crate) fn calling(self) -> Role {
        match self {
            Role::Idle => Role::Calling,
            Role::Called => Role::Trunk,
            r => r,
        }
    }

    /// Dialled: IDLE becomes CALLED; a CALLING channel that is dialled is a TRUNK.
    pub(crate) fn called(self) -> Role {
        match self {
            Role::Idle => Role::Called,
            Role::Calling => Role::Trunk,
            r => r,
        }
    }
}

impl Activity {
    pub fn name(self) -> &'static str {
        ["IDLE", "DIALING", "HUNGUP", "CAUSED", "HELD"][self as usize]
    }
}

/// Identifies a call group while it exists.
pub type CallId = u64;

/// A channel of one PBX. Uniqueids repeat across PBXes: a channel is known by
/// (pbx, uniqueid).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Channel {
    pub pbx: Text,
    pub uniqueid: Text,
    /// The channel name (`SIP/100-00000001`), which a Rename changes.
    pub channel: Text,
    pub calleridnum: Text,
    pub linkedid: Text,
    /// The trunk-correlation value seen on this channel, if any.
    pub sipcallid: Option<Text>,
    /// The conference room it is in, if any.
    pub conference: Option<Text>,
    /// The AMI 2.x bridge it is in now, if any (`BridgeUniqueid`).
    pub bridge: Option<Text>,
    pub channelstate: Text,
    pub channelstatedesc: Text,
    pub role: Role,
    pub activity: Activity,
    pub call: Option<CallId>,
    /// Creation order, so views list channels as they came.
    pub(crate) seq: u64,
}
