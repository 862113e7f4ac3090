//! The key-care ledger over GraphQL (measure (二)): children in it and why, their risk
//! assessments, and the care measures assigned to departments.

use async_graphql::{
    ComplexObject, Context, Enum, ID, Object, SimpleObject,
    connection::{Connection, Edge},
};
use chrono::{DateTime, Utc};
use domain::monitoring::KeyCareReason as Reason;
use entities::{child, key_care_entry};

use super::{
    care_measure::{CareMeasure, CareMeasureInput},
    context::{lang, state},
    pagination::{self, Cursor},
    register::{MONITOR, RegisterRecord},
    risk::{RiskAssessment, RiskAssessmentInput, RiskLevel, RiskRubric, RubricCriterion},
    scalars::parse_id,
};
use crate::{
    auth::{
        Role,
        viewer::{require, require_role},
    },
    error::{AppError, AppResult},
    services::key_care::{self, Assessment, NewMeasure},
    state::AppState,
};

// The domain's reasons, one for one: a reason missing here does not compile.
/// Reasons for the key-care ledger (DOMAIN.md §6).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::monitoring::KeyCareReason")]
pub enum KeyCareReason {
    /// 家庭困难.
    FamilyHardship,
    /// 自身残疾.
    Disability,
    /// 监护缺失.
    GuardianshipAbsent,
    /// 流浪.
    Vagrancy,
    /// 心理、行为异常.
    PsychologicalOrBehavioural,
    /// 家庭主动求助 (admits a child outside the migrant-children scope).
    FamilyRequest,
}

/// A child's entry in the key-care ledger.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct KeyCareEntry {
    /// Entry id.
    pub id: ID,
    /// The child.
    pub child: RegisterRecord,
    /// Reasons.
    pub reasons: Vec<KeyCareReason>,
    /// A migrant child in scope when added (false: added on the family's request).
    pub in_scope: bool,
    /// Latest risk level; none before the first assessment.
    pub risk_level: Option<RiskLevel>,
    /// Latest score.
    pub risk_score: Option<i32>,
    /// Version to quote in `assessRisk`.
    pub version: i32,
    /// Added on.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    #[graphql(skip)]
    entry_id: uuid::Uuid,
}

#[ComplexObject]
impl KeyCareEntry {
    /// Every assessment, newest first.
    async fn assessments(&self, ctx: &Context<'_>) -> AppResult<Vec<RiskAssessment>> {
        Ok(key_care::assessments(&state(ctx).db, self.entry_id).await?.into_iter().map(RiskAssessment::from).collect())
    }

    /// Care measures, oldest first.
    async fn measures(&self, ctx: &Context<'_>) -> AppResult<Vec<CareMeasure>> {
        let st = state(ctx);
        Ok(key_care::measures_of(&st.db, self.entry_id).await?.into_iter().map(|m| CareMeasure::build(ctx, m)).collect())
    }
}

impl KeyCareEntry {
    fn build(st: &AppState, e: key_care_entry::Model, c: &child::Model) -> AppResult<KeyCareEntry> {
        Ok(KeyCareEntry {
            id: ID(e.id.to_string()),
            child: RegisterRecord::build(st, c)?,
            reasons: key_care::reasons_of(&e).into_iter().map(KeyCareReason::from).collect(),
            in_scope: e.in_scope,
            risk_level: e.risk_level.as_deref().and_then(RiskLevel::parse),
            risk_score: e.risk_score,
            version: e.version,
            created_at: e.created_at,
            updated_at: e.updated_at,
            entry_id: e.id,
        })
    }
}

/// Key-care queries.
#[derive(Default)]
pub struct KeyCareQuery;

#[Object]
impl KeyCareQuery {
    /// The key-care ledger of `regionCode` (inside the viewer's area; elsewhere `NOT_FOUND`).
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn key_care_ledger(
        &self,
        ctx: &Context<'_>,
        region_code: String,
        risk_level: Option<RiskLevel>,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<Connection<Cursor, KeyCareEntry>> {
        let v = require_role(ctx, &MONITOR)?;
        let n = pagination::clamp(first)?;
        let st = state(ctx);
        let after = pagination::after_uuid(after.as_deref())?;
        let (rows, more) = key_care::ledger(st, &v, &region_code, risk_level.map(RiskLevel::code), n, after).await?;
        let mut conn = Connection::new(false, more);
        for (e, c) in rows {
            let cursor = Cursor::of_uuid(e.id);
            conn.edges.push(Edge::new(cursor, KeyCareEntry::build(st, e, &c)?));
        }
        Ok(conn)
    }

    /// One child's ledger entry.
    async fn key_care_entry(&self, ctx: &Context<'_>, child_id: ID) -> AppResult<KeyCareEntry> {
        let v = require_role(ctx, &MONITOR)?;
        let st = state(ctx);
        let (e, c) = key_care::entry(st, &v, parse_id(&child_id)?).await?;
        KeyCareEntry::build(st, e, &c)
    }

    /// The risk rubric in force, for assessment forms.
    async fn risk_rubric(&self, ctx: &Context<'_>) -> AppResult<RiskRubric> {
        require_role(ctx, &MONITOR)?;
        let st = state(ctx);
        let l = lang(ctx);
        let r = &st.reference.rubric;
        Ok(RiskRubric {
            version: r.version.clone(),
            criteria: r
                .criteria
                .iter()
                .map(|c| RubricCriterion {
                    code: c.code.clone(),
                    name: l.pick(&c.name_zh, &c.name_en).to_owned(),
                    levels: c.levels_zh.iter().zip(&c.levels_en).map(|(z, e)| l.pick(z, e).to_owned()).collect(),
                    scores: c.scores.iter().map(|s| *s as i32).collect(),
                })
                .collect(),
        })
    }

    /// Open care measures the viewer answers for, soonest due first (department staff: their
    /// department's measures in their region).
    async fn care_measures(&self, ctx: &Context<'_>, first: Option<i32>) -> AppResult<Vec<CareMeasure>> {
        let v = require_role(ctx, &[Role::CivilAffairs, Role::ChildSupervisor, Role::ChildDirector, Role::DepartmentStaff])?;
        let n = pagination::clamp(first)?;
        Ok(key_care::my_measures(state(ctx), &v, n).await?.into_iter().map(|m| CareMeasure::build(ctx, m)).collect())
    }
}

/// Key-care mutations.
#[derive(Default)]
pub struct KeyCareMutation;

#[Object]
impl KeyCareMutation {
    /// Adds a child to the key-care ledger for the given reasons.
    async fn add_to_key_care(&self, ctx: &Context<'_>, child_id: ID, reasons: Vec<KeyCareReason>) -> AppResult<KeyCareEntry> {
        let v = require_role(ctx, &MONITOR)?;
        let st = state(ctx);
        let id = parse_id(&child_id)?;
        let (e, c) = key_care::add(st, &v, id, reasons.into_iter().map(Reason::from).collect()).await?;
        KeyCareEntry::build(st, e, &c)
    }

    /// Scores a risk assessment with the rubric; quote the entry's version (a stale one is
    /// `CONFLICT`). A high level raises the priority and shortens the deadlines of the child's
    /// open requests.
    async fn assess_risk(&self, ctx: &Context<'_>, child_id: ID, input: RiskAssessmentInput) -> AppResult<KeyCareEntry> {
        let v = require_role(ctx, &[Role::CivilAffairs, Role::ChildSupervisor])?;
        let st = state(ctx);
        let mut answers = Vec::with_capacity(input.answers.len());
        for a in input.answers {
            let level = usize::try_from(a.level)
                .map_err(|_| AppError::validation("input.answers.level", "评分等级不能为负数", "a level index cannot be negative"))?;
            answers.push((a.criterion.trim().to_owned(), level));
        }
        let id = parse_id(&child_id)?;
        let (e, _) =
            key_care::assess(st, &v, id, Assessment { expected_version: input.expected_version, answers, note: input.note }).await?;
        let (_, c) = key_care::entry(st, &v, id).await?;
        KeyCareEntry::build(st, e, &c)
    }

    /// Assigns a care measure to a department and township with a due date.
    async fn assign_care_measure(&self, ctx: &Context<'_>, input: CareMeasureInput) -> AppResult<CareMeasure> {
        let v = require_role(ctx, &[Role::CivilAffairs, Role::ChildSupervisor])?;
        let m = key_care::assign(
            state(ctx),
            &v,
            NewMeasure {
                child_id: parse_id(&input.child_id)?,
                department_code: input.department_code,
                township_code: input.township_code,
                description: input.description,
                due_on: input.due_on.0,
            },
        )
        .await?;
        Ok(CareMeasure::build(ctx, m))
    }

    /// Records a follow-up of a care measure; `done` closes it.
    async fn record_care_follow_up(&self, ctx: &Context<'_>, measure_id: ID, note: String, done: bool) -> AppResult<CareMeasure> {
        let v = require(ctx)?;
        let m = key_care::follow_up(state(ctx), &v, parse_id(&measure_id)?, &note, done).await?;
        Ok(CareMeasure::build(ctx, m))
    }
}
