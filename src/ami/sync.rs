//! ActionIDs of the resync actions a socket sends after login (`BridgeList`,
//! `CoreShowChannels`, `Status` for the trunk variable, `ParkedCalls`, `QueueStatus`,
//! `ConfbridgeListRooms`, then `ConfbridgeList` per room; `ExtensionStateList`,
//! `DeviceStateList`, `PJSIPShowContacts`, `PJSIPShowRegistrationsOutbound`): shared by
//! the socket that sends them and the model that reads their answers.

/// The default name of the trunk-correlation channel variable: the `Status` of a resync
/// asks for it, and the normaliser pairs channels by it.
pub const DEFAULT_TRUNK_VARIABLE: &str = "SIPCALLID";

/// Every resync ActionID starts with this, then a number unique in the process.
pub const SYNC_PREFIX: &str = "hackamore-sync-";
/// Suffix of the `BridgeList` ActionID (asked first: the bridge types must be known when
/// the channel list completes).
pub const SYNC_BRIDGES: &str = "-bridges";
/// Suffix of the `CoreShowChannels` ActionID.
pub const SYNC_CHANNELS: &str = "-channels";
/// Suffix of the `Status` ActionID (each channel's trunk variable).
pub const SYNC_STATUS: &str = "-status";
/// Suffix of the `ParkedCalls` ActionID (after the channels: it names them).
pub const SYNC_PARKED: &str = "-parked";
/// Suffix of the `QueueStatus` ActionID.
pub const SYNC_QUEUES: &str = "-queues";
/// Suffix of the `ConfbridgeListRooms` ActionID; each room is listed as `<that>-<i>`.
pub const SYNC_ROOMS: &str = "-rooms";
/// Between the number and the suffix of a part asked again on its own: a PBX that
/// answered it empty or refused it before it said `FullyBooted` (its module was not
/// loaded yet) is asked once more after.
pub const SYNC_AGAIN: &str = "-again";
/// Suffix of the `ExtensionStateList` ActionID (each hint's extension state).
pub const SYNC_EXTENSIONS: &str = "-extensions";
/// Suffix of the `DeviceStateList` ActionID (each device state the PBX keeps).
pub const SYNC_DEVICES: &str = "-devices";
/// Suffix of the `PJSIPShowContacts` ActionID (the contacts endpoints registered).
pub const SYNC_CONTACTS: &str = "-contacts";
/// Suffix of the `PJSIPShowRegistrationsOutbound` ActionID (registrations to others).
pub const SYNC_REGISTRATIONS: &str = "-registrations";
