//! (issue 17) placeholder module: filled by its branch.
