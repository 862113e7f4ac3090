//! Families hear back on their own channels (issue 17): WeChat subscribe messages while they hold
//! a grant, SMS, e-mail; in the order they choose; through provider outages and crashes.

mod bookings;
mod channels;
mod crash;
mod resilience;
mod verification;

use integration_tests::{
    TestApp,
    fake_sms::FakeSms,
    fake_wechat::{self, FakeWeChat},
};
use serde_json::{Value, json};

pub(crate) const LOGIN_WECHAT: &str = "mutation($c: String!){ loginWithWechat(code: $c){ accessToken } }";
pub(crate) const BIND_FROM_WECHAT: &str = "mutation($c: String!){ bindPhoneFromWechat(code: $c) }";
pub(crate) const GRANTS: &str = "mutation($g: [SubscribeGrantInput!]!){ reportSubscribeGrants(grants: $g){ event templateId remaining } }";
pub(crate) const PREFS: &str = "mutation($o: [NotificationChannel!]!){ setNotificationPreferences(order: $o) }";
pub(crate) const SUBMIT: &str = "mutation($i: SubmitRequestInput!){ submitRequest(input: $i){ id } }";

/// A server wired to both doubles with the notice templates configured.
pub(crate) async fn app(wx: &FakeWeChat, sms: &FakeSms, workers: bool) -> TestApp {
    TestApp::spawn_with(|c| {
        wx.configure(c);
        sms.configure(c);
        fake_wechat::configure_templates(c);
        c.workers = workers;
    })
    .await
}

/// A family signed in with WeChat (`openid`) whose WeChat number `national` is bound too.
pub(crate) async fn wechat_family(app: &TestApp, wx: &FakeWeChat, openid: &str, national: Option<&str>) -> String {
    let r = app.gql(None, LOGIN_WECHAT, json!({"c": wx.login_code(openid, None)})).await;
    let token = r["data"]["loginWithWechat"]["accessToken"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned();
    if let Some(n) = national {
        let r = app.gql(Some(&token), BIND_FROM_WECHAT, json!({"c": wx.phone_code(n)})).await;
        assert_eq!(r["data"]["bindPhoneFromWechat"], true, "{r}");
    }
    token
}

/// The family accepts `times` one-time messages of the request template.
pub(crate) async fn grant_requests(app: &TestApp, token: &str, times: usize) -> Value {
    let g: Vec<Value> = (0..times).map(|_| json!({"templateId": fake_wechat::TEMPLATES[0], "result": "ACCEPT"})).collect();
    app.gql(Some(token), GRANTS, json!({"g": g})).await
}

/// A child of the family and a school-enrolment request for it; returns the request id.
pub(crate) async fn request(app: &TestApp, token: &str, key: &str) -> String {
    let child = app.child(token).born("2019-03-10").hukou("520304").lives_in("520102").await;
    let input = json!({"childId": child, "entitlementCode": "school_enrolment", "details": "孩子今年九月上小学", "idempotencyKey": key});
    let r = app.gql(Some(token), SUBMIT, json!({"i": input})).await;
    r["data"]["submitRequest"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned()
}

/// Delivers every due notice and e-mail (the server's worker may be doing so too).
pub(crate) async fn drain(app: &TestApp) {
    app.emails().await;
}
