//! Documents families send: uploaded to a child's record (kept for reuse) or to a request
//! (`upload`), seen by whom (`access`, `listing`), reviewed (`review`), linked for download
//! (`links`), kept and erased (`lifetime`), re-encrypted under a new key (`rotation`).
//!
//! This module only declares and re-exports; the pieces import each other by their full path.

pub mod access;
pub mod lifetime;
pub mod links;
pub mod listing;
pub mod model;
pub mod review;
pub mod rotation;
pub mod upload;

pub use self::{
    listing::{missing, new_since_staff_action, of_child, of_request},
    model::{DocumentView, status},
    upload::{Upload, attach, upload},
};
