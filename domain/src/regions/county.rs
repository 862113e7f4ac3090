//! A county-level code of Guizhou, known to the divisions: where an organization is registered
//! and a service is offered. Parsed once against the divisions loaded at start (or reloaded).

use super::index::Divisions;
use crate::input::Refusal;

/// A Guizhou county-level code that the divisions know.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GuizhouCounty(String);

/// The code is not a county-level division of Guizhou (or no division at all).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a county-level code in Guizhou")]
pub struct NotAGuizhouCounty;

impl Refusal for NotAGuizhouCounty {
    fn zh(&self) -> std::borrow::Cow<'static, str> {
        "须为贵州省的县级行政区划代码".into()
    }
    fn en(&self) -> std::borrow::Cow<'static, str> {
        "must be a county-level code in Guizhou".into()
    }
}

impl GuizhouCounty {
    /// The trimmed code, when it is a county-level division in Guizhou.
    pub fn parse(raw: &str, divisions: &Divisions) -> Result<GuizhouCounty, NotAGuizhouCounty> {
        let code = raw.trim();
        if divisions.is_county(code) && divisions.in_guizhou(code) { Ok(GuizhouCounty(code.to_owned())) } else { Err(NotAGuizhouCounty) }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_known_guizhou_county_passes() {
        let d = Divisions::from_csv(include_str!("../../../data/divisions.csv")).expect("divisions");
        assert_eq!(GuizhouCounty::parse(" 520102 ", &d).map(GuizhouCounty::into_string), Ok("520102".to_owned()));
        for bad in ["520100", "520000", "110101", "529999", "52010", ""] {
            assert_eq!(GuizhouCounty::parse(bad, &d), Err(NotAGuizhouCounty), "{bad:?}");
        }
        assert_eq!(NotAGuizhouCounty.zh(), "须为贵州省的县级行政区划代码");
    }
}
