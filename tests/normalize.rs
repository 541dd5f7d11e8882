//! The normaliser, one row per AMI generation and event (the table of DESIGN.md section 3
//! and the rules of section 4): what each message means for the model, under the
//! standard rules.

use hackamore::ami::Message;
use hackamore::model::{Change, Normalizer};

/// A row: messages of one PBX (all but the last set the scene), and the changes the last
/// one must mean, each as its name and the fields it must carry.
struct Row {
    what: &'static str,
    messages: Vec<Vec<(&'static str, &'static str)>>,
    want: Vec<(&'static str, Vec<(&'static str, &'static str)>)>,
}

fn row(
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

fn run(r: &Row) {
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

#[test]
fn each_generation_and_event_means_its_change() {
    let unique = ("Uniqueid", "1.1");
    let rows = vec![
        // ----- new channel -----
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
        // ----- dial -----
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
        // ----- two channels joined -----
        row(
            "1.x Bridge Link",
            vec![vec![
                ("Event", "Bridge"),
                ("Bridgestate", "Link"),
                ("Channel1", "SIP/100-1"),
                ("Channel2", "SIP/200-2"),
                ("Uniqueid1", "1.1"),
                ("Uniqueid2", "1.2"),
                ("CallerID1", "100"),
                ("CallerID2", "200"),
            ]],
            vec![("bridge", vec![("uniqueid1", "1.1"), ("uniqueid2", "1.2")])],
        ),
        row(
            "1.x Bridge Unlink is not a bridge",
            vec![vec![
                ("Event", "Bridge"),
                ("Bridgestate", "Unlink"),
                ("Channel1", "SIP/100-1"),
                ("Channel2", "SIP/200-2"),
                ("Uniqueid1", "1.1"),
                ("Uniqueid2", "1.2"),
            ]],
            vec![],
        ),
        row(
            "1.4 Link",
            vec![vec![
                ("Event", "Link"),
                ("Channel1", "SIP/100-1"),
                ("Channel2", "SIP/200-2"),
                ("Uniqueid1", "1.1"),
                ("Uniqueid2", "1.2"),
            ]],
            vec![("bridge", vec![("uniqueid1", "1.1"), ("uniqueid2", "1.2")])],
        ),
        row(
            "2.x BridgeEnter of a second member bridges it with the first",
            vec![
                vec![
                    ("Event", "BridgeCreate"),
                    ("BridgeUniqueid", "b1"),
                    ("BridgeType", "basic"),
                ],
                vec![
                    ("Event", "BridgeEnter"),
                    ("BridgeUniqueid", "b1"),
                    ("Channel", "PJSIP/100-1"),
                    unique,
                ],
                vec![
                    ("Event", "BridgeEnter"),
                    ("BridgeUniqueid", "b1"),
                    ("BridgeType", "basic"),
                    ("BridgeNumChannels", "2"),
                    ("Channel", "PJSIP/200-2"),
                    ("Uniqueid", "1.2"),
                ],
            ],
            vec![
                (
                    "bridgeenter",
                    vec![
                        ("bridge", "b1"),
                        ("uniqueid", "1.2"),
                        ("bridgetype", "basic"),
                        ("numchannels", "2"),
                    ],
                ),
                ("bridge", vec![("uniqueid1", "1.1"), ("uniqueid2", "1.2")]),
            ],
        ),
        row(
            "2.x BridgeCreate",
            vec![vec![
                ("Event", "BridgeCreate"),
                ("BridgeUniqueid", "b1"),
                ("BridgeType", "basic"),
                ("BridgeTechnology", "simple_bridge"),
            ]],
            vec![(
                "bridgecreate",
                vec![
                    ("bridge", "b1"),
                    ("bridgetype", "basic"),
                    ("technology", "simple_bridge"),
                ],
            )],
        ),
        row(
            "2.x BridgeEnter of the first member joins nobody",
            vec![vec![
                ("Event", "BridgeEnter"),
                ("BridgeUniqueid", "b1"),
                ("Channel", "PJSIP/100-1"),
                unique,
            ]],
            vec![("bridgeenter", vec![("bridge", "b1"), ("uniqueid", "1.1")])],
        ),
        row(
            "2.x a parking lot (BridgeType parking, technology holding_bridge) joins nobody",
            vec![
                vec![
                    ("Event", "BridgeEnter"),
                    ("BridgeUniqueid", "lot"),
                    ("BridgeType", "parking"),
                    ("BridgeTechnology", "holding_bridge"),
                    ("Channel", "PJSIP/100-1"),
                    unique,
                ],
                vec![
                    ("Event", "BridgeEnter"),
                    ("BridgeUniqueid", "lot"),
                    ("BridgeType", "parking"),
                    ("BridgeTechnology", "holding_bridge"),
                    ("Channel", "PJSIP/200-2"),
                    ("Uniqueid", "1.2"),
                ],
            ],
            vec![("bridgeenter", vec![("bridge", "lot"), ("uniqueid", "1.2")])],
        ),
        row(
            "2.x a bridge of the holding_bridge technology joins nobody",
            vec![
                vec![
                    ("Event", "BridgeCreate"),
                    ("BridgeUniqueid", "h2"),
                    ("BridgeTechnology", "holding_bridge"),
                ],
                vec![
                    ("Event", "BridgeEnter"),
                    ("BridgeUniqueid", "h2"),
                    ("Channel", "PJSIP/100-1"),
                    unique,
                ],
                vec![
                    ("Event", "BridgeEnter"),
                    ("BridgeUniqueid", "h2"),
                    ("Channel", "PJSIP/200-2"),
                    ("Uniqueid", "1.2"),
                ],
            ],
            vec![("bridgeenter", vec![("bridge", "h2"), ("uniqueid", "1.2")])],
        ),
        row(
            "2.x a holding bridge joins nobody",
            vec![
                vec![
                    ("Event", "BridgeCreate"),
                    ("BridgeUniqueid", "h1"),
                    ("BridgeType", "holding"),
                ],
                vec![
                    ("Event", "BridgeEnter"),
                    ("BridgeUniqueid", "h1"),
                    ("Channel", "PJSIP/100-1"),
                    unique,
                ],
                vec![
                    ("Event", "BridgeEnter"),
                    ("BridgeUniqueid", "h1"),
                    ("Channel", "PJSIP/200-2"),
                    ("Uniqueid", "1.2"),
                ],
            ],
            vec![("bridgeenter", vec![("bridge", "h1"), ("uniqueid", "1.2")])],
        ),
        row(
            "2.x BridgeLeave only drops membership",
            vec![vec![
                ("Event", "BridgeLeave"),
                ("BridgeUniqueid", "b1"),
                ("BridgeNumChannels", "1"),
                ("Channel", "PJSIP/100-1"),
                unique,
            ]],
            vec![(
                "bridgeleave",
                vec![("bridge", "b1"), ("uniqueid", "1.1"), ("numchannels", "1")],
            )],
        ),
        row(
            "2.x BridgeDestroy",
            vec![vec![("Event", "BridgeDestroy"), ("BridgeUniqueid", "b1")]],
            vec![("bridgedestroy", vec![("bridge", "b1")])],
        ),
        // ----- parking (2.x) -----
        row(
            "ParkedCall",
            vec![vec![
                ("Event", "ParkedCall"),
                ("ParkeeChannel", "PJSIP/100-1"),
                ("ParkeeUniqueid", "1.1"),
                ("ParkerDialString", "PJSIP/200"),
                ("Parkinglot", "default"),
                ("ParkingSpace", "701"),
                ("ParkingTimeout", "45"),
                ("ParkingDuration", "5"),
                ("TIME", "1000"),
            ]],
            vec![(
                "parkedcall",
                vec![
                    ("uniqueid", "1.1"),
                    ("channel", "PJSIP/100-1"),
                    ("lot", "default"),
                    ("space", "701"),
                    ("parker", "PJSIP/200"),
                    ("timeout", "45"),
                    ("since", "995.000"),
                ],
            )],
        ),
        row(
            "a ParkedCall line of a ParkedCalls answer parks nobody",
            vec![vec![
                ("Event", "ParkedCall"),
                ("ActionID", "parked-1"),
                ("ParkeeChannel", "PJSIP/100-1"),
                ("ParkeeUniqueid", "1.1"),
                ("ParkingSpace", "701"),
            ]],
            vec![],
        ),
        row(
            "UnParkedCall",
            vec![vec![
                ("Event", "UnParkedCall"),
                ("ParkeeUniqueid", "1.1"),
                ("Parkinglot", "default"),
                ("ParkingSpace", "701"),
                ("RetrieverUniqueid", "1.3"),
                ("RetrieverChannel", "PJSIP/300-3"),
            ]],
            vec![(
                "unparkedcall",
                vec![
                    ("uniqueid", "1.1"),
                    ("space", "701"),
                    ("retriever", "1.3"),
                    ("retrieverchannel", "PJSIP/300-3"),
                ],
            )],
        ),
        row(
            "ParkedCallTimeOut",
            vec![vec![
                ("Event", "ParkedCallTimeOut"),
                ("ParkeeUniqueid", "1.1"),
                ("ParkingSpace", "701"),
            ]],
            vec![(
                "parkedcalltimeout",
                vec![("uniqueid", "1.1"), ("space", "701")],
            )],
        ),
        row(
            "ParkedCallGiveUp",
            vec![vec![
                ("Event", "ParkedCallGiveUp"),
                ("ParkeeUniqueid", "1.1"),
                ("ParkingSpace", "701"),
            ]],
            vec![(
                "parkedcallgiveup",
                vec![("uniqueid", "1.1"), ("space", "701")],
            )],
        ),
        // ----- queues (2.x) -----
        row(
            "QueueCallerJoin",
            vec![vec![
                ("Event", "QueueCallerJoin"),
                ("Channel", "PJSIP/100-1"),
                unique,
                ("Queue", "support"),
                ("Position", "2"),
                ("TIME", "1000.5"),
            ]],
            vec![(
                "queuecallerjoin",
                vec![
                    ("queue", "support"),
                    ("uniqueid", "1.1"),
                    ("position", "2"),
                    ("since", "1000.500"),
                ],
            )],
        ),
        row(
            "QueueCallerAbandon",
            vec![vec![
                ("Event", "QueueCallerAbandon"),
                unique,
                ("Queue", "support"),
                ("Position", "1"),
                ("HoldTime", "3"),
            ]],
            vec![(
                "queuecallerabandon",
                vec![("queue", "support"), ("uniqueid", "1.1"), ("holdtime", "3")],
            )],
        ),
        row(
            "QueueCallerLeave",
            vec![vec![
                ("Event", "QueueCallerLeave"),
                unique,
                ("Queue", "support"),
            ]],
            vec![(
                "queuecallerleave",
                vec![("queue", "support"), ("uniqueid", "1.1")],
            )],
        ),
        row(
            "AgentCalled: the member's phone rings for the caller",
            vec![vec![
                ("Event", "AgentCalled"),
                unique,
                ("DestUniqueid", "1.5"),
                ("DestChannel", "Local/agent1@test-1;1"),
                ("Queue", "support"),
                ("Interface", "Local/agent1@test"),
                ("MemberName", "Agent One"),
            ]],
            vec![(
                "agentcalled",
                vec![
                    ("queue", "support"),
                    ("interface", "Local/agent1@test"),
                    ("membername", "Agent One"),
                    ("uniqueid", "1.1"),
                    ("destuniqueid", "1.5"),
                ],
            )],
        ),
        row(
            "AgentConnect",
            vec![vec![
                ("Event", "AgentConnect"),
                unique,
                ("DestUniqueid", "1.5"),
                ("Queue", "support"),
                ("Interface", "Local/agent1@test"),
                ("HoldTime", "2"),
            ]],
            vec![(
                "agentconnect",
                vec![("interface", "Local/agent1@test"), ("holdtime", "2")],
            )],
        ),
        row(
            "AgentComplete",
            vec![vec![
                ("Event", "AgentComplete"),
                unique,
                ("Queue", "support"),
                ("Interface", "Local/agent1@test"),
                ("TalkTime", "27"),
                ("Reason", "caller"),
            ]],
            vec![(
                "agentcomplete",
                vec![("talktime", "27"), ("reason", "caller")],
            )],
        ),
        row(
            "AgentRingNoAnswer",
            vec![vec![
                ("Event", "AgentRingNoAnswer"),
                unique,
                ("Queue", "support"),
                ("Interface", "Local/agent1@test"),
            ]],
            vec![(
                "agentringnoanswer",
                vec![("interface", "Local/agent1@test")],
            )],
        ),
        row(
            "QueueMemberAdded",
            vec![vec![
                ("Event", "QueueMemberAdded"),
                ("Queue", "support"),
                ("MemberName", "Agent Two"),
                ("Interface", "Local/agent2@test"),
                ("StateInterface", "Local/agent2@test"),
                ("Membership", "dynamic"),
                ("Status", "1"),
                ("Paused", "0"),
                ("CallsTaken", "0"),
                ("InCall", "0"),
            ]],
            vec![(
                "queuememberadded",
                vec![
                    ("interface", "Local/agent2@test"),
                    ("membername", "Agent Two"),
                    ("membership", "dynamic"),
                    ("status", "1"),
                ],
            )],
        ),
        row(
            "QueueMemberStatus",
            vec![vec![
                ("Event", "QueueMemberStatus"),
                ("Queue", "support"),
                ("Interface", "Local/agent2@test"),
                ("Status", "2"),
                ("CallsTaken", "1"),
            ]],
            vec![(
                "queuememberstatus",
                vec![("status", "2"), ("callstaken", "1")],
            )],
        ),
        row(
            "QueueMemberPaused (Asterisk 12's name) is a pause",
            vec![vec![
                ("Event", "QueueMemberPaused"),
                ("Queue", "support"),
                ("Interface", "Local/agent2@test"),
                ("Paused", "1"),
            ]],
            vec![("queuememberpause", vec![("paused", "1")])],
        ),
        row(
            "QueueMemberRemoved",
            vec![vec![
                ("Event", "QueueMemberRemoved"),
                ("Queue", "support"),
                ("Interface", "Local/agent2@test"),
            ]],
            vec![(
                "queuememberremoved",
                vec![("interface", "Local/agent2@test")],
            )],
        ),
        row(
            "a QueueMember line of a QueueStatus answer is no event",
            vec![vec![
                ("Event", "QueueMember"),
                ("ActionID", "queues-1"),
                ("Queue", "support"),
                ("Location", "Local/agent1@test"),
            ]],
            vec![],
        ),
        // ----- transfers (2.x) -----
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
        // ----- Local channel halves -----
        row(
            "1.x LocalBridge",
            vec![vec![
                ("Event", "LocalBridge"),
                ("Channel1", "Local/a@b-1;1"),
                ("Channel2", "Local/a@b-1;2"),
                ("Uniqueid1", "1.1"),
                ("Uniqueid2", "1.2"),
            ]],
            vec![(
                "localbridge",
                vec![("uniqueid1", "1.1"), ("uniqueid2", "1.2")],
            )],
        ),
        row(
            "2.x LocalBridge (LocalOne/LocalTwo)",
            vec![vec![
                ("Event", "LocalBridge"),
                ("LocalOneChannel", "Local/a@b-1;1"),
                ("LocalOneUniqueid", "1.1"),
                ("LocalTwoChannel", "Local/a@b-1;2"),
                ("LocalTwoUniqueid", "1.2"),
            ]],
            vec![(
                "localbridge",
                vec![("uniqueid1", "1.1"), ("channel2", "Local/a@b-1;2")],
            )],
        ),
        // ----- hold -----
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
        // ----- rename -----
        row(
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
        ),
        // ----- conference -----
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
        // ----- hang up -----
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
        // ----- caller id -----
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
        // ----- variable -----
        row(
            "VarSet of the trunk variable",
            vec![vec![
                ("Event", "VarSet"),
                ("Channel", "IAX2/pbx2-1"),
                ("Variable", "SIPCALLID"),
                ("Value", "1.1@pbx1"),
                unique,
            ]],
            vec![("sipcallid", vec![("value", "1.1@pbx1")])],
        ),
        row(
            "VarSet of the trunk variable inherited (__SIPCALLID)",
            vec![vec![
                ("Event", "VarSet"),
                ("Channel", "IAX2/pbx2-1"),
                ("Variable", "__SIPCALLID"),
                ("Value", "1.1@pbx1"),
                unique,
            ]],
            vec![("sipcallid", vec![("value", "1.1@pbx1")])],
        ),
        row(
            "VarSet of another variable",
            vec![vec![
                ("Event", "VarSet"),
                ("Channel", "SIP/100-1"),
                ("Variable", "DIALSTATUS"),
                ("Value", "ANSWER"),
                unique,
            ]],
            vec![],
        ),
        // ----- what means nothing -----
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
