//! Families' sign-in over GraphQL: WeChat mini-program, phone number and SMS code, and the
//! identities an account holds. The mini-program calls `loginWithWechat` with the code of
//! `wx.login`, `bindPhoneFromWechat` with the code of the phone button, and the phone mutations
//! for families outside WeChat.

use async_graphql::{Context, Enum, Object, SimpleObject};

use super::{
    context::{client_addr, state},
    session::AuthPayload,
};
use crate::{
    auth::viewer::require,
    error::AppResult,
    services::{
        identities::{self, Identity, Removable},
        phone_codes::Purpose,
    },
};

/// What a phone code is for.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum PhoneCodePurpose {
    /// `loginWithPhone`.
    Login,
    /// `bindPhone`.
    Bind,
}

/// Kind of a sign-in identity.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum IdentityKind {
    /// E-mail address and password.
    Email,
    /// Mobile number and SMS code.
    Phone,
    /// WeChat mini-program.
    Wechat,
}

/// A way the account signs in, masked (`+86 138****8000`, `ab***@example.org`, `****x9Qk`).
#[derive(SimpleObject)]
pub struct SignInIdentity {
    /// Kind.
    pub kind: IdentityKind,
    /// The identity, masked.
    pub masked: String,
}

impl From<Identity> for SignInIdentity {
    fn from(i: Identity) -> Self {
        match i {
            Identity::Email(m) => SignInIdentity { kind: IdentityKind::Email, masked: m },
            Identity::Phone(m) => SignInIdentity { kind: IdentityKind::Phone, masked: m },
            Identity::WeChat(m) => SignInIdentity { kind: IdentityKind::Wechat, masked: m },
        }
    }
}

/// Sign-in mutations of families.
#[derive(Default)]
pub struct SigninMutation;

#[Object]
impl SigninMutation {
    /// Signs in with the code of `wx.login` (valid five minutes, once), creating the family's
    /// account on the first visit; returns the same tokens as `login`.
    async fn login_with_wechat(&self, ctx: &Context<'_>, code: String) -> AppResult<AuthPayload> {
        Ok(identities::login_with_wechat(state(ctx), &code, client_addr(ctx)).await?.into())
    }

    /// Sends a six-digit code by SMS to a mainland mobile number. Answers `true` the same way
    /// whether or not the number has an account. One code a minute per number, ten a day.
    async fn request_phone_code(&self, ctx: &Context<'_>, phone: String, purpose: PhoneCodePurpose) -> AppResult<bool> {
        let purpose = match purpose {
            PhoneCodePurpose::Login => Purpose::Login,
            PhoneCodePurpose::Bind => Purpose::Bind,
        };
        identities::request_phone_code(state(ctx), &phone, purpose, client_addr(ctx)).await?;
        Ok(true)
    }

    /// Signs in with a number and its `LOGIN` code, creating the family's account on the first
    /// visit; returns the same tokens as `login`.
    async fn login_with_phone(&self, ctx: &Context<'_>, phone: String, code: String) -> AppResult<AuthPayload> {
        Ok(identities::login_with_phone(state(ctx), &phone, &code, client_addr(ctx)).await?.into())
    }

    /// Adds a number proven by its `BIND` code to the signed-in family's account.
    async fn bind_phone(&self, ctx: &Context<'_>, phone: String, code: String) -> AppResult<bool> {
        let v = require(ctx)?;
        identities::bind_phone(state(ctx), &v, &phone, &code, client_addr(ctx)).await?;
        Ok(true)
    }

    /// Adds the number of the mini-program's phone button (the code of `getPhoneNumber`).
    async fn bind_phone_from_wechat(&self, ctx: &Context<'_>, code: String) -> AppResult<bool> {
        let v = require(ctx)?;
        identities::bind_phone_from_wechat(state(ctx), &v, &code).await?;
        Ok(true)
    }

    /// Adds the WeChat identity of a `wx.login` code to the signed-in family's account.
    async fn bind_wechat(&self, ctx: &Context<'_>, code: String) -> AppResult<bool> {
        let v = require(ctx)?;
        identities::bind_wechat(state(ctx), &v, &code).await?;
        Ok(true)
    }

    /// Removes the account's number; refused when it is the last way to sign in.
    async fn unbind_phone(&self, ctx: &Context<'_>) -> AppResult<bool> {
        let v = require(ctx)?;
        identities::unbind(state(ctx), &v, Removable::Phone).await?;
        Ok(true)
    }

    /// Removes the account's WeChat identity; refused when it is the last way to sign in.
    async fn unbind_wechat(&self, ctx: &Context<'_>) -> AppResult<bool> {
        let v = require(ctx)?;
        identities::unbind(state(ctx), &v, Removable::WeChat).await?;
        Ok(true)
    }
}
