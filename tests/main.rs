//! Black-box tests of the Tongxin server over HTTP. One binary (linking is the slow part of a
//! build), one module per capability.

mod accounts;
mod errors;
mod families;
mod mail;
mod platform;
mod screening;
