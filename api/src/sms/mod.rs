//! SMS: the families' sign-in codes. Tencent Cloud SMS in production; in development each message
//! is written as a text file under `SMS_DIR` (as e-mail is under `MAIL_DIR`), so phone sign-in
//! works after `cargo run` with nothing else. A message names an approved template and its
//! parameters, as the providers require in mainland China: free text is not deliverable.

pub mod tencent;

use std::path::PathBuf;

use crate::config::{Config, ConfigError, SmsProvider};

/// An approved message template and its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    /// Sign-in code: `{1}` the code, `{2}` minutes it lives.
    LoginCode,
    /// Code confirming a number added to an account: same parameters.
    BindCode,
    /// A notice to a family (`notify::Event`): the event's parameters.
    Notice(crate::notify::Event),
}

impl Template {
    fn name(self) -> &'static str {
        match self {
            Template::LoginCode => "login_code",
            Template::BindCode => "bind_code",
            Template::Notice(e) => e.as_str(),
        }
    }

    /// The text the development transport writes (the real text is the approved template).
    fn render(self, params: &[String]) -> String {
        let (code, minutes) = (params.first().map_or("", String::as_str), params.get(1).map_or("", String::as_str));
        match self {
            Template::LoginCode => format!("【童心】您的登录验证码为{code}，{minutes}分钟内有效。如非本人操作，请忽略。"),
            Template::BindCode => format!("【童心】您正在为童心账户绑定此手机号，验证码为{code}，{minutes}分钟内有效。"),
            Template::Notice(e) => {
                let p = |i: usize| params.get(i).map_or("", String::as_str);
                match e {
                    crate::notify::Event::RequestUpdate => {
                        format!("【童心】您的申请有新进展：{}（{}）。请打开童心小程序查看。", p(0), p(1))
                    }
                    crate::notify::Event::BookingUpdate => {
                        format!("【童心】您预约的“{}”（{}）：{}。请打开童心小程序查看。", p(0), p(1), p(2))
                    }
                    crate::notify::Event::SessionReminder => format!("【童心】提醒：您预约的“{}”将于{}开始。", p(0), p(1)),
                    crate::notify::Event::VerificationDue => {
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

/// The delivery path chosen by `SMS_PROVIDER`.
#[derive(Clone)]
pub enum Sms {
    /// Text files under this directory.
    File(PathBuf),
    /// Tencent Cloud SMS.
    Tencent(Box<tencent::TencentSms>),
}

impl Sms {
    /// Whether `template` can be sent at all: the file transport writes anything, Tencent needs
    /// the template's approved id.
    pub fn has_template(&self, template: Template) -> bool {
        match self {
            Sms::File(_) => true,
            Sms::Tencent(t) => t.template_id(template).is_some(),
        }
    }
}

impl Sms {
    /// Builds the transport; a provider without its keys or templates is refused, naming them.
    pub fn from_config(config: &Config) -> Result<Self, ConfigError> {
        match config.sms_provider {
            SmsProvider::File => {
                std::fs::create_dir_all(&config.sms_dir).map_err(|e| ConfigError(format!("SMS_DIR {}: {e}", config.sms_dir.display())))?;
                Ok(Sms::File(config.sms_dir.clone()))
            }
            SmsProvider::Tencent => Ok(Sms::Tencent(Box::new(tencent::TencentSms::from_config(config)?))),
        }
    }

    /// Sends `template` with `params` to the E.164 number `to`; `context` is a stable key of the
    /// message (the outbox row of a notice), passed to the provider as its session context so a
    /// copy sent again after a crash can be recognised at the provider.
    pub async fn send(&self, to: &str, template: Template, params: &[String], context: Option<&str>) -> Result<(), SmsError> {
        match self {
            Sms::File(dir) => {
                let name = format!("{}-{}.txt", chrono::Utc::now().format("%Y%m%dT%H%M%S%.6f"), uuid::Uuid::new_v4().simple());
                let body = format!("To: {to}\nTemplate: {}\n\n{}\n", template.name(), template.render(params));
                tokio::fs::write(dir.join(&name), body).await.map_err(|e| SmsError::Temporary(format!("SMS_DIR: {}", e.kind())))?;
                tracing::info!(file = %name, template = template.name(), "sms written");
                Ok(())
            }
            Sms::Tencent(t) => t.send(to, template, params, context).await,
        }
    }

    /// Name for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Sms::File(_) => "file",
            Sms::Tencent(_) => "tencent",
        }
    }
}
