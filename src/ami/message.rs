//! One AMI message: ordered `Key: Value` fields over a single byte buffer.

use std::borrow::Cow;
use std::fmt;

/// Offsets of one field inside [`Message`]'s buffer. `u32` keeps a field at 16 bytes;
/// the decoder caps a message far below 4 GiB, and [`Message::push`] refuses more.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Field {
    pub(crate) key_start: u32,
    pub(crate) key_end: u32,
    pub(crate) value_start: u32,
    pub(crate) value_end: u32,
}

/// An AMI message (event, response or the synthetic end-of-source marker).
///
/// Keys may repeat (`ChanVariable`, `Output`) and keep their order. Values are raw bytes:
/// AMI is usually UTF-8 but not always, so text accessors decode lossily.
///
/// ```
/// use hackamore::ami::Message;
/// let mut m = Message::new();
/// m.push("Event", "VarSet");
/// m.push("ChanVariable", "a=1");
/// m.push("ChanVariable", "b=2");
/// assert_eq!(m.get_str("event").as_deref(), Some("VarSet"));
/// assert_eq!(m.get_all("CHANVARIABLE").count(), 2);
/// ```
#[derive(Clone, Default)]
pub struct Message {
    /// Keys and values: either the message's wire lines copied whole by the decoder, or
    /// pairs appended by [`Message::push`]. Only the spans in `fields` are meaningful.
    buf: Vec<u8>,
    fields: Vec<Field>,
    /// The end-of-source marker. Said by whoever made the message, never by its fields:
    /// a PBX can emit any header (a dialplan `UserEvent` with `END: 1`), and that must not
    /// end the PBX's source or drop its channels.
    end: bool,
}

/// Equal when the fields and the end mark are, whatever the buffer holds between fields.
impl PartialEq for Message {
    fn eq(&self, other: &Self) -> bool {
        self.end == other.end
            && self.fields.len() == other.fields.len()
            && self.fields().eq(other.fields())
    }
}

impl Eq for Message {}

/// The key of the end-of-source marker. Upper case on purpose: DTMF events carry an
/// unrelated `End: Yes|No` field, so this key is matched exactly, not case-insensitively.
pub const END_KEY: &str = "END";

impl Message {
    pub fn new() -> Self {
        Self::default()
    }

    /// Capacity hint for the decoder: `bytes` of keys and values, `fields` pairs.
    pub(crate) fn with_capacity(bytes: usize, fields: usize) -> Self {
        Message {
            buf: Vec::with_capacity(bytes),
            fields: Vec::with_capacity(fields),
            end: false,
        }
    }

    /// Make this the message over `wire`, the bytes of its lines, with `fields` spans into
    /// them: the decoder copies a whole message once instead of field by field, into the
    /// allocation this message already has.
    pub(crate) fn refill(&mut self, wire: &[u8], fields: Vec<Field>) {
        debug_assert!(fields.iter().all(|f| f.key_start <= f.key_end
            && f.value_start <= f.value_end
            && f.value_end as usize <= wire.len()));
        self.buf.clear();
        self.buf.extend_from_slice(wire);
        self.fields = fields;
        self.end = false;
    }

    /// The field spans, leaving none: for [`Message::refill`] to reuse.
    pub(crate) fn take_fields(&mut self) -> Vec<Field> {
        std::mem::take(&mut self.fields)
    }

    /// No fields, allocations kept.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.fields.clear();
        self.end = false;
    }

    /// The end-of-source marker a source delivers last: `END: <count>`, where count is the
    /// number of messages the source delivered, this one included.
    pub fn end(count: u64) -> Self {
        let mut m = Message::with_capacity(24, 1);
        m.push(END_KEY, count.to_string());
        m.end = true;
        m
    }

    /// A message that carries an `END` field from a trusted record (an old framework's
    /// event dict, an `Event` built by the caller) is an end-of-source marker; from a PBX
    /// it never is.
    pub fn marked_end_if_recorded(mut self) -> Self {
        self.end = self.get_exact(END_KEY).is_some();
        self
    }

    /// A Trace line is an end-of-source marker when it leads with `END`, as the recorder
    /// writes them (`END: <count>`, then `SOURCE`), or with `SOURCE` then `END`, as the
    /// 2014 framework's tracer wrote them. A PBX's own message starts with `Event` or
    /// `Response`, so an `END` further down (a dialplan `UserEvent(x,END: 1)`, recorded
    /// with the rest) ends nothing when the Trace is replayed.
    pub fn marked_end_if_trace_end(mut self) -> Self {
        let mut keys = self.fields.iter().map(|f| self.key_of(f));
        self.end = match keys.next() {
            Some(b"END") => true,
            Some(b"SOURCE") => keys.next() == Some(b"END"),
            _ => false,
        };
        self
    }

    /// Append a field. Panics only if the message would exceed 4 GiB, which the decoder's
    /// caps rule out.
    pub fn push(&mut self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) {
        let (key, value) = (key.as_ref(), value.as_ref());
        let key_start = self.buf.len();
        self.buf.extend_from_slice(key);
        let key_end = self.buf.len();
        self.buf.extend_from_slice(value);
        let offset = |n: usize| u32::try_from(n).expect("AMI message over 4 GiB");
        self.fields.push(Field {
            key_start: offset(key_start),
            key_end: offset(key_end),
            value_start: offset(key_end),
            value_end: offset(self.buf.len()),
        });
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Bytes allocated, for whoever keeps messages to reuse.
    pub(crate) fn capacity(&self) -> usize {
        self.buf.capacity() + self.fields.capacity() * std::mem::size_of::<Field>()
    }

    /// Bytes held: at most the message's wire size.
    pub fn byte_len(&self) -> usize {
        self.buf.len()
    }

    fn key_of(&self, f: &Field) -> &[u8] {
        &self.buf[f.key_start as usize..f.key_end as usize]
    }

    fn value_of(&self, f: &Field) -> &[u8] {
        &self.buf[f.value_start as usize..f.value_end as usize]
    }

    /// Every field in order, repeated keys included.
    pub fn fields(&self) -> impl ExactSizeIterator<Item = (&[u8], &[u8])> + '_ {
        self.fields
            .iter()
            .map(move |f| (self.key_of(f), self.value_of(f)))
    }

    /// The first value of `key`, compared case-insensitively (`UniqueID` in old Dial events,
    /// `Uniqueid` elsewhere).
    pub fn get(&self, key: &str) -> Option<&[u8]> {
        let key = key.as_bytes();
        self.fields
            .iter()
            .find(|f| self.key_of(f).eq_ignore_ascii_case(key))
            .map(|f| self.value_of(f))
    }

    /// The first value of `key` as text (lossy UTF-8).
    pub fn get_str(&self, key: &str) -> Option<Cow<'_, str>> {
        self.get(key).map(String::from_utf8_lossy)
    }

    /// Every value of `key` in order, compared case-insensitively.
    pub fn get_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        let key = key.as_bytes();
        self.fields
            .iter()
            .filter(move |f| self.key_of(f).eq_ignore_ascii_case(key))
            .map(move |f| self.value_of(f))
    }

    /// The value of a key matched exactly (case-sensitive).
    pub fn get_exact(&self, key: &str) -> Option<&[u8]> {
        let key = key.as_bytes();
        self.fields
            .iter()
            .find(|f| self.key_of(f) == key)
            .map(|f| self.value_of(f))
    }

    /// The last value of a key matched exactly (case-sensitive): what the 2014 framework's
    /// event dicts held, where a repeated key's later line overwrote the earlier one.
    pub fn get_exact_last(&self, key: &str) -> Option<&[u8]> {
        let key = key.as_bytes();
        self.fields
            .iter()
            .rev()
            .find(|f| self.key_of(f) == key)
            .map(|f| self.value_of(f))
    }

    /// The PBX a trace line names: its `SOURCE` field (exact case: a CDR event has an
    /// unrelated `Source`). A recorder appends it after the PBX's own fields, so the search
    /// runs from the end, and the recorder's wins over any the PBX sent.
    pub fn trace_source(&self) -> Option<&[u8]> {
        const KEY: &[u8] = b"SOURCE";
        self.fields
            .iter()
            .rev()
            .find(|f| self.key_of(f) == KEY)
            .map(|f| self.value_of(f))
    }

    /// The event name (`Event:`), if this is an event.
    pub fn event(&self) -> Option<Cow<'_, str>> {
        self.get_str("Event")
    }

    /// The response kind (`Response:` Success, Error, Follows, Goodbye), if this is a response.
    pub fn response(&self) -> Option<Cow<'_, str>> {
        self.get_str("Response")
    }

    /// Is this the end-of-source marker? Only a source's own marker ([`Message::end`]) or
    /// a recorded one ([`Message::marked_end_if_recorded`]) is: never a PBX's message that
    /// happens to carry an `END` field, nor a DTMF `End:`.
    pub fn is_end(&self) -> bool {
        self.end
    }

    /// An END from a source that delivered nothing else (a PBX that refused the
    /// connection or the login): there is nothing of it in a model to drop.
    pub fn is_lone_end(&self) -> bool {
        self.end_count() == Some(1)
    }

    /// The count carried by an end-of-source marker.
    pub fn end_count(&self) -> Option<u64> {
        if !self.end {
            return None;
        }
        std::str::from_utf8(self.get_exact(END_KEY)?)
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    /// The message as AMI wire bytes (`Key: Value\r\n` lines and a blank line).
    pub fn to_wire(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.buf.len() + 4 * self.fields.len() + 2);
        for (k, v) in self.fields() {
            out.extend_from_slice(k);
            out.extend_from_slice(b": ");
            out.extend_from_slice(v);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out
    }
}

/// A message from `(key, value)` pairs, in order.
///
/// ```
/// use hackamore::ami::Message;
/// let m: Message = [("Event", "Hangup"), ("Uniqueid", "1.5")].into_iter().collect();
/// assert_eq!(m.get_str("uniqueid").as_deref(), Some("1.5"));
/// ```
impl<K: AsRef<[u8]>, V: AsRef<[u8]>> FromIterator<(K, V)> for Message {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        let mut m = Message::new();
        for (k, v) in pairs {
            m.push(k, v);
        }
        m
    }
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_list();
        for (k, v) in self.fields() {
            let key = String::from_utf8_lossy(k);
            // A message the codec holds may be a login action echoed back in a test.
            let value = if key.eq_ignore_ascii_case("Secret") || key.eq_ignore_ascii_case("Key") {
                Cow::Borrowed("<hidden>")
            } else {
                String::from_utf8_lossy(v)
            };
            map.entry(&format_args!("{key}: {value}"));
        }
        map.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_marker_is_case_sensitive() {
        let mut dtmf = Message::new();
        dtmf.push("Event", "DTMF");
        dtmf.push("End", "Yes");
        assert!(!dtmf.is_end());
        assert_eq!(dtmf.get("END"), Some(&b"Yes"[..]));
        let end = Message::end(7);
        assert!(end.is_end());
        assert_eq!(end.end_count(), Some(7));
    }

    #[test]
    fn an_end_field_from_a_pbx_is_no_end_marker_unless_recorded() {
        let wire = b"Event: UserEvent\r\nUserEvent: x\r\nEND: 1\r\n\r\n";
        let mut d = crate::ami::Decoder::new();
        d.feed(wire);
        let m = d.next_message().unwrap();
        assert!(!m.is_end());
        assert_eq!(m.end_count(), None);
        let recorded = m.marked_end_if_recorded();
        assert!(recorded.is_end());
        assert_eq!(recorded.end_count(), Some(1));
        // In a Trace, only the recorder's END (leading its record) is one.
        let traced = |wire: &[u8]| {
            let mut d = crate::ami::Decoder::new();
            d.feed(wire);
            d.next_message().unwrap().marked_end_if_trace_end()
        };
        assert!(!traced(b"Event: UserEvent\r\nEND: 1\r\nSOURCE: p\r\n\r\n").is_end());
        assert_eq!(traced(b"END: 4\r\nSOURCE: p\r\n\r\n").end_count(), Some(4));
        assert!(!traced(b"end: 4\r\nSOURCE: p\r\n\r\n").is_end());
        // A recycled end marker comes back as an ordinary message.
        let mut d = crate::ami::Decoder::new();
        d.recycle(Message::end(3));
        d.feed(b"Event: Hangup\r\n\r\n");
        assert!(!d.next_message().unwrap().is_end());
    }

    #[test]
    fn trace_source_is_the_last_exact_source() {
        let m: Message = [
            ("Event", "Cdr"),
            ("Source", "1001"), // the CDR's own field, another case
            ("SOURCE", "sent-by-the-pbx"),
            ("SOURCE", "pbx2"), // the recorder's, appended
            ("TIME", "1.5"),
        ]
        .into_iter()
        .collect();
        assert_eq!(m.trace_source(), Some(&b"pbx2"[..]));
        let plain: Message = [("Event", "Cdr"), ("Source", "1001")].into_iter().collect();
        assert_eq!(plain.trace_source(), None);
    }

    #[test]
    fn wire_round_trip_keeps_order_and_repeats() {
        let mut m = Message::new();
        m.push("Event", "Newchannel");
        m.push("AccountCode", "");
        m.push("ChanVariable", "a=1");
        m.push("ChanVariable", "b=2");
        assert_eq!(
            m.to_wire(),
            b"Event: Newchannel\r\nAccountCode: \r\nChanVariable: a=1\r\nChanVariable: b=2\r\n\r\n"
        );
        let all: Vec<_> = m.get_all("chanvariable").collect();
        assert_eq!(all, vec![&b"a=1"[..], &b"b=2"[..]]);
    }

    #[test]
    fn debug_hides_secrets() {
        let mut m = Message::new();
        m.push("Action", "Login");
        m.push("Secret", "hunter2");
        assert!(!format!("{m:?}").contains("hunter2"));
    }
}
