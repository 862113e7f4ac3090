//! How families hear back, over GraphQL. The mini-program reads `subscribeTemplates`, asks the
//! family with `wx.requestSubscribeMessage({tmplIds})`, reports what the family chose with
//! `reportSubscribeGrants`, and sets the order of channels with `setNotificationPreferences`.

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};

use super::context::state;
use crate::{
    auth::viewer::require,
    error::AppResult,
    notify::{
        Channel, Event,
        grants::{self, GrantResult},
        preferences,
    },
};

/// A way Tongxin reaches a family.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum NotificationChannel {
    /// Subscribe message in the mini-program.
    Wechat,
    /// Text message to the bound number.
    Sms,
    /// E-mail.
    Email,
}

impl From<Channel> for NotificationChannel {
    fn from(c: Channel) -> Self {
        match c {
            Channel::WeChat => NotificationChannel::Wechat,
            Channel::Sms => NotificationChannel::Sms,
            Channel::Email => NotificationChannel::Email,
        }
    }
}

impl From<NotificationChannel> for Channel {
    fn from(c: NotificationChannel) -> Self {
        match c {
            NotificationChannel::Wechat => Channel::WeChat,
            NotificationChannel::Sms => Channel::Sms,
            NotificationChannel::Email => Channel::Email,
        }
    }
}

/// What a notice is about.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum NotificationEvent {
    /// A request's progress (accepted, information asked, resolved …) or a caseworker's message.
    RequestUpdate,
    /// A booking promoted from the waiting list, or its session cancelled.
    BookingUpdate,
    /// A booked session starts soon.
    SessionReminder,
    /// A child's record is due for verification.
    VerificationDue,
}

impl From<Event> for NotificationEvent {
    fn from(e: Event) -> Self {
        match e {
            Event::RequestUpdate => NotificationEvent::RequestUpdate,
            Event::BookingUpdate => NotificationEvent::BookingUpdate,
            Event::SessionReminder => NotificationEvent::SessionReminder,
            Event::VerificationDue => NotificationEvent::VerificationDue,
        }
    }
}

/// The result `wx.requestSubscribeMessage` gave for one template.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum SubscribeResult {
    /// `accept`.
    Accept,
    /// `reject`.
    Reject,
    /// `ban` (the template was banned by WeChat).
    Ban,
}

/// One template's result.
#[derive(InputObject)]
pub struct SubscribeGrantInput {
    /// Template id as passed to `wx.requestSubscribeMessage`.
    pub template_id: String,
    /// What the family chose.
    pub result: SubscribeResult,
}

/// A subscribe-message template of this service and how many messages the caller allowed.
#[derive(SimpleObject)]
pub struct SubscribeTemplate {
    /// Event it carries.
    pub event: NotificationEvent,
    /// Template id to pass to `wx.requestSubscribeMessage`.
    pub template_id: String,
    /// Messages the caller still allows with it.
    pub remaining: i32,
}

async fn templates(ctx: &Context<'_>) -> AppResult<Vec<SubscribeTemplate>> {
    let v = require(ctx)?;
    let st = state(ctx);
    let held = grants::remaining(st, v.account_id).await?;
    Ok(st
        .config
        .notify
        .wechat_templates()
        .into_iter()
        .map(|(event, t)| {
            let remaining = held.iter().find(|(id, _)| *id == t.id).map_or(0, |(_, n)| *n);
            SubscribeTemplate { event: event.into(), template_id: t.id, remaining }
        })
        .collect())
}

/// Notification queries.
#[derive(Default)]
pub struct NotificationsQuery;

#[Object]
impl NotificationsQuery {
    /// The service's subscribe-message templates (pass their ids to `wx.requestSubscribeMessage`)
    /// with the messages the caller still allows.
    async fn subscribe_templates(&self, ctx: &Context<'_>) -> AppResult<Vec<SubscribeTemplate>> {
        templates(ctx).await
    }
}

/// Notification mutations of families.
#[derive(Default)]
pub struct NotificationsMutation;

#[Object]
impl NotificationsMutation {
    /// Records the results of `wx.requestSubscribeMessage`: each `ACCEPT` allows one message with
    /// the template. Only a family account with a WeChat identity; unknown template ids are a
    /// `VALIDATION` error and nothing is recorded.
    async fn report_subscribe_grants(&self, ctx: &Context<'_>, grants: Vec<SubscribeGrantInput>) -> AppResult<Vec<SubscribeTemplate>> {
        let v = require(ctx)?;
        let results: Vec<(String, GrantResult)> = grants
            .into_iter()
            .map(|g| {
                let r = match g.result {
                    SubscribeResult::Accept => GrantResult::Accept,
                    SubscribeResult::Reject => GrantResult::Reject,
                    SubscribeResult::Ban => GrantResult::Ban,
                };
                (g.template_id.trim().to_owned(), r)
            })
            .collect();
        grants::report(state(ctx), &v, &results).await?;
        templates(ctx).await
    }

    /// Sets the order in which the family hears from Tongxin; channels left out are not used.
    /// Each channel at most once, and only channels the account has (WeChat identity, phone
    /// number, e-mail address).
    async fn set_notification_preferences(
        &self,
        ctx: &Context<'_>,
        order: Vec<NotificationChannel>,
    ) -> AppResult<Vec<NotificationChannel>> {
        let v = require(ctx)?;
        let order: Vec<Channel> = order.into_iter().map(Into::into).collect();
        Ok(preferences::set(state(ctx), &v, &order).await?.into_iter().map(Into::into).collect())
    }
}
