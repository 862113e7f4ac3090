//! Reference knowledge loaded at start-up: administrative divisions, departments and the policy
//! versions. A policy file that does not validate stops the server with the file and line.

use std::{
    path::{Path, PathBuf},
    sync::{Arc, RwLock},
};

use domain::{policy::PolicySet, regions::Divisions, rubric::Rubric, workdays::WorkCalendar};

/// Divisions, departments and policy, shared read-only by every request.
pub struct Reference {
    /// Administrative divisions (compiled in from `data/divisions.csv`).
    pub divisions: Divisions,
    /// Every policy version found in `POLICY_DIR`.
    pub policy: PolicySet,
    /// Working days and public holidays, from `CALENDAR_FILE`; replaced whole by a reload.
    calendar: RwLock<Arc<WorkCalendar>>,
    calendar_file: PathBuf,
    /// The key-care risk rubric in force (`POLICY_DIR/rubrics/key-care-*.toml`, the latest version).
    pub rubric: Rubric,
}

impl Reference {
    /// Loads the divisions, every `*.toml` policy file of `dir` and the calendar file.
    pub fn load(dir: &Path, calendar_file: &Path) -> Result<Self, String> {
        let divisions = Divisions::from_csv(migration::reference::DIVISIONS_CSV).map_err(|e| format!("divisions.csv: {e}"))?;
        let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
            .map_err(|e| format!("POLICY_DIR {}: {e}", dir.display()))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .map(|p| {
                let text = std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
                Ok((p.display().to_string(), text))
            })
            .collect::<Result<_, String>>()?;
        if files.is_empty() {
            return Err(format!("POLICY_DIR {} holds no *.toml policy file", dir.display()));
        }
        files.sort();
        let sources: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
        // Central urban districts are a local list civil affairs confirms city by city; it lives
        // apart from the policy versions (POLICY_DIR/local/central-urban-districts.toml).
        let central_path = dir.join("local").join("central-urban-districts.toml");
        let central = std::fs::read_to_string(&central_path).map_err(|e| format!("{}: {e}", central_path.display()))?;
        let central_name = central_path.display().to_string();
        let policy = PolicySet::load_with(&sources, (&central_name, &central), &divisions).map_err(|e| e.to_string())?;
        let calendar = read_calendar(calendar_file)?;
        let rubric = load_rubric(&dir.join("rubrics"))?;
        Ok(Reference { divisions, policy, calendar: RwLock::new(Arc::new(calendar)), calendar_file: calendar_file.to_owned(), rubric })
    }

    /// The working-day calendar in force.
    pub fn calendar(&self) -> Arc<WorkCalendar> {
        self.calendar.read().map_or_else(|poisoned| poisoned.into_inner().clone(), |c| c.clone())
    }

    /// Reads `CALENDAR_FILE` again; an invalid file changes nothing and says why.
    pub fn reload_calendar(&self) -> Result<Arc<WorkCalendar>, String> {
        let fresh = Arc::new(read_calendar(&self.calendar_file)?);
        match self.calendar.write() {
            Ok(mut c) => *c = fresh.clone(),
            Err(poisoned) => *poisoned.into_inner() = fresh.clone(),
        }
        tracing::info!(covered_until = ?fresh.covered_until(), "working-day calendar reloaded");
        Ok(fresh)
    }
}

fn read_calendar(path: &Path) -> Result<WorkCalendar, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("CALENDAR_FILE {}: {e}", path.display()))?;
    WorkCalendar::from_toml(&text).map_err(|e| format!("CALENDAR_FILE {}: {e}", path.display()))
}

/// The key-care rubric: the last `key-care-*.toml` of `dir` in name order (names carry the year).
fn load_rubric(dir: &Path) -> Result<Rubric, String> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "toml") && p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("key-care-"))
        })
        .collect();
    files.sort();
    let path = files.pop().ok_or_else(|| format!("{} holds no key-care-*.toml rubric", dir.display()))?;
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    Rubric::from_toml(&text).map_err(|e| format!("{}: {e}", path.display()))
}
