//! Kafka Connect's group protocol: the worker metadata sent in JoinGroup and the
//! assignments the leader hands out in SyncGroup, byte-compatible with Apache Kafka 3.9
//! (`connect/runtime/.../distributed/{ConnectProtocol, IncrementalCooperativeConnectProtocol,
//! ExtendedAssignment, ExtendedWorkerState, ConnectProtocolCompatibility, WorkerCoordinator}.java`).
//!
//! # Wire format
//!
//! Kafka's legacy `Struct` encoding, big-endian: `INT16`/`INT32`/`INT64`; `STRING` =
//! int16 length + UTF-8; `ARRAY` = int32 count then the elements (-1 = null for the
//! nullable arrays); `NULLABLE_BYTES` = int32 length (-1 = null) then the bytes. Every
//! message starts with an int16 version header.
//!
//! ```text
//! Metadata v0       version:i16 url:STRING config-offset:i64
//! Metadata v1/v2    version:i16 url:STRING config-offset:i64 allocation:NULLABLE_BYTES
//!                   (allocation = the worker's current assignment, serialized as an
//!                    assignment whose header is the metadata's version; null if the
//!                    worker has never received one)
//! Assignment v0     version:i16 error:i16 leader:STRING leader-url:STRING config-offset:i64
//!                   assignment:ARRAY<ConnectorAssignment>
//! Assignment v1/v2  ... assignment:NULLABLE ARRAY<ConnectorAssignment>
//!                   revoked:NULLABLE ARRAY<ConnectorAssignment> delay:i32
//! ConnectorAssignment  connector:STRING tasks:ARRAY<i32>   (task -1 = the Connector instance)
//! ```
//!
//! # Decoding, as Java does it
//!
//! Java's `WorkerCoordinator` decodes every assignment (even a v0 one) with
//! `IncrementalCooperativeConnectProtocol.deserializeAssignment`, and both assignors decode
//! every member's metadata with `IncrementalCooperativeConnectProtocol.deserializeMetadata`.
//! Those readers accept any version >= 0 (a newer version is read by its known prefix),
//! read the v1 schemas with `TOLERATE_MISSING_FIELDS_WITH_DEFAULTS` (a missing
//! `allocation` is null, missing `assignment`/`revoked` are empty, a missing `delay` is 0 —
//! "missing" meaning the buffer is exhausted before the field starts), and ignore trailing
//! bytes. This module does the same. Deliberate deviations, all on malformed input that a
//! Java worker never produces: invalid UTF-8 is an error (Java substitutes U+FFFD),
//! negative lengths other than -1 are errors (Java treats any negative nullable length as
//! null), and task ids below -1 are errors (Java builds a `ConnectorTaskId` with a negative
//! task number).

use std::collections::{BTreeMap, BTreeSet};

use crate::config::worker::ConnectProtocol;
use crate::herder::ConnectorTaskId;

/// The group's protocol type in JoinGroup (`WorkerCoordinator.protocolType()`).
pub const PROTOCOL_TYPE: &str = "connect";

/// `ConnectProtocol.Assignment.NO_ERROR`: the assignment succeeded.
pub const NO_ERROR: i16 = 0;

/// `ConnectProtocol.Assignment.CONFIG_MISMATCH`: the leader could not catch up with the
/// highest config offset a member reported; members read the config topic to the end and
/// rejoin (`DistributedHerder.handleRebalanceCompleted`).
pub const CONFIG_MISMATCH: i16 = 1;

/// `ConnectProtocol.CONNECTOR_TASK`: the task id that stands for the Connector instance.
pub const CONNECTOR_TASK: i32 = -1;

/// `ConnectProtocol.CONNECT_PROTOCOL_V0`: eager (`default`).
pub const CONNECT_PROTOCOL_V0: i16 = 0;
/// `IncrementalCooperativeConnectProtocol.CONNECT_PROTOCOL_V1`: incremental cooperative
/// (`compatible`, KIP-415).
pub const CONNECT_PROTOCOL_V1: i16 = 1;
/// `IncrementalCooperativeConnectProtocol.CONNECT_PROTOCOL_V2`: incremental cooperative with
/// signed internal requests (`sessioned`, KIP-507). Same layout as v1.
pub const CONNECT_PROTOCOL_V2: i16 = 2;

/// Java's `STRING` type cannot hold more than `Short.MAX_VALUE` bytes.
const MAX_STRING_LEN: usize = i16::MAX as usize;

/// Work of a worker: connector instances and tasks (Kafka's `ConnectorsAndTasks`). On the
/// wire a connector instance is task id -1 within its connector's entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkSet {
    /// Connector instances (`Connector` objects, not tasks).
    pub connectors: BTreeSet<String>,
    /// Tasks.
    pub tasks: BTreeSet<ConnectorTaskId>,
}

impl WorkSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether there are neither connectors nor tasks.
    pub fn is_empty(&self) -> bool {
        self.connectors.is_empty() && self.tasks.is_empty()
    }

    /// Number of connectors plus number of tasks.
    pub fn len(&self) -> usize {
        self.connectors.len() + self.tasks.len()
    }

    /// `self ∪ other`.
    pub fn union(&self, other: &WorkSet) -> WorkSet {
        WorkSet {
            connectors: self.connectors.union(&other.connectors).cloned().collect(),
            tasks: self.tasks.union(&other.tasks).cloned().collect(),
        }
    }

    /// `self − other`.
    pub fn difference(&self, other: &WorkSet) -> WorkSet {
        WorkSet {
            connectors: self
                .connectors
                .difference(&other.connectors)
                .cloned()
                .collect(),
            tasks: self.tasks.difference(&other.tasks).cloned().collect(),
        }
    }

    /// `self ∩ other`.
    pub fn intersection(&self, other: &WorkSet) -> WorkSet {
        WorkSet {
            connectors: self
                .connectors
                .intersection(&other.connectors)
                .cloned()
                .collect(),
            tasks: self.tasks.intersection(&other.tasks).cloned().collect(),
        }
    }

    /// Adds everything in `other`.
    pub fn extend(&mut self, other: &WorkSet) {
        self.connectors.extend(other.connectors.iter().cloned());
        self.tasks.extend(other.tasks.iter().cloned());
    }

    /// Removes everything in `other`.
    pub fn remove_all(&mut self, other: &WorkSet) {
        self.connectors.retain(|c| !other.connectors.contains(c));
        self.tasks.retain(|t| !other.tasks.contains(t));
    }

    /// Whether `self` and `other` share a connector or a task.
    pub fn intersects(&self, other: &WorkSet) -> bool {
        self.connectors.iter().any(|c| other.connectors.contains(c))
            || self.tasks.iter().any(|t| other.tasks.contains(t))
    }
}

/// A worker's JoinGroup metadata (`ConnectProtocol.WorkerState` for v0,
/// `ExtendedWorkerState` for v1/v2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerMetadata {
    /// Protocol version of this metadata (0 `default`, 1 `compatible`, 2 `sessioned`).
    pub version: i16,
    /// The worker's advertised REST URL (`url`).
    pub url: String,
    /// The config-topic offset the worker has read up to (`config-offset`).
    pub config_offset: i64,
    /// v1/v2 only: the worker's current assignment (`allocation`): after an incremental
    /// assignment, `assigned` holds the FULL set the worker is running (see
    /// [`allocation_after`]). `None` (null on the wire) until the worker has received an
    /// assignment — Java serializes its `ExtendedAssignment.empty()` placeholder as null.
    /// Never written for v0.
    pub allocation: Option<Assignment>,
}

/// An assignment from the leader (`ConnectProtocol.Assignment` for v0, `ExtendedAssignment`
/// for v1/v2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// Protocol version (the header of the serialized assignment).
    pub version: i16,
    /// [`NO_ERROR`] or [`CONFIG_MISMATCH`].
    pub error: i16,
    /// The leader's member id.
    pub leader: String,
    /// The leader's REST URL, where followers forward requests.
    pub leader_url: String,
    /// The config-topic offset the assignment was computed at; a member must have read the
    /// config topic exactly up to it before starting work.
    pub config_offset: i64,
    /// v0: everything the worker must run. v1/v2: only what is NEWLY assigned in this round
    /// (see [`running_after`]).
    pub assigned: WorkSet,
    /// v1/v2: what the worker must stop now (always empty in v0; not written for v0).
    pub revoked: WorkSet,
    /// v1/v2: `scheduled.rebalance` delay in ms; when > 0 the member must rejoin after this
    /// long (a scheduled rebalance that hands out the work of departed workers). Not written
    /// for v0.
    pub delay: i32,
}

impl Assignment {
    /// Whether the assignment carries an error (`Assignment.failed()`).
    pub fn failed(&self) -> bool {
        self.error != NO_ERROR
    }
}

/// Why bytes could not be decoded as Connect group-protocol data.
#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    /// The buffer ended inside a field.
    #[error("truncated Connect protocol data: field '{field}' needs {needed} bytes, only {remaining} left")]
    Truncated {
        /// The field being read.
        field: &'static str,
        /// Bytes the field needs.
        needed: usize,
        /// Bytes left in the buffer.
        remaining: usize,
    },
    /// A length or count was negative where that is not allowed.
    #[error("invalid Connect protocol data: field '{field}' has negative length {length}")]
    NegativeLength {
        /// The field being read.
        field: &'static str,
        /// The length read.
        length: i32,
    },
    /// An array claims more elements than the remaining bytes could hold.
    #[error("invalid Connect protocol data: array '{field}' of {count} elements cannot fit in the {remaining} bytes left")]
    ArrayTooLong {
        /// The field being read.
        field: &'static str,
        /// The element count read.
        count: i32,
        /// Bytes left in the buffer.
        remaining: usize,
    },
    /// A string is not valid UTF-8.
    #[error("invalid Connect protocol data: field '{field}' is not valid UTF-8")]
    InvalidUtf8 {
        /// The field being read.
        field: &'static str,
    },
    /// The version header is negative (Java: "Unsupported subscription version").
    #[error("unsupported Connect protocol version {0}")]
    UnsupportedVersion(i16),
    /// A task id below -1.
    #[error("invalid Connect protocol data: connector '{connector}' lists task id {task}")]
    InvalidTaskId {
        /// The connector whose entry holds the task id.
        connector: String,
        /// The task id read.
        task: i32,
    },
    /// The `allocation` embedded in v1/v2 metadata is malformed.
    #[error("invalid 'allocation' in Connect worker metadata: {0}")]
    Allocation(#[source] Box<ProtocolError>),
    /// A string is too long for Java's `STRING` type (only when encoding).
    #[error("field '{field}' is {len} bytes, longer than the 32767 a Kafka STRING can hold")]
    StringTooLong {
        /// The field being written.
        field: &'static str,
        /// Its length in bytes.
        len: usize,
    },
}

// ---------------------------------------------------------------------------------------
// Reading

struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Self { buf }
    }

    fn remaining(&self) -> usize {
        self.buf.len()
    }

    fn has_remaining(&self) -> bool {
        !self.buf.is_empty()
    }

    fn take(&mut self, field: &'static str, n: usize) -> Result<&'a [u8], ProtocolError> {
        if n > self.buf.len() {
            return Err(ProtocolError::Truncated {
                field,
                needed: n,
                remaining: self.buf.len(),
            });
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], ProtocolError> {
        let bytes = self.take(field, N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    fn i16(&mut self, field: &'static str) -> Result<i16, ProtocolError> {
        Ok(i16::from_be_bytes(self.array(field)?))
    }

    fn i32(&mut self, field: &'static str) -> Result<i32, ProtocolError> {
        Ok(i32::from_be_bytes(self.array(field)?))
    }

    fn i64(&mut self, field: &'static str) -> Result<i64, ProtocolError> {
        Ok(i64::from_be_bytes(self.array(field)?))
    }

    fn string(&mut self, field: &'static str) -> Result<String, ProtocolError> {
        let len = self.i16(field)?;
        let len = usize::try_from(len).map_err(|_| ProtocolError::NegativeLength {
            field,
            length: i32::from(len),
        })?;
        let bytes = self.take(field, len)?;
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| ProtocolError::InvalidUtf8 { field })
    }

    /// `NULLABLE_BYTES`: -1 is null.
    fn nullable_bytes(&mut self, field: &'static str) -> Result<Option<&'a [u8]>, ProtocolError> {
        let len = self.i32(field)?;
        if len == -1 {
            return Ok(None);
        }
        let len = usize::try_from(len)
            .map_err(|_| ProtocolError::NegativeLength { field, length: len })?;
        self.take(field, len).map(Some)
    }

    /// An array count; `None` for null (-1, only if `nullable`). The count is checked against
    /// the remaining bytes with each element taking at least `min_elem` bytes.
    fn array_count(
        &mut self,
        field: &'static str,
        nullable: bool,
        min_elem: usize,
    ) -> Result<Option<usize>, ProtocolError> {
        let count = self.i32(field)?;
        if count == -1 && nullable {
            return Ok(None);
        }
        let n = usize::try_from(count).map_err(|_| ProtocolError::NegativeLength {
            field,
            length: count,
        })?;
        if n.saturating_mul(min_elem) > self.remaining() {
            return Err(ProtocolError::ArrayTooLong {
                field,
                count,
                remaining: self.remaining(),
            });
        }
        Ok(Some(n))
    }

    fn version(&mut self) -> Result<i16, ProtocolError> {
        let version = self.i16("version")?;
        // IncrementalCooperativeConnectProtocol.checkVersionCompatibility: only negative
        // versions are rejected; newer ones are read by their known prefix.
        if version < CONNECT_PROTOCOL_V0 {
            return Err(ProtocolError::UnsupportedVersion(version));
        }
        Ok(version)
    }

    /// `ARRAY<ConnectorAssignment>` into `into`; `None` = null.
    fn connector_assignments(
        &mut self,
        field: &'static str,
        nullable: bool,
        into: &mut WorkSet,
    ) -> Result<(), ProtocolError> {
        // Each entry is at least a 2-byte string length and a 4-byte task count.
        let Some(entries) = self.array_count(field, nullable, 6)? else {
            return Ok(());
        };
        for _ in 0..entries {
            let connector = self.string("connector")?;
            let tasks = self.array_count("tasks", false, 4)?.unwrap_or_default();
            for _ in 0..tasks {
                let task = self.i32("tasks")?;
                if task == CONNECTOR_TASK {
                    into.connectors.insert(connector.clone());
                } else {
                    let task = u32::try_from(task).map_err(|_| ProtocolError::InvalidTaskId {
                        connector: connector.clone(),
                        task,
                    })?;
                    into.tasks
                        .insert(ConnectorTaskId::new(connector.clone(), task));
                }
            }
        }
        Ok(())
    }
}

/// Decodes a worker's JoinGroup metadata, as `IncrementalCooperativeConnectProtocol.
/// deserializeMetadata` does for every sub-protocol (both of Kafka's assignors use it):
/// version (>= 0), url, config offset, then — if any bytes are left, whatever the version —
/// the nullable `allocation`, itself decoded as an assignment. Trailing bytes are ignored.
pub fn decode_metadata(bytes: &[u8]) -> Result<WorkerMetadata, ProtocolError> {
    let mut r = Reader::new(bytes);
    let version = r.version()?;
    let url = r.string("url")?;
    let config_offset = r.i64("config-offset")?;
    // ALLOCATION_V1 tolerates a missing field (default null).
    let allocation = if r.has_remaining() {
        match r.nullable_bytes("allocation")? {
            Some(inner) => {
                Some(decode_assignment(inner).map_err(|e| ProtocolError::Allocation(Box::new(e)))?)
            }
            None => None,
        }
    } else {
        None
    };
    Ok(WorkerMetadata {
        version,
        url,
        config_offset,
        allocation,
    })
}

/// Decodes a SyncGroup assignment, as `WorkerCoordinator.onJoinComplete` does for every
/// sub-protocol (`IncrementalCooperativeConnectProtocol.deserializeAssignment`): version
/// (>= 0), error, leader, leader URL and config offset are required; `assignment`,
/// `revoked` (nullable arrays, null = empty) and `delay` default to empty/0 when the buffer
/// ends before them. Trailing bytes are ignored.
pub fn decode_assignment(bytes: &[u8]) -> Result<Assignment, ProtocolError> {
    let mut r = Reader::new(bytes);
    let version = r.version()?;
    let error = r.i16("error")?;
    let leader = r.string("leader")?;
    let leader_url = r.string("leader-url")?;
    let config_offset = r.i64("config-offset")?;
    let mut assigned = WorkSet::new();
    let mut revoked = WorkSet::new();
    let mut delay = 0;
    if r.has_remaining() {
        r.connector_assignments("assignment", true, &mut assigned)?;
    }
    if r.has_remaining() {
        r.connector_assignments("revoked", true, &mut revoked)?;
    }
    if r.has_remaining() {
        delay = r.i32("delay")?;
    }
    Ok(Assignment {
        version,
        error,
        leader,
        leader_url,
        config_offset,
        assigned,
        revoked,
        delay,
    })
}

// ---------------------------------------------------------------------------------------
// Writing

struct Writer {
    buf: Vec<u8>,
    error: Option<ProtocolError>,
}

impl Writer {
    fn new() -> Self {
        Self {
            buf: Vec::with_capacity(64),
            error: None,
        }
    }

    fn i16(&mut self, v: i16) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    fn i32(&mut self, v: i32) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    fn i64(&mut self, v: i64) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    fn len32(&mut self, n: usize) {
        self.i32(i32::try_from(n).unwrap_or(i32::MAX));
    }

    fn string(&mut self, field: &'static str, s: &str) {
        let mut bytes = s.as_bytes();
        if bytes.len() > MAX_STRING_LEN {
            if self.error.is_none() {
                self.error = Some(ProtocolError::StringTooLong {
                    field,
                    len: bytes.len(),
                });
            }
            let mut end = MAX_STRING_LEN;
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            bytes = &bytes[..end];
        }
        // Length fits: at most MAX_STRING_LEN.
        self.i16(i16::try_from(bytes.len()).unwrap_or(i16::MAX));
        self.buf.extend_from_slice(bytes);
    }

    /// `ARRAY<ConnectorAssignment>` in the order Java's `asMap()`/`revokedAsMap()` produce
    /// (a `LinkedHashMap` filled with the connectors first, then the tasks): one entry per
    /// connector instance, in order, with task -1 first; then the connectors that only have
    /// tasks, in task order; each entry's tasks appended in task order.
    fn connector_assignments(&mut self, work: &WorkSet) {
        let mut entries: Vec<(&str, Vec<i32>)> = Vec::new();
        let mut index: BTreeMap<&str, usize> = BTreeMap::new();
        for c in &work.connectors {
            index.insert(c.as_str(), entries.len());
            entries.push((c.as_str(), vec![CONNECTOR_TASK]));
        }
        for t in &work.tasks {
            let task = i32::try_from(t.task).unwrap_or(i32::MAX);
            match index.get(t.connector.as_str()) {
                Some(&i) => entries[i].1.push(task),
                None => {
                    index.insert(t.connector.as_str(), entries.len());
                    entries.push((t.connector.as_str(), vec![task]));
                }
            }
        }
        self.len32(entries.len());
        for (connector, tasks) in entries {
            self.string("connector", connector);
            self.len32(tasks.len());
            for t in tasks {
                self.i32(t);
            }
        }
    }

    fn finish(self) -> Result<Vec<u8>, ProtocolError> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.buf),
        }
    }

    fn finish_lossy(self, what: &'static str) -> Vec<u8> {
        if let Some(e) = &self.error {
            tracing::error!(error = %e, what, "Connect protocol field too long; truncated it");
        }
        self.buf
    }
}

fn write_assignment(w: &mut Writer, a: &Assignment, version: i16) {
    w.i16(version);
    w.i16(a.error);
    w.string("leader", &a.leader);
    w.string("leader-url", &a.leader_url);
    w.i64(a.config_offset);
    w.connector_assignments(&a.assigned);
    if version >= CONNECT_PROTOCOL_V1 {
        // ExtendedAssignment's revoked lists are never null, so neither is the array.
        w.connector_assignments(&a.revoked);
        w.i32(a.delay);
    }
}

fn write_metadata(w: &mut Writer, m: &WorkerMetadata) {
    w.i16(m.version);
    w.string("url", &m.url);
    w.i64(m.config_offset);
    if m.version >= CONNECT_PROTOCOL_V1 {
        match &m.allocation {
            None => w.i32(-1),
            Some(a) => {
                let mut inner = Writer::new();
                // serializeMetadata(workerState, sessioned) writes the allocation with the
                // same header version as the metadata itself.
                write_assignment(&mut inner, a, m.version);
                if w.error.is_none() {
                    w.error = inner.error.take();
                }
                w.len32(inner.buf.len());
                w.buf.extend_from_slice(&inner.buf);
            }
        }
    }
}

/// Encodes JoinGroup metadata: v0 as `ConnectProtocol.serializeMetadata` (no allocation,
/// even if one is set), v1/v2 (and newer) as `IncrementalCooperativeConnectProtocol.
/// serializeMetadata` — the allocation, if any, is serialized as an assignment whose header
/// carries the metadata's version (as Java does), so it decodes with that version.
/// A string longer than 32767 bytes (Java would throw) is truncated and logged; use
/// [`try_encode_metadata`] to get an error instead.
pub fn encode_metadata(m: &WorkerMetadata) -> Vec<u8> {
    let mut w = Writer::new();
    write_metadata(&mut w, m);
    w.finish_lossy("metadata")
}

/// [`encode_metadata`], failing on a string too long for Kafka's `STRING`.
pub fn try_encode_metadata(m: &WorkerMetadata) -> Result<Vec<u8>, ProtocolError> {
    let mut w = Writer::new();
    write_metadata(&mut w, m);
    w.finish()
}

/// Encodes a SyncGroup assignment: v0 as `ConnectProtocol.serializeAssignment` (revoked and
/// delay are not part of v0 and are dropped), v1/v2 (and newer) as
/// `IncrementalCooperativeConnectProtocol.serializeAssignment` (`ExtendedAssignment.
/// toStruct`). Entry order follows Java's `asMap()` (see the module docs). A string longer
/// than 32767 bytes is truncated and logged; use [`try_encode_assignment`] to get an error.
pub fn encode_assignment(a: &Assignment) -> Vec<u8> {
    let mut w = Writer::new();
    write_assignment(&mut w, a, a.version);
    w.finish_lossy("assignment")
}

/// [`encode_assignment`], failing on a string too long for Kafka's `STRING`.
pub fn try_encode_assignment(a: &Assignment) -> Result<Vec<u8>, ProtocolError> {
    let mut w = Writer::new();
    write_assignment(&mut w, a, a.version);
    w.finish()
}

// ---------------------------------------------------------------------------------------
// Sub-protocols and member-side semantics

/// The (sub-protocol name, version) pairs a worker configured with `connect.protocol` offers
/// in JoinGroup, in preference order (`ConnectProtocolCompatibility`, `WorkerCoordinator.
/// metadata()`): `sessioned` → `sessioned`(2), `compatible`(1), `default`(0);
/// `compatible` → `compatible`(1), `default`(0); `eager` → `default`(0). The coordinator
/// picks the first one every member supports, so a mixed cluster falls back to eager.
pub fn sub_protocols(p: ConnectProtocol) -> Vec<(&'static str, i16)> {
    match p {
        ConnectProtocol::Sessioned => vec![
            ("sessioned", CONNECT_PROTOCOL_V2),
            ("compatible", CONNECT_PROTOCOL_V1),
            ("default", CONNECT_PROTOCOL_V0),
        ],
        ConnectProtocol::Compatible => vec![
            ("compatible", CONNECT_PROTOCOL_V1),
            ("default", CONNECT_PROTOCOL_V0),
        ],
        ConnectProtocol::Eager => vec![("default", CONNECT_PROTOCOL_V0)],
    }
}

/// The JoinGroup protocols of a worker: for each of [`sub_protocols`], its name and the
/// metadata encoded at that version (`WorkerCoordinator.metadata()`: the `default` entry is
/// v0 metadata without allocation, `compatible` is v1 and `sessioned` v2, both carrying
/// `allocation`). `allocation` is the worker's current full assignment (see
/// [`allocation_after`]), `None` before its first assignment.
pub fn join_protocols(
    p: ConnectProtocol,
    url: &str,
    config_offset: i64,
    allocation: Option<&Assignment>,
) -> Vec<(&'static str, Vec<u8>)> {
    sub_protocols(p)
        .into_iter()
        .map(|(name, version)| {
            let m = WorkerMetadata {
                version,
                url: url.to_owned(),
                config_offset,
                allocation: if version >= CONNECT_PROTOCOL_V1 {
                    allocation.cloned()
                } else {
                    None
                },
            };
            (name, encode_metadata(&m))
        })
        .collect()
}

/// The protocol version of a sub-protocol name chosen by the coordinator
/// (`ConnectProtocolCompatibility.fromProtocol(name).protocolVersion()`, case-insensitive):
/// `default` 0, `compatible` 1, `sessioned` 2; `None` for anything else.
pub fn version_of(name: &str) -> Option<i16> {
    if name.eq_ignore_ascii_case("default") {
        Some(CONNECT_PROTOCOL_V0)
    } else if name.eq_ignore_ascii_case("compatible") {
        Some(CONNECT_PROTOCOL_V1)
    } else if name.eq_ignore_ascii_case("sessioned") {
        Some(CONNECT_PROTOCOL_V2)
    } else {
        None
    }
}

/// What a member runs after receiving `assignment` while running `current`.
///
/// * v0 (eager): the assignment is the complete set. (The member has already stopped
///   everything before rejoining — `WorkerCoordinator.onJoinPrepare` revokes the whole
///   previous assignment when the protocol is eager.)
/// * v1/v2 (incremental cooperative): `assigned` is INCREMENTAL — only what is newly given
///   to this member in this round — and `revoked` is what it must stop. The result is
///   `(current − revoked) ∪ assigned`, exactly as `WorkerCoordinator.onJoinComplete` builds
///   its `assignmentSnapshot` when the protocol is not EAGER
///   (`localAssignmentSnapshot.connectors().removeAll(newAssignment.revokedConnectors())`
///   then `newAssignment.connectors().addAll(localAssignmentSnapshot.connectors())`, same
///   for tasks). `IncrementalCooperativeAssignor.performTaskAssignment` sends
///   `diff(nextAssignments, currentAssignments)` as `assigned`. This holds for a failed
///   (CONFIG_MISMATCH) assignment too: it has nothing assigned or revoked, so the member
///   keeps running what it ran.
pub fn running_after(current: &WorkSet, assignment: &Assignment) -> WorkSet {
    if assignment.version < CONNECT_PROTOCOL_V1 {
        assignment.assigned.clone()
    } else {
        let mut next = current.difference(&assignment.revoked);
        next.extend(&assignment.assigned);
        next
    }
}

/// The assignment a member reports as its `allocation` in the next JoinGroup after
/// receiving `assignment` while running `current`: Java's augmented `assignmentSnapshot`
/// (`WorkerCoordinator.onJoinComplete`) — the received assignment with `assigned` replaced by
/// the full [`running_after`] set. `revoked` is cleared, as `DistributedHerder.
/// handleRebalanceCompleted` does once it has acted on it (the leader reads only the
/// connectors and tasks of an allocation).
pub fn allocation_after(current: &WorkSet, assignment: &Assignment) -> Assignment {
    Assignment {
        assigned: running_after(current, assignment),
        revoked: WorkSet::new(),
        ..assignment.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ws(connectors: &[&str], tasks: &[(&str, u32)]) -> WorkSet {
        WorkSet {
            connectors: connectors.iter().map(|c| (*c).to_owned()).collect(),
            tasks: tasks
                .iter()
                .map(|(c, t)| ConnectorTaskId::new(*c, *t))
                .collect(),
        }
    }

    fn assignment(version: i16, assigned: WorkSet, revoked: WorkSet, delay: i32) -> Assignment {
        Assignment {
            version,
            error: NO_ERROR,
            leader: "L".into(),
            leader_url: "U".into(),
            config_offset: 5,
            assigned,
            revoked,
            delay,
        }
    }

    const OFFSET_5: [u8; 8] = [0, 0, 0, 0, 0, 0, 0, 5];

    fn cat(parts: &[&[u8]]) -> Vec<u8> {
        parts.concat()
    }

    #[test]
    fn golden_metadata_v0() {
        let m = WorkerMetadata {
            version: 0,
            url: "u1".into(),
            config_offset: 5,
            allocation: None,
        };
        // version | url "u1" | config-offset
        let expected = cat(&[&[0x00, 0x00], &[0x00, 0x02, b'u', b'1'], &OFFSET_5]);
        assert_eq!(encode_metadata(&m), expected);
        assert_eq!(decode_metadata(&expected).expect("decodes"), m);
    }

    #[test]
    fn golden_metadata_v1_null_allocation() {
        let m = WorkerMetadata {
            version: 1,
            url: "u1".into(),
            config_offset: 5,
            allocation: None,
        };
        let expected = cat(&[
            &[0x00, 0x01],
            &[0x00, 0x02, b'u', b'1'],
            &OFFSET_5,
            &[0xFF, 0xFF, 0xFF, 0xFF], // allocation: null
        ]);
        assert_eq!(encode_metadata(&m), expected);
        assert_eq!(decode_metadata(&expected).expect("decodes"), m);
    }

    /// The 45 bytes of a v1 assignment: connector `c` and task `c-0`, nothing revoked.
    fn golden_allocation_v1() -> Vec<u8> {
        cat(&[
            &[0x00, 0x01],             // version 1
            &[0x00, 0x00],             // error
            &[0x00, 0x01, b'L'],       // leader
            &[0x00, 0x01, b'U'],       // leader-url
            &OFFSET_5,                 // config-offset
            &[0x00, 0x00, 0x00, 0x01], // assignment: 1 entry
            &[0x00, 0x01, b'c'],       //   connector "c"
            &[0x00, 0x00, 0x00, 0x02], //   2 task ids
            &[0xFF, 0xFF, 0xFF, 0xFF], //   -1: the connector instance
            &[0x00, 0x00, 0x00, 0x00], //   task 0
            &[0x00, 0x00, 0x00, 0x00], // revoked: 0 entries
            &[0x00, 0x00, 0x00, 0x00], // delay 0
        ])
    }

    #[test]
    fn golden_metadata_v1_with_allocation() {
        let alloc = golden_allocation_v1();
        assert_eq!(alloc.len(), 45);
        let a = assignment(1, ws(&["c"], &[("c", 0)]), WorkSet::new(), 0);
        assert_eq!(encode_assignment(&a), alloc);
        let m = WorkerMetadata {
            version: 1,
            url: "u1".into(),
            config_offset: 5,
            allocation: Some(a),
        };
        let expected = cat(&[
            &[0x00, 0x01],
            &[0x00, 0x02, b'u', b'1'],
            &OFFSET_5,
            &[0x00, 0x00, 0x00, 45],
            &alloc,
        ]);
        assert_eq!(encode_metadata(&m), expected);
        assert_eq!(decode_metadata(&expected).expect("decodes"), m);
    }

    #[test]
    fn golden_assignment_v0_orders_connectors_then_task_only_entries() {
        // Connector instance b, tasks a-0 and b-1: Java's asMap() gives b:[-1,1], a:[0].
        let a = assignment(0, ws(&["b"], &[("a", 0), ("b", 1)]), WorkSet::new(), 0);
        let expected = cat(&[
            &[0x00, 0x00],             // version 0
            &[0x00, 0x00],             // error
            &[0x00, 0x01, b'L'],       // leader
            &[0x00, 0x01, b'U'],       // leader-url
            &OFFSET_5,                 // config-offset
            &[0x00, 0x00, 0x00, 0x02], // assignment: 2 entries
            &[0x00, 0x01, b'b'],       //   "b"
            &[0x00, 0x00, 0x00, 0x02], //   2 ids
            &[0xFF, 0xFF, 0xFF, 0xFF], //   -1
            &[0x00, 0x00, 0x00, 0x01], //   1
            &[0x00, 0x01, b'a'],       //   "a"
            &[0x00, 0x00, 0x00, 0x01], //   1 id
            &[0x00, 0x00, 0x00, 0x00], //   0
        ]);
        assert_eq!(encode_assignment(&a), expected);
        assert_eq!(decode_assignment(&expected).expect("decodes"), a);
    }

    #[test]
    fn golden_assignment_v2_with_revocation_and_delay() {
        let a = assignment(2, WorkSet::new(), ws(&[], &[("x", 3)]), 1000);
        let expected = cat(&[
            &[0x00, 0x02],
            &[0x00, 0x00],
            &[0x00, 0x01, b'L'],
            &[0x00, 0x01, b'U'],
            &OFFSET_5,
            &[0x00, 0x00, 0x00, 0x00], // assignment: 0 entries
            &[0x00, 0x00, 0x00, 0x01], // revoked: 1 entry
            &[0x00, 0x01, b'x'],
            &[0x00, 0x00, 0x00, 0x01],
            &[0x00, 0x00, 0x00, 0x03], //   task 3
            &[0x00, 0x00, 0x03, 0xE8], // delay 1000
        ]);
        assert_eq!(encode_assignment(&a), expected);
        assert_eq!(decode_assignment(&expected).expect("decodes"), a);
    }

    #[test]
    fn missing_tail_fields_take_java_defaults_and_trailing_bytes_are_ignored() {
        let full = encode_assignment(&assignment(1, ws(&["c"], &[]), ws(&["d"], &[]), 7));
        // Cut right after config-offset (2+2+3+3+8 = 18 bytes): assignment, revoked, delay
        // take their defaults.
        let a = decode_assignment(&full[..18]).expect("prefix decodes");
        assert!(a.assigned.is_empty() && a.revoked.is_empty() && a.delay == 0);
        // A partially present field is an error.
        assert!(matches!(
            decode_assignment(&full[..20]),
            Err(ProtocolError::Truncated { .. })
        ));
        // Trailing bytes.
        let mut long = full.clone();
        long.extend_from_slice(&[1, 2, 3]);
        assert_eq!(
            decode_assignment(&long).expect("decodes"),
            decode_assignment(&full).expect("decodes")
        );
        // Null arrays read as empty.
        let mut nulls = full[..18].to_vec();
        nulls.extend_from_slice(&[0xFF; 8]);
        nulls.extend_from_slice(&[0, 0, 0, 9]);
        let a = decode_assignment(&nulls).expect("null arrays decode");
        assert!(a.assigned.is_empty() && a.revoked.is_empty() && a.delay == 9);
    }

    #[test]
    fn newer_versions_are_read_by_their_known_prefix() {
        let mut bytes =
            encode_assignment(&assignment(1, ws(&["c"], &[("c", 2)]), WorkSet::new(), 3));
        bytes[1] = 7; // version 7
        bytes.extend_from_slice(b"future fields");
        let a = decode_assignment(&bytes).expect("v7 decodes");
        assert_eq!(a.version, 7);
        assert_eq!(a.assigned, ws(&["c"], &[("c", 2)]));
        assert_eq!(a.delay, 3);

        let mut m = encode_metadata(&WorkerMetadata {
            version: 1,
            url: "u".into(),
            config_offset: 1,
            allocation: None,
        });
        m[1] = 9;
        m.extend_from_slice(&[0xAB; 5]);
        let d = decode_metadata(&m).expect("v9 metadata decodes");
        assert_eq!((d.version, d.allocation), (9, None));
    }

    #[test]
    fn malformed_input_is_rejected_with_a_reason() {
        assert!(matches!(
            decode_metadata(&[0xFF, 0xFF, 0, 0]),
            Err(ProtocolError::UnsupportedVersion(-1))
        ));
        assert!(matches!(
            decode_metadata(&[0, 0, 0xFF, 0xFE]),
            Err(ProtocolError::NegativeLength { field: "url", .. })
        ));
        assert!(matches!(
            decode_metadata(&[0, 0, 0, 2, 0xC3, 0x28, 0, 0, 0, 0, 0, 0, 0, 0]),
            Err(ProtocolError::InvalidUtf8 { field: "url" })
        ));
        assert!(matches!(
            decode_metadata(&[0, 0, 0, 0]),
            Err(ProtocolError::Truncated {
                field: "config-offset",
                ..
            })
        ));
        // A huge array count with few bytes left.
        let mut a = encode_assignment(&assignment(1, WorkSet::new(), WorkSet::new(), 0));
        a.truncate(18);
        a.extend_from_slice(&[0x7F, 0xFF, 0xFF, 0xFF, 0, 0]);
        assert!(matches!(
            decode_assignment(&a),
            Err(ProtocolError::ArrayTooLong {
                field: "assignment",
                ..
            })
        ));
        // Negative counts other than -1.
        let mut a = encode_assignment(&assignment(1, WorkSet::new(), WorkSet::new(), 0));
        a.truncate(18);
        a.extend_from_slice(&[0xFF, 0xFF, 0xFF, 0xFE]);
        assert!(matches!(
            decode_assignment(&a),
            Err(ProtocolError::NegativeLength {
                field: "assignment",
                length: -2
            })
        ));
        // Task ids below -1.
        let mut a = encode_assignment(&assignment(1, ws(&[], &[("c", 0)]), WorkSet::new(), 0));
        let at = 18 + 4 + 3 + 4;
        a[at..at + 4].copy_from_slice(&(-2i32).to_be_bytes());
        assert!(matches!(
            decode_assignment(&a),
            Err(ProtocolError::InvalidTaskId { task: -2, .. })
        ));
        // A malformed embedded allocation.
        let m = cat(&[&[0, 1], &[0, 1, b'u'], &OFFSET_5, &[0, 0, 0, 1], &[0]]);
        assert!(matches!(
            decode_metadata(&m),
            Err(ProtocolError::Allocation(_))
        ));
    }

    #[test]
    fn sub_protocols_and_versions_match_connect_protocol_compatibility() {
        let names = sub_protocols;
        assert_eq!(
            names(ConnectProtocol::Sessioned),
            vec![("sessioned", 2), ("compatible", 1), ("default", 0)]
        );
        assert_eq!(
            names(ConnectProtocol::Compatible),
            vec![("compatible", 1), ("default", 0)]
        );
        assert_eq!(names(ConnectProtocol::Eager), vec![("default", 0)]);
        for p in ConnectProtocol::ALL {
            for (name, v) in sub_protocols(*p) {
                assert_eq!(version_of(name), Some(v));
            }
        }
        assert_eq!(version_of("SESSIONED"), Some(2));
        assert_eq!(version_of("consumer"), None);

        let alloc = assignment(2, ws(&["c"], &[]), WorkSet::new(), 0);
        let protos = join_protocols(ConnectProtocol::Sessioned, "u", 3, Some(&alloc));
        let decoded: Vec<_> = protos
            .iter()
            .map(|(n, b)| (*n, decode_metadata(b).expect("decodes")))
            .collect();
        assert_eq!(decoded[0].1.version, 2);
        assert_eq!(decoded[0].1.allocation.as_ref().map(|a| a.version), Some(2));
        assert_eq!(decoded[1].1.version, 1);
        // The allocation is written with the metadata's header version.
        assert_eq!(decoded[1].1.allocation.as_ref().map(|a| a.version), Some(1));
        assert_eq!(decoded[2].1.version, 0);
        assert_eq!(decoded[2].1.allocation, None);
    }

    #[test]
    fn running_after_is_full_for_eager_and_incremental_for_cooperative() {
        let current = ws(&["a", "b"], &[("a", 0), ("b", 0)]);
        let eager = assignment(0, ws(&["c"], &[("c", 0)]), WorkSet::new(), 0);
        assert_eq!(running_after(&current, &eager), ws(&["c"], &[("c", 0)]));
        let coop = assignment(1, ws(&["c"], &[("c", 0)]), ws(&["b"], &[("a", 0)]), 0);
        assert_eq!(
            running_after(&current, &coop),
            ws(&["a", "c"], &[("b", 0), ("c", 0)])
        );
        let alloc = allocation_after(&current, &coop);
        assert_eq!(alloc.assigned, running_after(&current, &coop));
        assert!(alloc.revoked.is_empty());
        let mut mismatch = assignment(2, WorkSet::new(), WorkSet::new(), 0);
        mismatch.error = CONFIG_MISMATCH;
        assert_eq!(running_after(&current, &mismatch), current);
    }

    // ---- properties

    fn arb_name() -> impl Strategy<Value = String> {
        prop_oneof!["[a-z]{1,6}".prop_map(|s| s), "\\PC{0,8}".prop_map(|s| s),]
    }

    fn arb_workset() -> impl Strategy<Value = WorkSet> {
        (
            prop::collection::btree_set(arb_name(), 0..4),
            prop::collection::btree_set((arb_name(), 0u32..(i32::MAX as u32)), 0..6),
        )
            .prop_map(|(connectors, tasks)| WorkSet {
                connectors,
                tasks: tasks
                    .into_iter()
                    .map(|(c, t)| ConnectorTaskId::new(c, t))
                    .collect(),
            })
    }

    fn arb_assignment(version: i16) -> impl Strategy<Value = Assignment> {
        (
            any::<i16>(),
            arb_name(),
            arb_name(),
            any::<i64>(),
            arb_workset(),
            arb_workset(),
            any::<i32>(),
        )
            .prop_map(
                move |(error, leader, leader_url, config_offset, assigned, revoked, delay)| {
                    let v1 = version >= CONNECT_PROTOCOL_V1;
                    Assignment {
                        version,
                        error,
                        leader,
                        leader_url,
                        config_offset,
                        assigned,
                        revoked: if v1 { revoked } else { WorkSet::new() },
                        delay: if v1 { delay } else { 0 },
                    }
                },
            )
    }

    fn arb_any_assignment() -> impl Strategy<Value = Assignment> {
        (0i16..4).prop_flat_map(arb_assignment)
    }

    fn arb_metadata() -> impl Strategy<Value = WorkerMetadata> {
        (0i16..4).prop_flat_map(|version| {
            (
                arb_name(),
                any::<i64>(),
                prop::option::of(arb_assignment(version)),
            )
                .prop_map(move |(url, config_offset, allocation)| WorkerMetadata {
                    version,
                    url,
                    config_offset,
                    allocation: if version >= CONNECT_PROTOCOL_V1 {
                        allocation
                    } else {
                        None
                    },
                })
        })
    }

    /// What the fuzz target checks: decoding never panics, and whatever decodes re-encodes
    /// to bytes that are a fixpoint and decode to the same value (modulo what Java's writers
    /// drop: a v0 allocation, v0 revoked/delay, an allocation's own version).
    fn check_round_trip(bytes: &[u8]) -> Result<(), TestCaseError> {
        if let Ok(mut m) = decode_metadata(bytes) {
            let encoded = encode_metadata(&m);
            let again = decode_metadata(&encoded).expect("re-decodes");
            prop_assert_eq!(encode_metadata(&again), encoded);
            let version = m.version;
            if version < CONNECT_PROTOCOL_V1 {
                m.allocation = None;
            } else if let Some(a) = m.allocation.as_mut() {
                a.version = version;
            }
            prop_assert_eq!(again, m);
        }
        if let Ok(mut a) = decode_assignment(bytes) {
            let encoded = encode_assignment(&a);
            let again = decode_assignment(&encoded).expect("re-decodes");
            prop_assert_eq!(encode_assignment(&again), encoded);
            if a.version < CONNECT_PROTOCOL_V1 {
                a.revoked = WorkSet::new();
                a.delay = 0;
            }
            prop_assert_eq!(again, a);
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn assignment_round_trips(a in arb_any_assignment()) {
            let bytes = try_encode_assignment(&a).expect("encodes");
            prop_assert_eq!(decode_assignment(&bytes).expect("decodes"), a);
        }

        #[test]
        fn metadata_round_trips(m in arb_metadata()) {
            let bytes = try_encode_metadata(&m).expect("encodes");
            prop_assert_eq!(decode_metadata(&bytes).expect("decodes"), m);
        }

        #[test]
        fn decoding_arbitrary_bytes_never_panics_and_re_encodes_stably(
            bytes in prop::collection::vec(any::<u8>(), 0..128)
        ) {
            check_round_trip(&bytes)?;
        }

        #[test]
        fn decoding_mutated_valid_bytes_never_panics_and_re_encodes_stably(
            m in arb_metadata(),
            a in arb_any_assignment(),
            flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
            cut in any::<prop::sample::Index>(),
        ) {
            for mut bytes in [encode_metadata(&m), encode_assignment(&a)] {
                for (i, b) in &flips {
                    let i = i.index(bytes.len());
                    bytes[i] = *b;
                }
                check_round_trip(&bytes)?;
                check_round_trip(&bytes[..cut.index(bytes.len() + 1)])?;
            }
        }
    }
}
