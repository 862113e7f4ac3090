//! Reading what the server sent: the e-mails it delivered (after draining its outbox) and the
//! tokens in their links.

use std::path::PathBuf;

use crate::TestApp;

impl TestApp {
    /// Every e-mail delivered so far as (recipient, raw message), after draining the outbox.
    pub async fn emails(&self) -> Vec<(String, String)> {
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        let c = &self.state.config;
        // The server's own worker may be delivering concurrently: drain until nothing is pending.
        for _ in 0..200 {
            api::mail::outbox::deliver_due(
                &self.state.db,
                &self.state.mailer,
                &c.mail_from,
                &api::mail::outbox::Retry::from_config(c),
                self.state.clock.now(),
            )
            .await
            .expect("deliver");
            api::notify::deliver::deliver_due(&self.state, &api::mail::outbox::Retry::from_config(c), self.state.clock.now())
                .await
                .expect("deliver notices");
            let pending = entities::outbox::Entity::find()
                .filter(entities::outbox::Column::Status.eq("pending"))
                .filter(entities::outbox::Column::Attempts.eq(0))
                .count(&self.state.db)
                .await
                .expect("count");
            if pending == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        if self.state.mailer.dir().is_some() {
            return self.mail_files().into_iter().map(|(_, raw)| (header_of(&raw, "To"), decode_body(&raw))).collect();
        }
        self.mail
            .messages()
            .await
            .into_iter()
            .map(|(env, raw)| (env.to().iter().map(ToString::to_string).collect::<Vec<_>>().join(","), decode_body(&raw)))
            .collect()
    }

    /// The raw `.eml` files in the file transport's `MAIL_DIR`, oldest first (empty for the
    /// in-memory transport).
    pub fn mail_files(&self) -> Vec<(PathBuf, String)> {
        let Some(dir) = self.state.mailer.dir() else { return Vec::new() };
        let mut files: Vec<(std::time::SystemTime, PathBuf, String)> = std::fs::read_dir(dir)
            .map(|rd| rd.flatten().collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|e| {
                let modified = e.metadata().and_then(|m| m.modified()).ok()?;
                let raw = std::fs::read_to_string(e.path()).ok()?;
                Some((modified, e.path(), raw))
            })
            .collect();
        files.sort();
        files.into_iter().map(|(_, p, raw)| (p, raw)).collect()
    }

    /// E-mails delivered to `to`.
    pub async fn emails_to(&self, to: &str) -> Vec<String> {
        self.emails().await.into_iter().filter(|(r, _)| r == to).map(|(_, b)| b).collect()
    }
}

/// A header's value in a raw message (unfolded lines are enough for addresses).
fn header_of(raw: &str, name: &str) -> String {
    let prefix = format!("{name}: ");
    raw.lines().find_map(|l| l.strip_prefix(&prefix)).unwrap_or_default().trim().to_owned()
}

/// The body of a raw message; the outbox always writes base64 bodies.
pub fn decode_body(raw: &str) -> String {
    use base64::Engine;
    let body = raw.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
    let compact: String = body.split_whitespace().collect();
    base64::engine::general_purpose::STANDARD.decode(compact).ok().and_then(|b| String::from_utf8(b).ok()).unwrap_or_default()
}

/// The token in an e-mail (the `token=` parameter of its link).
pub fn token_in(mail: &str) -> String {
    let start = mail.find("token=").expect("token link in e-mail") + 6;
    mail[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}
