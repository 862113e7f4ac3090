//! Notices to families on the channels they have: a WeChat subscribe message, an SMS, an e-mail.
//!
//! Design: a notice is one outbox row, written in the caller's transaction like every e-mail
//! (`mail::outbox`), naming the family's account, the [`Event`] and the event's short template
//! parameters, with the e-mail text already rendered. The channel is chosen when the worker
//! delivers, not when the notice is queued, because what the family allows changes in between: a
//! grant is reported, a number is bound, the order is changed. One row per notice (rather than
//! one per channel attempt) keeps the outbox guarantee simple: the row's lease makes one worker
//! its owner, the row is marked sent by the statement after a channel accepted it, and a crash
//! leaves it pending for the next worker. What a row must remember across attempts it stores:
//! the channels that refused it for good (`refused`) and whether it already used up a one-time
//! WeChat grant (`channel = wechat`), so a retry after a crash or a WeChat outage sends with the
//! same grant instead of taking a second one.
//!
//! Parameters are short and carry nothing about the child beyond what the template needs: a
//! status, an activity name, a time. Never the child's name.

mod channels;
pub mod config;
pub mod deliver;
pub mod events;
pub mod grants;
pub mod kinds;
pub mod preferences;
mod queue;

pub use kinds::{Channel, Event, Notice};
pub use queue::enqueue;
