//! The service catalogue: the entitlements of the basic service list as GraphQL shows them, in
//! `serviceCatalog`, in `policyCoverage` and wherever a screening names one.

use async_graphql::{Enum, SimpleObject};

use super::reference::Department;
use crate::error::Lang;

/// Which place handles an entitlement.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum HandlingPlace {
    /// The residence county.
    Residence,
    /// The hukou county.
    Hukou,
    /// The residence county, coordinating with the hukou place.
    ResidenceWithHukou,
    /// No place (information items).
    None,
}

impl From<domain::HandlingPlace> for HandlingPlace {
    fn from(h: domain::HandlingPlace) -> Self {
        match h {
            domain::HandlingPlace::Residence => HandlingPlace::Residence,
            domain::HandlingPlace::Hukou => HandlingPlace::Hukou,
            domain::HandlingPlace::ResidenceWithHukou => HandlingPlace::ResidenceWithHukou,
            domain::HandlingPlace::None => HandlingPlace::None,
        }
    }
}

/// An entitlement of the basic service list.
#[derive(SimpleObject)]
pub struct Entitlement {
    /// Code.
    pub code: String,
    /// Name in the request's language.
    pub name: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Measure, e.g. `(四)`.
    pub measure: String,
    /// Quoted clause.
    pub clause: String,
    /// Responsible departments, lead first.
    pub departments: Vec<Department>,
    /// Which place handles it.
    pub handled_at: HandlingPlace,
    /// A request can be filed for it.
    pub requestable: bool,
    /// Sessions can be booked for it.
    pub bookable: bool,
}

impl Entitlement {
    /// The catalogue entry of a policy entitlement, named in `l`.
    pub fn of(e: &domain::policy::Entitlement, l: Lang) -> Self {
        Entitlement {
            code: e.code.clone(),
            name: l.pick(&e.name_zh, &e.name_en).to_owned(),
            name_zh: e.name_zh.clone(),
            name_en: e.name_en.clone(),
            measure: e.measure.clone(),
            clause: e.clause.clone(),
            departments: e.departments().filter_map(|d| Department::by_code(d, l)).collect(),
            handled_at: e.handled_at.into(),
            requestable: e.requestable,
            bookable: e.bookable,
        }
    }
}
