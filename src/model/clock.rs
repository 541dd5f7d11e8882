//! When a message happened, for the changes that record a time (a queue caller's or a
//! parked call's `since`).

use crate::ami::Message;

/// What "when" means for the messages a tracker is given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Clock {
    /// Messages arrive as they happen: one without a recorded `TIME` happened now.
    #[default]
    Wall,
    /// Messages are read back from a capture: one without a recorded `TIME` happened at
    /// an unknown time, so replaying the same capture twice gives the same changes.
    Recorded,
}

impl Clock {
    /// When `m` happened, in Unix seconds: its `TIME` (a Trace records one per message),
    /// else now for [`Clock::Wall`] and unknown for [`Clock::Recorded`].
    pub fn at(self, m: &Message) -> Option<f64> {
        let recorded = m
            .get_exact("TIME")
            .and_then(|t| std::str::from_utf8(t).ok()?.trim().parse::<f64>().ok())
            .filter(|t| t.is_finite());
        match (recorded, self) {
            (Some(t), _) => Some(t),
            (None, Clock::Recorded) => None,
            (None, Clock::Wall) => Some(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0.0, |d| d.as_secs_f64()),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Clock;
    use crate::ami::Message;

    fn message(lines: &[(&str, &str)]) -> Message {
        let mut m = Message::default();
        for (k, v) in lines {
            m.push(k.as_bytes(), v.as_bytes());
        }
        m
    }

    #[test]
    fn a_recorded_time_wins_under_either_clock() {
        let m = message(&[("Event", "QueueCallerJoin"), ("TIME", "1700000000.25")]);
        assert_eq!(Clock::Wall.at(&m), Some(1_700_000_000.25));
        assert_eq!(Clock::Recorded.at(&m), Some(1_700_000_000.25));
    }

    #[test]
    fn without_one_the_wall_clock_says_now_and_a_capture_says_unknown() {
        let m = message(&[("Event", "QueueCallerJoin"), ("TIME", "soon")]);
        assert!(Clock::Wall.at(&m).is_some_and(|t| t > 1_600_000_000.0));
        assert_eq!(Clock::Recorded.at(&m), None);
    }
}
