//! Notices survive a provider outage and a worker that dies mid-delivery: each is delivered, and
//! delivered once.

use api::{mail::outbox::Retry, notify::deliver};
use chrono::Duration;
use entities::outbox;
use integration_tests::{
    TestApp,
    fake_sms::{FakeSms, NOTICE_TEMPLATES},
    fake_wechat::{FakeWeChat, TEMPLATES},
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::{app, grant_requests, request, wechat_family};

async fn pass(app: &TestApp) -> api::mail::outbox::Pass {
    deliver::deliver_due(&app.state, &Retry::from_config(&app.state.config), app.state.clock.now()).await.expect("pass")
}

async fn notices(app: &TestApp) -> Vec<outbox::Model> {
    outbox::Entity::find().filter(outbox::Column::AccountId.is_not_null()).all(&app.state.db).await.expect("outbox")
}

#[tokio::test]
async fn wechat_busy_for_a_while_then_back_delivers_every_notice_exactly_once() {
    let (wx, sms) = (FakeWeChat::start().await, FakeSms::start().await);
    let app = app(&wx, &sms, false).await;
    let family = wechat_family(&app, &wx, "oResilience00000000001", Some("13912340011")).await;
    grant_requests(&app, &family, 5).await;
    wx.set_busy(true);
    for k in 0..3 {
        request(&app, &family, &format!("busy-{k}")).await;
    }
    // Ten minutes of "system busy" (-1): retried on WeChat with backoff, never sent elsewhere.
    for _ in 0..20 {
        pass(&app).await;
        app.state.clock.advance(Duration::seconds(30));
    }
    assert!(wx.delivered().is_empty());
    assert!(wx.subscribe_calls() >= 6, "kept trying: {} calls", wx.subscribe_calls());
    assert!(sms.sent().is_empty(), "a temporary failure does not fall back");
    assert!(notices(&app).await.iter().all(|n| n.status == "pending" && n.channel.as_deref() == Some("wechat")));

    wx.set_busy(false);
    app.state.clock.advance(Duration::hours(1));
    let back = pass(&app).await;
    assert_eq!(back.sent, 3, "{back:?}");
    app.state.clock.advance(Duration::hours(1));
    assert_eq!(pass(&app).await.sent, 0);
    let delivered = wx.delivered();
    assert_eq!(delivered.len(), 3, "each notice exactly once: {delivered:?}");
    let r = app.gql(Some(&family), "{ subscribeTemplates { templateId remaining } }", json!({})).await;
    assert_eq!(r["data"]["subscribeTemplates"][0]["remaining"], 2, "one grant per notice, however many tries: {r}");
    assert!(notices(&app).await.iter().all(|n| n.status == "sent" && n.delivered_via.as_deref() == Some("wechat")));
}

#[tokio::test]
async fn sms_down_then_up_delivers_every_notice_once_and_an_expired_token_is_renewed() {
    let (wx, sms) = (FakeWeChat::start().await, FakeSms::start().await);
    let app = app(&wx, &sms, false).await;
    let family = wechat_family(&app, &wx, "oResilience00000000002", Some("13912340012")).await;
    sms.set_down(true);
    for k in 0..4 {
        request(&app, &family, &format!("sms-{k}")).await;
    }
    for _ in 0..10 {
        pass(&app).await;
        app.state.clock.advance(Duration::minutes(2));
    }
    assert!(sms.sent().is_empty());
    sms.set_down(false);
    app.state.clock.advance(Duration::hours(1));
    assert_eq!(pass(&app).await.sent, 4);
    app.state.clock.advance(Duration::hours(1));
    assert_eq!(pass(&app).await.sent, 0);
    assert_eq!(sms.sent().iter().filter(|s| s.template == NOTICE_TEMPLATES[0]).count(), 4, "each exactly once");

    // WeChat expires the shared token early: the worker fetches a new one once and sends.
    grant_requests(&app, &family, 1).await;
    let fetched = wx.token_fetches();
    wx.expire_token();
    request(&app, &family, "token-1").await;
    assert_eq!(pass(&app).await.sent, 1);
    assert_eq!(wx.delivered().len(), 1);
    assert_eq!(wx.token_fetches(), fetched + 1, "one new token");
}

#[tokio::test]
async fn a_worker_that_died_holding_a_grant_leaves_the_notice_to_the_next_one_which_sends_it_once() {
    let (wx, sms) = (FakeWeChat::start().await, FakeSms::start().await);
    let app = app(&wx, &sms, false).await;
    let family = wechat_family(&app, &wx, "oResilience00000000003", Some("13912340013")).await;
    grant_requests(&app, &family, 1).await;
    request(&app, &family, "crash-1").await;
    let row = notices(&app).await.pop().expect("notice");
    // What a worker leaves behind when killed after taking the grant, before WeChat answered:
    // the grant taken, the notice marked as holding it, its lease running.
    assert!(api::notify::grants::take(&app.state, row.account_id.expect("account"), TEMPLATES[0], row.id).await.expect("take"));
    let mut leased: outbox::ActiveModel = outbox::Entity::find_by_id(row.id).one(&app.state.db).await.expect("row").expect("row").into();
    leased.locked_until = Set(Some(app.state.clock.now() + Duration::seconds(60)));
    leased.update(&app.state.db).await.expect("lease");

    assert_eq!(pass(&app).await.sent, 0, "nobody else touches it while the lease runs");
    app.state.clock.advance(Duration::seconds(61));
    assert_eq!(pass(&app).await.sent, 1, "after the lease the next worker delivers it");
    assert_eq!(wx.delivered().len(), 1, "by WeChat, with the grant the dead worker took");
    assert!(sms.sent().is_empty());
    app.state.clock.advance(Duration::hours(1));
    assert_eq!(pass(&app).await.sent, 0);
    assert_eq!(wx.delivered().len(), 1, "once");
}
