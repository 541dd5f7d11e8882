//! Which events the model reads, as a value a reader on another thread can hold: given
//! to a decoder ([`crate::ami::Decoder::next_wanted`]), it passes over the rest unread.

use super::normalize::reads;
use super::presence::cached_device;
use super::{resync, Rules};
use crate::ami::split_field;
use crate::ami::sync::SYNC_PREFIX;
use crate::ami::{Interest, Want};
use memchr::memmem::{self, Finder};

/// The events a [`super::Tracker`] with the same trunk variable and rules reads: its
/// model events, a `VarSet` only if it names the trunk variable, the resync's answers.
#[derive(Clone, Debug)]
pub struct ModelInterest {
    /// Finds the trunk variable's name in a `VarSet`.
    trunk_variable: Finder<'static>,
    rules: Rules,
    /// Read the lines of answers to others' actions whole too.
    others_answers: bool,
}

impl Default for ModelInterest {
    fn default() -> Self {
        ModelInterest::new(crate::ami::sync::DEFAULT_TRUNK_VARIABLE, Rules::Standard)
    }
}

impl ModelInterest {
    pub fn new(trunk_variable: &str, rules: Rules) -> Self {
        ModelInterest {
            trunk_variable: Finder::new(trunk_variable.as_bytes()).into_owned(),
            rules,
            others_answers: false,
        }
    }

    /// Also read whole the lines of answers to actions not the model's (a capture's
    /// recorded checkpoints), which the model never takes anything from: for a reader
    /// beside the model that checks them.
    pub fn reading_others_answers(mut self) -> Self {
        self.others_answers = true;
        self
    }
}

impl Interest for ModelInterest {
    fn wants(&self, event: &[u8]) -> Want<'_> {
        if event == b"DeviceStateChange" && !self.others_answers {
            return Want::UnlessNothingIn(nothing_in_device_state);
        }
        if resync::may_answer(Some(event)) {
            return if self.others_answers {
                Want::Yes
            } else {
                Want::UnlessNothingIn(foreign_answer)
            };
        }
        match reads(event) {
            Some(true) => Want::Yes,
            Some(false) => Want::No,
            None => Want::IfContains(&self.trunk_variable),
        }
    }

    /// The 2014 framework read an event's last `Event:` line.
    fn reads_later_event_lines(&self) -> bool {
        self.rules == Rules::Framework2014
    }
}

/// Is this a line of the answer to another's action (a recorded checkpoint's list, in a
/// capture)? The model reads its own resync's answers only, and no line of an answer as
/// an event. The first `ActionID` line decides, in any case, read as the decoder reads it.
fn foreign_answer(event: &[u8]) -> bool {
    // Most events carry none: found (as Asterisk spells it) before any line is split.
    memmem::find(event, b"\nActionID: ").is_some()
        && first_value(event, b"ActionID").is_some_and(|id| !id.starts_with(SYNC_PREFIX.as_bytes()))
}

/// Is this `DeviceStateChange` one the model takes nothing from: of a device it keeps no
/// state for (a Local channel's: half of those a PBX sends), or a line of another's
/// `DeviceStateList`? Without a `Device` line it is read whole.
fn nothing_in_device_state(event: &[u8]) -> bool {
    foreign_answer(event)
        || first_value(event, b"Device")
            .and_then(|d| std::str::from_utf8(d).ok())
            .is_some_and(|d| !d.is_empty() && !cached_device(d))
}

/// The first value of `key` in an event's bytes, its lines split as the decoder splits
/// them.
fn first_value<'a>(event: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    event
        .split(|&b| b == b'\n')
        .skip(1) // `Event: ...`
        .map(|line| split_field(line.strip_suffix(b"\r").unwrap_or(line)))
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ami::{Decoder, Next};

    /// The messages `bytes` decodes to when the model's interest passes over what it may.
    fn read(bytes: &[u8]) -> Vec<Option<String>> {
        let mut d = Decoder::new();
        d.feed(bytes);
        std::iter::from_fn(|| d.next_wanted(&ModelInterest::default()))
            .map(|n| match n {
                Next::Message(m) => Some(
                    m.get_str("Device")
                        .or(m.get_str("Exten"))
                        .unwrap_or_default()
                        .into(),
                ),
                Next::Skipped => None,
            })
            .collect()
    }

    #[test]
    fn device_states_the_model_keeps_none_of_are_passed_over() {
        let got = read(
            b"Event: DeviceStateChange\r\nDevice: Local/a@b\r\nState: INUSE\r\n\r\n\
              Event: DeviceStateChange\r\nDevice: PJSIP/2001\r\nState: INUSE\r\n\r\n\
              Event: DeviceStateChange\r\ndevice: CBAnn/100\r\nState: INUSE\r\n\r\n\
              Event: DeviceStateChange\r\nState: INUSE\r\n\r\n",
        );
        assert_eq!(
            got,
            [None, Some("PJSIP/2001".into()), None, Some(String::new())]
        );
    }

    #[test]
    fn lines_of_anothers_answer_are_passed_over_and_ours_read() {
        let got = read(
            b"Event: ExtensionStatus\r\nActionID: exten-3\r\nExten: 2001\r\n\r\n\
              Event: ExtensionStatus\r\nActionID: hackamore-sync-1-exten\r\nExten: 2002\r\n\r\n\
              Event: ExtensionStatus\r\nExten: 2003\r\n\r\n\
              Event: ExtensionStatus\r\nactionid: hackamore-sync-1-exten\r\nActionID: x\r\nExten: 2004\r\n\r\n\
              Event: DeviceStateChange\r\nActionID: devices-3\r\nDevice: PJSIP/1\r\n\r\n",
        );
        let want = [None, Some("2002"), Some("2003"), Some("2004"), None];
        assert_eq!(got, want.map(|w| w.map(String::from)));
    }
}
