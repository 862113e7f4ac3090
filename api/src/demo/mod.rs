//! Demo data for newcomers (`cargo run -- --demo`): accounts of every role, so the API can be
//! tried in GraphiQL at once, and a small demo province so queues, ledgers and statistics have
//! something to show. Idempotent: running it twice changes nothing.

mod password;
mod province;
mod seed;

pub use password::DEMO_PASSWORD;
pub use seed::seed;
