//! Families sign in with a mainland mobile number and a six-digit SMS code sent through Tencent
//! Cloud SMS (a local double that checks the request signature). Codes expire, work once, die
//! after five wrong tries, come at most once a minute and ten times a day, and the answers never
//! tell whether a number has an account.

use chrono::Duration;
use integration_tests::{
    TestApp, code,
    fake_sms::{FakeSms, TEMPLATE_BIND, TEMPLATE_LOGIN},
    field,
};
use serde_json::{Value, json};

use super::wechat::{ME, app_with_fakes};

pub(crate) const REQUEST: &str = "mutation($p: String!, $u: PhoneCodePurpose!){ requestPhoneCode(phone: $p, purpose: $u) }";
pub(crate) const LOGIN_PHONE: &str =
    "mutation($p: String!, $c: String!){ loginWithPhone(phone: $p, code: $c){ accessToken refreshToken expiresAt } }";
const BIND: &str = "mutation($p: String!, $c: String!){ bindPhone(phone: $p, code: $c) }";

async fn request(app: &TestApp, phone: &str, purpose: &str) -> Value {
    app.gql(None, REQUEST, json!({"p": phone, "u": purpose})).await
}

async fn login(app: &TestApp, phone: &str, code: &str) -> Value {
    app.gql(None, LOGIN_PHONE, json!({"p": phone, "c": code})).await
}

fn token(r: &Value) -> String {
    r["data"]["loginWithPhone"]["accessToken"].as_str().unwrap_or_else(|| panic!("loginWithPhone: {r}")).to_owned()
}

async fn account_id(app: &TestApp, token: &str) -> Value {
    app.gql(Some(token), ME, json!({})).await["data"]["me"]["id"].clone()
}

#[tokio::test]
async fn a_code_signs_in_a_new_number_and_later_the_same_account() {
    let (app, _, sms) = app_with_fakes().await;
    assert_eq!(request(&app, "138 0013 8000", "LOGIN").await["data"]["requestPhoneCode"], true);
    let sent = sms.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!((sent[0].phone.as_str(), sent[0].template.as_str()), ("+8613800138000", TEMPLATE_LOGIN));
    assert_eq!(sent[0].params[1], "5", "the SMS says how many minutes the code lives");
    let c = sms.last_code("+8613800138000");
    assert!(c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()), "{c}");
    let first = token(&login(&app, "+86 13800138000", &c).await);
    let me = app.gql(Some(&first), ME, json!({})).await;
    assert_eq!(me["data"]["me"]["identities"], json!([{"kind": "PHONE", "masked": "+86 138****8000"}]), "{me}");
    assert_eq!(me["data"]["me"]["role"], "GUARDIAN");

    app.state.clock.advance(Duration::seconds(61));
    assert_eq!(request(&app, "13800138000", "LOGIN").await["data"]["requestPhoneCode"], true);
    let again = token(&login(&app, "13800138000", &sms.last_code("+8613800138000")).await);
    assert_eq!(account_id(&app, &again).await, account_id(&app, &first).await);
}

#[tokio::test]
async fn a_code_expires_after_five_minutes() {
    let (app, _, sms) = app_with_fakes().await;
    request(&app, "13900001111", "LOGIN").await;
    app.state.clock.advance(Duration::seconds(5 * 60 + 1));
    let r = login(&app, "13900001111", &sms.last_code("+8613900001111")).await;
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "code"), "{r}");
}

#[tokio::test]
async fn a_code_works_once() {
    let (app, _, sms) = app_with_fakes().await;
    request(&app, "13900002222", "LOGIN").await;
    let c = sms.last_code("+8613900002222");
    token(&login(&app, "13900002222", &c).await);
    let r = login(&app, "13900002222", &c).await;
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "code"), "{r}");
}

#[tokio::test]
async fn five_wrong_tries_kill_the_code() {
    let fake_sms = FakeSms::start().await;
    let app = TestApp::spawn_with(|c| {
        fake_sms.configure(c);
        c.login_per_account_per_minute = 100;
    })
    .await;
    request(&app, "13900003333", "LOGIN").await;
    let right = fake_sms.last_code("+8613900003333");
    let wrong = if right == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let r = login(&app, "13900003333", wrong).await;
        assert_eq!((code(&r), field(&r)), ("VALIDATION", "code"), "{r}");
    }
    let r = login(&app, "13900003333", &right).await;
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "code"), "the right code after five wrong tries: {r}");
}

#[tokio::test]
async fn a_new_code_waits_a_minute_and_a_number_gets_ten_a_day() {
    let (app, _, sms) = app_with_fakes().await;
    assert_eq!(request(&app, "13900004444", "LOGIN").await["data"]["requestPhoneCode"], true);
    let r = request(&app, "13900004444", "LOGIN").await;
    assert_eq!(code(&r), "RATE_LIMITED", "{r}");
    let wait = r["errors"][0]["extensions"]["retryAfterSeconds"].as_u64().unwrap_or_default();
    assert!((1..=60).contains(&wait), "{r}");
    for _ in 1..10 {
        app.state.clock.advance(Duration::seconds(61));
        let r = request(&app, "13900004444", "LOGIN").await;
        assert_eq!(r["data"]["requestPhoneCode"], true, "{r}");
    }
    app.state.clock.advance(Duration::seconds(61));
    let r = request(&app, "13900004444", "LOGIN").await;
    assert_eq!(code(&r), "RATE_LIMITED", "the eleventh code of the day: {r}");
    assert_eq!(sms.sent().len(), 10);
    app.state.clock.advance(Duration::hours(24));
    assert_eq!(request(&app, "13900004444", "LOGIN").await["data"]["requestPhoneCode"], true, "a day later");
}

#[tokio::test]
async fn one_client_address_gets_a_configured_number_of_codes_an_hour() {
    let sms = FakeSms::start().await;
    let app = TestApp::spawn_with(|c| {
        sms.configure(c);
        c.phone_codes_per_address_per_hour = 3;
    })
    .await;
    for n in ["13900005551", "13900005552", "13900005553"] {
        assert_eq!(request(&app, n, "LOGIN").await["data"]["requestPhoneCode"], true);
    }
    assert_eq!(code(&request(&app, "13900005554", "LOGIN").await), "RATE_LIMITED");
    assert_eq!(sms.sent().len(), 3);
}

#[tokio::test]
async fn a_known_and_an_unknown_number_get_the_same_answer() {
    let (app, _, sms) = app_with_fakes().await;
    request(&app, "13600001234", "LOGIN").await;
    token(&login(&app, "13600001234", &sms.last_code("+8613600001234")).await);
    app.state.clock.advance(Duration::seconds(61));

    let started = std::time::Instant::now();
    let known = request(&app, "13600001234", "LOGIN").await;
    let known_time = started.elapsed();
    let started = std::time::Instant::now();
    let unknown = request(&app, "13600005678", "LOGIN").await;
    let unknown_time = started.elapsed();
    assert_eq!(known, unknown, "same body");
    assert_eq!(known, json!({"data": {"requestPhoneCode": true}}));
    assert_eq!(sms.sent().len(), 3, "both numbers got a code");
    // Same work on both paths (no account lookup): the times are of one class, not a hash apart.
    assert!(
        known_time.max(unknown_time) < known_time.min(unknown_time) * 20 + std::time::Duration::from_millis(200),
        "{known_time:?} vs {unknown_time:?}"
    );
    for purpose in ["LOGIN", "BIND"] {
        app.state.clock.advance(Duration::seconds(61));
        let a = request(&app, "13600001234", purpose).await;
        let b = request(&app, "13600005678", purpose).await;
        assert_eq!(a, b, "{purpose}");
    }
}

#[tokio::test]
async fn malformed_and_foreign_numbers_are_refused_before_any_sms() {
    let (app, _, sms) = app_with_fakes().await;
    for bad in ["12800138000", "+85291234567", "1380013800", "abc", ""] {
        let r = request(&app, bad, "LOGIN").await;
        assert_eq!((code(&r), field(&r)), ("VALIDATION", "phone"), "{bad}: {r}");
    }
    let r = login(&app, "0851-1234567", "123456").await;
    assert_eq!((code(&r), field(&r)), ("VALIDATION", "phone"), "{r}");
    assert!(sms.sent().is_empty() && sms.refused().is_empty());
}

#[tokio::test]
async fn a_signed_in_family_adds_a_number_with_a_bind_code() {
    let (app, wx, sms) = app_with_fakes().await;
    let family = super::wechat::wechat_login(&app, &wx, "oBindByCode000000001").await;
    request(&app, "15000001111", "BIND").await;
    let sent = sms.sent();
    assert_eq!(sent[0].template, TEMPLATE_BIND);
    let bind_code = sms.last_code("+8615000001111");
    let r = login(&app, "15000001111", &bind_code).await;
    assert_eq!(code(&r), "VALIDATION", "a bind code does not sign in: {r}");
    let r = app.gql(Some(&family), BIND, json!({"p": "15000001111", "c": bind_code})).await;
    assert_eq!(r["data"]["bindPhone"], true, "{r}");

    app.state.clock.advance(Duration::seconds(61));
    request(&app, "15000001111", "LOGIN").await;
    let by_phone = token(&login(&app, "15000001111", &sms.last_code("+8615000001111")).await);
    assert_eq!(account_id(&app, &by_phone).await, account_id(&app, &family).await, "the number opens the WeChat family's account");

    let other = super::wechat::wechat_login(&app, &wx, "oBindByCode000000002").await;
    app.state.clock.advance(Duration::seconds(61));
    request(&app, "15000001111", "BIND").await;
    let r = app.gql(Some(&other), BIND, json!({"p": "15000001111", "c": sms.last_code("+8615000001111")})).await;
    assert_eq!(code(&r), "CONFLICT", "{r}");
}

#[tokio::test]
async fn a_provider_outage_is_a_retryable_error_and_does_not_count_against_the_number() {
    let (app, _, sms) = app_with_fakes().await;
    sms.set_down(true);
    let r = request(&app, "13700007777", "LOGIN").await;
    assert_eq!(code(&r), "UNAVAILABLE", "{r}");
    sms.set_down(false);
    let r = request(&app, "13700007777", "LOGIN").await;
    assert_eq!(r["data"]["requestPhoneCode"], true, "no minute to wait after an unsent code: {r}");
    assert_eq!(sms.sent().len(), 1);
}

#[tokio::test]
async fn a_wrongly_signed_request_is_refused_by_the_provider() {
    let sms = FakeSms::start().await;
    let app = TestApp::spawn_with(|c| {
        sms.configure(c);
        c.tencent_secret_key = Some("not-the-right-secret-key".to_owned().into());
    })
    .await;
    let r = request(&app, "13700008888", "LOGIN").await;
    assert_eq!(code(&r), "UNAVAILABLE", "{r}");
    assert_eq!(sms.refused(), vec!["AuthFailure.SignatureFailure".to_owned()]);
    assert!(sms.sent().is_empty());
}

#[tokio::test]
async fn in_development_each_sms_is_a_file_and_phone_sign_in_works_with_nothing_else() {
    let app = TestApp::spawn().await;
    assert_eq!(request(&app, "18600001234", "LOGIN").await["data"]["requestPhoneCode"], true);
    let dir = &app.state.config.sms_dir;
    let files: Vec<String> =
        std::fs::read_dir(dir).expect("SMS_DIR").flatten().filter_map(|e| std::fs::read_to_string(e.path()).ok()).collect();
    assert_eq!(files.len(), 1);
    assert!(files[0].starts_with("To: +8618600001234\n"), "{}", files[0]);
    let code_in_file: String = files[0].split("验证码为").nth(1).unwrap_or_default().chars().take(6).collect();
    token(&login(&app, "18600001234", &code_in_file).await);
}
