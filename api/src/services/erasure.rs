//! Where a child's personal data can live, in one list, and the erasure that walks it.
//!
//! Why one declarative list: erasure used to be a hand-written update of the child's row, and every
//! table added later (requests, comments, care measures, mail) kept the child's name and phone
//! numbers after the guardian asked for deletion. Every table of the schema is classified here
//! ([`TABLES`]): how the rows of one child are found, or why it holds nothing of a child. Every
//! text or JSON column of a child-linked table is either erased ([`PLACES`]) or kept with a
//! reason ([`KEPT`]); the test `security::erasure` reads the live schema and fails when a column
//! or table is in neither, so a new free-text field cannot silently escape erasure.
//!
//! Free text written about a child (details, comments, notes, mail bodies) cannot be scrubbed
//! reliably word by word, so it is replaced whole by [`MARKER`]. What statistics need (status,
//! dates, department, county, birth year, risk level) stays, as in the tombstone design.

use chrono::{DateTime, Utc};
use entities::{outbox, request};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Alias, Expr, ExprTrait, Query, SimpleExpr},
};
use uuid::Uuid;

use crate::{
    error::AppResult,
    services::{bookings, key_care, request_records},
};

/// What replaces free text about an erased child.
pub const MARKER: &str = "[已删除 / erased]";

/// How the rows of one child are found in a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    /// The child's own row (`children.id`).
    Child,
    /// A `child_id` column.
    ChildId,
    /// `request_id` of one of the child's requests.
    OfRequests,
    /// `entry_id` of the child's key-care entry.
    OfKeyCareEntry,
    /// `measure_id` of one of the child's care measures.
    OfCareMeasures,
    /// Audit entries whose subject is the child or one of the rows above.
    AuditSubject,
}

/// What erasure writes into a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// NULL: structured personal data (name, numbers, snapshots).
    Null,
    /// The whole text becomes [`MARKER`] (free text; NULL stays NULL).
    Redact,
    /// An empty JSON list (a required JSON column with personal content).
    EmptyList,
}

/// One place where a child's personal data can live.
#[derive(Debug, Clone, Copy)]
pub struct Place {
    /// Table.
    pub table: &'static str,
    /// Column.
    pub column: &'static str,
    /// What erasure writes.
    pub action: Action,
}

const fn p(table: &'static str, column: &'static str, action: Action) -> Place {
    Place { table, column, action }
}

/// Every table of the schema: `Some(rows)` when it can hold rows about one child, `None` with
/// the reason when it cannot.
pub const TABLES: &[(&str, Option<Rows>, &str)] = &[
    ("children", Some(Rows::Child), "the record itself; a tombstone stays"),
    ("child_versions", Some(Rows::ChildId), "snapshots of the record"),
    ("child_access_log", Some(Rows::ChildId), "who read which field names"),
    ("child_verifications", Some(Rows::ChildId), "verification notes and corrections"),
    ("consents", Some(Rows::ChildId), "the lawful basis, kept as proof"),
    ("screenings", Some(Rows::ChildId), "paper consent of a screened child"),
    ("key_care_entries", Some(Rows::ChildId), "the ledger entry"),
    ("risk_assessments", Some(Rows::OfKeyCareEntry), "answers and notes about the child"),
    ("care_measures", Some(Rows::ChildId), "measures described in free text"),
    ("care_follow_ups", Some(Rows::OfCareMeasures), "notes of staff"),
    ("requests", Some(Rows::ChildId), "details written by the family"),
    ("request_events", Some(Rows::OfRequests), "comments, questions, answers"),
    ("bookings", Some(Rows::ChildId), "seats booked for the child"),
    ("outbox", Some(Rows::ChildId), "e-mails about the child (`enqueue_about`)"),
    ("audit_log", Some(Rows::AuditSubject), "who did what to the child's rows"),
    ("documents", Some(Rows::ChildId), "papers sent about the child: rows deleted, bytes removed from the store"),
    ("document_blobs", None, "encrypted bytes of a household's files; deleted with the last document using them"),
    ("accounts", None, "adults' accounts; no field about a child"),
    ("login_sessions", None, "authentication"),
    ("trusted_documents", None, "GraphQL documents registered by administrators; operations, never data"),
    ("refresh_tokens", None, "authentication"),
    ("key_checks", None, "one known text per key, sealed or hashed; nothing of a child"),
    ("email_tokens", None, "authentication"),
    ("account_phones", None, "an adult's sign-in number (hashed and sealed); nothing of a child"),
    ("account_wechat", None, "an adult's WeChat sign-in identity; nothing of a child"),
    ("phone_codes", None, "hashed sign-in codes of adults' numbers"),
    ("wechat_access_tokens", None, "the server's WeChat credential"),
    ("subscribe_grants", None, "an adult's subscribe-message grants; nothing of a child"),
    ("notification_preferences", None, "an adult's channel order; nothing of a child"),
    ("households", None, "ids only"),
    ("household_members", None, "ids only"),
    ("household_invitations", None, "a guardian's address"),
    ("organizations", None, "organizations and their contact"),
    ("locations", None, "places of organizations"),
    ("services", None, "services offered to all"),
    ("sessions", None, "session times and seat counts"),
    ("departments", None, "reference data"),
    ("regions", None, "reference data"),
    ("seaql_migrations", None, "migration bookkeeping"),
];

/// Every column erasure overwrites, per table (the tables' rows found as [`TABLES`] says).
pub const PLACES: &[Place] = &[
    p("children", "household_id", Action::Null),
    p("children", "name", Action::Null),
    p("children", "sex", Action::Null),
    p("children", "birth_date", Action::Null),
    p("children", "residence_township_code", Action::Null),
    p("children", "id_number_ct", Action::Null),
    p("children", "id_number_kid", Action::Null),
    p("children", "id_number_hash", Action::Null),
    p("children", "permit_number_ct", Action::Null),
    p("children", "permit_number_kid", Action::Null),
    p("children", "details", Action::Null),
    p("child_versions", "snapshot", Action::Null),
    p("child_verifications", "changes", Action::Null),
    p("child_verifications", "note", Action::Redact),
    p("screenings", "consent_signed_by", Action::Redact),
    // An erased record can no longer be claimed.
    p("screenings", "claim_code_hash", Action::Null),
    p("screenings", "claim_code_expires_at", Action::Null),
    p("risk_assessments", "answers", Action::EmptyList),
    p("risk_assessments", "note", Action::Redact),
    p("care_measures", "description", Action::Redact),
    p("care_follow_ups", "note", Action::Redact),
    p("requests", "details", Action::Redact),
    p("requests", "idempotency_key", Action::Null),
    p("requests", "eligibility_trace", Action::Null),
    p("requests", "resolution_reason", Action::Redact),
    p("request_events", "note", Action::Redact),
    p("bookings", "idempotency_key", Action::Null),
    p("outbox", "subject", Action::Redact),
    p("outbox", "body", Action::Redact),
    p("outbox", "params", Action::Null),
    // The rows themselves are deleted first (`documents::lifetime::erase_child`).
    p("documents", "review_note", Action::Redact),
];

/// Text and JSON columns of child-linked tables that erasure keeps, and why.
pub const KEPT: &[(&str, &[&str], &str)] = &[
    ("children", &["residence_region_code", "source"], "county and origin of the record: statistics"),
    ("child_versions", &["changed_fields"], "field names, no values"),
    ("child_access_log", &["actor_role", "fields", "purpose"], "codes and field names of staff reads"),
    ("child_verifications", &["actor_role"], "a role code"),
    ("consents", &["purpose", "text_version"], "codes: proof of the lawful basis"),
    ("screenings", &["township_code", "consent_text_version"], "codes: statistics"),
    ("key_care_entries", &["county_code", "township_code", "reasons", "risk_level"], "codes: statistics"),
    ("risk_assessments", &["rubric_version", "level"], "codes: statistics"),
    ("care_measures", &["department_code", "township_code", "region_code", "status"], "codes: statistics"),
    ("care_follow_ups", &["kind"], "a code"),
    (
        "requests",
        &["kind", "entitlement_code", "department_code", "region_code", "status", "open_key", "policy_version", "eligibility_outcome"],
        "codes: statistics (open_key is ids and is cleared when the request closes)",
    ),
    ("request_events", &["kind", "from_status", "to_status"], "codes"),
    ("bookings", &["status"], "a code"),
    (
        "outbox",
        &["recipient", "status", "last_error", "event", "channel", "refused", "delivered_via"],
        "the adult's address, delivery state, event and channel codes, transport errors without body",
    ),
    ("documents", &["doc_type", "status"], "codes (the rows are deleted)"),
    ("audit_log", &["action", "subject_type", "subject_id", "detail"], "codes, ids and field names; never free text"),
];

/// Closes the child's open work as a consent withdrawal does (requests and their coordination
/// tasks withdrawn, through the same path), and also what erasure must not leave running: future
/// bookings (the seat goes to the next waiting child) and open care measures.
pub async fn close_open_work(txn: &DatabaseTransaction, child_id: Uuid, now: DateTime<Utc>) -> AppResult<()> {
    request_records::withdraw_for_consent(txn, child_id, now).await?;
    bookings::cancel_for_child(txn, child_id, now).await?;
    key_care::withdraw_for_child(txn, child_id, now).await?;
    Ok(())
}

/// Overwrites every [`PLACES`] entry for the child and marks its requests erased. Returns the
/// ids of the e-mails about the child, whose delivered copies outside the database (the file
/// transport's directory) the caller removes after commit.
pub async fn erase_places(conn: &impl ConnectionTrait, child_id: Uuid, now: DateTime<Utc>) -> AppResult<Vec<Uuid>> {
    // Every e-mail about the child, pending ones too: a worker may be delivering one right now.
    let mails: Vec<Uuid> = outbox::Entity::find()
        .select_only()
        .column(outbox::Column::Id)
        .filter(outbox::Column::ChildId.eq(child_id))
        .into_tuple()
        .all(conn)
        .await?;
    // Undelivered mail about the child is never sent: its text is gone.
    outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value("purged"))
        .filter(outbox::Column::ChildId.eq(child_id))
        .filter(outbox::Column::Status.eq("pending"))
        .exec(conn)
        .await?;
    // Children's own row last: the other lookups go through its id only, never its values.
    let mut places: Vec<&Place> = PLACES.iter().collect();
    places.sort_by_key(|p| p.table == "children");
    for place in places {
        let rows = TABLES.iter().find(|t| t.0 == place.table).and_then(|t| t.1).expect("every place's table is classified");
        let value: SimpleExpr = match place.action {
            Action::Null => Expr::cust("NULL"),
            Action::Redact => Expr::value(MARKER),
            Action::EmptyList => Expr::value(serde_json::json!([])),
        };
        let mut stmt = Query::update();
        stmt.table(Alias::new(place.table)).value(Alias::new(place.column), value).and_where(rows_of(rows, child_id));
        if place.action == Action::Redact {
            stmt.and_where(Expr::col(Alias::new(place.column)).is_not_null());
        }
        conn.execute(&stmt).await?;
    }
    request::Entity::update_many()
        .col_expr(request::Column::ErasedAt, Expr::value(Some(now)))
        .filter(request::Column::ChildId.eq(child_id))
        .exec(conn)
        .await?;
    Ok(mails)
}

/// The condition selecting one child's rows of a table.
fn rows_of(rows: Rows, child_id: Uuid) -> SimpleExpr {
    let of = |table: &str, key: &str| {
        Expr::col(Alias::new(key)).in_subquery(
            Query::select()
                .column(Alias::new("id"))
                .from(Alias::new(table))
                .and_where(Expr::col(Alias::new("child_id")).eq(child_id))
                .to_owned(),
        )
    };
    match rows {
        Rows::Child => Expr::col(Alias::new("id")).eq(child_id),
        Rows::ChildId => Expr::col(Alias::new("child_id")).eq(child_id),
        Rows::OfRequests => of("requests", "request_id"),
        Rows::OfKeyCareEntry => of("key_care_entries", "entry_id"),
        Rows::OfCareMeasures => of("care_measures", "measure_id"),
        Rows::AuditSubject => Expr::col(Alias::new("subject_id")).eq(child_id.to_string()),
    }
}

/// Removes the delivered copies of the given e-mails from the file transport's directory: the
/// outbox stamps each message with `Message-ID: <outbox id@tongxin>`, so a file is found by that
/// header whatever its body encoding. SMTP-delivered mail has left the system and cannot be
/// recalled. Returns how many files were removed.
pub fn remove_delivered_files(dir: &std::path::Path, ids: &[Uuid]) -> usize {
    if ids.is_empty() {
        return 0;
    }
    let wanted: Vec<String> = ids.iter().map(|id| format!("<{id}@tongxin>")).collect();
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    let mut removed = 0;
    for e in entries.flatten() {
        let path = e.path();
        let Ok(raw) = std::fs::read_to_string(&path) else { continue };
        let headers = raw.split("\r\n\r\n").next().unwrap_or_default();
        if wanted.iter().any(|w| headers.contains(w.as_str())) {
            match std::fs::remove_file(&path) {
                Ok(()) => removed += 1,
                Err(error) => tracing::error!(%error, "a delivered e-mail about an erased child could not be removed"),
            }
        }
    }
    removed
}
