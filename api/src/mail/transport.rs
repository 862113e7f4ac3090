//! How e-mail leaves the server: SMTP in production, files in development, memory in tests.

use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor, transport::stub::AsyncStubTransport};
use secrecy::ExposeSecret;

use crate::config::Config;

/// The delivery path chosen by configuration.
#[derive(Clone)]
pub enum Mailer {
    /// A real SMTP server (`SMTP_URL`).
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// `.eml` files under `MAIL_DIR` (development default). The directory is kept so erasure can
    /// remove delivered mail about a child (see `services::erasure`).
    File(AsyncFileTransport<Tokio1Executor>, std::path::PathBuf),
    /// In memory, for tests that read what was sent.
    Stub(AsyncStubTransport),
}

impl Mailer {
    /// Builds the transport from `SMTP_URL` or `MAIL_DIR`.
    pub fn from_config(config: &Config) -> Result<Self, String> {
        if let Some(url) = &config.smtp_url {
            let t = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
                .map_err(|e| format!("SMTP_URL is not a valid SMTP URL: {e}"))?
                .timeout(Some(std::time::Duration::from_secs(20)))
                .build();
            return Ok(Mailer::Smtp(t));
        }
        std::fs::create_dir_all(&config.mail_dir).map_err(|e| format!("MAIL_DIR {}: {e}", config.mail_dir.display()))?;
        Ok(Mailer::File(AsyncFileTransport::new(&config.mail_dir), config.mail_dir.clone()))
    }

    /// Sends one message; the error text is safe to log (it carries no body).
    pub async fn send(&self, message: Message) -> Result<(), String> {
        match self {
            Mailer::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
            Mailer::File(t, _) => t.send(message).await.map(|id| tracing::info!(file = %id, "mail written")).map_err(|e| e.to_string()),
            Mailer::Stub(t) => t.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
        }
    }

    /// The directory delivered mail is written to, for the file transport.
    pub fn dir(&self) -> Option<&std::path::Path> {
        match self {
            Mailer::File(_, dir) => Some(dir),
            _ => None,
        }
    }

    /// Name for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Mailer::Smtp(_) => "smtp",
            Mailer::File(..) => "file",
            Mailer::Stub(_) => "stub",
        }
    }
}
