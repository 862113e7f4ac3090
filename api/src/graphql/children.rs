//! Children's records over GraphQL: the guardian's record keeping and rights, and entitlements for
//! a stored child. Staff views and the access log are in `child_access`.

use async_graphql::{ComplexObject, Context, ID, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{
    context::state,
    eligibility::{ScreeningResult, screen},
    facts_input::{ChildInput, MovedWith, Sex},
    scalars::{Date, parse_id},
};
use crate::{
    auth::{
        Role,
        viewer::{require, require_role},
    },
    error::AppResult,
    services::{
        child_rights,
        children::{self, ChildData, ChildDetails, Secrets},
        claims,
    },
};

/// A child's record. Identity and permit numbers are always masked here.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Child {
    /// Child id.
    pub id: ID,
    /// Name.
    pub name: String,
    /// Sex.
    pub sex: Option<Sex>,
    /// Birth date.
    pub birth_date: Option<Date>,
    /// ID number, masked to its last two characters (`****************3X`).
    pub id_number_masked: Option<String>,
    /// County of residence.
    pub residence_region_code: String,
    /// Township of residence.
    pub residence_township_code: Option<String>,
    /// Hukou county.
    pub hukou_region_code: Option<String>,
    /// Living at the residence since.
    pub residence_since: Option<Date>,
    /// Moved with a parent or guardian.
    pub moved_with_guardian: Option<bool>,
    /// With whom.
    pub moved_with: Option<MovedWith>,
    /// Holds a residence permit.
    pub has_residence_permit: Option<bool>,
    /// Residence permit number, masked to its last two characters.
    pub residence_permit_number_masked: Option<String>,
    /// Permit issued on.
    pub residence_permit_since: Option<Date>,
    /// Last annual endorsement of the permit.
    pub residence_permit_endorsed_on: Option<Date>,
    /// Enrolled in a school or kindergarten at the residence.
    pub enrolled_in_school_at_residence: Option<bool>,
    /// That school or kindergarten.
    pub school_name: Option<String>,
    /// Family meets the residence-place dibao test (self-declared).
    pub meets_residence_dibao_test: Option<bool>,
    /// Family meets the hukou-place dibao conditions (self-declared).
    pub meets_hukou_dibao_test: Option<bool>,
    /// Family economic hardship.
    pub family_economic_hardship: Option<bool>,
    /// Sudden hardship.
    pub sudden_hardship: Option<bool>,
    /// Holds a disability certificate (sensitive).
    pub has_disability_certificate: Option<bool>,
    /// Disability grade 1–4 (sensitive).
    pub disability_grade: Option<i32>,
    /// Orphan or de-facto unsupported child.
    pub orphan_or_unsupported: Option<bool>,
    /// Serious illness (sensitive).
    pub serious_illness: Option<bool>,
    /// Diagnosed mental disorder (sensitive).
    pub diagnosed_mental_disorder: Option<bool>,
    /// Guardianship absent.
    pub guardianship_absent: Option<bool>,
    /// Family meets local housing-support conditions.
    pub meets_housing_support_conditions: Option<bool>,
    /// A basic-services consent is in force (otherwise the record is kept but not processed).
    pub consent_active: bool,
    /// Current version number.
    pub version: i32,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    #[graphql(skip)]
    pub child_id: Uuid,
}

impl Child {
    /// Maps a row, with the details the caller may see and the numbers as they may be shown.
    pub fn build(m: &entities::child::Model, d: &ChildDetails, numbers: Secrets) -> AppResult<Child> {
        let f = &d.facts;
        Ok(Child {
            id: ID(m.id.to_string()),
            name: m.name.clone().unwrap_or_default(),
            sex: m.sex.as_deref().map(|s| if s == "male" { Sex::Male } else { Sex::Female }),
            birth_date: m.birth_date.map(Date),
            id_number_masked: numbers.id_number,
            residence_region_code: m.residence_region_code.clone(),
            residence_township_code: m.residence_township_code.clone(),
            hukou_region_code: f.hukou_region_code.clone(),
            residence_since: f.residence_since.map(Date),
            moved_with_guardian: f.moved_with_guardian,
            moved_with: d.moved_with.as_deref().and_then(MovedWith::parse),
            has_residence_permit: f.has_residence_permit,
            residence_permit_number_masked: numbers.permit_number,
            residence_permit_since: f.residence_permit_since.map(Date),
            residence_permit_endorsed_on: d.residence_permit_endorsed_on.map(Date),
            enrolled_in_school_at_residence: f.enrolled_in_school_at_residence,
            school_name: d.school_name.clone(),
            meets_residence_dibao_test: f.meets_residence_dibao_test,
            meets_hukou_dibao_test: f.meets_hukou_dibao_test,
            family_economic_hardship: f.family_economic_hardship,
            sudden_hardship: f.sudden_hardship,
            has_disability_certificate: f.has_disability_certificate,
            disability_grade: f.disability_grade.map(i32::from),
            orphan_or_unsupported: f.orphan_or_unsupported,
            serious_illness: f.serious_illness,
            diagnosed_mental_disorder: f.diagnosed_mental_disorder,
            guardianship_absent: f.guardianship_absent,
            meets_housing_support_conditions: f.meets_housing_support_conditions,
            consent_active: m.processable,
            version: m.version,
            updated_at: m.updated_at,
            child_id: m.id,
        })
    }
}

/// One version of a child's record.
#[derive(SimpleObject)]
pub struct ChildVersion {
    /// Version number, from 1.
    pub version: i32,
    /// Account that made the change.
    pub changed_by: Option<ID>,
    /// When.
    pub changed_at: DateTime<Utc>,
    /// Names of the fields that changed.
    pub changed_fields: Vec<String>,
}

#[ComplexObject]
impl Child {
    /// Every version of the record (who changed what, when). A guardian who took the record over
    /// from screening sees the versions since then.
    async fn versions(&self, ctx: &Context<'_>) -> AppResult<Vec<ChildVersion>> {
        let db = &state(ctx).db;
        let from = claims::visible_from(db, &require(ctx)?, self.child_id).await?;
        let rows = children::versions(db, self.child_id).await?;
        Ok(rows
            .into_iter()
            .filter(|v| from.is_none_or(|f| v.changed_at >= f))
            .map(|v| ChildVersion {
                version: v.version,
                changed_by: v.changed_by.map(|a| ID(a.to_string())),
                changed_at: v.changed_at,
                changed_fields: serde_json::from_value(v.changed_fields).unwrap_or_default(),
            })
            .collect())
    }
}

impl ChildInput {
    pub(crate) fn into_data(self) -> AppResult<ChildData> {
        let mut screening = self.screening();
        screening.hukou_region_code = screening.hukou_region_code.map(|c| c.trim().to_owned());
        let facts = screening.to_facts()?;
        Ok(ChildData {
            name: self.name,
            sex: match self.sex {
                Sex::Female => "female".into(),
                Sex::Male => "male".into(),
            },
            birth_date: self.birth_date.0,
            id_number: self.id_number,
            residence_region_code: self.residence_region_code,
            residence_township_code: self.residence_township_code,
            residence_permit_number: self.residence_permit_number,
            details: ChildDetails {
                facts,
                moved_with: self.moved_with.map(|m| m.as_str().to_owned()),
                residence_permit_endorsed_on: self.residence_permit_endorsed_on.map(|d| d.0),
                school_name: self.school_name,
            },
        })
    }
}

fn guardian_view(ctx: &Context<'_>, m: &entities::child::Model) -> AppResult<Child> {
    Child::build(m, &children::details_of(m), children::masked(&state(ctx).pii, m))
}

/// Children's queries.
#[derive(Default)]
pub struct ChildrenQuery;

#[Object]
impl ChildrenQuery {
    /// Every entitlement evaluated on the stored facts of the viewer's child (on `asOf`, default
    /// today). Sensitive facts count only under a sensitive-data consent.
    async fn entitlements(&self, ctx: &Context<'_>, child_id: ID, as_of: Option<Date>) -> AppResult<ScreeningResult> {
        let v = require_role(ctx, &[Role::Guardian])?;
        let facts = children::entitlement_facts(state(ctx), &v, parse_id(&child_id)?).await?;
        screen(ctx, &facts, as_of)
    }
    /// Everything held about the viewer's child, including versions, consents and the access log.
    async fn export_child_data(&self, ctx: &Context<'_>, child_id: ID) -> AppResult<Json<serde_json::Value>> {
        let v = require_role(ctx, &[Role::Guardian])?;
        Ok(Json(child_rights::export(state(ctx), &v, parse_id(&child_id)?).await?))
    }

    /// One child of the viewer's household.
    async fn child(&self, ctx: &Context<'_>, id: ID) -> AppResult<Child> {
        let v = require_role(ctx, &[Role::Guardian])?;
        let m = children::guardian_child(&state(ctx).db, &v, parse_id(&id)?).await?;
        guardian_view(ctx, &m)
    }
}

/// Children's mutations (guardians).
#[derive(Default)]
pub struct ChildrenMutation;

#[Object]
impl ChildrenMutation {
    /// Adds a child to the viewer's household. Needs a basic-services consent first
    /// (`VALIDATION` on `consent` otherwise); the same ID number cannot be registered twice
    /// (`CONFLICT`). A child a child director registered in screening is taken over with
    /// `claimCode`, the one-time code on the paper consent form (`issueClaimCode`): the record
    /// becomes what the guardian entered. A wrong, expired or used code is `VALIDATION` on
    /// `claimCode` and adds nothing; five wrong guesses void a code.
    async fn add_child(&self, ctx: &Context<'_>, input: ChildInput, claim_code: Option<String>) -> AppResult<Child> {
        let v = require_role(ctx, &[Role::Guardian])?;
        let m = children::add_child(state(ctx), &v, input.into_data()?, claim_code.as_deref()).await?;
        guardian_view(ctx, &m)
    }

    /// Replaces a child's record; the change becomes a new version.
    async fn update_child(&self, ctx: &Context<'_>, id: ID, input: ChildInput) -> AppResult<Child> {
        let v = require_role(ctx, &[Role::Guardian])?;
        let m = children::update_child(state(ctx), &v, parse_id(&id)?, input.into_data()?).await?;
        guardian_view(ctx, &m)
    }

    /// Erases the child's personal data; only a de-identified tombstone and the audit entry stay.
    async fn request_child_deletion(&self, ctx: &Context<'_>, child_id: ID) -> AppResult<bool> {
        let v = require_role(ctx, &[Role::Guardian])?;
        child_rights::erase(state(ctx), &v, parse_id(&child_id)?).await?;
        Ok(true)
    }
}
