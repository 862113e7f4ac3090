//! The migrant-children register of measure (一): children found in grassroots screening (摸排)
//! by child directors and supervisors (`enrol`), the six-monthly verification of every record
//! (半年比对核实, `verification`) with its due list and daily reminder (`due`), and the mark on
//! open requests of a child who turned 16 (`aged_out`). Not the eligibility screening: that is
//! `domain::eligibility`.
//!
//! This module only declares and re-exports; the pieces import each other by their full path.

pub mod aged_out;
pub mod due;
pub mod enrol;
pub mod verification;

pub use self::{
    aged_out::mark_aged_out,
    due::{china_midnight, due, notify_due},
    enrol::{PaperConsent, register_screened},
    verification::{Corrections, verifications, verify},
};
pub use super::{
    claims::screening_of,
    consent::{governing_consents, paper_consent_in_force},
    scope::{area, living_in, require_monitor},
};
