//! A real `kill -9` of the server binary while a notice is at the provider (issue 17, item 4).
//!
//! What is guaranteed, precisely: every notice is delivered (at least once) and none is lost; a
//! notice is sent a second time only if the server died between handing it to the provider and
//! recording the answer — then, after `OUTBOX_LEASE_SECS`, the next server sends it again with the
//! same `SessionContext` (the outbox row id), so the copy is recognisable at the provider. No
//! notice that was not in flight at the crash is ever sent twice. Exactly once at the provider is
//! not possible here: Tencent Cloud `SendSms` (like WeChat's `subscribe/send`) has no idempotency
//! key, and a request the provider accepted cannot be told apart from one it never received
//! when the answer is lost.

use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use entities::outbox;
use integration_tests::{
    TestApp,
    fake_sms::{self, FakeSms, NOTICE_TEMPLATES},
    fake_wechat::FakeWeChat,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::{app, request};
use crate::operability::cli::{BIN, env_of};

const REQUEST_CODE: &str = "mutation($p: String!, $u: PhoneCodePurpose!){ requestPhoneCode(phone: $p, purpose: $u) }";
const LOGIN_PHONE: &str = "mutation($p: String!, $c: String!){ loginWithPhone(phone: $p, code: $c){ accessToken } }";

/// The server binary on `app`'s database with the SMS double, killed with SIGKILL when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(app: &TestApp, sms: &FakeSms, log: &std::path::Path) -> Server {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(std::env::temp_dir());
    for var in ["DATABASE_URL", "PII_KEYS", "PII_HASH_KEY", "JWT_KEYS", "KEYS_DIR", "ENVIRONMENT", "BIND"] {
        cmd.env_remove(var);
    }
    cmd.envs(env_of(app).into_iter().map(|(k, v)| (k.to_owned(), v)));
    let c = &app.state.config;
    let extra = [
        ("BIND", "127.0.0.1:0".to_owned()),
        ("PUBLIC_URL", c.public_url.clone()),
        ("WORKERS", "true".into()),
        ("OUTBOX_POLL_MS", "100".into()),
        ("OUTBOX_LEASE_SECS", "15".into()),
        ("SMS_PROVIDER", "tencent".into()),
        ("TENCENT_SECRET_ID", fake_sms::SECRET_ID.into()),
        ("TENCENT_SECRET_KEY", fake_sms::SECRET_KEY.into()),
        ("TENCENT_SMS_SDK_APP_ID", fake_sms::SDK_APP_ID.into()),
        ("TENCENT_SMS_SIGN_NAME", fake_sms::SIGN_NAME.into()),
        ("TENCENT_SMS_ENDPOINT", sms.endpoint.clone()),
        ("SMS_TEMPLATE_LOGIN_CODE", fake_sms::TEMPLATE_LOGIN.into()),
        ("SMS_TEMPLATE_BIND_CODE", fake_sms::TEMPLATE_BIND.into()),
        ("SMS_TEMPLATE_REQUEST_UPDATE", NOTICE_TEMPLATES[0].into()),
        ("SMS_TEMPLATE_BOOKING_UPDATE", NOTICE_TEMPLATES[1].into()),
        ("SMS_TEMPLATE_SESSION_REMINDER", NOTICE_TEMPLATES[2].into()),
        ("SMS_TEMPLATE_VERIFICATION_DUE", NOTICE_TEMPLATES[3].into()),
    ];
    cmd.envs(extra);
    let out = std::fs::OpenOptions::new().create(true).append(true).open(log).expect("server log");
    cmd.stdin(Stdio::null()).stdout(out.try_clone().expect("log")).stderr(out);
    Server(cmd.spawn().unwrap_or_else(|e| panic!("{BIN}: {e}")))
}

async fn notices(app: &TestApp) -> Vec<outbox::Model> {
    outbox::Entity::find().filter(outbox::Column::AccountId.is_not_null()).all(&app.state.db).await.expect("outbox")
}

/// Waits for `what` to hold, up to `secs`; panics with the server's log otherwise.
async fn until<F: std::future::Future<Output = bool>>(secs: u64, log: &std::path::Path, what: &str, mut check: impl FnMut() -> F) {
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < Duration::from_secs(secs), "{what}; server log:\n{}", std::fs::read_to_string(log).unwrap_or_default());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_server_killed_while_the_provider_holds_a_notice_loses_none_and_resends_only_that_one() {
    let (wx, sms) = (FakeWeChat::start().await, FakeSms::start().await);
    // The in-process server only arranges: a family signed in by phone, three requests.
    let app = app(&wx, &sms, false).await;
    let r = app.gql(None, REQUEST_CODE, json!({"p": "13912340031", "u": "LOGIN"})).await;
    assert_eq!(r["data"]["requestPhoneCode"], true, "{r}");
    let code = sms.last_code("+8613912340031");
    let r = app.gql(None, LOGIN_PHONE, json!({"p": "13912340031", "c": code})).await;
    let family = r["data"]["loginWithPhone"]["accessToken"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned();
    for k in 0..3 {
        request(&app, &family, &format!("kill-{k}")).await;
    }
    let ids: Vec<String> = notices(&app).await.iter().map(|n| n.id.to_string()).collect();
    assert_eq!(ids.len(), 3);
    let log = app.state.config.keys_dir.join("server.log");
    let notice_keys = |sms: &FakeSms| {
        sms.sent().into_iter().filter(|s| NOTICE_TEMPLATES.contains(&s.template.as_str())).map(|s| s.context).collect::<Vec<_>>()
    };

    // The provider takes the first notice and is slow to answer; the server dies meanwhile.
    sms.set_hold(true);
    let mut first = start(&app, &sms, &log);
    until(60, &log, "the server never sent a notice", || async { sms.in_flight() == 1 }).await;
    first.0.kill().expect("SIGKILL");
    first.0.wait().expect("reaped");
    drop(first);
    let in_flight = notice_keys(&sms);
    assert_eq!(in_flight.len(), 1, "one notice reached the provider before the crash: {in_flight:?}");
    assert!(ids.contains(&in_flight[0]), "the provider sees the notice's stable key");
    let rows = notices(&app).await;
    assert!(rows.iter().all(|n| n.status == "pending"), "the crash left every notice pending: {rows:?}");
    sms.set_hold(false);

    // A new server on the same database sends the other two at once and, after the lease, the
    // one that was in flight.
    let _second = start(&app, &sms, &log);
    until(90, &log, "not every notice was delivered after the restart", || async {
        notices(&app).await.iter().all(|n| n.status == "sent" && n.delivered_via.as_deref() == Some("sms"))
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let keys = notice_keys(&sms);
    for id in &ids {
        let n = keys.iter().filter(|k| *k == id).count();
        let expected = if *id == in_flight[0] { 2 } else { 1 };
        assert_eq!(n, expected, "notice {id} at the provider (in flight at the crash: {}): {keys:?}", *id == in_flight[0]);
    }
    assert_eq!(keys.len(), 4, "three notices, one resent after the crash: {keys:?}");
}
