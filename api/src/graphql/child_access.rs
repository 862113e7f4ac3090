//! Staff access to children's records over GraphQL, and the access log guardians read: the
//! masked regional list, the unmasked record whose every read is logged, and `childAccessLog`.

use async_graphql::{
    Context, Enum, ID, Object, SimpleObject,
    connection::{Connection, Edge},
};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{
    children::Child,
    context::state,
    pagination::{self, Cursor},
    scalars::parse_id,
};
use crate::{
    auth::{
        Role,
        viewer::{require, require_role},
    },
    error::{AppError, AppResult},
    services::{child_access, children},
};

/// Roles that keep the grassroots records (民政, 儿童主任, 儿童督导员).
const RECORD_STAFF: [Role; 3] = [Role::CivilAffairs, Role::ChildDirector, Role::ChildSupervisor];

/// Why staff open a child's full record; written to the access log the guardian sees.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum AccessPurpose {
    /// Six-monthly record verification (半年比对核实).
    RecordVerification,
    /// Key-care follow-up (重点关爱).
    KeyCare,
    /// Handling a request of the family.
    RequestHandling,
}

impl AccessPurpose {
    fn as_str(self) -> &'static str {
        match self {
            AccessPurpose::RecordVerification => "record_verification",
            AccessPurpose::KeyCare => "key_care",
            AccessPurpose::RequestHandling => "request_handling",
        }
    }
}

/// A child's record as staff see it for a task: numbers unmasked. Every such read is logged.
#[derive(SimpleObject)]
pub struct ChildRecord {
    /// The record (sensitive facts only under the guardian's sensitive-data consent).
    pub child: Child,
    /// ID number in full.
    pub id_number: Option<String>,
    /// Residence-permit number in full.
    pub residence_permit_number: Option<String>,
}

/// One staff read of a child's record.
#[derive(SimpleObject)]
pub struct AccessLogEntry {
    /// Entry id.
    pub id: ID,
    /// When.
    pub at: DateTime<Utc>,
    /// Who read it.
    pub actor_name: Option<String>,
    /// In which role.
    pub actor_role: Option<Role>,
    /// Department of the reader.
    pub actor_department_code: Option<String>,
    /// Names of the fields read.
    pub fields: Vec<String>,
    /// Stated purpose.
    pub purpose: String,
}

fn cursor_id(after: Option<String>) -> AppResult<Option<Uuid>> {
    let bad = || AppError::validation("after", "分页游标无效", "invalid cursor");
    match pagination::after(after.as_deref())? {
        None => Ok(None),
        Some(Cursor(v)) => v.first().and_then(|x| x.as_str()).and_then(|s| Uuid::parse_str(s).ok()).map(Some).ok_or_else(bad),
    }
}

fn cursor_of(id: Uuid) -> Cursor {
    Cursor(vec![serde_json::Value::String(id.to_string())])
}

/// Staff views of children and the access log.
#[derive(Default)]
pub struct ChildAccessQuery;

#[Object]
impl ChildAccessQuery {
    /// Who among staff read the child's record, newest first.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn child_access_log(
        &self,
        ctx: &Context<'_>,
        child_id: ID,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<Connection<Cursor, AccessLogEntry>> {
        let v = require_role(ctx, &[Role::Guardian])?;
        let n = pagination::clamp(first)?;
        let (rows, more) = child_access::access_log(state(ctx), &v, parse_id(&child_id)?, n, cursor_id(after)?).await?;
        let mut conn = Connection::new(false, more);
        for (r, actor) in rows {
            let node = AccessLogEntry {
                id: ID(r.id.to_string()),
                at: r.created_at,
                actor_name: actor.as_ref().map(|a| a.display_name.clone()),
                actor_role: Role::parse(&r.actor_role),
                actor_department_code: actor.and_then(|a| a.department_code),
                fields: serde_json::from_value(r.fields).unwrap_or_default(),
                purpose: r.purpose,
            };
            conn.edges.push(Edge::new(cursor_of(r.id), node));
        }
        Ok(conn)
    }

    /// Staff: children living in `regionCode` (inside the viewer's scope) whose guardians'
    /// consent is in force. Numbers masked, sensitive facts left out.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn registered_children(
        &self,
        ctx: &Context<'_>,
        region_code: String,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<Connection<Cursor, Child>> {
        let v = require_role(ctx, &RECORD_STAFF)?;
        let n = pagination::clamp(first)?;
        let st = state(ctx);
        let (rows, more) = child_access::registered_children(st, &v, region_code.trim(), n, cursor_id(after)?).await?;
        let mut conn = Connection::new(false, more);
        for m in rows {
            let node = Child::build(&m, &children::without_sensitive(&m), children::masked(&st.pii, &m))?;
            conn.edges.push(Edge::new(cursor_of(m.id), node));
        }
        Ok(conn)
    }

    /// Staff: a child's full record with unmasked numbers, for a stated purpose. The read is
    /// written to the access log the guardian sees. Outside the viewer's region: `NOT_FOUND`.
    async fn child_record(&self, ctx: &Context<'_>, id: ID, purpose: AccessPurpose) -> AppResult<ChildRecord> {
        let v = require(ctx)?;
        if !RECORD_STAFF.contains(&v.role) {
            return Err(AppError::Forbidden);
        }
        let st = state(ctx);
        let r = child_access::staff_record(st, &v, parse_id(&id)?, purpose.as_str()).await?;
        let shown = children::masked(&st.pii, &r.child);
        Ok(ChildRecord {
            child: Child::build(&r.child, &r.details, shown)?,
            id_number: r.secrets.id_number,
            residence_permit_number: r.secrets.permit_number,
        })
    }
}
