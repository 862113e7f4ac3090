//! A child's record due for verification is told to its guardian (issue 17, item 4), not only to
//! staff: by subscribe message with a grant of the template, by SMS without one, by e-mail when
//! the family has neither; never with the child's name.

use chrono::Duration;
use integration_tests::{
    fake_sms::{FakeSms, NOTICE_TEMPLATES},
    fake_wechat::{FakeWeChat, TEMPLATES},
};
use serde_json::json;

use super::{GRANTS, app, drain, wechat_family};

#[tokio::test]
async fn a_record_due_for_verification_reaches_each_guardian_on_the_familys_channels() {
    let (wx, sms) = (FakeWeChat::start().await, FakeSms::start().await);
    let app = app(&wx, &sms, false).await;
    let granted = wechat_family(&app, &wx, "oVerify000000000000001", Some("13912340041")).await;
    let r = app.gql(Some(&granted), GRANTS, json!({"g": [{"templateId": TEMPLATES[3], "result": "ACCEPT"}]})).await;
    assert_eq!(r["data"]["reportSubscribeGrants"][3]["remaining"], 1, "{r}");
    app.child(&granted).born("2018-05-01").hukou("520304").lives_in("520102").await;
    let by_sms = wechat_family(&app, &wx, "oVerify000000000000002", Some("13912340042")).await;
    app.child(&by_sms).born("2018-05-01").hukou("520304").lives_in("520102").await;
    let by_mail = app.guardian("verify-mum@example.org").await;
    app.child(&by_mail).born("2018-05-01").hukou("520304").lives_in("520102").await;

    app.state.clock.advance(Duration::days(200));
    assert_eq!(api::services::register::notify_due(&app.state).await.expect("job"), 3);
    drain(&app).await;
    let day = (app.state.clock.now() + Duration::hours(8)).format("%Y-%m-%d").to_string();

    let sent = wx.delivered();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!((sent[0].0.as_str(), sent[0].1.as_str()), ("oVerify000000000000001", TEMPLATES[3]));
    assert_eq!(sent[0].2["phrase1"]["value"], "待核实");
    assert_eq!(sent[0].2["date2"]["value"], day.as_str());
    let texts: Vec<_> = sms.sent().into_iter().filter(|s| s.template == NOTICE_TEMPLATES[3]).collect();
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert_eq!(texts[0].phone, "+8613912340042");
    assert_eq!(texts[0].params, vec!["待核实".to_owned(), day]);
    let mails = app.emails_to("verify-mum@example.org").await;
    let due: Vec<_> = mails.iter().filter(|m| m.contains("满半年未核实")).collect();
    assert_eq!(due.len(), 1, "{mails:?}");
    assert!(!due[0].contains("小明"), "no child's name in the notice");

    // Once per due period, however often the job runs.
    assert_eq!(api::services::register::notify_due(&app.state).await.expect("job"), 0);
    drain(&app).await;
    assert_eq!(wx.delivered().len(), 1);
    assert_eq!(sms.sent().iter().filter(|s| s.template == NOTICE_TEMPLATES[3]).count(), 1);
}
