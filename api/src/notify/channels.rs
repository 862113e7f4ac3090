//! One attempt of a notice on one channel, and how each provider's answer is read: delivered, a
//! refusal that will not change by waiting (the next channel takes over), or a temporary failure
//! (the same channel is tried again after the outbox backoff).

use entities::{account, account_phone, account_wechat, outbox};
use sea_orm::EntityTrait;

use super::{
    events, grants,
    kinds::{Channel, Event},
};
use crate::{
    error::AppResult,
    sms::{SmsError, Template},
    state::AppState,
    wechat::{WeChatError, subscribe::SubscribeMessage, token},
};

const PHONE_COLUMN: &str = "account_phones.phone_sealed";

/// How one attempt ended. Texts are safe to log: codes and reasons, never a number, an openid,
/// a token or a parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// The provider accepted the message.
    Sent,
    /// This channel will not carry this notice.
    Refused(String),
    /// Try this channel again later.
    Temporary(String),
}

/// Tries `notice` on `channel` for `account`.
pub async fn attempt(
    state: &AppState,
    row: &outbox::Model,
    account: &account::Model,
    event: Event,
    channel: Channel,
) -> AppResult<Attempt> {
    let params: Vec<String> = serde_json::from_str(row.params.as_deref().unwrap_or("[]")).unwrap_or_default();
    match channel {
        Channel::WeChat => wechat(state, row, account, event, &params).await,
        Channel::Sms => sms(state, row, account, event, &params).await,
        Channel::Email => email(state, row, account).await,
    }
}

/// WeChat's codes that mean this message will never go to this user by this template: 43101
/// the user holds no grant (refused or used up), 40003 invalid openid, 40037 invalid template,
/// 47003 bad parameters, 43107 long-term subscription not allowed. Busy (-1), frequency limits
/// (45009, 45011) and anything unreadable are temporary.
fn read_wechat(e: &WeChatError) -> Attempt {
    match e {
        WeChatError::Code { errcode: -1 | 45009 | 45011 } | WeChatError::Transport(_) => Attempt::Temporary(e.to_string()),
        WeChatError::Code { .. } if e.is_token_rejected() => Attempt::Temporary(e.to_string()),
        WeChatError::Code { .. } => Attempt::Refused(e.to_string()),
    }
}

async fn wechat(state: &AppState, row: &outbox::Model, account: &account::Model, event: Event, params: &[String]) -> AppResult<Attempt> {
    let Some(wx) = state.wechat.as_deref() else { return Ok(Attempt::Refused("WeChat is not configured".into())) };
    let Some(template) = state.config.notify.wechat_template(event) else {
        return Ok(Attempt::Refused(format!("no WeChat template for {}", event.as_str())));
    };
    let Some(identity) = account_wechat::Entity::find_by_id(account.id).one(&state.db).await? else {
        return Ok(Attempt::Refused("the account has no WeChat identity".into()));
    };
    // A notice that took its grant earlier (before a crash or an outage) keeps using it.
    let holds = row.channel.as_deref() == Some(Channel::WeChat.as_str());
    if !holds && !grants::take(state, account.id, &template.id, row.id).await? {
        return Ok(Attempt::Refused("no subscribe grant for the template".into()));
    }
    let values: Vec<String> = params.iter().map(|p| wechat_value(p)).collect();
    let message = SubscribeMessage {
        touser: &identity.openid,
        template_id: &template.id,
        page: &state.config.notify.wechat_subscribe_page,
        state: state.config.notify.state(),
        data: template.keywords.iter().map(String::as_str).zip(values.iter().map(String::as_str)).collect(),
    };
    let access = match token::access_token(state, wx, None).await {
        Ok(t) => t,
        Err(_) => return Ok(Attempt::Temporary("no WeChat access token".into())),
    };
    let answer = match wx.send_subscribe(&access, &message).await {
        // The shared token was invalidated (another fetch, or it expired early): one fresh try.
        Err(e) if e.is_token_rejected() => match token::access_token(state, wx, Some(&access)).await {
            Ok(fresh) => wx.send_subscribe(&fresh, &message).await,
            Err(_) => return Ok(Attempt::Temporary("no WeChat access token".into())),
        },
        other => other,
    };
    Ok(match answer {
        Ok(()) => Attempt::Sent,
        Err(e) => {
            if matches!(e, WeChatError::Code { errcode: 43101 }) {
                grants::clear(state, account.id, &template.id).await?;
            }
            read_wechat(&e)
        }
    })
}

async fn sms(state: &AppState, row: &outbox::Model, account: &account::Model, event: Event, params: &[String]) -> AppResult<Attempt> {
    let template = Template::Notice(event);
    if !state.sms.has_template(template) {
        return Ok(Attempt::Refused(format!("no SMS template for {}", event.as_str())));
    }
    let Some(phone) = account_phone::Entity::find_by_id(account.id).one(&state.db).await? else {
        return Ok(Attempt::Refused("the account has no phone number".into()));
    };
    let e164 = match state.pii.open(PHONE_COLUMN, account.id, &phone.phone_kid, &phone.phone_sealed) {
        Ok(n) => n,
        Err(_) => {
            state.pii.note_unreadable(&phone.phone_kid);
            return Ok(Attempt::Refused("the phone number cannot be read with the configured keys".into()));
        }
    };
    let params = sms_params(params, state.config.notify.sms_param_max_chars);
    Ok(match state.sms.send(&e164, template, &params, Some(&row.id.to_string())).await {
        Ok(()) => Attempt::Sent,
        Err(e @ (SmsError::BadNumber(_) | SmsError::Permanent(_))) => Attempt::Refused(e.to_string()),
        Err(e @ SmsError::Temporary(_)) => Attempt::Temporary(e.to_string()),
    })
}

async fn email(state: &AppState, row: &outbox::Model, account: &account::Model) -> AppResult<Attempt> {
    let Some(address) = &account.email else { return Ok(Attempt::Refused("the account has no e-mail address".into())) };
    let to = outbox::Model { recipient: address.clone(), ..row.clone() };
    let message = match crate::mail::outbox::build(&to, &state.config.mail_from) {
        Ok(m) => m,
        Err(e) => return Ok(Attempt::Refused(e)),
    };
    Ok(match state.mailer.send(message).await {
        Ok(()) => Attempt::Sent,
        Err(e) => Attempt::Temporary(e),
    })
}

/// A parameter as a subscribe-message value: never longer than a `thing` (20 characters), the
/// longest text value WeChat takes; the builders already fit each keyword type (`events`).
fn wechat_value(p: &str) -> String {
    p.chars().take(events::THING_MAX).collect()
}

/// Parameters cut to `max` characters for the SMS provider (0: as they are). A time
/// (`YYYY-MM-DD HH:MM`) drops its year before anything is cut.
fn sms_params(params: &[String], max: usize) -> Vec<String> {
    params
        .iter()
        .map(|p| {
            let n = p.chars().count();
            if max == 0 || n <= max {
                p.clone()
            } else if n == 16 && p.is_char_boundary(5) && p.as_bytes().get(4) == Some(&b'-') && max >= 11 {
                p[5..].to_owned()
            } else {
                events::fit(p, max)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sms_parameters_fit_the_providers_limit_by_characters() {
        let p = vec!["2026-09-01 09:00".to_owned(), "南明区流动儿童暑期科学营".to_owned(), "已受理".to_owned()];
        let out = sms_params(&p, 12);
        assert_eq!(out, vec!["09-01 09:00".to_owned(), "南明区流动儿童暑期科学营".to_owned(), "已受理".to_owned()]);
        let out = sms_params(&["贵阳市南明区流动儿童暑期科学探索夏令营".to_owned()], 12);
        assert_eq!(out[0].chars().count(), 12);
        assert_eq!(sms_params(&p, 0), p);
    }

    #[test]
    fn wechat_codes_split_into_refusals_and_retries() {
        assert_eq!(read_wechat(&WeChatError::Code { errcode: 43101 }), Attempt::Refused("WeChat errcode 43101".into()));
        assert!(matches!(read_wechat(&WeChatError::Code { errcode: 40003 }), Attempt::Refused(_)));
        assert!(matches!(read_wechat(&WeChatError::Code { errcode: -1 }), Attempt::Temporary(_)));
        assert!(matches!(read_wechat(&WeChatError::Code { errcode: 42001 }), Attempt::Temporary(_)));
        assert!(matches!(read_wechat(&WeChatError::Transport("HTTP 502".into())), Attempt::Temporary(_)));
    }
}
