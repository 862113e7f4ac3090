//! Statistics of a region over GraphQL (measures (一)(二)): children in scope, the ledger,
//! requests and their deadlines, bookings and verification coverage; and the register export for
//! the national child-welfare information system.

use async_graphql::{Context, Object, SimpleObject};
use domain::lifecycle::booking::BookingStatus;

use super::{
    context::{lang, state},
    reference::{Department, Region},
    scalars::Date,
};
use crate::{auth::viewer::require, error::AppResult, services::statistics};

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

/// Statistics queries.
#[derive(Default)]
pub struct StatisticsQuery;

#[Object]
impl StatisticsQuery {
    /// Statistics of `regionCode` (inside the viewer's scope) from `from` to `to` (default: the
    /// year up to today).
    async fn statistics(&self, ctx: &Context<'_>, region_code: String, from: Option<Date>, to: Option<Date>) -> AppResult<Statistics> {
        let v = require(ctx)?;
        let st = state(ctx);
        let l = lang(ctx);
        let s = statistics::statistics(st, &v, &region_code, from.map(|d| d.0), to.map(|d| d.0)).await?;
        let attended = s.bookings.by_status.get(BookingStatus::Attended.as_str()).copied().unwrap_or(0);
        let no_show = s.bookings.by_status.get(BookingStatus::NoShow.as_str()).copied().unwrap_or(0);
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
