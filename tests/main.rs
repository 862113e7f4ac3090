//! Black-box tests of the Tongxin server over HTTP. One binary (linking is the slow part of a
//! build), one module per capability.
// async-graphql nests one future per level of the schema; the hand-resolved pages add levels.
#![recursion_limit = "256"]

mod accounts;
mod bookings;
mod console;
mod directory;
mod documents;
mod errors;
mod families;
mod mail;
mod measures;
mod monitoring;
mod notifications;
mod operability;
mod platform;
mod requests;
mod screening;
mod security;
mod signin;
mod subscriptions;
