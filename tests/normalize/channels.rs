//! A channel's own life: created, state, dialling, hold, name, hangup, caller id.

use super::{row, run, UNIQUE as unique};

#[test]
fn new_channel() {
    let rows = vec![
        row(
            "1.x Newchannel",
            vec![vec![
                ("Event", "Newchannel"),
                ("Channel", "SIP/100-1"),
                ("CallerIDNum", "100"),
                ("ChannelState", "4"),
                ("ChannelStateDesc", "Ring"),
                unique,
            ]],
            vec![(
                "newchannel",
                vec![
                    ("uniqueid", "1.1"),
                    ("channel", "SIP/100-1"),
                    ("calleridnum", "100"),
                ],
            )],
        ),
        row(
            "2.x Newchannel: the Linkedid kept, <unknown> is no number",
            vec![vec![
                ("Event", "Newchannel"),
                ("Channel", "PJSIP/100-1"),
                ("CallerIDNum", "<unknown>"),
                ("ChannelState", "0"),
                ("ChannelStateDesc", "Down"),
                unique,
                ("Linkedid", "1.0"),
            ]],
            vec![(
                "newchannel",
                vec![
                    ("calleridnum", ""),
                    ("linkedid", "1.0"),
                    ("channelstatedesc", "Down"),
                ],
            )],
        ),
        row(
            "Newchannel: (null) and <none> are no number either",
            vec![vec![
                ("Event", "Newchannel"),
                ("Channel", "PJSIP/100-1"),
                ("CallerIDNum", "(null)"),
                ("ChannelState", "0"),
                unique,
            ]],
            vec![("newchannel", vec![("calleridnum", "")])],
        ),
        row(
            "NewCallerid to <none>",
            vec![vec![
                ("Event", "NewCallerid"),
                ("Channel", "PJSIP/100-1"),
                ("CallerIDNum", "<none>"),
                unique,
            ]],
            vec![("newcallerid", vec![("calleridnum", "")])],
        ),
        row(
            "Newstate (both)",
            vec![vec![
                ("Event", "Newstate"),
                ("Channel", "SIP/100-1"),
                ("ChannelState", "6"),
                ("ChannelStateDesc", "Up"),
                unique,
            ]],
            vec![(
                "newstate",
                vec![("channelstate", "6"), ("channelstatedesc", "Up")],
            )],
        ),
    ];
    for r in &rows {
        run(r);
    }
}

#[test]
fn dial() {
    let rows = vec![
        row(
            "1.x Dial SubEvent Begin (UniqueID spelled so)",
            vec![vec![
                ("Event", "Dial"),
                ("SubEvent", "Begin"),
                ("Channel", "SIP/100-1"),
                ("UniqueID", "1.1"),
                ("Destination", "SIP/200-2"),
                ("DestUniqueID", "1.2"),
            ]],
            vec![(
                "dial",
                vec![
                    ("uniqueid", "1.1"),
                    ("destuniqueid", "1.2"),
                    ("destination", "SIP/200-2"),
                ],
            )],
        ),
        row(
            "1.4 Dial without SubEvent is a begin",
            vec![vec![
                ("Event", "Dial"),
                ("Channel", "SIP/100-1"),
                ("UniqueID", "1.1"),
                ("Destination", "SIP/200-2"),
                ("DestUniqueID", "1.2"),
            ]],
            vec![("dial", vec![("destuniqueid", "1.2")])],
        ),
        row(
            "1.x Dial SubEvent End",
            vec![vec![
                ("Event", "Dial"),
                ("SubEvent", "End"),
                ("Channel", "SIP/100-1"),
                unique,
                ("DialStatus", "BUSY"),
            ]],
            vec![("dialend", vec![("uniqueid", "1.1"), ("dialstatus", "BUSY")])],
        ),
        row(
            "2.x DialBegin: callee fields prefixed Dest",
            vec![vec![
                ("Event", "DialBegin"),
                ("Channel", "PJSIP/100-1"),
                unique,
                ("DestChannel", "PJSIP/200-2"),
                ("DestUniqueid", "1.2"),
            ]],
            vec![(
                "dial",
                vec![
                    ("uniqueid", "1.1"),
                    ("destuniqueid", "1.2"),
                    ("destination", "PJSIP/200-2"),
                ],
            )],
        ),
        row(
            "2.x DialEnd",
            vec![vec![
                ("Event", "DialEnd"),
                ("Channel", "PJSIP/100-1"),
                unique,
                ("DialStatus", "ANSWER"),
            ]],
            vec![("dialend", vec![("dialstatus", "ANSWER")])],
        ),
    ];
    for r in &rows {
        run(r);
    }
}

#[test]
fn hold() {
    let rows = vec![
        row(
            "1.x MusicOnHold Start",
            vec![vec![
                ("Event", "MusicOnHold"),
                ("State", "Start"),
                ("Channel", "SIP/100-1"),
                ("UniqueID", "1.1"),
            ]],
            vec![("musiconhold", vec![("uniqueid", "1.1")])],
        ),
        row(
            "1.x MusicOnHold Stop",
            vec![vec![
                ("Event", "MusicOnHold"),
                ("State", "Stop"),
                ("Channel", "SIP/100-1"),
                ("UniqueID", "1.1"),
            ]],
            vec![("musicoffhold", vec![("uniqueid", "1.1")])],
        ),
        row(
            "1.8 SIP Hold Status On",
            vec![vec![
                ("Event", "Hold"),
                ("Status", "On"),
                ("Channel", "SIP/100-1"),
                unique,
            ]],
            vec![("musiconhold", vec![])],
        ),
        row(
            "1.8 SIP Hold Status Off",
            vec![vec![
                ("Event", "Hold"),
                ("Status", "Off"),
                ("Channel", "SIP/100-1"),
                unique,
            ]],
            vec![("musicoffhold", vec![])],
        ),
        row(
            "2.x MusicOnHoldStart",
            vec![vec![
                ("Event", "MusicOnHoldStart"),
                ("Channel", "PJSIP/100-1"),
                unique,
            ]],
            vec![("musiconhold", vec![])],
        ),
        row(
            "2.x MusicOnHoldStop",
            vec![vec![
                ("Event", "MusicOnHoldStop"),
                ("Channel", "PJSIP/100-1"),
                unique,
            ]],
            vec![("musicoffhold", vec![])],
        ),
        row(
            "12+ Hold",
            vec![vec![("Event", "Hold"), ("Channel", "PJSIP/100-1"), unique]],
            vec![("musiconhold", vec![])],
        ),
        row(
            "12+ Unhold",
            vec![vec![
                ("Event", "Unhold"),
                ("Channel", "PJSIP/100-1"),
                unique,
            ]],
            vec![("musicoffhold", vec![])],
        ),
    ];
    for r in &rows {
        run(r);
    }
}

#[test]
fn rename() {
    let rows = vec![row(
        "Rename (both)",
        vec![vec![
            ("Event", "Rename"),
            ("Channel", "SIP/100-1"),
            ("Newname", "SIP/100-1<MASQ>"),
            unique,
        ]],
        vec![(
            "rename",
            vec![("channel", "SIP/100-1"), ("newname", "SIP/100-1<MASQ>")],
        )],
    )];
    for r in &rows {
        run(r);
    }
}

#[test]
fn hang_up() {
    let rows = vec![
        row(
            "HangupRequest",
            vec![vec![
                ("Event", "HangupRequest"),
                ("Channel", "SIP/100-1"),
                unique,
            ]],
            vec![("hanguprequest", vec![("uniqueid", "1.1")])],
        ),
        row(
            "SoftHangupRequest with its Cause",
            vec![vec![
                ("Event", "SoftHangupRequest"),
                ("Channel", "SIP/100-1"),
                ("Cause", "16"),
                unique,
            ]],
            vec![("softhanguprequest", vec![("cause", "16")])],
        ),
        row(
            "Hangup",
            vec![vec![
                ("Event", "Hangup"),
                ("Channel", "SIP/100-1"),
                unique,
                ("Cause", "16"),
                ("Cause-txt", "Normal Clearing"),
            ]],
            vec![(
                "hangup",
                vec![("uniqueid", "1.1"), ("channel", "SIP/100-1")],
            )],
        ),
    ];
    for r in &rows {
        run(r);
    }
}

#[test]
fn caller_id() {
    let rows = vec![
        row(
            "NewCallerid",
            vec![vec![
                ("Event", "NewCallerid"),
                ("Channel", "SIP/100-1"),
                ("CallerIDNum", "555"),
                unique,
            ]],
            vec![("newcallerid", vec![("calleridnum", "555")])],
        ),
        row(
            "2.x NewConnectedLine: the channel's own CallerIDNum",
            vec![vec![
                ("Event", "NewConnectedLine"),
                ("Channel", "PJSIP/100-1"),
                ("CallerIDNum", "100"),
                ("ConnectedLineNum", "200"),
                unique,
            ]],
            vec![("newcallerid", vec![("calleridnum", "100")])],
        ),
    ];
    for r in &rows {
        run(r);
    }
}
