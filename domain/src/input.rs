//! Values typed by people at the API's boundary, parsed once into types: an e-mail address and a
//! client's idempotency key here; bounded texts in [`crate::text`], credit codes in
//! [`crate::credit_code`], county codes in [`crate::regions`]. A value of one of these types has
//! passed its rule, so the use cases take the type and never check again.
//!
//! Why the refusal's words live here: the same rule answered with two wordings is a bug a client
//! sees; the server only adds the name of the field the value came in.

use std::{borrow::Cow, fmt, str::FromStr};

/// Why a typed value was refused, in Chinese and English (the field is the caller's).
pub trait Refusal {
    /// The refusal in Chinese.
    fn zh(&self) -> Cow<'static, str>;
    /// The refusal in English.
    fn en(&self) -> Cow<'static, str>;
}

/// A normalised (trimmed, lower-case), syntactically valid e-mail address of at most 254 bytes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Email(String);

/// The address is malformed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("malformed e-mail address")]
pub struct BadEmail;

impl Refusal for BadEmail {
    fn zh(&self) -> Cow<'static, str> {
        "邮箱格式不正确".into()
    }
    fn en(&self) -> Cow<'static, str> {
        "malformed e-mail address".into()
    }
}

impl Email {
    /// Trims, lower-cases and checks the address (RFC 5321 syntax as `lettre` reads it).
    pub fn parse(raw: &str) -> Result<Email, BadEmail> {
        let address = raw.trim().to_lowercase();
        if address.len() > 254 || lettre::Address::from_str(&address).is_err() {
            return Err(BadEmail);
        }
        Ok(Email(address))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A client's retry key (`submitRequest`, `bookSession`): trimmed, 1 to 128 bytes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

/// The key is empty or longer than 128 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("an idempotency key has 1 to 128 characters")]
pub struct BadIdempotencyKey;

impl Refusal for BadIdempotencyKey {
    fn zh(&self) -> Cow<'static, str> {
        "请提供 1–128 个字符的幂等键".into()
    }
    fn en(&self) -> Cow<'static, str> {
        "give an idempotency key of 1 to 128 characters".into()
    }
}

impl IdempotencyKey {
    /// The longest key, in bytes.
    pub const MAX: usize = 128;

    /// Trims and checks the key.
    pub fn parse(raw: &str) -> Result<IdempotencyKey, BadIdempotencyKey> {
        let key = raw.trim();
        if key.is_empty() || key.len() > Self::MAX {
            return Err(BadIdempotencyKey);
        }
        Ok(IdempotencyKey(key.to_owned()))
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_trimmed_lower_cased_and_checked() {
        assert_eq!(Email::parse("  Parent@Example.ORG ").map(Email::into_string), Ok("parent@example.org".to_owned()));
        for bad in ["", "parent", "parent@", "@example.org", "a b@example.org", "parent@exa mple.org"] {
            assert_eq!(Email::parse(bad), Err(BadEmail), "{bad:?}");
        }
        let long = format!("{}@example.org", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(BadEmail), "over 254 bytes");
        assert_eq!(BadEmail.zh(), "邮箱格式不正确");
    }

    #[test]
    fn a_key_is_trimmed_and_has_1_to_128_bytes() {
        assert_eq!(IdempotencyKey::parse(" k-1 ").map(|k| k.as_str().to_owned()), Ok("k-1".to_owned()));
        assert_eq!(IdempotencyKey::parse("   "), Err(BadIdempotencyKey));
        assert!(IdempotencyKey::parse(&"k".repeat(128)).is_ok());
        assert_eq!(IdempotencyKey::parse(&"k".repeat(129)), Err(BadIdempotencyKey));
        // Bytes, not characters: 43 three-byte characters are 129 bytes.
        assert_eq!(IdempotencyKey::parse(&"键".repeat(43)), Err(BadIdempotencyKey));
        assert_eq!(BadIdempotencyKey.en(), "give an idempotency key of 1 to 128 characters");
    }
}
