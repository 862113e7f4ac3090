//! The one error type of the server and its wire form. Services return `AppError`; the GraphQL
//! boundary (`graphql::errors`) turns it into `extensions.code` plus a message in the caller's
//! language. Internal errors keep their cause for the log and never show it to the client.

use std::{borrow::Cow, sync::Arc};

/// The caller's language, from `Accept-Language` (zh-CN is the default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    /// Simplified Chinese.
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// Picks the best supported language of an `Accept-Language` header value.
    pub fn from_accept_language(header: Option<&str>) -> Lang {
        let Some(h) = header else { return Lang::Zh };
        // Tags are case-insensitive (RFC 5646) and a region never matters here: `EN`, `en-GB`
        // and `en` are English. The first supported language by quality wins.
        for tag in accept_language::parse(h) {
            let primary = tag.split('-').next().unwrap_or_default().to_ascii_lowercase();
            match primary.as_str() {
                "zh" => return Lang::Zh,
                "en" => return Lang::En,
                _ => {}
            }
        }
        Lang::Zh
    }

    /// Chooses between a Chinese and an English text.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// The domain crate's language type.
    pub fn domain(self) -> domain::eligibility::Lang {
        match self {
            Lang::Zh => domain::eligibility::Lang::Zh,
            Lang::En => domain::eligibility::Lang::En,
        }
    }
}

/// A human message in both languages; which one is shown depends on the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Msg {
    /// Chinese text.
    pub zh: Cow<'static, str>,
    /// English text.
    pub en: Cow<'static, str>,
}

impl Msg {
    /// A message from two static texts.
    pub const fn new(zh: &'static str, en: &'static str) -> Self {
        Msg { zh: Cow::Borrowed(zh), en: Cow::Borrowed(en) }
    }

    /// A message from two computed texts.
    pub fn owned(zh: String, en: String) -> Self {
        Msg { zh: Cow::Owned(zh), en: Cow::Owned(en) }
    }

    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        lang.pick(&self.zh, &self.en)
    }
}

/// Names the input field of a typed value's refusal, where a parse meets its field:
/// `Email::parse(&raw).on("email")?` answers `VALIDATION` on `email` in the parser's words.
pub trait OnField<T> {
    /// The value, or `VALIDATION` on `field`.
    fn on(self, field: &str) -> AppResult<T>;
}

impl<T, E: domain::input::Refusal> OnField<T> for Result<T, E> {
    fn on(self, field: &str) -> AppResult<T> {
        self.map_err(|e| AppError::refused(field, &e))
    }
}

/// Every failure a client can see. The codes are the fixed set of API.md.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    /// No or an invalid/expired access token.
    #[error("unauthenticated")]
    Unauthenticated,
    /// Signed in, but the role may not do this.
    #[error("forbidden")]
    Forbidden,
    /// Missing, or not visible to the caller (never reveal which).
    #[error("not found")]
    NotFound,
    /// Bad input; `field` is the argument path the client should highlight.
    #[error("validation failed on {field}")]
    Validation {
        /// camelCase input field name.
        field: String,
        /// What is wrong.
        msg: Msg,
    },
    /// The change conflicts with the current state (duplicate, already claimed, stale version).
    #[error("conflict")]
    Conflict(Msg),
    /// No seat left.
    #[error("capacity full")]
    CapacityFull,
    /// Too many attempts; retry after the given seconds.
    #[error("rate limited")]
    RateLimited {
        /// Seconds until the next attempt may succeed.
        retry_after_secs: u64,
    },
    /// The server cannot answer now (a dependency is down, the request ran out of time); retry
    /// after the given seconds.
    #[error("unavailable")]
    Unavailable {
        /// Seconds after which a retry is reasonable.
        retry_after_secs: u64,
    },
    /// A document was sent by hash and no document with that hash is registered. The message is
    /// the fixed text persisted-query clients look for (they then resend the text, when allowed).
    #[error("persisted query not found")]
    PersistedQueryNotFound,
    /// This caller may only run registered documents (`TRUSTED_DOCUMENTS_ONLY`) and sent free text.
    #[error("persisted query required")]
    PersistedQueryRequired,
    /// Anything else; the cause (with its whole source chain) is logged, never sent.
    #[error("internal: {0}")]
    Internal(#[source] Arc<dyn std::error::Error + Send + Sync>),
}

/// Every `extensions.code` a client can see (the values of [`AppError::code`]).
pub const CODES: [&str; 11] = [
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "NOT_FOUND",
    "VALIDATION",
    "CONFLICT",
    "CAPACITY_FULL",
    "RATE_LIMITED",
    "UNAVAILABLE",
    "PERSISTED_QUERY_NOT_FOUND",
    "PERSISTED_QUERY_REQUIRED",
    "INTERNAL",
];

impl AppError {
    /// The `extensions.code` value.
    pub fn code(&self) -> &'static str {
        // Keep in step with `CODES`.
        match self {
            AppError::Unauthenticated => "UNAUTHENTICATED",
            AppError::Forbidden => "FORBIDDEN",
            AppError::NotFound => "NOT_FOUND",
            AppError::Validation { .. } => "VALIDATION",
            AppError::Conflict(_) => "CONFLICT",
            AppError::CapacityFull => "CAPACITY_FULL",
            AppError::RateLimited { .. } => "RATE_LIMITED",
            AppError::Unavailable { .. } => "UNAVAILABLE",
            AppError::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            AppError::PersistedQueryRequired => "PERSISTED_QUERY_REQUIRED",
            AppError::Internal(_) => "INTERNAL",
        }
    }

    /// The message shown to the client.
    pub fn message(&self, lang: Lang) -> String {
        let m = |zh, en| lang.pick(zh, en).to_owned();
        match self {
            AppError::Unauthenticated => m("请先登录，或登录已过期", "authentication required or expired"),
            AppError::Forbidden => m("您的角色无权执行此操作", "your role may not do this"),
            AppError::NotFound => m("未找到该对象", "not found"),
            AppError::Validation { msg, .. } => msg.get(lang).to_owned(),
            AppError::Conflict(msg) => msg.get(lang).to_owned(),
            AppError::CapacityFull => m("名额已满", "no seats left"),
            AppError::RateLimited { retry_after_secs } => match lang {
                Lang::Zh => format!("尝试次数过多，请在 {retry_after_secs} 秒后重试"),
                Lang::En => format!("too many attempts, retry in {retry_after_secs} s"),
            },
            AppError::Unavailable { retry_after_secs } => match lang {
                Lang::Zh => format!("服务暂时不可用，请在 {retry_after_secs} 秒后重试"),
                Lang::En => format!("service temporarily unavailable, retry in {retry_after_secs} s"),
            },
            AppError::PersistedQueryNotFound => "PersistedQueryNotFound".to_owned(),
            AppError::PersistedQueryRequired => m(
                "此客户端只能发送已登记的查询（请发送其哈希）",
                "only registered documents may be sent from this client (send the document's hash)",
            ),
            AppError::Internal(_) => m("服务器内部错误，请稍后重试", "internal error, please retry later"),
        }
    }

    /// A validation error on `field`.
    pub fn validation(field: &str, zh: &'static str, en: &'static str) -> Self {
        AppError::Validation { field: field.to_owned(), msg: Msg::new(zh, en) }
    }

    /// A typed input value refused by its parser (`domain::input`): `VALIDATION` on `field`, in
    /// the parser's words.
    pub fn refused(field: &str, e: &impl domain::input::Refusal) -> Self {
        AppError::Validation { field: field.to_owned(), msg: Msg { zh: e.zh(), en: e.en() } }
    }

    /// A conflict with a fixed message.
    pub fn conflict(zh: &'static str, en: &'static str) -> Self {
        AppError::Conflict(Msg::new(zh, en))
    }

    /// An internal failure described by a message of ours (no underlying error to keep); the
    /// text goes to the log only.
    pub fn internal(e: impl std::fmt::Display) -> Self {
        AppError::Internal(Arc::new(Described(e.to_string())))
    }

    /// An internal failure caused by `e`, kept whole so the log shows its source chain.
    pub fn caused_by(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        AppError::Internal(Arc::new(e))
    }
}

/// Seconds a client should wait before retrying when the database cannot be reached.
pub const DATABASE_RETRY_AFTER_SECS: u64 = 5;

/// A database failure that is about reaching the database, not about the statement: the caller
/// gets `UNAVAILABLE` with a retry hint instead of `INTERNAL`, and the cause goes to the log here
/// (the client never sees it).
impl From<sea_orm::DbErr> for AppError {
    fn from(e: sea_orm::DbErr) -> Self {
        if is_connection_failure(&e) {
            tracing::warn!(error = %e, "database unreachable");
            AppError::Unavailable { retry_after_secs: DATABASE_RETRY_AFTER_SECS }
        } else {
            AppError::caused_by(e)
        }
    }
}

/// True when `e` means the database could not be reached or the connection died under the
/// statement: the pool timed out or was closed, a connection could not be opened, the socket
/// failed, or the server ended the session (SQLSTATE class 08 "connection exception", 57P01
/// admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now, 53300 too many connections).
/// A statement that the database refused (constraint, syntax, lock) is not one.
pub fn is_connection_failure(e: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr};
    match e {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(s)) | DbErr::Query(RuntimeErr::SqlxError(s)) => is_sqlx_connection_failure(s),
        _ => false,
    }
}

fn is_sqlx_connection_failure(e: &sea_orm::sqlx::Error) -> bool {
    use sea_orm::sqlx::Error;
    match e {
        Error::Io(_) | Error::Tls(_) | Error::PoolTimedOut | Error::PoolClosed | Error::WorkerCrashed => true,
        Error::Database(d) => d.code().is_some_and(|c| c.starts_with("08") || matches!(&*c, "57P01" | "57P02" | "57P03" | "53300")),
        _ => false,
    }
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(e: sea_orm::TransactionError<AppError>) -> Self {
        match e {
            sea_orm::TransactionError::Connection(e) => e.into(),
            sea_orm::TransactionError::Transaction(e) => e,
        }
    }
}

/// An internal failure that has only a message.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Described(String);

/// `e` and every error under it, outermost first, for the log: "a: b: c".
pub fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        // Many errors repeat their source in their own message; say each thing once.
        if !out.ends_with(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        next = cause.source();
    }
    out
}

/// Result of every service function.
pub type AppResult<T> = Result<T, AppError>;
