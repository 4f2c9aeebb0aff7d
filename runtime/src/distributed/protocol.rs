//! Kafka Connect's group protocol (HELPER H1 fills this in; interface below is fixed).
//!
//! pub const PROTOCOL_TYPE: &str = "connect";
//! pub struct WorkSet { pub connectors: BTreeSet<String>, pub tasks: BTreeSet<ConnectorTaskId> }
//! pub struct WorkerMetadata { pub version: i16, pub url: String, pub config_offset: i64, pub allocation: Option<Assignment> }
//! pub struct Assignment { pub version: i16, pub error: i16, pub leader: String, pub leader_url: String,
//!                         pub config_offset: i64, pub assigned: WorkSet, pub revoked: WorkSet, pub delay: i32 }
//! pub fn encode_metadata / decode_metadata / encode_assignment / decode_assignment
//! pub fn sub_protocols(ConnectProtocol) -> &'static [(&'static str, i16)]
//! pub fn running_after(current: &WorkSet, assignment: &Assignment) -> WorkSet
