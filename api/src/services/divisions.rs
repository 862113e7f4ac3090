//! The divisions file in force, mirrored into the `regions` table and reloaded at run time.
//!
//! Why a table as well as the in-memory index: the `regions` query, the foreign keys of accounts,
//! organizations and locations, and SQL joins read the table, so a county added to the file must
//! reach it before anyone can use it. Why removals are refused while in use: a code stored on a
//! child, a request or an organization that disappears from the file would leave that row outside
//! every region scope (no director would see the child again). The operator keeps the old code in
//! the file until its rows are moved.

use std::{
    collections::{BTreeMap, HashMap},
    sync::Arc,
};

use domain::{regions::Divisions, workdays::WorkCalendar};
use entities::region;
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, EntityTrait, TransactionTrait,
    sea_query::{Alias, Expr, ExprTrait, OnConflict, Query},
};

use crate::{
    error::{AppError, Msg},
    state::AppState,
};

/// Stored columns that hold a division code: (table, column). Kept next to the check that reads
/// it; a new code column belongs here.
const CODE_COLUMNS: [(&str, &str); 13] = [
    ("accounts", "region_code"),
    ("organizations", "county_code"),
    ("locations", "county_code"),
    ("locations", "township_code"),
    ("children", "residence_region_code"),
    ("children", "residence_township_code"),
    ("requests", "region_code"),
    ("key_care_entries", "county_code"),
    ("key_care_entries", "township_code"),
    ("care_measures", "region_code"),
    ("care_measures", "township_code"),
    ("screenings", "township_code"),
    // The hukou county lives in the child's details (JSON); see `hukou_code`.
    ("children", "details.hukouRegionCode"),
];

/// What a reload changed in the `regions` table, by code.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    /// Codes new in the file.
    pub added: Vec<String>,
    /// Codes whose name, level or parent changed.
    pub changed: Vec<String>,
    /// Codes no longer in the file (none of them in use).
    pub removed: Vec<String>,
}

/// Why a reload was refused; nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    /// `CALENDAR_FILE` does not read or validate.
    #[error("{0}")]
    Calendar(String),
    /// `DIVISIONS_FILE` does not read or validate, or the policy no longer loads with it.
    #[error("{0}")]
    Divisions(String),
    /// The file drops codes that stored rows still use: code → the tables using it.
    #[error("division codes still in use: {}", in_use_list(.0))]
    InUse(BTreeMap<String, Vec<&'static str>>),
    /// The database could not be read or written.
    #[error("regions table: {0}")]
    Db(#[from] DbErr),
}

fn in_use_list(codes: &BTreeMap<String, Vec<&'static str>>) -> String {
    let shown: Vec<String> = codes.iter().take(20).map(|(c, t)| format!("{c} ({})", t.join(", "))).collect();
    let more = codes.len().saturating_sub(shown.len());
    if more > 0 { format!("{} and {more} more", shown.join("; ")) } else { shown.join("; ") }
}

impl From<ReloadError> for AppError {
    fn from(e: ReloadError) -> Self {
        let (field, zh, en) = match &e {
            ReloadError::Calendar(m) => ("calendarFile", format!("日历文件无效：{m}"), format!("the calendar file is invalid: {m}")),
            ReloadError::Divisions(m) => ("divisionsFile", format!("行政区划文件无效：{m}"), format!("the divisions file is invalid: {m}")),
            ReloadError::InUse(codes) => (
                "divisionsFile",
                format!("行政区划文件删除了仍在使用的代码：{}", in_use_list(codes)),
                format!("the divisions file removes codes still in use: {}", in_use_list(codes)),
            ),
            ReloadError::Db(_) => return AppError::internal(e.to_string()),
        };
        AppError::Validation { field: field.into(), msg: Msg::owned(zh, en) }
    }
}

/// Rereads `CALENDAR_FILE` and `DIVISIONS_FILE` and puts both in force, or neither: every check
/// runs (and the `regions` table is updated in one transaction) before anything is swapped.
pub async fn reload_reference(state: &AppState) -> Result<(Arc<WorkCalendar>, Changes), ReloadError> {
    let reference = &state.reference;
    let _one_at_a_time = reference.reload_lock.lock().await;
    let calendar = Arc::new(reference.read_calendar_file().map_err(ReloadError::Calendar)?);
    let divisions = Arc::new(reference.read_divisions_file().map_err(ReloadError::Divisions)?);
    let changes = sync(&state.db, &divisions).await?;
    reference.set_divisions(divisions);
    reference.set_calendar(calendar.clone());
    tracing::info!(added = changes.added.len(), changed = changes.changed.len(), removed = changes.removed.len(), "divisions reloaded");
    Ok((calendar, changes))
}

/// Makes the `regions` table hold exactly the divisions of `divisions` (one row per code, the
/// higher level for the cities listed twice), refusing to remove a code that stored rows use.
pub async fn sync(db: &DatabaseConnection, divisions: &Divisions) -> Result<Changes, ReloadError> {
    let stored: HashMap<String, region::Model> = region::Entity::find().all(db).await?.into_iter().map(|r| (r.code.clone(), r)).collect();
    let mut wanted: Vec<region::Model> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for row in divisions.rows() {
        if !seen.insert(row.code.as_str()) {
            continue;
        }
        let d = divisions.get(&row.code).unwrap_or(row);
        wanted.push(region::Model {
            code: d.code.clone(),
            name: d.name.clone(),
            level: d.level.as_str().to_owned(),
            parent_code: d.parent_code.clone(),
        });
    }
    let mut changes = Changes::default();
    let mut upserts = Vec::new();
    for w in &wanted {
        match stored.get(&w.code) {
            None => changes.added.push(w.code.clone()),
            Some(s) if s != w => changes.changed.push(w.code.clone()),
            Some(_) => continue,
        }
        upserts.push(w);
    }
    changes.removed = stored.keys().filter(|c| !seen.contains(c.as_str())).cloned().collect();
    changes.removed.sort();
    if upserts.is_empty() && changes.removed.is_empty() {
        return Ok(changes);
    }
    let in_use = codes_in_use(db, &changes.removed).await?;
    if !in_use.is_empty() {
        return Err(ReloadError::InUse(in_use));
    }
    let txn = db.begin().await?;
    for chunk in upserts.chunks(500) {
        let mut insert = Query::insert();
        insert.into_table(Alias::new("regions")).columns([
            Alias::new("code"),
            Alias::new("name"),
            Alias::new("level"),
            Alias::new("parent_code"),
        ]);
        for r in chunk {
            insert.values_panic([r.code.clone().into(), r.name.clone().into(), r.level.clone().into(), r.parent_code.clone().into()]);
        }
        insert.on_conflict(
            OnConflict::column(Alias::new("code"))
                .update_columns([Alias::new("name"), Alias::new("level"), Alias::new("parent_code")])
                .to_owned(),
        );
        txn.execute(&insert).await?;
    }
    for chunk in changes.removed.chunks(500) {
        let delete = Query::delete()
            .from_table(Alias::new("regions"))
            .and_where(Expr::col(Alias::new("code")).is_in(chunk.iter().cloned()))
            .to_owned();
        txn.execute(&delete).await?;
    }
    txn.commit().await?;
    Ok(changes)
}

/// The expression reading a stored code column; `details.hukouRegionCode` reads the JSON details.
fn code_expr(backend: DatabaseBackend, column: &str) -> Expr {
    match column.strip_prefix("details.") {
        Some(key) if backend == DatabaseBackend::Postgres => Expr::cust(format!("details->>'{key}'")),
        Some(key) => Expr::cust(format!("json_extract(details, '$.{key}')")),
        None => Expr::col(Alias::new(column)),
    }
}

/// Which of `codes` stored rows use, with the tables using each.
async fn codes_in_use(db: &DatabaseConnection, codes: &[String]) -> Result<BTreeMap<String, Vec<&'static str>>, DbErr> {
    let mut used: BTreeMap<String, Vec<&'static str>> = BTreeMap::new();
    let backend = db.get_database_backend();
    for chunk in codes.chunks(500) {
        for (table, column) in CODE_COLUMNS {
            let expr = code_expr(backend, column);
            let q = Query::select()
                .distinct()
                .expr_as(expr.clone(), Alias::new("code"))
                .from(Alias::new(table))
                .and_where(expr.is_in(chunk.iter().cloned()))
                .to_owned();
            for row in db.query_all(&q).await? {
                let code: String = row.try_get("", "code")?;
                let tables = used.entry(code).or_default();
                if !tables.contains(&table) {
                    tables.push(table);
                }
            }
        }
    }
    Ok(used)
}
