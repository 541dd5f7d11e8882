//! Which rules a model and its normaliser follow.

/// hackamore's own rules, or the 2014 framework's (for `hackamore.compat`, whose promise
/// is that a migrated script sees exactly what it saw before).
///
/// Under [`Rules::Framework2014`] the events the 2014 framework handled are read as its
/// Manifold read them (exact field names, the last of a repeated field, values as sent,
/// `Bridgestate: Unlink` bridged like `Link`, only `SubEvent: Begin` dials, an AMI 1.x
/// event it did not handle ignored), AMI 2.x+ events it never knew go through the
/// standard normalisation, and the model differs from the standard one where the 2014
/// ModelStandard did:
/// - `bridge` idles the first channel even when the second is unknown;
/// - `confbridgestart` of a room that exists empties it (its members keep their room);
/// - `newcallerid` records the number under the event's channel name, even when empty;
/// - a hangup drops the trunk wait under the channel's value whoever waits there;
/// - `end` removes the PBX's channels only, leaving rooms and numbers they did not hold;
/// - a channel setting the trunk variable again to the value it waits under stops
///   waiting and becomes a trunk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Rules {
    #[default]
    Standard,
    Framework2014,
}

impl Rules {
    /// `"standard"` or `"2014"`, as the Python API names them.
    pub fn name(self) -> &'static str {
        match self {
            Rules::Standard => "standard",
            Rules::Framework2014 => "2014",
        }
    }
}
