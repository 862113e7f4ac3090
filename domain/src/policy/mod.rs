//! Policy as data: versioned TOML files (`policy/*.toml`) holding every entitlement of the basic
//! service list, its clause, departments, handling place, conditions and routing.
//!
//! Why data and not code: the policy text leaves numbers to local rules (age bands, deadlines,
//! central urban areas) and will be revised; a revision must be a reviewed data change with
//! effective dates, so that a decision made on any day can be reproduced later
//! ([`PolicySet::version_at`]). The loader is strict — unknown facts, departments, parameters,
//! overlapping effective ranges, requestable entitlements without routing — and every error names
//! the file and line, so a bad file stops the server at start-up instead of misleading families.
//!
//! # File format (see `policy/guizhou-2025.toml` for the full example)
//!
//! ```toml
//! [policy]            # version, title_zh, title_en, effective_from, optional effective_to
//! [texts]             # in_scope_*, not_in_scope_*, outside_platform_*, cross_province_* (zh/en)
//! [[department]]      # code, name_zh, name_en
//! [[parameter]]       # name, value, unit (years|months|working_days|grade|share), source,
//!                     # optional effective_from/effective_to (default: the policy's range);
//!                     # several entries with one name form a timeline (no overlap, no gap)
//! [central_urban_area]            # quote (the lists: policy/local/central-urban-districts.toml)
//! [scope]             # measure, clause, platform = {condition}, condition = {condition}
//! [[entitlement]]     # code, name_zh, name_en, measure, clause, lead_department,
//!                     # coordinating_departments, handled_at, requestable, bookable,
//!                     # routing = { queue_department, first_response_working_days, ... },
//!                     # next_step_zh, next_step_en ({residence}/{hukou} placeholders),
//!                     # condition = { kind = "...", ... } (kinds: see `condition` module docs),
//!                     # optional cross_province_service, otherwise_zh/en, extra_step,
//!                     # documents = ["residence_permit", ...] (required when requestable)
//! [[measure]]         # code, title, title_en, departments, responsibility (verbatim),
//!                     # [[measure.duty]] kind (monitoring|platform|outside), quote, zh, en, departments
//! ```

mod central;
mod condition;
mod coverage;
mod dates;
mod diagnostics;
mod load;
mod model;
mod parameter;
mod raw;
mod routing;
mod rule;
mod set;
mod texts;

pub use central::{CentralUrbanAreas, CentralUrbanList, GUIZHOU_CENTRAL_DISTRICTS, ListStatus};
pub(crate) use condition::{Cond, Node, requires_scope};
pub use diagnostics::PolicyError;
pub use model::{Department, Duty, DutyKind, Entitlement, ExtraStep, HandlingPlace, MeasureCoverage, Policy};
pub use parameter::{DatedValue, Parameter};
pub use routing::{Routing, RoutingSpec};
pub use rule::{RuleBasis, RuleKind};
pub use set::{GUIZHOU_2025, PolicySet};
pub use texts::{PolicyTexts, Template, Texts};
