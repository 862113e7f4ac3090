//! Who is asking. Resolvers read the `Auth` attached to each request and call `require*` first,
//! so no resolver can forget to check the caller.

use async_graphql::Context;
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// Roles of DOMAIN.md §1. Stored as snake_case strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, async_graphql::Enum, serde::Serialize, serde::Deserialize)]
pub enum Role {
    /// Parent or other guardian.
    Guardian,
    /// Staff of a social organization.
    OrgStaff,
    /// Staff of a department, scoped to a department and a region.
    DepartmentStaff,
    /// 儿童主任 (village/community).
    ChildDirector,
    /// 儿童督导员 (township).
    ChildSupervisor,
    /// Civil-affairs staff (民政), the lead department.
    CivilAffairs,
    /// Platform operator.
    Admin,
}

impl Role {
    /// Storage form.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Guardian => "guardian",
            Role::OrgStaff => "org_staff",
            Role::DepartmentStaff => "department_staff",
            Role::ChildDirector => "child_director",
            Role::ChildSupervisor => "child_supervisor",
            Role::CivilAffairs => "civil_affairs",
            Role::Admin => "admin",
        }
    }

    /// Parses the storage form.
    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "guardian" => Role::Guardian,
            "org_staff" => Role::OrgStaff,
            "department_staff" => Role::DepartmentStaff,
            "child_director" => Role::ChildDirector,
            "child_supervisor" => Role::ChildSupervisor,
            "civil_affairs" => Role::CivilAffairs,
            "admin" => Role::Admin,
            _ => return None,
        })
    }

    /// Roles that work for a public body and are scoped to a region.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::DepartmentStaff | Role::ChildDirector | Role::ChildSupervisor | Role::CivilAffairs)
    }
}

/// A signed-in, active account.
#[derive(Clone, Debug)]
pub struct Viewer {
    /// Account id.
    pub account_id: Uuid,
    /// Login session of the presented token.
    pub session_id: Uuid,
    /// Role.
    pub role: Role,
    /// Department of department staff (civil-affairs roles: `civil_affairs`).
    pub department_code: Option<String>,
    /// Region scope of staff.
    pub region_code: Option<String>,
    /// Organization of organization staff.
    pub organization_id: Option<Uuid>,
}

impl Viewer {
    /// Whether the viewer's region scope contains `code` (a county or township code).
    pub fn region_contains(&self, code: &str) -> bool {
        self.region_code.as_deref().is_some_and(|scope| region_contains(scope, code))
    }
}

/// Whether `ancestor` (province, prefecture, county or township code) contains `code`. GB/T 2260
/// codes are hierarchical: a province is `PP0000`, a prefecture `PPCC00`, a township extends its
/// county's six digits.
pub fn region_contains(ancestor: &str, code: &str) -> bool {
    code.starts_with(region_prefix(ancestor))
}

/// The code prefix that every division inside `code` shares (`52` for Guizhou, `5201` for
/// Guiyang, the code itself for a county or township); also used for `LIKE 'prefix%'` filters.
pub fn region_prefix(code: &str) -> &str {
    if code.len() == 6 && code.ends_with("0000") {
        &code[..2]
    } else if code.len() == 6 && code.ends_with("00") {
        &code[..4]
    } else {
        code
    }
}

/// The authentication state of one request.
#[derive(Clone, Debug)]
pub enum Auth {
    /// No `Authorization` header.
    Anonymous,
    /// A header was sent but the token is invalid, expired, revoked or the account is disabled.
    Invalid,
    /// A valid session.
    Signed(Viewer),
}

/// The signed-in viewer, or `UNAUTHENTICATED`.
pub fn require(ctx: &Context<'_>) -> AppResult<Viewer> {
    match ctx.data_opt::<Auth>() {
        Some(Auth::Signed(v)) => Ok(v.clone()),
        _ => Err(AppError::Unauthenticated),
    }
}

/// The signed-in viewer if it has one of `roles`; otherwise `UNAUTHENTICATED` or `FORBIDDEN`.
pub fn require_role(ctx: &Context<'_>, roles: &[Role]) -> AppResult<Viewer> {
    let v = require(ctx)?;
    if roles.contains(&v.role) { Ok(v) } else { Err(AppError::Forbidden) }
}

#[cfg(test)]
mod tests {
    use super::region_contains;

    #[test]
    fn province_prefecture_county_and_township_scopes_nest() {
        assert!(region_contains("520000", "520102"));
        assert!(region_contains("520100", "520102"));
        assert!(!region_contains("520100", "520201"));
        assert!(region_contains("520102", "520102016"));
        assert!(!region_contains("520102", "520103"));
        assert!(!region_contains("520000", "530102"));
    }
}
