//! (filled by the csv_export work)
