//! Distributed mode (Kafka's `connect-distributed`): workers with the same `group.id`
//! form one Connect cluster through a Kafka consumer group of protocol type `connect`
//! and share connectors and tasks; configs, source offsets and statuses live in the
//! internal topics.
//!
//! * [`protocol`]: Kafka Connect's group-protocol wire formats (worker metadata and
//!   assignments, `default`/`compatible`/`sessioned`).
//! * [`assignor`]: the leader's assignors — eager and incremental cooperative (KIP-415).
//!
//! Group membership itself (FindCoordinator, JoinGroup, SyncGroup, Heartbeat,
//! LeaveGroup) is the `group-member` crate, shared with the schema registry.

pub mod assignor;
pub mod protocol;
pub mod signing;

mod herder;

pub use herder::{DistributedHerder, StartError};
