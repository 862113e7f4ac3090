//! Every version of the policy, and the one in force on a day. Why versions side by side: a
//! decision must be reproducible on any later day with the rules of the day it was made.

use super::central::{self, GUIZHOU_CENTRAL_DISTRICTS};
use super::diagnostics::PolicyError;
use super::load;
use super::model::Policy;
use crate::regions::Divisions;

/// The policy file shipped with the code, for tools and tests that do not read `policy/`.
pub const GUIZHOU_2025: (&str, &str) = ("policy/guizhou-2025.toml", include_str!("../../../policy/guizhou-2025.toml"));

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
