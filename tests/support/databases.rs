//! Each test's own database: a copy of a migrated template made once per test process, or an
//! empty one for the tests about migrating itself.
//!
//! Running the migrations costs ~1.4 s per PostgreSQL database and ~0.3 s per SQLite file;
//! copying a migrated one (`CREATE DATABASE … TEMPLATE`, a file copy) costs ~0.15 s. Over the
//! suite's ~250 servers that is most of the time CI spent outside the tests' own work. A server
//! started on a copy runs its migrations as always and finds none pending, so what it serves is
//! the same; the tests that watch migrations run (replicas racing to migrate, a server refusing
//! an unmigrated database) ask for [`Start::Empty`].

use std::path::{Path, PathBuf};

use sea_orm::ConnectionTrait;
use tokio::sync::OnceCell;

/// What a test's database holds when its server starts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// Every migration applied (a copy of the process's template).
    Migrated,
    /// Nothing: the server under test migrates it.
    Empty,
}

/// Where a test's database lives; removed when dropped.
pub enum TestDb {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self {
            TestDb::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            TestDb::Postgres { admin_url, name } => {
                let (url, name) = (admin_url.clone(), name.clone());
                let _ = std::thread::spawn(move || {
                    let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
                    rt.block_on(async move {
                        if let Ok(db) = sea_orm::Database::connect(url).await {
                            let _ = db.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// A new database named after `id`: on PostgreSQL when `admin_url` is given, else a SQLite file.
/// Returns its URL.
pub async fn create(id: &str, admin_url: Option<String>, start: Start) -> (String, TestDb) {
    match admin_url {
        Some(admin_url) => {
            let name = format!("tongxin_t_{id}");
            let template = match start {
                Start::Migrated => format!(" TEMPLATE \"{}\"", pg_template(&admin_url).await),
                Start::Empty => String::new(),
            };
            let admin = sea_orm::Database::connect(admin_url.clone()).await.expect("TEST_DATABASE_URL must be reachable");
            admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"{template}")).await.expect("create test database");
            let _ = admin.close().await;
            (format!("{}/{name}", base_of(&admin_url)), TestDb::Postgres { admin_url, name })
        }
        None => {
            let dir = std::env::temp_dir().join(format!("tongxin-test-{id}"));
            std::fs::create_dir_all(&dir).expect("temp dir");
            if start == Start::Migrated {
                let template = sqlite_template().await;
                for file in sqlite_files(template) {
                    let to = dir.join(file.file_name().expect("a file name"));
                    std::fs::copy(&file, to).expect("copy the migrated template");
                }
            }
            (sqlite_url(&dir), TestDb::Sqlite(dir))
        }
    }
}

fn base_of(admin_url: &str) -> &str {
    admin_url.rsplit_once('/').map_or(admin_url, |(b, _)| b)
}

fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}/t.db?mode=rwc", dir.display())
}

/// The database file and whatever journal is beside it.
fn sqlite_files(dir: &Path) -> Vec<PathBuf> {
    ["t.db", "t.db-wal"].iter().map(|f| dir.join(f)).filter(|p| p.exists()).collect()
}

/// Templates are named after the process that made them, so a later run can tell which are left
/// over from a run that has ended.
fn template_name() -> String {
    format!("tongxin_tpl_{}_{}", std::process::id(), &uuid::Uuid::new_v4().simple().to_string()[..8])
}

fn made_by_a_finished_process(name: &str) -> bool {
    let pid = name.strip_prefix("tongxin_tpl_").and_then(|rest| rest.split('_').next());
    pid.is_some_and(|pid| pid.parse::<u32>().is_ok() && !Path::new(&format!("/proc/{pid}")).exists())
}

async fn migrated(url: &str) {
    let db = api::db::connect_url(url, Some(2), None).await.expect("connect to the template");
    api::db::migrate(&db).await.expect("the template migrates");
    // Closed before copying: PostgreSQL copies only a database nobody is connected to, and the
    // last SQLite connection to close folds the write-ahead log into the file.
    db.close().await.expect("close the template");
}

async fn pg_template(admin_url: &str) -> &'static str {
    static TEMPLATE: OnceCell<String> = OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let admin = sea_orm::Database::connect(admin_url.to_owned()).await.expect("TEST_DATABASE_URL must be reachable");
            let left = admin
                .query_all_raw(sea_orm::Statement::from_string(
                    admin.get_database_backend(),
                    "SELECT datname FROM pg_database WHERE datname LIKE 'tongxin_tpl_%'",
                ))
                .await
                .unwrap_or_default();
            for name in left.iter().filter_map(|r| r.try_get::<String>("", "datname").ok()) {
                if made_by_a_finished_process(&name) {
                    let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await;
                }
            }
            let name = template_name();
            admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.expect("create the template database");
            let _ = admin.close().await;
            migrated(&format!("{}/{name}", base_of(admin_url))).await;
            name
        })
        .await
}

async fn sqlite_template() -> &'static Path {
    static TEMPLATE: OnceCell<PathBuf> = OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let tmp = std::env::temp_dir();
            for entry in std::fs::read_dir(&tmp).into_iter().flatten().flatten() {
                let name = entry.file_name().to_string_lossy().replace("tongxin-template-", "tongxin_tpl_");
                if name.starts_with("tongxin_tpl_") && made_by_a_finished_process(&name) {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
            let dir = tmp.join(template_name().replace("tongxin_tpl_", "tongxin-template-"));
            std::fs::create_dir_all(&dir).expect("template dir");
            migrated(&sqlite_url(&dir)).await;
            dir
        })
        .await
}
