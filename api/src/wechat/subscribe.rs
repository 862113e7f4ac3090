//! `cgi-bin/message/subscribe/send`: a subscribe message (订阅消息) of the mini-program to one
//! user, as WeChat's server API documents it — `touser` the openid, `template_id`, `page` (the
//! mini-program page the card opens), `miniprogram_state`, `lang`, and `data` as
//! `{keyword: {value}}` with the template's keyword names (`thing1`, `time2`, `phrase3` …).
//!
//! WeChat limits each keyword by its type (`thing` 20 characters, `phrase` 5, `name` 10,
//! `character_string` 32): longer values are refused with 47003, so they are cut here.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{WeChat, WeChatError};

/// One subscribe message.
pub struct SubscribeMessage<'a> {
    /// The user's openid.
    pub touser: &'a str,
    /// Template id from the mini-program console.
    pub template_id: &'a str,
    /// Page the message opens.
    pub page: &'a str,
    /// `formal`, `trial` or `developer`: which version of the mini-program the card opens.
    pub state: &'a str,
    /// Keyword names of the template and their values, in order.
    pub data: Vec<(&'a str, &'a str)>,
}

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    errcode: i64,
}

/// The most characters WeChat takes for a keyword of this name's type.
fn limit(keyword: &str) -> usize {
    let kind = keyword.trim_end_matches(|c: char| c.is_ascii_digit());
    match kind {
        "phrase" => 5,
        "name" => 10,
        "character_string" | "number" | "letter" | "symbol" | "car_number" => 32,
        _ => 20,
    }
}

/// The `data` object with each value cut to its keyword's limit.
pub fn data(fields: &[(&str, &str)]) -> Value {
    let mut m = Map::new();
    for (key, value) in fields {
        let cut: String = value.chars().take(limit(key)).collect();
        m.insert((*key).to_owned(), json!({ "value": cut }));
    }
    Value::Object(m)
}

impl WeChat {
    /// Sends one subscribe message with `access_token`.
    pub async fn send_subscribe(&self, access_token: &str, msg: &SubscribeMessage<'_>) -> Result<(), WeChatError> {
        let body = json!({
            "touser": msg.touser,
            "template_id": msg.template_id,
            "page": msg.page,
            "miniprogram_state": msg.state,
            "lang": "zh_CN",
            "data": data(&msg.data),
        });
        let req =
            self.http.post(format!("{}/cgi-bin/message/subscribe/send", self.base)).query(&[("access_token", access_token)]).json(&body);
        let a: Answer = self.json(req).await?;
        if a.errcode == 0 { Ok(()) } else { Err(WeChatError::Code { errcode: a.errcode }) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_cut_to_the_keyword_type() {
        let d = data(&[
            ("phrase3", "办理中（已分派经办人）"),
            ("thing1", "周末阅读营周末阅读营周末阅读营周末阅读营周末阅读营"),
            ("time2", "2026-12-04 09:30"),
        ]);
        assert_eq!(d["phrase3"]["value"], "办理中（已");
        assert_eq!(d["thing1"]["value"].as_str().map(|s| s.chars().count()), Some(20));
        assert_eq!(d["time2"]["value"], "2026-12-04 09:30");
    }
}
