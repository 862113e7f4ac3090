//! The key-care risk rubric (measure (二)) as data: criteria with a score per level, and
//! thresholds that turn a total into low, medium or high risk.

use serde::{Deserialize, Serialize};

/// Risk levels of the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RiskLevel {
    /// Below the medium threshold.
    Low,
    /// At or above medium, below high.
    Medium,
    /// At or above high: priority and shorter deadlines for the child's requests.
    High,
}

/// One criterion.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Criterion {
    /// Stable code used by assessments.
    pub code: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Level names (zh).
    pub levels_zh: Vec<String>,
    /// Level names (en).
    pub levels_en: Vec<String>,
    /// Score of each level.
    pub scores: Vec<u32>,
}

#[derive(Debug, Clone, Deserialize)]
struct Header {
    version: String,
}

#[derive(Debug, Clone, Deserialize)]
struct Thresholds {
    medium: u32,
    high: u32,
}

#[derive(Debug, Clone, Deserialize)]
struct Raw {
    rubric: Header,
    criterion: Vec<Criterion>,
    thresholds: Thresholds,
}

/// A validated rubric.
#[derive(Debug, Clone)]
pub struct Rubric {
    /// Version recorded with every assessment.
    pub version: String,
    /// Criteria in order.
    pub criteria: Vec<Criterion>,
    medium: u32,
    high: u32,
}

/// Why an assessment does not fit the rubric; `criterion` names the offending answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentError {
    /// The criterion code (or `answers`).
    pub criterion: String,
    /// English explanation.
    pub message: String,
}

impl Rubric {
    /// Parses and checks a rubric file.
    pub fn from_toml(text: &str) -> Result<Rubric, String> {
        let raw: Raw = toml::from_str(text).map_err(|e| e.to_string())?;
        if raw.criterion.is_empty() {
            return Err("a rubric needs at least one criterion".into());
        }
        for c in &raw.criterion {
            if c.scores.is_empty() || c.scores.len() != c.levels_zh.len() || c.scores.len() != c.levels_en.len() {
                return Err(format!("criterion `{}`: scores and level names must have the same length", c.code));
            }
        }
        if raw.thresholds.medium == 0 || raw.thresholds.medium >= raw.thresholds.high {
            return Err("thresholds must satisfy 0 < medium < high".into());
        }
        Ok(Rubric { version: raw.rubric.version, criteria: raw.criterion, medium: raw.thresholds.medium, high: raw.thresholds.high })
    }

    /// Scores an assessment: one (criterion, level index) answer per criterion.
    pub fn assess(&self, answers: &[(String, usize)]) -> Result<(u32, RiskLevel), AssessmentError> {
        let mut total = 0;
        for c in &self.criteria {
            let level = answers
                .iter()
                .find(|(code, _)| code == &c.code)
                .map(|(_, l)| *l)
                .ok_or_else(|| AssessmentError { criterion: c.code.clone(), message: format!("criterion `{}` is not answered", c.code) })?;
            total += *c
                .scores
                .get(level)
                .ok_or_else(|| AssessmentError { criterion: c.code.clone(), message: format!("level {level} does not exist") })?;
        }
        if let Some((code, _)) = answers.iter().find(|(code, _)| !self.criteria.iter().any(|c| &c.code == code)) {
            return Err(AssessmentError { criterion: code.clone(), message: format!("unknown criterion `{code}`") });
        }
        let level = if total >= self.high {
            RiskLevel::High
        } else if total >= self.medium {
            RiskLevel::Medium
        } else {
            RiskLevel::Low
        };
        Ok((total, level))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rubric() -> Rubric {
        Rubric::from_toml(include_str!("../../policy/rubrics/key-care-2025.toml")).expect("rubric")
    }

    fn answers(levels: [usize; 5]) -> Vec<(String, usize)> {
        ["guardianship", "family_hardship", "health", "psychological", "safety"]
            .iter()
            .zip(levels)
            .map(|(c, l)| ((*c).to_owned(), l))
            .collect()
    }

    #[test]
    fn each_level_is_reachable_at_its_threshold() {
        let r = rubric();
        assert_eq!(r.assess(&answers([0, 0, 0, 0, 0])), Ok((0, RiskLevel::Low)));
        assert_eq!(r.assess(&answers([0, 1, 1, 0, 0])), Ok((4, RiskLevel::Low)));
        assert_eq!(r.assess(&answers([1, 1, 0, 0, 0])), Ok((5, RiskLevel::Medium)));
        assert_eq!(r.assess(&answers([2, 1, 0, 1, 0])), Ok((10, RiskLevel::High)));
    }

    #[test]
    fn missing_unknown_and_out_of_range_answers_are_refused() {
        let r = rubric();
        assert_eq!(r.assess(&answers([0, 0, 0, 0, 0])[..4]).map_err(|e| e.criterion), Err("safety".to_owned()));
        assert_eq!(r.assess(&answers([0, 0, 0, 0, 9])).map_err(|e| e.criterion), Err("safety".to_owned()));
        let mut extra = answers([0, 0, 0, 0, 0]);
        extra.push(("luck".into(), 0));
        assert_eq!(r.assess(&extra).map_err(|e| e.criterion), Err("luck".to_owned()));
    }
}
