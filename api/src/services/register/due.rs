//! The due list of records not verified for six months, and the daily reminder to the
//! responsible staff and to the families.

use chrono::{DateTime, NaiveDate, Utc};
use domain::monitoring::{sixteen_cutoff, verification_cutoff};
use entities::{account, child};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr};
use uuid::Uuid;

use crate::{
    auth::{Role, Viewer},
    db,
    error::AppResult,
    mail::{outbox, templates},
    services::scope::{area, living_in, require_monitor},
    state::AppState,
};

/// Midnight starting `day` in China, in UTC.
pub fn china_midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() - chrono::Duration::hours(8)
}

/// Records of children under 16 not verified for six months (exactly six months is due) in
/// `region`, oldest verification first; keyset after (last verified, id).
pub async fn due(
    state: &AppState,
    viewer: &Viewer,
    region_code: &str,
    first: usize,
    after: Option<(DateTime<Utc>, Uuid)>,
) -> AppResult<(Vec<child::Model>, bool)> {
    require_monitor(viewer)?;
    let region = area(state, viewer, region_code)?;
    let today = state.clock.today();
    let mut q = child::Entity::find().filter(living_in(&region)).filter(due_on(today));
    if let Some((at, id)) = after {
        q = q.filter(
            Condition::any()
                .add(child::Column::LastVerifiedAt.gt(at))
                .add(Condition::all().add(child::Column::LastVerifiedAt.eq(at)).add(child::Column::Id.gt(id))),
        );
    }
    let mut rows =
        q.order_by_asc(child::Column::LastVerifiedAt).order_by_asc(child::Column::Id).limit(first as u64 + 1).all(&state.db).await?;
    let more = rows.len() > first;
    rows.truncate(first);
    Ok((rows, more))
}

/// Records due on `today`: under 16 and last verified on or before the six-month cutoff day.
fn due_on(today: NaiveDate) -> Condition {
    let before = china_midnight(verification_cutoff(today) + chrono::Duration::days(1));
    Condition::all().add(child::Column::LastVerifiedAt.lt(before)).add(child::Column::BirthDate.gt(sixteen_cutoff(today)))
}

/// The daily job: tells each responsible child director (else the county's civil-affairs staff)
/// how many records in their area became due, once per record and due period however many server
/// processes run (each record is claimed with a conditional update). No child is named in the
/// e-mail; the director opens the due list in the app.
pub async fn notify_due(state: &AppState) -> AppResult<usize> {
    let now = state.clock.now();
    let today = state.clock.today();
    let candidates: Vec<(Uuid, String, Option<String>, Option<Uuid>)> = child::Entity::find()
        .select_only()
        .columns([child::Column::Id, child::Column::ResidenceRegionCode, child::Column::ResidenceTownshipCode, child::Column::HouseholdId])
        .filter(child::Column::Processable.eq(true))
        .filter(child::Column::DeletedAt.is_null())
        .filter(child::Column::DueNotifiedAt.is_null())
        .filter(due_on(today))
        .limit(5000)
        .into_tuple()
        .all(&state.db)
        .await?;
    if candidates.is_empty() {
        return Ok(0);
    }
    let txn = db::begin_write(&state.db).await?;
    let mut per_place: std::collections::BTreeMap<(String, Option<String>), usize> = Default::default();
    let mut families = Vec::new();
    for (id, county, township, household) in candidates {
        let claimed = child::Entity::update_many()
            .col_expr(child::Column::DueNotifiedAt, Expr::value(now))
            .filter(child::Column::Id.eq(id))
            .filter(child::Column::DueNotifiedAt.is_null())
            .exec(&txn)
            .await?;
        if claimed.rows_affected == 1 {
            *per_place.entry((county, township)).or_default() += 1;
            families.extend(household.map(|h| (id, h)));
        }
    }
    let staff = account::Entity::find()
        .filter(account::Column::Role.is_in([Role::ChildDirector.as_str(), Role::CivilAffairs.as_str()]))
        .filter(account::Column::DisabledAt.is_null())
        .all(&txn)
        .await?;
    let mut told: std::collections::BTreeMap<String, usize> = Default::default();
    let mut total = 0;
    for ((county, township), n) in per_place {
        total += n;
        let place = township.as_deref().unwrap_or(&county);
        let directors: Vec<&account::Model> = staff
            .iter()
            .filter(|a| {
                a.role == Role::ChildDirector.as_str()
                    && a.region_code.as_deref().is_some_and(|r| crate::auth::viewer::region_contains(r, place))
            })
            .collect();
        let responsible: Vec<&account::Model> = if directors.is_empty() {
            staff.iter().filter(|a| a.role == Role::CivilAffairs.as_str() && a.region_code.as_deref() == Some(county.as_str())).collect()
        } else {
            directors
        };
        for email in responsible.into_iter().filter_map(|a| a.email.clone()) {
            *told.entry(email).or_default() += n;
        }
    }
    for (email, n) in &told {
        let mail = templates::notice(
            "儿童信息到期核实提醒",
            "Child records due for verification",
            format!("您负责的区域有 {n} 名流动儿童的信息已满半年未核实。请登录童心平台，在“待核实”列表中逐一比对核实。"),
            format!(
                "{n} migrant-child records in your area have not been verified for six months. Open the due list in Tongxin to verify them."
            ),
        );
        outbox::enqueue(&txn, email, mail, now).await?;
    }
    for (child_id, household) in families {
        tell_guardians(&txn, child_id, household, now).await?;
    }
    txn.commit().await?;
    state.mail_wake.notify_one();
    if total > 0 {
        tracing::info!(records = total, recipients = told.len(), "verification reminders queued");
    }
    Ok(total)
}

/// Tells each guardian of the household, on the family's channels, that the child's record is due
/// and can be confirmed in the app (a child found in screening without a household has nobody
/// to tell: staff verify it). The notice names no child: the family opens the app to see which.
async fn tell_guardians(txn: &impl ConnectionTrait, child_id: Uuid, household: Uuid, now: DateTime<Utc>) -> AppResult<()> {
    let guardians: Vec<Uuid> = entities::household_member::Entity::find()
        .select_only()
        .column(entities::household_member::Column::AccountId)
        .filter(entities::household_member::Column::HouseholdId.eq(household))
        .into_tuple()
        .all(txn)
        .await?;
    for guardian in guardians {
        let mail = templates::notice(
            "孩子信息待核实",
            "Your child's record needs confirming",
            "您孩子在童心登记的信息已满半年未核实。请登录童心，在孩子的信息页核对并确认，信息有变化请一并更新。".into(),
            "Your child's record in Tongxin has not been confirmed for six months. Please sign in, check it on the child's page and confirm it (or correct what changed).".into(),
        );
        crate::notify::enqueue(txn, guardian, Some(child_id), crate::notify::events::verification_due(now, mail), now).await?;
    }
    Ok(())
}
