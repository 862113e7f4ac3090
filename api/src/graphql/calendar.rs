//! The working-day calendar behind every deadline: how far it reaches, and reloading it after the
//! operator adds a year (see "The calendar each December" in the README).

use async_graphql::{Context, Object, SimpleObject};

use super::{context::state, scalars::Date};
use crate::{
    auth::{Role, viewer::require_role},
    error::{AppError, AppResult, Msg},
};

/// Days ahead the calendar must reach for deadlines to be right; `/readyz` warns below this.
pub const DAYS_AHEAD: u32 = 60;

/// How far the calendar in force reaches.
#[derive(SimpleObject)]
pub struct WorkCalendarInfo {
    /// 31 December of the last year listed without a gap; after it, holidays would count as
    /// working days.
    pub covered_until: Option<Date>,
    /// Whether the next 60 days are covered.
    pub covers_next_60_days: bool,
}

pub(crate) fn info(state: &crate::state::AppState, cal: &domain::workdays::WorkCalendar) -> WorkCalendarInfo {
    WorkCalendarInfo { covered_until: cal.covered_until().map(Date), covers_next_60_days: cal.covers(state.clock.today(), DAYS_AHEAD) }
}

/// Calendar queries.
#[derive(Default)]
pub struct CalendarQuery;

#[Object]
impl CalendarQuery {
    /// The working-day calendar in force (public: holidays are public knowledge).
    async fn work_calendar(&self, ctx: &Context<'_>) -> WorkCalendarInfo {
        let s = state(ctx);
        info(s, &s.reference.calendar())
    }
}

/// Calendar mutations.
#[derive(Default)]
pub struct CalendarMutation;

#[Object]
impl CalendarMutation {
    /// Reads `CALENDAR_FILE` again (admins). An invalid file changes nothing: `VALIDATION` on
    /// `calendarFile` says what is wrong. Each server process reloads its own copy (or on SIGHUP).
    async fn reload_calendar(&self, ctx: &Context<'_>) -> AppResult<WorkCalendarInfo> {
        require_role(ctx, &[Role::Admin])?;
        let s = state(ctx);
        let cal = s.reference.reload_calendar().map_err(|e| AppError::Validation {
            field: "calendarFile".into(),
            msg: Msg::owned(format!("日历文件无效：{e}"), format!("the calendar file is invalid: {e}")),
        })?;
        Ok(info(s, &cal))
    }
}
