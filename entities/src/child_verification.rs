//! One six-monthly verification of a child record (半年比对核实): who confirmed it and what changed.
use sea_orm::entity::prelude::*;

/// A verification row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "child_verifications")]
pub struct Model {
    /// Verification id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The child.
    pub child_id: Uuid,
    /// Who verified (staff or the guardian).
    pub actor_id: Uuid,
    /// The actor's role at the time.
    pub actor_role: String,
    /// Facts changed by the verification, old and new.
    pub changes: Option<Json>,
    /// Free note.
    pub note: Option<String>,
    /// When.
    pub created_at: DateTimeUtc,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
