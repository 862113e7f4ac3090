//! Reading the whole database generically, for tests that must prove something is nowhere: every
//! table is found from the live catalogue (not from a list that could forget one), and every
//! row is read as text.

use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

use crate::TestApp;

/// One column of the live schema: table, column and declared type (lower case).
#[derive(Debug, Clone)]
pub struct Column {
    /// Table name.
    pub table: String,
    /// Column name.
    pub name: String,
    /// Declared type, lower case (`varchar(100)`, `text`, `json_text` on SQLite; `character
    /// varying`, `text`, `json` on PostgreSQL).
    pub ty: String,
}

impl Column {
    /// Whether the column holds text a person could have written or that could quote one:
    /// strings and JSON (identifiers, numbers, dates and flags cannot).
    pub fn holds_text(&self) -> bool {
        let t = self.ty.as_str();
        (t.starts_with("varchar") || t.starts_with("text") || t.starts_with("char") || t.starts_with("json"))
            || matches!(t, "character varying" | "character" | "json" | "jsonb")
    }
}

async fn strings(app: &TestApp, sql: &str) -> Vec<Vec<String>> {
    let db = &app.state.db;
    let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql.to_owned())).await.expect(sql);
    rows.iter()
        .map(|r| (0..).map_while(|i| r.try_get_by_index::<Option<String>>(i).ok()).map(Option::unwrap_or_default).collect())
        .collect()
}

/// Every table of the application's schema (the migration bookkeeping table included).
pub async fn tables(app: &TestApp) -> Vec<String> {
    let sql = match app.state.db.get_database_backend() {
        DatabaseBackend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        _ => "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    };
    strings(app, sql).await.into_iter().map(|r| r[0].clone()).collect()
}

/// Every column of every table, from the live catalogue.
pub async fn columns(app: &TestApp) -> Vec<Column> {
    let mut out = Vec::new();
    match app.state.db.get_database_backend() {
        DatabaseBackend::Sqlite => {
            for t in tables(app).await {
                for r in strings(app, &format!("SELECT name, lower(type) FROM pragma_table_info('{t}')")).await {
                    out.push(Column { table: t.clone(), name: r[0].clone(), ty: r[1].clone() });
                }
            }
        }
        _ => {
            let sql = "SELECT table_name::text, column_name::text, lower(data_type::text) FROM information_schema.columns \
                       WHERE table_schema = 'public' ORDER BY table_name, ordinal_position";
            for r in strings(app, sql).await {
                out.push(Column { table: r[0].clone(), name: r[1].clone(), ty: r[2].clone() });
            }
        }
    }
    out
}

/// Every row of every table as one line of text: `table: v1 | v2 | …`.
pub async fn database_text(app: &TestApp) -> Vec<String> {
    let mut out = Vec::new();
    let cols = columns(app).await;
    for t in tables(app).await {
        let sql = match app.state.db.get_database_backend() {
            DatabaseBackend::Sqlite => {
                let parts: Vec<String> = cols
                    .iter()
                    .filter(|c| c.table == t)
                    .map(|c| {
                        format!("COALESCE(CASE WHEN typeof(\"{0}\") = 'blob' THEN hex(\"{0}\") ELSE CAST(\"{0}\" AS TEXT) END, '')", c.name)
                    })
                    .collect();
                if parts.is_empty() {
                    continue;
                }
                format!("SELECT {} FROM \"{t}\"", parts.join(" || ' | ' || "))
            }
            _ => format!("SELECT t::text FROM \"{t}\" t"),
        };
        out.extend(strings(app, &sql).await.into_iter().map(|r| format!("{t}: {}", r[0])));
    }
    out
}
