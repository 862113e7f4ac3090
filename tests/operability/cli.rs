//! The server binary run as an operator runs it, with a test server's own settings.

use std::process::{Command, Output};

use integration_tests::TestApp;
use secrecy::ExposeSecret;

/// The `api` binary (built from `api/src/main.rs` as this package's `tongxin`).
pub const BIN: &str = env!("CARGO_BIN_EXE_tongxin");

/// The environment a process needs to act on `app`'s database with `app`'s keys and files.
pub fn env_of(app: &TestApp) -> Vec<(&'static str, String)> {
    let c = &app.state.config;
    let path = |p: &std::path::Path| p.display().to_string();
    vec![
        ("ENVIRONMENT", "test".into()),
        ("DATABASE_URL", c.database_url.clone()),
        ("KEYS_DIR", path(&c.keys_dir)),
        ("JWT_KEYS", c.jwt_keys.expose_secret().to_owned()),
        ("PII_KEYS", c.pii_keys.expose_secret().to_owned()),
        ("PII_HASH_KEY", c.pii_hash_key.expose_secret().to_owned()),
        ("POLICY_DIR", path(&c.policy_dir)),
        ("CALENDAR_FILE", path(&c.calendar_file)),
        ("DIVISIONS_FILE", path(&c.divisions_file)),
        ("MAIL_DIR", path(&std::env::temp_dir().join("tongxin-cli-mail"))),
        ("RUST_LOG", "info".into()),
    ]
}

/// Runs `program args` with `env` (nothing inherited that could point elsewhere), in a scratch
/// directory so no `.env` file is read.
pub fn run(program: &str, args: &[&str], env: &[(&str, String)]) -> Output {
    let mut cmd = Command::new(program);
    cmd.args(args).current_dir(std::env::temp_dir());
    for var in ["DATABASE_URL", "PII_KEYS", "PII_HASH_KEY", "JWT_KEYS", "KEYS_DIR", "ENVIRONMENT", "BIND"] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().map(|(k, v)| (*k, v.as_str())));
    cmd.output().unwrap_or_else(|e| panic!("{program}: {e}"))
}
