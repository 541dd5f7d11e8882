//! The model as plain Python data: `snapshot()`, `bridges()`, `parked()`, `queues()`
//! and presence (`devices()`, `extensions()`, `contacts()`, `registrations()`, `peers()`).

use crate::model as core;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use std::collections::HashMap;

/// The whole model as plain Python data (see `Model.snapshot`).
pub(super) fn snapshot_of<'py>(py: Python<'py>, m: &core::Model) -> PyResult<Bound<'py, PyDict>> {
    let call_index: HashMap<u64, usize> =
        m.calls().enumerate().map(|(i, (id, _))| (id, i)).collect();
    let channels = PyDict::new(py);
    let rooms = PyDict::new(py);
    let numbers = PyDict::new(py);
    for pbx in m.pbx_names() {
        let chans = m.channels_of(pbx);
        if !chans.is_empty() {
            let d = PyDict::new(py);
            for c in chans {
                let f = PyDict::new(py);
                f.set_item("channel", c.channel.as_str())?;
                f.set_item("calleridnum", c.calleridnum.as_str())?;
                f.set_item("linkedid", c.linkedid.as_str())?;
                f.set_item("sipcallid", c.sipcallid.as_deref())?;
                f.set_item("conference", c.conference.as_deref())?;
                f.set_item("bridge", c.bridge.as_deref())?;
                f.set_item("device", core::presence::device_of_channel(&c.channel))?;
                f.set_item("channelstate", c.channelstate.as_str())?;
                f.set_item("channelstatedesc", c.channelstatedesc.as_str())?;
                f.set_item("role", c.role.name())?;
                f.set_item("activity", c.activity.name())?;
                f.set_item("call", c.call.and_then(|id| call_index.get(&id)))?;
                d.set_item(c.uniqueid.as_str(), f)?;
            }
            channels.set_item(pbx, d)?;
        }
        let r = m.rooms_of(pbx);
        if !r.is_empty() {
            let d = PyDict::new(py);
            for (conf, members) in r {
                d.set_item(conf, PyList::new(py, members.iter().map(|u| u.as_str()))?)?;
            }
            rooms.set_item(pbx, d)?;
        }
        let n = m.numbers_of(pbx);
        if !n.is_empty() {
            let d = PyDict::new(py);
            for (k, v) in n {
                d.set_item(k, v)?;
            }
            numbers.set_item(pbx, d)?;
        }
    }
    let calls = PyList::empty(py);
    for (_, members) in m.calls() {
        let v: Vec<(&str, &str)> = members
            .iter()
            .map(|(p, u)| (p.as_str(), u.as_str()))
            .collect();
        calls.append(v)?;
    }
    let trunks = PyDict::new(py);
    for (v, (p, u)) in m.trunks() {
        trunks.set_item(v, (p.as_str(), u.as_str()))?;
    }
    let out = PyDict::new(py);
    out.set_item("channels", channels)?;
    out.set_item("calls", calls)?;
    out.set_item("rooms", rooms)?;
    out.set_item("trunks", trunks)?;
    out.set_item("numbers", numbers)?;
    out.set_item("bridges", bridges_of(py, m)?)?;
    out.set_item("parked", parked_of(py, m)?)?;
    out.set_item("queues", queues_of(py, m)?)?;
    out.set_item("devices", devices_of(py, m)?)?;
    out.set_item("extensions", extensions_of(py, m)?)?;
    out.set_item("contacts", contacts_of(py, m)?)?;
    out.set_item("registrations", registrations_of(py, m)?)?;
    out.set_item("peers", peers_of(py, m)?)?;
    Ok(out)
}

/// A time the model keeps as Unix seconds, 0 when it is not known (a raw capture read
/// back records none): None then, not 1970.
fn known(t: f64) -> Option<f64> {
    (t > 0.0).then_some(t)
}

/// `{pbx: {bridge: {"type", "technology", "numchannels", "members": [uniqueid]}}}`.
pub(super) fn bridges_of<'py>(py: Python<'py>, m: &core::Model) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    for pbx in m.pbx_names() {
        let bridges = m.bridges_of(pbx);
        if bridges.is_empty() {
            continue;
        }
        let d = PyDict::new(py);
        for b in bridges {
            let f = PyDict::new(py);
            f.set_item("type", b.bridgetype.as_str())?;
            f.set_item("technology", b.technology.as_str())?;
            f.set_item("numchannels", b.numchannels)?;
            f.set_item(
                "members",
                PyList::new(py, b.members.iter().map(|u| u.as_str()))?,
            )?;
            d.set_item(b.id.as_str(), f)?;
        }
        out.set_item(pbx, d)?;
    }
    Ok(out)
}

/// `{pbx: [{"uniqueid", "channel", "lot", "space", "parker", "timeout", "since"}]}`.
pub(super) fn parked_of<'py>(py: Python<'py>, m: &core::Model) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    for pbx in m.pbx_names() {
        let parked = m.parked_of(pbx);
        if parked.is_empty() {
            continue;
        }
        let calls = PyList::empty(py);
        for p in parked {
            let f = PyDict::new(py);
            f.set_item("uniqueid", p.uniqueid.as_str())?;
            f.set_item("channel", p.channel.as_str())?;
            f.set_item("lot", p.lot.as_str())?;
            f.set_item("space", p.space.as_str())?;
            f.set_item("parker", p.parker.as_str())?;
            f.set_item("timeout", p.timeout)?;
            f.set_item("since", known(p.since))?;
            calls.append(f)?;
        }
        out.set_item(pbx, calls)?;
    }
    Ok(out)
}

/// `{pbx: {queue: {"callers": [...], "members": [...]}}}` (see docs/model.md).
pub(super) fn queues_of<'py>(py: Python<'py>, m: &core::Model) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    for pbx in m.pbx_names() {
        let queues = m.queues_of(pbx);
        if queues.is_empty() {
            continue;
        }
        let d = PyDict::new(py);
        for q in queues {
            let callers = PyList::empty(py);
            for c in &q.callers {
                let f = PyDict::new(py);
                f.set_item("uniqueid", c.uniqueid.as_str())?;
                f.set_item("channel", c.channel.as_str())?;
                f.set_item("position", c.position)?;
                f.set_item("since", known(c.since))?;
                f.set_item(
                    "ringing",
                    PyList::new(py, c.ringing.iter().map(|i| i.as_str()))?,
                )?;
                f.set_item("abandoned", c.abandoned)?;
                callers.append(f)?;
            }
            let members = PyList::empty(py);
            for mb in &q.members {
                let f = PyDict::new(py);
                f.set_item("interface", mb.interface.as_str())?;
                f.set_item("membername", mb.membername.as_str())?;
                f.set_item("stateinterface", mb.stateinterface.as_str())?;
                f.set_item("membership", mb.membership.as_str())?;
                f.set_item("status", mb.status.as_str())?;
                f.set_item("state", core::device_state(&mb.status))?;
                f.set_item("paused", mb.paused)?;
                f.set_item("callstaken", mb.callstaken)?;
                f.set_item("incall", mb.incall)?;
                f.set_item("ringing", mb.ringing.as_deref())?;
                f.set_item("connected", mb.connected.as_deref())?;
                members.append(f)?;
            }
            let f = PyDict::new(py);
            f.set_item("callers", callers)?;
            f.set_item("members", members)?;
            d.set_item(q.name.as_str(), f)?;
        }
        out.set_item(pbx, d)?;
    }
    Ok(out)
}

/// `{pbx: {key: entry}}` of one presence part, PBXes without one left out.
fn per_pbx<'py, T>(
    py: Python<'py>,
    m: &core::Model,
    of: impl Fn(&str) -> Vec<T>,
    entry: impl Fn(&Bound<'py, PyDict>, T) -> PyResult<()>,
) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    for pbx in m.pbx_names() {
        let items = of(pbx);
        if items.is_empty() {
            continue;
        }
        let d = PyDict::new(py);
        for item in items {
            entry(&d, item)?;
        }
        out.set_item(pbx, d)?;
    }
    Ok(out)
}

/// `{pbx: {device: state}}`.
pub(super) fn devices_of<'py>(py: Python<'py>, m: &core::Model) -> PyResult<Bound<'py, PyDict>> {
    per_pbx(
        py,
        m,
        |p| m.devices_of(p),
        |d, (device, state)| d.set_item(device, state),
    )
}

/// `{pbx: {"exten@context": {"exten", "context", "hint", "status", "statustext"}}}`.
pub(super) fn extensions_of<'py>(py: Python<'py>, m: &core::Model) -> PyResult<Bound<'py, PyDict>> {
    per_pbx(
        py,
        m,
        |p| m.extensions_of(p),
        |d, e| {
            let f = PyDict::new(py);
            f.set_item("exten", e.exten.as_str())?;
            f.set_item("context", e.context.as_str())?;
            f.set_item("hint", e.hint.as_str())?;
            f.set_item("status", status_number(py, &e.status)?)?;
            f.set_item("statustext", e.statustext.as_str())?;
            d.set_item(format!("{}@{}", e.exten, e.context), f)
        },
    )
}

/// An extension's status as the number AMI gives, or the text if it gave another.
fn status_number<'py>(py: Python<'py>, status: &str) -> PyResult<Bound<'py, PyAny>> {
    match status.parse::<i64>() {
        Ok(n) => Ok(n.into_pyobject(py)?.into_any()),
        Err(_) => Ok(status.into_pyobject(py)?.into_any()),
    }
}

/// `{pbx: {uri: {"aor", "uri", "endpoint", "status", "roundtrip"}}}`, `roundtrip` in
/// microseconds (None when the PBX gave none).
pub(super) fn contacts_of<'py>(py: Python<'py>, m: &core::Model) -> PyResult<Bound<'py, PyDict>> {
    per_pbx(
        py,
        m,
        |p| m.contacts_of(p),
        |d, c| {
            let f = PyDict::new(py);
            f.set_item("aor", c.aor.as_str())?;
            f.set_item("uri", c.uri.as_str())?;
            f.set_item("endpoint", c.endpoint.as_str())?;
            f.set_item("status", c.status.as_str())?;
            f.set_item("roundtrip", c.roundtrip.parse::<u64>().ok())?;
            d.set_item(c.uri.as_str(), f)
        },
    )
}

/// `{pbx: {key: {"channeltype", "username", "domain", "status"}}}`, keyed as
/// `registration_key` says.
pub(super) fn registrations_of<'py>(
    py: Python<'py>,
    m: &core::Model,
) -> PyResult<Bound<'py, PyDict>> {
    per_pbx(
        py,
        m,
        |p| m.registrations_of(p),
        |d, r| {
            let f = PyDict::new(py);
            f.set_item("channeltype", r.channeltype.as_str())?;
            f.set_item("username", r.username.as_str())?;
            f.set_item("domain", r.domain.as_str())?;
            f.set_item("status", r.status.as_str())?;
            d.set_item(registration_key(&r.username, &r.domain), f)
        },
    )
}

/// A registration's key: `user@domain` of `chan_sip`'s two (`alice`,
/// `sip.example.com`); PJSIP's client and server URIs with a space between them (one
/// client URI may register to two servers).
fn registration_key(username: &str, domain: &str) -> String {
    if domain.is_empty() {
        username.to_string()
    } else if username.contains('@') {
        format!("{username} {domain}")
    } else {
        format!("{username}@{domain}")
    }
}

/// `{pbx: {peer: {"channeltype", "peer", "status", "address"}}}`.
pub(super) fn peers_of<'py>(py: Python<'py>, m: &core::Model) -> PyResult<Bound<'py, PyDict>> {
    per_pbx(
        py,
        m,
        |p| m.peers_of(p),
        |d, pe| {
            let f = PyDict::new(py);
            f.set_item("channeltype", pe.channeltype.as_str())?;
            f.set_item("peer", pe.peer.as_str())?;
            f.set_item("status", pe.status.as_str())?;
            f.set_item("address", pe.address.as_str())?;
            d.set_item(pe.peer.as_str(), f)
        },
    )
}
