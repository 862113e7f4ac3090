//! The platform itself: probes, reference data, the exported schema, configuration safety.

use api::config::{Config, Environment};
use integration_tests::TestApp;
use serde_json::json;

#[tokio::test]
async fn health_and_readiness_probes_answer() {
    let app = TestApp::spawn().await;
    let h = app.http().get(app.url("/healthz")).send().await.expect("healthz");
    assert_eq!(h.status(), 200);
    let r = app.http().get(app.url("/readyz")).send().await.expect("readyz");
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("x-request-id").is_some(), "every response carries a request id");
}

#[tokio::test]
async fn guizhou_has_nine_prefecture_level_divisions() {
    let app = TestApp::spawn().await;
    let r = app.gql(None, "{ regions(parentCode: \"520000\") { code name level } }", json!({})).await;
    let list = r["data"]["regions"].as_array().expect("list");
    assert_eq!(list.len(), 9, "{r}");
    assert_eq!(list[0], json!({"code": "520100", "name": "贵阳市", "level": "PREFECTURE"}));
    let provinces = app.gql(None, "{ regions { code } }", json!({})).await;
    assert_eq!(provinces["data"]["regions"].as_array().map(Vec::len), Some(31));
    let towns = app.gql(None, "{ regions(parentCode: \"520102\") { level } }", json!({})).await;
    assert!(towns["data"]["regions"].as_array().is_some_and(|t| !t.is_empty() && t.iter().all(|x| x["level"] == "TOWNSHIP")));
}

#[tokio::test]
async fn the_twenty_three_departments_have_their_documented_codes() {
    let app = TestApp::spawn().await;
    let r = app.gql_lang(None, "en", "{ departments { code name nameZh } }", json!({})).await;
    let list = r["data"]["departments"].as_array().expect("list");
    let codes: Vec<&str> = list.iter().filter_map(|d| d["code"].as_str()).collect();
    assert_eq!(
        codes,
        [
            "civil_affairs",
            "education",
            "public_security",
            "health",
            "medical_security",
            "disease_control",
            "housing",
            "transport",
            "hrss",
            "development_reform",
            "finance",
            "justice",
            "statistics",
            "sasac",
            "radio_tv",
            "cyberspace",
            "political_legal",
            "social_work",
            "court",
            "procuratorate",
            "youth_league",
            "womens_federation",
            "disabled_federation"
        ]
    );
    assert_eq!(list[0]["name"], "Civil Affairs");
    assert_eq!(list[0]["nameZh"], "民政厅（局）");
}

#[tokio::test]
async fn reference_data_loads_idempotently() {
    let app = TestApp::spawn().await;
    migration::reference::seed(&app.state.db).await.expect("second seed");
    let r = app.gql(None, "{ regions(parentCode: \"520000\") { code } }", json!({})).await;
    assert_eq!(r["data"]["regions"].as_array().map(Vec::len), Some(9));
}

#[test]
fn schema_graphql_is_up_to_date() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql");
    let sdl = api::graphql::sdl();
    if std::env::var("UPDATE_SCHEMA").is_ok() {
        std::fs::write(path, &sdl).expect("write schema.graphql");
    }
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    assert!(on_disk == sdl, "schema.graphql is stale: run `UPDATE_SCHEMA=1 cargo test schema_graphql` and commit it");
}

#[test]
fn production_refuses_unsafe_defaults_and_names_them() {
    let mut c = Config::development();
    c.environment = Environment::Production;
    let err = c.validate().expect_err("unsafe").to_string();
    for setting in [
        "JWT_KEYS",
        "SMTP_URL",
        "PII_KEYS",
        "PII_HASH_KEY",
        "DATABASE_URL",
        "PUBLIC_URL",
        "METRICS_ADDR",
        "SMS_PROVIDER",
        "SMS_TEMPLATE_REQUEST_UPDATE",
    ] {
        assert!(err.contains(setting), "{setting} missing from: {err}");
    }
    c.jwt_keys = "k:0123456789abcdef0123456789abcdef".to_owned().into();
    c.smtp_url = Some("smtps://u:p@smtp.example.org".to_owned().into());
    c.pii_keys = format!("p1:{}", "ab".repeat(32)).into();
    c.pii_hash_key = "cd".repeat(32).into();
    c.public_url = "https://tongxin.example.org".into();
    c.database_url = "postgres://db/tongxin".into();
    c.metrics_token = Some("scraper-token-0123456789abcdef0123456789".to_owned().into());
    c.sms_provider = api::config::SmsProvider::Tencent;
    c.notify.sms_template_request_update = Some("1850301".into());
    c.notify.sms_template_booking_update = Some("1850302".into());
    c.notify.sms_template_session_reminder = Some("1850303".into());
    c.notify.sms_template_verification_due = Some("1850304".into());
    let err = c.validate().expect_err("local documents with PostgreSQL replicas").to_string();
    assert!(err.contains("DOCUMENT_STORE"), "{err}");
    c.storage.document_store = api::storage::config::StoreKind::S3;
    c.storage.s3_endpoint = Some("http://oss-cn-guiyang.aliyuncs.com".into());
    c.storage.s3_bucket = Some("tongxin-documents".into());
    let err = c.validate().expect_err("documents over plain http, without keys").to_string();
    assert!(err.contains("S3_ENDPOINT") && err.contains("S3_SECRET_ACCESS_KEY"), "{err}");
    c.storage.s3_endpoint = Some("https://oss-cn-guiyang.aliyuncs.com".into());
    c.storage.s3_access_key_id = Some("LTAI-test".into());
    c.storage.s3_secret_access_key = Some("secret".to_owned().into());
    c.validate().expect("safe production config");
    c.database_url = "sqlite://data/x.db".into();
    assert!(c.validate().is_err());
    c.allow_sqlite_in_production = true;
    c.validate().expect("explicitly allowed");
}
