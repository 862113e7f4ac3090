//! Reference knowledge loaded at start-up: administrative divisions, departments and the policy
//! versions. A policy file that does not validate stops the server with the file and line.
//!
//! The divisions and the calendar are files the operator updates without a rebuild; each is held
//! behind a lock as one `Arc` and replaced whole by a reload, so a request sees either the old or
//! the new data, never a mix. The policy names divisions (central urban districts) but keeps no
//! copy of them: it is checked against new divisions before they are accepted, not recompiled.

use std::{
    path::{Path, PathBuf},
    sync::{Arc, RwLock},
};

use domain::{policy::PolicySet, regions::Divisions, rubric::Rubric, workdays::WorkCalendar};

/// Divisions, departments and policy, shared read-only by every request.
pub struct Reference {
    /// Administrative divisions, from `DIVISIONS_FILE`; replaced whole by a reload.
    divisions: RwLock<Arc<Divisions>>,
    divisions_file: PathBuf,
    /// The policy files as read at start, to check new divisions against.
    policy_sources: Vec<(String, String)>,
    /// Every policy version found in `POLICY_DIR`.
    pub policy: PolicySet,
    /// Working days and public holidays, from `CALENDAR_FILE`; replaced whole by a reload.
    calendar: RwLock<Arc<WorkCalendar>>,
    calendar_file: PathBuf,
    /// The key-care risk rubric in force (`POLICY_DIR/rubrics/key-care-*.toml`, the latest version).
    pub rubric: Rubric,
    /// Held across a reload (file, database, swap), so a SIGHUP and a mutation never interleave.
    pub reload_lock: tokio::sync::Mutex<()>,
}

impl Reference {
    /// Loads the divisions file, every `*.toml` policy file of `dir` and the calendar file.
    pub fn load(dir: &Path, calendar_file: &Path, divisions_file: &Path) -> Result<Self, String> {
        let divisions = read_divisions(divisions_file)?;
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
        Ok(Reference {
            divisions: RwLock::new(Arc::new(divisions)),
            divisions_file: divisions_file.to_owned(),
            policy_sources: files,
            policy,
            calendar: RwLock::new(Arc::new(calendar)),
            calendar_file: calendar_file.to_owned(),
            rubric,
            reload_lock: tokio::sync::Mutex::new(()),
        })
    }

    /// The administrative divisions in force.
    pub fn divisions(&self) -> Arc<Divisions> {
        self.divisions.read().map_or_else(|poisoned| poisoned.into_inner().clone(), |d| d.clone())
    }

    /// Reads and checks `DIVISIONS_FILE` without putting it in force: the file must parse and
    /// form the hierarchy, and every policy version must still name real divisions.
    pub fn read_divisions_file(&self) -> Result<Divisions, String> {
        let fresh = read_divisions(&self.divisions_file)?;
        let sources: Vec<(&str, &str)> = self.policy_sources.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
        PolicySet::load(&sources, &fresh)
            .map_err(|e| format!("DIVISIONS_FILE {}: the policy no longer loads with it: {e}", self.divisions_file.display()))?;
        Ok(fresh)
    }

    /// Puts divisions read by [`Reference::read_divisions_file`] in force.
    pub fn set_divisions(&self, fresh: Arc<Divisions>) {
        match self.divisions.write() {
            Ok(mut d) => *d = fresh,
            Err(poisoned) => *poisoned.into_inner() = fresh,
        }
    }

    /// Reads and checks `CALENDAR_FILE` without putting it in force.
    pub fn read_calendar_file(&self) -> Result<WorkCalendar, String> {
        read_calendar(&self.calendar_file)
    }

    /// Puts a calendar in force.
    pub fn set_calendar(&self, fresh: Arc<WorkCalendar>) {
        match self.calendar.write() {
            Ok(mut c) => *c = fresh.clone(),
            Err(poisoned) => *poisoned.into_inner() = fresh.clone(),
        }
        tracing::info!(covered_until = ?fresh.covered_until(), "working-day calendar reloaded");
    }

    /// The working-day calendar in force.
    pub fn calendar(&self) -> Arc<WorkCalendar> {
        self.calendar.read().map_or_else(|poisoned| poisoned.into_inner().clone(), |c| c.clone())
    }

    /// Reads `CALENDAR_FILE` again; an invalid file changes nothing and says why.
    pub fn reload_calendar(&self) -> Result<Arc<WorkCalendar>, String> {
        let fresh = Arc::new(self.read_calendar_file()?);
        self.set_calendar(fresh.clone());
        Ok(fresh)
    }
}

fn read_divisions(path: &Path) -> Result<Divisions, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("DIVISIONS_FILE {}: {e}", path.display()))?;
    Divisions::from_csv(&text).map_err(|e| format!("DIVISIONS_FILE {}: {e}", path.display()))
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
