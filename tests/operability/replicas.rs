//! (issue 15) placeholder module: filled by its branch.
