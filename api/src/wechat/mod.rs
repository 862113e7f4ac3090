//! The WeChat server API of the families' mini-program: `sns/jscode2session` (sign-in code to
//! openid), the access token (`cgi-bin/stable_token`) and `wxa/business/getuserphonenumber` (the
//! phone button's code to the user's number).
//!
//! Why the session key is never read: WeChat returns it with the openid, and whoever holds it can
//! forge the mini-program's signed user data. Tongxin does not need it, so the answer's type has
//! no field for it and it is dropped while parsing — it cannot reach a client, a row or a log.
//! Why errors lose their URL: `jscode2session` carries the app secret and the code in its query.

pub mod subscribe;
pub mod token;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::json;

use crate::config::{Config, ConfigError};

/// WeChat's answer when it is not a success: its `errcode`, or a transport failure.
#[derive(Debug, Clone, thiserror::Error)]
pub enum WeChatError {
    /// WeChat answered with an error code.
    #[error("WeChat errcode {errcode}")]
    Code {
        /// The documented error code.
        errcode: i64,
    },
    /// No usable answer (network, HTTP status, body).
    #[error("WeChat unreachable: {0}")]
    Transport(String),
}

impl WeChatError {
    /// True for the codes that mean the access token is invalid or expired.
    pub fn is_token_rejected(&self) -> bool {
        matches!(self, WeChatError::Code { errcode: 40001 | 42001 | 40014 })
    }
}

/// The user behind a `wx.login` code.
#[derive(Debug, Clone)]
pub struct WeChatUser {
    /// Id within this mini-program.
    pub openid: String,
    /// Id across the operator's apps, when the mini-program is linked to an open-platform account.
    pub unionid: Option<String>,
}

/// A fresh access token and its lifetime in seconds.
#[derive(Clone)]
pub struct FreshToken {
    /// The token.
    pub token: SecretString,
    /// Seconds it lives.
    pub expires_in: i64,
}

/// A configured client of one mini-program.
#[derive(Clone)]
pub struct WeChat {
    http: reqwest::Client,
    base: String,
    app_id: String,
    secret: SecretString,
}

#[derive(Deserialize)]
struct Code2Session {
    #[serde(default)]
    errcode: i64,
    openid: Option<String>,
    unionid: Option<String>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    #[serde(default)]
    errcode: i64,
    access_token: Option<String>,
    expires_in: Option<i64>,
}

#[derive(Deserialize)]
struct PhoneAnswer {
    #[serde(default)]
    errcode: i64,
    phone_info: Option<PhoneInfo>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PhoneInfo {
    pure_phone_number: String,
    country_code: serde_json::Value,
}

impl WeChat {
    /// The client when `WECHAT_APP_ID` is set (then `WECHAT_APP_SECRET` must be too).
    pub fn from_config(c: &Config) -> Result<Option<Self>, ConfigError> {
        let Some(app_id) = c.wechat_app_id.clone().filter(|a| !a.trim().is_empty()) else { return Ok(None) };
        let secret = c
            .wechat_app_secret
            .clone()
            .filter(|s| !s.expose_secret().trim().is_empty())
            .ok_or_else(|| ConfigError("WECHAT_APP_SECRET must be set when WECHAT_APP_ID is".into()))?;
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| ConfigError(format!("WeChat HTTP client: {e}")))?;
        Ok(Some(WeChat { http, base: c.wechat_api_base.trim_end_matches('/').to_owned(), app_id, secret }))
    }

    /// The mini-program's app id.
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    async fn json<T: for<'de> Deserialize<'de>>(&self, req: reqwest::RequestBuilder) -> Result<T, WeChatError> {
        let resp = req.send().await.map_err(|e| WeChatError::Transport(e.without_url().to_string()))?;
        if !resp.status().is_success() {
            return Err(WeChatError::Transport(format!("HTTP {}", resp.status())));
        }
        resp.json().await.map_err(|e| WeChatError::Transport(format!("unreadable answer: {}", e.without_url())))
    }

    /// Exchanges a `wx.login` code for the user's ids.
    pub async fn code_to_session(&self, code: &str) -> Result<WeChatUser, WeChatError> {
        let req = self.http.get(format!("{}/sns/jscode2session", self.base)).query(&[
            ("appid", self.app_id.as_str()),
            ("secret", self.secret.expose_secret()),
            ("js_code", code),
            ("grant_type", "authorization_code"),
        ]);
        let a: Code2Session = self.json(req).await?;
        match (a.errcode, a.openid) {
            (0, Some(openid)) if !openid.is_empty() => Ok(WeChatUser { openid, unionid: a.unionid.filter(|u| !u.is_empty()) }),
            (0, _) => Err(WeChatError::Transport("answer without openid".into())),
            (errcode, _) => Err(WeChatError::Code { errcode }),
        }
    }

    /// Fetches an access token from `cgi-bin/stable_token`; `force` asks for a new one even while
    /// the current one lives (after WeChat called it invalid).
    pub async fn fetch_token(&self, force: bool) -> Result<FreshToken, WeChatError> {
        let body =
            json!({"grant_type": "client_credential", "appid": self.app_id, "secret": self.secret.expose_secret(), "force_refresh": force});
        let a: TokenAnswer = self.json(self.http.post(format!("{}/cgi-bin/stable_token", self.base)).json(&body)).await?;
        match (a.errcode, a.access_token) {
            (0, Some(t)) if !t.is_empty() => Ok(FreshToken { token: t.into(), expires_in: a.expires_in.unwrap_or(7200) }),
            (0, _) => Err(WeChatError::Transport("answer without access_token".into())),
            (errcode, _) => Err(WeChatError::Code { errcode }),
        }
    }

    /// The number behind a phone-button code, as country code and national number.
    pub async fn phone_number(&self, access_token: &str, code: &str) -> Result<(String, String), WeChatError> {
        let req = self
            .http
            .post(format!("{}/wxa/business/getuserphonenumber", self.base))
            .query(&[("access_token", access_token)])
            .json(&json!({"code": code}));
        let a: PhoneAnswer = self.json(req).await?;
        match (a.errcode, a.phone_info) {
            (0, Some(p)) => {
                // Documented as a string, shown as a number in the example: accept both.
                let cc = match p.country_code {
                    serde_json::Value::String(s) => s,
                    serde_json::Value::Number(n) => n.to_string(),
                    _ => String::new(),
                };
                Ok((cc, p.pure_phone_number))
            }
            (0, None) => Err(WeChatError::Transport("answer without phone_info".into())),
            (errcode, _) => Err(WeChatError::Code { errcode }),
        }
    }
}
