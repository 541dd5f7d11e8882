//! Call queues (app_queue): the callers waiting in each queue, in order, and its members
//! (agents) with their state and the caller each one is ringing for or talking to.

use super::Text;

/// One queue of one PBX.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Queue {
    pub name: Text,
    /// Waiting callers, first in line first.
    pub callers: Vec<QueueCaller>,
    /// Members in the order they were added.
    pub members: Vec<QueueMember>,
    #[serde(skip)] // each model numbers its own
    pub(crate) seq: u64,
}

/// A caller waiting in a queue.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct QueueCaller {
    pub uniqueid: Text,
    pub channel: Text,
    /// 1 is next in line.
    pub position: u32,
    /// Unix time the caller joined the queue.
    pub since: f64,
    /// The members (by interface) whose phones ring for this caller.
    pub ringing: Vec<Text>,
    /// The caller hung up while waiting (`QueueCallerAbandon`); it leaves next.
    pub abandoned: bool,
}

/// A member (agent) of a queue.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct QueueMember {
    /// `Interface` (or `Location`): how Asterisk reaches the member, its key in the queue.
    pub interface: Text,
    pub membername: Text,
    pub stateinterface: Text,
    /// `static`, `dynamic` or `realtime`.
    pub membership: Text,
    /// Its device state as AMI numbers it (1 not in use, 2 in use, 6 ringing...): see
    /// [`device_state`].
    pub status: Text,
    pub paused: bool,
    pub callstaken: u32,
    pub incall: bool,
    /// The caller (Uniqueid) whose call its phone is ringing for.
    pub ringing: Option<Text>,
    /// The caller (Uniqueid) it is connected to.
    pub connected: Option<Text>,
    /// Between its `AgentConnect` and its `AgentComplete` (the caller may be gone
    /// already): in a call then, whatever a `QueueMemberStatus` says.
    #[serde(default)]
    pub answered: bool,
}

/// The name of an AMI device state number (`Status` of queue members).
pub fn device_state(status: &str) -> &'static str {
    match status {
        "0" => "UNKNOWN",
        "1" => "NOT_INUSE",
        "2" => "INUSE",
        "3" => "BUSY",
        "4" => "INVALID",
        "5" => "UNAVAILABLE",
        "6" => "RINGING",
        "7" => "RINGINUSE",
        "8" => "ONHOLD",
        _ => "",
    }
}

impl QueueMember {
    /// A member as a `queuemember*` change describes it (its `MemberState`); whom it
    /// rings for or talks to is not part of it.
    pub(crate) fn from_state(s: [&str; 9]) -> Self {
        let flag = |v: &str| matches!(v.to_ascii_lowercase().as_str(), "1" | "yes" | "true");
        QueueMember {
            interface: s[1].into(),
            membername: s[2].into(),
            stateinterface: s[3].into(),
            membership: s[4].into(),
            status: s[5].into(),
            paused: flag(s[6]),
            callstaken: s[7].parse().unwrap_or(0),
            incall: flag(s[8]),
            ringing: None,
            connected: None,
            answered: false,
        }
    }
}

impl Queue {
    /// Put `caller` in line at its position (Asterisk may place a caller of higher
    /// priority ahead of others), renumbering those behind it.
    pub(crate) fn join(&mut self, caller: QueueCaller) {
        self.callers.retain(|c| c.uniqueid != caller.uniqueid);
        let at = (caller.position.max(1) as usize - 1).min(self.callers.len());
        self.callers.insert(at, caller);
        self.renumber();
    }

    /// Take a caller out of line; true if it was in it.
    pub(crate) fn leave(&mut self, uniqueid: &str) -> bool {
        let before = self.callers.len();
        self.callers.retain(|c| c.uniqueid != uniqueid);
        for m in &mut self.members {
            if m.ringing.as_deref() == Some(uniqueid) {
                m.ringing = None;
            }
        }
        self.renumber();
        self.callers.len() != before
    }

    fn renumber(&mut self) {
        for (i, c) in self.callers.iter_mut().enumerate() {
            c.position = u32::try_from(i + 1).unwrap_or(u32::MAX);
        }
    }

    pub(crate) fn caller_mut(&mut self, uniqueid: &str) -> Option<&mut QueueCaller> {
        self.callers.iter_mut().find(|c| c.uniqueid == uniqueid)
    }

    pub(crate) fn member_mut(&mut self, interface: &str) -> Option<&mut QueueMember> {
        self.members.iter_mut().find(|m| m.interface == interface)
    }

    /// A channel hung up: it waits in no line and no member talks to it any more.
    pub(crate) fn forget(&mut self, uniqueid: &str) {
        if self.callers.iter().any(|c| c.uniqueid == uniqueid) {
            self.leave(uniqueid);
        }
        for m in &mut self.members {
            if m.connected.as_deref() == Some(uniqueid) {
                m.connected = None;
            }
            if m.ringing.as_deref() == Some(uniqueid) {
                m.ringing = None;
            }
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.callers.is_empty() && self.members.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(uid: &str, position: u32) -> QueueCaller {
        QueueCaller {
            uniqueid: uid.into(),
            channel: format!("SIP/{uid}").into(),
            position,
            since: 0.0,
            ringing: Vec::new(),
            abandoned: false,
        }
    }

    #[test]
    fn positions_follow_the_line() {
        let mut q = Queue::default();
        q.join(caller("a", 1));
        q.join(caller("b", 2));
        q.join(caller("c", 1)); // a priority caller goes first
        let line = |q: &Queue| -> Vec<(String, u32)> {
            q.callers
                .iter()
                .map(|c| (c.uniqueid.to_string(), c.position))
                .collect()
        };
        assert_eq!(
            line(&q),
            [("c".into(), 1), ("a".into(), 2), ("b".into(), 3)]
        );
        assert!(q.leave("a"));
        assert_eq!(line(&q), [("c".into(), 1), ("b".into(), 2)]);
        assert!(!q.leave("a"));
        q.join(caller("d", 99)); // past the end: last
        assert_eq!(q.callers.last().map(|c| c.position), Some(3));
    }
}
