//! The model's value types.

/// The text of a model field. AMI values are short (Uniqueids, channel names, states,
/// numbers): up to 24 bytes are kept inline, so most changes and channels are made and
/// dropped without allocating.
pub type Text = compact_str::CompactString;

/// The model's hash maps: foldhash, seeded per process, hashes a short key several times
/// faster than the standard SipHash, and its seed still keeps keys from a PBX from
/// being chosen to collide.
pub(crate) type Map<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
