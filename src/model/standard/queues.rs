//! Rules of call queues: callers in line, members and the calls they take.

use super::store::pbx_entry;
use super::Model;
use crate::model::queues::{Queue, QueueCaller, QueueMember};

impl Model {
    /// A known channel joined a queue's line at `position` (1 first), waiting since
    /// `since` (Unix time).
    pub(crate) fn queuecallerjoin(
        &mut self,
        pbx: &str,
        queue: &str,
        uniqueid: &str,
        channel: &str,
        position: &str,
        since: &str,
    ) {
        if !self.exists(pbx, uniqueid) {
            return;
        }
        let caller = QueueCaller {
            uniqueid: uniqueid.into(),
            channel: channel.into(),
            position: position.parse().unwrap_or(u32::MAX),
            since: since.parse().unwrap_or(0.0),
            ringing: Vec::new(),
            abandoned: false,
        };
        let seq = self.seq();
        let p = self.pbxes.get_mut(pbx).expect("the channel's PBX");
        p.queue(queue, seq).join(caller);
    }

    pub(crate) fn queuecallerleave(&mut self, pbx: &str, queue: &str, uid: &str) {
        let Some(p) = self.pbxes.get_mut(pbx) else {
            return;
        };
        if let Some(q) = p.queues.get_mut(queue) {
            q.leave(uid);
        }
        p.drop_queue_if_empty(queue);
        self.drop_if_empty(pbx);
    }

    pub(crate) fn queuecallerabandon(&mut self, pbx: &str, queue: &str, uid: &str) {
        let caller = self
            .pbxes
            .get_mut(pbx)
            .and_then(|p| p.queues.get_mut(queue))
            .and_then(|q| q.caller_mut(uid));
        if let Some(c) = caller {
            c.abandoned = true;
        }
    }

    fn queue_mut(&mut self, pbx: &str, queue: &str) -> Option<&mut Queue> {
        self.pbxes.get_mut(pbx)?.queues.get_mut(queue)
    }

    /// A member's phone rings for a waiting caller.
    pub(crate) fn agentcalled(&mut self, pbx: &str, queue: &str, interface: &str, caller: &str) {
        let Some(q) = self.queue_mut(pbx, queue) else {
            return;
        };
        if let Some(c) = q.caller_mut(caller) {
            if !c.ringing.iter().any(|i| i == interface) {
                c.ringing.push(interface.into());
            }
        }
        if let Some(m) = q.member_mut(interface) {
            m.ringing = Some(caller.into());
        }
    }

    pub(crate) fn agentringnoanswer(
        &mut self,
        pbx: &str,
        queue: &str,
        interface: &str,
        caller: &str,
    ) {
        let Some(q) = self.queue_mut(pbx, queue) else {
            return;
        };
        if let Some(c) = q.caller_mut(caller) {
            c.ringing.retain(|i| i != interface);
        }
        if let Some(m) = q.member_mut(interface) {
            m.ringing = None;
        }
    }

    /// A member answered the caller (who has left the line by now).
    pub(crate) fn agentconnect(&mut self, pbx: &str, queue: &str, interface: &str, caller: &str) {
        if let Some(m) = self
            .queue_mut(pbx, queue)
            .and_then(|q| q.member_mut(interface))
        {
            m.ringing = None;
            m.connected = Some(caller.into());
            m.incall = true;
            m.answered = true;
        }
    }

    /// A member's call ended.
    pub(crate) fn agentcomplete(&mut self, pbx: &str, queue: &str, interface: &str) {
        if let Some(m) = self
            .queue_mut(pbx, queue)
            .and_then(|q| q.member_mut(interface))
        {
            m.connected = None;
            m.incall = false;
            m.answered = false;
        }
    }

    /// A member joined, or its state changed: the event carries all of it (`status` is its
    /// device state as AMI numbers it).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn queuemember(
        &mut self,
        pbx: &str,
        queue: &str,
        interface: &str,
        membername: &str,
        stateinterface: &str,
        membership: &str,
        status: &str,
        paused: &str,
        callstaken: &str,
        incall: &str,
    ) {
        let member = QueueMember::from_state([
            queue,
            interface,
            membername,
            stateinterface,
            membership,
            status,
            paused,
            callstaken,
            incall,
        ]);
        if member.interface.is_empty() {
            return;
        }
        let seq = self.seq();
        let q = pbx_entry(&mut self.pbxes, pbx).queue(queue, seq);
        match q.member_mut(&member.interface) {
            Some(m) => {
                let (ringing, connected) = (m.ringing.take(), m.connected.take());
                // In a call from its AgentConnect to its AgentComplete, whatever a status
                // between them says: Asterisk can say `InCall: 0` right after the connect
                // while its own `QueueStatus` lists the member in the call.
                *m = QueueMember {
                    incall: member.incall || m.answered,
                    answered: m.answered,
                    ringing,
                    connected,
                    ..member
                };
            }
            None => q.members.push(member),
        }
    }

    pub(crate) fn queuememberremoved(&mut self, pbx: &str, queue: &str, interface: &str) {
        let Some(p) = self.pbxes.get_mut(pbx) else {
            return;
        };
        if let Some(q) = p.queues.get_mut(queue) {
            q.members.retain(|m| m.interface != interface);
        }
        p.drop_queue_if_empty(queue);
        self.drop_if_empty(pbx);
    }
}
