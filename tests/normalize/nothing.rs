//! What means nothing to the model, and a source's end.

use super::{row, run, UNIQUE as unique};
use hackamore::ami::Message;
use hackamore::model::{Change, Normalizer};

#[test]
fn what_means_nothing() {
    let rows = vec![
        row(
            "DTMF with End: Yes is no end of source",
            vec![vec![
                ("Event", "DTMF"),
                ("Channel", "SIP/100-1"),
                ("Digit", "5"),
                ("End", "Yes"),
                unique,
            ]],
            vec![],
        ),
        row(
            "Newexten",
            vec![vec![
                ("Event", "Newexten"),
                ("Channel", "SIP/100-1"),
                unique,
            ]],
            vec![],
        ),
        row(
            "a Hangup without a Uniqueid",
            vec![vec![("Event", "Hangup"), ("Channel", "SIP/100-1")]],
            vec![],
        ),
    ];
    for r in &rows {
        run(r);
    }
    // A source's own END ends its PBX.
    let mut out = Vec::new();
    Normalizer::default().normalize("pbx1", &Message::end(3), &mut out);
    assert!(matches!(&out[..], [Change::End { pbx }] if pbx == "pbx1"));
}
