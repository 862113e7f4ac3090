//! Whole-file checks of a divisions file, run after every line parsed. Why here and not only per
//! line: the operator edits the file by hand when codes change (撤县设区, renamed counties), and a
//! county whose parent is mistyped would silently fall out of every scope check (a director of the
//! prefecture would no longer see its children). So the file is refused with the line instead.

use std::collections::HashMap;

use super::division::{Division, DivisionsError, GUIZHOU, Level};

/// The code digits each level has and the code prefix it shares with its parent.
fn shape(level: Level) -> (usize, usize) {
    match level {
        Level::Province => (6, 0),
        Level::Prefecture => (6, 2),
        Level::County => (6, 4),
        Level::Township => (9, 6),
    }
}

/// Refuses a file whose rows do not form the hierarchy province ⊃ prefecture ⊃ county ⊃ township:
/// wrong code length for the level, a province code not ending in `0000`, an empty name, a code
/// listed twice (other than the cities without counties, listed as prefecture and as their own
/// county), a parent that is missing, of the wrong level, or whose code the child's does not
/// start with. `lines[i]` is the file line of `rows[i]`.
pub(super) fn hierarchy(rows: &[Division], lines: &[usize]) -> Result<(), DivisionsError> {
    let mut seen: HashMap<(&str, Level), usize> = HashMap::new();
    let mut by_code: HashMap<&str, Vec<&Division>> = HashMap::new();
    for (i, d) in rows.iter().enumerate() {
        let err = |message: String| DivisionsError { line: lines[i], message };
        let (digits, _) = shape(d.level);
        if d.code.len() != digits {
            return Err(err(format!("`{}`: a {} code has {digits} digits", d.code, d.level.as_str())));
        }
        if d.level == Level::Province && !d.code.ends_with("0000") {
            return Err(err(format!("province code `{}` must end in 0000", d.code)));
        }
        if d.name.is_empty() {
            return Err(err(format!("`{}` has no name", d.code)));
        }
        if let Some(first) = seen.insert((&d.code, d.level), lines[i]) {
            return Err(err(format!("`{}` is listed twice (first on line {first})", d.code)));
        }
        by_code.entry(&d.code).or_default().push(d);
    }
    for (i, d) in rows.iter().enumerate() {
        let err = |message: String| DivisionsError { line: lines[i], message };
        let Some(parent) = &d.parent_code else { continue };
        if *parent == d.code {
            // A city without counties is also its own county: allowed only next to its prefecture row.
            let ok = d.level == Level::County && by_code[d.code.as_str()].iter().any(|o| o.level == Level::Prefecture);
            if !ok {
                return Err(err(format!("`{}` is its own parent", d.code)));
            }
            continue;
        }
        let expected = match d.level {
            Level::Province => continue,
            Level::Prefecture => Level::Province,
            Level::County => Level::Prefecture,
            Level::Township => Level::County,
        };
        let Some(found) = by_code.get(parent.as_str()) else {
            return Err(err(format!("the parent `{parent}` of `{}` is not in the file", d.code)));
        };
        if !found.iter().any(|p| p.level == expected) {
            return Err(err(format!("the parent `{parent}` of `{}` is not a {}", d.code, expected.as_str())));
        }
        let (_, shared) = shape(d.level);
        if d.code[..shared] != parent[..shared] {
            return Err(err(format!("`{}` does not start with the first {shared} digits of its parent `{parent}`", d.code)));
        }
    }
    if !by_code.contains_key(GUIZHOU) {
        return Err(DivisionsError { line: 1, message: format!("Guizhou ({GUIZHOU}) is missing") });
    }
    Ok(())
}
