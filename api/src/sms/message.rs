//! What an SMS says: an approved template and its parameters, and why one was not sent. A leaf,
//! shared by the transports (`tencent`, the development files) and the dispatch in `sms`.

/// An approved message template and its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    /// Sign-in code: `{1}` the code, `{2}` minutes it lives.
    LoginCode,
    /// Code confirming a number added to an account: same parameters.
    BindCode,
    /// A notice to a family (`notify::Event`): the event's parameters.
    Notice(crate::notify::kinds::Event),
}

impl Template {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Template::LoginCode => "login_code",
            Template::BindCode => "bind_code",
            Template::Notice(e) => e.as_str(),
        }
    }

    /// The text the development transport writes (the real text is the approved template).
    pub(crate) fn render(self, params: &[String]) -> String {
        let (code, minutes) = (params.first().map_or("", String::as_str), params.get(1).map_or("", String::as_str));
        match self {
            Template::LoginCode => format!("【童心】您的登录验证码为{code}，{minutes}分钟内有效。如非本人操作，请忽略。"),
            Template::BindCode => format!("【童心】您正在为童心账户绑定此手机号，验证码为{code}，{minutes}分钟内有效。"),
            Template::Notice(e) => {
                let p = |i: usize| params.get(i).map_or("", String::as_str);
                match e {
                    crate::notify::kinds::Event::RequestUpdate => {
                        format!("【童心】您的申请有新进展：{}（{}）。请打开童心小程序查看。", p(0), p(1))
                    }
                    crate::notify::kinds::Event::BookingUpdate => {
                        format!("【童心】您预约的“{}”（{}）：{}。请打开童心小程序查看。", p(0), p(1), p(2))
                    }
                    crate::notify::kinds::Event::SessionReminder => format!("【童心】提醒：您预约的“{}”将于{}开始。", p(0), p(1)),
                    crate::notify::kinds::Event::VerificationDue => {
                        format!("【童心】您孩子的信息{}（{}起），请打开童心小程序核对确认。", p(0), p(1))
                    }
                }
            }
        }
    }
}

/// Why a message was not sent; the text is safe to log (no number, no parameter).
#[derive(Debug, Clone, thiserror::Error)]
pub enum SmsError {
    /// The provider will not deliver to this number (malformed, blacklisted, unsubscribed).
    #[error("SMS refused for this number: {0}")]
    BadNumber(String),
    /// Retrying will not help until the operator fixes the configuration (keys, signature,
    /// template, balance).
    #[error("SMS refused: {0}")]
    Permanent(String),
    /// The provider or the network failed; a retry may succeed.
    #[error("SMS not sent (temporary): {0}")]
    Temporary(String),
}
