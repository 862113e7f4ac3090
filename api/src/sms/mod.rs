//! SMS: the families' sign-in codes. Tencent Cloud SMS in production; in development each message
//! is written as a text file under `SMS_DIR` (as e-mail is under `MAIL_DIR`), so phone sign-in
//! works after `cargo run` with nothing else. A message names an approved template and its
//! parameters, as the providers require in mainland China: free text is not deliverable.

mod message;
pub mod tencent;

pub use message::{SmsError, Template};

use std::path::PathBuf;

use crate::config::{Config, ConfigError, SmsProvider};

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
