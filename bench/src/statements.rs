//! Counts the SQL statements a request runs, from PostgreSQL's own log: the bench database gets
//! `log_statement = 'all'` (new connections only, so a second server on the same database, with a
//! fresh pool, is the one that logs), and the lines of that database are read back from the log
//! file. Statement texts only: parameters are not printed.

use std::path::PathBuf;

use sea_orm::sqlx::PgPool;

/// The server's log file (Debian's `pg_ctlcluster` sends stderr there); `PG_LOG` overrides it.
fn log_file() -> PathBuf {
    std::env::var("PG_LOG").map(PathBuf::from).unwrap_or_else(|_| "/var/log/postgresql/postgresql-15-main.log".into())
}

pub struct StatementLog {
    database: String,
}

impl StatementLog {
    /// Turns statement logging on for new connections to `database`.
    pub async fn enable(admin: &PgPool, database: &str) -> StatementLog {
        sea_orm::sqlx::query(sea_orm::sqlx::AssertSqlSafe(format!("ALTER DATABASE \"{database}\" SET log_statement = 'all'")))
            .execute(admin)
            .await
            .expect("log_statement");
        StatementLog { database: database.to_owned() }
    }

    pub async fn disable(self, admin: &PgPool) {
        let _ = sea_orm::sqlx::query(sea_orm::sqlx::AssertSqlSafe(format!("ALTER DATABASE \"{}\" RESET log_statement", self.database)))
            .execute(admin)
            .await;
    }

    /// Where the log ends now.
    pub async fn mark(&self) -> u64 {
        // The logger writes asynchronously; let the previous request's lines land first.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        std::fs::metadata(log_file()).map(|m| m.len()).unwrap_or(0)
    }

    /// The statements logged for this database since `from`, first line of each.
    pub async fn since(&self, from: u64) -> Vec<String> {
        let to = self.mark().await;
        let raw = std::fs::read(log_file()).unwrap_or_default();
        let text = String::from_utf8_lossy(raw.get(from as usize..to as usize).unwrap_or_default());
        let tag = format!("@{} LOG:  ", self.database);
        text.lines()
            .filter_map(|l| l.split_once(&tag).map(|(_, r)| r))
            .filter_map(|r| {
                r.strip_prefix("statement: ").or_else(|| r.strip_prefix("execute ").and_then(|e| e.split_once(": ").map(|(_, s)| s)))
            })
            .map(|s| s.chars().take(160).collect())
            .collect()
    }
}

/// Prints the statements of one request as a numbered list.
pub fn print(what: &str, statements: &[String]) {
    println!("\n{what}: {} statements", statements.len());
    for (i, s) in statements.iter().enumerate() {
        println!("  {}. {s}", i + 1);
    }
}
