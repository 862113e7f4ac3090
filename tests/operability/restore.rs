//! Backups are only as good as a restore (issue 15): `ops/restore-check.sh` restores a
//! `pg_dump -Fc` into a scratch database, proves with the keys given that every stored ID number
//! decrypts, starts the server on it and waits for `/readyz`. Given the wrong keys it fails and
//! says so: a dump without its PII keys is unreadable. PostgreSQL only.

use integration_tests::{TestApp, fixtures::id_number, on_postgres};
use serde_json::json;

use super::cli;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../ops/restore-check.sh");

/// A nightly backup of `app`'s database, as the README says to take it.
fn dump(app: &TestApp, file: &std::path::Path) {
    let out = cli::run("pg_dump", &["--format=custom", "--file", &file.display().to_string(), &app.state.config.database_url], &[]);
    assert!(out.status.success(), "pg_dump: {}", String::from_utf8_lossy(&out.stderr));
}

fn restore_check(app: &TestApp, dump: &std::path::Path, keys_dir: &std::path::Path) -> std::process::Output {
    let mut env = cli::env_of(app);
    env.retain(|(k, _)| *k != "DATABASE_URL" && *k != "KEYS_DIR");
    env.push(("KEYS_DIR", keys_dir.display().to_string()));
    env.push(("API_BIN", cli::BIN.to_owned()));
    env.push(("ADMIN_DATABASE_URL", std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL")));
    env.push(("PATH", std::env::var("PATH").unwrap_or_default()));
    cli::run(SCRIPT, &[&dump.display().to_string()], &env)
}

#[tokio::test]
async fn a_nightly_dump_restores_and_reads_with_its_keys_and_not_without() {
    if !on_postgres() {
        return;
    }
    let app = TestApp::spawn().await;
    let g = app.guardian("restore@example.org").await;
    app.gql(Some(&g), "mutation { createHousehold { id } }", json!({})).await;
    let consent = json!({"i": {"purpose": "BASIC_SERVICES", "textVersion": "2026-11"}});
    app.gql(Some(&g), "mutation($i: ConsentInput!){ giveConsent(input: $i){ id } }", consent).await;
    let input = json!({"name": "李小雨", "sex": "FEMALE", "birthDate": "2017-06-01", "idNumber": id_number("520304", "20170601", "224"),
        "hukouRegionCode": "520304", "residenceRegionCode": "520102", "residenceSince": "2023-03-01", "movedWith": "MOTHER"});
    let r = app.gql(Some(&g), "mutation($i: ChildInput!){ addChild(input: $i){ id } }", json!({"i": input})).await;
    assert!(r["errors"].is_null(), "{r}");

    let dir = std::env::temp_dir().join(format!("tongxin-restore-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("tongxin.dump");
    dump(&app, &file);

    let ok = restore_check(&app, &file, &app.state.config.keys_dir);
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(ok.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&ok.stderr));
    for line in ["keys: 1 values read", "GET /readyz: 200", "children: 1", "households: 1", "restore check passed"] {
        assert!(stdout.lines().any(|l| l == line), "missing `{line}` in:\n{stdout}");
    }

    // Another machine's keys (a fresh KEYS_DIR generates its own): refused, saying why.
    let wrong = restore_check(&app, &file, &dir.join("other-keys"));
    let stderr = String::from_utf8_lossy(&wrong.stderr);
    assert!(!wrong.status.success(), "{}", String::from_utf8_lossy(&wrong.stdout));
    assert!(stderr.contains("restore check FAILED: the keys given do not read this backup"), "{stderr}");
    assert!(stderr.contains("PII key `dev`"), "the key is named: {stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
