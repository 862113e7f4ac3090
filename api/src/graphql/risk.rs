//! Risk assessments of the key-care ledger: the rubric in force, the answers and the scored
//! levels.

use async_graphql::{Enum, ID, InputObject, SimpleObject};
use chrono::{DateTime, Utc};
use entities::risk_assessment;

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
    pub(super) fn parse(s: &str) -> Option<RiskLevel> {
        match s {
            "low" => Some(RiskLevel::Low),
            "medium" => Some(RiskLevel::Medium),
            "high" => Some(RiskLevel::High),
            _ => None,
        }
    }

    pub(super) fn code(self) -> &'static str {
        match self {
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
        }
    }
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
