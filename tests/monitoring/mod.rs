//! Monitoring for civil affairs, measures (一)(二): grassroots screening, the six-monthly
//! verification, the key-care ledger with risk levels and care measures, statistics and export.

mod key_care;
mod register;
mod scenario;
mod statistics;
