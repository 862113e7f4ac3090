//! Typed configuration from environment variables (and the same names as command-line flags).
//! Every setting has a development default so `cargo run` works offline; `validate` refuses the
//! defaults that are unsafe in production and names the setting to fix.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use secrecy::{ExposeSecret, SecretString};

pub mod error;
pub use error::ConfigError;

/// Where the server runs; production turns the unsafe development defaults into start-up errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Environment {
    /// Local development: generated keys, mail written to files, GraphiQL on.
    Development,
    /// Automated tests.
    Test,
    /// Real families' data: every secret must be configured.
    Production,
}

/// All settings of the server. `api --help` lists them with their environment variables.
#[derive(Clone, Debug, clap::Args)]
pub struct Config {
    /// development, test or production.
    #[arg(long, env = "ENVIRONMENT", value_enum, default_value = "development")]
    pub environment: Environment,
    /// Database URL: `sqlite://path?mode=rwc` (embedded default) or `postgres://...`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/tongxin.db?mode=rwc")]
    pub database_url: String,
    /// Allow SQLite in production (single-node deployments only).
    #[arg(long, env = "ALLOW_SQLITE_IN_PRODUCTION", default_value_t = false)]
    pub allow_sqlite_in_production: bool,
    /// Maximum pooled database connections (SQLite: readers share one writer).
    #[arg(long, env = "DATABASE_MAX_CONNECTIONS")]
    pub database_max_connections: Option<u32>,
    /// Address to listen on.
    #[arg(long, env = "BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Public base URL used in e-mail links.
    #[arg(long, env = "PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
    pub public_url: String,
    /// JWT signing keys as `kid:secret` pairs separated by commas (secret ≥ 32 bytes). The first key
    /// signs; the others still verify, so keys rotate without logging anyone out. Generated in
    /// development when empty.
    #[arg(long, env = "JWT_KEYS", hide_env_values = true, default_value = "")]
    pub jwt_keys: SecretString,
    /// Access-token lifetime in seconds.
    #[arg(long, env = "JWT_ACCESS_TTL_SECS", default_value_t = 900)]
    pub jwt_access_ttl_secs: u64,
    /// Refresh-token lifetime in seconds.
    #[arg(long, env = "JWT_REFRESH_TTL_SECS", default_value_t = 30 * 24 * 3600)]
    pub jwt_refresh_ttl_secs: u64,
    /// Keys protecting ID numbers at rest as `kid:64-hex-chars` pairs (AES-256-GCM), first one
    /// encrypts. Generated in development when empty.
    #[arg(long, env = "PII_KEYS", hide_env_values = true, default_value = "")]
    pub pii_keys: SecretString,
    /// Key (64 hex chars) of the keyed hash that finds duplicate ID numbers without storing them.
    #[arg(long, env = "PII_HASH_KEY", hide_env_values = true, default_value = "")]
    pub pii_hash_key: SecretString,
    /// Where development and test servers keep the keys they generate when `JWT_KEYS`,
    /// `PII_KEYS` or `PII_HASH_KEY` is empty (files `jwt`, `pii`, `pii_hash`, owner-only), so
    /// tokens and stored ID numbers survive a restart. Unused in production, which needs the keys.
    #[arg(long, env = "KEYS_DIR", default_value = "data/keys")]
    pub keys_dir: PathBuf,
    /// SMTP server URL, e.g. `smtps://user:pass@smtp.example.org` or `smtp://127.0.0.1:2525`.
    /// Without it e-mails are written as `.eml` files under `MAIL_DIR`.
    #[arg(long, env = "SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<SecretString>,
    /// Sender address of every e-mail.
    #[arg(long, env = "MAIL_FROM", default_value = "童心 Tongxin <noreply@tongxin.localhost>")]
    pub mail_from: String,
    /// Directory of the file mail transport.
    #[arg(long, env = "MAIL_DIR", default_value = "data/mail")]
    pub mail_dir: PathBuf,
    /// How often the outbox worker looks for due e-mails, in milliseconds.
    #[arg(long, env = "OUTBOX_POLL_MS", default_value_t = 1000)]
    pub outbox_poll_ms: u64,
    /// Run the background workers (outbox delivery, reminders, deadlines) in this process; turn
    /// off on processes that only serve requests.
    #[arg(long, env = "WORKERS", default_value_t = true, action = clap::ArgAction::Set)]
    pub workers: bool,
    /// How often the scheduled jobs (reminders, deadlines) run, in seconds.
    #[arg(long, env = "JOBS_INTERVAL_SECS", default_value_t = 60)]
    pub jobs_interval_secs: u64,
    /// Session reminders are e-mailed this many hours before the start.
    #[arg(long, env = "REMINDER_HOURS_BEFORE", default_value_t = 24)]
    pub reminder_hours_before: i64,
    /// Fast delivery attempts (exponential backoff) before an e-mail moves to the slow schedule.
    #[arg(long, env = "OUTBOX_MAX_ATTEMPTS", default_value_t = 8)]
    pub outbox_max_attempts: i32,
    /// Seconds between attempts on the slow schedule, after the fast attempts ran out: an outage
    /// longer than the fast backoff (~21 min) must not lose mail.
    #[arg(long, env = "OUTBOX_SLOW_RETRY_SECS", default_value_t = 3600)]
    pub outbox_slow_retry_secs: u64,
    /// Days after queueing when an undeliverable e-mail is finally marked failed (administrators
    /// can still requeue it with `requeueMail`).
    #[arg(long, env = "OUTBOX_GIVE_UP_AFTER_DAYS", default_value_t = 3)]
    pub outbox_give_up_after_days: u32,
    /// Seconds a worker owns a claimed outbox row (e-mail or notice) before another process may
    /// take it over: how long a notice in flight when its server died waits to be sent again.
    /// Must exceed the providers' request timeout (10 s) and the SMTP timeout.
    #[arg(long, env = "OUTBOX_LEASE_SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(15..=3600))]
    pub outbox_lease_secs: u64,
    /// Directory of the policy files (`*.toml`).
    #[arg(long, env = "POLICY_DIR", default_value = "policy")]
    pub policy_dir: PathBuf,
    /// Largest accepted request body in bytes.
    #[arg(long, env = "BODY_LIMIT_BYTES", default_value_t = 256 * 1024)]
    pub body_limit_bytes: usize,
    /// Per-request timeout in seconds.
    #[arg(long, env = "REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,
    /// Login attempts allowed per account from one client address per minute (failures from one
    /// address never lock the owner out when signing in from another).
    #[arg(long, env = "LOGIN_PER_ACCOUNT_PER_MINUTE", default_value_t = 5)]
    pub login_per_account_per_minute: u32,
    /// Login attempts allowed per client address per minute, whatever the account.
    #[arg(long, env = "LOGIN_PER_ADDRESS_PER_MINUTE", default_value_t = 30)]
    pub login_per_address_per_minute: u32,
    /// E-mails a client address may cause per minute through the mutations that mail an address
    /// the caller chooses (registration, password reset, invitations, organization registration).
    #[arg(long, env = "MESSAGES_PER_ADDRESS_PER_MINUTE", default_value_t = 10)]
    pub messages_per_address_per_minute: u32,
    /// E-mails one recipient address may receive per hour through those mutations, whoever asks.
    #[arg(long, env = "MESSAGES_PER_RECIPIENT_PER_HOUR", default_value_t = 3)]
    pub messages_per_recipient_per_hour: u32,
    /// Self-registrations (guardians and organizations) allowed per client address per hour.
    #[arg(long, env = "REGISTRATIONS_PER_ADDRESS_PER_HOUR", default_value_t = 5)]
    pub registrations_per_address_per_hour: u32,
    /// Trust `X-Forwarded-For` for the client address (only behind a reverse proxy you run).
    #[arg(long, env = "TRUST_PROXY", default_value_t = false)]
    pub trust_proxy: bool,
    /// Serve GraphiQL and schema introspection (defaults to on outside production).
    #[arg(long, env = "GRAPHIQL")]
    pub graphiql: Option<bool>,
    /// Public holidays and adjusted working days (TOML, one `[[year]]` per year); read at start,
    /// reloaded on SIGHUP or `reloadCalendar`. Add each year when the State Council publishes it.
    #[arg(long, env = "CALENDAR_FILE", default_value = "data/holidays.toml")]
    pub calendar_file: PathBuf,
    /// Administrative divisions (CSV `code,name,level,parent_code`); read at start, reloaded on
    /// SIGHUP or `reloadReference`, and copied into the `regions` table. Update it when the
    /// civil-affairs codes change (撤县设区, renamed or new counties).
    #[arg(long, env = "DIVISIONS_FILE", default_value = "data/divisions.csv")]
    pub divisions_file: PathBuf,
    /// Browser origins allowed to call the API cross-origin (comma-separated, exact
    /// `scheme://host[:port]`); empty allows none. The families' mini-program and app are not
    /// browsers and need no entry.
    #[arg(long, env = "CORS_ORIGINS", default_value = "", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// Apply pending migrations at start (replicas starting together take turns under a database
    /// lock). Turn off when migrations are a step of their own (`api migrate`): the server then
    /// refuses to start while any migration is pending.
    #[arg(long, env = "MIGRATE_ON_START", default_value_t = true, action = clap::ArgAction::Set)]
    pub migrate_on_start: bool,
    /// Seconds a stopping server (SIGTERM, Ctrl-C) gives its in-flight requests to finish after
    /// it stops accepting connections; keep it below the orchestrator's kill timeout.
    #[arg(long, env = "SHUTDOWN_GRACE_SECS", default_value_t = 20)]
    pub shutdown_grace_secs: u64,
    /// Serve Prometheus `/metrics` on this separate address only (e.g. `127.0.0.1:9464` or an
    /// address of the monitoring network), never on `BIND`. One of this or `METRICS_TOKEN` is
    /// required in production.
    #[arg(long, env = "METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// Bearer token a scraper must send for `/metrics` on the main port (at least 32 characters
    /// in production); without it and without `METRICS_ADDR`, development serves `/metrics` openly.
    #[arg(long, env = "METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<SecretString>,
    /// OTLP/HTTP collector base URL (e.g. `http://127.0.0.1:4318`): traces are sent to
    /// `<url>/v1/traces`, one per request, as service `tongxin`. Unset: no traces leave the process.
    #[arg(long, env = "OTEL_EXPORTER_OTLP_ENDPOINT")]
    pub otel_exporter_otlp_endpoint: Option<String>,

    // Families' sign-in with WeChat and phone (issue 17).
    /// App id (AppID) of the families' WeChat mini-program; WeChat sign-in is off without it.
    #[arg(long, env = "WECHAT_APP_ID")]
    pub wechat_app_id: Option<String>,
    /// App secret (AppSecret) of the mini-program; required with `WECHAT_APP_ID`.
    #[arg(long, env = "WECHAT_APP_SECRET", hide_env_values = true)]
    pub wechat_app_secret: Option<SecretString>,
    /// Base URL of the WeChat server API (a local double in tests).
    #[arg(long, env = "WECHAT_API_BASE", default_value = "https://api.weixin.qq.com")]
    pub wechat_api_base: String,
    /// How SMS are sent: `file` (written under `SMS_DIR`, development only) or `tencent`
    /// (Tencent Cloud SMS).
    #[arg(long, env = "SMS_PROVIDER", value_enum, default_value = "file")]
    pub sms_provider: SmsProvider,
    /// Directory of the file SMS transport.
    #[arg(long, env = "SMS_DIR", default_value = "data/sms")]
    pub sms_dir: PathBuf,
    /// Tencent Cloud API key id (SecretId) allowed to call SMS `SendSms`.
    #[arg(long, env = "TENCENT_SECRET_ID")]
    pub tencent_secret_id: Option<String>,
    /// Tencent Cloud API key secret (SecretKey).
    #[arg(long, env = "TENCENT_SECRET_KEY", hide_env_values = true)]
    pub tencent_secret_key: Option<SecretString>,
    /// SMS application id (SdkAppId) from the Tencent Cloud SMS console.
    #[arg(long, env = "TENCENT_SMS_SDK_APP_ID")]
    pub tencent_sms_sdk_app_id: Option<String>,
    /// Approved SMS signature (签名) content, e.g. `童心`.
    #[arg(long, env = "TENCENT_SMS_SIGN_NAME")]
    pub tencent_sms_sign_name: Option<String>,
    /// Region of the SMS API.
    #[arg(long, env = "TENCENT_SMS_REGION", default_value = "ap-guangzhou")]
    pub tencent_sms_region: String,
    /// SMS API endpoint (a local double in tests).
    #[arg(long, env = "TENCENT_SMS_ENDPOINT", default_value = "https://sms.tencentcloudapi.com")]
    pub tencent_sms_endpoint: String,
    /// Approved template id of the sign-in code SMS (parameters: code, minutes).
    #[arg(long, env = "SMS_TEMPLATE_LOGIN_CODE")]
    pub sms_template_login_code: Option<String>,
    /// Approved template id of the add-a-number code SMS (parameters: code, minutes).
    #[arg(long, env = "SMS_TEMPLATE_BIND_CODE")]
    pub sms_template_bind_code: Option<String>,
    /// Sign-in codes one client address may request per hour (each number also gets at most one
    /// a minute and ten a day).
    #[arg(long, env = "PHONE_CODES_PER_ADDRESS_PER_HOUR", default_value_t = 20)]
    pub phone_codes_per_address_per_hour: u32,
    /// Manifest of trusted documents (persisted operations) loaded at start: a JSON map of
    /// `"sha256:<hex>"` (or `"<hex>"`) to the document text, or an Apollo persisted-query
    /// manifest (`{"format":"apollo-persisted-query-manifest","operations":[{"id","body"}]}`).
    /// Clients then send the hash instead of the text. Every hash is checked at start.
    #[arg(long, env = "TRUSTED_DOCUMENTS")]
    pub trusted_documents: Option<PathBuf>,
    /// Restrict anonymous and guardian callers to trusted documents (the manifest and those
    /// administrators registered); staff and administrators may still send any text.
    #[arg(long, env = "TRUSTED_DOCUMENTS_ONLY", default_value_t = false, action = clap::ArgAction::Set)]
    pub trusted_documents_only: bool,
    /// Documents: store, upload limits, links, retention (issue 18).
    #[command(flatten)]
    pub storage: crate::storage::config::StorageConfig,
    /// Templates of the families' notices on WeChat and SMS (issue 17).
    #[command(flatten)]
    pub notify: crate::notify::config::NotifyConfig,
}

/// How SMS leave the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SmsProvider {
    /// Text files under `SMS_DIR`: development and tests only.
    File,
    /// Tencent Cloud SMS `SendSms` (API 3.0).
    Tencent,
}

impl Config {
    /// Development defaults, as `cargo run` would use without any environment.
    pub fn development() -> Self {
        use clap::{Args, FromArgMatches};
        let cmd = Config::augment_args(clap::Command::new("api").no_binary_name(true));
        let m = cmd.try_get_matches_from(Vec::<String>::new()).unwrap_or_else(|e| e.exit());
        Config::from_arg_matches(&m).unwrap_or_else(|e| e.exit())
    }

    /// True when the database is the embedded SQLite one.
    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }

    /// Whether GraphiQL and introspection are served.
    pub fn graphiql_enabled(&self) -> bool {
        self.graphiql.unwrap_or(self.environment != Environment::Production)
    }

    /// Request timeout as a duration.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    /// Refuses unsafe settings in production, naming each one that must change.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if let Some(url) = &self.otel_exporter_otlp_endpoint
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(ConfigError("OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL".into()));
        }
        self.storage.check()?;
        self.notify.check()?;
        if self.environment != Environment::Production {
            return Ok(());
        }
        let mut missing = Vec::new();
        if self.jwt_keys.expose_secret().trim().is_empty() {
            missing.push("JWT_KEYS must be set (a generated key would log everyone out on restart)");
        }
        if self.smtp_url.is_none() {
            missing.push("SMTP_URL must be set (families must receive e-mail)");
        }
        if self.pii_keys.expose_secret().trim().is_empty() {
            missing.push("PII_KEYS must be set (ID numbers are encrypted at rest)");
        }
        if self.pii_hash_key.expose_secret().trim().is_empty() {
            missing.push("PII_HASH_KEY must be set (duplicate detection of ID numbers)");
        }
        if self.is_sqlite() && !self.allow_sqlite_in_production {
            missing.push("DATABASE_URL is SQLite: use PostgreSQL or set ALLOW_SQLITE_IN_PRODUCTION=true");
        }
        if self.public_url.starts_with("http://127.") || self.public_url.contains("localhost") {
            missing.push("PUBLIC_URL must be the public address used in e-mail links");
        }
        if self.cors_origins.iter().any(|o| o.trim() == "*" || o.trim().starts_with("http://")) {
            missing.push("CORS_ORIGINS must list https origins only (no *, no http://)");
        }
        let token_len = self.metrics_token.as_ref().map(|t| t.expose_secret().trim().len());
        if self.metrics_addr.is_none() && token_len.is_none() {
            missing.push("METRICS_ADDR or METRICS_TOKEN must be set (/metrics is never open on the public port)");
        }
        if token_len.is_some_and(|n| n < 32) {
            missing.push("METRICS_TOKEN must be at least 32 characters");
        }
        if self.sms_provider == SmsProvider::File {
            missing.push("SMS_PROVIDER is `file`: families would never get their codes; set SMS_PROVIDER=tencent");
        }
        if self.wechat_app_id.is_some() && self.wechat_app_secret.is_none() {
            missing.push("WECHAT_APP_SECRET must be set when WECHAT_APP_ID is (WeChat sign-in)");
        }
        if !self.wechat_api_base.starts_with("https://") {
            missing.push("WECHAT_API_BASE must be an https URL");
        }
        if self.trusted_documents_only && self.trusted_documents.is_none() {
            missing.push("TRUSTED_DOCUMENTS must name the clients' manifest when TRUSTED_DOCUMENTS_ONLY=true (families could not sign in)");
        }
        missing.extend(self.storage.unsafe_in_production(self.is_sqlite()));
        missing.extend(self.notify.unsafe_in_production());
        if missing.is_empty() { Ok(()) } else { Err(ConfigError(missing.join("; "))) }
    }
}
