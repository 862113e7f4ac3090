//! The key-care ledger of measure (二) (重点关爱服务对象台账): children added for the reasons of
//! DOMAIN.md §6, risk assessed with the rubric kept as policy data (every assessment kept), care
//! measures assigned to a department and township with a due date, their follow-ups, and the
//! escalation of overdue measures one level up, as for requests.
//!
//! `ledger` holds the entries and assessments, `measures` the care measures, `escalation` the
//! job, `risk` what requests read. This module only declares them and keeps the public paths.

pub mod escalation;
pub mod ledger;
pub mod measures;
pub mod risk;

pub use escalation::escalate_overdue;
pub use ledger::{Assessment, add, assess, assessments, entry, ledger};
pub(crate) use measures::withdraw_for_child;
pub use measures::{NewMeasure, assign, follow_up, follow_ups, measures_of, my_measures, overdue};
pub use risk::{is_high_risk, level_code, reasons_of};
