//! The leader's assignors (HELPER H1 fills this in).
