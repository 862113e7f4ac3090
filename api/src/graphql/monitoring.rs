//! Monitoring for civil affairs, child directors and supervisors over GraphQL (measures (一)(二)):
//! grassroots screening, the six-monthly verification, the key-care ledger with risk assessments
//! and care measures, statistics and the register export.

use async_graphql::{
    ComplexObject, Context, Enum, ID, InputObject, Object, SimpleObject,
    connection::{Connection, Edge},
};
use chrono::{DateTime, Duration, Utc};
use domain::monitoring::{KeyCareReason as Reason, leaves_scope_on, verification_due};
use entities::{care_measure, child, key_care_entry, risk_assessment};

use super::{
    accounts::{lang, state},
    children::ChildInput,
    pagination::{self, Cursor},
    reference::{Department, Region},
    scalars::{Date, parse_id},
};
use crate::{
    auth::{
        Role,
        viewer::{require, require_role},
    },
    error::{AppError, AppResult},
    services::{
        children::masked,
        key_care::{self, Assessment, NewMeasure},
        screening::{self, Corrections, PaperConsent},
        statistics,
    },
    state::AppState,
};

/// Roles that keep the register and the ledger.
const MONITOR: [Role; 3] = [Role::CivilAffairs, Role::ChildSupervisor, Role::ChildDirector];

/// Reasons for the key-care ledger (DOMAIN.md §6).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
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

impl From<KeyCareReason> for Reason {
    fn from(r: KeyCareReason) -> Self {
        match r {
            KeyCareReason::FamilyHardship => Reason::FamilyHardship,
            KeyCareReason::Disability => Reason::Disability,
            KeyCareReason::GuardianshipAbsent => Reason::GuardianshipAbsent,
            KeyCareReason::Vagrancy => Reason::Vagrancy,
            KeyCareReason::PsychologicalOrBehavioural => Reason::PsychologicalOrBehavioural,
            KeyCareReason::FamilyRequest => Reason::FamilyRequest,
        }
    }
}

impl From<Reason> for KeyCareReason {
    fn from(r: Reason) -> Self {
        match r {
            Reason::FamilyHardship => KeyCareReason::FamilyHardship,
            Reason::Disability => KeyCareReason::Disability,
            Reason::GuardianshipAbsent => KeyCareReason::GuardianshipAbsent,
            Reason::Vagrancy => KeyCareReason::Vagrancy,
            Reason::PsychologicalOrBehavioural => KeyCareReason::PsychologicalOrBehavioural,
            Reason::FamilyRequest => KeyCareReason::FamilyRequest,
        }
    }
}

/// Risk level from the rubric.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum RiskLevel {
    /// Below the medium threshold.
    Low,
    /// Medium.
    Medium,
    /// High: the child's requests get priority and shorter deadlines.
    High,
}

impl RiskLevel {
    fn parse(s: &str) -> Option<RiskLevel> {
        match s {
            "low" => Some(RiskLevel::Low),
            "medium" => Some(RiskLevel::Medium),
            "high" => Some(RiskLevel::High),
            _ => None,
        }
    }

    fn code(self) -> &'static str {
        match self {
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
        }
    }
}

/// A record of the migrant-children register as monitoring staff see it (numbers masked).
#[derive(SimpleObject)]
pub struct RegisterRecord {
    /// Child id.
    pub id: ID,
    /// Name.
    pub name: Option<String>,
    /// Birth date.
    pub birth_date: Option<Date>,
    /// ID number, masked.
    pub id_number_masked: Option<String>,
    /// County of residence.
    pub residence_region: Region,
    /// Township of residence.
    pub residence_township: Option<Region>,
    /// Last verification (registration counts as one).
    pub last_verified_at: Option<DateTime<Utc>>,
    /// Due for the six-monthly verification today.
    pub verification_due: bool,
    /// The day the child turns 16 and leaves the scope.
    pub leaves_scope_on: Option<Date>,
    /// `guardian` (added in the app) or `screening` (registered by a child director).
    pub source: String,
    /// Registered in screening and not yet taken over by a guardian's account.
    pub awaiting_guardian: bool,
}

impl RegisterRecord {
    fn build(st: &AppState, c: &child::Model) -> AppResult<RegisterRecord> {
        let d = &st.reference.divisions();
        let today = st.clock.today();
        Ok(RegisterRecord {
            id: ID(c.id.to_string()),
            name: c.name.clone(),
            birth_date: c.birth_date.map(Date),
            id_number_masked: masked(&st.pii, c).id_number,
            residence_region: Region::of(d, &c.residence_region_code),
            residence_township: c.residence_township_code.as_deref().map(|t| Region::of(d, t)),
            last_verified_at: c.last_verified_at,
            verification_due: c.last_verified_at.is_some_and(|v| verification_due((v + Duration::hours(8)).date_naive(), today)),
            leaves_scope_on: c.birth_date.and_then(leaves_scope_on).map(Date),
            source: c.source.clone(),
            awaiting_guardian: screening::paper_consent_in_force(c),
        })
    }
}

/// The guardian's consent as given on paper during screening.
#[derive(InputObject)]
pub struct PaperConsentInput {
    /// Name of the guardian who signed.
    pub signed_by: String,
    /// Date on the form.
    pub signed_on: Date,
    /// Version of the consent text on the form.
    pub text_version: String,
}

/// What a verification found different; omitted fields are confirmed as they are.
#[derive(InputObject, Default)]
pub struct VerificationInput {
    /// County of residence now.
    pub residence_region_code: Option<String>,
    /// Township of residence now.
    pub residence_township_code: Option<String>,
    /// Living at the residence since.
    pub residence_since: Option<Date>,
    /// School or kindergarten attended now.
    pub school_name: Option<String>,
    /// Note of the verification.
    pub note: Option<String>,
}

/// One answer of a risk assessment: the level index (0-based) chosen for a rubric criterion.
#[derive(InputObject, SimpleObject, Clone)]
#[graphql(input_name = "RiskAnswerInput")]
pub struct RiskAnswer {
    /// Criterion code of the rubric.
    pub criterion: String,
    /// Level index, 0 = none.
    pub level: i32,
}

/// A risk assessment.
#[derive(InputObject)]
pub struct RiskAssessmentInput {
    /// The entry version read before assessing (`KeyCareEntry.version`); a stale one is `CONFLICT`.
    pub expected_version: i32,
    /// One answer per rubric criterion.
    pub answers: Vec<RiskAnswer>,
    /// Note.
    pub note: Option<String>,
}

/// A care measure to assign.
#[derive(InputObject)]
pub struct CareMeasureInput {
    /// The child in the ledger.
    pub child_id: ID,
    /// Responsible department code.
    pub department_code: String,
    /// Township where it is carried out (in the child's county).
    pub township_code: String,
    /// What is to be done.
    pub description: String,
    /// Due day.
    pub due_on: Date,
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

/// One risk assessment, as scored.
#[derive(SimpleObject)]
pub struct RiskAssessment {
    /// Assessment id.
    pub id: ID,
    /// Rubric version used.
    pub rubric_version: String,
    /// Answers.
    pub answers: Vec<RiskAnswer>,
    /// Total score.
    pub score: i32,
    /// Level.
    pub level: Option<RiskLevel>,
    /// Note.
    pub note: Option<String>,
    /// Assessor.
    pub assessed_by: ID,
    /// When.
    pub assessed_at: DateTime<Utc>,
}

impl From<risk_assessment::Model> for RiskAssessment {
    fn from(a: risk_assessment::Model) -> Self {
        let answers = a
            .answers
            .as_array()
            .map(|xs| {
                xs.iter()
                    .map(|x| RiskAnswer {
                        criterion: x["criterion"].as_str().unwrap_or_default().to_owned(),
                        level: x["level"].as_i64().unwrap_or_default() as i32,
                    })
                    .collect()
            })
            .unwrap_or_default();
        RiskAssessment {
            id: ID(a.id.to_string()),
            rubric_version: a.rubric_version,
            answers,
            score: a.score,
            level: RiskLevel::parse(&a.level),
            note: a.note,
            assessed_by: ID(a.assessed_by.to_string()),
            assessed_at: a.created_at,
        }
    }
}

/// Status of a care measure.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CareMeasureStatus {
    /// Assigned, not done.
    Open,
    /// Done.
    Done,
    /// Closed unfinished because the child's record was erased.
    Withdrawn,
}

/// A care measure assigned to a department and township.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct CareMeasure {
    /// Measure id.
    pub id: ID,
    /// The child.
    pub child_id: ID,
    /// Responsible department.
    pub department: Department,
    /// Township where it is carried out.
    pub township: Region,
    /// Level now answerable (moves up on escalation).
    pub answerable_region: Region,
    /// What is to be done.
    pub description: String,
    /// Status.
    pub status: CareMeasureStatus,
    /// Due time.
    pub due_at: DateTime<Utc>,
    /// Open and past due.
    pub overdue: bool,
    /// Times escalated.
    pub escalation_level: i32,
    /// Assigned on.
    pub created_at: DateTime<Utc>,
    /// Done on.
    pub completed_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    measure_id: uuid::Uuid,
}

#[ComplexObject]
impl CareMeasure {
    /// Follow-ups, oldest first (escalations by the system have no actor).
    async fn follow_ups(&self, ctx: &Context<'_>) -> AppResult<Vec<CareFollowUp>> {
        Ok(key_care::follow_ups(&state(ctx).db, self.measure_id)
            .await?
            .into_iter()
            .map(|f| CareFollowUp {
                id: ID(f.id.to_string()),
                kind: f.kind,
                note: f.note,
                actor_id: f.actor_id.map(|a| ID(a.to_string())),
                at: f.created_at,
            })
            .collect())
    }
}

impl CareMeasure {
    fn build(ctx: &Context<'_>, m: care_measure::Model) -> CareMeasure {
        let st = state(ctx);
        let d = &st.reference.divisions();
        CareMeasure {
            id: ID(m.id.to_string()),
            child_id: ID(m.child_id.to_string()),
            department: Department::named(&m.department_code, lang(ctx)),
            township: Region::of(d, &m.township_code),
            answerable_region: Region::of(d, &m.region_code),
            overdue: key_care::overdue(&m, st.clock.now()),
            description: m.description,
            status: match m.status.as_str() {
                key_care::status::DONE => CareMeasureStatus::Done,
                key_care::status::WITHDRAWN => CareMeasureStatus::Withdrawn,
                _ => CareMeasureStatus::Open,
            },
            due_at: m.due_at,
            escalation_level: m.escalation_level,
            created_at: m.created_at,
            completed_at: m.completed_at,
            measure_id: m.id,
        }
    }
}

/// A follow-up of a care measure.
#[derive(SimpleObject)]
pub struct CareFollowUp {
    /// Id.
    pub id: ID,
    /// `note`, `done` or `escalated`.
    pub kind: String,
    /// What happened.
    pub note: String,
    /// Who recorded it (none for the escalation job).
    pub actor_id: Option<ID>,
    /// When.
    pub at: DateTime<Utc>,
}

/// A criterion of the risk rubric.
#[derive(SimpleObject)]
pub struct RubricCriterion {
    /// Code used in answers.
    pub code: String,
    /// Name in the request's language.
    pub name: String,
    /// Level names (index = answer level).
    pub levels: Vec<String>,
    /// Score of each level.
    pub scores: Vec<i32>,
}

/// The risk rubric in force (policy data).
#[derive(SimpleObject)]
pub struct RiskRubric {
    /// Version recorded with assessments.
    pub version: String,
    /// Criteria.
    pub criteria: Vec<RubricCriterion>,
}

/// A count under a key.
#[derive(SimpleObject)]
pub struct Count {
    /// The key (region code, age band, reason, status…).
    pub key: String,
    /// How many.
    pub count: i64,
}

/// Requests of one entitlement in one status.
#[derive(SimpleObject)]
pub struct RequestCount {
    /// Entitlement code.
    pub entitlement_code: String,
    /// Status code (lower case, as stored).
    pub status: String,
    /// How many.
    pub count: i64,
}

/// Deadline compliance of one department.
#[derive(SimpleObject)]
pub struct DeadlineCompliance {
    /// Department.
    pub department: Department,
    /// Decided in the period.
    pub resolved: i64,
    /// Decided by the deadline.
    pub resolved_on_time: i64,
    /// Share decided on time (none without decisions).
    pub on_time_rate: Option<f64>,
    /// Open and past the deadline now.
    pub overdue_open: i64,
}

/// Bookings of sessions held in the period (counselling included only as counts).
#[derive(SimpleObject)]
pub struct BookingStatistics {
    /// Sessions.
    pub sessions: i64,
    /// Seats offered.
    pub seats: i64,
    /// Bookings by status.
    pub by_status: Vec<Count>,
    /// Attended.
    pub attended: i64,
    /// Did not come.
    pub no_show: i64,
}

/// Verification coverage of the register.
#[derive(SimpleObject)]
pub struct VerificationCoverage {
    /// Records of children under 16.
    pub records: i64,
    /// Verified within six months.
    pub verified: i64,
    /// Due for verification.
    pub due: i64,
    /// Share verified (none without records).
    pub coverage: Option<f64>,
}

/// Statistics of a region for a period.
#[derive(SimpleObject)]
pub struct Statistics {
    /// Region.
    pub region: Region,
    /// First day.
    pub from: Date,
    /// Last day; scope is decided on this day.
    pub to: Date,
    /// Migrant children in scope.
    pub children_in_scope: i64,
    /// In scope, by county.
    pub children_by_county: Vec<Count>,
    /// In scope, by age band (`0-2`, `3-5`, `6-11`, `12-15`).
    pub children_by_age_band: Vec<Count>,
    /// Ledger entries by reason.
    pub key_care_by_reason: Vec<Count>,
    /// Ledger entries by risk level (`unassessed` before any assessment).
    pub key_care_by_risk_level: Vec<Count>,
    /// Requests filed in the period by entitlement and status.
    pub requests: Vec<RequestCount>,
    /// Deadline compliance by department.
    pub deadline_compliance: Vec<DeadlineCompliance>,
    /// Bookings and attendance.
    pub bookings: BookingStatistics,
    /// Verification coverage.
    pub verification: VerificationCoverage,
}

fn counts(m: std::collections::BTreeMap<String, i64>) -> Vec<Count> {
    m.into_iter().map(|(key, count)| Count { key, count }).collect()
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The register as CSV for the national child-welfare information system.
#[derive(SimpleObject)]
pub struct ChildExport {
    /// Column names, in order (documented in the README).
    pub columns: Vec<String>,
    /// The CSV text: UTF-8 with a BOM, header row first; cells that would start a spreadsheet
    /// formula begin with `'`.
    pub csv: String,
    /// Data rows.
    pub rows: i32,
    /// ID numbers masked (true unless the caller is civil affairs).
    pub masked: bool,
}

fn cursor_time_id(after: Option<&str>) -> AppResult<Option<(DateTime<Utc>, uuid::Uuid)>> {
    let bad = || AppError::validation("after", "分页游标无效", "invalid cursor");
    match pagination::after(after)? {
        None => Ok(None),
        Some(Cursor(v)) => {
            let at = v.first().and_then(|x| x.as_str()).and_then(|s| DateTime::parse_from_rfc3339(s).ok()).ok_or_else(bad)?;
            let id = v.get(1).and_then(|x| x.as_str()).and_then(|s| uuid::Uuid::parse_str(s).ok()).ok_or_else(bad)?;
            Ok(Some((at.with_timezone(&Utc), id)))
        }
    }
}

/// Monitoring queries.
#[derive(Default)]
pub struct MonitoringQuery;

#[Object]
impl MonitoringQuery {
    /// Records in `regionCode` not verified for six months (exactly six months is due), oldest
    /// verification first. Children of 16 and over have left the register.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn due_verifications(
        &self,
        ctx: &Context<'_>,
        region_code: String,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<Connection<Cursor, RegisterRecord>> {
        let v = require_role(ctx, &MONITOR)?;
        let n = pagination::clamp(first)?;
        let st = state(ctx);
        let (rows, more) = screening::due(st, &v, &region_code, n, cursor_time_id(after.as_deref())?).await?;
        let mut conn = Connection::new(false, more);
        for c in rows {
            let cursor = Cursor(vec![c.last_verified_at.map(|t| t.to_rfc3339()).unwrap_or_default().into(), c.id.to_string().into()]);
            conn.edges.push(Edge::new(cursor, RegisterRecord::build(st, &c)?));
        }
        Ok(conn)
    }

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

    /// Statistics of `regionCode` (inside the viewer's scope) from `from` to `to` (default: the
    /// year up to today).
    async fn statistics(&self, ctx: &Context<'_>, region_code: String, from: Option<Date>, to: Option<Date>) -> AppResult<Statistics> {
        let v = require(ctx)?;
        let st = state(ctx);
        let l = lang(ctx);
        let s = statistics::statistics(st, &v, &region_code, from.map(|d| d.0), to.map(|d| d.0)).await?;
        let attended = s.bookings.by_status.get("attended").copied().unwrap_or(0);
        let no_show = s.bookings.by_status.get("no_show").copied().unwrap_or(0);
        Ok(Statistics {
            region: Region::of(&st.reference.divisions(), &s.region_code),
            from: Date(s.from),
            to: Date(s.to),
            children_in_scope: s.in_scope,
            children_by_county: counts(s.by_county),
            children_by_age_band: counts(s.by_age_band),
            key_care_by_reason: counts(s.by_key_care_reason),
            key_care_by_risk_level: counts(s.by_risk_level),
            requests: s.requests.into_iter().map(|((e, st), count)| RequestCount { entitlement_code: e, status: st, count }).collect(),
            deadline_compliance: s
                .compliance
                .into_iter()
                .map(|c| DeadlineCompliance {
                    department: Department::named(&c.department_code, l),
                    resolved: c.resolved,
                    resolved_on_time: c.on_time,
                    on_time_rate: ratio(c.on_time, c.resolved),
                    overdue_open: c.overdue_open,
                })
                .collect(),
            bookings: BookingStatistics {
                sessions: s.bookings.sessions,
                seats: s.bookings.seats,
                by_status: counts(s.bookings.by_status),
                attended,
                no_show,
            },
            verification: VerificationCoverage {
                records: s.records,
                verified: s.verified,
                due: s.records - s.verified,
                coverage: ratio(s.verified, s.records),
            },
        })
    }

    /// The register of `regionCode` as CSV for the national child-welfare information system.
    /// ID numbers are masked unless the caller is civil affairs; every export is audited.
    async fn export_children(&self, ctx: &Context<'_>, region_code: String) -> AppResult<ChildExport> {
        let v = require(ctx)?;
        let e = statistics::export_children(state(ctx), &v, &region_code).await?;
        Ok(ChildExport {
            columns: statistics::EXPORT_COLUMNS.iter().map(|c| (*c).to_owned()).collect(),
            csv: e.csv,
            rows: i32::try_from(e.rows).unwrap_or(i32::MAX),
            masked: e.masked,
        })
    }
}

/// Monitoring mutations.
#[derive(Default)]
pub struct MonitoringMutation;

#[Object]
impl MonitoringMutation {
    /// Child directors and supervisors: registers a child found in household screening (摸排),
    /// with the guardian's consent given on paper. The record passes to the guardian's account
    /// when the guardian adds the child with the claim code staff issue for the form
    /// (`issueClaimCode`).
    async fn register_screened_child(&self, ctx: &Context<'_>, input: ChildInput, consent: PaperConsentInput) -> AppResult<RegisterRecord> {
        let v = require_role(ctx, &[Role::ChildDirector, Role::ChildSupervisor])?;
        let st = state(ctx);
        let paper = PaperConsent { signed_by: consent.signed_by, signed_on: consent.signed_on.0, text_version: consent.text_version };
        let c = screening::register_screened(st, &v, input.into_data()?, paper).await?;
        RegisterRecord::build(st, &c)
    }

    /// Confirms a record (correcting the residence when it changed) and restarts its six-month
    /// clock. Monitoring staff of the area, or the child's guardian in the app.
    async fn verify_child_record(&self, ctx: &Context<'_>, child_id: ID, input: Option<VerificationInput>) -> AppResult<RegisterRecord> {
        let v = require_role(ctx, &[Role::CivilAffairs, Role::ChildSupervisor, Role::ChildDirector, Role::Guardian])?;
        let st = state(ctx);
        let i = input.unwrap_or_default();
        let fix = Corrections {
            residence_region_code: i.residence_region_code,
            residence_township_code: i.residence_township_code,
            residence_since: i.residence_since.map(|d| d.0),
            school_name: i.school_name,
            note: i.note,
        };
        let c = screening::verify(st, &v, parse_id(&child_id)?, fix).await?;
        RegisterRecord::build(st, &c)
    }

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
