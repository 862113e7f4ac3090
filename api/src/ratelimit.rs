//! Throttles with governor's GCRA keyed limiters: password guessing (per account and client
//! address, and per client address alone), and the e-mails and accounts an anonymous caller can
//! cause (per client address, and per recipient address whoever asks). In-process state: with
//! several server processes each enforces its own quota, which still bounds abuse to a small
//! multiple.
//!
//! The login quota per account is keyed by (account, client address): failures from one address
//! throttle that address's attempts on the account, never the owner signing in from elsewhere.
//! Guessing across many addresses is bounded by the per-address quota and the password rules.

use std::{
    net::IpAddr,
    num::NonZeroU32,
    sync::atomic::{AtomicU64, Ordering},
};

use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock as _, DefaultClock},
};

use crate::{config::Config, error::AppError};

/// The limiters of the authentication and message-sending mutations.
pub struct RateLimits {
    login_account: DefaultKeyedRateLimiter<(String, Option<IpAddr>)>,
    login_address: DefaultKeyedRateLimiter<IpAddr>,
    messages_address: DefaultKeyedRateLimiter<IpAddr>,
    messages_recipient: DefaultKeyedRateLimiter<String>,
    registrations_address: DefaultKeyedRateLimiter<IpAddr>,
    phone_codes_address: DefaultKeyedRateLimiter<IpAddr>,
    checks: AtomicU64,
}

/// Every this many checks the limiters forget keys whose quota is full again, so a caller
/// inventing addresses or recipients cannot grow the server's memory without bound.
const TIDY_EVERY: u64 = 4096;

fn n(v: u32) -> NonZeroU32 {
    NonZeroU32::new(v.max(1)).unwrap_or(NonZeroU32::MIN)
}

impl RateLimits {
    /// The limits configured in `config`.
    pub fn new(config: &Config) -> Self {
        RateLimits {
            login_account: RateLimiter::keyed(Quota::per_minute(n(config.login_per_account_per_minute))),
            login_address: RateLimiter::keyed(Quota::per_minute(n(config.login_per_address_per_minute))),
            messages_address: RateLimiter::keyed(Quota::per_minute(n(config.messages_per_address_per_minute))),
            messages_recipient: RateLimiter::keyed(Quota::per_hour(n(config.messages_per_recipient_per_hour))),
            registrations_address: RateLimiter::keyed(Quota::per_hour(n(config.registrations_per_address_per_hour))),
            phone_codes_address: RateLimiter::keyed(Quota::per_hour(n(config.phone_codes_per_address_per_hour))),
            checks: AtomicU64::new(0),
        }
    }

    fn tick(&self) {
        if self.checks.fetch_add(1, Ordering::Relaxed) % TIDY_EVERY == TIDY_EVERY - 1 {
            self.login_account.retain_recent();
            self.login_address.retain_recent();
            self.messages_address.retain_recent();
            self.messages_recipient.retain_recent();
            self.registrations_address.retain_recent();
            self.phone_codes_address.retain_recent();
        }
    }

    /// Counts a login attempt; `RATE_LIMITED` when the address's quota or this address's quota on
    /// this account is spent.
    pub fn login(&self, email: &str, address: Option<IpAddr>) -> Result<(), AppError> {
        self.tick();
        if let Some(ip) = address {
            check(&self.login_address, &ip)?;
        }
        check(&self.login_account, &(email.to_lowercase(), address))
    }

    /// Counts an e-mail to `recipient` (normalised) caused by a caller at `address`. Call it before
    /// looking up whether the recipient has an account, so an existing and a new address are
    /// throttled alike.
    pub fn message(&self, recipient: &str, address: Option<IpAddr>) -> Result<(), AppError> {
        self.tick();
        if let Some(ip) = address {
            check(&self.messages_address, &ip)?;
        }
        check(&self.messages_recipient, &recipient.to_lowercase())
    }

    /// Counts a self-registration (a new account with its verification e-mail to `recipient`).
    pub fn registration(&self, recipient: &str, address: Option<IpAddr>) -> Result<(), AppError> {
        if let Some(ip) = address {
            check(&self.registrations_address, &ip)?;
        }
        self.message(recipient, address)
    }
}

impl RateLimits {
    /// Counts a sign-in attempt that names no account (a WeChat code) against the address's
    /// login quota.
    pub fn sign_in_attempt(&self, address: Option<IpAddr>) -> Result<(), AppError> {
        self.tick();
        match address {
            Some(ip) => check(&self.login_address, &ip),
            None => Ok(()),
        }
    }

    /// Counts an SMS code requested from `address` (each number's own limits are kept in the
    /// database, shared by every process).
    pub fn phone_code(&self, address: Option<IpAddr>) -> Result<(), AppError> {
        self.tick();
        match address {
            Some(ip) => check(&self.phone_codes_address, &ip),
            None => Ok(()),
        }
    }
}

fn check<K: std::hash::Hash + Eq + Clone>(limiter: &DefaultKeyedRateLimiter<K>, key: &K) -> Result<(), AppError> {
    limiter.check_key(key).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        AppError::RateLimited { retry_after_secs: wait.as_secs().max(1) }
    })
}
