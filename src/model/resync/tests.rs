//! Answers and live events interleaved: what the resync makes of them.

use crate::ami::Message;
use crate::model::Tracker;

fn msg(fields: &[(&str, &str)]) -> Message {
    fields.iter().copied().collect()
}

fn listed(uid: &str, name: &str, bridge: &str) -> Message {
    listed_for("hackamore-sync-7-channels", uid, name, bridge)
}

fn listed_for(action_id: &str, uid: &str, name: &str, bridge: &str) -> Message {
    msg(&[
        ("Event", "CoreShowChannel"),
        ("ActionID", action_id),
        ("Channel", name),
        ("ChannelState", "6"),
        ("Uniqueid", uid),
        ("Linkedid", uid),
        ("BridgeId", bridge),
    ])
}

fn newchannel(uid: &str, name: &str) -> Message {
    msg(&[
        ("Event", "Newchannel"),
        ("Channel", name),
        ("Uniqueid", uid),
        ("ChannelState", "0"),
    ])
}

#[test]
fn events_during_the_listing_win_over_the_list() {
    let mut t = Tracker::default();
    let mut names = Vec::new();
    let mut feed = |t: &mut Tracker, m: Message| t.process("p", &m, |_, c| names.push(c.name()));
    feed(&mut t, newchannel("stale", "SIP/stale"));
    feed(
        &mut t,
        msg(&[
            ("Response", "Success"),
            ("ActionID", "hackamore-sync-7-channels"),
            ("EventList", "start"),
        ]),
    );
    feed(&mut t, listed("a", "SIP/a", "b1"));
    // b hangs up while the list is being sent, but is listed after its hangup...
    feed(
        &mut t,
        msg(&[("Event", "Hangup"), ("Channel", "SIP/b"), ("Uniqueid", "b")]),
    );
    feed(&mut t, listed("b", "SIP/b", "b1"));
    // ...and c is created after the list was taken, so it is not listed.
    feed(&mut t, newchannel("c", "SIP/c"));
    feed(&mut t, listed("d", "SIP/d", "b1"));
    feed(
        &mut t,
        msg(&[
            ("Event", "CoreShowChannelsComplete"),
            ("ActionID", "hackamore-sync-7-channels"),
        ]),
    );
    let uids: Vec<_> = t
        .model()
        .channels_of("p")
        .iter()
        .map(|c| c.uniqueid.clone())
        .collect();
    assert_eq!(uids, ["c", "a", "d"]); // stale gone, b not resurrected, c kept
    let call = |t: &Tracker, u| t.model().channel("p", u).and_then(|c| c.call);
    assert!(call(&t, "a").is_some() && call(&t, "a") == call(&t, "d"));
    // A later BridgeEnter into the same bridge joins the resynced members' call.
    feed(&mut t, newchannel("e", "SIP/e"));
    feed(
        &mut t,
        msg(&[
            ("Event", "BridgeEnter"),
            ("BridgeUniqueid", "b1"),
            ("Uniqueid", "e"),
            ("Channel", "SIP/e"),
        ]),
    );
    assert_eq!(call(&t, "e"), call(&t, "a"));
    // END clears everything, resync state included.
    feed(&mut t, Message::end(9));
    assert!(t.model().sizes().is_empty() && !t.resync().active("p"));
    assert_eq!(t.normalizer().tracked_bridges(), 0);
    assert_eq!(names.iter().filter(|n| **n == "newchannel").count(), 3 + 2);
    // live + resynced a, d
}

#[test]
fn ami_1x_answers_pair_bridged_channels() {
    // AMI 1.1 (Asterisk 1.8-11): `UniqueID`, and `BridgedUniqueID` instead of BridgeId.
    let mut t = Tracker::default();
    let id = ("ActionID", "hackamore-sync-3-channels");
    t.process("p", &msg(&[("Response", "Success"), id]), |_, _| {});
    for (uid, name, peer) in [
        ("1.1", "SIP/a-1", "1.2"),
        ("1.2", "SIP/b-2", "1.1"),
        ("1.3", "SIP/c-3", ""),
    ] {
        let m = msg(&[
            ("Event", "CoreShowChannel"),
            id,
            ("Channel", name),
            ("UniqueID", uid),
            ("ChannelState", "6"),
            ("BridgedUniqueID", peer),
        ]);
        t.process("p", &m, |_, _| {});
    }
    t.process(
        "p",
        &msg(&[("Event", "CoreShowChannelsComplete"), id]),
        |_, _| {},
    );
    let call = |u| t.model().channel("p", u).and_then(|c| c.call);
    assert_eq!(t.model().sizes().channels, 3);
    assert!(call("1.1").is_some() && call("1.1") == call("1.2"));
    assert_eq!(call("1.3"), None);
}

#[test]
fn members_of_a_holding_bridge_are_not_put_in_one_call() {
    // Two parked channels share a holding bridge; two others a basic one.
    let mut t = Tracker::default();
    let bridges = ("ActionID", "hackamore-sync-5-bridges");
    let channels = ("ActionID", "hackamore-sync-5-channels");
    t.process(
        "p",
        &msg(&[("Response", "Success"), bridges, ("EventList", "start")]),
        |_, _| {},
    );
    for (id, kind) in [("park", "holding"), ("talk", "basic")] {
        let item = msg(&[
            ("Event", "BridgeListItem"),
            bridges,
            ("BridgeUniqueid", id),
            ("BridgeType", kind),
        ]);
        t.process("p", &item, |_, _| {});
    }
    t.process(
        "p",
        &msg(&[("Event", "BridgeListComplete"), bridges]),
        |_, _| {},
    );
    t.process("p", &msg(&[("Response", "Success"), channels]), |_, _| {});
    for (uid, bridge) in [("1", "park"), ("2", "park"), ("3", "talk"), ("4", "talk")] {
        let m = listed_for(
            "hackamore-sync-5-channels",
            uid,
            &format!("SIP/{uid}"),
            bridge,
        );
        t.process("p", &m, |_, _| {});
    }
    t.process(
        "p",
        &msg(&[("Event", "CoreShowChannelsComplete"), channels]),
        |_, _| {},
    );
    let call = |t: &Tracker, u| t.model().channel("p", u).and_then(|c| c.call);
    assert_eq!(t.model().sizes().channels, 4);
    assert_eq!((call(&t, "1"), call(&t, "2")), (None, None));
    assert!(call(&t, "3").is_some() && call(&t, "3") == call(&t, "4"));
    // A channel parked later joins nobody either, as for live events.
    t.process("p", &newchannel("5", "SIP/5"), |_, _| {});
    let enter = msg(&[
        ("Event", "BridgeEnter"),
        ("BridgeUniqueid", "park"),
        ("Uniqueid", "5"),
        ("Channel", "SIP/5"),
    ]);
    t.process("p", &enter, |_, _| {});
    assert_eq!(call(&t, "5"), None);
}

#[test]
fn a_refused_coreshowchannels_leaves_event_only_tracking() {
    let mut t = Tracker::default();
    t.process(
        "p",
        &msg(&[
            ("Response", "Error"),
            ("ActionID", "hackamore-sync-1-channels"),
            ("Message", "Permission denied"),
        ]),
        |_, _| {},
    );
    assert!(!t.resync().active("p"));
    t.process("p", &newchannel("x", "SIP/x"), |_, _| {});
    assert_eq!(t.model().sizes().channels, 1);
}
