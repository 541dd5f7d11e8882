//! `Model` for Python. The model lives in Rust behind a lock (a [`Tracker`], the one
//! pipeline every consumer uses); Python hooks run only when registered, after the
//! change is applied.
//!
//! [`Tracker`]: crate::model::Tracker

mod class;
mod consume;
mod hooks;
mod snapshot;

pub use class::Model;
pub(crate) use hooks::{process, HookSet, Pending, HOOK_NAMES};
