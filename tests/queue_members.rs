//! A queue member's call, as the model follows it from the member's events.

use hackamore::ami::Message;
use hackamore::model::Tracker;

fn msg(fields: &[(&str, &str)]) -> Message {
    let mut m = Message::new();
    for (k, v) in fields {
        m.push(k, v);
    }
    m
}

fn member_status(event: &str, incall: &str, status: &str) -> Message {
    msg(&[
        ("Event", event),
        ("Queue", "support"),
        ("MemberName", "Agent One"),
        ("Interface", "PJSIP/2001"),
        ("StateInterface", "PJSIP/2001"),
        ("Membership", "static"),
        ("Penalty", "0"),
        ("CallsTaken", "0"),
        ("InCall", incall),
        ("Status", status),
        ("Paused", "0"),
    ])
}

fn agent(event: &str) -> Message {
    msg(&[
        ("Event", event),
        ("Queue", "support"),
        ("Interface", "PJSIP/2001"),
        ("MemberName", "Agent One"),
        ("Channel", "PJSIP/pbx2-00000001"),
        ("Uniqueid", "1.1"),
        ("DestChannel", "PJSIP/2001-00000002"),
        ("DestUniqueid", "1.2"),
        ("HoldTime", "3"),
        ("TalkTime", "9"),
        ("Reason", "caller"),
    ])
}

/// (in a call, the caller it is connected to) of the member, None when it is gone.
fn member(t: &Tracker) -> Option<(bool, Option<String>)> {
    let queues = t.model().queues_of("pbx1");
    let m = queues.first()?.members.first()?;
    Some((m.incall, m.connected.as_ref().map(|c| c.to_string())))
}

fn caller(event: &str) -> Message {
    msg(&[
        ("Event", event),
        ("Channel", "PJSIP/pbx2-00000001"),
        ("Uniqueid", "1.1"),
        ("Linkedid", "1.1"),
        ("ChannelState", "6"),
        ("ChannelStateDesc", "Up"),
        ("Cause", "16"),
    ])
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Then {
    /// The call ends with the member's AgentComplete.
    Completes,
    /// The caller hangs up first: the member is still in the call until its complete.
    CallerHangsUp,
    /// The member leaves the queue before its complete.
    MemberRemoved,
}

/// Seen in a SIP churn: AgentConnect, then QueueMemberStatus with `InCall: 0` while
/// Asterisk's own QueueStatus listed the member `InCall: 1` until the AgentComplete.
#[test]
fn a_member_is_in_its_call_from_agent_connect_to_agent_complete() {
    for then in [Then::Completes, Then::CallerHangsUp, Then::MemberRemoved] {
        let mut t = Tracker::default();
        let mut feed = |m: Message| {
            t.process("pbx1", &m, |_, _| {});
            member(&t)
        };
        let connected = Some((true, Some("1.1".to_string())));
        feed(caller("Newchannel"));
        feed(member_status("QueueMemberAdded", "0", "1"));
        feed(agent("AgentCalled"));
        assert_eq!(feed(agent("AgentConnect")), connected, "{then:?}");
        assert_eq!(
            feed(member_status("QueueMemberStatus", "0", "2")),
            connected,
            "{then:?}: a status saying InCall 0 between the connect and the complete"
        );
        assert_eq!(
            feed(member_status("QueueMemberStatus", "1", "2")),
            connected
        );
        match then {
            Then::Completes => {}
            Then::CallerHangsUp => {
                assert_eq!(feed(caller("Hangup")), Some((true, None)));
                assert_eq!(
                    feed(member_status("QueueMemberStatus", "0", "2")),
                    Some((true, None)),
                    "the caller gone, the member's call lasts until its complete"
                );
            }
            Then::MemberRemoved => {
                assert_eq!(feed(member_status("QueueMemberRemoved", "1", "2")), None);
                assert_eq!(feed(agent("AgentComplete")), None, "no member comes back");
                continue;
            }
        }
        assert_eq!(
            feed(agent("AgentComplete")),
            Some((false, None)),
            "{then:?}"
        );
        // After the complete, the member's statuses say again.
        assert_eq!(
            feed(member_status("QueueMemberStatus", "1", "2")),
            Some((true, None))
        );
        assert_eq!(
            feed(member_status("QueueMemberStatus", "0", "1")),
            Some((false, None))
        );
    }
}
