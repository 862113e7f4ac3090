//! (filled by the mail_retry work)
