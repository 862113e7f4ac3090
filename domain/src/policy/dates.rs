//! Plain dates and effective ranges as the policy files write them. Why shared: parameters and
//! the central urban lists both form timelines that must neither overlap nor leave a day without
//! a value, and both are refused with the same messages.

use chrono::NaiveDate;
use toml::value::Datetime;

use super::diagnostics::{Fail, line_err};
use super::raw::S;

pub(crate) fn date(text: &str, d: &S<Datetime>) -> Result<NaiveDate, Fail> {
    let v = d.get_ref();
    let bad = || line_err(text, d.span()).msg(format!("`{v}` is not a plain date (YYYY-MM-DD)"));
    match (v.date, v.time, v.offset) {
        (Some(x), None, None) => NaiveDate::from_ymd_opt(x.year.into(), x.month.into(), x.day.into()).ok_or_else(bad),
        _ => Err(bad()),
    }
}

pub(crate) fn opt_date(text: &str, d: &Option<S<Datetime>>) -> Result<Option<NaiveDate>, Fail> {
    d.as_ref().map(|d| date(text, d)).transpose()
}

/// Checks that dated entries of one thing neither overlap nor leave a gap in `[from, to]`.
/// `entries`: (from, to, line). Returns the failure for the first offending entry.
pub(crate) fn check_timeline(
    what: &str,
    entries: &mut [(NaiveDate, Option<NaiveDate>, usize)],
    from: NaiveDate,
    to: Option<NaiveDate>,
    must_cover: bool,
) -> Result<(), Fail> {
    entries.sort_by_key(|e| e.0);
    for e in entries.iter() {
        if e.1.is_some_and(|t| t < e.0) {
            return Err(Fail { line: e.2, message: format!("{what}: effective_to is before effective_from") });
        }
    }
    for w in entries.windows(2) {
        let (a, b) = (w[0], w[1]);
        if a.1.is_none_or(|t| t >= b.0) {
            let (later, earlier) = if a.2 > b.2 { (a.2, b.2) } else { (b.2, a.2) };
            return Err(Fail { line: later, message: format!("{what}: effective range overlaps the one on line {earlier}") });
        }
        if must_cover && a.1.and_then(|t| t.succ_opt()) != Some(b.0) {
            return Err(Fail {
                line: b.2,
                message: format!("{what}: no value in force between {} and {}", a.1.map(|d| d.to_string()).unwrap_or_default(), b.0),
            });
        }
    }
    if must_cover && let (Some(first), Some(last)) = (entries.first(), entries.last()) {
        if first.0 > from {
            return Err(Fail { line: first.2, message: format!("{what}: no value in force from {from} (the policy's effective_from)") });
        }
        let uncovered = match (last.1, to) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(l), Some(t)) => l < t,
        };
        if uncovered {
            return Err(Fail {
                line: last.2,
                message: format!("{what}: no value in force after {}", last.1.map(|d| d.to_string()).unwrap_or_default()),
            });
        }
    }
    Ok(())
}
