//! Central urban districts (城市中心城区) per city, for the exclusion in measure (一): a move
//! between 市辖区 of one city's central urban area does not make a child a migrant child.
//!
//! Why a separate data file with a source and a date per city: the measures do not say which
//! districts are "central"; that is a local decision each city's civil affairs bureau can confirm
//! or change. Until a city confirms, the platform's default (every 市辖区 of the city) applies and
//! the answer says so, naming the list, its status and its date.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use toml::Spanned;
use toml::value::Datetime;

use super::dates::{check_timeline, date, opt_date};
use super::diagnostics::{Fail, PolicyError, line_err, line_of};
use crate::language::Lang;
use crate::regions::{Divisions, Level};

/// The list file shipped with the code, for tools and tests that do not read `policy/`.
pub const GUIZHOU_CENTRAL_DISTRICTS: (&str, &str) =
    ("policy/local/central-urban-districts.toml", include_str!("../../../policy/local/central-urban-districts.toml"));

/// How far a city's list is established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ListStatus {
    /// The platform's default (every 市辖区 of the city), not yet confirmed by the city.
    PlatformDefault,
    /// Confirmed by the city's civil affairs bureau (the source names the document).
    Confirmed,
}

/// One city's central urban districts, in force from `from` to `to` (inclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CentralUrbanList {
    pub prefecture: String,
    pub districts: Vec<String>,
    pub status: ListStatus,
    /// Who decided it and where it is written.
    pub source: String,
    /// Date of the source (decision or confirmation).
    pub dated: NaiveDate,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

impl CentralUrbanList {
    /// "贵阳市中心城区名单（平台默认：全部市辖区，2025-02-17）" — which list decided, for the answer.
    pub fn describe(&self, city: &str, lang: Lang) -> String {
        match (lang, self.status) {
            (Lang::Zh, ListStatus::PlatformDefault) => {
                format!("{city}中心城区名单（平台默认：全部市辖区，{}，待当地民政部门确认）", self.dated)
            }
            (Lang::Zh, ListStatus::Confirmed) => format!("{city}中心城区名单（{}，{}）", self.source, self.dated),
            (Lang::En, ListStatus::PlatformDefault) => format!(
                "the central-urban list of {city} (platform default: every city district, {}, awaiting confirmation by civil affairs)",
                self.dated
            ),
            (Lang::En, ListStatus::Confirmed) => format!("the central-urban list of {city} ({}, {})", self.source, self.dated),
        }
    }
}

/// The clause and every city's lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CentralUrbanAreas {
    /// The clause being modelled (the exclusion in measure (一)).
    pub quote: String,
    /// File the lists come from.
    pub file: String,
    pub lists: Vec<CentralUrbanList>,
}

impl CentralUrbanAreas {
    /// The list of `prefecture` in force on `date` (none for a city outside the lists: then no
    /// move there is a central-urban move).
    pub fn list_for(&self, prefecture: &str, date: NaiveDate) -> Option<&CentralUrbanList> {
        self.lists.iter().find(|l| l.prefecture == prefecture && l.from <= date && l.to.is_none_or(|t| date <= t))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(rename = "city")]
    cities: Vec<Spanned<RawCity>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCity {
    prefecture: Spanned<String>,
    /// Name for people reading the file; the answer uses the divisions' name.
    #[allow(dead_code)]
    name: String,
    districts: Vec<Spanned<String>>,
    status: Spanned<String>,
    source: Spanned<String>,
    dated: Spanned<Datetime>,
    effective_from: Spanned<Datetime>,
    effective_to: Option<Spanned<Datetime>>,
}

/// Loads and checks the lists: real prefectures and their own county-level districts, a source and
/// a date on each, and for every prefecture of Guizhou an unbroken timeline from `from` on.
pub(crate) fn load(file: &str, text: &str, quote: &str, divisions: &Divisions, from: NaiveDate) -> Result<CentralUrbanAreas, PolicyError> {
    let fail = |f: Fail| PolicyError { file: file.to_string(), line: f.line, message: f.message };
    let raw: RawFile = toml::from_str(text)
        .map_err(|e| fail(Fail { line: e.span().map(|s| line_of(text, s.start)).unwrap_or(0), message: e.message().trim().to_string() }))?;
    let mut lists = Vec::new();
    let mut by_pref: HashMap<String, Vec<(NaiveDate, Option<NaiveDate>, usize)>> = HashMap::new();
    for c in &raw.cities {
        let r = c.get_ref();
        let pref = r.prefecture.get_ref();
        if divisions.get(pref).is_none_or(|d| d.level != Level::Prefecture) {
            return Err(fail(line_err(text, r.prefecture.span()).msg(format!("`{pref}` is not a prefecture-level division code"))));
        }
        for d in &r.districts {
            if !divisions.is_county(d.get_ref()) || divisions.prefecture_of(d.get_ref()).is_none_or(|p| p.code != *pref) {
                return Err(fail(line_err(text, d.span()).msg(format!("`{}` is not a county-level division of {pref}", d.get_ref()))));
            }
        }
        let status = match r.status.get_ref().as_str() {
            "platform_default" => ListStatus::PlatformDefault,
            "confirmed" => ListStatus::Confirmed,
            other => {
                return Err(fail(line_err(text, r.status.span()).msg(format!("unknown status `{other}` (platform_default or confirmed)"))));
            }
        };
        if r.source.get_ref().trim().is_empty() {
            return Err(fail(line_err(text, r.source.span()).msg(format!("the list of {pref} needs a source"))));
        }
        let lf = date(text, &r.effective_from).map_err(fail)?;
        let lt = opt_date(text, &r.effective_to).map_err(fail)?;
        by_pref.entry(pref.clone()).or_default().push((lf, lt, line_of(text, r.effective_from.span().start)));
        lists.push(CentralUrbanList {
            prefecture: pref.clone(),
            districts: r.districts.iter().map(|d| d.get_ref().clone()).collect(),
            status,
            source: r.source.get_ref().clone(),
            dated: date(text, &r.dated).map_err(fail)?,
            from: lf,
            to: lt,
        });
    }
    for (pref, entries) in &mut by_pref {
        check_timeline(&format!("central urban list of {pref}"), entries, from, None, true).map_err(fail)?;
    }
    for p in divisions.children("520000").into_iter().filter(|d| d.level == Level::Prefecture) {
        if !by_pref.contains_key(&p.code) {
            return Err(fail(Fail { line: 0, message: format!("no central urban list for {} ({})", p.name, p.code) }));
        }
    }
    Ok(CentralUrbanAreas { quote: quote.to_string(), file: file.to_string(), lists })
}
