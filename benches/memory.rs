//! Memory of the model: live heap bytes per channel at 100,000 concurrent channels, and
//! after they all hang up, over 10 cycles. A counting allocator measures what the model
//! holds, independently of how the C allocator returns memory to the system.
//!
//! `cargo bench --bench memory`

use hackamore::model::{Change, Model, Normalizer};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
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
        model.dial("pbx1", &a, &b);
        model.bridge("pbx1", &a, &b);
        if i % 4 == 0 {
            model.sipcallid("pbx1", &b, &format!("{a}@10.0.0.1"));
        }
    }
}

fn down(model: &mut Model, cycle: usize) {
    for i in 0..CHANNELS {
        model.hangup("pbx1", &format!("{}.{}", 1_795_000_000 + cycle, i));
    }
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
}
