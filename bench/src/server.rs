//! The server under test, in-process on loopback with the repository's policy and calendar.

pub async fn start_server() -> (String, tokio::sync::oneshot::Sender<()>) {
    let (url, stop, _) = start_server_with(None).await;
    (url, stop)
}

pub async fn start_server_with(database_url: Option<String>) -> (String, tokio::sync::oneshot::Sender<()>, api::state::AppState) {
    let dir = std::env::temp_dir().join(format!("tongxin-bench-{}", uuid::Uuid::new_v4().simple()));
    let mut config = api::config::Config::development();
    config.environment = api::config::Environment::Test;
    config.database_url = database_url.unwrap_or(format!("sqlite://{}/b.db?mode=rwc", dir.display()));
    config.workers = false;
    config.policy_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../policy").into();
    config.calendar_file = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/holidays.toml").into();
    config.divisions_file = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/divisions.csv").into();
    config.mail_dir = dir.join("mail");
    let state = api::build_state(config, None).await.expect("state");
    let st = state.clone();
    let bind = std::env::var("BENCH_BIND").unwrap_or("127.0.0.1:0".into());
    let listener = tokio::net::TcpListener::bind(bind).await.expect("bind");
    let url = format!("http://{}/graphql", listener.local_addr().expect("addr"));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(api::serve(state, listener, async move {
        let _ = rx.await;
    }));
    (url, tx, st)
}
