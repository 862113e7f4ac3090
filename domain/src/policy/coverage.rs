//! The 13 measures and how the platform serves each (`policyCoverage`).
//!
//! Why checked at load time: a department that the text makes responsible but that nothing routes
//! to, and no duty explains, is a silent gap — families would be told nothing about it. So every
//! responsible department of a measure must appear in one of its entitlements (lead, coordinating
//! or queue) or in one of its duties, and every defined department must appear somewhere.

use std::collections::HashSet;

use super::diagnostics::{Fail, line_err, line_of};
use super::model::{Duty, DutyKind, Entitlement, MeasureCoverage};
use super::raw::{RawMeasure, S};

/// The measures' numbers as the policy prints them, in order.
pub(crate) const MEASURES: [&str; 13] =
    ["(一)", "(二)", "(三)", "(四)", "(五)", "(六)", "(七)", "(八)", "(九)", "(十)", "(十一)", "(十二)", "(十三)"];

pub(crate) fn measures(
    text: &str,
    raw: &[S<RawMeasure>],
    departments: &HashSet<String>,
    entitlements: &[Entitlement],
) -> Result<Vec<MeasureCoverage>, Fail> {
    let codes: Vec<&str> = raw.iter().map(|m| m.get_ref().code.get_ref().as_str()).collect();
    if codes != MEASURES {
        let line = raw.first().map_or(0, |m| line_of(text, m.span().start));
        return Err(Fail { line, message: format!("[[measure]] must list {} in order (found {})", MEASURES.join(" "), codes.join(" ")) });
    }
    let known = |s: &S<String>| -> Result<String, Fail> {
        if departments.contains(s.get_ref()) {
            Ok(s.get_ref().clone())
        } else {
            Err(line_err(text, s.span()).msg(format!("unknown department `{}`", s.get_ref())))
        }
    };
    let mut out = Vec::with_capacity(raw.len());
    let mut mentioned: HashSet<String> = HashSet::new();
    for m in raw {
        let r = m.get_ref();
        let code = r.code.get_ref();
        let mut served: HashSet<String> = HashSet::new();
        for e in entitlements.iter().filter(|e| &e.measure == code) {
            served.extend(e.departments().map(str::to_string));
            served.extend(e.routing.as_ref().map(|r| r.queue_department.clone()));
        }
        let mut duties = Vec::with_capacity(r.duties.len());
        for d in &r.duties {
            let dr = d.get_ref();
            let kind = match dr.kind.get_ref().as_str() {
                "monitoring" => DutyKind::Monitoring,
                "platform" => DutyKind::Platform,
                "outside" => DutyKind::Outside,
                other => {
                    return Err(line_err(text, dr.kind.span()).msg(format!("unknown duty kind `{other}` (monitoring, platform, outside)")));
                }
            };
            let depts = dr.departments.iter().map(known).collect::<Result<Vec<_>, _>>()?;
            served.extend(depts.iter().cloned());
            duties.push(Duty { kind, quote: dr.quote.clone(), zh: dr.zh.clone(), en: dr.en.clone(), departments: depts });
        }
        let depts = r.departments.iter().map(known).collect::<Result<Vec<_>, _>>()?;
        if let Some(d) = r.departments.iter().find(|d| !served.contains(d.get_ref())) {
            return Err(line_err(text, d.span()).msg(format!(
                "department `{}` is responsible for {code} but no entitlement of {code} involves it and no duty lists it",
                d.get_ref()
            )));
        }
        mentioned.extend(served);
        out.push(MeasureCoverage {
            code: code.clone(),
            title_zh: r.title.get_ref().clone(),
            title_en: r.title_en.clone(),
            departments: depts,
            responsibility: r.responsibility.clone(),
            duties,
        });
    }
    let mut unmentioned: Vec<&String> = departments.iter().filter(|d| !mentioned.contains(*d)).collect();
    unmentioned.sort();
    if let Some(d) = unmentioned.first() {
        let line = raw.first().map_or(0, |m| line_of(text, m.span().start));
        return Err(Fail {
            line,
            message: format!("department `{d}` is defined but neither routed to nor listed in any measure's duties"),
        });
    }
    Ok(out)
}
