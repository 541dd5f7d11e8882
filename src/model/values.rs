//! The model's value types.

/// The text of a model field. AMI values are short (Uniqueids, channel names, states,
/// numbers): up to 24 bytes are kept inline, so most changes and channels are made and
/// dropped without allocating.
pub type Text = compact_str::CompactString;

/// The model's hash maps: foldhash, seeded per process, hashes a short key several times
/// faster than the standard SipHash, and its seed still keeps keys from a PBX from
/// being chosen to collide.
pub(crate) type Map<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// How Asterisk spells "no value": empty, `<unknown>` (a caller id it does not know),
/// `<none>`, and `(null)` (a NULL string put through C's printf, as `Status` prints
/// `Variable: SIPCALLID=(null)` for a channel that lacks the variable). Every value the
/// model keeps from a PBX (events and resync answers alike) is read through this, so
/// that none of these is ever taken for a value: two channels "sharing" the trunk
/// value `(null)` are not one call.
pub const NONE_SPELLINGS: [&str; 3] = ["<unknown>", "<none>", "(null)"];

/// Does `value` mean "no value" (see [`NONE_SPELLINGS`])?
pub fn means_none(value: &[u8]) -> bool {
    value.is_empty() || NONE_SPELLINGS.iter().any(|s| value == s.as_bytes())
}

/// `value`, or empty when it means none (see [`NONE_SPELLINGS`]).
pub fn or_none(value: Text) -> Text {
    if means_none(value.as_bytes()) {
        Text::default()
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_none_is_none() {
        for v in ["", "<unknown>", "<none>", "(null)"] {
            assert!(means_none(v.as_bytes()), "{v:?}");
            assert_eq!(or_none(v.into()), "");
        }
        for v in [
            "0",
            "null",
            "unknown",
            "<unknown",
            "(null) ",
            "abc@10.0.0.1",
        ] {
            assert!(!means_none(v.as_bytes()), "{v:?}");
            assert_eq!(or_none(v.into()), v);
        }
    }
}
