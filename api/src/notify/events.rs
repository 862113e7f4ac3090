//! The notices of each event with their template parameters: short, in Chinese, and free of the
//! child's personal data (a status, an activity, a time — never a name).

use chrono::{DateTime, Duration, Utc};

use super::{Event, Notice};
use crate::mail::templates::Mail;

/// A time as families read it: Beijing time, to the minute (WeChat's `time` keyword format).
pub fn beijing(t: DateTime<Utc>) -> String {
    (t + Duration::hours(8)).format("%Y-%m-%d %H:%M").to_string()
}

/// A request status in at most five characters (WeChat's `phrase` keyword); `None` is a
/// caseworker's message without a status change.
pub fn short_status(status: Option<&str>) -> &'static str {
    use crate::services::requests::status;
    match status {
        None => "新留言",
        Some(status::ROUTED) => "已受理",
        Some(status::CLAIMED | status::IN_PROGRESS) => "办理中",
        Some(status::NEEDS_INFO) => "待补充材料",
        Some(status::GRANTED) => "已办结",
        Some(status::REJECTED) => "未予办理",
        Some(_) => "已撤回",
    }
}

/// A request moved to `status` (or a caseworker wrote, `None`) at `at`.
pub fn request_update(status: Option<&str>, at: DateTime<Utc>, mail: Mail) -> Notice {
    Notice { event: Event::RequestUpdate, params: vec![short_status(status).into(), beijing(at)], mail }
}

/// A booking of `activity` at `starts_at` changed: `what` in at most five characters.
pub fn booking_update(activity: &str, starts_at: DateTime<Utc>, what: &str, mail: Mail) -> Notice {
    Notice { event: Event::BookingUpdate, params: vec![activity.into(), beijing(starts_at), what.into()], mail }
}

/// The booked `activity` starts at `starts_at`.
pub fn session_reminder(activity: &str, starts_at: DateTime<Utc>, mail: Mail) -> Notice {
    Notice { event: Event::SessionReminder, params: vec![activity.into(), beijing(starts_at)], mail }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_fit_a_phrase_keyword() {
        use crate::services::requests::status;
        for s in [status::ROUTED, status::CLAIMED, status::IN_PROGRESS, status::NEEDS_INFO, status::GRANTED, status::REJECTED] {
            assert!(short_status(Some(s)).chars().count() <= 5, "{s}");
        }
        assert_eq!(beijing(DateTime::from_timestamp(0, 0).unwrap_or_default()), "1970-01-01 08:00");
    }
}
