//! Administrative divisions (GB/T 2260 codes, National Bureau of Statistics 2023-06-30).
//!
//! Why a dedicated index: every eligibility decision compares places (same county? same city?
//! inside Guizhou?) and every staff queue check asks "does this region contain that county?".
//! Both happen per request, so the CSV is parsed once into hash maps and the lookups are O(1)
//! (ancestor walks are at most four steps).
//!
//! Quirk of the source data: a prefecture-level city without counties (东莞 441900, 中山 442000,
//! 儋州 460400) appears twice with the same code, once as `prefecture` and once as `county` whose
//! parent is itself. [`Divisions::get`] returns the higher level row; [`Divisions::is_county`]
//! knows about the county row, so such a code is a valid county-level place.

mod check;
mod county;
mod division;
mod index;

pub use county::{GuizhouCounty, NotAGuizhouCounty};
pub use division::{Division, DivisionsError, GUIZHOU, Level};
pub use index::Divisions;
