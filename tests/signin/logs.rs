//! What the server logs while families sign in: never a code, a WeChat session key, an access
//! token, an app or API secret, or a whole phone number.

use integration_tests::{
    TestApp,
    fake_sms::{FakeSms, SECRET_KEY},
    fake_wechat::FakeWeChat,
    logs,
};
use serde_json::json;

use super::{
    phone::{LOGIN_PHONE, REQUEST},
    wechat::{BIND_FROM_WECHAT, LOGIN_WECHAT},
};

#[tokio::test]
async fn no_code_key_token_secret_or_number_reaches_the_log() {
    let (_guard, log) = logs::capture();
    let (wx, sms) = (FakeWeChat::start().await, FakeSms::start().await);
    let app = TestApp::spawn_with(|c| {
        wx.configure(c);
        sms.configure(c);
    })
    .await;

    let r = app.gql(None, LOGIN_WECHAT, json!({"c": wx.login_code("oLogCheck0000000001", Some("uLogCheckUnion01"))})).await;
    let family = r["data"]["loginWithWechat"]["accessToken"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned();
    let r = app.gql(Some(&family), BIND_FROM_WECHAT, json!({"c": wx.phone_code("13912344321")})).await;
    assert_eq!(r["data"]["bindPhoneFromWechat"], true, "{r}");
    wx.expire_token();
    let r = app.gql(Some(&family), "mutation { unbindPhone }", json!({})).await;
    assert_eq!(r["data"]["unbindPhone"], true, "{r}");
    let r = app.gql(Some(&family), BIND_FROM_WECHAT, json!({"c": wx.phone_code("13912344321")})).await;
    assert_eq!(r["data"]["bindPhoneFromWechat"], true, "{r}");
    let r = app.gql(None, LOGIN_WECHAT, json!({"c": wx.failing_code(40029)})).await;
    assert!(r["errors"].is_array());

    app.gql(None, REQUEST, json!({"p": "15887654321", "u": "LOGIN"})).await;
    let code = sms.last_code("+8615887654321");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    app.gql(None, LOGIN_PHONE, json!({"p": "15887654321", "c": wrong})).await;
    let r = app.gql(None, LOGIN_PHONE, json!({"p": "15887654321", "c": code})).await;
    assert!(r["data"]["loginWithPhone"]["accessToken"].is_string(), "{r}");
    sms.set_down(true);
    app.gql(None, REQUEST, json!({"p": "15887650000", "u": "LOGIN"})).await;

    let text = log.text();
    assert!(text.contains("login with WeChat") && text.contains("login with phone"), "the capture sees the server's log:\n{text}");
    let mut secrets = wx.secrets();
    assert!(secrets.len() >= 8, "session keys, tokens and codes were handed out: {secrets:?}");
    secrets.extend([SECRET_KEY.to_owned(), code, "13912344321".into(), "15887654321".into(), "15887650000".into()]);
    for s in secrets {
        assert!(!text.contains(&s), "`{s}` is in the log:\n{text}");
    }
}
