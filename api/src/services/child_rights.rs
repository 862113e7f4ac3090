//! The guardian's rights over a child's data (PIPL): a copy of everything held, and erasure.

use entities::{child, child_access_log, consent};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    child_record::{details_of, guardian_child, secrets},
    child_store::versions,
};
use crate::{
    auth::Viewer,
    db,
    error::{AppError, AppResult},
    services::{audit, claims, erasure, families},
    state::AppState,
};

/// Everything held about the viewer's child, as JSON (PIPL right of access and copy).
pub async fn export(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<Value> {
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let c = guardian_child(&txn, viewer, id).await?;
    let consents: Vec<consent::Model> = families::consents(&txn, c.household_id.ok_or(AppError::NotFound)?)
        .await?
        .into_iter()
        .filter(|k| k.child_id.is_none() || k.child_id == Some(id))
        .collect();
    // A record taken over from screening: what staff recorded before the link is not the family's.
    let from = claims::visible_from(&txn, viewer, id).await?;
    let versions: Vec<_> = versions(&txn, id).await?.into_iter().filter(|v| from.is_none_or(|f| v.changed_at >= f)).collect();
    let mut log = child_access_log::Entity::find().filter(child_access_log::Column::ChildId.eq(id));
    if let Some(f) = from {
        log = log.filter(child_access_log::Column::CreatedAt.gte(f));
    }
    let log = log.order_by_asc(child_access_log::Column::Id).all(&txn).await?;
    let s = secrets(&state.pii, &c)?;
    let mut out = json!({
        "exportedAt": now,
        "child": {
            "id": c.id,
            "name": c.name,
            "sex": c.sex,
            "birthDate": c.birth_date,
            "idNumber": s.id_number,
            "residenceRegionCode": c.residence_region_code,
            "residenceTownshipCode": c.residence_township_code,
            "residencePermitNumber": s.permit_number,
            "details": details_of(&c),
            "version": c.version,
            "createdAt": from.map_or(c.created_at, |f| f.max(c.created_at)),
            "updatedAt": c.updated_at,
        },
        "versions": versions.iter().map(|v| json!({
            "version": v.version, "changedBy": v.changed_by, "changedAt": v.changed_at,
            "changedFields": v.changed_fields, "snapshot": v.snapshot,
        })).collect::<Vec<_>>(),
        "consents": consents.iter().map(|k| json!({
            "id": k.id, "purpose": k.purpose, "childId": k.child_id, "textVersion": k.text_version,
            "givenBy": k.given_by, "givenAt": k.given_at, "withdrawnAt": k.withdrawn_at,
        })).collect::<Vec<_>>(),
        "accessLog": log.iter().map(|l| json!({
            "at": l.created_at, "actorId": l.actor_id, "actorRole": l.actor_role, "fields": l.fields, "purpose": l.purpose,
        })).collect::<Vec<_>>(),
    });
    audit::record(&txn, Some(viewer.account_id), "child.exported", "child", &id.to_string(), None, now).await?;
    txn.commit().await?;
    out["documents"] = json!(super::documents::lifetime::export(state, viewer, id).await?);
    Ok(out)
}

/// Erases the child's personal data at the guardian's request. Open work is closed first (as a
/// consent withdrawal closes it), then every place of `erasure::PLACES` is overwritten. What
/// remains is a de-identified tombstone (residence county, birth year) so statistics and the
/// access log stay consistent, the version rows without their snapshots, the consent records
/// (proof of the lawful basis), the outcome of decided requests without their texts, and the
/// audit entry of the erasure. Delivered e-mails about the child are removed from the mail
/// directory after commit.
pub async fn erase(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<()> {
    let now = state.clock.now();
    let txn = db::begin_write(&state.db).await?;
    let c = guardian_child(&txn, viewer, id).await?;
    erasure::close_open_work(&txn, id, now).await?;
    let mails = erasure::erase_places(&txn, id, now).await?;
    let objects = super::documents::lifetime::erase_child(&txn, id).await?;
    child::Entity::update_many()
        .col_expr(child::Column::Processable, Expr::value(false))
        .col_expr(child::Column::DeletedAt, Expr::value(Some(now)))
        .col_expr(child::Column::UpdatedAt, Expr::value(now))
        .filter(child::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    consent::Entity::update_many()
        .col_expr(consent::Column::WithdrawnAt, Expr::value(Some(now)))
        .col_expr(consent::Column::WithdrawnBy, Expr::value(Some(viewer.account_id)))
        .filter(consent::Column::ChildId.eq(id))
        .filter(consent::Column::WithdrawnAt.is_null())
        .exec(&txn)
        .await?;
    let detail = json!({"residenceRegionCode": c.residence_region_code, "birthYear": c.birth_year});
    audit::record(&txn, Some(viewer.account_id), "child.erased", "child", &id.to_string(), Some(detail), now).await?;
    txn.commit().await?;
    state.documents.delete_all(&objects).await;
    let files = state.mailer.dir().map_or(0, |dir| erasure::remove_delivered_files(dir, &mails));
    tracing::info!(child_id = %id, mails = mails.len(), files, "child record erased at the guardian's request");
    Ok(())
}
