//! The vocabulary of notices: the channels a family can be reached on, the events it hears
//! about, and a notice ready to queue. A leaf, so the providers' settings (`notify::config`, the
//! SMS templates) can name an event without reaching the delivery code.

use crate::mail::templates::Mail;

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
