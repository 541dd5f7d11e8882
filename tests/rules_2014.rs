//! `Rules::Framework2014`: the 2014 framework's dispatch of events and the places where its
//! ModelStandard differs from the standard model, each next to what the standard rules do.

use hackamore::ami::Message;
use hackamore::model::{Change, Model, Normalizer, Rules};

fn message(fields: &[(&str, &str)]) -> Message {
    let mut m = Message::new();
    for (k, v) in fields {
        m.push(k, v);
    }
    m
}

fn changes(rules: Rules, fields: &[(&str, &str)]) -> Vec<Change> {
    let mut out = Vec::new();
    Normalizer::with_rules("SIPCALLID", rules).normalize("p", &message(fields), &mut out);
    out
}

/// Apply on PBX `pbx` the change `"name field=value ..."` (fields not given are empty).
fn apply(m: &mut Model, pbx: &str, change: &str) {
    let mut words = change.split(' ');
    let name = words.next().expect("a change name");
    let fields: Vec<(&str, &str)> = words.filter_map(|w| w.split_once('=')).collect();
    let change = Change::from_fields(name, pbx.into(), |f| {
        let (_, v) = fields.iter().find(|(k, _)| *k == f)?;
        Some((*v).into())
    });
    m.apply(&change.expect("a kind"));
}

fn names(rules: Rules, fields: &[(&str, &str)]) -> Vec<&'static str> {
    changes(rules, fields).iter().map(Change::name).collect()
}

const BRIDGE: &[(&str, &str)] = &[
    ("Event", "Bridge"),
    ("Bridgestate", "Unlink"),
    ("Channel1", "SIP/1"),
    ("Channel2", "SIP/2"),
    ("Uniqueid1", "1"),
    ("Uniqueid2", "2"),
    ("CallerID1", "<unknown>"),
    ("CallerID2", "200"),
];

#[test]
fn an_unlink_bridges_as_a_link_did_and_values_stay_as_sent() {
    assert!(changes(Rules::Standard, BRIDGE).is_empty());
    let got = changes(Rules::Framework2014, BRIDGE);
    assert!(
        matches!(&got[..], [Change::Bridge { callerid1, .. }] if callerid1 == "<unknown>"),
        "{got:?}"
    );
}

#[test]
fn fields_are_read_by_their_exact_names_and_a_repeated_one_by_its_last_line() {
    let lower = [("Event", "Hangup"), ("Channel", "SIP/1"), ("uniqueid", "1")];
    assert_eq!(names(Rules::Standard, &lower), ["hangup"]);
    assert!(names(Rules::Framework2014, &lower).is_empty());
    assert!(names(
        Rules::Framework2014,
        &[("Event", "hangup"), ("Channel", "c"), ("Uniqueid", "1")]
    )
    .is_empty());
    let twice = [
        ("Event", "Hangup"),
        ("Channel", "SIP/1"),
        ("Uniqueid", "1"),
        ("Uniqueid", "2"),
    ];
    let got = changes(Rules::Framework2014, &twice);
    assert!(matches!(&got[..], [Change::Hangup { uniqueid, .. }] if uniqueid == "2"));
    let got = changes(Rules::Standard, &twice);
    assert!(matches!(&got[..], [Change::Hangup { uniqueid, .. }] if uniqueid == "1"));
}

#[test]
fn every_field_it_read_must_be_there_and_may_be_empty() {
    // The 2014 Manifold read Channel of a Hangup: without it, nothing.
    let no_channel = [("Event", "Hangup"), ("Uniqueid", "1")];
    assert_eq!(names(Rules::Standard, &no_channel), ["hangup"]);
    assert!(names(Rules::Framework2014, &no_channel).is_empty());
    let empty = [("Event", "Hangup"), ("Channel", ""), ("Uniqueid", "")];
    assert_eq!(names(Rules::Framework2014, &empty), ["hangup"]);
    assert!(names(Rules::Standard, &empty).is_empty());
}

#[test]
fn dial_begins_only_hold_by_state_and_the_trunk_variable_exactly() {
    let dial = |sub: &'static str| {
        vec![
            ("Event", "Dial"),
            ("SubEvent", sub),
            ("Channel", "SIP/1"),
            ("Destination", "SIP/2"),
            ("UniqueID", "1"),
            ("DestUniqueID", "2"),
            ("Uniqueid", "1"),
            ("DialStatus", "BUSY"),
        ]
    };
    assert_eq!(names(Rules::Framework2014, &dial("Begin")), ["dial"]);
    assert!(names(Rules::Framework2014, &dial("End")).is_empty());
    assert_eq!(names(Rules::Standard, &dial("End")), ["dialend"]);
    let hold = |state| {
        vec![
            ("Event", "MusicOnHold"),
            ("State", state),
            ("Channel", "SIP/1"),
            ("UniqueID", "1"),
        ]
    };
    assert_eq!(names(Rules::Framework2014, &hold("Start")), ["musiconhold"]);
    assert_eq!(names(Rules::Framework2014, &hold("Stop")), ["musicoffhold"]);
    assert!(names(Rules::Framework2014, &hold("Paused")).is_empty());
    let varset = |variable| {
        vec![
            ("Event", "VarSet"),
            ("Variable", variable),
            ("Channel", "SIP/1"),
            ("Uniqueid", "1"),
            ("Value", "x@y"),
        ]
    };
    assert_eq!(
        names(Rules::Framework2014, &varset("SIPCALLID")),
        ["sipcallid"]
    );
    assert!(names(Rules::Framework2014, &varset("__SIPCALLID")).is_empty());
    assert_eq!(
        names(Rules::Standard, &varset("__SIPCALLID")),
        ["sipcallid"]
    );
}

#[test]
fn ami_1x_events_it_ignored_stay_ignored_and_ami_2x_ones_are_read() {
    let link = [
        ("Event", "Link"),
        ("Channel1", "SIP/1"),
        ("Channel2", "SIP/2"),
        ("Uniqueid1", "1"),
        ("Uniqueid2", "2"),
    ];
    let sip_hold = [
        ("Event", "Hold"),
        ("Status", "On"),
        ("Channel", "SIP/1"),
        ("Uniqueid", "1"),
    ];
    for ignored in [&link[..], &sip_hold[..]] {
        assert!(!names(Rules::Standard, ignored).is_empty());
        assert!(names(Rules::Framework2014, ignored).is_empty());
    }
    let dial_begin = [
        ("Event", "DialBegin"),
        ("Channel", "SIP/1"),
        ("Uniqueid", "1"),
        ("DestChannel", "SIP/2"),
        ("DestUniqueid", "2"),
    ];
    let local = [
        ("Event", "LocalBridge"),
        ("LocalOneChannel", "Local/a;1"),
        ("LocalOneUniqueid", "1"),
        ("LocalTwoChannel", "Local/a;2"),
        ("LocalTwoUniqueid", "2"),
    ];
    let unhold = [("Event", "Unhold"), ("Channel", "SIP/1"), ("Uniqueid", "1")];
    assert_eq!(names(Rules::Framework2014, &dial_begin), ["dial"]);
    assert_eq!(names(Rules::Framework2014, &local), ["localbridge"]);
    assert_eq!(names(Rules::Framework2014, &unhold), ["musicoffhold"]);
}

fn two_channels(rules: Rules) -> Model {
    let mut m = Model::with_rules(rules);
    apply(
        &mut m,
        "p",
        "newchannel uniqueid=1 channel=SIP/1 calleridnum=100",
    );
    apply(&mut m, "p", "newchannel uniqueid=2 channel=SIP/2");
    m
}

#[test]
fn a_bridge_to_an_unknown_channel_still_idles_the_first() {
    for (rules, idle) in [(Rules::Standard, false), (Rules::Framework2014, true)] {
        let mut m = two_channels(rules);
        apply(&mut m, "p", "musiconhold uniqueid=1");
        apply(&mut m, "p", "bridge uniqueid1=1 uniqueid2=gone");
        assert_eq!(m.channel("p", "1").unwrap().activity.name() == "IDLE", idle);
        assert_eq!(m.calls().count(), 0);
    }
}

#[test]
fn a_repeated_conference_start_empties_the_room_under_the_2014_rules() {
    for (rules, members) in [(Rules::Standard, 1), (Rules::Framework2014, 0)] {
        let mut m = two_channels(rules);
        apply(&mut m, "p", "confbridgestart conference=100");
        apply(&mut m, "p", "confbridgejoin uniqueid=1 conference=100");
        apply(&mut m, "p", "confbridgestart conference=100");
        assert_eq!(m.rooms_of("p")[0].1.len(), members);
        // The member still names the room; its hangup leaves the (empty) room alone.
        assert_eq!(
            m.channel("p", "1").unwrap().conference.as_deref(),
            Some("100")
        );
        apply(&mut m, "p", "hangup uniqueid=1");
        assert_eq!(m.rooms_of("p").len(), 1 - members);
    }
}

#[test]
fn a_caller_id_is_recorded_under_the_events_channel_name_even_when_empty() {
    let mut m = two_channels(Rules::Standard);
    apply(&mut m, "p", "newcallerid uniqueid=2 channel=SIP/two");
    assert_eq!(m.numbers_of("p"), [("SIP/1", "100")]);
    let mut m = two_channels(Rules::Framework2014);
    apply(&mut m, "p", "newcallerid uniqueid=2 channel=SIP/two");
    assert_eq!(m.numbers_of("p"), [("SIP/1", "100"), ("SIP/two", "")]);
}

#[test]
fn a_hangup_drops_the_trunk_wait_under_its_value_whoever_waits() {
    for (rules, waiting) in [(Rules::Standard, 1), (Rules::Framework2014, 0)] {
        let mut m = two_channels(rules);
        apply(&mut m, "q", "newchannel uniqueid=1 channel=IAX2/1");
        apply(&mut m, "q", "newchannel uniqueid=2 channel=IAX2/2");
        apply(&mut m, "p", "sipcallid uniqueid=1 value=v");
        apply(&mut m, "q", "sipcallid uniqueid=1 value=v"); // twins: both trunks, one call, nobody waits
        apply(&mut m, "q", "hangup uniqueid=1");
        // Waits (under the standard rules, only once q's leg of the dialog is gone: a
        // channel of the PBX holding that leg would have inherited the value).
        apply(&mut m, "q", "sipcallid uniqueid=2 value=v");
        apply(&mut m, "p", "hangup uniqueid=1");
        assert_eq!(m.trunks().len(), waiting);
    }
}

#[test]
fn the_end_of_a_pbx_leaves_its_empty_rooms_under_the_2014_rules() {
    for (rules, rooms) in [(Rules::Standard, 0), (Rules::Framework2014, 1)] {
        let mut m = two_channels(rules);
        apply(&mut m, "p", "confbridgestart conference=100");
        apply(&mut m, "p", "confbridgestart conference=200");
        apply(&mut m, "p", "confbridgejoin uniqueid=1 conference=200");
        apply(&mut m, "p", "end");
        assert_eq!(m.channels_of("p").len(), 0);
        // Room 200 went with its last member; room 100 never had one.
        assert_eq!(m.rooms_of("p").len(), rooms);
    }
}

#[test]
fn setting_the_trunk_variable_again_ends_the_wait_and_makes_a_trunk() {
    for (rules, role, waiting) in [
        (Rules::Standard, "IDLE", 1),
        (Rules::Framework2014, "TRUNK", 0),
    ] {
        let mut m = two_channels(rules);
        apply(&mut m, "p", "sipcallid uniqueid=1 value=v");
        apply(&mut m, "p", "sipcallid uniqueid=1 value=v");
        assert_eq!(m.channel("p", "1").unwrap().role.name(), role);
        assert_eq!(m.trunks().len(), waiting);
    }
}

#[test]
fn a_trace_end_written_by_the_2014_tracer_is_an_end_marker() {
    let theirs = message(&[("SOURCE", "pbx"), ("END", "5"), ("TIME", "1.0")]);
    let ours = message(&[("END", "5"), ("SOURCE", "pbx")]);
    let user_event = message(&[("Event", "UserEvent"), ("END", "1"), ("SOURCE", "pbx")]);
    assert!(theirs.marked_end_if_trace_end().is_end());
    assert!(ours.marked_end_if_trace_end().is_end());
    assert!(!user_event.marked_end_if_trace_end().is_end());
}

/// The 2014 framework never saw bridges as objects, parking lots or queues: under its
/// rules those events mean only what its own hooks can say, and a parking lot (which it
/// never saw either) joins nobody, as in the standard rules.
#[test]
fn kinds_beyond_the_2014_framework_stay_out_of_its_rules() {
    let feed = |rules: Rules, ms: &[&[(&str, &str)]]| -> Vec<&'static str> {
        let mut n = Normalizer::with_rules("SIPCALLID", rules);
        let mut out = Vec::new();
        for m in ms {
            n.normalize("p", &message(m), &mut out);
        }
        out.iter().map(Change::name).collect()
    };
    let enter = |bridge: &'static str, kind: &'static str, uid: &'static str| {
        [
            ("Event", "BridgeEnter"),
            ("BridgeUniqueid", bridge),
            ("BridgeType", kind),
            ("Channel", "PJSIP/x"),
            ("Uniqueid", uid),
        ]
    };
    let (a, b) = (enter("b1", "basic", "1"), enter("b1", "basic", "2"));
    assert_eq!(
        feed(Rules::Standard, &[&a, &b]),
        ["bridgeenter", "bridgeenter", "bridge"]
    );
    assert_eq!(feed(Rules::Framework2014, &[&a, &b]), ["bridge"]);
    let (p, q) = (enter("lot", "parking", "1"), enter("lot", "parking", "2"));
    assert!(feed(Rules::Framework2014, &[&p, &q]).is_empty());
    let parked: &[(&str, &str)] = &[
        ("Event", "ParkedCall"),
        ("ParkeeUniqueid", "1"),
        ("ParkingSpace", "701"),
    ];
    let joined: &[(&str, &str)] = &[
        ("Event", "QueueCallerJoin"),
        ("Uniqueid", "1"),
        ("Queue", "support"),
    ];
    assert_eq!(
        feed(Rules::Standard, &[parked, joined]),
        ["parkedcall", "queuecallerjoin"]
    );
    assert!(feed(Rules::Framework2014, &[parked, joined]).is_empty());
}
