//! The notices of each event with their template parameters: short, in Chinese, and free of the
//! child's personal data (a status, an activity, a time — never a name).
//!
//! Parameters respect the providers' published value limits, counted in characters (a Chinese
//! character is one, as both providers count): WeChat subscribe messages take at most 20
//! characters in a `thing` value and at most 5 Chinese characters in a `phrase` value, and a
//! `time` value is a 24-hour time with an optional date (`subscribeMessage.send`, "参数值内容限制");
//! WeChat refuses anything longer with 47003. Tencent Cloud SMS refuses a template variable over
//! 12 characters on accounts without enterprise verification
//! (`InvalidParameterValue.TemplateParameterLengthLimit`), which `channels` applies per send
//! (`SMS_PARAM_MAX_CHARS`). The builders cut a long activity name to the `thing` limit here, so
//! every channel gets the same, valid text.

use chrono::{DateTime, Duration, Utc};
use domain::lifecycle::request::RequestStatus;

use super::kinds::{Event, Notice};
use crate::mail::templates::Mail;

/// Characters of a WeChat `thing` value.
pub const THING_MAX: usize = 20;
/// Characters of a WeChat `phrase` value (Chinese characters only).
pub const PHRASE_MAX: usize = 5;

/// `text` cut to at most `max` characters (never inside a character), the last one an ellipsis
/// when something was cut.
pub fn fit(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A time as families read it: Beijing time, to the minute (WeChat's `time` keyword format).
pub fn beijing(t: DateTime<Utc>) -> String {
    (t + Duration::hours(8)).format("%Y-%m-%d %H:%M").to_string()
}

/// A request status in at most five characters (WeChat's `phrase` keyword); `None` is a
/// caseworker's message without a status change.
pub fn short_status(status: Option<RequestStatus>) -> &'static str {
    use RequestStatus as S;
    match status {
        None => "新留言",
        Some(S::Routed) => "已受理",
        Some(S::Claimed | S::InProgress) => "办理中",
        Some(S::NeedsInfo) => "待补充材料",
        Some(S::Granted) => "已办结",
        Some(S::Rejected) => "未予办理",
        Some(S::Withdrawn) => "已撤回",
    }
}

/// A request moved to `status` (or a caseworker wrote, `None`) at `at`.
pub fn request_update(status: Option<RequestStatus>, at: DateTime<Utc>, mail: Mail) -> Notice {
    Notice { event: Event::RequestUpdate, params: vec![short_status(status).into(), beijing(at)], mail }
}

/// A booking of `activity` at `starts_at` changed: `what` in at most five characters.
pub fn booking_update(activity: &str, starts_at: DateTime<Utc>, what: &str, mail: Mail) -> Notice {
    debug_assert!(what.chars().count() <= PHRASE_MAX);
    Notice { event: Event::BookingUpdate, params: vec![fit(activity, THING_MAX), beijing(starts_at), fit(what, PHRASE_MAX)], mail }
}

/// The family's own booking of `activity` at `starts_at` took a seat.
pub fn booking_confirmed(activity: &str, starts_at: DateTime<Utc>, mail: Mail) -> Notice {
    booking_update(activity, starts_at, "预约成功", mail)
}

/// A child's record fell due for verification at `since` (the guardian can confirm it in the
/// app); the date as WeChat's `date` keyword takes it.
pub fn verification_due(since: DateTime<Utc>, mail: Mail) -> Notice {
    let day = (since + Duration::hours(8)).format("%Y-%m-%d").to_string();
    Notice { event: Event::VerificationDue, params: vec!["待核实".into(), day], mail }
}

/// The booked `activity` starts at `starts_at`.
pub fn session_reminder(activity: &str, starts_at: DateTime<Utc>, mail: Mail) -> Notice {
    Notice { event: Event::SessionReminder, params: vec![fit(activity, THING_MAX), beijing(starts_at)], mail }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_fit_a_phrase_keyword() {
        for s in RequestStatus::ALL {
            assert!(short_status(Some(*s)).chars().count() <= 5, "{s}");
        }
        assert_eq!(beijing(DateTime::from_timestamp(0, 0).unwrap_or_default()), "1970-01-01 08:00");
    }

    #[test]
    fn long_names_are_cut_by_characters_on_a_character_boundary() {
        let long = "贵阳市南明区流动儿童暑期科学探索夏令营（第二期）";
        let cut = fit(long, THING_MAX);
        assert_eq!(cut.chars().count(), THING_MAX);
        assert!(cut.ends_with('…') && long.starts_with(cut.trim_end_matches('…')));
        assert_eq!(fit("  短名  ", THING_MAX), "短名");
        assert_eq!(fit("abcdef", 3), "ab…");
        let n = booking_confirmed(
            long,
            DateTime::from_timestamp(0, 0).unwrap_or_default(),
            crate::mail::templates::notice("s", "s", "b".into(), "b".into()),
        );
        assert!(n.params.iter().all(|p| p.chars().count() <= THING_MAX));
    }
}
