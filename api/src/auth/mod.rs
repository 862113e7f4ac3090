//! Authentication: password hashing, access tokens, opaque one-time tokens, and the `Viewer` that
//! every resolver consults before it does anything.

pub mod jwt;
pub mod password;
pub mod sessions;
pub mod tokens;
pub mod viewer;

pub use viewer::{Role, Viewer};
