//! Accounts and sessions: registration and e-mail verification (`registration`), login, rotating
//! refresh tokens with reuse detection and logout (`sessions`), password reset (`passwords`),
//! staff accounts and disabling (`staff`), and the one-time e-mail links they share
//! (`email_tokens`).
//!
//! This module only declares and re-exports; the pieces import each other by their full path.

pub mod email_tokens;
pub mod passwords;
pub mod registration;
pub mod sessions;
pub mod staff;

pub use self::{
    passwords::{request_password_reset, reset_password, set_password_verified},
    registration::{Name, parse_email, parse_name, register, verify_email},
    sessions::{SessionTokens, authenticate, login, logout, me, refresh},
    staff::{NewStaff, create_admin, create_staff_account, create_staff_account_from, disable_account, list},
};
pub(crate) use self::{
    registration::{NewLogin, insert_unverified},
    sessions::start_session,
};
