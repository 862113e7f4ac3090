//! Short-lived access tokens (HS256). Every token names its key in the `kid` header, so a new
//! key can be put first in `JWT_KEYS` while the old one keeps verifying until its tokens expire.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::config::{Config, ConfigError, Environment};

const ISSUER: &str = "tongxin";
const AUDIENCE: &str = "tongxin-api";

/// Claims of an access token.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// Account id.
    pub sub: Uuid,
    /// Login session id; revoking the session kills the token at once.
    pub sid: Uuid,
    /// Expiry (seconds since epoch).
    pub exp: i64,
    /// Issue time.
    pub iat: i64,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
}

/// The signing key and every key still accepted for verification.
#[derive(Clone)]
pub struct JwtKeys {
    active_kid: String,
    encoding: EncodingKey,
    decoding: HashMap<String, DecodingKey>,
    ttl_secs: i64,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtKeys").field("active_kid", &self.active_kid).finish_non_exhaustive()
    }
}

impl JwtKeys {
    /// Reads `JWT_KEYS`; outside production an empty value is read from `KEYS_DIR` (generated
    /// there once), so sessions survive a restart.
    pub fn from_config(config: &Config) -> Result<Self, ConfigError> {
        let mut raw = config.jwt_keys.expose_secret().trim().to_owned();
        if raw.is_empty() {
            if config.environment == Environment::Production {
                return Err(ConfigError("JWT_KEYS must be set".into()));
            }
            raw = crate::key_files::load_or_create(&config.keys_dir, "jwt", || format!("dev:{}", crate::key_files::random_hex32()))?;
        }
        let pairs: Vec<(String, Vec<u8>)> = raw
            .split(',')
            .map(|p| {
                let (kid, secret) = p.split_once(':').ok_or_else(|| ConfigError("JWT_KEYS entries must look like kid:secret".into()))?;
                if secret.len() < 32 {
                    return Err(ConfigError(format!("JWT_KEYS key `{kid}` is shorter than 32 bytes")));
                }
                Ok((kid.trim().to_owned(), secret.as_bytes().to_vec()))
            })
            .collect::<Result<_, _>>()?;
        Self::new(&pairs, config.jwt_access_ttl_secs as i64)
    }

    /// Builds the key set; the first pair signs.
    pub fn new(pairs: &[(String, Vec<u8>)], ttl_secs: i64) -> Result<Self, ConfigError> {
        let (active_kid, first) = pairs.first().ok_or_else(|| ConfigError("JWT_KEYS is empty".into()))?;
        let encoding = EncodingKey::from_secret(first).map_err(|e| ConfigError(format!("JWT key: {e}")))?;
        let mut decoding = HashMap::new();
        for (kid, secret) in pairs {
            decoding.insert(kid.clone(), DecodingKey::from_secret(secret).map_err(|e| ConfigError(format!("JWT key: {e}")))?);
        }
        Ok(JwtKeys { active_kid: active_kid.clone(), encoding, decoding, ttl_secs })
    }

    /// Issues an access token for a login session; returns it with its expiry.
    pub fn issue(&self, account: Uuid, session: Uuid, now: DateTime<Utc>) -> Result<(String, DateTime<Utc>), jsonwebtoken::errors::Error> {
        let exp = now + chrono::Duration::seconds(self.ttl_secs);
        let claims =
            Claims { sub: account, sid: session, iat: now.timestamp(), exp: exp.timestamp(), iss: ISSUER.into(), aud: AUDIENCE.into() };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.active_kid.clone());
        Ok((jsonwebtoken::encode(&header, &claims, &self.encoding)?, exp))
    }

    /// Verifies signature (by `kid`), issuer and audience, and expiry against `now` (the server's
    /// clock, so expiry is testable). No leeway: a token is dead the second it expires.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Option<Claims> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        let key = self.decoding.get(header.kid.as_deref()?)?;
        let mut v = Validation::new(Algorithm::HS256);
        v.leeway = 0;
        v.validate_exp = false;
        v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        v.set_issuer(&[ISSUER]);
        v.set_audience(&[AUDIENCE]);
        let claims = jsonwebtoken::decode::<Claims>(token, key, &v).ok()?.claims;
        (claims.exp > now.timestamp()).then_some(claims)
    }
}
