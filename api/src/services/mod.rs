//! Use cases: validate, authorize against data, persist. Each takes `&impl ConnectionTrait` or the
//! state and returns `AppResult`; none knows about GraphQL or HTTP.

pub mod accounts;
pub mod audit;
pub mod booking_keys;
pub mod booking_seats;
pub mod bookings;
pub mod child_access;
pub mod child_record;
pub mod child_rights;
pub mod child_store;
pub mod child_validation;
pub mod children;
pub mod claims;
pub mod consent;
pub mod directory;
pub mod divisions;
pub mod documents;
pub mod erasure;
pub mod families;
pub mod identities;
pub mod key_care;
pub mod key_checks;
pub mod key_rotation;
pub mod phone_codes;
pub mod reference;
pub mod register;
pub mod request_records;
pub mod requests;
pub mod scope;
pub mod statistics;
pub mod text;
