//! Tencent Cloud SMS `SendSms` (API 3.0, version 2021-01-11), signed with TC3-HMAC-SHA256 as the
//! "Signature v3" document describes: a canonical request, a string to sign over its SHA-256, and
//! an HMAC chain keyed by `TC3` + SecretKey over the date, the service and `tc3_request`.

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::message::{SmsError, Template};
use crate::config::{Config, ConfigError};

const SERVICE: &str = "sms";
const VERSION: &str = "2021-01-11";
const CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// A configured Tencent Cloud SMS client.
#[derive(Clone)]
pub struct TencentSms {
    http: reqwest::Client,
    endpoint: reqwest::Url,
    host: String,
    region: String,
    secret_id: String,
    secret_key: SecretString,
    sdk_app_id: String,
    sign_name: String,
    login_template: String,
    bind_template: String,
    notices: crate::notify::config::NotifyConfig,
}

impl TencentSms {
    /// Reads the keys, app id, signature and template ids; names every missing one.
    pub fn from_config(c: &Config) -> Result<Self, ConfigError> {
        let mut missing = Vec::new();
        let mut need = |v: &Option<String>, name: &'static str| {
            let v = v.clone().filter(|s| !s.trim().is_empty());
            if v.is_none() {
                missing.push(name);
            }
            v.unwrap_or_default()
        };
        let secret_id = need(&c.tencent_secret_id, "TENCENT_SECRET_ID");
        let sdk_app_id = need(&c.tencent_sms_sdk_app_id, "TENCENT_SMS_SDK_APP_ID");
        let sign_name = need(&c.tencent_sms_sign_name, "TENCENT_SMS_SIGN_NAME");
        let login_template = need(&c.sms_template_login_code, "SMS_TEMPLATE_LOGIN_CODE");
        let bind_template = need(&c.sms_template_bind_code, "SMS_TEMPLATE_BIND_CODE");
        let secret_key = c.tencent_secret_key.clone().filter(|k| !k.expose_secret().trim().is_empty());
        if secret_key.is_none() {
            missing.push("TENCENT_SECRET_KEY");
        }
        if !missing.is_empty() {
            return Err(ConfigError(format!("SMS_PROVIDER=tencent needs {}", missing.join(", "))));
        }
        let endpoint =
            reqwest::Url::parse(&c.tencent_sms_endpoint).map_err(|_| ConfigError("TENCENT_SMS_ENDPOINT must be a URL".into()))?;
        let host = match (endpoint.host_str(), endpoint.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            (None, _) => return Err(ConfigError("TENCENT_SMS_ENDPOINT must name a host".into())),
        };
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| ConfigError(format!("SMS HTTP client: {e}")))?;
        Ok(TencentSms {
            http,
            endpoint,
            host,
            region: c.tencent_sms_region.clone(),
            secret_id,
            secret_key: secret_key.unwrap_or_default(),
            sdk_app_id,
            sign_name,
            login_template,
            bind_template,
            notices: c.notify.clone(),
        })
    }

    /// The approved template id of `template`, if configured.
    pub fn template_id(&self, template: Template) -> Option<&str> {
        match template {
            Template::LoginCode => Some(&self.login_template),
            Template::BindCode => Some(&self.bind_template),
            Template::Notice(e) => self.notices.sms_template(e),
        }
    }

    /// Sends one templated message to one E.164 number.
    pub async fn send(&self, to: &str, template: Template, params: &[String], context: Option<&str>) -> Result<(), SmsError> {
        let Some(template_id) = self.template_id(template) else {
            return Err(SmsError::Permanent(format!("no SMS template configured for {template:?}")));
        };
        let body = json!({
            "PhoneNumberSet": [to],
            "SmsSdkAppId": self.sdk_app_id,
            "SignName": self.sign_name,
            "TemplateId": template_id,
            "TemplateParamSet": params,
            // Echoed back by the provider unchanged (`SessionContext`): the message's stable key.
            "SessionContext": context.unwrap_or_default(),
        })
        .to_string();
        let timestamp = chrono::Utc::now().timestamp();
        let authorization = authorization(&self.secret_id, self.secret_key.expose_secret(), SERVICE, &self.host, &body, timestamp);
        let resp = self
            .http
            .post(self.endpoint.clone())
            .header("Authorization", authorization)
            .header("Content-Type", CONTENT_TYPE)
            .header("Host", &self.host)
            .header("X-TC-Action", "SendSms")
            .header("X-TC-Version", VERSION)
            .header("X-TC-Timestamp", timestamp.to_string())
            .header("X-TC-Region", &self.region)
            .body(body)
            .send()
            .await
            .map_err(|e| SmsError::Temporary(e.without_url().to_string()))?;
        if resp.status().is_server_error() {
            return Err(SmsError::Temporary(format!("HTTP {}", resp.status())));
        }
        let answer: Answer = resp.json().await.map_err(|e| SmsError::Temporary(format!("unreadable answer: {}", e.without_url())))?;
        if let Some(e) = answer.response.error {
            return Err(classify(&e.code));
        }
        match answer.response.send_status_set.first() {
            Some(s) if s.code == "Ok" => Ok(()),
            Some(s) => Err(classify(&s.code)),
            None => Err(SmsError::Temporary("no send status in the answer".into())),
        }
    }
}

/// Provider error codes about the number, those a later retry can cure, and the rest (the
/// operator's configuration).
fn classify(code: &str) -> SmsError {
    let about_number = [
        "InvalidParameterValue.IncorrectPhoneNumber",
        "FailedOperation.PhoneNumberInBlacklist",
        "FailedOperation.PhoneNumberOnBlacklist",
        "FailedOperation.PhoneNumberParseFail",
        "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber",
    ];
    if about_number.contains(&code) {
        return SmsError::BadNumber(code.to_owned());
    }
    let temporary =
        ["InternalError", "RequestLimitExceeded", "LimitExceeded.DeliveryFrequencyLimit", "FailedOperation.InsufficientBalance"];
    // Per-number frequency limits (30 s, hourly, daily) pass with time.
    if temporary.iter().any(|t| code.starts_with(t)) || code.starts_with("LimitExceeded.PhoneNumber") {
        SmsError::Temporary(code.to_owned())
    } else {
        SmsError::Permanent(code.to_owned())
    }
}

#[derive(Deserialize)]
struct Answer {
    #[serde(rename = "Response")]
    response: AnswerBody,
}

#[derive(Deserialize)]
struct AnswerBody {
    #[serde(rename = "Error")]
    error: Option<ApiError>,
    #[serde(rename = "SendStatusSet", default)]
    send_status_set: Vec<SendStatus>,
}

#[derive(Deserialize)]
struct ApiError {
    #[serde(rename = "Code")]
    code: String,
}

#[derive(Deserialize)]
struct SendStatus {
    #[serde(rename = "Code")]
    code: String,
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn hmac_sha256(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The canonical request of a JSON POST to `/` signing `content-type` and `host`.
pub fn canonical_request(host: &str, payload: &str) -> String {
    format!("POST\n/\n\ncontent-type:{CONTENT_TYPE}\nhost:{host}\n\ncontent-type;host\n{}", sha256_hex(payload.as_bytes()))
}

/// The UTC date of a timestamp, as the credential scope spells it.
fn date_of(timestamp: i64) -> String {
    chrono::DateTime::from_timestamp(timestamp, 0).unwrap_or_default().format("%Y-%m-%d").to_string()
}

/// The string to sign over a canonical request.
pub fn string_to_sign(service: &str, timestamp: i64, canonical: &str) -> String {
    format!("TC3-HMAC-SHA256\n{timestamp}\n{}/{service}/tc3_request\n{}", date_of(timestamp), sha256_hex(canonical.as_bytes()))
}

/// The hex signature of a string to sign.
pub fn signature(secret_key: &str, service: &str, timestamp: i64, to_sign: &str) -> String {
    let secret_date = hmac_sha256(format!("TC3{secret_key}").as_bytes(), &date_of(timestamp));
    let secret_service = hmac_sha256(&secret_date, service);
    let secret_signing = hmac_sha256(&secret_service, "tc3_request");
    hex::encode(hmac_sha256(&secret_signing, to_sign))
}

/// The `Authorization` header of a request with `payload` to `host` at `timestamp`.
pub fn authorization(secret_id: &str, secret_key: &str, service: &str, host: &str, payload: &str, timestamp: i64) -> String {
    let to_sign = string_to_sign(service, timestamp, &canonical_request(host, payload));
    format!(
        "TC3-HMAC-SHA256 Credential={secret_id}/{}/{service}/tc3_request, SignedHeaders=content-type;host, Signature={}",
        date_of(timestamp),
        signature(secret_key, service, timestamp, &to_sign)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of Tencent's "Signature v3" document (CVM `DescribeInstances`), whose
    /// intermediate hashes and signature the document prints.
    #[test]
    fn signs_the_documented_example() {
        let payload = r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
        let canonical = canonical_request("cvm.tencentcloudapi.com", payload);
        assert_eq!(
            canonical,
            "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n\
             35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
        );
        let to_sign = string_to_sign("cvm", 1551113065, &canonical);
        assert_eq!(
            to_sign,
            "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
        );
        assert_eq!(
            signature("Gu5t9xGARNpq86cd98joQYCN3*******", "cvm", 1551113065, &to_sign),
            "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c"
        );
        let auth = authorization(
            "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******",
            "Gu5t9xGARNpq86cd98joQYCN3*******",
            "cvm",
            "cvm.tencentcloudapi.com",
            payload,
            1551113065,
        );
        assert!(auth.starts_with("TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=2230eefd"));
    }

    #[test]
    fn provider_codes_split_into_retryable_and_final() {
        assert!(matches!(classify("InternalError.Timeout"), SmsError::Temporary(_)));
        assert!(matches!(classify("InvalidParameterValue.IncorrectPhoneNumber"), SmsError::BadNumber(_)));
        assert!(matches!(classify("AuthFailure.SignatureFailure"), SmsError::Permanent(_)));
    }
}
