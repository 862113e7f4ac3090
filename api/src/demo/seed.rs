//! The demo accounts of every role, then the demo province (`province`).

use entities::account;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::{
    auth::{Role, Viewer},
    error::AppResult,
    services::accounts::{self, NewStaff},
    state::AppState,
};

use super::password::DEMO_PASSWORD;

/// Creates the demo accounts; returns (role, e-mail) pairs to print.
pub async fn seed(state: &AppState) -> AppResult<Vec<(String, String)>> {
    let admin_email = "admin@demo.tongxin";
    let admin_id = accounts::create_admin(state, admin_email, DEMO_PASSWORD).await?;
    let admin = Viewer {
        account_id: admin_id,
        session_id: uuid::Uuid::nil(),
        role: Role::Admin,
        department_code: None,
        region_code: None,
        organization_id: None,
    };
    let mut out = vec![("admin".to_owned(), admin_email.to_owned())];
    let staff: [(&str, Role, Option<&str>, &str); 5] = [
        ("civil-affairs.nanming@demo.tongxin", Role::CivilAffairs, None, "520102"),
        ("education.nanming@demo.tongxin", Role::DepartmentStaff, Some("education"), "520102"),
        ("civil-affairs.guiyang@demo.tongxin", Role::CivilAffairs, None, "520100"),
        ("director.xinhua@demo.tongxin", Role::ChildDirector, None, "520102016"),
        ("supervisor.nanming@demo.tongxin", Role::ChildSupervisor, None, "520102"),
    ];
    for (email, role, dept, region) in staff {
        ensure_staff(state, &admin, email, role, dept, region).await?;
        out.push((role.as_str().to_owned(), email.to_owned()));
    }
    let guardian = "guardian@demo.tongxin";
    if find(state, guardian).await?.is_none() {
        let (email, name) = (accounts::parse_email(guardian)?, accounts::parse_name("张女士", "displayName")?);
        accounts::register(state, &email, DEMO_PASSWORD, name, None).await?;
    }
    if let Some(g) = find(state, guardian).await? {
        accounts::set_password_verified(state, g.id, DEMO_PASSWORD).await?;
        // A household ready for children and consent, so the family screens can be tried at once.
        if crate::services::families::household_of(&state.db, g.id).await?.is_none() {
            let viewer = Viewer { account_id: g.id, role: Role::Guardian, ..admin.clone() };
            crate::services::families::create_household(state, &viewer).await?;
        }
    }
    out.push(("guardian".to_owned(), guardian.to_owned()));
    if let Some(p) = super::province::populate(state, &admin).await? {
        tracing::info!(children = p.children, requests = p.requests, key_care = p.key_care, bookings = p.bookings, "demo province created");
    }
    out.push(("guardian (one of 130 demo families)".to_owned(), "family000@demo.tongxin".to_owned()));
    out.push(("child director".to_owned(), "director.520102016@demo.tongxin".to_owned()));
    out.push(("education staff".to_owned(), "education.520102@demo.tongxin".to_owned()));
    out.push(("org_staff (verified organization in 南明区)".to_owned(), "org@demo.tongxin".to_owned()));
    Ok(out)
}

async fn find(state: &AppState, email: &str) -> AppResult<Option<account::Model>> {
    Ok(account::Entity::find().filter(account::Column::Email.eq(email)).one(&state.db).await?)
}

async fn ensure_staff(state: &AppState, admin: &Viewer, email: &str, role: Role, dept: Option<&str>, region: &str) -> AppResult<()> {
    let id = match find(state, email).await? {
        Some(a) => a.id,
        None => {
            let new = NewStaff {
                email: email.to_owned(),
                display_name: email.split('@').next().unwrap_or(email).to_owned(),
                role,
                department_code: dept.map(str::to_owned),
                region_code: Some(region.to_owned()),
                organization_id: None,
            };
            accounts::create_staff_account(state, admin, new).await?.id
        }
    };
    accounts::set_password_verified(state, id, DEMO_PASSWORD).await
}
