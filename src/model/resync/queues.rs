//! Queues (`QueueStatus`: per queue a `QueueParams` line, a `QueueMember` line per member
//! and a `QueueEntry` line per waiting caller, then `QueueStatusComplete`).

use super::state::{Entry, MemberLine, PbxSync, SyncStep};
use crate::model::change::MemberEvent;
use crate::model::{Change, Model, QueueMember, Text};

/// Does the member the model has differ from the listed one (whom it rings for or talks
/// to aside: the list does not say)?
fn differs(m: &QueueMember, l: &MemberLine) -> bool {
    let listed = QueueMember {
        ringing: m.ringing.clone(),
        connected: m.connected.clone(),
        answered: m.answered,
        ..QueueMember::from_state(l.each_ref().map(|t| t.as_str()))
    };
    *m != listed
}

fn member_change(pbx: &str, l: &MemberLine, added: bool) -> Change {
    let event = if added {
        MemberEvent::Added
    } else {
        MemberEvent::Status
    };
    Change::queue_member(event, pbx.into(), l.clone())
}

/// The changes that make the model's queues of `pbx` those listed: members added,
/// updated or removed; callers put in line at their positions or taken out of it.
pub(super) fn queues(pbx: &str, s: &PbxSync, model: &Model, out: &mut Vec<SyncStep>) {
    let queues = model.queues_of(pbx);
    let apply = |out: &mut Vec<SyncStep>, c| out.push(SyncStep::Apply(c));
    let member_fresh = |q: &Text, i: &Text| !s.touched_members.contains(&(q.clone(), i.clone()));
    for l in &s.queue_members {
        if !member_fresh(&l[0], &l[1]) {
            continue;
        }
        let now = queues
            .iter()
            .find(|q| q.name == l[0])
            .and_then(|q| q.members.iter().find(|m| m.interface == l[1]));
        // Listed out of a call the model saw it answer: its AgentComplete came while the
        // connection was down (`QueueStatus` says the truth of it).
        if let Some(m) = now.filter(|m| m.answered) {
            if !QueueMember::from_state(l.each_ref().map(|t| t.as_str())).incall {
                let caller = m.connected.clone().unwrap_or_default();
                apply(
                    out,
                    Change::AgentComplete {
                        pbx: pbx.into(),
                        queue: l[0].clone(),
                        interface: m.interface.clone(),
                        membername: m.membername.clone(),
                        channel: model
                            .channel(pbx, &caller)
                            .map(|c| c.channel.clone())
                            .unwrap_or_default(),
                        uniqueid: caller,
                        talktime: Text::default(),
                        reason: Text::default(),
                    },
                );
            }
        }
        match now {
            None => apply(out, member_change(pbx, l, true)),
            Some(m) if differs(m, l) => apply(out, member_change(pbx, l, false)),
            Some(_) => {}
        }
    }
    let caller_fresh = |u: &Text| !s.hung_up.contains(u) && !s.touched.contains(u);
    for q in &queues {
        for m in &q.members {
            let listed = s
                .queue_members
                .iter()
                .any(|l| l[0] == q.name && l[1] == m.interface);
            if !listed && member_fresh(&q.name, &m.interface) {
                apply(
                    out,
                    Change::QueueMemberRemoved {
                        pbx: pbx.into(),
                        queue: q.name.clone(),
                        interface: m.interface.clone(),
                        membername: m.membername.clone(),
                    },
                );
            }
        }
        for c in &q.callers {
            let listed = s
                .queue_entries
                .iter()
                .any(|e| e.queue == q.name && e.uniqueid == c.uniqueid);
            if !listed && caller_fresh(&c.uniqueid) {
                apply(
                    out,
                    Change::QueueCallerLeave {
                        pbx: pbx.into(),
                        queue: q.name.clone(),
                        uniqueid: c.uniqueid.clone(),
                        channel: c.channel.clone(),
                    },
                );
            }
        }
    }
    let mut entries: Vec<&Entry> = s
        .queue_entries
        .iter()
        .filter(|e| caller_fresh(&e.uniqueid))
        .collect();
    entries.sort_by_key(|e| e.position);
    for e in entries {
        let waiting = queues
            .iter()
            .any(|q| q.name == e.queue && q.callers.iter().any(|c| c.uniqueid == e.uniqueid));
        if !waiting {
            apply(
                out,
                Change::QueueCallerJoin {
                    pbx: pbx.into(),
                    queue: e.queue.clone(),
                    uniqueid: e.uniqueid.clone(),
                    channel: e.channel.clone(),
                    position: e.position.to_string().into(),
                    since: e.since.clone(),
                },
            );
        }
    }
}
