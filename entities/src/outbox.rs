//! A message waiting to be delivered, written in the transaction of the change that caused it: an
//! e-mail to an address, or a notice to a family's account whose channel (WeChat, SMS, e-mail) the
//! worker chooses when it delivers.
use sea_orm::entity::prelude::*;

/// An outbox row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    /// Row id; also the stable Message-ID, since delivery is at-least-once.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Recipient address.
    pub recipient: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// pending, sent or failed.
    pub status: String,
    /// Delivery attempts so far.
    pub attempts: i32,
    /// Earliest time of the next attempt (backoff).
    pub next_attempt_at: DateTimeUtc,
    /// Lease of the worker delivering it; expired leases return the row to the pool.
    pub locked_until: Option<DateTimeUtc>,
    /// Last transport error (no body, no secrets).
    pub last_error: Option<String>,
    /// Delivery time.
    pub sent_at: Option<DateTimeUtc>,
    /// Enqueue time; an administrator's requeue counts as a new enqueue (the give-up period
    /// of `OUTBOX_GIVE_UP_AFTER_DAYS` starts again).
    pub created_at: DateTimeUtc,
    /// The child the e-mail is about, if any: erasing the child purges its text.
    pub child_id: Option<Uuid>,
    /// The family's account of a notice (`notify::enqueue`); `None` for a plain e-mail.
    pub account_id: Option<Uuid>,
    /// The notice's event (`notify::Event`), which picks the WeChat and SMS templates.
    pub event: Option<String>,
    /// The notice's short template parameters, a JSON array of strings.
    pub params: Option<String>,
    /// `wechat` once the notice used up a one-time subscribe grant, so a retry uses the same one.
    pub channel: Option<String>,
    /// Channels that refused the notice for good, comma-separated.
    pub refused: Option<String>,
    /// The channel that delivered it.
    pub delivered_via: Option<String>,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
