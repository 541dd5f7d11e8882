//! Actions answered as Asterisk 13 answers them (without doing any of it), and the
//! state queries of a PBX started at a checkpoint.

use super::client::{Client, Flow};
use crate::ami::Message;
use std::io::{self, Write};

impl Client<'_> {
    pub(super) fn answer(&mut self, action: &Message) -> io::Result<Flow> {
        let name = action
            .get_str("Action")
            .unwrap_or_default()
            .to_ascii_lowercase();
        match name.as_str() {
            "logoff" if !self.shared.config.answer_logoff => Ok(Flow::Continue),
            "logoff" => {
                self.respond(
                    action,
                    "Goodbye",
                    &[("Message", "Thanks for all the fish.")],
                )?;
                Ok(Flow::Close)
            }
            "ping" => {
                self.respond(action, "Success", &[("Ping", "Pong")])?;
                Ok(Flow::Continue)
            }
            "originate" | "hangup" | "redirect" | "setvar" | "getvar" | "command" => {
                self.answer_common(&name, action)
            }
            // The recorded answer at the checkpoint (none recorded: nobody parked, no
            // queue); without a checkpoint, refused like the other state queries.
            // A PBX still booting: res_parking is not loaded yet.
            "parkedcalls" if self.shared.state.is_some() && !self.booted => {
                self.answered.parked = true;
                let text = "Invalid/unknown command: ParkedCalls. Use Action: ListCommands to show available commands.";
                self.respond(action, "Error", &[("Message", text)])?;
                Ok(Flow::Continue)
            }
            "parkedcalls" if self.shared.state.is_some() => {
                self.answered.parked = true;
                let entries = self.shared.state.as_ref().map(|s| &s.parked[..]);
                let list = List {
                    message: "Parked calls will follow",
                    entries: entries.unwrap_or_default(),
                    complete: "ParkedCallsComplete",
                };
                self.stream.write_all(&list.wire(action))?;
                Ok(Flow::Continue)
            }
            "queuestatus" if self.shared.state.is_some() => {
                self.answered.queues = true;
                let queue = action.get("Queue").filter(|q| !q.is_empty());
                // Booting: app_queue has not read queues.conf yet.
                let booted = self.booted;
                let entries: Vec<Message> = self
                    .shared
                    .state
                    .iter()
                    .filter(|_| booted)
                    .flat_map(|s| &s.queues)
                    .filter(|m| queue.is_none() || m.get("Queue") == queue)
                    .cloned()
                    .collect();
                let list = List {
                    message: "Queue status will follow",
                    entries: &entries,
                    complete: "QueueStatusComplete",
                };
                self.stream.write_all(&list.wire(action))?;
                Ok(Flow::Continue)
            }
            // Answered when an event comes or its Timeout passes; here, never: what a
            // client's timeout is for.
            "waitevent" => Ok(Flow::Continue),
            "bridgelist"
                if self
                    .shared
                    .state
                    .as_ref()
                    .is_some_and(|s| s.bridges.is_some()) =>
            {
                let state = self.shared.state.as_ref().expect("checked");
                let list = List {
                    message: "Bridge listing will follow",
                    entries: state.bridges.as_deref().unwrap_or_default(),
                    complete: "BridgeListComplete",
                };
                self.stream.write_all(&list.wire(action))?;
                Ok(Flow::Continue)
            }
            "bridgelist" if self.shared.state.is_some() => {
                // Not recorded: made from the channels' BridgeIds (all basic bridges).
                let state = self.shared.state.as_ref().expect("checked");
                let mut bridges: Vec<(String, usize)> = Vec::new();
                for c in &state.channels {
                    let id = c.get_str("BridgeId").unwrap_or_default().into_owned();
                    match bridges.iter_mut().find(|(b, _)| *b == id) {
                        _ if id.is_empty() => {}
                        Some((_, n)) => *n += 1,
                        None => bridges.push((id, 1)),
                    }
                }
                let items: Vec<Message> = bridges
                    .iter()
                    .map(|(id, n)| {
                        let mut m = Message::new();
                        m.push("Event", "BridgeListItem");
                        m.push("BridgeUniqueid", id);
                        m.push("BridgeType", "basic");
                        m.push("BridgeTechnology", "simple_bridge");
                        m.push("BridgeNumChannels", n.to_string());
                        m
                    })
                    .collect();
                let list = List {
                    message: "Bridge listing will follow",
                    entries: &items,
                    complete: "BridgeListComplete",
                };
                self.stream.write_all(&list.wire(action))?;
                Ok(Flow::Continue)
            }
            "coreshowchannels" if self.shared.state.is_some() => {
                let state = self.shared.state.as_ref().expect("checked");
                let list = List {
                    message: "Channels will follow",
                    entries: &state.channels,
                    complete: "CoreShowChannelsComplete",
                };
                self.stream.write_all(&list.wire(action))?;
                self.answered.channels = true;
                Ok(Flow::Continue)
            }
            "status" if self.shared.state.is_some() => {
                // Not recorded: made from the listed channels and the variables they had
                // been given by then, as `Variable: NAME=value` lines.
                let state = self.shared.state.as_ref().expect("checked");
                let wanted = action.get_str("Variables").unwrap_or_default().into_owned();
                let wanted: Vec<&str> = wanted.split(',').map(str::trim).collect();
                let unset = self.shared.config.unset_variable.as_str();
                let entries: Vec<Message> = state
                    .channels
                    .iter()
                    .map(|c| {
                        let mut m = Message::new();
                        m.push("Event", "Status");
                        for key in [
                            "Channel",
                            "ChannelState",
                            "ChannelStateDesc",
                            "CallerIDNum",
                            "Uniqueid",
                            "Linkedid",
                            "Application",
                        ] {
                            m.push(key, c.get(key).unwrap_or_default());
                        }
                        m.push("BridgeID", c.get("BridgeId").unwrap_or_default());
                        let uid = c.get_str("Uniqueid").unwrap_or_default();
                        let set = state.variables.get(uid.as_ref());
                        for name in wanted.iter().filter(|n| !n.is_empty()) {
                            // Asterisk prints the NULL of a variable not set.
                            let value = set
                                .and_then(|v| v.iter().find(|(n, _)| n == name))
                                .map_or(unset, |(_, v)| v.as_str());
                            m.push("Variable", format!("{name}={value}"));
                        }
                        m
                    })
                    .collect();
                let list = List {
                    message: "Channel status will follow",
                    entries: &entries,
                    complete: "StatusComplete",
                };
                self.stream.write_all(&list.wire(action))?;
                Ok(Flow::Continue)
            }
            "confbridgelistrooms" if self.shared.state.is_some() => {
                self.answered.rooms = true;
                let state = self.shared.state.as_ref().expect("checked");
                if state.rooms.is_empty() {
                    self.respond(action, "Error", &[("Message", "No active conferences.")])?;
                    return Ok(Flow::Continue);
                }
                let rooms: Vec<Message> = state
                    .rooms
                    .iter()
                    .map(|(room, entries)| {
                        let mut m = Message::new();
                        m.push("Event", "ConfbridgeListRooms");
                        m.push("Conference", room);
                        m.push("Parties", entries.len().to_string());
                        m.push("Marked", "0");
                        m.push("Locked", "No");
                        m.push("Muted", "No");
                        m
                    })
                    .collect();
                let list = List {
                    message: "Confbridge conferences will follow",
                    entries: &rooms,
                    complete: "ConfbridgeListRoomsComplete",
                };
                self.stream.write_all(&list.wire(action))?;
                Ok(Flow::Continue)
            }
            "confbridgelist" if self.shared.state.is_some() => {
                self.answered.room_lists += 1;
                let state = self.shared.state.as_ref().expect("checked");
                let room = action.get_str("Conference").unwrap_or_default();
                match state.rooms.iter().find(|(r, _)| *r == room) {
                    Some((_, entries)) => {
                        let list = List {
                            message: "Confbridge user list will follow",
                            entries,
                            complete: "ConfbridgeListComplete",
                        };
                        self.stream.write_all(&list.wire(action))?;
                    }
                    None => self.respond(
                        action,
                        "Error",
                        &[("Message", "No Conference by that name found.")],
                    )?,
                }
                Ok(Flow::Continue)
            }
            // A presence list recorded at the checkpoint: the recorded answer, whole (an
            // `Error` too: pbx2 has no hints, no contacts).
            n if self
                .shared
                .state
                .as_ref()
                .is_some_and(|s| s.presence.iter().any(|(a, _)| *a == n)) =>
            {
                let state = self.shared.state.as_ref().expect("checked");
                let (_, recorded) = state
                    .presence
                    .iter()
                    .find(|(a, _)| *a == n)
                    .expect("checked");
                self.answered.presence += 1;
                let id = action.get("ActionID").unwrap_or_default();
                self.stream.write_all(&recorded.wire(id))?;
                Ok(Flow::Continue)
            }
            // Not recorded there (a capture older than the presence lists): refused, as
            // by a PBX without the module.
            "extensionstatelist"
            | "devicestatelist"
            | "pjsipshowcontacts"
            | "pjsipshowregistrationsoutbound"
                if self.shared.state.is_some() =>
            {
                self.answered.presence += 1;
                self.respond(action, "Error", &[("Message", "Invalid/unknown command")])?;
                Ok(Flow::Continue)
            }
            _ => {
                self.respond(action, "Error", &[("Message", "Invalid/unknown command")])?;
                Ok(Flow::Continue)
            }
        }
    }
}

impl Client<'_> {
    /// The common actions, answered as Asterisk 13 does (without doing any of it).
    fn answer_common(&mut self, name: &str, action: &Message) -> io::Result<Flow> {
        let text = |k: &str| action.get_str(k).map(|v| v.into_owned());
        let missing = |what: &str| format!("No {what} specified");
        match name {
            "originate" => match text("Channel") {
                Some(_) => self.respond(
                    action,
                    "Success",
                    &[("Message", "Originate successfully queued")],
                )?,
                None => self.respond(action, "Error", &[("Message", &missing("channel"))])?,
            },
            "hangup" => match text("Channel") {
                Some(c) if c.contains('/') => {
                    self.respond(action, "Success", &[("Message", "Channel Hungup")])?
                }
                Some(_) => self.respond(action, "Error", &[("Message", "No such channel")])?,
                None => self.respond(action, "Error", &[("Message", &missing("channel"))])?,
            },
            "redirect" => match (text("Channel"), text("Exten")) {
                (Some(_), Some(_)) => {
                    self.respond(action, "Success", &[("Message", "Redirect successful")])?
                }
                _ => self.respond(
                    action,
                    "Error",
                    &[("Message", &missing("channel or exten"))],
                )?,
            },
            "setvar" => match (text("Variable"), text("Value")) {
                (Some(var), value) => {
                    let channel = text("Channel").unwrap_or_default();
                    self.variables
                        .insert((channel, var), value.unwrap_or_default());
                    self.respond(action, "Success", &[("Message", "Variable Set")])?
                }
                (None, _) => self.respond(action, "Error", &[("Message", &missing("variable"))])?,
            },
            "getvar" => match text("Variable") {
                Some(var) => {
                    let channel = text("Channel").unwrap_or_default();
                    let value = self
                        .variables
                        .get(&(channel, var.clone()))
                        .cloned()
                        .unwrap_or_default();
                    self.respond(action, "Success", &[("Variable", &var), ("Value", &value)])?
                }
                None => self.respond(action, "Error", &[("Message", &missing("variable"))])?,
            },
            "command" => {
                let command = text("Command").unwrap_or_default();
                let output = if command.trim() == "core show version" {
                    format!(
                        "Asterisk {} built by the hackamore stand-in server",
                        self.shared.config.version
                    )
                } else {
                    format!("No such command '{command}' (type 'core show help {command}' for other possible commands)")
                };
                self.respond(
                    action,
                    "Success",
                    &[("Message", "Command output follows"), ("Output", &output)],
                )?
            }
            _ => unreachable!("answer_common called for {name}"),
        }
        Ok(Flow::Continue)
    }
}

/// An event list answer: a `Response: Success` opening it, the entries (with the
/// asker's ActionID), and the `...Complete` event.
struct List<'a> {
    message: &'a str,
    entries: &'a [Message],
    complete: &'a str,
}

impl List<'_> {
    fn wire(&self, action: &Message) -> Vec<u8> {
        let mut out = Vec::new();
        let id = action.get("ActionID").unwrap_or_default();
        let mut head = Message::new();
        head.push("Response", "Success");
        head.push("ActionID", id);
        head.push("EventList", "start");
        head.push("Message", self.message);
        out.extend(head.to_wire());
        for e in self.entries {
            let mut m = Message::new();
            for (k, v) in e.fields() {
                let v = if k.eq_ignore_ascii_case(b"ActionID") {
                    id
                } else {
                    v
                };
                m.push(k, v);
            }
            if m.get("ActionID").is_none() {
                m.push("ActionID", id);
            }
            out.extend(m.to_wire());
        }
        let mut done = Message::new();
        done.push("Event", self.complete);
        done.push("ActionID", id);
        done.push("EventList", "Complete");
        done.push("ListItems", self.entries.len().to_string());
        out.extend(done.to_wire());
        out
    }
}
