//! The connector API: the only crate a connector depends on.
//!
//! It will hold the Connect data model (schemas, structs, records), the source
//! and sink connector/task traits and the config-definition mechanism. It is
//! built with the worker runtime (see the issue "The worker runtime"); until
//! then it is intentionally empty.
