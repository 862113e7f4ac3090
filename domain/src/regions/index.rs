//! Lookups over the loaded divisions: by code, up the hierarchy, down to children.

use std::collections::HashMap;

use super::check;
use super::division::{Division, DivisionsError, GUIZHOU, Level};

/// Read-only index over the divisions; build once at start-up and share.
#[derive(Debug, Clone, Default)]
pub struct Divisions {
    rows: Vec<Division>,
    /// code → the highest-level row with that code.
    by_code: HashMap<String, usize>,
    /// code → its county row, when there is one (also for the duplicated city codes).
    county_rows: HashMap<String, usize>,
    /// parent code → child row indices, in file order.
    children: HashMap<String, Vec<usize>>,
}

impl Divisions {
    /// Parses `code,name,level,parent_code` lines (header optional, CRLF tolerated, no quoting)
    /// and refuses a file whose rows do not form the hierarchy (see `check::hierarchy`).
    pub fn from_csv(text: &str) -> Result<Divisions, DivisionsError> {
        let mut d = Divisions::default();
        let mut lines = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim_end_matches('\r').trim();
            if line.is_empty() || (i == 0 && line.starts_with("code,")) {
                continue;
            }
            let err = |message: String| DivisionsError { line: i + 1, message };
            let cols: Vec<&str> = line.split(',').map(str::trim).collect();
            if cols.len() != 4 {
                return Err(err(format!("expected 4 columns, found {}", cols.len())));
            }
            let level = Level::parse(cols[2]).ok_or_else(|| err(format!("unknown level `{}`", cols[2])))?;
            if cols[0].is_empty() || !cols[0].bytes().all(|b| b.is_ascii_digit()) {
                return Err(err(format!("invalid code `{}`", cols[0])));
            }
            let parent_code = (!cols[3].is_empty()).then(|| cols[3].to_string());
            if level != Level::Province && parent_code.is_none() {
                return Err(err(format!("`{}` has no parent", cols[0])));
            }
            let idx = d.rows.len();
            lines.push(i + 1);
            d.rows.push(Division { code: cols[0].to_string(), name: cols[1].to_string(), level, parent_code });
            let code = cols[0].to_string();
            if level == Level::County {
                d.county_rows.insert(code.clone(), idx);
            }
            match d.by_code.get(&code) {
                Some(&old) if d.rows[old].level <= level => {}
                _ => {
                    d.by_code.insert(code, idx);
                }
            }
            if let Some(p) = &d.rows[idx].parent_code
                && *p != d.rows[idx].code
            {
                d.children.entry(p.clone()).or_default().push(idx);
            }
        }
        check::hierarchy(&d.rows, &lines)?;
        Ok(d)
    }

    /// Every row in file order (a city without counties twice: prefecture, then county).
    pub fn rows(&self) -> &[Division] {
        &self.rows
    }

    /// The division with this code (the higher level one for duplicated city codes).
    pub fn get(&self, code: &str) -> Option<&Division> {
        self.by_code.get(code).map(|&i| &self.rows[i])
    }

    /// Number of rows loaded.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when nothing was loaded.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// True for county-level codes (districts, counties, county-level cities, and the cities
    /// without counties such as 东莞): the only codes accepted for hukou and residence places.
    pub fn is_county(&self, code: &str) -> bool {
        self.county_rows.contains_key(code)
    }

    /// Row used to walk upwards from `code`: its county row if any, else its only row.
    fn start(&self, code: &str) -> Option<&Division> {
        self.county_rows.get(code).or_else(|| self.by_code.get(code)).map(|&i| &self.rows[i])
    }

    /// Walks from `code` (inclusive) up to the province; at most five steps, cycle-safe.
    fn ancestors<'a>(&'a self, code: &str) -> impl Iterator<Item = &'a Division> + 'a {
        let mut next = self.start(code);
        let mut steps = 0;
        std::iter::from_fn(move || {
            let cur = next?;
            steps += 1;
            next = match &cur.parent_code {
                Some(p) if steps < 6 && *p != cur.code => self.get(p),
                Some(p) if steps < 6 && cur.level == Level::County => self.get(p).filter(|d| d.level < Level::County),
                _ => None,
            };
            Some(cur)
        })
    }

    /// The prefecture-level division containing `code` (itself if it is one).
    pub fn prefecture_of(&self, code: &str) -> Option<&Division> {
        self.ancestors(code).find(|d| d.level == Level::Prefecture)
    }

    /// The province containing `code` (itself if it is one).
    pub fn province_of(&self, code: &str) -> Option<&Division> {
        self.ancestors(code).find(|d| d.level == Level::Province)
    }

    /// The county-level division containing `code` (itself if it is one); townships map to it.
    pub fn county_of(&self, code: &str) -> Option<&Division> {
        self.ancestors(code).find(|d| d.level == Level::County)
    }

    /// True when `code` lies in Guizhou: only such residence places are served by the platform.
    pub fn in_guizhou(&self, code: &str) -> bool {
        self.province_of(code).is_some_and(|p| p.code == GUIZHOU)
    }

    /// Region scope check used for staff visibility: true when `code` equals `ancestor` or lies
    /// anywhere below it. Unknown codes are contained in nothing.
    pub fn contains(&self, ancestor: &str, code: &str) -> bool {
        self.ancestors(code).any(|d| d.code == ancestor)
    }

    /// Direct children of `parent`, in file (code) order.
    pub fn children(&self, parent: &str) -> Vec<&Division> {
        self.children.get(parent).map(|v| v.iter().map(|&i| &self.rows[i]).collect()).unwrap_or_default()
    }

    /// All provinces, in code order.
    pub fn provinces(&self) -> Vec<&Division> {
        self.rows.iter().filter(|d| d.level == Level::Province).collect()
    }

    /// Display name "贵阳市南明区" (prefecture + county) so that county names that repeat across
    /// the country are unambiguous; falls back to the bare name.
    pub fn display_name(&self, code: &str) -> String {
        let Some(d) = self.start(code) else { return code.to_string() };
        match self.prefecture_of(code) {
            Some(p) if p.code != d.code && p.name != "市辖区" && !p.name.contains("直辖") => format!("{}{}", p.name, d.name),
            _ => d.name.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn divisions() -> Divisions {
        Divisions::from_csv(include_str!("../../../data/divisions.csv")).expect("divisions")
    }

    #[test]
    fn hierarchy_lookups() {
        let d = divisions();
        assert!(d.is_county("520102"));
        assert!(!d.is_county("520100"));
        assert!(!d.is_county("520102016"));
        assert_eq!(d.prefecture_of("520102").map(|p| p.code.as_str()), Some("520100"));
        assert_eq!(d.province_of("520102016").map(|p| p.code.as_str()), Some("520000"));
        assert_eq!(d.county_of("520102016").map(|p| p.code.as_str()), Some("520102"));
        assert!(d.in_guizhou("520102"));
        assert!(!d.in_guizhou("110101"));
        assert!(d.contains("520000", "520102016"));
        assert!(d.contains("520100", "520102"));
        assert!(d.contains("520102", "520102"));
        assert!(!d.contains("520200", "520102"));
        assert!(d.children("520100").iter().any(|c| c.code == "520102"));
        assert_eq!(d.display_name("520102"), "贵阳市南明区");
    }

    #[test]
    fn city_without_counties_is_county_level() {
        let d = divisions();
        assert!(d.is_county("441900"));
        assert_eq!(d.get("441900").map(|x| x.level), Some(Level::Prefecture));
        assert_eq!(d.prefecture_of("441900").map(|p| p.code.as_str()), Some("441900"));
        assert_eq!(d.province_of("441900").map(|p| p.code.as_str()), Some("440000"));
        assert!(!d.in_guizhou("441900"));
    }

    const HEAD: &str = "code,name,level,parent_code\n520000,贵州省,province,\n520100,贵阳市,prefecture,520000\n";

    fn refused(rows: &str) -> DivisionsError {
        Divisions::from_csv(&format!("{HEAD}{rows}")).expect_err("refused")
    }

    #[test]
    fn a_file_that_breaks_the_hierarchy_is_refused_with_its_line() {
        assert!(Divisions::from_csv(&format!("{HEAD}520102,南明区,county,520100\n")).is_ok());
        let e = refused("520102,南明区,county,520100\n520199,新区,county,520900\n");
        assert_eq!(e.line, 5);
        assert!(e.message.contains("parent `520900`"), "{e}");
        assert!(refused("5201020,南明区,county,520100\n").message.contains("6 digits"));
        assert!(refused("520102,,county,520100\n").message.contains("no name"));
        assert!(refused("520102,南明区,county,520100\n520102,南明区,county,520100\n").message.contains("twice"));
        assert!(refused("520102,南明区,county,520000\n").message.contains("not a prefecture"));
        assert!(refused("530102,五华区,county,520100\n").message.contains("first 4 digits"));
        assert!(refused("520102016,街道,township,520100\n").message.contains("not a county"));
        let e = Divisions::from_csv("code,name,level,parent_code\n110000,北京市,province,\n").expect_err("no Guizhou");
        assert!(e.message.contains("520000"));
    }

    #[test]
    fn malformed_line_is_reported() {
        let e = Divisions::from_csv("code,name,level,parent_code\n520000,贵州省,state,\n").expect_err("bad level");
        assert_eq!(e.line, 2);
    }
}
