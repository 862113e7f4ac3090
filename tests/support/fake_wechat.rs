//! A local double of the WeChat server API on a loopback port. It checks what WeChat checks —
//! the app id and secret, the grant type, that a code is known, unused and of this app, that the
//! access token is the live one — and answers with WeChat's documented bodies and error codes.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::{
    Json, Router,
    extract::{Query, State},
    routing::{get, post},
};
use serde_json::{Value, json};

/// The app id and secret the double accepts.
pub const APP_ID: &str = "wx5f3c2a9e0b1d4c77";
/// The app secret (the log test looks for it).
pub const APP_SECRET: &str = "3b9f0c1e6a7d4e2f8c5b1a0d9e8f7a6b";

#[derive(Default)]
struct Inner {
    /// `wx.login` codes: openid and unionid, or a forced error code.
    login_codes: HashMap<String, Result<(String, Option<String>), i64>>,
    /// Phone-button codes: the national number.
    phone_codes: HashMap<String, String>,
    used: Vec<String>,
    session_keys: Vec<String>,
    tokens: Vec<String>,
    expired: Vec<String>,
    token_fetches: u32,
    phone_calls: u32,
    serial: u32,
    /// Subscribe messages accepted: (openid, template id, data).
    delivered: Vec<(String, String, Value)>,
    /// Openids that refused (or used up) their subscriptions: 43101.
    refusing: Vec<String>,
    /// Subscribe calls answer -1 (system busy) while set.
    busy: bool,
    /// Every subscribe call, answered or not.
    subscribe_calls: u32,
}

/// The running double.
#[derive(Clone)]
pub struct FakeWeChat {
    /// Base URL (`http://127.0.0.1:port`).
    pub base: String,
    inner: Arc<Mutex<Inner>>,
}

fn err(errcode: i64, errmsg: &str) -> Json<Value> {
    Json(json!({"errcode": errcode, "errmsg": format!("{errmsg} rid: 6560f1c2-0a1b2c3d-4e5f6a7b")}))
}

impl FakeWeChat {
    /// Starts the double.
    pub async fn start() -> FakeWeChat {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new()
            .route("/sns/jscode2session", get(code2session))
            .route("/cgi-bin/stable_token", post(stable_token))
            .route("/wxa/business/getuserphonenumber", post(phone_number))
            .route("/cgi-bin/message/subscribe/send", post(subscribe_send))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind fake WeChat");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeWeChat { base, inner }
    }

    /// Points a server's configuration at the double.
    pub fn configure(&self, c: &mut api::config::Config) {
        c.wechat_app_id = Some(APP_ID.into());
        c.wechat_app_secret = Some(APP_SECRET.to_owned().into());
        c.wechat_api_base = self.base.clone();
    }

    fn next(&self) -> u32 {
        let mut i = self.inner.lock().expect("lock");
        i.serial += 1;
        i.serial
    }

    /// What `wx.login` gives the mini-program of the user `openid`: a fresh one-time code.
    pub fn login_code(&self, openid: &str, unionid: Option<&str>) -> String {
        let code = format!("0a3Xk{:04}Ga1lJLs2Mk3D{}", self.next(), openid.len());
        self.inner.lock().expect("lock").login_codes.insert(code.clone(), Ok((openid.into(), unionid.map(Into::into))));
        code
    }

    /// A code for which jscode2session answers `errcode`.
    pub fn failing_code(&self, errcode: i64) -> String {
        let code = format!("0f9Zq{:04}Err{errcode}", self.next());
        self.inner.lock().expect("lock").login_codes.insert(code.clone(), Err(errcode));
        code
    }

    /// What the phone button (`getPhoneNumber`) gives for a user whose WeChat number is `national`.
    pub fn phone_code(&self, national: &str) -> String {
        let code = format!("e31968a7f94cc5ee25fafc2aef2773f0bb8c3937b22520eb8ee345274d{:06}", self.next());
        self.inner.lock().expect("lock").phone_codes.insert(code.clone(), national.into());
        code
    }

    /// Access tokens fetched so far.
    pub fn token_fetches(&self) -> u32 {
        self.inner.lock().expect("lock").token_fetches
    }

    /// Phone-number calls answered so far (successful or not).
    pub fn phone_calls(&self) -> u32 {
        self.inner.lock().expect("lock").phone_calls
    }

    /// WeChat expires the live token early (as it does when another party fetched with
    /// `cgi-bin/token`): the next call with it gets 42001.
    pub fn expire_token(&self) {
        let mut i = self.inner.lock().expect("lock");
        if let Some(t) = i.tokens.last().cloned() {
            i.expired.push(t);
        }
    }

    /// Subscribe messages delivered so far: (openid, template id, data).
    pub fn delivered(&self) -> Vec<(String, String, Value)> {
        self.inner.lock().expect("lock").delivered.clone()
    }

    /// Subscribe calls so far, delivered or not.
    pub fn subscribe_calls(&self) -> u32 {
        self.inner.lock().expect("lock").subscribe_calls
    }

    /// WeChat answers 43101 for this user (the user turned the subscription off).
    pub fn refuse(&self, openid: &str) {
        self.inner.lock().expect("lock").refusing.push(openid.into());
    }

    /// Subscribe calls answer -1 (system busy) until set back.
    pub fn set_busy(&self, busy: bool) {
        self.inner.lock().expect("lock").busy = busy;
    }

    /// Every secret the double handed out or accepted: session keys, access tokens, codes, the
    /// app secret. None may appear in the server's log.
    pub fn secrets(&self) -> Vec<String> {
        let i = self.inner.lock().expect("lock");
        let mut all: Vec<String> = i.session_keys.iter().chain(&i.tokens).cloned().collect();
        all.extend(i.login_codes.keys().cloned());
        all.extend(i.phone_codes.keys().cloned());
        all.push(APP_SECRET.into());
        all
    }
}

type Shared = State<Arc<Mutex<Inner>>>;

async fn code2session(State(s): Shared, Query(q): Query<HashMap<String, String>>) -> Json<Value> {
    if q.get("appid").map(String::as_str) != Some(APP_ID) {
        return err(40013, "invalid appid");
    }
    if q.get("secret").map(String::as_str) != Some(APP_SECRET) {
        return err(40125, "invalid appsecret");
    }
    if q.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return err(40002, "invalid grant_type");
    }
    let Some(code) = q.get("js_code") else { return err(41008, "missing code") };
    let mut i = s.lock().expect("lock");
    if i.used.contains(code) {
        return err(40163, "code been used");
    }
    match i.login_codes.get(code).cloned() {
        None => err(40029, "invalid code"),
        Some(Err(errcode)) => err(errcode, "forced error"),
        Some(Ok((openid, unionid))) => {
            i.used.push(code.clone());
            let session_key = format!("tiihtNczf5v6AKRyjwEUhQ{:02}==", i.used.len());
            i.session_keys.push(session_key.clone());
            let mut body = json!({"openid": openid, "session_key": session_key});
            if let Some(u) = unionid {
                body["unionid"] = json!(u);
            }
            Json(body)
        }
    }
}

async fn stable_token(State(s): Shared, Json(b): Json<Value>) -> Json<Value> {
    if b["grant_type"] != "client_credential" {
        return err(40002, "invalid grant_type");
    }
    if b["appid"] != APP_ID {
        return err(40013, "invalid appid");
    }
    if b["secret"] != APP_SECRET {
        return err(40125, "invalid appsecret");
    }
    let mut i = s.lock().expect("lock");
    let force = b["force_refresh"].as_bool().unwrap_or(false);
    let live = i.tokens.last().filter(|t| !i.expired.contains(t)).cloned();
    let token = match (live, force) {
        (Some(t), false) => t,
        _ => {
            i.token_fetches += 1;
            let t = format!("86_Mk3lA9sQ0xYv{:03}wZpT2nJ8cVbR", i.token_fetches);
            i.tokens.push(t.clone());
            t
        }
    };
    Json(json!({"access_token": token, "expires_in": 7200}))
}

async fn phone_number(State(s): Shared, Query(q): Query<HashMap<String, String>>, Json(b): Json<Value>) -> Json<Value> {
    let mut i = s.lock().expect("lock");
    i.phone_calls += 1;
    let Some(token) = q.get("access_token") else { return err(41001, "access_token missing") };
    if i.expired.contains(token) {
        return err(42001, "access_token expired");
    }
    if !i.tokens.contains(token) {
        return err(40001, "invalid credential, access_token is invalid or not latest");
    }
    let Some(code) = b["code"].as_str() else { return err(47001, "data format error") };
    if i.used.iter().any(|u| u == code) {
        return err(40029, "invalid code");
    }
    let Some(national) = i.phone_codes.get(code).cloned() else { return err(40029, "invalid code") };
    i.used.push(code.to_owned());
    Json(json!({
        "errcode": 0, "errmsg": "ok",
        "phone_info": {"phoneNumber": national, "purePhoneNumber": national, "countryCode": 86,
                       "watermark": {"timestamp": 1637744274, "appid": APP_ID}}
    }))
}

/// Template ids the double knows (what the mini-program console would list).
pub const TEMPLATES: [&str; 4] = [
    "kHx3nZ5aQ0mWRequestUpdate9T1bYc",
    "kHx3nZ5aQ0mWBookingUpdate8S2aXd",
    "kHx3nZ5aQ0mWSessionRemind7R3zWe",
    "kHx3nZ5aQ0mWVerifyDue6Q4yVf",
];

/// Points the server's notice settings at the double's templates, with their keywords.
pub fn configure_templates(c: &mut api::config::Config) {
    c.notify.wechat_template_request_update = Some(format!("{}:phrase1,time2", TEMPLATES[0]));
    c.notify.wechat_template_booking_update = Some(format!("{}:thing1,time2,phrase3", TEMPLATES[1]));
    c.notify.wechat_template_session_reminder = Some(format!("{}:thing1,time2", TEMPLATES[2]));
    c.notify.wechat_template_verification_due = Some(format!("{}:phrase1,date2", TEMPLATES[3]));
}

async fn subscribe_send(State(s): Shared, Query(q): Query<HashMap<String, String>>, Json(b): Json<Value>) -> Json<Value> {
    let mut i = s.lock().expect("lock");
    i.subscribe_calls += 1;
    let Some(token) = q.get("access_token") else { return err(41001, "access_token missing") };
    if i.expired.contains(token) {
        return err(42001, "access_token expired");
    }
    if !i.tokens.contains(token) {
        return err(40001, "invalid credential, access_token is invalid or not latest");
    }
    if i.busy {
        return err(-1, "system error");
    }
    let touser = b["touser"].as_str().unwrap_or_default().to_owned();
    // An openid is 28 characters of base64url in practice; the double's are `o` + letters/digits.
    if !touser.starts_with('o') || touser.len() < 16 || !touser.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-') {
        return err(40003, "invalid openid");
    }
    let template = b["template_id"].as_str().unwrap_or_default().to_owned();
    if !TEMPLATES.contains(&template.as_str()) {
        return err(40037, "invalid template_id");
    }
    let Some(data) = b["data"].as_object() else { return err(47003, "argument invalid! data is empty") };
    for (key, v) in data {
        let Some(value) = v["value"].as_str() else { return err(47003, "argument invalid! data.value empty") };
        if !value_ok(key, value) {
            return err(47003, &format!("argument invalid! data.{key}.value invalid"));
        }
    }
    if !matches!(b["miniprogram_state"].as_str(), Some("formal" | "trial" | "developer")) {
        return err(47003, "argument invalid! miniprogram_state");
    }
    if i.refusing.contains(&touser) {
        return err(43101, "user refuse to accept the msg");
    }
    i.delivered.push((touser, template, b["data"].clone()));
    Json(json!({"errcode": 0, "errmsg": "ok"}))
}

/// WeChat's published limits on a subscribe-message value by keyword type: `thing` at most 20
/// characters, `phrase` at most 5 Chinese characters, `time`/`date` a 24-hour time with an
/// optional date (digits and `-:/年月日 ~`), `character_string` and `number` at most 32.
fn value_ok(key: &str, value: &str) -> bool {
    let n = value.chars().count();
    let kind = key.trim_end_matches(|c: char| c.is_ascii_digit());
    n > 0
        && match kind {
            "thing" => n <= 20,
            "phrase" => n <= 5 && value.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "time" | "date" => n <= 40 && value.chars().all(|c| c.is_ascii_digit() || " -:/~年月日".contains(c)),
            "character_string" | "number" => n <= 32,
            _ => n <= 20,
        }
}
