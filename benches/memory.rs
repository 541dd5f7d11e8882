//! Memory of the model: live heap bytes per channel at 100,000 concurrent channels, and
//! after they all hang up, over 10 cycles; then a connection that lives on after its
//! resync, over a million call cycles. A counting allocator measures what the model
//! holds, independently of how the C allocator returns memory to the system.
//!
//! `cargo bench --bench memory`

use hackamore::ami::Message;
use hackamore::model::{Change, Model, Normalizer, Tracker};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on unchanged to the system allocator, which upholds
// GlobalAlloc's contract; the counting has no effect on the memory handed out.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's layout, as GlobalAlloc::alloc requires it.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` came from this allocator (so from System) with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` came from this allocator (so from System) with `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const CHANNELS: usize = 100_000;

fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

/// Calls of two channels each, as a real PBX has them: names, numbers, Linkedid, a
/// bridge (one call group per pair), every fourth pair with a trunk correlation value.
fn up(model: &mut Model, cycle: usize) {
    for i in 0..CHANNELS / 2 {
        let a = format!("{}.{}", 1_795_000_000 + cycle, 2 * i);
        let b = format!("{}.{}", 1_795_000_000 + cycle, 2 * i + 1);
        model.apply(&Change::NewChannel {
            pbx: "pbx1".into(),
            uniqueid: a.as_str().into(),
            channel: format!("SIP/{:04}-{:08x}", i % 10_000, 2 * i).into(),
            calleridnum: format!("{}", 1000 + i % 9000).into(),
            channelstate: "6".into(),
            channelstatedesc: "Up".into(),
            linkedid: a.as_str().into(),
        });
        model.apply(&Change::NewChannel {
            pbx: "pbx1".into(),
            uniqueid: b.as_str().into(),
            channel: format!("SIP/trunk-{:08x}", 2 * i + 1).into(),
            calleridnum: "".into(),
            channelstate: "6".into(),
            channelstatedesc: "Up".into(),
            linkedid: a.as_str().into(),
        });
        model.apply(&Change::Dial {
            pbx: "pbx1".into(),
            uniqueid: a.as_str().into(),
            channel: "".into(),
            destuniqueid: b.as_str().into(),
            destination: "".into(),
        });
        model.apply(&Change::Bridge {
            pbx: "pbx1".into(),
            uniqueid1: a.as_str().into(),
            channel1: "".into(),
            callerid1: "".into(),
            uniqueid2: b.as_str().into(),
            channel2: "".into(),
            callerid2: "".into(),
        });
        if i % 4 == 0 {
            model.apply(&Change::SipCallId {
                pbx: "pbx1".into(),
                uniqueid: b.as_str().into(),
                channel: "".into(),
                value: format!("{a}@10.0.0.1").into(),
            });
        }
    }
}

fn down(model: &mut Model, cycle: usize) {
    for i in 0..CHANNELS {
        model.apply(&Change::Hangup {
            pbx: "pbx1".into(),
            uniqueid: format!("{}.{}", 1_795_000_000 + cycle, i).into(),
            channel: "".into(),
        });
    }
}

fn message(fields: &[(&str, &str)]) -> Message {
    let mut m = Message::new();
    for (k, v) in fields {
        m.push(k, v);
    }
    m
}

/// A PBX's complete answers to a resync: one channel up, no conference.
fn resync_answers() -> Vec<Message> {
    let id = |what: &str| format!("hackamore-sync-1-{what}");
    let (b, c, s, r) = (id("bridges"), id("channels"), id("status"), id("rooms"));
    let (p, q) = (id("parked"), id("queues"));
    vec![
        message(&[
            ("Response", "Success"),
            ("ActionID", &b),
            ("EventList", "start"),
        ]),
        message(&[("Event", "BridgeListComplete"), ("ActionID", &b)]),
        message(&[
            ("Response", "Success"),
            ("ActionID", &c),
            ("EventList", "start"),
        ]),
        message(&[
            ("Event", "CoreShowChannel"),
            ("ActionID", &c),
            ("Channel", "SIP/up-1"),
            ("Uniqueid", "1.1"),
            ("ChannelState", "6"),
        ]),
        message(&[("Event", "CoreShowChannelsComplete"), ("ActionID", &c)]),
        message(&[
            ("Response", "Success"),
            ("ActionID", &s),
            ("EventList", "start"),
        ]),
        message(&[("Event", "StatusComplete"), ("ActionID", &s)]),
        message(&[("Response", "Success"), ("ActionID", &p)]),
        message(&[("Event", "ParkedCallsComplete"), ("ActionID", &p)]),
        message(&[("Response", "Success"), ("ActionID", &q)]),
        message(&[("Event", "QueueStatusComplete"), ("ActionID", &q)]),
        message(&[
            ("Response", "Error"),
            ("ActionID", &r),
            ("Message", "No active conferences."),
        ]),
    ]
}

/// A connection that lives on after its resync: a million calls come and go (a channel
/// created, then hung up), and nothing of them may stay behind.
fn after_resync() {
    const CYCLES: usize = 1_000_000;
    let mut t = Tracker::default();
    for m in resync_answers() {
        t.process("pbx1", &m, |_, _| {});
    }
    let baseline = live();
    println!("memory: a live connection after its resync, {CYCLES} call cycles");
    println!(
        "{:>9} {:>14} {:>9} {:>9}",
        "cycles", "bytes held", "resyncs", "tracked"
    );
    // Early points too: a resync never retired would show there, before its 100,000-entry
    // guard gives up on it.
    const SAMPLES: [usize; 8] = [0, 1_000, 10_000, 50_000, 250_000, 500_000, 750_000, CYCLES];
    let mut held = Vec::new();
    for i in 0..=CYCLES {
        if SAMPLES.contains(&i) {
            let bytes = live() as isize - baseline as isize;
            held.push(bytes);
            let (pbxes, kept) = t.resync().tracked();
            println!("{i:>9} {bytes:>14} {pbxes:>9} {kept:>9}");
        }
        if i == CYCLES {
            break;
        }
        let uid = format!("1796.{i}");
        let new = message(&[
            ("Event", "Newchannel"),
            ("Channel", "SIP/caller-1"),
            ("Uniqueid", &uid),
            ("ChannelState", "4"),
        ]);
        let gone = message(&[
            ("Event", "Hangup"),
            ("Channel", "SIP/caller-1"),
            ("Uniqueid", &uid),
        ]);
        t.process("pbx1", &new, |_, _| {});
        t.process("pbx1", &gone, |_, _| {});
    }
    let growth = held.last().unwrap() - held.first().unwrap();
    let peak = held.iter().max().unwrap() - held.first().unwrap();
    println!(
        "memory: after its resync, {growth} bytes more held after {CYCLES} call cycles than after none, at most {peak} on the way (target: flat)"
    );
}

fn main() {
    let _ = Normalizer::default(); // link the whole model module
    let mut model = Model::new();
    let baseline = live();
    println!("memory: model with {CHANNELS} live channels, then all hung up, 10 cycles");
    println!(
        "{:>6} {:>14} {:>12} {:>14}",
        "cycle", "live bytes up", "bytes/chan", "after hangups"
    );
    let mut after = Vec::new();
    let mut per_channel = Vec::new();
    for cycle in 0..10 {
        up(&mut model, cycle);
        let up_bytes = live() - baseline;
        assert_eq!(model.sizes().channels, CHANNELS);
        down(&mut model, cycle);
        let left = live() as isize - baseline as isize;
        assert!(model.sizes().is_empty());
        per_channel.push(up_bytes as f64 / CHANNELS as f64);
        after.push(left);
        println!(
            "{cycle:>6} {up_bytes:>14} {:>12.0} {left:>14}",
            up_bytes as f64 / CHANNELS as f64
        );
    }
    let worst = per_channel.iter().cloned().fold(0.0, f64::max);
    let growth = after.last().unwrap() - after.first().unwrap();
    println!(
        "memory: at most {worst:.0} bytes per live channel (target <= 1024); {} bytes still held after the last hangup (the maps' emptied capacity), growth over 10 cycles {growth} bytes",
        after.last().unwrap()
    );
    after_resync();
}
