//! The normaliser, one row per AMI generation and event (the table of DESIGN.md section 3
//! and the rules of section 4): what each message means for the model, under the
//! standard rules. One module per family of events.

mod calls;
mod channels;
mod nothing;
mod parking;
mod queues;
mod rooms_transfers;

use hackamore::ami::Message;
use hackamore::model::{Change, Normalizer};

/// A row: messages of one PBX (all but the last set the scene), and the changes the last
/// one must mean, each as its name and the fields it must carry.
pub(crate) struct Row {
    what: &'static str,
    messages: Vec<Vec<(&'static str, &'static str)>>,
    want: Vec<(&'static str, Vec<(&'static str, &'static str)>)>,
}

pub(crate) fn row(
    what: &'static str,
    messages: Vec<Vec<(&'static str, &'static str)>>,
    want: Vec<(&'static str, Vec<(&'static str, &'static str)>)>,
) -> Row {
    Row {
        what,
        messages,
        want,
    }
}

fn message(fields: &[(&str, &str)]) -> Message {
    let mut m = Message::new();
    for (k, v) in fields {
        m.push(k, v);
    }
    m
}

pub(crate) fn run(r: &Row) {
    let mut n = Normalizer::default();
    let mut out = Vec::new();
    for fields in &r.messages {
        out.clear();
        n.normalize("pbx1", &message(fields), &mut out);
    }
    let got: Vec<(&str, Vec<(&str, &str)>)> = out
        .iter()
        .map(|c: &Change| (c.name(), c.fields()))
        .collect();
    assert_eq!(got.len(), r.want.len(), "{}: {got:?}", r.what);
    for ((name, fields), (want_name, want_fields)) in got.iter().zip(&r.want) {
        assert_eq!(name, want_name, "{}", r.what);
        for (k, v) in want_fields {
            let have = fields.iter().find(|(f, _)| f == k).map(|(_, v)| *v);
            assert_eq!(have, Some(*v), "{}: field {k} of {name}", r.what);
        }
    }
}

/// The Uniqueid most rows use.
pub(crate) const UNIQUE: (&str, &str) = ("Uniqueid", "1.1");
