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
pub mod preferences;

use chrono::{DateTime, Utc};
use entities::outbox;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::{error::AppResult, mail::templates::Mail};

/// A way to reach a family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// Subscribe message of the mini-program.
    WeChat,
    /// Text message to the bound number.
    Sms,
    /// E-mail to the account's address.
    Email,
}

impl Channel {
    /// Every channel, in the default order.
    pub const DEFAULT_ORDER: [Channel; 3] = [Channel::WeChat, Channel::Sms, Channel::Email];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::WeChat => "wechat",
            Channel::Sms => "sms",
            Channel::Email => "email",
        }
    }

    /// The channel of a stored name.
    pub fn parse(s: &str) -> Option<Channel> {
        Channel::DEFAULT_ORDER.into_iter().find(|c| c.as_str() == s)
    }

    /// Channels of a comma-separated list, unknown names skipped.
    pub fn list(s: Option<&str>) -> Vec<Channel> {
        s.unwrap_or_default().split(',').filter_map(|c| Channel::parse(c.trim())).collect()
    }

    /// The comma-separated form of `list`.
    pub fn join(list: &[Channel]) -> String {
        list.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(",")
    }
}

/// What a notice is about; each event has a WeChat and an SMS template of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Event {
    /// A request moved on (accepted, assigned, information asked, resolved, withdrawn) or a
    /// caseworker wrote. Parameters: status (≤ 5 characters), time.
    RequestUpdate,
    /// A booking changed without the family acting: promoted from the waiting list, or the
    /// session was cancelled. Parameters: activity, session time, what happened (≤ 5 characters).
    BookingUpdate,
    /// A booked session starts soon. Parameters: activity, session time.
    SessionReminder,
    /// A child's record has not been verified for six months: the guardian may confirm it in the
    /// app. Parameters: what is due (≤ 5 characters), the day it fell due.
    VerificationDue,
}

impl Event {
    /// Every event.
    pub const ALL: [Event; 4] = [Event::RequestUpdate, Event::BookingUpdate, Event::SessionReminder, Event::VerificationDue];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Event::RequestUpdate => "request_update",
            Event::BookingUpdate => "booking_update",
            Event::SessionReminder => "session_reminder",
            Event::VerificationDue => "verification_due",
        }
    }

    /// The event of a stored name.
    pub fn parse(s: &str) -> Option<Event> {
        Event::ALL.into_iter().find(|e| e.as_str() == s)
    }

    /// How many template parameters the event has.
    pub fn param_count(self) -> usize {
        match self {
            Event::RequestUpdate | Event::SessionReminder | Event::VerificationDue => 2,
            Event::BookingUpdate => 3,
        }
    }
}

/// A notice ready to queue: the event, its template parameters and the e-mail text.
pub struct Notice {
    /// Event.
    pub event: Event,
    /// Template parameters, `event.param_count()` of them.
    pub params: Vec<String>,
    /// The e-mail, for families who hear back by e-mail.
    pub mail: Mail,
}

/// Queues `notice` to the family's `account` inside the caller's transaction; `child` names the
/// child it is about (erasing the child purges it, as `outbox::enqueue_about`).
pub async fn enqueue(
    conn: &impl ConnectionTrait,
    account: Uuid,
    child: Option<Uuid>,
    notice: Notice,
    now: DateTime<Utc>,
) -> AppResult<Uuid> {
    debug_assert_eq!(notice.params.len(), notice.event.param_count());
    let id = Uuid::now_v7();
    // The address is looked up when the e-mail is sent: the family may add or change it.
    let row = outbox::ActiveModel {
        account_id: Set(Some(account)),
        event: Set(Some(notice.event.as_str().into())),
        params: Set(Some(serde_json::to_string(&notice.params).unwrap_or_else(|_| "[]".into()))),
        ..crate::mail::outbox::pending(id, "", notice.mail, child, now)
    };
    outbox::Entity::insert(row).exec_without_returning(conn).await?;
    Ok(id)
}
