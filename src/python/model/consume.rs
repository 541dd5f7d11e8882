//! `consume()`: reading sources natively, the GIL released between hooks, no source
//! waiting for another.

use super::class::Model;
use super::hooks;
use crate::ami::Message;
use crate::model::Clock;
use crate::python::errors::source_error;
use crate::python::locks::lock_from_python;
use crate::python::sources::{Capture, Connection, File, Trace};
use crate::source::{Paced, SharedInterest, SourceError};
use crossbeam_channel::{Select, TryRecvError};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use std::borrow::Cow;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread::Scope;
use std::time::Duration;

/// A source being consumed natively.
enum Input {
    File(Py<File>),
    Trace(Py<Trace>),
    Connection(Py<Connection>),
}

impl Input {
    fn of(obj: &Bound<'_, PyAny>) -> PyResult<Input> {
        if let Ok(f) = obj.cast::<File>() {
            return Ok(Input::File(f.clone().unbind()));
        }
        if let Ok(t) = obj.cast::<Trace>() {
            return Ok(Input::Trace(t.clone().unbind()));
        }
        if let Ok(c) = obj.cast::<Connection>() {
            return Ok(Input::Connection(c.clone().unbind()));
        }
        Err(PyTypeError::new_err(
            "consume() takes hackamore.File, Trace or Connection objects",
        ))
    }

    fn capture(&self) -> Option<&Capture> {
        match self {
            Input::File(f) => Some(&f.get().0),
            Input::Trace(t) => Some(&t.get().0),
            Input::Connection(_) => None,
        }
    }

    /// Start reading: a capture is decoded ahead on a thread of `scope`, while that is
    /// the faster way ([`Paced`]).
    fn start<'scope, 'env>(
        &'env self,
        scope: &'scope Scope<'scope, 'env>,
    ) -> Reading<'scope, 'env> {
        let capture = match self {
            Input::File(f) => &f.get().0,
            Input::Trace(t) => &t.get().0,
            Input::Connection(c) => return Reading::Connection(c.get()),
        };
        Reading::Capture {
            capture,
            paced: Box::new(Paced::start(scope, &capture.file)),
        }
    }
}

/// An input being read by one `consume()` call.
enum Reading<'scope, 'env> {
    Capture {
        capture: &'env Capture,
        paced: Box<Paced<'scope, 'env>>,
    },
    Connection(&'env Connection),
}

enum Poll {
    Message(Message),
    Idle,
    Done,
    Failed(SourceError),
}

impl Reading<'_, '_> {
    /// The next message if one is there, never waiting for a connection. Called without
    /// the GIL: stopping a helper waits for it, and it may be logging (which takes the GIL).
    fn poll(&mut self) -> Poll {
        let step = match self {
            Reading::Connection(c) => {
                return match c.rx.try_recv() {
                    Ok(Ok(m)) => Poll::Message(m),
                    Ok(Err(e)) => Poll::Failed(e),
                    Err(TryRecvError::Empty) => Poll::Idle,
                    Err(TryRecvError::Disconnected) => Poll::Done,
                };
            }
            // A capture always has a next step (it reads on to its end).
            Reading::Capture { paced, .. } => paced.next_step(),
        };
        match step {
            Some(Ok(m)) => Poll::Message(m),
            None => Poll::Done,
            Some(Err(e)) => Poll::Failed(e),
        }
    }

    /// The source's own name.
    fn name(&self) -> &str {
        match self {
            Reading::Capture { capture, .. } => &capture.name,
            Reading::Connection(c) => &c.name,
        }
    }

    /// What "when" means for its messages: a capture read back has its own times or
    /// none, a connection's happen now.
    fn clock(&self) -> Clock {
        match self {
            Reading::Capture { .. } => Clock::Recorded,
            Reading::Connection(_) => Clock::Wall,
        }
    }

    /// The PBX of a message polled from this input.
    fn pbx_of<'a>(&'a self, m: &'a Message) -> Cow<'a, str> {
        match self {
            Reading::Capture { capture, .. } => capture.pbx_of(m),
            Reading::Connection(c) => Cow::Borrowed(&c.name),
        }
    }

    /// Called without the GIL, with messages polled from this input.
    fn recycle(&self, done: &mut Vec<Message>) {
        match self {
            Reading::Capture { paced, .. } => paced.recycle(done),
            Reading::Connection(_) => done.clear(), // read on another thread
        }
    }
}

/// How long an idle `consume()` waits before it looks for Ctrl-C again.
const SIGNAL_CHECK: Duration = Duration::from_millis(50);

/// Wait until one of the connections among `inputs` has a message (or has ended), at
/// most `timeout`. Captures never need waiting for: they always have a next step.
fn wait_for_any(inputs: &[Reading<'_, '_>], timeout: Duration) {
    let mut select = Select::new();
    let mut connections = 0;
    for r in inputs {
        if let Reading::Connection(c) = r {
            select.recv(&c.rx);
            connections += 1;
        }
    }
    if connections == inputs.len() {
        // Ready means a message or a disconnection; either is taken by the next poll.
        let _ = select.ready_timeout(timeout);
    }
}

/// Messages `consume()` applies before handing them back to their source together.
const RECYCLE_EVERY: usize = 32;

impl Model {
    pub(super) fn consume_inputs(
        &self,
        py: Python<'_>,
        sources: &Bound<'_, PyAny>,
        stop_at_end: bool,
    ) -> PyResult<(u64, Option<usize>)> {
        let inputs: Vec<Input> = match Input::of(sources) {
            Ok(i) => vec![i],
            Err(_) => sources
                .try_iter()?
                .map(|s| Input::of(&s?))
                .collect::<PyResult<_>>()?,
        };
        // The model reads a few dozen events: captures pass over the rest (counted as
        // read), and deliver everything again once this call is done with them.
        let interest: SharedInterest = Arc::new(lock_from_python(&self.state).interest());
        let mut captures: Vec<&Capture> = Vec::new();
        for c in inputs.iter().filter_map(Input::capture) {
            if !captures.iter().any(|seen| std::ptr::eq(*seen, c)) {
                captures.push(c);
            }
        }
        let passed_before: Vec<u64> = py.detach(|| {
            captures
                .iter()
                .map(|c| {
                    let mut f = c.file.lock();
                    // Only changing to no interest may read again: this cannot fail.
                    let _ = f.set_interest(Some(interest.clone()));
                    f.passed_over()
                })
                .collect()
        });
        // Leaving the scope (done, a hook raised, Ctrl-C) stops the helpers, and whatever
        // they read ahead goes back into its capture.
        let consumed = std::thread::scope(|scope| {
            // Without the GIL: starting locks each capture, which a helper reading it for
            // another call may hold while logging (which takes the GIL).
            let mut readings = py.detach(|| inputs.iter().map(|i| i.start(scope)).collect());
            let consumed = self.consume_readings(py, &mut readings, stop_at_end);
            // Stopping a helper waits for it, and it may be logging (which takes the GIL).
            py.detach(|| drop(readings));
            consumed
        });
        let (passed, rewound) = py.detach(|| {
            let mut passed = 0;
            let mut rewound = Ok(());
            for (c, before) in captures.iter().zip(&passed_before) {
                let mut f = c.file.lock();
                passed += f.passed_over().saturating_sub(*before);
                rewound = rewound.and(f.set_interest(None));
            }
            (passed, rewound)
        });
        rewound.map_err(source_error)?;
        consumed.map(|(read, ended)| (read + passed, ended))
    }

    /// `consume()`'s loop over the inputs it started reading: (messages read, and with
    /// `stop_at_end` the index in `inputs` of the one whose END stopped it).
    ///
    /// No input waits for another: each round takes what every input has, and only when
    /// none had anything does it wait, for whichever connection is first to have more.
    fn consume_readings(
        &self,
        py: Python<'_>,
        inputs: &mut Vec<Reading<'_, '_>>,
        stop_at_end: bool,
    ) -> PyResult<(u64, Option<usize>)> {
        // Batches keep the GIL released; a message whose changes have hooks ends its
        // batch, so its hooks run before the next message is applied.
        let batch = 4096;
        let mut total = 0u64;
        // Emptied by each batch's hooks, its allocation kept.
        let mut pending = Vec::new();
        // Messages applied, by input, handed back a few at a time (one lock for them all).
        let mut done: Vec<Vec<Message>> = inputs.iter().map(|_| Vec::new()).collect();
        // The caller's index of each input still read.
        let mut ids: Vec<usize> = (0..inputs.len()).collect();
        let mut ended = None;
        while !inputs.is_empty() && ended.is_none() {
            let errors = py.detach(|| {
                let mut errors = Vec::new();
                let mut n = 0;
                'batch: loop {
                    let mut round = false;
                    let mut i = 0;
                    while i < inputs.len() {
                        match inputs[i].poll() {
                            Poll::Message(m) => {
                                round = true;
                                n += 1;
                                if !m.is_lone_end() {
                                    let mut tracker = self.state.lock();
                                    tracker.set_clock(inputs[i].clock());
                                    hooks::process(
                                        &mut tracker,
                                        &inputs[i].pbx_of(&m),
                                        &m,
                                        self.hooked,
                                        self.listening.load(Ordering::Relaxed),
                                        &mut pending,
                                    );
                                    tracker.set_clock(Clock::Wall);
                                }
                                // Its own END, not a PBX's recorded in a Trace.
                                if stop_at_end
                                    && m.is_end()
                                    && inputs[i].pbx_of(&m) == inputs[i].name()
                                {
                                    ended = Some(ids[i]);
                                }
                                done[i].push(m);
                                if done[i].len() == RECYCLE_EVERY {
                                    inputs[i].recycle(&mut done[i]);
                                }
                                i += 1;
                            }
                            Poll::Idle => i += 1,
                            Poll::Done => {
                                inputs.remove(i);
                                done.remove(i);
                                ids.remove(i);
                            }
                            Poll::Failed(e) => {
                                errors.push(e);
                                i += 1;
                            }
                        }
                        if n >= batch || !pending.is_empty() || ended.is_some() {
                            break 'batch;
                        }
                    }
                    if inputs.is_empty() {
                        break;
                    }
                    if !round {
                        // Then back to Python for Ctrl-C, at least every SIGNAL_CHECK.
                        wait_for_any(inputs, SIGNAL_CHECK);
                        break;
                    }
                }
                total += n as u64;
                errors
            });
            for e in errors {
                log::error!("{e}");
            }
            self.call_hooks(py, pending.drain(..), None)?;
            py.check_signals()?;
        }
        Ok((total, ended))
    }
}
