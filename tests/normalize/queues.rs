//! Queues (AMI 2.x): callers, agents, members.

use super::{row, run, UNIQUE as unique};

#[test]
fn queues_2_x() {
    let rows = vec![
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
    ];
    for r in &rows {
        run(r);
    }
}
