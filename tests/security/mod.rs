//! Security tests, one module per class of attack found by the outside test (issue 14). Each was
//! written first as the failing attack; SECURITY.md lists which test covers which class.

mod aliases;
mod csv_export;
mod erasure;
mod fragments;
mod masking;
mod plausibility;
mod takeover;
mod transport;
mod trusted_documents;
mod websocket;
