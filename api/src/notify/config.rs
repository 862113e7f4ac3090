//! Settings of the families' notices: the WeChat subscribe-message template of each event with
//! its keyword names, the page a message opens, and the SMS template of each event.

use super::kinds::Event;
use crate::config::error::ConfigError;

/// Which version of the mini-program a subscribe message opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MiniProgramState {
    /// The released version.
    Formal,
    /// The trial (体验版) version.
    Trial,
    /// The developer (开发版) version.
    Developer,
}

/// Templates of the families' notices.
#[derive(Clone, Debug, clap::Args)]
pub struct NotifyConfig {
    /// WeChat subscribe template of a request's progress: `TEMPLATE_ID:status_keyword,time_keyword`
    /// (e.g. `kHx...:phrase1,time2`), the keywords as the template in the mini-program console
    /// names them. Unset: requests are never told by WeChat.
    #[arg(long, env = "WECHAT_TEMPLATE_REQUEST_UPDATE")]
    pub wechat_template_request_update: Option<String>,
    /// WeChat subscribe template of a booking change:
    /// `TEMPLATE_ID:activity_keyword,time_keyword,change_keyword` (e.g. `...:thing1,time2,phrase3`).
    #[arg(long, env = "WECHAT_TEMPLATE_BOOKING_UPDATE")]
    pub wechat_template_booking_update: Option<String>,
    /// WeChat subscribe template of a session reminder: `TEMPLATE_ID:activity_keyword,time_keyword`.
    #[arg(long, env = "WECHAT_TEMPLATE_SESSION_REMINDER")]
    pub wechat_template_session_reminder: Option<String>,
    /// WeChat subscribe template of a record due for verification: `TEMPLATE_ID:status_keyword,date_keyword`
    /// (e.g. `...:phrase1,date2`).
    #[arg(long, env = "WECHAT_TEMPLATE_VERIFICATION_DUE")]
    pub wechat_template_verification_due: Option<String>,
    /// Mini-program page a subscribe message opens.
    #[arg(long, env = "WECHAT_SUBSCRIBE_PAGE", default_value = "pages/index/index")]
    pub wechat_subscribe_page: String,
    /// Version of the mini-program a subscribe message opens: formal, trial or developer.
    #[arg(long, env = "WECHAT_MINIPROGRAM_STATE", value_enum, default_value = "formal")]
    pub wechat_miniprogram_state: MiniProgramState,
    /// Approved SMS template id of a request's progress (parameters: status, time).
    #[arg(long, env = "SMS_TEMPLATE_REQUEST_UPDATE")]
    pub sms_template_request_update: Option<String>,
    /// Approved SMS template id of a booking change (parameters: activity, time, change).
    #[arg(long, env = "SMS_TEMPLATE_BOOKING_UPDATE")]
    pub sms_template_booking_update: Option<String>,
    /// Approved SMS template id of a session reminder (parameters: activity, time).
    #[arg(long, env = "SMS_TEMPLATE_SESSION_REMINDER")]
    pub sms_template_session_reminder: Option<String>,
    /// Approved SMS template id of a record due for verification (parameters: status, date).
    #[arg(long, env = "SMS_TEMPLATE_VERIFICATION_DUE")]
    pub sms_template_verification_due: Option<String>,
    /// Characters an SMS template variable may hold: Tencent Cloud refuses more than 12 on
    /// accounts without enterprise verification (`TemplateParameterLengthLimit`). Longer values
    /// are cut (a time loses its year first). 0: no limit (enterprise-verified accounts).
    #[arg(long, env = "SMS_PARAM_MAX_CHARS", default_value_t = 12)]
    pub sms_param_max_chars: usize,
}

/// A subscribe template: its id and the keyword of each parameter, in the event's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeChatTemplate {
    /// Template id.
    pub id: String,
    /// Keyword names (`thing1`, `time2` …).
    pub keywords: Vec<String>,
}

impl NotifyConfig {
    fn wechat_setting(&self, event: Event) -> (&'static str, Option<&str>) {
        match event {
            Event::RequestUpdate => ("WECHAT_TEMPLATE_REQUEST_UPDATE", self.wechat_template_request_update.as_deref()),
            Event::BookingUpdate => ("WECHAT_TEMPLATE_BOOKING_UPDATE", self.wechat_template_booking_update.as_deref()),
            Event::SessionReminder => ("WECHAT_TEMPLATE_SESSION_REMINDER", self.wechat_template_session_reminder.as_deref()),
            Event::VerificationDue => ("WECHAT_TEMPLATE_VERIFICATION_DUE", self.wechat_template_verification_due.as_deref()),
        }
    }

    fn parse(name: &str, value: &str, event: Event) -> Result<WeChatTemplate, ConfigError> {
        let bad = || {
            ConfigError(format!(
                "{name} must be TEMPLATE_ID:keyword,keyword{} (the keywords of the template, one per parameter)",
                if event.param_count() == 3 { ",keyword" } else { "" }
            ))
        };
        let (id, keys) = value.trim().split_once(':').ok_or_else(bad)?;
        let keywords: Vec<String> = keys.split(',').map(|k| k.trim().to_owned()).collect();
        let keyword_ok = |k: &String| !k.is_empty() && k.len() <= 32 && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        let id_ok = !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !id_ok || keywords.len() != event.param_count() || !keywords.iter().all(keyword_ok) {
            return Err(bad());
        }
        Ok(WeChatTemplate { id: id.to_owned(), keywords })
    }

    /// The subscribe template of `event`, if configured (malformed settings never pass `check`).
    pub fn wechat_template(&self, event: Event) -> Option<WeChatTemplate> {
        let (name, value) = self.wechat_setting(event);
        value.filter(|v| !v.trim().is_empty()).and_then(|v| Self::parse(name, v, event).ok())
    }

    /// Every configured subscribe template with its event.
    pub fn wechat_templates(&self) -> Vec<(Event, WeChatTemplate)> {
        Event::ALL.into_iter().filter_map(|e| self.wechat_template(e).map(|t| (e, t))).collect()
    }

    /// The SMS template id of `event`, if configured.
    pub fn sms_template(&self, event: Event) -> Option<&str> {
        let v = match event {
            Event::RequestUpdate => &self.sms_template_request_update,
            Event::BookingUpdate => &self.sms_template_booking_update,
            Event::SessionReminder => &self.sms_template_session_reminder,
            Event::VerificationDue => &self.sms_template_verification_due,
        };
        v.as_deref().map(str::trim).filter(|v| !v.is_empty())
    }

    /// The `miniprogram_state` value.
    pub fn state(&self) -> &'static str {
        match self.wechat_miniprogram_state {
            MiniProgramState::Formal => "formal",
            MiniProgramState::Trial => "trial",
            MiniProgramState::Developer => "developer",
        }
    }

    /// Refuses a malformed template setting, naming it (in every environment: a typo would
    /// silently turn a channel off).
    pub fn check(&self) -> Result<(), ConfigError> {
        for event in Event::ALL {
            if let (name, Some(v)) = self.wechat_setting(event)
                && !v.trim().is_empty()
            {
                Self::parse(name, v, event)?;
            }
        }
        let page = self.wechat_subscribe_page.trim();
        if page.is_empty() || page.starts_with('/') || page.contains("://") {
            return Err(ConfigError("WECHAT_SUBSCRIBE_PAGE must be a mini-program page path such as pages/index/index".into()));
        }
        Ok(())
    }

    /// Production: families who signed in by phone must hear back, so every event needs its SMS
    /// template; a released service opens the released mini-program.
    pub fn unsafe_in_production(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        for (event, name) in [
            (Event::RequestUpdate, "SMS_TEMPLATE_REQUEST_UPDATE must be set (families signed in by phone hear of their requests by SMS)"),
            (Event::BookingUpdate, "SMS_TEMPLATE_BOOKING_UPDATE must be set (families signed in by phone hear of their bookings by SMS)"),
            (Event::SessionReminder, "SMS_TEMPLATE_SESSION_REMINDER must be set (families signed in by phone get reminders by SMS)"),
            (
                Event::VerificationDue,
                "SMS_TEMPLATE_VERIFICATION_DUE must be set (families signed in by phone hear when a record needs verifying by SMS)",
            ),
        ] {
            if self.sms_template(event).is_none() {
                out.push(name);
            }
        }
        if self.wechat_miniprogram_state != MiniProgramState::Formal {
            out.push("WECHAT_MINIPROGRAM_STATE must be formal (messages would open a trial or developer version)");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_names_one_keyword_per_parameter() {
        let ok = NotifyConfig::parse("X", "kHxA-9_b:phrase1,time2", Event::RequestUpdate);
        assert_eq!(ok.ok().map(|t| t.keywords), Some(vec!["phrase1".to_owned(), "time2".to_owned()]));
        assert!(NotifyConfig::parse("X", "kHx:phrase1", Event::RequestUpdate).is_err());
        assert!(NotifyConfig::parse("X", "kHx", Event::RequestUpdate).is_err());
        assert!(NotifyConfig::parse("X", "k x:thing1,time2,phrase3", Event::BookingUpdate).is_err());
    }
}
