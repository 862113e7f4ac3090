//! The unique constraints that services turn into a user-facing `CONFLICT`, by name.
//!
//! Why by name: a failed insert can break more than one unique rule (a booking row has one for
//! the child's place in a session and one for the family's idempotency key), and answering "the
//! child is already booked" when the key was reused would be wrong. PostgreSQL names the
//! constraint in the error; SQLite does not, but names the table and the columns
//! ("UNIQUE constraint failed: bookings.session_id, bookings.child_id"), so each constraint is
//! written once here with both, and [`violated`] recognises it on either database. The names are
//! those the migrations create (`ux_…` for named indexes, PostgreSQL's `<table>_<column>_key` for
//! column constraints); a test inserts a duplicate for each on both databases.

use sea_orm::{DbErr, RuntimeErr, sqlx};

/// One unique constraint of the schema.
#[derive(Debug, PartialEq, Eq)]
pub struct Unique {
    /// Its name in PostgreSQL.
    pub name: &'static str,
    /// The table it is on.
    pub table: &'static str,
    /// Its columns, in order.
    pub columns: &'static [&'static str],
}

macro_rules! unique {
    ($($(#[$doc:meta])* $id:ident = $name:literal on $table:literal ($($col:literal),+);)+) => {
        $( $(#[$doc])* pub const $id: Unique = Unique { name: $name, table: $table, columns: &[$($col),+] }; )+
        /// Every unique constraint services map.
        pub const ALL: &[&Unique] = &[$(&$id),+];
    };
}

unique! {
    /// One account per e-mail address.
    ACCOUNT_EMAIL = "accounts_email_key" on "accounts" ("email");
    /// One account per bound phone number.
    ACCOUNT_PHONE = "account_phones_phone_hash_key" on "account_phones" ("phone_hash");
    /// One account per WeChat user of an app.
    ACCOUNT_WECHAT = "ux_account_wechat_openid" on "account_wechat" ("app_id", "openid");
    /// An account belongs to at most one household.
    HOUSEHOLD_MEMBER = "household_members_account_id_key" on "household_members" ("account_id");
    /// One child record per ID number, across households.
    CHILD_ID_NUMBER = "children_id_number_hash_key" on "children" ("id_number_hash");
    /// A record's versions are numbered once.
    CHILD_VERSION = "ux_child_versions_child_version" on "child_versions" ("child_id", "version");
    /// One organization per unified social credit code.
    ORGANIZATION_CREDIT_CODE = "organizations_credit_code_key" on "organizations" ("credit_code");
    /// One booking of a child per session.
    BOOKING_SESSION_CHILD = "ux_bookings_session_child" on "bookings" ("session_id", "child_id");
    /// A family's idempotency key books once.
    BOOKING_IDEMPOTENCY = "ux_bookings_idempotency" on "bookings" ("guardian_id", "idempotency_key");
    /// One open request of a kind per child (`open_key` is cleared when it closes).
    REQUEST_OPEN = "requests_open_key_key" on "requests" ("open_key");
    /// A guardian's idempotency key files once.
    REQUEST_IDEMPOTENCY = "ux_requests_idempotency" on "requests" ("guardian_id", "idempotency_key");
    /// One screening record per child.
    SCREENING_CHILD = "screenings_child_id_key" on "screenings" ("child_id");
    /// One key-care entry per child.
    KEY_CARE_CHILD = "key_care_entries_child_id_key" on "key_care_entries" ("child_id");
    /// A household stores the same file once.
    DOCUMENT_CONTENT = "ux_document_blobs_content" on "document_blobs" ("household_id", "content_hash");
}

/// The unique constraint `e` broke, when it is one of [`ALL`]. Any other error, including a
/// primary-key collision or a constraint not listed, is `None`: callers let it through as an
/// internal error rather than guess what the user did.
pub fn violated(e: &DbErr) -> Option<&'static Unique> {
    let db = match e {
        DbErr::Exec(RuntimeErr::SqlxError(s)) | DbErr::Query(RuntimeErr::SqlxError(s)) => match &**s {
            sqlx::Error::Database(d) => d,
            _ => return None,
        },
        _ => return None,
    };
    if !matches!(db.kind(), sqlx::error::ErrorKind::UniqueViolation) {
        return None;
    }
    if let Some(name) = db.constraint() {
        return ALL.iter().copied().find(|u| u.name == name);
    }
    // SQLite: "UNIQUE constraint failed: bookings.session_id, bookings.child_id".
    let columns = db.message().strip_prefix("UNIQUE constraint failed: ")?;
    let named: Vec<(&str, &str)> = columns.split(", ").filter_map(|c| c.split_once('.')).collect();
    ALL.iter()
        .copied()
        .find(|u| named.len() == u.columns.len() && named.iter().zip(u.columns).all(|((t, c), want)| *t == u.table && c == want))
}

impl Unique {
    /// True when `e` broke this constraint.
    pub fn broken_by(&self, e: &DbErr) -> bool {
        violated(e) == Some(self)
    }
}
