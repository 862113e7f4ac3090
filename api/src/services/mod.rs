//! Use cases: validate, authorize against data, persist. Each takes `&impl ConnectionTrait` or the
//! state and returns `AppResult`; none knows about GraphQL or HTTP.

pub mod accounts;
pub mod audit;
// pub mod bookings; (wired when families lands)
pub mod directory;
pub mod reference;
