//! Rules across areas: what a hangup takes with it, what a shared channel keeps.

use super::Model;
use crate::model::Channel;

#[test]
fn a_hangup_takes_a_channel_out_of_its_bridge_lot_and_queue() {
    let mut m = Model::new();
    for (uid, name) in [("1", "SIP/a"), ("2", "SIP/b"), ("3", "SIP/c")] {
        m.newchannel("p", uid, name, "", "6", "Up", uid);
    }
    m.bridgeenter("p", "b1", "1", "basic", "simple_bridge", "");
    m.bridgeenter("p", "b1", "2", "basic", "simple_bridge", "");
    // A channel is in one bridge at a time.
    m.bridgeenter("p", "lot", "2", "parking", "holding_bridge", "");
    m.parkedcall("p", "2", "SIP/b", "default", "701", "SIP/a", "45", "1");
    let agent = "Local/agent1@test";
    m.queuemember("p", "support", agent, "", "", "", "1", "0", "0", "0");
    m.queuecallerjoin("p", "support", "3", "SIP/c", "1", "2");
    m.agentcalled("p", "support", "Local/agent1@test", "3");
    let bridges = |m: &Model| -> Vec<(String, Vec<String>)> {
        m.bridges_of("p")
            .iter()
            .map(|b| {
                let members = b.members.iter().map(|u| u.to_string()).collect();
                (b.id.to_string(), members)
            })
            .collect()
    };
    assert_eq!(
        bridges(&m),
        [
            ("b1".to_string(), vec!["1".to_string()]),
            ("lot".to_string(), vec!["2".to_string()])
        ]
    );
    assert_eq!(m.channel("p", "2").unwrap().bridge.as_deref(), Some("lot"));
    let q = &m.queues_of("p")[0];
    assert_eq!(q.callers[0].ringing, ["Local/agent1@test"]);
    assert_eq!(q.members[0].ringing.as_deref(), Some("3"));
    for uid in ["2", "3"] {
        m.hangup("p", uid);
    }
    // Rules called directly, not through `apply`: the running totals are not kept.
    let s = m.sizes_by_walking();
    assert_eq!((s.parked, s.queue_callers, s.queue_members), (0, 0, 1));
    assert_eq!(bridges(&m)[1].1, Vec::<String>::new());
    assert_eq!(m.queues_of("p")[0].members[0].ringing, None);
    // The bridge goes: its members are in none.
    m.bridgedestroy("p", "b1");
    assert_eq!(m.channel("p", "1").unwrap().bridge, None);
    m.end("p");
    assert!(m.sizes_by_walking().is_empty());
}

#[test]
fn a_shared_channel_keeps_its_state_while_the_model_moves_on() {
    let mut m = Model::new();
    m.newchannel("p", "1", "SIP/1", "100", "4", "Ring", "L1");
    let before = m.channel_shared("p", "1").expect("created");
    m.newstate("p", "1", "6", "Up");
    m.rename("p", "1", "SIP/one");
    assert_eq!(
        (before.channel.as_str(), before.channelstatedesc.as_str()),
        ("SIP/1", "Ring")
    );
    let now = m.channel("p", "1").expect("still there");
    assert_eq!(
        (now.channel.as_str(), now.channelstatedesc.as_str()),
        ("SIP/one", "Up")
    );
    // With no snapshot held, a change is made in place: no copy.
    drop(before);
    let at = m.channel("p", "1").map(|c| c as *const Channel);
    m.newstate("p", "1", "5", "Ringing");
    assert_eq!(m.channel("p", "1").map(|c| c as *const Channel), at);
}
