//! Captures on disk: a raw AMI byte stream (`File`) or a Trace, whose messages already
//! carry `SOURCE:`/`TIME:` and whose per-PBX `END:` messages pass through to the model.

use super::passing::{Passing, SharedInterest};
use super::{Source, SourceError, Step, Tally, READ_CHUNK};
use crate::ami::{Banner, DecodeStats, Decoder, Limits, Message};
use std::borrow::Cow;
use std::collections::VecDeque;
use std::fs;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Which capture format a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaptureKind {
    /// Exactly the bytes an AMI connection received.
    Raw,
    /// The old framework's Trace format: messages tagged with `SOURCE`, possibly from
    /// several PBXes.
    Trace,
}

/// The PBX a message from a capture belongs to: its own `SOURCE` in a Trace (exact case: a
/// CDR event has an unrelated `Source` field), else the capture's `name`.
pub fn pbx_of<'a>(name: &'a str, trace: bool, m: &'a Message) -> Cow<'a, str> {
    if !trace {
        return Cow::Borrowed(name);
    }
    m.trace_source()
        .map_or(Cow::Borrowed(name), String::from_utf8_lossy)
}

/// A capture file read as a source. `close()` then `reopen()` goes on where it stopped,
/// at the message boundary after the last message delivered.
#[derive(Debug)]
pub struct CaptureFile {
    name: String,
    path: PathBuf,
    kind: CaptureKind,
    file: Option<fs::File>,
    decoder: Decoder,
    tally: Tally,
    eof: bool,
    /// Stream offset at which the current decoder started (after a reopen).
    origin: u64,
    /// Decoder counts from before the last reopen.
    earlier_stats: DecodeStats,
    /// Steps taken ahead and handed back unused ([`CaptureFile::unread`]): delivered again,
    /// in order, before anything more is decoded.
    unread: VecDeque<Ahead>,
    /// While a [`super::ReadAhead`] reads this capture: what they share.
    read_ahead: Option<ReadAheadShared>,
    /// Events the reader (a model consuming the capture) does not want, passed over.
    passing: Passing,
}

/// What a capture and the [`super::ReadAhead`] reading it share, read without the lock.
#[derive(Debug, Clone, Default)]
pub(super) struct ReadAheadShared {
    /// The offset after the last step the consumer took: the capture's `offset()` meanwhile.
    pub(super) consumed: Arc<AtomicU64>,
    /// Set by `close()`: the helper steps no further, the consumer takes no more of what
    /// it read (a closed source delivers its END next).
    pub(super) closed: Arc<AtomicBool>,
}

/// One step taken ahead of its consumer, with what it needs to be taken back: where the
/// capture stood before it.
#[derive(Debug)]
pub struct Ahead {
    /// Where the capture stood before the step, and after it.
    resume: u64,
    past: u64,
    /// The delivered count before and after the step.
    before: Tally,
    after: Tally,
    step: Result<Message, SourceError>,
}

impl Ahead {
    /// The message stepped to, or the error met (an error ends the capture).
    pub fn into_step(self) -> Result<Message, SourceError> {
        self.step
    }

    /// Where reading goes on after this step.
    pub fn past(&self) -> u64 {
        self.past
    }
}

impl CaptureFile {
    /// Open a raw capture. A missing or unreadable file is an error now, not at first read.
    pub fn raw(name: impl Into<String>, path: impl AsRef<Path>) -> Result<Self, SourceError> {
        Self::open(
            name.into(),
            path.as_ref(),
            CaptureKind::Raw,
            Limits::default(),
        )
    }

    /// Open a Trace capture.
    pub fn trace(name: impl Into<String>, path: impl AsRef<Path>) -> Result<Self, SourceError> {
        Self::open(
            name.into(),
            path.as_ref(),
            CaptureKind::Trace,
            Limits::default(),
        )
    }

    pub fn open(
        name: String,
        path: &Path,
        kind: CaptureKind,
        limits: Limits,
    ) -> Result<Self, SourceError> {
        let mut c = CaptureFile {
            name,
            path: path.to_path_buf(),
            kind,
            file: None,
            decoder: Decoder::with_limits(limits),
            tally: Tally::default(),
            eof: false,
            origin: 0,
            earlier_stats: DecodeStats::default(),
            unread: VecDeque::new(),
            read_ahead: None,
            passing: Passing::default(),
        };
        c.reopen()?;
        Ok(c)
    }

    pub fn kind(&self) -> CaptureKind {
        self.kind
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Is the file open (between `reopen()` and `close()`)?
    pub fn is_open(&self) -> bool {
        self.file.is_some()
    }

    /// Byte offset where reading resumes after a close (while it is read ahead, after the
    /// last message its consumer took).
    pub fn offset(&self) -> u64 {
        match &self.read_ahead {
            Some(r) => r.consumed.load(Ordering::Relaxed),
            None => self.read_offset(),
        }
    }

    /// Byte offset after the last step taken.
    fn read_offset(&self) -> u64 {
        match self.unread.front() {
            Some(a) => a.resume,
            None => self.origin + self.decoder.resume_offset(),
        }
    }

    /// The next message, or the error met (which ends the capture); `None` once it has
    /// ended, after its END marker. [`Source::next_step`] without its `Idle`: a file
    /// always has its next bytes.
    pub fn step(&mut self) -> Option<Result<Message, SourceError>> {
        loop {
            match self.next_step(Duration::ZERO) {
                Ok(Step::Message(m)) => return Some(Ok(m)),
                Ok(Step::Idle) => {}
                Ok(Step::Ended) => return None,
                Err(e) => return Some(Err(e)),
            }
        }
    }

    /// The next step, taken so that it can be handed back with [`CaptureFile::unread`].
    /// `None` once the capture has ended.
    pub fn step_ahead(&mut self) -> Option<Ahead> {
        let (resume, before) = (self.read_offset(), self.tally);
        let step = self.step()?;
        Some(Ahead {
            resume,
            past: self.read_offset(),
            before,
            after: self.tally,
            step,
        })
    }

    /// A read-ahead begins: `offset()` reports what the consumer sets in the result.
    pub(super) fn begin_read_ahead(&mut self) -> ReadAheadShared {
        let shared = ReadAheadShared::default();
        shared.consumed.store(self.read_offset(), Ordering::Relaxed);
        self.read_ahead = Some(shared.clone());
        shared
    }

    /// A read-ahead ends, handing back what its consumer did not take.
    pub(super) fn end_read_ahead(&mut self, left: Vec<Ahead>) {
        let closed = self
            .read_ahead
            .take()
            .is_some_and(|r| r.closed.load(Ordering::Relaxed));
        if closed && self.is_open() {
            // Closed and reopened since: the reopen went on from the consumer's offset, so
            // what was read ahead is read again from the file; only the count goes back.
            if let Some(first) = left.first() {
                self.tally = first.before;
            }
            return;
        }
        self.unread(left);
    }

    /// Has `close()` been called since the read-ahead began?
    pub(super) fn closed_while_read_ahead(&self) -> bool {
        self.read_ahead
            .as_ref()
            .is_some_and(|r| r.closed.load(Ordering::Relaxed))
    }

    /// Hand back steps taken ahead with [`CaptureFile::step_ahead`] and not used, oldest
    /// first: the capture stands where it stood before the first of them (offset, delivered
    /// count), and delivers them again. Decoder stats still count them.
    pub fn unread(&mut self, steps: impl IntoIterator<Item = Ahead>) {
        let steps: Vec<Ahead> = steps.into_iter().collect();
        if let Some(first) = steps.first() {
            self.tally = first.before;
        }
        for a in steps.into_iter().rev() {
            self.unread.push_front(a);
        }
    }

    /// Pass over the events `interest` does not want (`None`: deliver every event). Steps
    /// read ahead and handed back under another interest are read again from the file,
    /// so that no event passed over for one reader is missing for the next.
    pub fn set_interest(&mut self, interest: Option<SharedInterest>) -> Result<(), SourceError> {
        let rewind = interest.is_none() && self.passing.is_interested();
        self.passing.set_interest(interest);
        match self.unread.front() {
            Some(first) if rewind && self.file.is_some() => {
                let (offset, before) = (first.resume, first.before);
                self.tally = before;
                self.seek_to(offset)
            }
            _ => Ok(()),
        }
    }

    /// Events passed over so far ([`CaptureFile::set_interest`]), counted as read too.
    pub fn passed_over(&self) -> u64 {
        self.tally.passed_over()
    }

    /// (Re)open the file at the offset where the last close left it. After a reopen the
    /// source delivers what follows and, at the end, a new END marker.
    pub fn reopen(&mut self) -> Result<(), SourceError> {
        if self.file.is_some() {
            return Ok(());
        }
        self.seek_to(self.offset())?;
        self.tally.restart();
        Ok(())
    }

    /// Read on from `offset` of the file with a new decoder.
    fn seek_to(&mut self, offset: u64) -> Result<(), SourceError> {
        let mut f = fs::File::open(&self.path).map_err(|e| self.error(e))?;
        f.seek(SeekFrom::Start(offset)).map_err(|e| self.error(e))?;
        self.unread.clear(); // read again from the file
        self.earlier_stats = self.stats();
        self.decoder = Decoder::with_limits(self.decoder.limits());
        self.origin = offset;
        self.file = Some(f);
        self.eof = false;
        Ok(())
    }

    fn error(&self, source: std::io::Error) -> SourceError {
        SourceError::Capture {
            pbx: self.name.clone(),
            path: self.path.display().to_string(),
            source,
        }
    }
}

impl Source for CaptureFile {
    fn name(&self) -> &str {
        &self.name
    }

    fn next_step(&mut self, _wait: Duration) -> Result<Step, SourceError> {
        loop {
            // Closed by the caller: the source has ended, whatever is still buffered (a
            // reopen resumes right after the last message delivered).
            let Some(file) = self.file.as_mut() else {
                return Ok(self.tally.end());
            };
            if let Some(a) = self.unread.pop_front() {
                self.tally = a.after;
                return a.step.map(Step::Message);
            }
            if let Some(m) = self.passing.next(&mut self.decoder, &mut self.tally) {
                // A Trace records each source's END: replayed, it ends that source again.
                let m = match self.kind {
                    CaptureKind::Trace => m.marked_end_if_trace_end(),
                    CaptureKind::Raw => m,
                };
                return Ok(self.tally.deliver(m));
            }
            if self.eof {
                return Ok(self.tally.end());
            }
            match self.decoder.read_with(READ_CHUNK, |room| file.read(room)) {
                Ok(0) => {
                    self.decoder.finish();
                    self.eof = true;
                }
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.eof = true;
                    return Err(self.error(e));
                }
            }
        }
    }

    fn banner(&self) -> Option<&Banner> {
        self.decoder.banner()
    }

    fn recycle(&mut self, m: Message) {
        self.decoder.recycle(m);
    }

    fn stats(&self) -> DecodeStats {
        self.earlier_stats.plus(&self.decoder.stats())
    }

    fn close(&mut self) {
        if let Some(r) = &self.read_ahead {
            r.closed.store(true, Ordering::Relaxed);
        }
        self.file = None;
    }
}
