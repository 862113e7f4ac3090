//! Where a request goes and how fast it must be answered, as the policy writes it. Why apart from
//! the entitlement: the deadlines are parameters with their own timelines, so the routing in force
//! is computed per day rather than stored once.

use chrono::NaiveDate;
use serde::Serialize;

use super::parameter::Parameter;

/// Where a request for an entitlement goes and how fast it must be answered, on one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Routing {
    /// Department whose queue (in the county of the handling place) receives the request.
    pub queue_department: String,
    pub first_response_working_days: u32,
    pub resolution_working_days: u32,
    /// Shorter resolution deadline for children assessed as high risk.
    pub high_risk_resolution_working_days: u32,
    /// Share of the deadline after which the assignee is warned (e.g. 0.75).
    pub warn_share: f64,
}

/// Routing as written in the policy: a queue and the parameters that hold the deadlines, so
/// deadlines can change on a date without a new entitlement definition.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoutingSpec {
    pub queue_department: String,
    pub first_response_working_days: Parameter,
    pub resolution_working_days: Parameter,
    pub high_risk_resolution_working_days: Parameter,
    pub warn_share: Parameter,
}

impl RoutingSpec {
    /// The routing in force on `date` (`None` outside the policy's effective range).
    pub fn at(&self, date: NaiveDate) -> Option<Routing> {
        let days = |p: &Parameter| p.value_at(date).map(|v| v as u32);
        Some(Routing {
            queue_department: self.queue_department.clone(),
            first_response_working_days: days(&self.first_response_working_days)?,
            resolution_working_days: days(&self.resolution_working_days)?,
            high_risk_resolution_working_days: days(&self.high_risk_resolution_working_days)?,
            warn_share: self.warn_share.value_at(date)?,
        })
    }
}
