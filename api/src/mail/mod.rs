//! E-mail: the transports (SMTP, `.eml` files, in-memory for tests), the transactional outbox and
//! the texts. Nothing sends mail directly: callers enqueue into the outbox inside their own
//! transaction, and the worker delivers.

pub mod failed;
pub mod outbox;
pub mod templates;
mod transport;

pub use transport::Mailer;
