//! Incremental, sans-IO AMI decoder: bytes in any chunking -> [`Message`]s.
//!
//! The decoder never fails: input it cannot use is dropped, logged and counted in
//! [`DecodeStats`], and decoding resumes at the next message boundary (a blank line).
//! Memory is bounded by the line cap plus the largest chunk handed to [`Decoder::feed`] or
//! asked for by [`Decoder::read_with`], plus up to 1 MiB of recycled messages kept for
//! reuse ([`Decoder::recycle`]).

mod passing;

use super::banner::Banner;
use super::lines::{self, find_separator, Classifier, Lines};
use super::message::{Field, Message};
use memchr::memchr;

/// Caps on untrusted input. A line or message over its cap is dropped whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Longest line, excluding its line ending.
    pub max_line: usize,
    /// Largest message, counting each line with its line ending.
    pub max_message: usize,
    /// Most fields in one message.
    pub max_headers: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line: 64 * 1024,
            max_message: 1024 * 1024,
            max_headers: 4096,
        }
    }
}

/// What the decoder skipped or saw, for logs and health checks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DecodeStats {
    /// Messages read: delivered, or passed over unread ([`Decoder::next_wanted`]).
    pub messages: u64,
    /// Of those, events passed over unread because the reader did not want them.
    pub skipped: u64,
    /// Banner lines seen (`Asterisk Call Manager/x.y.z`).
    pub banners: u64,
    /// Messages dropped because one of their lines exceeded `max_line`.
    pub oversized_lines: u64,
    /// Messages dropped because they exceeded `max_message`.
    pub oversized_messages: u64,
    /// Messages dropped because they exceeded `max_headers`.
    pub too_many_headers: u64,
    /// Incomplete messages dropped at the end of the input.
    pub truncated: u64,
}

impl DecodeStats {
    /// Field-wise sum, for a reader that restarts its decoder.
    pub fn plus(&self, o: &DecodeStats) -> DecodeStats {
        DecodeStats {
            messages: self.messages + o.messages,
            skipped: self.skipped + o.skipped,
            banners: self.banners + o.banners,
            oversized_lines: self.oversized_lines + o.oversized_lines,
            oversized_messages: self.oversized_messages + o.oversized_messages,
            too_many_headers: self.too_many_headers + o.too_many_headers,
            truncated: self.truncated + o.truncated,
        }
    }

    /// Messages dropped for any reason.
    pub fn dropped(&self) -> u64 {
        self.oversized_lines + self.oversized_messages + self.too_many_headers + self.truncated
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Reading `Key: Value` lines.
    Headers,
    /// Inside a `Response: Follows` body, which ends with `--END COMMAND--`.
    Follows,
    /// Dropping the rest of a message that broke a cap; `follows` if it was a Follows body.
    Skipping { follows: bool },
}

const END_COMMAND: &[u8] = b"--END COMMAND--";

/// The incremental decoder. Feed bytes, then take messages until `None`.
///
/// ```
/// use hackamore::ami::Decoder;
/// let mut d = Decoder::new();
/// d.feed(b"Asterisk Call Manager/13.0.0\r\nEvent: Hangup\r\nUniq");
/// assert!(d.next_message().is_none()); // incomplete is not an error
/// d.feed(b"ueid: 1.5\r\n\r\n");
/// let m = d.next_message().unwrap();
/// assert_eq!(m.get_str("uniqueid").as_deref(), Some("1.5"));
/// assert_eq!(d.banner().unwrap().version, "13.0.0");
/// ```
#[derive(Debug)]
pub struct Decoder {
    limits: Limits,
    /// Input not yet consumed is `buf[pos..end]`; bytes after `end` are room for the next
    /// read ([`Decoder::read_with`]), kept so that reading needs no copy and no zeroing.
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    /// Where the search for the next `\n` resumes, so a long partial line is scanned once.
    scan: usize,
    /// Stream offset of `buf[0]`.
    base: u64,
    /// Stream offset just past the last message boundary.
    boundary: u64,
    /// Dropping bytes up to the next `\n` (the current line broke `max_line`).
    discarding_line: bool,
    state: State,
    cur: Message,
    cur_wire: usize,
    cur_has_output: bool,
    banner: Option<Banner>,
    stats: DecodeStats,
    /// Capacity for the next message (bytes, fields), from the last one.
    hint: (usize, usize),
    /// Delivered messages handed back ([`Decoder::recycle`]), whose allocations the next
    /// messages reuse.
    spare: Vec<Message>,
}

/// A recycled message keeps its allocations only up to this size (AMI events are a few
/// hundred bytes), so large messages do not pin their memory for the life of the
/// connection: the spares hold at most `SPARE_MESSAGES * SPARE_BYTES` (1 MiB).
const SPARE_BYTES: usize = 4 * 1024;
/// Messages kept for reuse: a batch's worth for a reader whose messages come back in
/// batches from another thread.
const SPARE_MESSAGES: usize = 256;

impl Default for Decoder {
    fn default() -> Self {
        Decoder::with_limits(Limits::default())
    }
}

impl Decoder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_limits(limits: Limits) -> Self {
        Decoder {
            limits,
            buf: Vec::new(),
            pos: 0,
            end: 0,
            scan: 0,
            base: 0,
            boundary: 0,
            discarding_line: false,
            state: State::Headers,
            cur: Message::new(),
            cur_wire: 0,
            cur_has_output: false,
            banner: None,
            stats: DecodeStats::default(),
            hint: (256, 16),
            spare: Vec::new(),
        }
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The latest banner line seen, if any.
    pub fn banner(&self) -> Option<&Banner> {
        self.banner.as_ref()
    }

    pub fn stats(&self) -> DecodeStats {
        self.stats
    }

    /// Stream offset just past the last complete message (or banner): where a reader that
    /// stops now should resume to lose and repeat nothing.
    pub fn resume_offset(&self) -> u64 {
        self.boundary
    }

    /// Bytes held that do not yet form a complete message.
    pub fn pending_bytes(&self) -> usize {
        self.end - self.pos + self.cur_wire
    }

    /// Append input. Chunks may split anywhere, `\r\n` included.
    pub fn feed(&mut self, data: &[u8]) {
        self.room(data.len()).copy_from_slice(data);
        self.end += data.len();
    }

    /// Append input read straight into the decoder's buffer: `read` gets room for up to
    /// `max` bytes and says how many it wrote (as `std::io::Read::read` does), which saves
    /// the copy [`Decoder::feed`] makes. A failed read appends nothing.
    pub fn read_with<E>(
        &mut self,
        max: usize,
        read: impl FnOnce(&mut [u8]) -> Result<usize, E>,
    ) -> Result<usize, E> {
        let n = read(self.room(max))?.min(max);
        self.end += n;
        Ok(n)
    }

    /// `len` bytes of room after the input held, first dropping what was consumed (at most
    /// one partial line is kept, <= `max_line`).
    fn room(&mut self, len: usize) -> &mut [u8] {
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.base += self.pos as u64;
            self.scan -= self.pos;
            self.pos = 0;
        }
        if self.buf.len() < self.end + len {
            self.buf.resize(self.end + len, 0);
        }
        &mut self.buf[self.end..self.end + len]
    }

    /// The next complete message, or `None` when more bytes are needed.
    pub fn next_message(&mut self) -> Option<Message> {
        let mut m = self.spare.pop().unwrap_or_default();
        if self.next_message_into(&mut m) {
            Some(m)
        } else {
            self.spare.push(m);
            None
        }
    }

    /// Hand back a message done with: the next one decoded reuses its allocations, so a
    /// reader that handles one message at a time decodes without allocating.
    pub fn recycle(&mut self, m: Message) {
        if m.capacity() <= SPARE_BYTES && self.spare.len() < SPARE_MESSAGES {
            self.spare.push(m);
        }
    }

    /// The next message into `out` (cleared, allocations kept, when there is none).
    fn next_message_into(&mut self, out: &mut Message) -> bool {
        if self.whole_message(out) {
            self.stats.messages += 1;
            return true;
        }
        out.clear();
        loop {
            let Some(nl) = memchr(b'\n', &self.buf[self.scan..self.end]) else {
                self.scan = self.end;
                self.check_partial_line();
                return false;
            };
            let end = self.scan + nl; // index of '\n'
            let start = self.pos;
            self.pos = end + 1;
            self.scan = self.pos;
            if std::mem::take(&mut self.discarding_line) {
                continue; // tail of a line already dropped
            }
            let mut line_end = end;
            if line_end > start && self.buf[line_end - 1] == b'\r' {
                line_end -= 1;
            }
            if line_end - start > self.limits.max_line {
                self.drop_message(Drop::Line);
                continue;
            }
            // The line is copied out of `buf` by `on_line` before `buf` is touched again.
            let line_range = start..line_end;
            let wire = end + 1 - start;
            if let Some(m) = self.on_line(line_range, wire) {
                *out = m;
                self.stats.messages += 1;
                return true;
            }
        }
    }

    /// The common case, fast: a plain message lying whole in the buffer is indexed in place
    /// and copied once into `out`. Anything else (a message split across reads, a banner, a
    /// `Follows` body, a cap reached) returns `false` having consumed nothing, and the
    /// line-by-line path below decodes it by the same rules.
    fn whole_message(&mut self, out: &mut Message) -> bool {
        #[cfg(target_arch = "x86_64")]
        if let Some(avx2) = lines::Avx2::detect() {
            // SAFETY: `detect` found AVX2 on this CPU.
            return unsafe { self.whole_message_avx2(out, avx2) };
        }
        self.whole_message_with(out, lines::Detect)
    }

    /// [`Decoder::whole_message`] compiled for AVX2, with the block classifier inlined.
    ///
    /// # Safety
    /// The CPU must have AVX2, which holding an [`lines::Avx2`] proves.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn whole_message_avx2(&mut self, out: &mut Message, avx2: lines::Avx2) -> bool {
        self.whole_message_with(out, avx2)
    }

    #[inline(always)]
    fn whole_message_with(&mut self, out: &mut Message, classifier: impl Classifier) -> bool {
        if self.state != State::Headers
            || !self.cur.is_empty()
            || self.discarding_line
            || self.scan != self.pos
        {
            return false;
        }
        let hay = &self.buf[self.pos..self.end];
        if u32::try_from(hay.len()).is_err() {
            return false; // a cap set over 4 GiB: offsets below would not fit a Field
        }
        let mut fields = out.take_fields();
        fields.clear();
        fields.reserve(self.hint.1);
        let mut first = 0; // of the message's first line: blank lines before it are skipped
        let limits = self.limits;
        let short = limits.max_line.min(limits.max_message);
        for line in Lines::with(hay, classifier) {
            let (start, end) = (line.start, line.newline);
            let mut line_end = end;
            if line_end > start && hay[line_end - 1] == b'\r' {
                line_end -= 1;
            }
            if line_end == start {
                if fields.is_empty() {
                    first = end + 1;
                    continue;
                }
                out.refill(&hay[first..start], fields);
                self.pos += end + 1;
                self.scan = self.pos;
                self.boundary = self.base + self.pos as u64;
                self.hint = (out.byte_len(), out.len() + 2);
                return true;
            }
            // Within `short` bytes of its start, no line of a message can break a size cap.
            if (end + 1 - first > short
                && (line_end - start > limits.max_line || end + 1 - first > limits.max_message))
                || fields.len() == limits.max_headers
            {
                return false;
            }
            let (key_end, value_start) = match line.separator {
                // A `": "` whose space is the line's `\r` cannot occur: `' ' != '\r'`.
                Some(at) => (at, at + 2),
                None if fields.is_empty() => return false, // perhaps a banner
                None => {
                    let key_end = if hay[line_end - 1] == b':' {
                        line_end - 1
                    } else {
                        line_end
                    };
                    (key_end, line_end)
                }
            };
            let (key, value) = (&hay[start..key_end], &hay[value_start..line_end]);
            if fields.is_empty() && is_follows(key, value) {
                return false;
            }
            // Offsets from the message's first line, within `hay`: they fit (checked above).
            let at = |n: usize| (n - first) as u32;
            fields.push(Field {
                key_start: at(start),
                key_end: at(key_end),
                value_start: at(value_start),
                value_end: at(line_end),
            });
        }
        false
    }

    /// Declare the end of input: an incomplete message is dropped, logged and counted.
    pub fn finish(&mut self) {
        let partial_line = self.end > self.pos && !self.discarding_line;
        if !self.cur.is_empty() || partial_line || matches!(self.state, State::Follows) {
            self.stats.truncated += 1;
            log::warn!(
                "AMI stream ended inside a message ({} bytes): message dropped",
                self.pending_bytes()
            );
        }
        self.base += self.end as u64;
        self.end = 0;
        self.pos = 0;
        self.scan = 0;
        self.discarding_line = false;
        self.reset_message();
    }

    /// A line with no `\n` yet: if it is already over the cap, drop it now so memory stays
    /// bounded, and drop the rest of it as it arrives.
    fn check_partial_line(&mut self) {
        if self.discarding_line {
            self.pos = self.end;
            self.scan = self.pos;
        } else if self.end - self.pos > self.limits.max_line + 1 {
            self.pos = self.end;
            self.scan = self.pos;
            self.drop_message(Drop::Line);
            self.discarding_line = true;
        }
    }

    fn on_line(&mut self, range: std::ops::Range<usize>, wire: usize) -> Option<Message> {
        let line_end_offset = self.base + self.pos as u64;
        let line = &self.buf[range];
        if let State::Skipping { follows } = self.state {
            if follows && line.ends_with(END_COMMAND) {
                self.state = State::Skipping { follows: false };
            } else if !follows && line.is_empty() {
                self.state = State::Headers;
                self.boundary = line_end_offset;
            }
            return None;
        }
        if line.is_empty() && self.state == State::Headers {
            self.boundary = line_end_offset;
            if self.cur.is_empty() {
                return None; // extra blank lines between messages
            }
            let m = std::mem::take(&mut self.cur);
            // Size the next message like this one: AMI streams repeat their shapes, and
            // a message that fits its first allocation is decoded without reallocating.
            self.hint = (m.byte_len() + m.byte_len() / 4, m.len() + 2);
            self.reset_message();
            return Some(m);
        }
        if self.cur.is_empty() && self.state == State::Headers {
            if let Some(banner) = Banner::parse(line) {
                self.stats.banners += 1;
                self.banner = Some(banner);
                self.boundary = line_end_offset;
                return None;
            }
        }
        self.cur_wire += wire;
        if self.state == State::Follows {
            if let Some(text) = line.strip_suffix(END_COMMAND) {
                if !text.is_empty() {
                    self.cur.push("Output", text);
                }
                self.state = State::Headers;
            } else {
                match split_field(line) {
                    (key, value) if !self.cur_has_output && is_follows_header(key) => {
                        self.cur.push(key, value)
                    }
                    _ => {
                        self.cur.push("Output", line);
                        self.cur_has_output = true;
                    }
                }
            }
        } else {
            let (key, value) = split_field(line);
            if self.cur.is_empty() && is_follows(key, value) {
                self.state = State::Follows;
            }
            self.cur.push(key, value);
        }
        if self.cur_wire > self.limits.max_message {
            self.drop_message(Drop::Message);
        } else if self.cur.len() > self.limits.max_headers {
            self.drop_message(Drop::Headers);
        }
        None
    }

    fn drop_message(&mut self, why: Drop) {
        if let State::Skipping { .. } = self.state {
            return; // already dropping this message: count it once
        }
        let held = self.cur_wire;
        match why {
            Drop::Line => {
                self.stats.oversized_lines += 1;
                log::error!(
                    "AMI line over {} bytes: message dropped",
                    self.limits.max_line
                );
            }
            Drop::Message => {
                self.stats.oversized_messages += 1;
                log::error!(
                    "AMI message over {} bytes: dropped ({held} bytes so far)",
                    self.limits.max_message
                );
            }
            Drop::Headers => {
                self.stats.too_many_headers += 1;
                log::error!(
                    "AMI message with over {} fields: dropped",
                    self.limits.max_headers
                );
            }
        }
        let follows = self.state == State::Follows;
        self.reset_message();
        self.state = State::Skipping { follows };
    }

    fn reset_message(&mut self) {
        self.cur = Message::with_capacity(self.hint.0, self.hint.1);
        self.cur_wire = 0;
        self.cur_has_output = false;
        self.state = State::Headers;
    }
}

#[derive(Clone, Copy)]
enum Drop {
    Line,
    Message,
    Headers,
}

/// A `Response: Follows` line: as a message's first line (where Asterisk writes it), the
/// free text of a command's output follows, up to `--END COMMAND--`.
fn is_follows(key: &[u8], value: &[u8]) -> bool {
    key.eq_ignore_ascii_case(b"Response") && value.eq_ignore_ascii_case(b"Follows")
}

/// Header lines that may precede the free text of a `Response: Follows` body.
fn is_follows_header(key: &[u8]) -> bool {
    [&b"ActionID"[..], b"Privilege", b"Message"]
        .iter()
        .any(|k| key.eq_ignore_ascii_case(k))
}

/// Split on the first `": "`. A line without it is a key with an empty value; a bare
/// trailing colon (`Key:`) is tolerated as the same.
pub(crate) fn split_field(line: &[u8]) -> (&[u8], &[u8]) {
    match find_separator(line) {
        Some(at) => (&line[..at], &line[at + 2..]),
        None => (line.strip_suffix(b":").unwrap_or(line), &[]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(d: &mut Decoder, bytes: &[u8]) -> Vec<Message> {
        d.feed(bytes);
        std::iter::from_fn(|| d.next_message()).collect()
    }

    #[test]
    fn separator_rules() {
        assert_eq!(split_field(b"Key: a: b"), (&b"Key"[..], &b"a: b"[..]));
        assert_eq!(
            split_field(b"AccountCode: "),
            (&b"AccountCode"[..], &b""[..])
        );
        assert_eq!(split_field(b"NoSeparator"), (&b"NoSeparator"[..], &b""[..]));
        assert_eq!(
            split_field(b"Time:12:00: x"),
            (&b"Time:12:00"[..], &b"x"[..])
        );
        assert_eq!(split_field(b"Bare:"), (&b"Bare"[..], &b""[..]));
    }

    #[test]
    fn resume_offset_sits_on_message_boundaries() {
        let mut d = Decoder::new();
        let first = b"A: 1\r\n\r\n";
        let ms = decode_all(&mut d, b"A: 1\r\n\r\nB: 2\r\n");
        assert_eq!(ms.len(), 1);
        assert_eq!(d.resume_offset(), first.len() as u64);
    }

    #[test]
    fn recycling_keeps_only_small_messages_and_a_bounded_number() {
        let mut d = Decoder::new();
        let big = format!("Event: Big\r\nData: {}\r\n\r\n", "x".repeat(SPARE_BYTES));
        let small = decode_all(&mut d, b"Event: Small\r\n\r\n").pop().unwrap();
        let large = decode_all(&mut d, big.as_bytes()).pop().unwrap();
        let before = d.spare.len();
        d.recycle(large);
        assert_eq!(d.spare.len(), before, "a large message is not kept");
        for _ in 0..SPARE_MESSAGES + 10 {
            d.recycle(small.clone());
        }
        assert_eq!(d.spare.len(), SPARE_MESSAGES);
        // A recycled message comes back holding only what was decoded into it.
        let again = decode_all(&mut d, b"Event: Again\r\n\r\n").pop().unwrap();
        assert_eq!(
            again.fields().collect::<Vec<_>>(),
            vec![(&b"Event"[..], &b"Again"[..])]
        );
        assert_eq!(d.spare.len(), SPARE_MESSAGES - 1);
    }

    #[test]
    fn banner_only_at_message_start() {
        let mut d = Decoder::new();
        let ms = decode_all(&mut d, b"Event: X\r\nAsterisk Call Manager/1.1\r\n\r\n");
        assert_eq!(ms.len(), 1);
        assert_eq!(ms[0].len(), 2);
        assert!(d.banner().is_none());
    }
}
