//! Conference rooms, and transfers (AMI 2.x).

use super::{row, run, UNIQUE as unique};

#[test]
fn conference() {
    let rows = vec![
        row(
            "ConfbridgeStart",
            vec![vec![("Event", "ConfbridgeStart"), ("Conference", "100")]],
            vec![("confbridgestart", vec![("conference", "100")])],
        ),
        row(
            "ConfbridgeJoin (2.x adds BridgeUniqueid and the snapshot)",
            vec![vec![
                ("Event", "ConfbridgeJoin"),
                ("Conference", "100"),
                ("BridgeUniqueid", "c1"),
                ("Channel", "PJSIP/100-1"),
                unique,
            ]],
            vec![(
                "confbridgejoin",
                vec![("conference", "100"), ("uniqueid", "1.1")],
            )],
        ),
        row(
            "ConfbridgeLeave",
            vec![vec![
                ("Event", "ConfbridgeLeave"),
                ("Conference", "100"),
                ("Channel", "PJSIP/100-1"),
                unique,
            ]],
            vec![("confbridgeleave", vec![("conference", "100")])],
        ),
        row(
            "ConfbridgeEnd",
            vec![vec![("Event", "ConfbridgeEnd"), ("Conference", "100")]],
            vec![("confbridgeend", vec![("conference", "100")])],
        ),
    ];
    for r in &rows {
        run(r);
    }
}

#[test]
fn transfers_2_x() {
    let rows = vec![
        row(
            "BlindTransfer: who sent whom where",
            vec![vec![
                ("Event", "BlindTransfer"),
                ("Result", "Success"),
                ("TransfererUniqueid", "1.2"),
                ("TransfererChannel", "PJSIP/200-2"),
                ("TransfereeUniqueid", "1.1"),
                ("TransfereeChannel", "PJSIP/100-1"),
                ("Extension", "300"),
                ("Context", "test"),
            ]],
            vec![(
                "blindtransfer",
                vec![
                    ("result", "Success"),
                    ("transferer", "1.2"),
                    ("transferee", "1.1"),
                    ("extension", "300"),
                    ("context", "test"),
                ],
            )],
        ),
        row(
            "AttendedTransfer: the target is whoever else is in the destination bridge",
            vec![
                vec![
                    ("Event", "BridgeEnter"),
                    ("BridgeUniqueid", "b9"),
                    ("Channel", "PJSIP/300-3"),
                    ("Uniqueid", "1.3"),
                ],
                vec![
                    ("Event", "BridgeEnter"),
                    ("BridgeUniqueid", "b9"),
                    ("Channel", "PJSIP/100-1"),
                    unique,
                ],
                vec![
                    ("Event", "AttendedTransfer"),
                    ("Result", "Success"),
                    ("OrigTransfererUniqueid", "1.2"),
                    ("TransfereeUniqueid", "1.1"),
                    ("DestType", "Bridge"),
                    ("DestBridgeUniqueid", "b9"),
                ],
            ],
            vec![(
                "attendedtransfer",
                vec![
                    ("transferer", "1.2"),
                    ("transferee", "1.1"),
                    ("target", "1.3"),
                    ("targetchannel", "PJSIP/300-3"),
                    ("destbridge", "b9"),
                ],
            )],
        ),
    ];
    for r in &rows {
        run(r);
    }
}
