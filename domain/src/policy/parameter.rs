//! Numbers the policy leaves to local rules, each with its dated values. Why a leaf: the condition
//! compiler resolves parameter names, routing reads deadlines from parameters, and the compiled
//! policy holds them, so all three share this shape without depending on one another.

use chrono::NaiveDate;
use serde::Serialize;

/// A parameter value in force from `from` to `to` (both inclusive; `to = None`: open-ended).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DatedValue {
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    pub value: f64,
}

impl DatedValue {
    /// True when this value is in force on `date`.
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.from <= date && self.to.is_none_or(|t| date <= t)
    }
}

/// A number the policy leaves to local rules (age band, deadline, …) with its history, so a
/// decision made on any day can be reproduced with the value in force that day.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Parameter {
    pub name: String,
    /// "years", "months", "working_days", "grade", "share".
    pub unit: String,
    /// Where the number comes from (a quote, or the local rule / default chosen).
    pub source: String,
    /// Non-overlapping, sorted by `from`, covering the policy's whole effective range.
    pub values: Vec<DatedValue>,
}

impl Parameter {
    /// Value in force on `date`.
    pub fn value_at(&self, date: NaiveDate) -> Option<f64> {
        self.values.iter().find(|v| v.covers(date)).map(|v| v.value)
    }
}
