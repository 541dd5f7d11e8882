//! Arbitrary bytes through decoder, normaliser and model, spread over two PBXes by the
//! input itself, on a connection of pbx1 that has been resynced first (its answers
//! complete: what the resync kept is let go). Never a panic; the model never holds more
//! channels than messages seen; the resync keeps nothing once its answers are in; and
//! once both PBXes have ended, nothing of them is left (channels, calls, rooms, trunks,
//! bridges, resync state).
#![no_main]

use hackamore::ami::{Decoder, Limits, Message};
use hackamore::model::Tracker;
use libfuzzer_sys::fuzz_target;

/// A PBX's complete answers to a resync: one channel up, one device state, no
/// conference, no PJSIP.
const RESYNCED: &[u8] = b"Response: Success\r\nActionID: hackamore-sync-1-bridges\r\nEventList: start\r\n\r\n\
Event: BridgeListComplete\r\nActionID: hackamore-sync-1-bridges\r\n\r\n\
Response: Success\r\nActionID: hackamore-sync-1-channels\r\nEventList: start\r\n\r\n\
Event: CoreShowChannel\r\nActionID: hackamore-sync-1-channels\r\nChannel: SIP/up-1\r\nUniqueid: 1.1\r\nChannelState: 6\r\n\r\n\
Event: CoreShowChannelsComplete\r\nActionID: hackamore-sync-1-channels\r\n\r\n\
Response: Success\r\nActionID: hackamore-sync-1-status\r\nEventList: start\r\n\r\n\
Event: StatusComplete\r\nActionID: hackamore-sync-1-status\r\n\r\n\
Response: Success\r\nActionID: hackamore-sync-1-parked\r\n\r\n\
Event: ParkedCallsComplete\r\nActionID: hackamore-sync-1-parked\r\n\r\n\
Response: Success\r\nActionID: hackamore-sync-1-queues\r\n\r\n\
Event: QueueStatusComplete\r\nActionID: hackamore-sync-1-queues\r\n\r\n\
Response: Error\r\nActionID: hackamore-sync-1-rooms\r\nMessage: No active conferences.\r\n\r\n\
Response: Success\r\nActionID: hackamore-sync-1-devices\r\nEventList: start\r\n\r\n\
Event: DeviceStateChange\r\nActionID: hackamore-sync-1-devices\r\nDevice: PJSIP/2001\r\nState: NOT_INUSE\r\n\r\n\
Event: DeviceStateListComplete\r\nActionID: hackamore-sync-1-devices\r\n\r\n\
Response: Error\r\nActionID: hackamore-sync-1-extensions\r\nMessage: Invalid/unknown command\r\n\r\n\
Response: Error\r\nActionID: hackamore-sync-1-contacts\r\nMessage: Invalid/unknown command\r\n\r\n\
Response: Error\r\nActionID: hackamore-sync-1-registrations\r\nMessage: Invalid/unknown command\r\n\r\n";

fuzz_target!(|data: &[u8]| {
    let limits = Limits { max_line: 512, max_message: 4096, max_headers: 32 };
    let (head, body) = data.split_at(data.len().min(2));
    let split = head.first().map_or(1, |s| usize::from(*s).max(1));
    let spread = head.get(1).copied().unwrap_or(0);
    let pbxes = ["pbx1", "pbx2"];
    let mut d = Decoder::with_limits(limits);
    let mut t = Tracker::default();
    let mut seen = 0usize;
    d.feed(RESYNCED);
    while let Some(m) = d.next_message() {
        seen += 1;
        t.process("pbx1", &m, |_, _| {});
    }
    assert_eq!(t.resync().tracked(), (0, 0));
    for chunk in body.chunks(split) {
        d.feed(chunk);
        while let Some(m) = d.next_message() {
            let pbx = pbxes[usize::from(spread >> (seen % 8)) & 1];
            seen += 1;
            t.process(pbx, &m, |_, _| {});
            assert!(t.model().sizes().channels <= seen);
            // A resync the input starts itself may wait for answers, within its bound.
            assert!(t.resync().tracked().1 <= 100_000 + seen);
        }
    }
    d.finish();
    for pbx in pbxes {
        t.process(pbx, &Message::end(seen as u64 + 1), |_, _| {});
    }
    assert!(t.model().sizes().is_empty(), "{:?}", t.model().sizes());
    assert_eq!(t.normalizer().tracked_bridges(), 0);
    assert_eq!(t.normalizer().tracked_bridge_members(), 0);
    assert_eq!(t.resync().tracked(), (0, 0));
});
