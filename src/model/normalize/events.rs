//! The AMI events the model reads, recognised from their `Event:` value.

/// The events the model uses. Aliases share a variant: 1.4's `Link` is a `Bridge`, 12+'s
/// `Unhold` a `MusicOnHoldStop`, a 2.x `NewConnectedLine` a `NewCallerId`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Event {
    NewChannel,
    NewState,
    Dial,
    DialBegin,
    DialEnd,
    Bridge,
    BridgeCreate,
    BridgeEnter,
    BridgeLeave,
    BridgeDestroy,
    LocalBridge,
    VarSet,
    ConfbridgeStart,
    ConfbridgeEnd,
    ConfbridgeJoin,
    ConfbridgeLeave,
    MusicOnHold,
    MusicOnHoldStart,
    MusicOnHoldStop,
    Hold,
    HangupRequest,
    SoftHangupRequest,
    NewCallerId,
    Rename,
    Hangup,
    ParkedCall,
    UnParkedCall,
    ParkedCallTimeOut,
    ParkedCallGiveUp,
    QueueCallerJoin,
    QueueCallerLeave,
    QueueCallerAbandon,
    AgentCalled,
    AgentConnect,
    AgentComplete,
    AgentRingNoAnswer,
    QueueMemberAdded,
    QueueMemberStatus,
    QueueMemberPause,
    QueueMemberRemoved,
    BlindTransfer,
    AttendedTransfer,
}

/// The model event an `Event:` value names, compared without case and without
/// allocating; None for every other event. A `match` on the bytes compiles to a
/// decision on length and content, not a scan of every name.
pub(super) fn model_event(name: &[u8]) -> Option<Event> {
    let mut lower = [0u8; 18]; // the longest name the model uses
    let lower = lower.get_mut(..name.len())?;
    for (l, n) in lower.iter_mut().zip(name) {
        *l = n.to_ascii_lowercase();
    }
    Some(match &*lower {
        b"newchannel" => Event::NewChannel,
        b"newstate" => Event::NewState,
        b"dial" => Event::Dial,
        b"dialbegin" => Event::DialBegin,
        b"dialend" => Event::DialEnd,
        b"bridge" => Event::Bridge,
        b"link" => Event::Bridge,
        b"bridgecreate" => Event::BridgeCreate,
        b"bridgeenter" => Event::BridgeEnter,
        b"bridgeleave" => Event::BridgeLeave,
        b"bridgedestroy" => Event::BridgeDestroy,
        b"localbridge" => Event::LocalBridge,
        b"varset" => Event::VarSet,
        b"confbridgestart" => Event::ConfbridgeStart,
        b"confbridgeend" => Event::ConfbridgeEnd,
        b"confbridgejoin" => Event::ConfbridgeJoin,
        b"confbridgeleave" => Event::ConfbridgeLeave,
        b"musiconhold" => Event::MusicOnHold,
        b"musiconholdstart" => Event::MusicOnHoldStart,
        b"musiconholdstop" => Event::MusicOnHoldStop,
        b"unhold" => Event::MusicOnHoldStop,
        b"hold" => Event::Hold,
        b"hanguprequest" => Event::HangupRequest,
        b"softhanguprequest" => Event::SoftHangupRequest,
        b"newcallerid" => Event::NewCallerId,
        b"newconnectedline" => Event::NewCallerId,
        b"rename" => Event::Rename,
        b"hangup" => Event::Hangup,
        b"parkedcall" => Event::ParkedCall,
        b"unparkedcall" => Event::UnParkedCall,
        b"parkedcalltimeout" => Event::ParkedCallTimeOut,
        b"parkedcallgiveup" => Event::ParkedCallGiveUp,
        b"queuecallerjoin" => Event::QueueCallerJoin,
        b"queuecallerleave" => Event::QueueCallerLeave,
        b"queuecallerabandon" => Event::QueueCallerAbandon,
        b"agentcalled" => Event::AgentCalled,
        b"agentconnect" => Event::AgentConnect,
        b"agentcomplete" => Event::AgentComplete,
        b"agentringnoanswer" => Event::AgentRingNoAnswer,
        b"queuememberadded" => Event::QueueMemberAdded,
        b"queuememberstatus" => Event::QueueMemberStatus,
        // Asterisk 12 named it QueueMemberPaused; 13 and later QueueMemberPause.
        b"queuememberpause" | b"queuememberpaused" => Event::QueueMemberPause,
        b"queuememberremoved" => Event::QueueMemberRemoved,
        b"blindtransfer" => Event::BlindTransfer,
        b"attendedtransfer" => Event::AttendedTransfer,
        _ => return None,
    })
}
