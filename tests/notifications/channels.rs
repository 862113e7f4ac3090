//! Which channel a notice takes: a subscribe message while a grant lasts, SMS without one,
//! e-mail when the family has neither; the family's own order; who may report and choose.

use api::auth::Role;
use integration_tests::{
    TestApp, code,
    fake_sms::{FakeSms, NOTICE_TEMPLATES, SECRET_KEY},
    fake_wechat::{FakeWeChat, TEMPLATES},
    field, logs,
};
use serde_json::json;

use super::{GRANTS, PREFS, app, drain, grant_requests, request, wechat_family};

const CLAIM: &str = "mutation($id: ID!){ claimRequest(id: $id){ status } }";

#[tokio::test]
async fn a_status_change_goes_by_subscribe_message_with_a_grant_by_sms_without_and_by_email_otherwise() {
    let (_guard, log) = logs::capture();
    let (wx, sms) = (FakeWeChat::start().await, FakeSms::start().await);
    let app = app(&wx, &sms, true).await;
    let staff = app.staff("edu@nanming.gov.cn", Role::DepartmentStaff, Some("education"), "520102").await;

    // A WeChat family with its WeChat number, who accepted one message of the request template.
    let family = wechat_family(&app, &wx, "oNotice0000000000000001", Some("13912340001")).await;
    let r = grant_requests(&app, &family, 1).await;
    assert_eq!(r["data"]["reportSubscribeGrants"][0]["remaining"], 1, "{r}");
    let rid = request(&app, &family, "n-1").await;
    drain(&app).await;
    let sent = wx.delivered();
    assert_eq!(sent.len(), 1, "the accepted request reached WeChat: {sent:?}");
    assert_eq!(sent[0].0, "oNotice0000000000000001");
    assert_eq!(sent[0].1, TEMPLATES[0]);
    assert_eq!(sent[0].2["phrase1"]["value"], "已受理");
    assert!(sms.sent().iter().all(|s| !NOTICE_TEMPLATES.contains(&s.template.as_str())), "nothing else by SMS");

    // The grant is used up: the next status change falls back to SMS.
    let r = app.gql(Some(&staff), CLAIM, json!({"id": rid})).await;
    assert_eq!(r["data"]["claimRequest"]["status"], "CLAIMED", "{r}");
    drain(&app).await;
    assert_eq!(wx.delivered().len(), 1, "no second subscribe message on a one-time grant");
    let texts: Vec<_> = sms.sent().into_iter().filter(|s| s.template == NOTICE_TEMPLATES[0]).collect();
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert_eq!(texts[0].phone, "+8613912340001");
    assert_eq!(texts[0].params[0], "办理中");
    assert!(texts[0].params.iter().all(|p| !p.contains("小明")), "no child's name in an SMS");
    let r = app.gql(Some(&family), "{ subscribeTemplates { templateId remaining } }", json!({})).await;
    assert_eq!(r["data"]["subscribeTemplates"][0]["remaining"], 0, "{r}");

    // A family with only e-mail hears by e-mail.
    let mail_family = app.guardian("mum@example.org").await;
    request(&app, &mail_family, "n-2").await;
    assert!(app.emails_to("mum@example.org").await.iter().any(|m| m.contains("已受理")));
    assert_eq!(wx.delivered().len(), 1);
    assert_eq!(sms.sent().iter().filter(|s| NOTICE_TEMPLATES.contains(&s.template.as_str())).count(), 1);

    // Nothing secret or personal reached the log on the way.
    let text = log.text();
    assert!(text.contains("login with WeChat") && text.contains("notice delivered"), "the capture sees the server and its worker:\n{text}");
    let mut secrets = wx.secrets();
    secrets.extend([SECRET_KEY.into(), "oNotice0000000000000001".into(), "13912340001".into(), "小明".into()]);
    for s in secrets {
        assert!(!text.contains(&s), "`{s}` is in the log");
    }
}

#[tokio::test]
async fn the_familys_order_is_followed_and_only_its_own_channels_can_be_chosen() {
    let (wx, sms) = (FakeWeChat::start().await, FakeSms::start().await);
    let app = app(&wx, &sms, true).await;
    let family = wechat_family(&app, &wx, "oNotice0000000000000002", Some("13912340002")).await;
    grant_requests(&app, &family, 1).await;
    let me = app.gql(Some(&family), "{ me { notificationOrder } }", json!({})).await;
    assert_eq!(me["data"]["me"]["notificationOrder"], json!(["WECHAT", "SMS", "EMAIL"]), "the default order");

    let r = app.gql(Some(&family), PREFS, json!({"o": ["SMS", "WECHAT"]})).await;
    assert_eq!(r["data"]["setNotificationPreferences"], json!(["SMS", "WECHAT"]), "{r}");
    let me = app.gql(Some(&family), "{ me { notificationOrder } }", json!({})).await;
    assert_eq!(me["data"]["me"]["notificationOrder"], json!(["SMS", "WECHAT"]));
    request(&app, &family, "o-1").await;
    drain(&app).await;
    assert_eq!(sms.sent().iter().filter(|s| s.template == NOTICE_TEMPLATES[0]).count(), 1, "SMS first, as chosen");
    assert!(wx.delivered().is_empty(), "the grant is kept for later");

    // Refused, and nothing changes: a channel twice, a channel the account lacks, nothing.
    for (order, why) in [(json!(["SMS", "SMS"]), "twice"), (json!(["EMAIL"]), "no e-mail address"), (json!([]), "empty")] {
        let r = app.gql(Some(&family), PREFS, json!({"o": order})).await;
        assert_eq!(code(&r), "VALIDATION", "{why}: {r}");
        assert_eq!(field(&r), "order", "{why}");
    }
    let me = app.gql(Some(&family), "{ me { notificationOrder } }", json!({})).await;
    assert_eq!(me["data"]["me"]["notificationOrder"], json!(["SMS", "WECHAT"]));

    // Grants: an unknown template is refused; a family without WeChat cannot report; staff neither.
    let r = app.gql(Some(&family), GRANTS, json!({"g": [{"templateId": "not-ours", "result": "ACCEPT"}]})).await;
    assert_eq!(code(&r), "VALIDATION", "{r}");
    let mail_family = app.guardian("dad@example.org").await;
    let r = app.gql(Some(&mail_family), GRANTS, json!({"g": [{"templateId": TEMPLATES[0], "result": "ACCEPT"}]})).await;
    assert_eq!(code(&r), "CONFLICT", "{r}");
    let staff = app.staff("edu2@nanming.gov.cn", Role::DepartmentStaff, Some("education"), "520102").await;
    let r = app.gql(Some(&staff), GRANTS, json!({"g": [{"templateId": TEMPLATES[0], "result": "ACCEPT"}]})).await;
    assert_eq!(code(&r), "FORBIDDEN", "{r}");
    let r = app.gql(Some(&staff), PREFS, json!({"o": ["EMAIL"]})).await;
    assert_eq!(code(&r), "FORBIDDEN", "{r}");
    let r = app.gql(None, PREFS, json!({"o": ["EMAIL"]})).await;
    assert_eq!(code(&r), "UNAUTHENTICATED", "{r}");
}

#[tokio::test]
async fn a_user_who_turned_messages_off_gets_the_notice_by_sms_and_a_banned_template_ends_the_grant() {
    let (wx, sms) = (FakeWeChat::start().await, FakeSms::start().await);
    let app: TestApp = app(&wx, &sms, true).await;
    let family = wechat_family(&app, &wx, "oNotice0000000000000003", Some("13912340003")).await;
    grant_requests(&app, &family, 2).await;
    wx.refuse("oNotice0000000000000003");
    request(&app, &family, "r-1").await;
    drain(&app).await;
    assert!(wx.delivered().is_empty());
    assert_eq!(wx.subscribe_calls(), 1, "WeChat was asked once and said 43101");
    assert_eq!(sms.sent().iter().filter(|s| s.template == NOTICE_TEMPLATES[0]).count(), 1, "the refusal fell to SMS");
    let r = app.gql(Some(&family), "{ subscribeTemplates { remaining } }", json!({})).await;
    assert_eq!(r["data"]["subscribeTemplates"][0]["remaining"], 0, "WeChat said no grant is left: {r}");

    let r = grant_requests(&app, &family, 3).await;
    assert_eq!(r["data"]["reportSubscribeGrants"][0]["remaining"], 3, "{r}");
    let r = app.gql(Some(&family), GRANTS, json!({"g": [{"templateId": TEMPLATES[0], "result": "BAN"}]})).await;
    assert_eq!(r["data"]["reportSubscribeGrants"][0]["remaining"], 0, "{r}");
}

#[tokio::test]
async fn asking_the_family_for_information_and_resolving_reach_its_phone_in_order() {
    let (wx, sms) = (FakeWeChat::start().await, FakeSms::start().await);
    let app = app(&wx, &sms, true).await;
    let staff = app.staff("edu-ask@nanming.gov.cn", Role::DepartmentStaff, Some("education"), "520102").await;
    // A WeChat family with a number and no grant: every notice goes by SMS.
    let family = wechat_family(&app, &wx, "oNotice0000000000000009", Some("13912340009")).await;
    let rid = request(&app, &family, "ask-1").await;
    // Each step's notice is delivered before the next step, as a family acting on its phone
    // sees them; two notices pending at once may be sent by two workers in either order.
    drain(&app).await;
    for (who, q) in [
        (&staff, CLAIM.to_owned()),
        (&staff, "mutation($id: ID!){ askForInformation(id: $id, message: \"请上传居住证\"){ status } }".to_owned()),
        (&family, "mutation($id: ID!){ answerRequest(id: $id, message: \"已上传\"){ status } }".to_owned()),
        (&staff, "mutation($id: ID!){ resolveRequest(id: $id, granted: true, reason: \"已安排学位\"){ status } }".to_owned()),
    ] {
        let r = app.gql(Some(who), &q, json!({"id": rid})).await;
        assert!(r["errors"].is_null(), "{q}: {r}");
        drain(&app).await;
    }
    let phrases: Vec<String> = sms.sent().into_iter().filter(|s| s.template == NOTICE_TEMPLATES[0]).map(|s| s.params[0].clone()).collect();
    let position = |p: &str| phrases.iter().position(|x| x == p).unwrap_or_else(|| panic!("no `{p}` notice in {phrases:?}"));
    assert_eq!(position("已受理"), 0, "{phrases:?}");
    assert!(position("办理中") < position("待补充材料"), "{phrases:?}");
    assert!(position("待补充材料") < position("已办结"), "{phrases:?}");
    assert_eq!(phrases.last().map(String::as_str), Some("已办结"), "{phrases:?}");
    assert!(wx.delivered().is_empty(), "no grant, no subscribe message");
}
