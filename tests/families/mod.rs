//! Households, children's records, consent and the protection of minors' personal data, through
//! GraphQL as the app and the staff console call them.

mod consent;
mod household;
mod records;
mod scenario;
