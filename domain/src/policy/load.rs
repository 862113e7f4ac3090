//! Loading one policy file: parse, validate, compile. Every error carries the line it is about.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::central::CentralUrbanAreas;
use super::condition::{CompileCtx, Node, compile};
use super::coverage::{self, MEASURES};
use super::dates::{check_timeline, date, opt_date};
use super::diagnostics::{Fail, line_err, line_of};
use super::model::{Department, Entitlement, ExtraStep, HandlingPlace, Policy, ScopeRule};
use super::parameter::{DatedValue, Parameter};
use super::raw::*;
use super::routing::RoutingSpec;
use super::texts::{PolicyTexts, Template, TemplatePart, Texts};
use crate::documents::DocumentType;
use crate::facts::{FactId, FactKind};

const UNITS: [&str; 5] = ["years", "months", "working_days", "grade", "share"];

fn template(text: &str, s: &S<String>) -> Result<Template, Fail> {
    let mut parts = Vec::new();
    let mut rest = s.get_ref().as_str();
    while let Some(open) = rest.find('{') {
        if open > 0 {
            parts.push(TemplatePart::Text(rest[..open].to_string()));
        }
        let close = rest[open..].find('}').ok_or_else(|| line_err(text, s.span()).msg("unclosed `{` in text".into()))? + open;
        parts.push(match &rest[open + 1..close] {
            "residence" => TemplatePart::Residence,
            "hukou" => TemplatePart::Hukou,
            other => {
                return Err(line_err(text, s.span()).msg(format!("unknown placeholder `{{{other}}}` (use {{residence}} or {{hukou}})")));
            }
        });
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        parts.push(TemplatePart::Text(rest.to_string()));
    }
    Ok(Template { parts })
}

fn texts(text: &str, zh: &S<String>, en: &S<String>) -> Result<Texts, Fail> {
    Ok(Texts { zh: template(text, zh)?, en: template(text, en)? })
}

/// Parses, validates and compiles one policy file; returns the policy and the line of its
/// `effective_from` (for errors about overlapping versions).
pub(crate) fn load_file(text: &str) -> Result<(Policy, usize), Fail> {
    let raw: RawFile = toml::from_str(text)
        .map_err(|e| Fail { line: e.span().map(|s| line_of(text, s.start)).unwrap_or(0), message: e.message().trim().to_string() })?;
    let h = &raw.policy;
    let from = date(text, &h.effective_from)?;
    let to = opt_date(text, &h.effective_to)?;
    if to.is_some_and(|t| t < from) {
        return Err(line_err(text, h.effective_from.span()).msg("policy effective_to is before effective_from".into()));
    }

    // Departments.
    let mut departments = Vec::new();
    let mut dept_codes = HashSet::new();
    for d in &raw.departments {
        let r = d.get_ref();
        if !dept_codes.insert(r.code.get_ref().clone()) {
            return Err(line_err(text, r.code.span()).msg(format!("duplicate department `{}`", r.code.get_ref())));
        }
        departments.push(Department { code: r.code.get_ref().clone(), name_zh: r.name_zh.clone(), name_en: r.name_en.clone() });
    }
    let dept = |s: &S<String>| -> Result<String, Fail> {
        if dept_codes.contains(s.get_ref()) {
            Ok(s.get_ref().clone())
        } else {
            Err(line_err(text, s.span()).msg(format!("unknown department `{}`", s.get_ref())))
        }
    };

    // Parameters: one timeline per name, in first-seen order.
    let mut parameters: Vec<Parameter> = Vec::new();
    let mut param_idx: HashMap<String, usize> = HashMap::new();
    let mut param_lines: Vec<Vec<(NaiveDate, Option<NaiveDate>, usize)>> = Vec::new();
    let mut value_lines: Vec<Vec<usize>> = Vec::new();
    for p in &raw.parameters {
        let r = p.get_ref();
        let name = r.name.get_ref();
        if !UNITS.contains(&r.unit.get_ref().as_str()) {
            return Err(line_err(text, r.unit.span()).msg(format!("unknown unit `{}` (one of {})", r.unit.get_ref(), UNITS.join(", "))));
        }
        let pf = opt_date(text, &r.effective_from)?.unwrap_or(from);
        let pt = match &r.effective_to {
            Some(d) => Some(date(text, d)?),
            None => to,
        };
        let idx = *param_idx.entry(name.clone()).or_insert_with(|| {
            parameters.push(Parameter { name: name.clone(), unit: r.unit.get_ref().clone(), source: r.source.clone(), values: Vec::new() });
            param_lines.push(Vec::new());
            value_lines.push(Vec::new());
            parameters.len() - 1
        });
        let line = line_of(text, r.effective_from.as_ref().map(|d| d.span().start).unwrap_or(r.name.span().start));
        parameters[idx].values.push(DatedValue { from: pf, to: pt, value: *r.value.get_ref() });
        param_lines[idx].push((pf, pt, line));
        value_lines[idx].push(line_of(text, r.value.span().start));
    }
    for (i, p) in parameters.iter_mut().enumerate() {
        check_timeline(&format!("parameter `{}`", p.name), &mut param_lines[i], from, to, true)?;
        p.values.sort_by_key(|v| v.from);
    }

    // Conditions.
    let mut whole = Vec::new();
    let mut cx = CompileCtx {
        text,
        params: &param_idx,
        parameters: &parameters,
        whole_params: &mut whole,
        allow_in_scope: false,
        measure: &raw.scope.measure,
        default_clause: &raw.scope.clause,
    };
    let platform = compile(&raw.scope.platform, &mut cx)?;
    let scope_cond = compile(&raw.scope.condition, &mut cx)?;
    let scope = ScopeRule { measure: raw.scope.measure.clone(), clause: raw.scope.clause.clone(), platform, condition: scope_cond };

    let mut entitlements = Vec::new();
    let mut codes = HashSet::new();
    for e in &raw.entitlements {
        let r = e.get_ref();
        let code = r.code.get_ref();
        if !codes.insert(code.clone()) {
            return Err(line_err(text, r.code.span()).msg(format!("duplicate entitlement `{code}`")));
        }
        if !MEASURES.contains(&r.measure.get_ref().as_str()) {
            return Err(line_err(text, r.measure.span()).msg(format!("unknown measure `{}` (expected (一) … (十三))", r.measure.get_ref())));
        }
        let handled_at = HandlingPlace::parse(r.handled_at.get_ref()).ok_or_else(|| {
            line_err(text, r.handled_at.span())
                .msg(format!("unknown handled_at `{}` (residence, hukou, residence_with_hukou, none)", r.handled_at.get_ref()))
        })?;
        let lead_department = dept(&r.lead_department)?;
        let coordinating_departments = r.coordinating_departments.iter().map(dept).collect::<Result<Vec<_>, _>>()?;
        let routing = match (&r.routing, *r.requestable.get_ref()) {
            (None, true) => {
                return Err(line_err(text, r.requestable.span()).msg(format!("entitlement `{code}` is requestable but has no routing")));
            }
            (Some(ro), false) => {
                return Err(line_err(text, ro.span()).msg(format!("entitlement `{code}` has routing but is not requestable")));
            }
            (None, false) => None,
            (Some(ro), true) => Some(routing(text, ro.get_ref(), &dept, &param_idx, &parameters)?),
        };
        let documents = r
            .documents
            .iter()
            .map(|d| {
                DocumentType::parse(d.get_ref())
                    .ok_or_else(|| line_err(text, d.span()).msg(format!("unknown document type `{}`", d.get_ref())))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if *r.requestable.get_ref() && documents.is_empty() {
            return Err(line_err(text, r.requestable.span()).msg(format!("requestable entitlement `{code}` lists no documents")));
        }
        let mut cx = CompileCtx {
            text,
            params: &param_idx,
            parameters: &parameters,
            whole_params: &mut whole,
            allow_in_scope: true,
            measure: r.measure.get_ref(),
            default_clause: r.clause.get_ref(),
        };
        let condition: Node = compile(&r.condition, &mut cx)?;
        entitlements.push(Entitlement {
            code: code.clone(),
            name_zh: r.name_zh.clone(),
            name_en: r.name_en.clone(),
            measure: r.measure.get_ref().clone(),
            clause: r.clause.get_ref().clone(),
            lead_department,
            coordinating_departments,
            handled_at,
            requestable: *r.requestable.get_ref(),
            bookable: r.bookable,
            routing,
            next_step: texts(text, &r.next_step_zh, &r.next_step_en)?,
            cross_province_service: r.cross_province_service,
            documents,
            otherwise: match (&r.otherwise_zh, &r.otherwise_en) {
                (Some(zh), Some(en)) => Some(texts(text, zh, en)?),
                (None, None) => None,
                (Some(s), None) | (None, Some(s)) => {
                    return Err(line_err(text, s.span()).msg("`otherwise_zh` and `otherwise_en` go together".into()));
                }
            },
            extra_step: r.extra_step.as_ref().map(|x| extra_step(text, x)).transpose()?,
            condition,
        });
    }
    let measures = coverage::measures(text, &raw.measures, &dept_codes, &entitlements)?;
    for (idx, offset) in whole {
        if let Some((i, v)) =
            parameters[idx].values.iter().enumerate().find(|(_, v)| v.value < 0.0 || v.value.fract() != 0.0 || v.value > 1000.0)
        {
            let line = value_lines[idx].get(i).copied().unwrap_or_else(|| line_of(text, offset));
            return Err(Fail {
                line,
                message: format!(
                    "parameter `{}` must be a whole number of {} (found {})",
                    parameters[idx].name, parameters[idx].unit, v.value
                ),
            });
        }
    }

    let t = &raw.texts;
    let policy = Policy {
        version: h.version.get_ref().clone(),
        title_zh: h.title_zh.clone(),
        title_en: h.title_en.clone(),
        source: h.source.clone(),
        effective_from: from,
        effective_to: to,
        departments,
        parameters,
        central_urban_areas: CentralUrbanAreas {
            quote: raw.central_urban_area.quote.get_ref().clone(),
            file: String::new(),
            lists: Vec::new(),
        },
        entitlements,
        measures,
        texts: PolicyTexts {
            in_scope: texts(text, &t.in_scope_zh, &t.in_scope_en)?,
            not_in_scope: texts(text, &t.not_in_scope_zh, &t.not_in_scope_en)?,
            outside_platform: texts(text, &t.outside_platform_zh, &t.outside_platform_en)?,
            cross_province: texts(text, &t.cross_province_zh, &t.cross_province_en)?,
            cross_province_coordination: texts(text, &t.cross_province_coordination_zh, &t.cross_province_coordination_en)?,
        },
        scope,
    };
    Ok((policy, line_of(text, h.effective_from.span().start)))
}

fn extra_step(text: &str, x: &S<RawExtraStep>) -> Result<ExtraStep, Fail> {
    let r = x.get_ref();
    let unless_true = FactId::from_api_name(r.unless_true.get_ref())
        .filter(|f| f.kind() == FactKind::Bool)
        .ok_or_else(|| line_err(text, r.unless_true.span()).msg(format!("`{}` is not a yes/no fact", r.unless_true.get_ref())))?;
    Ok(ExtraStep { unless_true, text: texts(text, &r.zh, &r.en)? })
}

fn routing(
    text: &str,
    r: &RawRouting,
    dept: &dyn Fn(&S<String>) -> Result<String, Fail>,
    idx: &HashMap<String, usize>,
    params: &[Parameter],
) -> Result<RoutingSpec, Fail> {
    let param = |s: &S<String>, share: bool| -> Result<Parameter, Fail> {
        let p = idx
            .get(s.get_ref())
            .map(|&i| &params[i])
            .ok_or_else(|| line_err(text, s.span()).msg(format!("routing refers to nothing: no parameter `{}`", s.get_ref())))?;
        let ok = |v: f64| if share { v > 0.0 && v < 1.0 } else { v >= 1.0 && v.fract() == 0.0 };
        if let Some(v) = p.values.iter().find(|v| !ok(v.value)) {
            let want = if share { "a share between 0 and 1" } else { "a whole number of working days ≥ 1" };
            return Err(line_err(text, s.span()).msg(format!("parameter `{}` must be {want} (found {})", p.name, v.value)));
        }
        Ok(p.clone())
    };
    Ok(RoutingSpec {
        queue_department: dept(&r.queue_department)?,
        first_response_working_days: param(&r.first_response_working_days, false)?,
        resolution_working_days: param(&r.resolution_working_days, false)?,
        high_risk_resolution_working_days: param(&r.high_risk_resolution_working_days, false)?,
        warn_share: param(&r.warn_share, true)?,
    })
}
