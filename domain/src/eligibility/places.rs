//! Place names as a family reads them. Why computed once and kept apart: the next steps, the
//! plain answers and the scope sentence all name the same two places, and formatting a display
//! name walks the divisions, so a screening does it once and every part borrows the result.

use crate::facts::Facts;
use crate::language::Lang;
use crate::policy::Template;
use crate::regions::Divisions;

/// Display names of the residence and hukou places, computed once per screening.
pub(crate) struct Places {
    pub(crate) residence: String,
    pub(crate) hukou: String,
}

impl Places {
    pub(crate) fn new(facts: &Facts, divisions: &Divisions, lang: Lang) -> Places {
        let name = |code: Option<&str>, zh: &str, en: &str| match code {
            Some(c) => divisions.display_name(c),
            None => (if lang == Lang::Zh { zh } else { en }).to_string(),
        };
        Places {
            residence: name(facts.residence_region_code.as_deref(), "居住地", "your place of residence"),
            hukou: name(facts.hukou_region_code.as_deref(), "户籍地", "your hukou place"),
        }
    }

    pub(crate) fn render(&self, t: &Template) -> String {
        t.render(&self.residence, &self.hukou)
    }
}
