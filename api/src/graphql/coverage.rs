//! `policyCoverage`: the 13 measures and how Tongxin serves each, so that families, staff and
//! auditors can see what the platform does for every measure and what it cannot do, and why.

use async_graphql::{Context, Enum, SimpleObject};

use super::{
    catalogue::Entitlement,
    context::{lang, state},
    reference::Department,
    scalars::Date,
};
use crate::error::{AppError, AppResult};

/// How a duty of a measure is served.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum DutyKind {
    /// The monitoring register, six-monthly verification and key-care ledger (staff).
    Monitoring,
    /// Another platform feature (bookable sessions, the directory, public information).
    Platform,
    /// Outside what an API can do: enforcement, organization, funding, other departments' systems.
    Outside,
}

/// One duty of a measure that is not an entitlement.
#[derive(SimpleObject)]
pub struct MeasureDuty {
    /// How it is served.
    pub kind: DutyKind,
    /// Verbatim part of the measure it comes from.
    pub quote: String,
    /// How Tongxin serves it, or why it is outside the API, in the request's language.
    pub description: String,
    /// Departments the duty belongs to.
    pub departments: Vec<Department>,
}

/// One of the 13 measures.
#[derive(SimpleObject)]
pub struct MeasureCoverage {
    /// "(一)" … "(十三)".
    pub measure: String,
    /// Title in the request's language.
    pub title: String,
    /// Departments the text makes responsible.
    pub departments: Vec<Department>,
    /// The verbatim sentence naming them.
    pub responsibility: String,
    /// Entitlements of the basic service list under this measure.
    pub entitlements: Vec<Entitlement>,
    /// Departments whose queues receive the requests families file under this measure.
    pub routed_to: Vec<Department>,
    /// Every other duty, and how it is served or why not.
    pub duties: Vec<MeasureDuty>,
}

pub fn policy_coverage(ctx: &Context<'_>, as_of: Option<Date>) -> AppResult<Vec<MeasureCoverage>> {
    let st = state(ctx);
    let l = lang(ctx);
    let day = as_of.map(|d| d.0).unwrap_or_else(|| st.clock.today());
    let policy = st
        .reference
        .policy
        .version_at(day)
        .ok_or_else(|| AppError::validation("asOf", "该日期没有生效的政策版本", "no policy version in force on that date"))?;
    let depts = |codes: &mut dyn Iterator<Item = &str>| -> Vec<Department> {
        let mut seen: Vec<&str> = Vec::new();
        for c in codes {
            if !seen.contains(&c) {
                seen.push(c);
            }
        }
        seen.into_iter().filter_map(|c| Department::by_code(c, l)).collect()
    };
    Ok(policy
        .measures
        .iter()
        .map(|m| {
            let ents: Vec<&domain::policy::Entitlement> = policy.entitlements.iter().filter(|e| e.measure == m.code).collect();
            MeasureCoverage {
                measure: m.code.clone(),
                title: l.pick(&m.title_zh, &m.title_en).to_owned(),
                departments: depts(&mut m.departments.iter().map(String::as_str)),
                responsibility: m.responsibility.clone(),
                entitlements: ents.iter().map(|e| Entitlement::of(e, l)).collect(),
                routed_to: depts(&mut ents.iter().filter_map(|e| e.routing.as_ref()).map(|r| r.queue_department.as_str())),
                duties: m
                    .duties
                    .iter()
                    .map(|d| MeasureDuty {
                        kind: match d.kind {
                            domain::policy::DutyKind::Monitoring => DutyKind::Monitoring,
                            domain::policy::DutyKind::Platform => DutyKind::Platform,
                            domain::policy::DutyKind::Outside => DutyKind::Outside,
                        },
                        quote: d.quote.clone(),
                        description: l.pick(&d.zh, &d.en).to_owned(),
                        departments: depts(&mut d.departments.iter().map(String::as_str)),
                    })
                    .collect(),
            }
        })
        .collect())
}
