//! The internal topics of distributed mode (HELPER H3 fills this in).
