//! Reading an event's fields as change fields.

use crate::ami::Message;
use crate::model::bridges::holds_only;
use crate::model::{means_none, or_none, Text};

/// Text of a field, `""` when absent.
pub(super) fn text(m: &Message, key: &str) -> Text {
    m.get(key).map(Text::from_utf8_lossy).unwrap_or_default()
}

/// A value field (a number, a variable's value): empty when Asterisk says "none" in any
/// of its spellings (`<unknown>` is how it says "no number").
pub(super) fn number(m: &Message, key: &str) -> Text {
    or_none(text(m, key))
}

/// A required value: the change is skipped when it is absent or means none.
pub(super) fn required_value(m: &Message, key: &str) -> Option<Text> {
    m.get(key)
        .filter(|v| !means_none(v))
        .map(Text::from_utf8_lossy)
}

/// A required field: the change is skipped when it is absent or empty (the old framework
/// ignored events it could not use, never failed on them).
pub(super) fn required(m: &Message, key: &str) -> Option<Text> {
    m.get(key)
        .filter(|v| !v.is_empty())
        .map(Text::from_utf8_lossy)
}

/// Does the bridge this event describes only hold its channels (see [`holds_only`])?
pub(super) fn is_holding(m: &Message) -> bool {
    holds_only(&text(m, "BridgeType"), &text(m, "BridgeTechnology"))
}

/// Unix seconds as a change field (milliseconds are plenty), `""` when unknown.
pub(crate) fn seconds(t: Option<f64>) -> Text {
    t.map(|t| compact_str::format_compact!("{t:.3}"))
        .unwrap_or_default()
}

/// `at` less `field` seconds (how long it has been so), as a change field.
pub(crate) fn seconds_before(at: Option<f64>, m: &Message, field: &str) -> Text {
    let ago = text(m, field).trim().parse::<f64>().unwrap_or(0.0);
    seconds(at.map(|at| at - ago.max(0.0)))
}
