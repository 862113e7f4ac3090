//! Policy as data: versioned TOML files (`policy/*.toml`) holding every entitlement of the basic
//! service list, its clause, departments, handling place, conditions and routing.
//!
//! Why data and not code: the policy text leaves numbers to local rules (age bands, deadlines,
//! central urban areas) and will be revised; a revision must be a reviewed data change with
//! effective dates, so that a decision made on any day can be reproduced later
//! ([`PolicySet::version_at`]). The loader is strict — unknown facts, departments, parameters,
//! overlapping effective ranges, requestable entitlements without routing — and every error names
//! the file and line, so a bad file stops the server at start-up instead of misleading families.
//!
//! # File format (see `policy/guizhou-2025.toml` for the full example)
//!
//! ```toml
//! [policy]            # version, title_zh, title_en, effective_from, optional effective_to
//! [texts]             # in_scope_*, not_in_scope_*, outside_platform_*, cross_province_* (zh/en)
//! [[department]]      # code, name_zh, name_en
//! [[parameter]]       # name, value, unit (years|months|working_days|grade|share), source,
//!                     # optional effective_from/effective_to (default: the policy's range);
//!                     # several entries with one name form a timeline (no overlap, no gap)
//! [central_urban_area]            # quote (the lists: policy/local/central-urban-districts.toml)
//! [scope]             # measure, clause, platform = {condition}, condition = {condition}
//! [[entitlement]]     # code, name_zh, name_en, measure, clause, lead_department,
//!                     # coordinating_departments, handled_at, requestable, bookable,
//!                     # routing = { queue_department, first_response_working_days, ... },
//!                     # next_step_zh, next_step_en ({residence}/{hukou} placeholders),
//!                     # condition = { kind = "...", ... } (kinds: see `condition` module docs),
//!                     # optional cross_province_service, otherwise_zh/en, extra_step,
//!                     # documents = ["residence_permit", ...] (required when requestable)
//! [[measure]]         # code, title, title_en, departments, responsibility (verbatim),
//!                     # [[measure.duty]] kind (monitoring|platform|outside), quote, zh, en, departments
//! ```

mod central;
mod condition;
mod coverage;
mod load;
mod model;
mod raw;

pub use central::{CentralUrbanAreas, CentralUrbanList, GUIZHOU_CENTRAL_DISTRICTS, ListStatus};
pub(crate) use condition::{Cond, Node, requires_scope};
pub use model::*;

use crate::regions::Divisions;

/// The policy file shipped with the code, for tools and tests that do not read `policy/`.
pub const GUIZHOU_2025: (&str, &str) = ("policy/guizhou-2025.toml", include_str!("../../../policy/guizhou-2025.toml"));

/// A policy file that does not validate. Displays as `file:line: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct PolicyError {
    pub file: String,
    /// 1-based line in `file` (0 when the problem is not tied to a line).
    pub line: usize,
    pub message: String,
}

/// Every policy version, sorted by effective date, never overlapping.
#[derive(Debug, Clone)]
pub struct PolicySet {
    versions: Vec<Policy>,
}

impl PolicySet {
    /// Loads and validates `(file name, TOML text)` pairs, one version per file, with the central
    /// urban lists shipped with the code.
    pub fn load(sources: &[(&str, &str)], divisions: &Divisions) -> Result<PolicySet, PolicyError> {
        PolicySet::load_with(sources, GUIZHOU_CENTRAL_DISTRICTS, divisions)
    }

    /// [`PolicySet::load`] with the central urban lists read from `central` (file name, text).
    pub fn load_with(sources: &[(&str, &str)], central: (&str, &str), divisions: &Divisions) -> Result<PolicySet, PolicyError> {
        let mut loaded = Vec::new();
        for (file, text) in sources {
            let (policy, line) =
                load::load_file(text).map_err(|f| PolicyError { file: file.to_string(), line: f.line, message: f.message })?;
            loaded.push((policy, *file, line));
        }
        if loaded.is_empty() {
            return Err(PolicyError { file: String::new(), line: 0, message: "no policy file".into() });
        }
        loaded.sort_by_key(|(p, _, _)| p.effective_from);
        for w in loaded.windows(2) {
            let (a, b) = (&w[0], &w[1]);
            if a.0.version == b.0.version {
                return Err(PolicyError {
                    file: b.1.to_string(),
                    line: b.2,
                    message: format!("policy version `{}` is also defined in {}", b.0.version, a.1),
                });
            }
            if a.0.effective_to.is_none_or(|t| t >= b.0.effective_from) {
                return Err(PolicyError {
                    file: b.1.to_string(),
                    line: b.2,
                    message: format!("effective range of policy `{}` overlaps policy `{}` ({}:{})", b.0.version, a.0.version, a.1, a.2),
                });
            }
        }
        let from = loaded[0].0.effective_from;
        let mut versions: Vec<Policy> = loaded.into_iter().map(|(p, _, _)| p).collect();
        for p in &mut versions {
            p.central_urban_areas = central::load(central.0, central.1, &p.central_urban_areas.quote, divisions, from)?;
        }
        Ok(PolicySet { versions })
    }

    /// Loads the policy shipped with the code ([`GUIZHOU_2025`]).
    pub fn builtin(divisions: &Divisions) -> Result<PolicySet, PolicyError> {
        PolicySet::load(&[GUIZHOU_2025], divisions)
    }

    /// The version in force on `date`, if any.
    pub fn version_at(&self, date: chrono::NaiveDate) -> Option<&Policy> {
        self.versions.iter().find(|p| p.covers(date))
    }

    /// The most recent version (by effective date).
    pub fn latest(&self) -> &Policy {
        // `load` guarantees at least one version.
        &self.versions[self.versions.len() - 1]
    }

    /// Every version, oldest first.
    pub fn versions(&self) -> &[Policy] {
        &self.versions
    }

    /// A version by its name.
    pub fn version(&self, version: &str) -> Option<&Policy> {
        self.versions.iter().find(|p| p.version == version)
    }
}
