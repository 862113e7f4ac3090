//! Throttles for password guessing and reset-mail flooding: per account and per client address,
//! with governor's GCRA keyed limiters. In-process state: with several server processes each
//! enforces its own quota, which still bounds guessing to a small multiple.

use std::{net::IpAddr, num::NonZeroU32};

use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock as _, DefaultClock},
};

use crate::error::AppError;

/// The limiters of the authentication endpoints.
pub struct RateLimits {
    login_account: DefaultKeyedRateLimiter<String>,
    login_address: DefaultKeyedRateLimiter<IpAddr>,
    reset_account: DefaultKeyedRateLimiter<String>,
}

impl RateLimits {
    /// Limits per minute: `per_account` attempts per account, `per_address` per client address.
    pub fn new(per_account: u32, per_address: u32) -> Self {
        let q = |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        RateLimits {
            login_account: RateLimiter::keyed(q(per_account)),
            login_address: RateLimiter::keyed(q(per_address)),
            reset_account: RateLimiter::keyed(q(3)),
        }
    }

    /// Counts a login attempt; `RATE_LIMITED` when either quota is spent.
    pub fn login(&self, email: &str, address: Option<IpAddr>) -> Result<(), AppError> {
        if let Some(ip) = address {
            check(&self.login_address, &ip)?;
        }
        check(&self.login_account, &email.to_lowercase())
    }

    /// Counts a password-reset request (shares the address quota with logins).
    pub fn reset(&self, email: &str, address: Option<IpAddr>) -> Result<(), AppError> {
        if let Some(ip) = address {
            check(&self.login_address, &ip)?;
        }
        check(&self.reset_account, &email.to_lowercase())
    }
}

fn check<K: std::hash::Hash + Eq + Clone>(limiter: &DefaultKeyedRateLimiter<K>, key: &K) -> Result<(), AppError> {
    limiter.check_key(key).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        AppError::RateLimited { retry_after_secs: wait.as_secs().max(1) }
    })
}
