//! (issue 20) placeholder module: the rules say what the measures say.
