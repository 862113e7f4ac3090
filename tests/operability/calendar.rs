//! (filled by the calendar work)
