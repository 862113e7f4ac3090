//! The unique constraints services answer by name (`api::constraints`) are the ones the
//! migrations create, on SQLite and on PostgreSQL, and a real violation of each is recognised as
//! that constraint and no other.

use api::constraints::{self, Unique};
use integration_tests::{TestApp, on_postgres};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Statement};

async fn rows(db: &DatabaseConnection, sql: String) -> Vec<sea_orm::QueryResult> {
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await.expect("catalog query")
}

/// The columns of the unique index or constraint `u.name` (PostgreSQL), or of a unique index on
/// `u.table` with exactly `u.columns` (SQLite, whose column constraints get generated names).
async fn columns_of(db: &DatabaseConnection, u: &Unique) -> Option<Vec<String>> {
    if on_postgres() {
        let sql = format!(
            "SELECT a.attname AS col FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
             JOIN pg_class t ON t.oid = i.indrelid \
             JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true \
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
             WHERE i.indisunique AND c.relname = '{}' AND t.relname = '{}' ORDER BY k.ord",
            u.name, u.table
        );
        let cols: Vec<String> = rows(db, sql).await.iter().map(|r| r.try_get::<String>("", "col").expect("col")).collect();
        return (!cols.is_empty()).then_some(cols);
    }
    for index in rows(db, format!("PRAGMA index_list('{}')", u.table)).await {
        if index.try_get::<i32>("", "unique").expect("unique") != 1 {
            continue;
        }
        let name: String = index.try_get("", "name").expect("name");
        let cols: Vec<String> = rows(db, format!("PRAGMA index_info('{name}')"))
            .await
            .iter()
            .map(|r| r.try_get::<String>("", "name").expect("column"))
            .collect();
        if cols == u.columns {
            return Some(cols);
        }
    }
    None
}

#[tokio::test]
async fn every_mapped_unique_constraint_exists_with_its_columns() {
    let app = TestApp::spawn().await;
    for u in constraints::ALL {
        let cols = columns_of(&app.state.db, u).await.unwrap_or_else(|| panic!("{} on {} is not in the schema", u.name, u.table));
        assert_eq!(cols, u.columns, "{}", u.name);
    }
}

/// Copies the row of `table` matching `filter` under a fresh id: every unique rule on the other
/// columns breaks.
async fn duplicate(db: &DatabaseConnection, table: &str, filter: &str) -> DbErr {
    let columns: Vec<String> = if on_postgres() {
        rows(
            db,
            format!("SELECT column_name AS name FROM information_schema.columns WHERE table_name = '{table}' ORDER BY ordinal_position"),
        )
        .await
    } else {
        rows(db, format!("PRAGMA table_info('{table}')")).await
    }
    .iter()
    .map(|r| r.try_get::<String>("", "name").expect("column"))
    .collect();
    let fresh = uuid::Uuid::new_v4();
    let fresh = if on_postgres() { format!("'{fresh}'::uuid") } else { format!("'{fresh}'") };
    let select: Vec<String> = columns.iter().map(|c| if c == "id" { fresh.clone() } else { format!("\"{c}\"") }).collect();
    let sql = format!("INSERT INTO {table} ({}) SELECT {} FROM {table} WHERE {filter}", columns.join(", "), select.join(", "));
    db.execute_raw(Statement::from_string(db.get_database_backend(), sql)).await.expect_err("a copy breaks a unique rule")
}

#[tokio::test]
async fn a_copied_account_breaks_exactly_its_own_constraint() {
    let app = TestApp::spawn().await;
    app.admin_viewer().await;
    let e = duplicate(&app.state.db, "accounts", "email = 'root-admin@tongxin.test'").await;
    assert_eq!(constraints::violated(&e), Some(&constraints::ACCOUNT_EMAIL), "{e}");
    assert!(constraints::ACCOUNT_EMAIL.broken_by(&e));
    assert!(!constraints::ORGANIZATION_CREDIT_CODE.broken_by(&e));
}

#[tokio::test]
async fn errors_that_are_not_a_mapped_unique_violation_map_to_none() {
    let app = TestApp::spawn().await;
    let db = &app.state.db;
    app.admin_token().await; // one login session
    // The same primary key again (a table with no other unique rule): unique, but not a rule a
    // user can break.
    let sql = "INSERT INTO login_sessions SELECT * FROM login_sessions".to_owned();
    let e = db.execute_raw(Statement::from_string(db.get_database_backend(), sql)).await.expect_err("primary key");
    assert_eq!(constraints::violated(&e), None, "{e}");
    let e = db
        .execute_raw(Statement::from_string(db.get_database_backend(), "SELECT * FROM no_such_table".to_owned()))
        .await
        .expect_err("no table");
    assert_eq!(constraints::violated(&e), None);
}
