//! The eligibility engine: who is a migrant child (measure (一)) and which entitlements of the
//! basic service list apply, explained condition by condition.
//!
//! Why three-valued: families often do not know (or do not want to say) everything. A rule whose
//! fact is unknown answers `NEEDS_INFO` and names the missing facts — never a guess. Conditions are
//! combined with Kleene logic (AND: any FAIL → FAIL, else any UNKNOWN → UNKNOWN; OR dually), which
//! is monotone: learning a fact can only turn UNKNOWN into PASS/FAIL, and forgetting one can only
//! turn a definite answer into UNKNOWN. So removing a fact never turns NOT_ELIGIBLE into ELIGIBLE.
//!
//! Pure: no I/O, no clock (the caller passes `as_of`), no async. The policy is precompiled by
//! [`crate::policy::PolicySet::load`]; a call only evaluates and formats the output strings.

mod conditions;
mod decision;
mod next_step;
mod outcome;
mod places;
pub mod plain;
mod scope;
mod screening;
mod trace;

pub use crate::facts::{self, FactError, FactId, FactKind, FactValue, Facts, validate};
pub use crate::language::Lang;
pub use decision::{CentralListUsed, EntitlementResult, ScopeDecision, ScreeningResult};
pub use outcome::{Outcome, TraceResult};
pub use plain::{MissingGroup, PlainAnswer};
pub use screening::{ScreenOptions, scope_of, screen, screen_with};
pub use trace::ConditionTrace;
