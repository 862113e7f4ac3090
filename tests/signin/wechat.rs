//! Families sign in with the WeChat mini-program: the code of `wx.login` becomes an account bound
//! to (app id, openid); the phone button's code adds the WeChat number; the access token that
//! call needs is fetched once for many calls and every process, and again after WeChat expires it.

use api::auth::Role;
use integration_tests::{TestApp, code, fake_sms::FakeSms, fake_wechat::FakeWeChat, field};
use serde_json::{Value, json};

pub(crate) const LOGIN_WECHAT: &str = "mutation($c: String!){ loginWithWechat(code: $c){ accessToken refreshToken expiresAt } }";
pub(crate) const BIND_FROM_WECHAT: &str = "mutation($c: String!){ bindPhoneFromWechat(code: $c) }";
pub(crate) const ME: &str = "{ me { id email role identities { kind masked } } }";

/// A server wired to both doubles.
pub(crate) async fn app_with_fakes() -> (TestApp, FakeWeChat, FakeSms) {
    let (wx, sms) = (FakeWeChat::start().await, FakeSms::start().await);
    let app = TestApp::spawn_with(|c| {
        wx.configure(c);
        sms.configure(c);
    })
    .await;
    (app, wx, sms)
}

/// Signs in with a fresh `wx.login` code of `openid`; returns the access token.
pub(crate) async fn wechat_login(app: &TestApp, wx: &FakeWeChat, openid: &str) -> String {
    let r = app.gql(None, LOGIN_WECHAT, json!({"c": wx.login_code(openid, None)})).await;
    r["data"]["loginWithWechat"]["accessToken"].as_str().unwrap_or_else(|| panic!("loginWithWechat: {r}")).to_owned()
}

async fn me(app: &TestApp, token: &str) -> Value {
    let r = app.gql(Some(token), ME, json!({})).await;
    assert!(r["errors"].is_null(), "{r}");
    r["data"]["me"].clone()
}

#[tokio::test]
async fn a_new_openid_creates_a_family_account_and_a_returning_one_finds_it() {
    let (app, wx, _) = app_with_fakes().await;
    let r = app.gql(None, LOGIN_WECHAT, json!({"c": wx.login_code("oXq3A5Yb9kLm2Np7Rt4Vw", Some("uN8cT2kQ"))})).await;
    let first = &r["data"]["loginWithWechat"];
    assert!(first["accessToken"].is_string() && first["refreshToken"].is_string() && first["expiresAt"].is_string(), "{r}");
    let token = first["accessToken"].as_str().unwrap_or_default();
    let account = me(&app, token).await;
    assert_eq!(account["role"], "GUARDIAN");
    assert_eq!(account["email"], Value::Null);
    assert_eq!(account["identities"], json!([{"kind": "WECHAT", "masked": "****t4Vw"}]));

    let again = wechat_login(&app, &wx, "oXq3A5Yb9kLm2Np7Rt4Vw").await;
    assert_eq!(me(&app, &again).await["id"], account["id"], "the returning openid reaches the same account");
    let other = wechat_login(&app, &wx, "oZz9B1Cc8dEe7Ff6Gg5Hh").await;
    assert_ne!(me(&app, &other).await["id"], account["id"], "another openid is another family");

    let refreshed = app
        .gql(None, "mutation($t: String!){ refreshSession(refreshToken: $t){ accessToken } }", json!({"t": first["refreshToken"]}))
        .await;
    assert!(refreshed["data"]["refreshSession"]["accessToken"].is_string(), "the token pair is a normal login's: {refreshed}");
}

#[tokio::test]
async fn invalid_used_and_refused_codes_map_to_typed_errors() {
    let (app, wx, _) = app_with_fakes().await;
    let r = app.gql(None, LOGIN_WECHAT, json!({"c": "081Kq0Ga1lJLs2Mk3Dnot-issued"})).await;
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "code"), "{r}");

    let c = wx.login_code("oUsedTwice0000000001", None);
    assert!(app.gql(None, LOGIN_WECHAT, json!({"c": c})).await["data"]["loginWithWechat"].is_object());
    let r = app.gql(None, LOGIN_WECHAT, json!({"c": c})).await;
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "code"), "a used code: {r}");

    let r = app.gql(None, LOGIN_WECHAT, json!({"c": wx.failing_code(45011)})).await;
    assert_eq!(code(&r), "RATE_LIMITED", "{r}");
    let r = app.gql_lang(None, "en", LOGIN_WECHAT, json!({"c": wx.failing_code(40226)})).await;
    assert_eq!(code(&r), "VALIDATION", "{r}");
    assert!(r["errors"][0]["message"].as_str().unwrap_or_default().contains("high-risk"), "{r}");
    let r = app.gql(None, LOGIN_WECHAT, json!({"c": wx.failing_code(-1)})).await;
    assert_eq!(code(&r), "UNAVAILABLE", "system busy asks for a retry: {r}");
    assert!(r["errors"][0]["extensions"]["retryAfterSeconds"].is_number(), "{r}");

    let r = app.gql(None, LOGIN_WECHAT, json!({"c": ""})).await;
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "code"), "{r}");
    let accounts = app.gql(Some(&app.admin_token().await), "{ accounts(role: GUARDIAN){ edges { node { id } } } }", json!({})).await;
    assert_eq!(accounts["data"]["accounts"]["edges"].as_array().map(Vec::len), Some(1), "only the one good code made an account");
}

#[tokio::test]
async fn a_wrong_app_secret_is_refused_by_wechat_and_signs_no_one_in() {
    let wx = FakeWeChat::start().await;
    let app = TestApp::spawn_with(|c| {
        wx.configure(c);
        c.wechat_app_secret = Some("0000000000000000000000000000dead".to_owned().into());
    })
    .await;
    let r = app.gql(None, LOGIN_WECHAT, json!({"c": wx.login_code("oSecretCheck00000001", None)})).await;
    assert_eq!(code(&r), "UNAVAILABLE", "{r}");
}

#[tokio::test]
async fn the_phone_button_adds_the_wechat_number_with_one_access_token_for_many_calls() {
    let (app, wx, _) = app_with_fakes().await;
    for i in 0..4 {
        let family = wechat_login(&app, &wx, &format!("oFamily{i:013}")).await;
        let r = app.gql(Some(&family), BIND_FROM_WECHAT, json!({"c": wx.phone_code(&format!("1390000{i:04}"))})).await;
        assert_eq!(r["data"]["bindPhoneFromWechat"], true, "{r}");
        let ids = me(&app, &family).await["identities"].clone();
        assert!(
            ids.as_array()
                .into_iter()
                .flatten()
                .any(|i| i["kind"] == "PHONE" && i["masked"].as_str().is_some_and(|m| m.starts_with("+86 139****"))),
            "{ids}"
        );
    }
    assert_eq!(wx.token_fetches(), 1, "one access token serves every call");

    let sibling = app.sibling().await;
    let family = wechat_login(&sibling, &wx, "oSiblingProcess000001").await;
    let r = sibling.gql(Some(&family), BIND_FROM_WECHAT, json!({"c": wx.phone_code("13900009999")})).await;
    assert_eq!(r["data"]["bindPhoneFromWechat"], true, "{r}");
    assert_eq!(wx.token_fetches(), 1, "another server process uses the token kept in the database");

    wx.expire_token();
    let family = wechat_login(&app, &wx, "oAfterExpiry00000001").await;
    let calls = wx.phone_calls();
    let r = app.gql(Some(&family), BIND_FROM_WECHAT, json!({"c": wx.phone_code("13900008888")})).await;
    assert_eq!(r["data"]["bindPhoneFromWechat"], true, "the call is repeated once with a new token: {r}");
    assert_eq!(wx.token_fetches(), 2, "an expired token is fetched again, once");
    assert_eq!(wx.phone_calls() - calls, 2, "one refused call, one retry");
    let r = sibling.gql(Some(&family), "mutation { unbindPhone }", json!({})).await;
    assert_eq!(r["data"]["unbindPhone"], true, "{r}");
    let r = sibling.gql(Some(&family), BIND_FROM_WECHAT, json!({"c": wx.phone_code("13900008888")})).await;
    assert_eq!(r["data"]["bindPhoneFromWechat"], true, "{r}");
    assert_eq!(wx.token_fetches(), 2, "the sibling reads the renewed token");
}

#[tokio::test]
async fn many_processes_asking_at_once_fetch_one_token() {
    let (app, wx, _) = app_with_fakes().await;
    let sibling = app.sibling().await;
    let mut families = Vec::new();
    for i in 0..6 {
        families.push(wechat_login(if i % 2 == 0 { &app } else { &sibling }, &wx, &format!("oConcurrent{i:09}")).await);
    }
    let calls = families.iter().enumerate().map(|(i, f)| {
        let server = if i % 2 == 0 { &app } else { &sibling };
        let c = wx.phone_code(&format!("1370000{i:04}"));
        async move { server.gql(Some(f), BIND_FROM_WECHAT, json!({"c": c})).await }
    });
    for r in futures::future::join_all(calls).await {
        assert_eq!(r["data"]["bindPhoneFromWechat"], true, "{r}");
    }
    assert_eq!(wx.token_fetches(), 1, "the lease lets one process fetch while the others wait");
}

#[tokio::test]
async fn a_number_or_openid_held_by_another_account_is_a_conflict() {
    let (app, wx, _) = app_with_fakes().await;
    let first = wechat_login(&app, &wx, "oFirstHolder00000001").await;
    let second = wechat_login(&app, &wx, "oSecondFamily0000001").await;
    let r = app.gql(Some(&first), BIND_FROM_WECHAT, json!({"c": wx.phone_code("13812345678")})).await;
    assert_eq!(r["data"]["bindPhoneFromWechat"], true, "{r}");
    let r = app.gql(Some(&second), BIND_FROM_WECHAT, json!({"c": wx.phone_code("13812345678")})).await;
    assert_eq!(code(&r), "CONFLICT", "{r}");

    let email_family = app.guardian("mama@example.cn").await;
    let r = app
        .gql(
            Some(&email_family),
            "mutation($c: String!){ bindWechat(code: $c) }",
            json!({"c": wx.login_code("oFirstHolder00000001", None)}),
        )
        .await;
    assert_eq!(code(&r), "CONFLICT", "{r}");
    let r = app
        .gql(
            Some(&email_family),
            "mutation($c: String!){ bindWechat(code: $c) }",
            json!({"c": wx.login_code("oMamaOwnWechat000001", None)}),
        )
        .await;
    assert_eq!(r["data"]["bindWechat"], true, "{r}");
    let kinds: Vec<Value> = me(&app, &email_family).await["identities"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|i| i["kind"].clone())
        .collect();
    assert_eq!(kinds, vec![json!("EMAIL"), json!("WECHAT")]);
    let again = wechat_login(&app, &wx, "oMamaOwnWechat000001").await;
    assert_eq!(me(&app, &again).await["email"], "mama@example.cn", "WeChat now opens the e-mail account");
}

#[tokio::test]
async fn the_last_way_to_sign_in_cannot_be_removed() {
    let (app, wx, _) = app_with_fakes().await;
    let family = wechat_login(&app, &wx, "oOnlyWechat000000001").await;
    let r = app.gql(Some(&family), "mutation { unbindWechat }", json!({})).await;
    assert_eq!(code(&r), "CONFLICT", "{r}");
    let r = app.gql(Some(&family), BIND_FROM_WECHAT, json!({"c": wx.phone_code("15912345678")})).await;
    assert_eq!(r["data"]["bindPhoneFromWechat"], true, "{r}");
    let r = app.gql(Some(&family), "mutation { unbindWechat }", json!({})).await;
    assert_eq!(r["data"]["unbindWechat"], true, "{r}");
    let r = app.gql(Some(&family), "mutation { unbindPhone }", json!({})).await;
    assert_eq!(code(&r), "CONFLICT", "now the phone is the last way: {r}");
    assert_eq!(me(&app, &family).await["identities"], json!([{"kind": "PHONE", "masked": "+86 159****5678"}]));
}

#[tokio::test]
async fn staff_keep_email_and_password() {
    let (app, wx, _) = app_with_fakes().await;
    let staff = app.staff("clerk@edu.gov.cn", Role::DepartmentStaff, Some("education"), "520102").await;
    for (q, v) in [
        (BIND_FROM_WECHAT, json!({"c": wx.phone_code("13712345678")})),
        ("mutation($c: String!){ bindWechat(code: $c) }", json!({"c": wx.login_code("oClerk00000000000001", None)})),
        ("mutation($p: String!, $c: String!){ bindPhone(phone: $p, code: $c) }", json!({"p": "13712345678", "c": "123456"})),
        ("mutation { unbindPhone }", json!({})),
    ] {
        let r = app.gql(Some(&staff), q, v).await;
        assert_eq!(code(&r), "FORBIDDEN", "{q}: {r}");
    }
    let r = app.gql(None, BIND_FROM_WECHAT, json!({"c": wx.phone_code("13712345678")})).await;
    assert_eq!(code(&r), "UNAUTHENTICATED", "{r}");
    assert_eq!(wx.phone_calls(), 0, "nothing reached WeChat for a refused caller");
}

#[tokio::test]
async fn production_refuses_wechat_without_its_secret_and_the_file_sms_transport() {
    let app = TestApp::spawn().await;
    let err = app
        .restarted_with(|c| {
            c.environment = api::config::Environment::Production;
            c.wechat_app_id = Some("wx5f3c2a9e0b1d4c77".into());
        })
        .await
        .err()
        .unwrap_or_default();
    assert!(err.contains("WECHAT_APP_SECRET"), "{err}");
    assert!(err.contains("SMS_PROVIDER"), "{err}");
    let err = app.restarted_with(|c| c.sms_provider = api::config::SmsProvider::Tencent).await.err().unwrap_or_default();
    assert!(err.contains("TENCENT_SECRET_KEY") && err.contains("SMS_TEMPLATE_LOGIN_CODE"), "tencent without keys names them: {err}");
}
