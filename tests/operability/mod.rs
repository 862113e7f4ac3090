//! Operability under restarts and faults (issue 15): keys that survive a restart, mail that
//! outlives an outage, a database that restarts, a calendar loaded at run time.

mod calendar;
pub(crate) mod cli;
mod constraints;
mod database;
mod divisions;
mod graphiql;
mod keys;
mod links;
mod mail_retry;
mod metrics;
mod replicas;
mod restore;
