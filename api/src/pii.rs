//! Protection of identity numbers at rest: AES-256-GCM encryption with rotating keys, a keyed
//! hash for duplicate detection, and masking for responses.
//!
//! Why a key id next to each ciphertext: `PII_KEYS` lists `kid:64hex` pairs; the first encrypts,
//! all decrypt, so a new key can be put first and old rows re-encrypted at leisure. Why a keyed
//! hash (HMAC-SHA256 with `PII_HASH_KEY`) and not a plain hash: ID numbers have little entropy
//! (region, birth date, 3 digits, check), so a plain SHA-256 could be reversed by enumeration.
//! Each ciphertext is bound (AES-GCM associated data) to its column and row, so a ciphertext copied
//! into another row or column fails to decrypt instead of showing the wrong child's number.

use std::{
    collections::{HashMap, HashSet},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

use aes_gcm::{
    Aes256Gcm, Key, Nonce,
    aead::{Aead, KeyInit, Payload},
};
use base64::Engine;
use hmac::{Hmac, Mac};
use secrecy::ExposeSecret;
use sha2::Sha256;
use uuid::Uuid;

use crate::{
    config::{Config, ConfigError, Environment},
    error::{AppError, AppResult},
    key_files,
};

/// Encryption keys and the duplicate-detection key.
#[derive(Clone)]
pub struct Pii {
    active_kid: String,
    ciphers: HashMap<String, Aes256Gcm>,
    /// HMAC keyed with `PII_HASH_KEY`, cloned per use.
    hasher: Hmac<Sha256>,
    /// Values shown as unreadable since start, for metrics.
    unreadable: Arc<AtomicU64>,
    /// Key ids whose unreadable values were already logged (once each, not once per row).
    logged: Arc<Mutex<HashSet<String>>>,
}

impl std::fmt::Debug for Pii {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pii").field("active_kid", &self.active_kid).finish_non_exhaustive()
    }
}

/// A sealed value: which key, and base64 of nonce followed by ciphertext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// Key id.
    pub kid: String,
    /// Base64 (standard) of the 12-byte nonce and the ciphertext with tag.
    pub ciphertext: String,
}

impl Pii {
    /// Reads `PII_KEYS` and `PII_HASH_KEY`; outside production an empty value is read from
    /// `KEYS_DIR` (generated there once), so stored numbers stay readable after a restart.
    pub fn from_config(config: &Config) -> Result<Self, ConfigError> {
        let dev = config.environment != Environment::Production;
        let mut raw = config.pii_keys.expose_secret().trim().to_owned();
        if raw.is_empty() {
            if !dev {
                return Err(ConfigError("PII_KEYS must be set".into()));
            }
            raw = key_files::load_or_create(&config.keys_dir, "pii", || format!("dev:{}", key_files::random_hex32()))?;
        }
        let keys: Vec<(String, [u8; 32])> = raw
            .split(',')
            .map(|p| {
                let (kid, hex_key) = p.split_once(':').ok_or_else(|| ConfigError("PII_KEYS entries must look like kid:64hex".into()))?;
                let bytes = hex::decode(hex_key.trim()).ok().and_then(|b| <[u8; 32]>::try_from(b).ok());
                let bytes = bytes.ok_or_else(|| ConfigError(format!("PII_KEYS key `{}` must be 64 hex digits", kid.trim())))?;
                Ok((kid.trim().to_owned(), bytes))
            })
            .collect::<Result<_, _>>()?;
        let mut hash_raw = config.pii_hash_key.expose_secret().trim().to_owned();
        if hash_raw.is_empty() {
            if !dev {
                return Err(ConfigError("PII_HASH_KEY must be set".into()));
            }
            hash_raw = key_files::load_or_create(&config.keys_dir, "pii_hash", key_files::random_hex32)?;
        }
        if hash_raw.len() < 32 {
            return Err(ConfigError("PII_HASH_KEY must have at least 32 characters".into()));
        }
        Self::new(&keys, hash_raw.into_bytes())
    }

    /// Builds the key set; the first key encrypts.
    pub fn new(keys: &[(String, [u8; 32])], hash_key: Vec<u8>) -> Result<Self, ConfigError> {
        let (active_kid, _) = keys.first().ok_or_else(|| ConfigError("PII_KEYS is empty".into()))?;
        let ciphers = keys.iter().map(|(kid, k)| (kid.clone(), Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(k)))).collect();
        let hasher = <Hmac<Sha256> as Mac>::new_from_slice(&hash_key).map_err(|e| ConfigError(format!("PII_HASH_KEY: {e}")))?;
        Ok(Pii { active_kid: active_kid.clone(), ciphers, hasher, unreadable: Arc::default(), logged: Arc::default() })
    }

    /// The key id that encrypts.
    pub fn active_kid(&self) -> &str {
        &self.active_kid
    }

    /// Whether `kid` is among the configured keys.
    pub fn has_kid(&self, kid: &str) -> bool {
        self.ciphers.contains_key(kid)
    }

    /// Records that a stored value under `kid` could not be decrypted and is shown as unreadable:
    /// counted every time, logged once per key id (with neither the row nor the value).
    pub fn note_unreadable(&self, kid: &str) {
        self.unreadable.fetch_add(1, Ordering::Relaxed);
        let first = self.logged.lock().map(|mut l| l.insert(kid.to_owned())).unwrap_or(false);
        if first {
            tracing::error!(kid, "stored PII cannot be decrypted with its key: shown as unreadable (logged once per key)");
        }
    }

    /// How many values were shown as unreadable since start.
    pub fn unreadable_count(&self) -> u64 {
        self.unreadable.load(Ordering::Relaxed)
    }

    fn aad(column: &str, row: Uuid) -> String {
        format!("{column}:{row}")
    }

    /// Encrypts `plain` for `column` of row `row` with the active key and a random nonce.
    pub fn seal(&self, column: &str, row: Uuid, plain: &str) -> AppResult<Sealed> {
        let cipher = self.ciphers.get(&self.active_kid).ok_or_else(|| AppError::internal("active PII key missing"))?;
        let nonce: [u8; 12] = rand::random();
        let aad = Self::aad(column, row);
        let ct = cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain.as_bytes(), aad: aad.as_bytes() })
            .map_err(|_| AppError::internal("PII encryption failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        Ok(Sealed { kid: self.active_kid.clone(), ciphertext: base64::engine::general_purpose::STANDARD.encode(out) })
    }

    /// Decrypts a value sealed by [`Pii::seal`] for the same column and row.
    pub fn open(&self, column: &str, row: Uuid, kid: &str, ciphertext: &str) -> AppResult<String> {
        let fail = || AppError::internal(format!("PII decryption failed (key `{kid}`, row {row})"));
        let cipher = self.ciphers.get(kid).ok_or_else(fail)?;
        let bytes = base64::engine::general_purpose::STANDARD.decode(ciphertext).map_err(|_| fail())?;
        if bytes.len() < 12 {
            return Err(fail());
        }
        let (nonce, ct) = bytes.split_at(12);
        let aad = Self::aad(column, row);
        let plain = cipher.decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad: aad.as_bytes() }).map_err(|_| fail())?;
        String::from_utf8(plain).map_err(|_| fail())
    }

    /// Encrypts bytes (a document) with the active key, bound to `context` (the blob's id):
    /// returns the key id and nonce followed by ciphertext.
    pub fn seal_bytes(&self, context: &str, plain: &[u8]) -> AppResult<(String, Vec<u8>)> {
        let cipher = self.ciphers.get(&self.active_kid).ok_or_else(|| AppError::internal("active PII key missing"))?;
        let nonce: [u8; 12] = rand::random();
        let ct = cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain, aad: context.as_bytes() })
            .map_err(|_| AppError::internal("document encryption failed"))?;
        let mut out = Vec::with_capacity(12 + ct.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok((self.active_kid.clone(), out))
    }

    /// Decrypts what [`Pii::seal_bytes`] sealed for the same `context`.
    pub fn open_bytes(&self, context: &str, kid: &str, sealed: &[u8]) -> AppResult<Vec<u8>> {
        let fail = || AppError::internal(format!("document decryption failed (key `{kid}`)"));
        let cipher = self.ciphers.get(kid).ok_or_else(fail)?;
        if sealed.len() < 12 {
            return Err(fail());
        }
        let (nonce, ct) = sealed.split_at(12);
        cipher.decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad: context.as_bytes() }).map_err(|_| fail())
    }

    /// Hex HMAC-SHA256 of `bytes` under the hash key (duplicate files without revealing them).
    pub fn keyed_hash_bytes(&self, bytes: &[u8]) -> String {
        let mut mac = self.hasher.clone();
        mac.update(bytes);
        hex::encode(mac.finalize().into_bytes())
    }

    /// Hex HMAC-SHA256 of `value` under the hash key: equal numbers give equal hashes.
    pub fn keyed_hash(&self, value: &str) -> String {
        let mut mac = self.hasher.clone();
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pii(keys: &[(&str, u8)]) -> Pii {
        let keys: Vec<(String, [u8; 32])> = keys.iter().map(|(k, b)| ((*k).to_owned(), [*b; 32])).collect();
        Pii::new(&keys, b"hash-key-hash-key-hash-key-hash-key".to_vec()).expect("keys")
    }

    #[test]
    fn sealed_values_open_only_for_their_row_and_column() {
        let p = pii(&[("k1", 1)]);
        let row = Uuid::now_v7();
        let s = p.seal("id_number", row, "52010220190310123X").expect("seal");
        assert_eq!(s.kid, "k1");
        assert!(!s.ciphertext.contains("5201"));
        assert_eq!(p.open("id_number", row, &s.kid, &s.ciphertext).expect("open"), "52010220190310123X");
        assert!(p.open("permit_number", row, &s.kid, &s.ciphertext).is_err());
        assert!(p.open("id_number", Uuid::now_v7(), &s.kid, &s.ciphertext).is_err());
    }

    #[test]
    fn a_rotated_key_still_opens_old_values() {
        let old = pii(&[("k1", 1)]);
        let row = Uuid::now_v7();
        let s = old.seal("id_number", row, "x").expect("seal");
        let rotated = pii(&[("k2", 2), ("k1", 1)]);
        assert_eq!(rotated.seal("id_number", row, "x").expect("seal").kid, "k2");
        assert_eq!(rotated.open("id_number", row, "k1", &s.ciphertext).expect("open"), "x");
    }

    #[test]
    fn keyed_hashes_are_stable_and_depend_on_the_key() {
        let p = pii(&[("k1", 1)]);
        assert_eq!(p.keyed_hash("a"), p.keyed_hash("a"));
        assert_ne!(p.keyed_hash("a"), p.keyed_hash("b"));
        let other = Pii::new(&[("k1".into(), [1; 32])], b"another-key-another-key-another-key".to_vec()).expect("keys");
        assert_ne!(p.keyed_hash("a"), other.keyed_hash("a"));
    }
}
