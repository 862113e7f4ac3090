//! Reading a child's record: its stored form, what of it a viewer may see (sensitive facts only
//! under consent, numbers decrypted or masked), and the guardian's own children. A leaf under
//! `services`: the use cases that write records (`children`, `claims`, `register`) and those that
//! act on them (`requests`, `bookings`, `key_care`, `statistics`) all read through it.
//!
//! Identity numbers never appear in versions, logs or audit details — only masked, or as the keyed
//! hash.

use chrono::NaiveDate;
use domain::{eligibility::Facts, identity::mask};
use entities::{child, consent};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    auth::Viewer,
    error::{AppError, AppResult},
    pii::Pii,
    services::consent::{Purpose, covers, strip_sensitive},
    state::AppState,
};

/// The column name an ID number is sealed under.
pub(crate) const ID_COLUMN: &str = "id_number";
/// The column name a residence-permit number is sealed under.
pub(crate) const PERMIT_COLUMN: &str = "permit_number";

/// Everything about a child besides name, sex, birth date, residence codes and the encrypted
/// numbers: the screening facts plus details the rules do not read.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ChildDetails {
    /// Screening facts (birth date and residence county mirror the columns).
    #[serde(flatten)]
    pub facts: Facts,
    /// With whom the child moved: `father`, `mother`, `both_parents`, `other_guardian`, `no_guardian`.
    pub moved_with: Option<String>,
    /// Last annual endorsement (签注) of the residence permit.
    pub residence_permit_endorsed_on: Option<NaiveDate>,
    /// School or kindergarten at the residence.
    pub school_name: Option<String>,
}

/// A child's record as entered by a guardian.
#[derive(Clone, Debug)]
pub struct ChildData {
    /// Name.
    pub name: String,
    /// `female` or `male`.
    pub sex: String,
    /// Birth date.
    pub birth_date: NaiveDate,
    /// Resident identity number (optional for infants).
    pub id_number: Option<String>,
    /// County-level residence code in Guizhou.
    pub residence_region_code: String,
    /// Township of the residence, inside that county.
    pub residence_township_code: Option<String>,
    /// Residence permit number.
    pub residence_permit_number: Option<String>,
    /// The rest.
    pub details: ChildDetails,
}

/// Decrypted identity numbers of a record (only for staff whose task needs them, and exports).
#[derive(Clone, Default)]
pub struct Secrets {
    /// ID number.
    pub id_number: Option<String>,
    /// Residence-permit number.
    pub permit_number: Option<String>,
}

/// The stored details of a row (empty for an erased one).
pub fn details_of(m: &child::Model) -> ChildDetails {
    let mut d: ChildDetails = m.details.clone().and_then(|j| serde_json::from_value(j).ok()).unwrap_or_default();
    d.facts.birth_date = m.birth_date;
    d.facts.residence_region_code = Some(m.residence_region_code.clone());
    d
}

/// Details as they may be processed: sensitive facts only while a sensitive-data consent covers the child.
pub fn processable_details(m: &child::Model, consents: &[consent::Model]) -> ChildDetails {
    let mut d = details_of(m);
    if !covers(consents, Some(m.id), Purpose::SensitiveData) {
        strip_sensitive(&mut d.facts);
    }
    d
}

/// Whether the record describes a migrant child in scope (measure (一)) on `day`, decided by the
/// eligibility engine on its non-sensitive facts; a record the engine cannot read is not in scope.
pub fn in_scope_on(state: &AppState, m: &child::Model, day: NaiveDate) -> bool {
    let r = &state.reference;
    domain::eligibility::scope_of(&r.policy, &r.divisions(), &without_sensitive(m).facts, day, domain::eligibility::Lang::Zh)
        .is_ok_and(|d| d.outcome == domain::eligibility::Outcome::Eligible)
}

/// Details with every sensitive fact removed (staff lists, which are not access-logged).
pub fn without_sensitive(m: &child::Model) -> ChildDetails {
    let mut d = details_of(m);
    strip_sensitive(&mut d.facts);
    d
}

/// Decrypts the numbers of a row.
pub fn secrets(pii: &Pii, m: &child::Model) -> AppResult<Secrets> {
    let open = |col, kid: &Option<String>, ct: &Option<String>| match (kid, ct) {
        (Some(k), Some(c)) => pii.open(col, m.id, k, c).map(Some),
        _ => Ok(None),
    };
    Ok(Secrets {
        id_number: open(ID_COLUMN, &m.id_number_kid, &m.id_number_ct)?,
        permit_number: open(PERMIT_COLUMN, &m.permit_number_kid, &m.permit_number_ct)?,
    })
}

/// What a view shows for a stored number its key cannot decrypt.
pub const UNREADABLE: &str = "[unreadable]";

/// One number of a row, decrypted; a number that does not decrypt is [`UNREADABLE`], counted
/// and logged by [`Pii::note_unreadable`], so one damaged row never fails a list of many.
pub fn number_or_unreadable(pii: &Pii, m: &child::Model, column: &str) -> Option<String> {
    let (kid, ct) = if column == ID_COLUMN { (&m.id_number_kid, &m.id_number_ct) } else { (&m.permit_number_kid, &m.permit_number_ct) };
    let (kid, ct) = (kid.as_deref()?, ct.as_deref()?);
    Some(pii.open(column, m.id, kid, ct).unwrap_or_else(|_| {
        pii.note_unreadable(kid);
        UNREADABLE.to_owned()
    }))
}

/// The numbers of a row, masked for display (unreadable ones as [`UNREADABLE`]).
pub fn masked(pii: &Pii, m: &child::Model) -> Secrets {
    let show = |col| number_or_unreadable(pii, m, col).map(|n| if n == UNREADABLE { n } else { mask(&n) });
    Secrets { id_number: show(ID_COLUMN), permit_number: show(PERMIT_COLUMN) }
}

/// A child of the viewer's household; anything else (other households, erased, malformed) is
/// `NOT_FOUND`, indistinguishable from a missing id.
pub async fn guardian_child(conn: &impl ConnectionTrait, viewer: &Viewer, id: Uuid) -> AppResult<child::Model> {
    use sea_orm::sea_query::Query;
    // One statement: the child, if it is in the household the guardian belongs to (one at most).
    let household = Query::select()
        .column(entities::household_member::Column::HouseholdId)
        .from(entities::household_member::Entity)
        .and_where(entities::household_member::Column::AccountId.eq(viewer.account_id))
        .to_owned();
    child::Entity::find_by_id(id)
        .filter(child::Column::HouseholdId.in_subquery(household))
        .filter(child::Column::DeletedAt.is_null())
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// The children of a household (not erased), oldest first.
pub async fn household_children(conn: &impl ConnectionTrait, household_id: Uuid) -> AppResult<Vec<child::Model>> {
    Ok(child::Entity::find()
        .filter(child::Column::HouseholdId.eq(household_id))
        .filter(child::Column::DeletedAt.is_null())
        .order_by_asc(child::Column::Id)
        .all(conn)
        .await?)
}
