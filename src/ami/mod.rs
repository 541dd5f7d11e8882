//! The AMI wire codec: [`Decoder`] (bytes -> [`Message`]), [`Action`] (-> bytes), and the
//! sans-IO [`Login`] flow.

mod action;
mod banner;
mod blank;
mod decoder;
mod interest;
mod lines;
mod login;
mod message;
mod simd;
pub mod sync;

pub use action::{is_secret_key, Action, ActionError, MAX_ACTION_LINE};
pub use banner::Banner;
pub(crate) use decoder::split_field;
pub use decoder::{DecodeStats, Decoder, Limits};
pub use interest::{Interest, Next, Want};
pub use login::{md5_key, AuthMethod, Login, LoginStep, Secret};
pub use message::{Message, END_KEY};
