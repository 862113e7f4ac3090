//! A confirmed booking tells the family (issue 17, item 4): by subscribe message while it holds a
//! grant of the booking template, by SMS without one, by e-mail when it has neither. An activity
//! name longer than the providers take is cut, by characters, to what each accepts.

use integration_tests::{
    TestApp,
    fake_sms::{FakeSms, NOTICE_TEMPLATES, PARAM_MAX_CHARS},
    fake_wechat::{FakeWeChat, TEMPLATES},
    fixtures::{service_named, session, verified_org},
};
use serde_json::json;

use super::{GRANTS, app, drain, wechat_family};

const BOOK: &str = "mutation($s: ID!, $c: ID!){ bookSession(sessionId: $s, childId: $c){ id status } }";
/// 27 characters: over WeChat's 20 for a `thing` and Tencent Cloud's 12 for a variable.
const LONG: &str = "贵阳市南明区流动儿童暑期科学探索夏令营第二期周末班活动";

async fn book(app: &TestApp, token: &str, sess: &str, child: &str) {
    let r = app.gql(Some(token), BOOK, json!({"s": sess, "c": child})).await;
    assert_eq!(r["data"]["bookSession"]["status"], "CONFIRMED", "{r}");
}

#[tokio::test]
async fn a_confirmed_booking_reaches_the_family_on_its_channels_and_a_long_activity_name_fits_every_provider() {
    assert!(LONG.chars().count() > 20);
    let (wx, sms) = (FakeWeChat::start().await, FakeSms::start().await);
    let app = app(&wx, &sms, false).await;
    let (staff, _, loc) = verified_org(&app, "org-notice@org.cn", 171).await;
    let svc = service_named(&app, &staff, &loc, LONG, "READING", "cultural_services", (6, 12)).await;
    let (first, second) = (session(&app, &staff, &svc, 5, 10).await, session(&app, &staff, &svc, 6, 10).await);

    // A WeChat family that accepted one message of the booking template.
    let family = wechat_family(&app, &wx, "oBooking00000000000001", Some("13912340021")).await;
    let r = app.gql(Some(&family), GRANTS, json!({"g": [{"templateId": TEMPLATES[1], "result": "ACCEPT"}]})).await;
    assert_eq!(r["data"]["reportSubscribeGrants"][1]["remaining"], 1, "{r}");
    let child = app.child(&family).born("2019-03-10").hukou("520304").lives_in("520102").await;
    book(&app, &family, &first, &child).await;
    drain(&app).await;
    let sent = wx.delivered();
    assert_eq!(sent.len(), 1, "the booking reached WeChat: {sent:?}");
    assert_eq!(sent[0].1, TEMPLATES[1]);
    let thing = sent[0].2["thing1"]["value"].as_str().unwrap_or_default().to_owned();
    assert_eq!(thing.chars().count(), 20, "cut to WeChat's limit: {thing}");
    assert!(LONG.starts_with(thing.trim_end_matches('…')), "cut on a character boundary: {thing}");
    assert_eq!(sent[0].2["phrase3"]["value"], "预约成功");
    assert_eq!(wx.subscribe_calls(), 1, "WeChat refused nothing");

    // The grant is used up: the next booking goes by SMS, each variable within Tencent's limit.
    book(&app, &family, &second, &child).await;
    drain(&app).await;
    let texts: Vec<_> = sms.sent().into_iter().filter(|s| s.template == NOTICE_TEMPLATES[1]).collect();
    assert_eq!(texts.len(), 1, "{texts:?} refused: {:?}", sms.refused());
    assert_eq!(texts[0].phone, "+8613912340021");
    assert!(texts[0].params.iter().all(|p| p.chars().count() <= PARAM_MAX_CHARS), "{:?}", texts[0].params);
    assert!(LONG.starts_with(texts[0].params[0].trim_end_matches('…')));
    assert_eq!(texts[0].params[2], "预约成功");
    assert!(sms.refused().is_empty(), "{:?}", sms.refused());

    // A family with only e-mail reads the whole name by e-mail.
    let mail_family = app.guardian("booker@example.org").await;
    let child = app.child(&mail_family).born("2019-03-10").hukou("520304").lives_in("520102").await;
    book(&app, &mail_family, &first, &child).await;
    let mails = app.emails_to("booker@example.org").await;
    assert!(mails.iter().any(|m| m.contains("成功为孩子预约") && m.contains(LONG)), "{mails:?}");
    assert_eq!(wx.delivered().len(), 1);
    assert_eq!(sms.sent().iter().filter(|s| s.template == NOTICE_TEMPLATES[1]).count(), 1);
}
