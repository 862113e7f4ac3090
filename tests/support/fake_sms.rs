//! A local double of Tencent Cloud SMS `SendSms` (API 3.0) on a loopback port. Like the real
//! service it recomputes the TC3-HMAC-SHA256 signature from the request it received (its own
//! implementation, not the server's), refuses an unknown key, a stale timestamp, a wrong action,
//! version, app id, signature name or template, and answers with the documented bodies.

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicBool, Ordering},
};

use axum::{Json, Router, extract::State, http::HeaderMap, routing::post};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The API key the double accepts.
pub const SECRET_ID: &str = "AKIDb7Pq3XzR9tLw2mNc5vHs8jKe4gFd6aYu";
/// Its secret (the log test looks for it).
pub const SECRET_KEY: &str = "Vq7Lm2Xc9Rt4Bn6Zs1Kd8Hf3Jw5Gp0Ay";
/// SMS application.
pub const SDK_APP_ID: &str = "1400787878";
/// Approved signature.
pub const SIGN_NAME: &str = "童心";
/// Approved templates.
pub const TEMPLATE_LOGIN: &str = "1849201";
/// Approved templates.
pub const TEMPLATE_BIND: &str = "1849202";
/// Approved notice templates: request progress, booking change, session reminder.
pub const NOTICE_TEMPLATES: [&str; 4] = ["1850301", "1850302", "1850303", "1850304"];

/// One SMS the double accepted.
#[derive(Debug, Clone)]
pub struct Sent {
    /// E.164 number.
    pub phone: String,
    /// Template id.
    pub template: String,
    /// Template parameters.
    pub params: Vec<String>,
    /// The sender's `SessionContext` (a notice's stable key).
    pub context: String,
}

/// Characters a template variable may hold (Tencent Cloud, accounts without enterprise
/// verification); more is `InvalidParameterValue.TemplateParameterLengthLimit`.
pub const PARAM_MAX_CHARS: usize = 12;

#[derive(Default)]
struct Inner {
    sent: Mutex<Vec<Sent>>,
    refused: Mutex<Vec<String>>,
    down: AtomicBool,
    /// While set, an accepted message is answered only once released (a slow provider).
    hold: AtomicBool,
    /// Messages accepted and not answered yet.
    in_flight: std::sync::atomic::AtomicUsize,
    released: tokio::sync::Notify,
}

/// The running double.
#[derive(Clone)]
pub struct FakeSms {
    /// Endpoint URL.
    pub endpoint: String,
    inner: Arc<Inner>,
}

fn error(code: &str, message: &str) -> Json<Value> {
    Json(json!({"Response": {"Error": {"Code": code, "Message": message}, "RequestId": "6a1b0f4e-6f7c-4c1e-9d3a-1b2c3d4e5f60"}}))
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
    m.update(data.as_bytes());
    m.finalize().into_bytes().to_vec()
}

impl FakeSms {
    /// Starts the double.
    pub async fn start() -> FakeSms {
        let inner = Arc::new(Inner::default());
        let app = Router::new().route("/", post(send_sms)).with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind fake SMS");
        let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeSms { endpoint, inner }
    }

    /// Points a server's configuration at the double with the right keys.
    pub fn configure(&self, c: &mut api::config::Config) {
        c.sms_provider = api::config::SmsProvider::Tencent;
        c.tencent_secret_id = Some(SECRET_ID.into());
        c.tencent_secret_key = Some(SECRET_KEY.to_owned().into());
        c.tencent_sms_sdk_app_id = Some(SDK_APP_ID.into());
        c.tencent_sms_sign_name = Some(SIGN_NAME.into());
        c.sms_template_login_code = Some(TEMPLATE_LOGIN.into());
        c.sms_template_bind_code = Some(TEMPLATE_BIND.into());
        c.notify.sms_template_request_update = Some(NOTICE_TEMPLATES[0].into());
        c.notify.sms_template_booking_update = Some(NOTICE_TEMPLATES[1].into());
        c.notify.sms_template_session_reminder = Some(NOTICE_TEMPLATES[2].into());
        c.notify.sms_template_verification_due = Some(NOTICE_TEMPLATES[3].into());
        c.tencent_sms_endpoint = self.endpoint.clone();
    }

    /// Every SMS accepted, oldest first.
    pub fn sent(&self) -> Vec<Sent> {
        self.inner.sent.lock().expect("lock").clone()
    }

    /// The error codes of refused requests.
    pub fn refused(&self) -> Vec<String> {
        self.inner.refused.lock().expect("lock").clone()
    }

    /// The code of the last SMS to `phone` (E.164).
    pub fn last_code(&self, phone: &str) -> String {
        self.sent()
            .iter()
            .rev()
            .find(|s| s.phone == phone)
            .and_then(|s| s.params.first().cloned())
            .unwrap_or_else(|| panic!("no SMS to {phone}"))
    }

    /// While `hold` is set, every accepted message is recorded as sent at once (the provider has
    /// it) but answered only when the hold is lifted, as a provider that is slow to answer.
    pub fn set_hold(&self, hold: bool) {
        self.inner.hold.store(hold, Ordering::SeqCst);
        if !hold {
            self.inner.released.notify_waiters();
        }
    }

    /// Messages accepted and not yet answered.
    pub fn in_flight(&self) -> usize {
        self.inner.in_flight.load(Ordering::SeqCst)
    }

    /// Accepted messages per `SessionContext`.
    pub fn by_context(&self) -> std::collections::BTreeMap<String, usize> {
        let mut out = std::collections::BTreeMap::new();
        for s in self.sent() {
            *out.entry(s.context).or_default() += 1;
        }
        out
    }

    /// Makes the service fail (`InternalError`) until set back.
    pub fn set_down(&self, down: bool) {
        self.inner.down.store(down, Ordering::SeqCst);
    }
}

async fn send_sms(State(s): State<Arc<Inner>>, headers: HeaderMap, body: String) -> Json<Value> {
    let answer = check(&s, &headers, &body);
    if let Err(code) = &answer {
        s.refused.lock().expect("lock").push(code.clone());
    }
    if answer.is_ok() && s.hold.load(Ordering::SeqCst) {
        s.in_flight.fetch_add(1, Ordering::SeqCst);
        let released = s.released.notified();
        if s.hold.load(Ordering::SeqCst) {
            released.await;
        }
        s.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
    answer.unwrap_or_else(|code| error(&code, "refused by the double"))
}

fn check(s: &Inner, headers: &HeaderMap, body: &str) -> Result<Json<Value>, String> {
    let h = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    if s.down.load(Ordering::SeqCst) {
        return Err("InternalError.Timeout".into());
    }
    if h("x-tc-action") != "SendSms" {
        return Err("InvalidAction".into());
    }
    if h("x-tc-version") != "2021-01-11" {
        return Err("NoSuchVersion".into());
    }
    if h("x-tc-region").is_empty() {
        return Err("MissingParameter".into());
    }
    let timestamp: i64 = h("x-tc-timestamp").parse().map_err(|_| "MissingParameter".to_owned())?;
    if (chrono::Utc::now().timestamp() - timestamp).abs() > 300 {
        return Err("AuthFailure.SignatureExpire".into());
    }
    // Authorization: TC3-HMAC-SHA256 Credential=ID/DATE/sms/tc3_request, SignedHeaders=..., Signature=...
    let auth = h("authorization");
    let rest = auth.strip_prefix("TC3-HMAC-SHA256 Credential=").ok_or("AuthFailure.InvalidAuthorization")?;
    let (credential, rest) = rest.split_once(", SignedHeaders=").ok_or("AuthFailure.InvalidAuthorization")?;
    let (signed_headers, signature) = rest.split_once(", Signature=").ok_or("AuthFailure.InvalidAuthorization")?;
    let parts: Vec<&str> = credential.split('/').collect();
    let [id, date, service, "tc3_request"] = parts[..] else { return Err("AuthFailure.InvalidAuthorization".into()) };
    if id != SECRET_ID {
        return Err("AuthFailure.SecretIdNotFound".into());
    }
    let expected_date = chrono::DateTime::from_timestamp(timestamp, 0).unwrap_or_default().format("%Y-%m-%d").to_string();
    if service != "sms" || date != expected_date {
        return Err("AuthFailure.SignatureFailure".into());
    }
    let mut canonical_headers = String::new();
    for name in signed_headers.split(';') {
        canonical_headers.push_str(&format!("{name}:{}\n", h(name).trim().to_lowercase()));
    }
    if !signed_headers.split(';').any(|n| n == "host") || !signed_headers.split(';').any(|n| n == "content-type") {
        return Err("AuthFailure.SignatureFailure".into());
    }
    let canonical = format!("POST\n/\n\n{canonical_headers}\n{signed_headers}\n{}", hex::encode(Sha256::digest(body.as_bytes())));
    let to_sign = format!("TC3-HMAC-SHA256\n{timestamp}\n{date}/sms/tc3_request\n{}", hex::encode(Sha256::digest(canonical.as_bytes())));
    let k = hmac(&hmac(&hmac(format!("TC3{SECRET_KEY}").as_bytes(), date), "sms"), "tc3_request");
    if hex::encode(hmac(&k, &to_sign)) != signature {
        return Err("AuthFailure.SignatureFailure".into());
    }
    let b: Value = serde_json::from_str(body).map_err(|_| "InvalidParameter".to_owned())?;
    if b["SmsSdkAppId"] != SDK_APP_ID {
        return Err("InvalidParameterValue.SdkAppIdNotExist".into());
    }
    if b["SignName"] != SIGN_NAME {
        return Err("FailedOperation.SignatureIncorrectOrUnapproved".into());
    }
    let template = b["TemplateId"].as_str().unwrap_or_default().to_owned();
    if template != TEMPLATE_LOGIN && template != TEMPLATE_BIND && !NOTICE_TEMPLATES.contains(&template.as_str()) {
        return Err("FailedOperation.TemplateIncorrectOrUnapproved".into());
    }
    let params: Vec<String> = b["TemplateParamSet"].as_array().into_iter().flatten().filter_map(|p| p.as_str().map(Into::into)).collect();
    if params.iter().any(|p| p.chars().count() > PARAM_MAX_CHARS) {
        return Err("InvalidParameterValue.TemplateParameterLengthLimit".into());
    }
    let context = b["SessionContext"].as_str().unwrap_or_default().to_owned();
    let mut statuses = Vec::new();
    for phone in b["PhoneNumberSet"].as_array().into_iter().flatten().filter_map(Value::as_str) {
        let ok = phone.len() == 14 && phone.starts_with("+861") && phone[3..].bytes().all(|c| c.is_ascii_digit());
        if ok {
            s.sent.lock().expect("lock").push(Sent {
                phone: phone.into(),
                template: template.clone(),
                params: params.clone(),
                context: context.clone(),
            });
        }
        let (code, message) = if ok { ("Ok", "send success") } else { ("InvalidParameterValue.IncorrectPhoneNumber", "incorrect number") };
        statuses.push(json!({"SerialNo": "5000:1045710669157053657849499619", "PhoneNumber": phone, "Fee": 1,
                             "SessionContext": "", "Code": code, "Message": message, "IsoCode": "CN"}));
    }
    Ok(Json(json!({"Response": {"SendStatusSet": statuses, "RequestId": "a0aabda6-cf91-4f3e-a81f-9198114a2279"}})))
}
