//! Staff accounts: created by an admin with an invitation link, disabled, listed; and the CLI
//! bootstrap of the first admin.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use entities::account;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, TransactionTrait, sea_query::Expr};
use uuid::Uuid;

use super::{
    email_tokens::{PURPOSE_RESET, STAFF_INVITE_TTL, issue_email_token},
    registration::{parse_email, parse_name},
    sessions::revoke_sessions,
};
use crate::{
    auth::{
        Role, Viewer, password,
        sessions::{Revoked, SessionCache},
    },
    constraints, db,
    error::{AppError, AppResult},
    mail::{outbox, templates},
    services::{audit, reference},
    state::AppState,
};

/// Input of `create_staff_account`.
#[derive(Debug, Clone)]
pub struct NewStaff {
    /// Login e-mail.
    pub email: String,
    /// Name.
    pub display_name: String,
    /// A staff role (not guardian).
    pub role: Role,
    /// Department (department staff; civil-affairs roles get `civil_affairs`).
    pub department_code: Option<String>,
    /// Region scope.
    pub region_code: Option<String>,
    /// Organization (organization staff).
    pub organization_id: Option<Uuid>,
}

/// Creates a staff account (admin only) and e-mails a link to set the password, with no client
/// address (CLI, demo data): only the per-recipient e-mail quota applies.
pub async fn create_staff_account(state: &AppState, actor: &Viewer, input: NewStaff) -> AppResult<account::Model> {
    create_staff_account_from(state, actor, input, None).await
}

/// Creates a staff account for an admin calling from `address`; the invitation e-mail counts
/// against that address's and the recipient's e-mail quotas.
pub async fn create_staff_account_from(
    state: &AppState,
    actor: &Viewer,
    input: NewStaff,
    address: Option<IpAddr>,
) -> AppResult<account::Model> {
    if actor.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    let email = parse_email(&input.email)?.into_string();
    let display_name = parse_name(&input.display_name, "displayName")?.into_string();
    let department = match input.role {
        Role::Guardian => {
            return Err(AppError::validation("role", "工作人员账户不能是监护人角色", "a staff account cannot have the guardian role"));
        }
        Role::CivilAffairs | Role::ChildDirector | Role::ChildSupervisor => Some("civil_affairs".to_owned()),
        Role::DepartmentStaff => Some(
            input
                .department_code
                .clone()
                .ok_or_else(|| AppError::validation("departmentCode", "部门工作人员必须指定部门", "department staff need a department"))?,
        ),
        Role::OrgStaff | Role::Admin => None,
    };
    if let Some(d) = &department {
        reference::department_exists(&state.db, d, "departmentCode").await?;
    }
    let region = match (input.role, &input.region_code) {
        (Role::OrgStaff | Role::Admin, None) => None,
        (_, None) => return Err(AppError::validation("regionCode", "工作人员必须指定辖区", "staff need a region scope")),
        (_, Some(code)) => {
            let r = reference::region_exists(&state.db, code, "regionCode").await?;
            let fits = match input.role {
                Role::ChildDirector | Role::ChildSupervisor => matches!(r.level.as_str(), "township" | "county"),
                _ => r.level != "township",
            };
            if !fits || !r.code.starts_with("52") {
                return Err(AppError::validation(
                    "regionCode",
                    "辖区级别与角色不符或不在贵州省",
                    "region level does not fit the role or is outside Guizhou",
                ));
            }
            Some(r.code)
        }
    };
    if input.role == Role::OrgStaff && input.organization_id.is_none() {
        return Err(AppError::validation("organizationId", "社会组织工作人员必须指定所属组织", "organization staff need an organization"));
    }
    state.limits.message(&email, address)?;
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let id = Uuid::now_v7();
    let model = account::Model {
        id,
        email: Some(email.clone()),
        password_hash: None,
        display_name,
        role: input.role.as_str().into(),
        department_code: department,
        region_code: region,
        organization_id: input.organization_id,
        email_verified_at: None,
        disabled_at: None,
        created_at: now,
    };
    let am: account::ActiveModel = model.clone().into();
    if let Err(e) = account::Entity::insert(am).exec_without_returning(&txn).await {
        return Err(if constraints::ACCOUNT_EMAIL.broken_by(&e) {
            AppError::conflict("该邮箱已有账户", "an account with this e-mail already exists")
        } else {
            e.into()
        });
    }
    let token = issue_email_token(&txn, id, PURPOSE_RESET, now + STAFF_INVITE_TTL, now).await?;
    outbox::enqueue(&txn, &email, templates::staff_invitation(&state.config.public_url, &token, input.role.as_str()), now).await?;
    audit::record(
        &txn,
        Some(actor.account_id),
        "account.staff_created",
        "account",
        &id.to_string(),
        Some(serde_json::json!({"role": input.role.as_str()})),
        now,
    )
    .await?;
    txn.commit().await?;
    state.mail_wake.notify_one();
    Ok(model)
}

/// Disables an account and ends all its sessions at once (admin only; not oneself).
pub async fn disable_account(state: &AppState, actor: &Viewer, id: Uuid) -> AppResult<account::Model> {
    if actor.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    if actor.account_id == id {
        return Err(AppError::validation("id", "不能停用自己的账户", "you cannot disable your own account"));
    }
    let now = state.clock.now();
    let actor_id = actor.account_id;
    let disabled = state
        .db
        .transaction::<_, account::Model, AppError>(move |txn| {
            Box::pin(async move {
                let a = account::Entity::find_by_id(id).one(txn).await?.ok_or(AppError::NotFound)?;
                account::Entity::update_many()
                    .col_expr(account::Column::DisabledAt, Expr::value(Some(a.disabled_at.unwrap_or(now))))
                    .filter(account::Column::Id.eq(id))
                    .exec(txn)
                    .await?;
                revoke_sessions(txn, Revoked::Account(id), "account_disabled", now).await?;
                audit::record(txn, Some(actor_id), "account.disabled", "account", &id.to_string(), None, now).await?;
                Ok(account::Model { disabled_at: Some(a.disabled_at.unwrap_or(now)), ..a })
            })
        })
        .await?;
    state.sessions.forget(Revoked::Account(id));
    Ok(disabled)
}

/// Creates (or promotes) an admin with a password — the CLI bootstrap for the first admin.
pub async fn create_admin(state: &AppState, email: &str, password_raw: &str) -> AppResult<Uuid> {
    let email = parse_email(email)?.into_string();
    password::check_strength(password_raw, &email)?;
    let hash = password::hash(password_raw.to_owned()).await?;
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let existing = account::Entity::find().filter(account::Column::Email.eq(&email)).one(&txn).await?;
    let promoted = existing.is_some();
    let id = match existing {
        Some(a) => {
            account::Entity::update_many()
                .col_expr(account::Column::Role, Expr::value(Role::Admin.as_str()))
                .col_expr(account::Column::PasswordHash, Expr::value(Some(hash)))
                .col_expr(account::Column::EmailVerifiedAt, Expr::value(Some(now)))
                .col_expr(account::Column::DisabledAt, Expr::value(Option::<DateTime<Utc>>::None))
                .filter(account::Column::Id.eq(a.id))
                .exec(&txn)
                .await?;
            // The role changes under live sessions.
            SessionCache::announce(&txn, Revoked::Account(a.id)).await?;
            a.id
        }
        None => {
            let id = Uuid::now_v7();
            account::Entity::insert(account::ActiveModel {
                id: Set(id),
                email: Set(Some(email.clone())),
                password_hash: Set(Some(hash)),
                display_name: Set("Administrator".into()),
                role: Set(Role::Admin.as_str().into()),
                department_code: Set(None),
                region_code: Set(None),
                organization_id: Set(None),
                email_verified_at: Set(Some(now)),
                disabled_at: Set(None),
                created_at: Set(now),
            })
            .exec_without_returning(&txn)
            .await?;
            id
        }
    };
    audit::record(&txn, None, "account.admin_created", "account", &id.to_string(), None, now).await?;
    txn.commit().await?;
    if promoted {
        state.sessions.forget(Revoked::Account(id));
    }
    Ok(id)
}

/// A page of accounts (admin only), optionally of one role, in creation order after `after`.
pub async fn list(
    state: &AppState,
    actor: &Viewer,
    role: Option<Role>,
    after: Option<Uuid>,
    limit: usize,
) -> AppResult<Vec<account::Model>> {
    use sea_orm::{QueryOrder, QuerySelect};
    if actor.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    let mut q = account::Entity::find().order_by_asc(account::Column::Id).limit(limit as u64);
    if let Some(r) = role {
        q = q.filter(account::Column::Role.eq(r.as_str()));
    }
    if let Some(a) = after {
        q = q.filter(account::Column::Id.gt(a));
    }
    Ok(q.all(&state.db).await?)
}
