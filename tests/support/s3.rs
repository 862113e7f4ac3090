//! A real S3-compatible server for the document-store tests: `moto_server` (PyPI `moto[server]`)
//! on a loopback port, started once per test process and stopped when the process ends, or the
//! server named by `S3_TEST_ENDPOINT`. Without either, the S3 variants of the tests print why
//! they are skipped — unless `REQUIRE_S3=1` (CI), where that is a failure.

use std::{
    net::{SocketAddr, TcpStream},
    process::{Command, Stdio},
    sync::OnceLock,
    time::{Duration, Instant},
};

use api::{config::Config, storage::config::StoreKind};

static ENDPOINT: OnceLock<Option<String>> = OnceLock::new();

fn start_moto() -> Option<String> {
    if let Ok(e) = std::env::var("S3_TEST_ENDPOINT") {
        return Some(e);
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
    // A watchdog shell stops the server when this test process is gone (no orphans after a run).
    let script = format!(
        "moto_server -H 127.0.0.1 -p {port} >/dev/null 2>&1 & m=$!; while kill -0 {pid} 2>/dev/null; do sleep 1; done; kill $m",
        pid = std::process::id()
    );
    Command::new("sh").arg("-c").arg(script).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn().ok()?;
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().ok()?;
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Some(format!("http://{addr}"));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    None
}

fn moto_installed() -> bool {
    Command::new("sh").arg("-c").arg("command -v moto_server").stdout(Stdio::null()).status().is_ok_and(|s| s.success())
}

/// The endpoint of the S3 test server, or `None` (with the reason printed) when there is none.
pub fn endpoint() -> Option<String> {
    let e =
        ENDPOINT.get_or_init(|| if std::env::var("S3_TEST_ENDPOINT").is_ok() || moto_installed() { start_moto() } else { None }).clone();
    let required = std::env::var("REQUIRE_S3").is_ok_and(|v| v == "1");
    match &e {
        None if required => panic!("REQUIRE_S3=1 but no S3 server: install `moto[server]` (moto_server on PATH) or set S3_TEST_ENDPOINT"),
        None => {
            eprintln!("skipped: no S3-compatible server (pip install 'moto[server]' or set S3_TEST_ENDPOINT; REQUIRE_S3=1 makes this fail)")
        }
        Some(_) => {}
    }
    e
}

/// Creates a fresh bucket on the test server; returns its name.
pub async fn fresh_bucket(endpoint: &str) -> String {
    let bucket = format!("tongxin-{}", uuid::Uuid::new_v4().simple());
    let r = reqwest::Client::new().put(format!("{endpoint}/{bucket}")).send().await.expect("create bucket");
    assert!(r.status().is_success(), "create bucket: {}", r.status());
    bucket
}

/// Points `config` at `bucket` of the test server.
pub fn configure(config: &mut Config, endpoint: &str, bucket: &str) {
    let s = &mut config.storage;
    s.document_store = StoreKind::S3;
    s.s3_endpoint = Some(endpoint.to_owned());
    s.s3_bucket = Some(bucket.to_owned());
    s.s3_region = "us-east-1".into();
    s.s3_access_key_id = Some("testing".into());
    s.s3_secret_access_key = Some("testing".to_owned().into());
    s.s3_path_style = true;
}
