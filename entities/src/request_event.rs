//! One step in a request's history: who, when, from which status to which, and a note.
use sea_orm::entity::prelude::*;

/// A request-event row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "request_events")]
pub struct Model {
    /// Event id (UUID v7: ordered by time).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The request.
    pub request_id: Uuid,
    /// Acting account; none for the system (deadlines).
    pub actor_id: Option<Uuid>,
    /// What happened.
    pub kind: String,
    /// Status before.
    pub from_status: Option<crate::status::RequestStatus>,
    /// Status after.
    pub to_status: Option<crate::status::RequestStatus>,
    /// Note, comment or reason.
    pub note: Option<String>,
    /// Visible to the family.
    pub public: bool,
    /// When.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
