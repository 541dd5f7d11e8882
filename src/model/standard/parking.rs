//! Rules of parking lots.

use super::Model;
use crate::model::parking::ParkedCall;

impl Model {
    /// A known channel was parked (parked again: its new space); `timeout` in seconds from
    /// `since` (Unix time).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn parkedcall(
        &mut self,
        pbx: &str,
        uniqueid: &str,
        channel: &str,
        lot: &str,
        space: &str,
        parker: &str,
        timeout: &str,
        since: &str,
    ) {
        let Some(p) = self.pbxes.get_mut(pbx) else {
            return;
        };
        if p.channels.get(uniqueid).is_none() {
            return;
        }
        let parked = ParkedCall {
            uniqueid: uniqueid.into(),
            channel: channel.into(),
            lot: lot.into(),
            space: space.into(),
            parker: parker.into(),
            timeout: timeout.parse().unwrap_or(0),
            since: since.parse().unwrap_or(0.0),
        };
        p.parked.insert(parked.uniqueid.clone(), parked);
    }

    /// A parked call left its space (taken back, timed out, or hung up).
    pub(crate) fn unparked(&mut self, pbx: &str, uid: &str) {
        if let Some(p) = self.pbxes.get_mut(pbx) {
            p.parked.remove(uid);
        }
        self.drop_if_empty(pbx);
    }
}
