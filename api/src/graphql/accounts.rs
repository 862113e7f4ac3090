//! Accounts and sessions over GraphQL.

use async_graphql::{
    Context, ID, InputObject, Object, SimpleObject,
    connection::{Connection, CursorType, Edge},
};
use domain::input::Email;

use super::{
    context::{client_addr, lang, state},
    notifications::NotificationChannel,
    pagination,
    reference::Department,
    scalars::parse_id,
    session::AuthPayload,
    signin::SignInIdentity,
};
use crate::{
    auth::{
        Role,
        viewer::{require, require_role},
    },
    error::{AppResult, Lang, OnField},
    services::accounts::{self, Name, NewStaff},
};

/// An account as its owner or an admin sees it.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Account {
    /// Account id.
    pub id: ID,
    /// Login e-mail; families who sign in with WeChat or a phone number may have none.
    pub email: Option<String>,
    /// Name.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Department scope (staff).
    pub department: Option<Department>,
    /// Region scope code (staff).
    pub region_code: Option<String>,
    /// Organization (organization staff).
    pub organization_id: Option<ID>,
    /// Whether the e-mail address is confirmed.
    pub email_verified: bool,
    /// Whether an admin disabled the account.
    pub disabled: bool,
}

#[async_graphql::ComplexObject]
impl Account {
    /// The ways this account signs in, masked; only its owner sees them.
    async fn identities(&self, ctx: &Context<'_>) -> AppResult<Vec<SignInIdentity>> {
        let v = require(ctx)?;
        if v.account_id.to_string() != self.id.0 {
            return Err(crate::error::AppError::Forbidden);
        }
        let me = accounts::me(state(ctx), &v).await?;
        Ok(crate::services::identities::list(state(ctx), &me).await?.into_iter().map(Into::into).collect())
    }

    /// The order in which this account hears from Tongxin (WeChat, SMS, e-mail until the family
    /// chooses with `setNotificationPreferences`); only its owner sees it.
    async fn notification_order(&self, ctx: &Context<'_>) -> AppResult<Vec<NotificationChannel>> {
        let v = require(ctx)?;
        if v.account_id.to_string() != self.id.0 {
            return Err(crate::error::AppError::Forbidden);
        }
        Ok(crate::notify::preferences::order(&state(ctx).db, v.account_id).await?.into_iter().map(Into::into).collect())
    }
}

impl Account {
    fn from_model(m: entities::account::Model, lang: Lang) -> Self {
        Account {
            id: ID(m.id.to_string()),
            email: m.email,
            display_name: m.display_name,
            role: Role::parse(&m.role).unwrap_or(Role::Guardian),
            department: m.department_code.as_deref().and_then(|c| Department::by_code(c, lang)),
            region_code: m.region_code,
            organization_id: m.organization_id.map(|o| ID(o.to_string())),
            email_verified: m.email_verified_at.is_some(),
            disabled: m.disabled_at.is_some(),
        }
    }
}

/// Guardian self-registration.
#[derive(InputObject)]
pub struct RegisterInput {
    /// Login e-mail; a verification link is sent to it.
    pub email: String,
    /// At least 10 characters with letters and digits.
    pub password: String,
    /// Name shown to staff.
    pub display_name: String,
}

/// A staff account created by an admin.
#[derive(InputObject)]
pub struct StaffAccountInput {
    /// Login e-mail; a link to set the password is sent to it.
    pub email: String,
    /// Name.
    pub display_name: String,
    /// Any role but guardian.
    pub role: Role,
    /// Department code (department staff).
    pub department_code: Option<String>,
    /// Region scope code (all staff but organization staff and admins).
    pub region_code: Option<String>,
    /// Organization id (organization staff).
    pub organization_id: Option<ID>,
}

/// Account queries.
#[derive(Default)]
pub struct AccountsQuery;

#[Object]
impl AccountsQuery {
    /// The signed-in account.
    async fn me(&self, ctx: &Context<'_>) -> AppResult<Account> {
        let v = require(ctx)?;
        Ok(Account::from_model(accounts::me(state(ctx), &v).await?, lang(ctx)))
    }

    /// Accounts in creation order (admin only); `first` is clamped to 100.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn accounts(
        &self,
        ctx: &Context<'_>,
        role: Option<Role>,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<Connection<String, Account>> {
        let v = require_role(ctx, &[Role::Admin])?;
        let limit = pagination::clamp(first)?;
        let after = pagination::after_uuid(after.as_deref())?;
        let mut rows = accounts::list(state(ctx), &v, role, after, limit + 1).await?;
        let has_next = rows.len() > limit;
        rows.truncate(limit);
        let mut conn = Connection::new(after.is_some(), has_next);
        let l = lang(ctx);
        conn.edges.extend(rows.into_iter().map(|m| {
            let cursor = pagination::Cursor::of_uuid(m.id).encode_cursor();
            Edge::new(cursor, Account::from_model(m, l))
        }));
        Ok(conn)
    }
}

/// Account mutations.
#[derive(Default)]
pub struct AccountsMutation;

#[Object]
impl AccountsMutation {
    /// Registers a guardian and e-mails a verification link. Answers `true` even when the address
    /// is taken (its owner is told by e-mail), so accounts cannot be discovered.
    async fn register(&self, ctx: &Context<'_>, input: RegisterInput) -> AppResult<bool> {
        let addr = client_addr(ctx);
        let email = Email::parse(&input.email).on("email")?;
        let name = Name::parse(&input.display_name).on("displayName")?;
        accounts::register(state(ctx), &email, &input.password, name, addr).await?;
        Ok(true)
    }

    /// Confirms the e-mail address with the token from the verification e-mail.
    async fn verify_email(&self, ctx: &Context<'_>, token: String) -> AppResult<bool> {
        accounts::verify_email(state(ctx), &token).await?;
        Ok(true)
    }

    /// Signs in with e-mail and password.
    async fn login(&self, ctx: &Context<'_>, email: String, password: String) -> AppResult<AuthPayload> {
        let addr = client_addr(ctx);
        Ok(accounts::login(state(ctx), &email, &password, addr).await?.into())
    }

    /// Exchanges a refresh token for new tokens. Each refresh token works once; presenting a used
    /// one ends the whole login.
    async fn refresh_session(&self, ctx: &Context<'_>, refresh_token: String) -> AppResult<AuthPayload> {
        Ok(accounts::refresh(state(ctx), &refresh_token).await?.into())
    }

    /// Ends the current login on every token it issued.
    async fn logout(&self, ctx: &Context<'_>) -> AppResult<bool> {
        let v = require(ctx)?;
        accounts::logout(state(ctx), &v).await?;
        Ok(true)
    }

    /// E-mails a password-reset link if the address has an account; always answers `true`.
    async fn request_password_reset(&self, ctx: &Context<'_>, email: String) -> AppResult<bool> {
        let addr = client_addr(ctx);
        let email = Email::parse(&email).on("email")?;
        accounts::request_password_reset(state(ctx), &email, addr).await?;
        Ok(true)
    }

    /// Sets a new password with a reset token and signs out every session of the account.
    async fn reset_password(&self, ctx: &Context<'_>, token: String, new_password: String) -> AppResult<bool> {
        accounts::reset_password(state(ctx), &token, &new_password).await?;
        Ok(true)
    }

    /// Creates a staff account (admin only); the new staff member sets a password from an e-mail.
    async fn create_staff_account(&self, ctx: &Context<'_>, input: StaffAccountInput) -> AppResult<Account> {
        let v = require_role(ctx, &[Role::Admin])?;
        let organization_id = input.organization_id.as_ref().map(parse_id).transpose()?;
        let new = NewStaff {
            email: input.email,
            display_name: input.display_name,
            role: input.role,
            department_code: input.department_code,
            region_code: input.region_code,
            organization_id,
        };
        let addr = client_addr(ctx);
        Ok(Account::from_model(accounts::create_staff_account_from(state(ctx), &v, new, addr).await?, lang(ctx)))
    }

    /// Disables an account (admin only); its sessions end at once.
    async fn disable_account(&self, ctx: &Context<'_>, id: ID) -> AppResult<Account> {
        let v = require_role(ctx, &[Role::Admin])?;
        let id = parse_id(&id)?;
        Ok(Account::from_model(accounts::disable_account(state(ctx), &v, id).await?, lang(ctx)))
    }
}
