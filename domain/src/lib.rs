//! Pure Tongxin domain logic: administrative divisions, calendar conventions, the policy as
//! versioned data, and the eligibility engine. No I/O, no clock, no async — the server passes
//! everything in, so every decision is reproducible and testable.

pub mod calendar;
pub mod claim;
pub mod credit_code;
pub mod date_windows;
pub mod documents;
pub mod eligibility;
pub mod facts;
pub mod identity;
pub mod input;
pub mod language;
pub mod lifecycle;
pub mod monitoring;
pub mod phone;
pub mod policy;
pub mod regions;
pub mod routing;
pub mod rubric;
pub mod text;
pub mod workdays;

pub use policy::HandlingPlace;
