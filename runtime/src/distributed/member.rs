//! The workers' group-membership client (HELPER H2 fills this in).
