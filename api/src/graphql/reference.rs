//! Regions and departments.

use async_graphql::{Context, Enum, Object, SimpleObject};

use super::{
    calendar::{WorkCalendarInfo, info},
    context::{lang, state},
};
use crate::{
    auth::{Role, viewer::require_role},
    error::{AppError, AppResult, Lang},
    services::{divisions, reference},
};

/// Level of an administrative division.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum RegionLevel {
    /// 省级.
    Province,
    /// 地级.
    Prefecture,
    /// 县级.
    County,
    /// 乡级 (Guizhou only).
    Township,
}

/// An administrative division (National Bureau of Statistics code).
#[derive(SimpleObject, Clone)]
pub struct Region {
    /// 6-digit code (9 digits for townships).
    pub code: String,
    /// Official name.
    pub name: String,
    /// Level.
    pub level: RegionLevel,
    /// Parent code; none for provinces.
    pub parent_code: Option<String>,
}

impl From<entities::region::Model> for Region {
    fn from(m: entities::region::Model) -> Self {
        let level = match m.level.as_str() {
            "province" => RegionLevel::Province,
            "prefecture" => RegionLevel::Prefecture,
            "township" => RegionLevel::Township,
            _ => RegionLevel::County,
        };
        Region { code: m.code, name: m.name, level, parent_code: m.parent_code }
    }
}

impl Region {
    /// The division with `code` from the divisions in force; an unknown code is shown as itself, so a
    /// record never fails to render because reference data moved on.
    pub fn of(divisions: &domain::regions::Divisions, code: &str) -> Region {
        match divisions.get(code) {
            Some(d) => Region {
                code: d.code.clone(),
                name: d.name.clone(),
                level: match d.level {
                    domain::regions::Level::Province => RegionLevel::Province,
                    domain::regions::Level::Prefecture => RegionLevel::Prefecture,
                    domain::regions::Level::County => RegionLevel::County,
                    domain::regions::Level::Township => RegionLevel::Township,
                },
                parent_code: d.parent_code.clone(),
            },
            None => Region { code: code.to_owned(), name: code.to_owned(), level: RegionLevel::County, parent_code: None },
        }
    }
}

/// One of the 23 departments, named in the request's language.
#[derive(SimpleObject, Clone, Debug)]
pub struct Department {
    /// Contract code, e.g. `civil_affairs`.
    pub code: String,
    /// Name in the request's language.
    pub name: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
}

impl Department {
    /// The department with `code`, or the bare code when unknown (kept for old records).
    pub fn named(code: &str, lang: Lang) -> Department {
        Self::by_code(code, lang).unwrap_or(Department {
            code: code.to_owned(),
            name: code.to_owned(),
            name_zh: code.to_owned(),
            name_en: code.to_owned(),
        })
    }

    /// The department with `code`, from the compiled-in list.
    pub fn by_code(code: &str, lang: Lang) -> Option<Department> {
        migration::reference::DEPARTMENTS.iter().find(|d| d.0 == code).map(|(c, zh, en)| Department {
            code: (*c).to_owned(),
            name: lang.pick(zh, en).to_owned(),
            name_zh: (*zh).to_owned(),
            name_en: (*en).to_owned(),
        })
    }
}

/// Reference-data queries.
#[derive(Default)]
pub struct ReferenceQuery;

#[Object]
impl ReferenceQuery {
    /// Divisions under `parentCode` (provinces when omitted), ordered by code.
    async fn regions(&self, ctx: &Context<'_>, parent_code: Option<String>) -> AppResult<Vec<Region>> {
        if let Some(p) = &parent_code
            && (p.len() != 6 && p.len() != 9 || !p.chars().all(|c| c.is_ascii_digit()))
        {
            return Err(AppError::validation("parentCode", "行政区划代码须为 6 位或 9 位数字", "region codes have 6 or 9 digits"));
        }
        Ok(reference::regions(&state(ctx).db, parent_code.as_deref()).await?.into_iter().map(Region::from).collect())
    }

    /// The 23 departments that issued the policy.
    async fn departments(&self, ctx: &Context<'_>) -> AppResult<Vec<Department>> {
        let l = lang(ctx);
        Ok(reference::departments(&state(ctx).db)
            .await?
            .into_iter()
            .map(|d| Department { code: d.code, name: l.pick(&d.name_zh, &d.name_en).to_owned(), name_zh: d.name_zh, name_en: d.name_en })
            .collect())
    }
}

/// What a reload of the divisions file changed in the regions, by code.
#[derive(SimpleObject)]
pub struct DivisionsInfo {
    /// Divisions in force (the cities without counties count once).
    pub count: i32,
    /// Codes new in the file.
    pub added: Vec<String>,
    /// Codes whose name, level or parent changed.
    pub changed: Vec<String>,
    /// Codes no longer in the file.
    pub removed: Vec<String>,
}

/// The reference data in force after a reload.
#[derive(SimpleObject)]
pub struct ReferenceReload {
    /// The working-day calendar.
    pub calendar: WorkCalendarInfo,
    /// The administrative divisions.
    pub divisions: DivisionsInfo,
}

/// Reference-data mutations.
#[derive(Default)]
pub struct ReferenceMutation;

#[Object]
impl ReferenceMutation {
    /// Reads `CALENDAR_FILE` and `DIVISIONS_FILE` again (admins) and puts both in force, or
    /// neither: an invalid file is `VALIDATION` on `calendarFile` or `divisionsFile`, and so is a
    /// divisions file that drops codes stored rows still use (the message names them). New and
    /// renamed divisions reach the `regions` table at once; each server process reloads its own
    /// copy of the files (or on SIGHUP).
    async fn reload_reference(&self, ctx: &Context<'_>) -> AppResult<ReferenceReload> {
        require_role(ctx, &[Role::Admin])?;
        let s = state(ctx);
        let (calendar, changes) = divisions::reload_reference(s).await?;
        let count = s.reference.divisions().rows().iter().map(|d| d.code.as_str()).collect::<std::collections::HashSet<_>>().len();
        Ok(ReferenceReload {
            calendar: info(s, &calendar),
            divisions: DivisionsInfo {
                count: i32::try_from(count).unwrap_or(i32::MAX),
                added: changes.added,
                changed: changes.changed,
                removed: changes.removed,
            },
        })
    }
}
