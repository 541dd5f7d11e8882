//! The checkpoint checker: the model must agree with every answer recorded in the
//! fixtures (see their README): `CoreShowChannels` (`truth-k`), `ConfbridgeList`
//! (`conf-k`) and, in the feature scenarios, `BridgeList` (`bridges-k`), `ParkedCalls`
//! (`parked-k`) and `QueueStatus` (`queues-k`).

use super::presence_checks::{check_presence, presence_of};
use hackamore::ami::Message;
use hackamore::model::{holds_only, Model};
use std::collections::{BTreeMap, BTreeSet, HashMap};

#[derive(Default)]
pub struct Pending {
    /// ActionID -> the list's entries so far.
    entries: HashMap<String, Vec<Message>>,
    /// Bridge -> (type, technology), as the PBX named them in any message so far.
    bridge_types: HashMap<String, (String, String)>,
    /// (queue, interface) of the members an event has described whole so far: only
    /// those can be known from events (a static member of a queue idle since before the
    /// capture began is in no event).
    described: BTreeSet<(String, String)>,
    /// Presence the stream has described (kind, key): a device, an extension, a contact
    /// or a registration no event (nor resync line) has named yet cannot be known.
    seen: BTreeSet<(&'static str, String)>,
}

impl Pending {
    fn holding(&self, bridge: &str) -> bool {
        self.bridge_types
            .get(bridge)
            .is_some_and(|(t, tech)| holds_only(t, tech))
    }
}

fn get(m: &Message, k: &str) -> String {
    m.get_str(k).map(|s| s.into_owned()).unwrap_or_default()
}

fn same_call(model: &Model, pbx: &str, a: &str, b: &str) -> bool {
    let ca = model.channel(pbx, a).and_then(|c| c.call);
    let cb = model.channel(pbx, b).and_then(|c| c.call);
    ca.is_some() && ca == cb
}

/// Check one truth checkpoint; returns a description of each disagreement.
fn check_channels(model: &Model, pbx: &str, entries: &[Message], p: &Pending) -> Vec<String> {
    let mut errs = Vec::new();
    let want: BTreeSet<(String, String, String)> = entries
        .iter()
        .map(|e| {
            (
                get(e, "Uniqueid"),
                get(e, "Channel"),
                get(e, "ChannelState"),
            )
        })
        .collect();
    let have: BTreeSet<(String, String, String)> = model
        .channels_of(pbx)
        .iter()
        .map(|c| {
            (
                c.uniqueid.to_string(),
                c.channel.to_string(),
                c.channelstate.to_string(),
            )
        })
        .collect();
    if want != have {
        errs.push(format!(
            "channels differ: missing {:?}, extra {:?}",
            want.difference(&have).collect::<Vec<_>>(),
            have.difference(&want).collect::<Vec<_>>()
        ));
    }
    let mut by_bridge: HashMap<String, Vec<String>> = HashMap::new();
    for e in entries {
        let b = get(e, "BridgeId");
        let uid = get(e, "Uniqueid");
        let in_model = model.channel(pbx, &uid).and_then(|c| c.bridge.clone());
        if in_model.as_deref().unwrap_or_default() != b {
            errs.push(format!("{uid}: in bridge {in_model:?}, the PBX says {b:?}"));
        }
        // Channels in a parking lot or holding bridge are not talking to each other.
        if !b.is_empty() && !p.holding(&b) {
            by_bridge.entry(b).or_default().push(uid);
        }
    }
    for (b, uids) in by_bridge {
        for u in &uids[1..] {
            if !same_call(model, pbx, &uids[0], u) {
                errs.push(format!("bridge {b}: {} and {u} not in one call", uids[0]));
            }
        }
    }
    let by_name: HashMap<String, String> = entries
        .iter()
        .map(|e| (get(e, "Channel"), get(e, "Uniqueid")))
        .collect();
    for (name, uid) in &by_name {
        if let Some(base) = name.strip_suffix(";1") {
            if let Some(other) = by_name.get(&format!("{base};2")) {
                if !same_call(model, pbx, uid, other) {
                    errs.push(format!("Local {base}: halves not in one call"));
                }
            }
        }
    }
    errs
}

fn check_sipcallids(model: &Model) -> Vec<String> {
    let mut by_value: HashMap<String, Vec<(String, String, Option<u64>)>> = HashMap::new();
    for pbx in model.pbx_names() {
        for c in model.channels_of(pbx) {
            if let Some(v) = &c.sipcallid {
                by_value.entry(v.to_string()).or_default().push((
                    c.pbx.to_string(),
                    c.uniqueid.to_string(),
                    c.call,
                ));
            }
        }
    }
    let mut errs = Vec::new();
    for (v, chans) in by_value {
        let calls: BTreeSet<_> = chans.iter().map(|c| c.2).collect();
        if chans.len() > 1 && (calls.len() != 1 || calls.contains(&None)) {
            errs.push(format!("SIPCALLID {v}: {chans:?} not in one call"));
        }
    }
    errs
}

fn check_room(model: &Model, pbx: &str, entries: &[Message]) -> Vec<String> {
    let want: BTreeSet<String> = entries.iter().map(|e| get(e, "Channel")).collect();
    let have: BTreeSet<String> = model
        .rooms_of(pbx)
        .into_iter()
        .filter(|(conf, _)| *conf == "100")
        .flat_map(|(_, members)| members.iter())
        .map(|uid| {
            model
                .channel(pbx, uid)
                .map_or_else(|| uid.to_string(), |c| c.channel.to_string())
        })
        .collect();
    if want == have {
        vec![]
    } else {
        vec![format!("room 100: want {want:?}, have {have:?}")]
    }
}

/// `BridgeList`: every bridge the model holds is listed, with its type and technology;
/// every listed bridge with channels is in the model with as many members. (A bridge
/// that was empty and idle since before the capture began cannot be known.)
fn check_bridges(model: &Model, pbx: &str, entries: &[Message]) -> Vec<String> {
    let mut errs = Vec::new();
    let listed: BTreeMap<String, (String, String, usize)> = entries
        .iter()
        .map(|e| {
            (
                get(e, "BridgeUniqueid"),
                (
                    get(e, "BridgeType"),
                    get(e, "BridgeTechnology"),
                    get(e, "BridgeNumChannels").parse().unwrap_or(usize::MAX),
                ),
            )
        })
        .collect();
    let have: BTreeMap<String, (String, String, usize)> = model
        .bridges_of(pbx)
        .iter()
        .map(|b| {
            (
                b.id.to_string(),
                (
                    b.bridgetype.to_string(),
                    b.technology.to_string(),
                    b.numchannels as usize,
                ),
            )
        })
        .collect();
    // Asterisk moves two channels that need no mixing into a `native_rtp` bridge (media
    // straight between them) and says so in no event: the model keeps the
    // `simple_bridge` the BridgeEnter events named (see the fixtures' README).
    let technology = |t: &str| {
        if t == "native_rtp" {
            "simple_bridge".to_string()
        } else {
            t.to_string()
        }
    };
    for (id, h) in &have {
        match listed.get(id) {
            Some(l) if (&l.0, technology(&l.1), l.2) == (&h.0, technology(&h.1), h.2) => {}
            l => errs.push(format!("bridge {id}: model {h:?}, PBX {l:?}")),
        }
    }
    for (id, l) in &listed {
        if l.2 > 0 && !have.contains_key(id) {
            errs.push(format!("bridge {id} {l:?} missing"));
        }
    }
    errs
}

/// `ParkedCalls`: the model's parked calls are the listed ones, in the same lots and
/// spaces; and two calls parked at once are never on one call.
fn check_parked(model: &Model, pbx: &str, entries: &[Message]) -> Vec<String> {
    let want: BTreeSet<(String, String, String)> = entries
        .iter()
        .map(|e| {
            (
                get(e, "ParkeeUniqueid"),
                get(e, "Parkinglot"),
                get(e, "ParkingSpace"),
            )
        })
        .collect();
    let have: BTreeSet<(String, String, String)> = model
        .parked_of(pbx)
        .iter()
        .map(|p| {
            (
                p.uniqueid.to_string(),
                p.lot.to_string(),
                p.space.to_string(),
            )
        })
        .collect();
    let mut errs = Vec::new();
    if want != have {
        errs.push(format!("parked: want {want:?}, have {have:?}"));
    }
    let parked: Vec<&(String, String, String)> = want.iter().collect();
    for (i, a) in parked.iter().enumerate() {
        for b in &parked[i + 1..] {
            if same_call(model, pbx, &a.0, &b.0) {
                errs.push(format!("parked {} and {} on one call", a.0, b.0));
            }
        }
    }
    errs
}

/// `QueueStatus`: each queue's waiting callers (Uniqueid, position) and members
/// (interface, device state, paused, in a call, calls taken) are the model's; listed
/// members no event has described yet are left out.
fn check_queues(model: &Model, pbx: &str, entries: &[Message], p: &Pending) -> Vec<String> {
    type Line = BTreeSet<(String, String)>;
    type Members = BTreeSet<(String, String, bool, bool, String)>;
    let mut want: BTreeMap<String, (Line, Members)> = BTreeMap::new();
    for e in entries {
        let queue = get(e, "Queue");
        match get(e, "Event").as_str() {
            "QueueEntry" => {
                want.entry(queue)
                    .or_default()
                    .0
                    .insert((get(e, "Uniqueid"), get(e, "Position")));
            }
            "QueueMember" if p.described.contains(&(queue.clone(), get(e, "Location"))) => {
                want.entry(queue).or_default().1.insert((
                    get(e, "Location"),
                    get(e, "Status"),
                    get(e, "Paused") == "1",
                    get(e, "InCall") == "1",
                    get(e, "CallsTaken"),
                ));
            }
            _ => {}
        }
    }
    want.retain(|_, (line, members)| !line.is_empty() || !members.is_empty());
    let have: BTreeMap<String, (Line, Members)> = model
        .queues_of(pbx)
        .iter()
        .map(|q| {
            let line = q
                .callers
                .iter()
                .map(|c| (c.uniqueid.to_string(), c.position.to_string()))
                .collect();
            let members = q
                .members
                .iter()
                .map(|m| {
                    (
                        m.interface.to_string(),
                        m.status.to_string(),
                        m.paused,
                        m.incall,
                        m.callstaken.to_string(),
                    )
                })
                .collect();
            (q.name.to_string(), (line, members))
        })
        .collect();
    if want == have {
        vec![]
    } else {
        vec![format!("queues: want {want:?}, have {have:?}")]
    }
}

/// A channel of one PBX: Uniqueids repeat across PBXes.
type Key = (String, String);

/// Who the recording says was ever connected to whom: channels linked by a bridge (1.x
/// `Bridge`, or entering a 2.x bridge that held others; a parking lot or holding bridge
/// links nobody), a `Dial`, the halves of a Local channel (`LocalBridge`, or the names
/// `X;1`/`X;2`), one `BridgeId` in a channel list, or one value of the trunk variable set
/// by events (on either PBX). Read from the messages alone, never from the model: a call
/// of the model holding channels none of these ever linked is an invented merge.
#[derive(Default)]
pub struct Links {
    parent: HashMap<Key, Key>,
    /// Each 2.x bridge's members now: (pbx, bridge) -> Uniqueids.
    members: HashMap<(String, String), Vec<String>>,
    /// The first channel seen with each trunk value.
    trunk: HashMap<String, Key>,
    /// Local channels by name: (pbx, name) -> Uniqueid.
    locals: HashMap<(String, String), String>,
    /// The first channel a channel list showed in each bridge: (pbx, "ActionID bridge").
    listed: HashMap<(String, String), String>,
}

/// What a recording never holds as a trunk value: how Asterisk prints a variable that is
/// not set (manager.c's `Status` puts a NULL through printf), and its other spellings of
/// "no value". Listed here on their own, not taken from the model's code.
const NOT_A_VALUE: [&str; 4] = ["", "(null)", "<unknown>", "<none>"];

impl Links {
    fn root(&mut self, k: &Key) -> Key {
        let mut k = k.clone();
        while let Some(p) = self.parent.get(&k) {
            if *p == k {
                break;
            }
            k = p.clone();
        }
        k
    }

    fn link(&mut self, pbx: &str, a: &str, pbx_b: &str, b: &str) {
        if a.is_empty() || b.is_empty() {
            return;
        }
        let ra = self.root(&(pbx.to_string(), a.to_string()));
        let rb = self.root(&(pbx_b.to_string(), b.to_string()));
        if ra != rb {
            self.parent.insert(ra, rb);
        }
    }

    fn linked(&mut self, a: &Key, b: &Key) -> bool {
        self.root(a) == self.root(b)
    }

    fn local_half(&mut self, pbx: &str, name: &str, uid: &str) {
        let Some((base, half)) = name.rsplit_once(';') else {
            return;
        };
        if !name.starts_with("Local/") || !matches!(half, "1" | "2") {
            return;
        }
        let other = format!("{base};{}", if half == "1" { 2 } else { 1 });
        self.locals
            .insert((pbx.to_string(), name.to_string()), uid.to_string());
        if let Some(o) = self.locals.get(&(pbx.to_string(), other)).cloned() {
            self.link(pbx, uid, pbx, &o);
        }
    }

    /// Learn what `m` (from `pbx`) says was connected.
    pub fn learn(&mut self, pbx: &str, m: &Message, holding: impl Fn(&str) -> bool) {
        let event = get(m, "Event");
        let from_events = m.get("ActionID").is_none();
        let uid = get(m, "Uniqueid");
        match event.as_str() {
            "Newchannel" | "CoreShowChannel" => {
                self.local_half(pbx, &get(m, "Channel"), &uid);
                let bridged = get(m, "BridgedUniqueID");
                self.link(pbx, &uid, pbx, &bridged);
                // Channels one list shows in one (talking) bridge are connected.
                let bridge = get(m, "BridgeId");
                if !bridge.is_empty() && !holding(&bridge) {
                    let key = (pbx.to_string(), format!("{} {bridge}", get(m, "ActionID")));
                    let first = self
                        .listed
                        .entry(key)
                        .or_insert_with(|| uid.clone())
                        .clone();
                    self.link(pbx, &uid, pbx, &first);
                }
            }
            "Rename" => self.local_half(pbx, &get(m, "Newname"), &uid),
            "Bridge" | "Link" => {
                self.link(pbx, &get(m, "Uniqueid1"), pbx, &get(m, "Uniqueid2"));
            }
            "LocalBridge" => {
                let (a, b) = if m.get("LocalOneUniqueid").is_some() {
                    (get(m, "LocalOneUniqueid"), get(m, "LocalTwoUniqueid"))
                } else {
                    (get(m, "Uniqueid1"), get(m, "Uniqueid2"))
                };
                self.link(pbx, &a, pbx, &b);
            }
            "Dial" | "DialBegin" if from_events => {
                let caller = if uid.is_empty() {
                    get(m, "UniqueID")
                } else {
                    uid.clone()
                };
                let callee = get(m, "DestUniqueid");
                let callee = if callee.is_empty() {
                    get(m, "DestUniqueID")
                } else {
                    callee
                };
                self.link(pbx, &caller, pbx, &callee);
            }
            "BridgeEnter" if from_events => {
                let bridge = get(m, "BridgeUniqueid");
                let members = self
                    .members
                    .entry((pbx.to_string(), bridge.clone()))
                    .or_default();
                let first = members.first().cloned();
                members.push(uid.clone());
                if let Some(first) = first.filter(|_| !holding(&bridge)) {
                    self.link(pbx, &uid, pbx, &first);
                }
            }
            "BridgeLeave" if from_events => {
                let key = (pbx.to_string(), get(m, "BridgeUniqueid"));
                if let Some(members) = self.members.get_mut(&key) {
                    members.retain(|u| *u != uid);
                }
            }
            "BridgeDestroy" if from_events => {
                self.members
                    .remove(&(pbx.to_string(), get(m, "BridgeUniqueid")));
            }
            "Hangup" if from_events => {
                for members in self.members.values_mut() {
                    members.retain(|u| *u != uid);
                }
            }
            "VarSet" if from_events => {
                let variable = get(m, "Variable");
                let value = get(m, "Value");
                if variable.trim_start_matches('_') != "SIPCALLID"
                    || NOT_A_VALUE.contains(&value.as_str())
                {
                    return;
                }
                let key = (pbx.to_string(), uid.clone());
                match self.trunk.get(&value).cloned() {
                    Some(first) => self.link(pbx, &uid, &first.0, &first.1),
                    None => {
                        self.trunk.insert(value, key);
                    }
                }
            }
            _ => {}
        }
    }

    /// Each call of the model whose channels were never all linked: an invented merge.
    pub fn invented(&mut self, model: &Model) -> Vec<String> {
        let mut errs = Vec::new();
        for (call, members) in model.calls() {
            let first: Key = (members[0].0.to_string(), members[0].1.to_string());
            let strangers: Vec<Key> = members[1..]
                .iter()
                .map(|(p, u)| (p.to_string(), u.to_string()))
                .filter(|k| !self.linked(&first, k))
                .collect();
            if !strangers.is_empty() {
                errs.push(format!(
                    "call {call:?}: {first:?} and {strangers:?} were never connected \
                     (no bridge, dial, Local pair or trunk twin links them)"
                ));
            }
        }
        errs
    }
}

impl Checker {
    /// A checker for a replay that starts right after recorded checkpoint `k` of the raw
    /// capture `path` (a stand-in's `start_at`): it learns who was connected from the
    /// recording before that point, which the monitor never saw.
    pub fn from_checkpoint(path: &std::path::Path, pbx: &str, k: u32) -> Checker {
        let mut checker = Checker::default();
        checker.learn_until_checkpoint(path, pbx, k);
        checker
    }

    /// Learn who was connected on `pbx` from its raw capture `path`, up to where a
    /// replay started at checkpoint `k` begins (see [`Checker::from_checkpoint`]).
    pub fn learn_until_checkpoint(&mut self, path: &std::path::Path, pbx: &str, k: u32) {
        let checker = self;
        let mut d = hackamore::ami::Decoder::new();
        d.feed(&std::fs::read(path).unwrap());
        let mut ms = Vec::new();
        while let Some(m) = d.next_message() {
            ms.push(m);
        }
        // The replay starts after the last answer of the checkpoint's lists.
        let ends = |m: &Message| {
            let id = get(m, "ActionID");
            ["truth", "conf", "bridges", "parked", "queues"]
                .iter()
                .any(|kind| id == format!("{kind}-{k}"))
        };
        let last = ms.iter().rposition(ends).expect("no such checkpoint");
        let p = Pending::default();
        for m in &ms[..=last] {
            if m.get("BridgeType").is_some() {
                let kind = (get(m, "BridgeType"), get(m, "BridgeTechnology"));
                checker
                    .pending
                    .entry(pbx.to_string())
                    .or_default()
                    .bridge_types
                    .insert(get(m, "BridgeUniqueid"), kind);
            }
            let types = &checker.pending.get(pbx).unwrap_or(&p).bridge_types;
            let holding = |b: &str| types.get(b).is_some_and(|(t, tech)| holds_only(t, tech));
            checker.links.learn(pbx, m, holding);
        }
        checker.pending.remove(pbx);
    }
}

/// Watches a stream go by and checks the model at each recorded checkpoint.
#[derive(Default)]
pub struct Checker {
    pending: HashMap<String, Pending>,
    /// Who the recording says was ever connected.
    pub links: Links,
    pub checked: usize,
    /// Answers checked by kind (the ActionID's prefix: truth, conf, bridges...).
    pub kinds: BTreeMap<String, usize>,
    pub errors: Vec<String>,
}

impl Checker {
    /// Call after the model has taken `m` from `pbx`.
    pub fn observe(&mut self, model: &Model, pbx: &str, m: &Message) {
        let id = get(m, "ActionID");
        let event = get(m, "Event");
        let p = self.pending.entry(pbx.to_string()).or_default();
        let bridge = get(m, "BridgeUniqueid");
        if !bridge.is_empty() && m.get("BridgeType").is_some() {
            let kind = (get(m, "BridgeType"), get(m, "BridgeTechnology"));
            p.bridge_types.insert(bridge, kind);
        }
        let holding = |b: &str| p.holding(b);
        self.links.learn(pbx, m, holding);
        // A member is described by an event, or by a line of the monitor's own resync.
        let resync = id.starts_with("hackamore-sync-");
        if (id.is_empty() || resync) && event.starts_with("QueueMember") {
            let interface = if resync { "Location" } else { "Interface" };
            let member = (get(m, "Queue"), get(m, interface));
            if event == "QueueMemberRemoved" {
                p.described.remove(&member);
            } else {
                p.described.insert(member);
            }
        }
        // Presence is described by an event, or by a line of the monitor's own resync.
        if id.is_empty() || resync {
            if let Some((kind, key, _)) = presence_of(m) {
                p.seen.insert((kind, key));
            }
        }
        let presence = [
            ("devices-", "device", "DeviceStateListComplete"),
            ("exten-", "extension", "ExtensionStateListComplete"),
            ("contacts-", "contact", "ContactListComplete"),
            (
                "registrations-",
                "registration",
                "OutboundRegistrationDetailComplete",
            ),
        ]
        .into_iter()
        .find(|(prefix, _, _)| id.starts_with(prefix));
        let errs = match event.as_str() {
            _ if presence.is_some()
                && (event == presence.unwrap().2
                    || (event.is_empty() && get(m, "Response") == "Error")) =>
            {
                let (_, kind, _) = presence.expect("checked");
                let entries = p.entries.remove(&id).unwrap_or_default();
                check_presence(model, pbx, kind, &entries, &p.seen)
            }
            _ if presence.is_some() && !event.is_empty() => {
                p.entries.entry(id).or_default().push(m.clone());
                return;
            }
            "CoreShowChannel" | "ConfbridgeList" | "BridgeListItem" | "QueueParams"
            | "QueueMember" | "QueueEntry" => {
                p.entries.entry(id).or_default().push(m.clone());
                return;
            }
            "ParkedCall" if !id.is_empty() => {
                p.entries.entry(id).or_default().push(m.clone());
                return;
            }
            "CoreShowChannelsComplete" if id.starts_with("truth-") => {
                let entries = p.entries.remove(&id).unwrap_or_default();
                let mut e = check_channels(model, pbx, &entries, p);
                e.extend(check_sipcallids(model));
                e.extend(self.links.invented(model));
                e
            }
            "BridgeListComplete" if id.starts_with("bridges-") => {
                let entries = p.entries.remove(&id).unwrap_or_default();
                check_bridges(model, pbx, &entries)
            }
            "ParkedCallsComplete" if id.starts_with("parked-") => {
                let entries = p.entries.remove(&id).unwrap_or_default();
                check_parked(model, pbx, &entries)
            }
            "QueueStatusComplete" if id.starts_with("queues-") => {
                let entries = p.entries.remove(&id).unwrap_or_default();
                check_queues(model, pbx, &entries, p)
            }
            "ConfbridgeListComplete" if id.starts_with("conf-") => {
                let entries = p.entries.remove(&id).unwrap_or_default();
                check_room(model, pbx, &entries)
            }
            "" if id.starts_with("conf-") && get(m, "Response") == "Error" => {
                check_room(model, pbx, &[])
            }
            _ => return,
        };
        self.checked += 1;
        let kind = id.split('-').next().unwrap_or_default().to_string();
        *self.kinds.entry(kind).or_default() += 1;
        self.errors
            .extend(errs.into_iter().map(|e| format!("{pbx} {id}: {e}")));
    }
}
