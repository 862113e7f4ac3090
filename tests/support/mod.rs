//! Test support: a real Tongxin server on a loopback port with its own database (a SQLite file,
//! or a fresh PostgreSQL database when `TEST_DATABASE_URL` is set), an in-memory mail transport,
//! and a small GraphQL client. Every test gets its own server and database, so tests run in
//! parallel without seeing each other.
// async-graphql nests one future per level of the schema; the hand-resolved pages add levels.
#![recursion_limit = "256"]

mod databases;
pub mod dump;
pub mod fake_sms;
pub mod fake_wechat;
pub mod fixtures;
pub mod logs;
mod mail;
mod people;
pub mod s3;
mod selection;
pub mod ws;

pub use mail::{decode_body, token_in};
pub use people::NewChild;

use std::{net::SocketAddr, path::PathBuf};

use databases::{Start, TestDb};

use api::{
    config::{Config, Environment},
    mail::Mailer,
    state::AppState,
};
use lettre::transport::stub::AsyncStubTransport;
use serde_json::{Value, json};

/// Password used by fixtures.
pub const PASSWORD: &str = "correct-horse-42";

/// The `MAIL_DIR` of a test that delivers through the file transport; removed with the app.
struct MailDir(PathBuf);

/// The test's own `KEYS_DIR`, where the keys it is not given are generated; removed with the app.
struct KeysDir(PathBuf);

impl Drop for KeysDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Drop for MailDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running server for one test.
pub struct TestApp {
    /// Server address.
    pub addr: SocketAddr,
    /// Shared state (database, clock) for arranging and inspecting.
    pub state: AppState,
    /// Every e-mail delivered.
    pub mail: AsyncStubTransport,
    client: reqwest::Client,
    _db: Option<TestDb>,
    _mail_dir: Option<MailDir>,
    _keys_dir: Option<KeysDir>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

/// True when the suite runs against PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var("TEST_DATABASE_URL").is_ok_and(|u| u.starts_with("postgres"))
}

impl TestApp {
    /// Starts a server with default test settings.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// Starts a server after `tweak` adjusts its configuration.
    pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
        Self::start(tweak, false).await
    }

    /// Starts a server that delivers mail as `.eml` files into a fresh `MAIL_DIR` (the
    /// development transport), for tests about what lands on disk; `emails()` reads them back.
    pub async fn spawn_with_mail_dir(tweak: impl FnOnce(&mut Config)) -> TestApp {
        Self::start(tweak, true).await
    }

    /// Starts a server on an empty database, or says why it refused to start (its database and
    /// `KEYS_DIR` are removed).
    pub async fn try_spawn_with(tweak: impl FnOnce(&mut Config)) -> Result<TestApp, String> {
        Self::try_start(tweak, false, Start::Empty).await
    }

    async fn start(tweak: impl FnOnce(&mut Config), file_mail: bool) -> TestApp {
        Self::try_start(tweak, file_mail, Start::Migrated).await.expect("server state")
    }

    async fn try_start(tweak: impl FnOnce(&mut Config), file_mail: bool, start: Start) -> Result<TestApp, String> {
        let (mut config, db, keys_dir) = fresh_config(start).await;
        tweak(&mut config);
        let stub = AsyncStubTransport::new_ok();
        let mail_dir = file_mail.then(|| MailDir(std::env::temp_dir().join(format!("tongxin-mail-{}", uuid::Uuid::new_v4().simple()))));
        let mailer = match &mail_dir {
            Some(MailDir(dir)) => {
                config.smtp_url = None;
                config.mail_dir = dir.clone();
                None
            }
            None => Some(Mailer::Stub(stub.clone())),
        };
        let state = api::build_state(config, mailer).await?;
        let mut app = Self::serving(state, stub).await;
        app._db = Some(db);
        app._mail_dir = mail_dir;
        app._keys_dir = Some(keys_dir);
        Ok(app)
    }

    /// `n` server processes started at the same moment on one fresh, empty database (migrating
    /// it together), as replicas behind a load balancer; each has its own pool, workers, event
    /// listener and mail transport. The last one removes the database when dropped.
    pub async fn spawn_replicas(n: usize, tweak: impl FnOnce(&mut Config)) -> Vec<TestApp> {
        let (mut config, db, keys_dir) = fresh_config(Start::Empty).await;
        tweak(&mut config);
        // One outside world: any replica's outbox worker may deliver what another queued.
        let stub = AsyncStubTransport::new_ok();
        let states = futures::future::join_all((0..n).map(|_| api::build_state(config.clone(), Some(Mailer::Stub(stub.clone()))))).await;
        let mut apps = Vec::new();
        for state in states {
            apps.push(Self::serving(state.expect("every replica starts"), stub.clone()).await);
        }
        if let Some(last) = apps.last_mut() {
            last._db = Some(db);
            last._keys_dir = Some(keys_dir);
        }
        apps
    }

    /// Serves `state` on a fresh loopback port.
    async fn serving(state: AppState, mail: AsyncStubTransport) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let st = state.clone();
        let server = tokio::spawn(async move {
            let _ = api::serve(st, listener, async move {
                let _ = rx.await;
            })
            .await;
        });
        TestApp {
            addr,
            state,
            mail,
            client: reqwest::Client::new(),
            _db: None,
            _mail_dir: None,
            _keys_dir: None,
            stop: Some(tx),
            server: Some(server),
        }
    }

    /// A second server process on the same database (its own pool, workers and event listener),
    /// as production runs several behind a load balancer.
    pub async fn sibling(&self) -> TestApp {
        // One outside world: either process's outbox worker may deliver a mail the other queued,
        // so both deliver into the same stub.
        let config = (*self.state.config).clone();
        let state = api::build_state(config, Some(Mailer::Stub(self.mail.clone()))).await.expect("sibling state");
        Self::serving(state, self.mail.clone()).await
    }

    /// A new server process on the same database and `KEYS_DIR` after `tweak` adjusts its
    /// configuration, as after a restart; the error is the one the server refuses to start with.
    pub async fn restarted_with(&self, tweak: impl FnOnce(&mut Config)) -> Result<TestApp, String> {
        let mut config = (*self.state.config).clone();
        tweak(&mut config);
        let stub = AsyncStubTransport::new_ok();
        let state = api::build_state(config, Some(Mailer::Stub(stub.clone()))).await?;
        Ok(Self::serving(state, stub).await)
    }

    /// Sends the server the shutdown signal (as SIGTERM does); the handle ends when it has
    /// drained and stopped.
    pub fn shut_down(&mut self) -> tokio::task::JoinHandle<()> {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        self.server.take().unwrap_or_else(|| tokio::spawn(async {}))
    }

    /// URL of a path on the server.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// The raw HTTP client.
    pub fn http(&self) -> &reqwest::Client {
        &self.client
    }

    /// Runs a GraphQL operation; `token` is the bearer access token.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        self.gql_lang(token, "zh-CN", query, variables).await
    }

    /// Runs a GraphQL operation with an `Accept-Language`.
    pub async fn gql_lang(&self, token: Option<&str>, lang: &str, query: &str, variables: Value) -> Value {
        let mut req =
            self.client.post(self.url("/graphql")).header("accept-language", lang).json(&json!({"query": query, "variables": variables}));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("request");
        resp.json().await.expect("json body")
    }
}

/// Test settings on a fresh database (a SQLite file, or a new PostgreSQL database when
/// `TEST_DATABASE_URL` is set), migrated or empty, with a fresh `KEYS_DIR`.
async fn fresh_config(start: Start) -> (Config, TestDb, KeysDir) {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let admin_url = std::env::var("TEST_DATABASE_URL").ok().filter(|u| u.starts_with("postgres"));
    let (url, db) = databases::create(&id, admin_url, start).await;
    let mut config = Config::development();
    config.environment = Environment::Test;
    config.database_url = url;
    config.database_max_connections = Some(if on_postgres() { 10 } else { 8 });
    config.policy_dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../policy"));
    config.calendar_file = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/holidays.toml"));
    config.divisions_file = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/divisions.csv"));
    config.jwt_keys = "k1:test-signing-key-0123456789abcdef0123456789".to_owned().into();
    config.public_url = "https://tongxin.test".into();
    config.outbox_poll_ms = 50;
    // Scenarios move the clock by days; tokens outlive them unless a test asks otherwise.
    config.jwt_access_ttl_secs = 90 * 24 * 3600;
    // Every fixture user speaks from 127.0.0.1: scenarios with many families would hit the
    // per-address quotas. Tests of those quotas (tests/security/aliases.rs) set them back.
    config.registrations_per_address_per_hour = 10_000;
    config.messages_per_address_per_minute = 10_000;
    let keys_dir = KeysDir(std::env::temp_dir().join(format!("tongxin-keys-{id}")));
    config.keys_dir = keys_dir.0.clone();
    // Development SMS files go with the test's keys, removed with the app.
    config.sms_dir = keys_dir.0.join("sms");
    config.storage.documents_dir = keys_dir.0.join("documents");
    (config, db, keys_dir)
}

/// The `extensions.code` of the first error.
pub fn code(resp: &Value) -> &str {
    resp["errors"][0]["extensions"]["code"].as_str().unwrap_or("<no error>")
}

/// The `extensions.field` of the first error.
pub fn field(resp: &Value) -> &str {
    resp["errors"][0]["extensions"]["field"].as_str().unwrap_or("<no field>")
}
