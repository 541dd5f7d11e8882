//! Sources of AMI messages: a live [`Socket`], a raw capture [`CaptureFile`] and its
//! Trace variant, all behind one [`Source`] trait.
//!
//! Every source ends the same way: after EOF, a closed peer or an error it delivers one
//! last `END: <count>` message (count = messages it delivered, END included), then
//! [`Step::Ended`] forever.

mod error;
mod file;
mod passing;
mod read_ahead;
mod requests;
mod socket;
mod step;
pub(crate) mod tls;

pub use error::SourceError;
pub(crate) use file::pbx_of;
pub use file::{CaptureFile, CaptureKind};
pub use passing::SharedInterest;
pub use read_ahead::Paced;
pub use requests::Outbox;
pub(crate) use requests::{action_channel, ActionPort};
pub use requests::{completes_list, opens_list};
pub(crate) use socket::{Closing, Wake};
pub use socket::{Socket, SocketConfig, MAX_OUTGOING};
pub(crate) use step::{nothing_yet, Tally, READ_CHUNK};
pub use step::{Source, Step};
pub use tls::{TlsConfig, TlsError, Verify};
