//! A Kafka group-membership client: FindCoordinator, JoinGroup, SyncGroup,
//! Heartbeat and LeaveGroup over the Kafka protocol, like Java's
//! `AbstractCoordinator` + `ConsumerNetworkClient`. Its users: the Connect
//! workers of distributed mode (protocol type `connect`, Kafka Connect's
//! `WorkerCoordinator`) and the schema registry's leader election (protocol type
//! `sr`, Confluent's `SchemaRegistryCoordinator`).
//!
//! librdkafka's consumer group only carries protocol type `consumer`, so this is
//! a small client of its own built on the `kafka-protocol` crate:
//!
//! * one TCP connection to the coordinator for JoinGroup / SyncGroup (a JoinGroup
//!   can be parked by the coordinator for up to the rebalance timeout, and a
//!   coordinator answers one request at a time per connection);
//! * a second connection, owned by a background task, for heartbeats;
//! * short-lived connections to the bootstrap servers for FindCoordinator.
//!
//! Every new connection starts with ApiVersions, and each request uses
//! `min(our max, broker max)` of its API. Responses are size-bounded and decoded
//! defensively: a malformed frame closes that connection with an error.
//!
//! The usual loop of a caller (e.g. the distributed herder):
//!
//! ```text
//! loop {
//!     let joined = member.join(&protocols).await?;            // Fatal => stop
//!     let assignments = if joined.is_leader() { assign(&joined.members) } else { empty };
//!     let mine = match member.sync(&joined, assignments).await {
//!         Ok(bytes) => bytes,
//!         Err(e) if !e.is_fatal() => continue,                 // rejoin
//!         Err(e) => return Err(e),
//!     };
//!     apply(mine);
//!     tokio::select! { _ = member.rebalance_needed() => {}, ... }
//! }
//! ```

use bytes::{BufMut, Bytes, BytesMut};
use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::api_versions_request::ApiVersionsRequest;
use kafka_protocol::messages::api_versions_response::ApiVersionsResponse;
use kafka_protocol::messages::find_coordinator_request::FindCoordinatorRequest;
use kafka_protocol::messages::heartbeat_request::HeartbeatRequest;
use kafka_protocol::messages::join_group_request::{JoinGroupRequest, JoinGroupRequestProtocol};
use kafka_protocol::messages::leave_group_request::{LeaveGroupRequest, MemberIdentity};
use kafka_protocol::messages::sync_group_request::{SyncGroupRequest, SyncGroupRequestAssignment};
use kafka_protocol::messages::{ApiKey, GroupId, RequestHeader, ResponseHeader};
use kafka_protocol::protocol::{Decodable, Encodable, HeaderVersion, Request, StrBytes};
use parking_lot::Mutex;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Largest response frame accepted; anything bigger closes the connection.
const MAX_RESPONSE_BYTES: usize = 100 * 1024 * 1024;

/// The API versions this client implements: (API, min, max).
const OUR_VERSIONS: &[(ApiKey, i16, i16)] = &[
    (ApiKey::FindCoordinator, 0, 4),
    (ApiKey::JoinGroup, 0, 9),
    (ApiKey::SyncGroup, 0, 5),
    (ApiKey::Heartbeat, 0, 4),
    (ApiKey::LeaveGroup, 0, 5),
];

/// The ApiVersions version tried first (KIP-511 fallback to v0).
const API_VERSIONS_VERSION: i16 = 3;

// Kafka error codes this client reacts to.
const NONE: i16 = 0;
const COORDINATOR_LOAD_IN_PROGRESS: i16 = 14;
const COORDINATOR_NOT_AVAILABLE: i16 = 15;
const NOT_COORDINATOR: i16 = 16;
const ILLEGAL_GENERATION: i16 = 22;
const INCONSISTENT_GROUP_PROTOCOL: i16 = 23;
const INVALID_GROUP_ID: i16 = 24;
const UNKNOWN_MEMBER_ID: i16 = 25;
const INVALID_SESSION_TIMEOUT: i16 = 26;
const REBALANCE_IN_PROGRESS: i16 = 27;
const GROUP_AUTHORIZATION_FAILED: i16 = 30;
const UNSUPPORTED_VERSION: i16 = 35;
const MEMBER_ID_REQUIRED: i16 = 79;
const GROUP_MAX_SIZE_REACHED: i16 = 81;

/// Settings of one group member (Kafka Connect's worker settings of the same names).
#[derive(Debug, Clone)]
pub struct MemberConfig {
    /// `bootstrap.servers`: `host:port` entries, tried in turn for FindCoordinator.
    pub bootstrap_servers: Vec<String>,
    /// `group.id`: the Connect cluster's group.
    pub group_id: String,
    /// `client.id` sent in every request header.
    pub client_id: String,
    /// The group's protocol type: `"connect"` for Connect workers.
    pub protocol_type: String,
    /// `session.timeout.ms`: without a heartbeat for this long the coordinator expels the member.
    /// Must lie within the broker's `group.min.session.timeout.ms`..`group.max.session.timeout.ms`.
    pub session_timeout: Duration,
    /// `rebalance.timeout.ms`: how long the coordinator waits for every member to rejoin.
    pub rebalance_timeout: Duration,
    /// `heartbeat.interval.ms`: pause between heartbeats (keep it ≤ session_timeout / 3).
    pub heartbeat_interval: Duration,
    /// `retry.backoff.ms`: pause before retrying after a retriable error.
    pub retry_backoff: Duration,
    /// `request.timeout.ms`: bound on connecting and on each request (JoinGroup and
    /// SyncGroup get `rebalance_timeout` on top, since the coordinator parks them).
    pub request_timeout: Duration,
}

impl MemberConfig {
    /// Kafka Connect's defaults: session 10 s, rebalance 60 s, heartbeat 3 s,
    /// retry backoff 100 ms, request timeout 40 s; protocol type `connect`.
    pub fn new(bootstrap_servers: Vec<String>, group_id: impl Into<String>) -> Self {
        MemberConfig {
            bootstrap_servers,
            group_id: group_id.into(),
            client_id: "sluice-worker".into(),
            protocol_type: "connect".into(),
            session_timeout: Duration::from_secs(10),
            rebalance_timeout: Duration::from_secs(60),
            heartbeat_interval: Duration::from_secs(3),
            retry_backoff: Duration::from_millis(100),
            request_timeout: Duration::from_secs(40),
        }
    }
}

/// The result of a JoinGroup round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinedGroup {
    /// The generation this round created.
    pub generation: i32,
    /// This member's id (assigned by the coordinator).
    pub member_id: String,
    /// The leader's member id.
    pub leader_id: String,
    /// The chosen sub-protocol name (e.g. `sessioned`).
    pub protocol: String,
    /// Every member's (member id, metadata) — non-empty only on the leader.
    pub members: Vec<(String, Vec<u8>)>,
}

impl JoinedGroup {
    /// Whether this member leads the generation and must compute the assignments.
    pub fn is_leader(&self) -> bool {
        !self.member_id.is_empty() && self.member_id == self.leader_id
    }
}

/// What went wrong in a group operation. Everything except [`MemberError::Fatal`]
/// is worth retrying with a new [`GroupMember::join`].
#[derive(Debug, thiserror::Error)]
pub enum MemberError {
    /// The group moved on (rebalance in progress, new generation, member expelled):
    /// call `join()` again.
    #[error("the group is rebalancing; rejoin the group")]
    Rebalance,
    /// No bootstrap server answered FindCoordinator for the group.
    #[error("cannot find the group coordinator through bootstrap servers {servers}: {last_error}; check bootstrap.servers and that the brokers are running")]
    Unreachable {
        /// The bootstrap servers tried.
        servers: String,
        /// The last failure seen.
        last_error: String,
    },
    /// The coordinator refused in a way retrying cannot fix.
    #[error("group membership failed with {name} ({code}): {message}")]
    Fatal {
        /// The Kafka error code.
        code: i16,
        /// Its Kafka name, e.g. `INCONSISTENT_GROUP_PROTOCOL`.
        name: String,
        /// What to fix.
        message: String,
    },
    /// A connection failed or timed out.
    #[error("connection to {addr} failed: {source}")]
    Io {
        /// The `host:port` of the peer.
        addr: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The peer sent something this client cannot use (malformed or oversized frame,
    /// wrong correlation id, no common API version).
    #[error("Kafka protocol error with {addr}: {message}")]
    Protocol {
        /// The `host:port` of the peer.
        addr: String,
        /// What was wrong.
        message: String,
    },
}

impl MemberError {
    /// Whether retrying (rejoining) cannot help: the configuration or the broker must change.
    pub fn is_fatal(&self) -> bool {
        matches!(self, MemberError::Fatal { .. })
    }

    fn fatal(code: i16, message: impl Into<String>) -> Self {
        MemberError::Fatal {
            code,
            name: error_name(code),
            message: message.into(),
        }
    }
}

/// Kafka's name of an error code, e.g. 23 → `INCONSISTENT_GROUP_PROTOCOL`.
pub fn error_name(code: i16) -> String {
    match ResponseError::try_from_code(code) {
        None => "NONE".into(),
        Some(ResponseError::Unknown(c)) => format!("UNKNOWN_ERROR_CODE_{c}"),
        Some(e) => {
            let camel = format!("{e:?}");
            let mut out = String::with_capacity(camel.len() + 8);
            for (i, ch) in camel.chars().enumerate() {
                if ch.is_ascii_uppercase() && i > 0 {
                    out.push('_');
                }
                out.push(ch.to_ascii_uppercase());
            }
            out
        }
    }
}

fn str_bytes(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_owned())
}

fn io_error(addr: &str, kind: std::io::ErrorKind, what: String) -> MemberError {
    MemberError::Io {
        addr: addr.to_owned(),
        source: std::io::Error::new(kind, what),
    }
}

// ----- connection -------------------------------------------------------------

/// One TCP connection with negotiated API versions; requests run one at a time.
struct Connection {
    addr: String,
    stream: TcpStream,
    client_id: StrBytes,
    next_correlation: i32,
    /// The broker's (min, max) per API key.
    broker_versions: HashMap<i16, (i16, i16)>,
}

impl Connection {
    /// Connects (resolving `host:port`, trying each address) and runs ApiVersions.
    async fn open(addr: &str, client_id: &str, timeout: Duration) -> Result<Self, MemberError> {
        let stream = match tokio::time::timeout(timeout, TcpStream::connect(addr)).await {
            Ok(Ok(s)) => s,
            Ok(Err(source)) => {
                return Err(MemberError::Io {
                    addr: addr.to_owned(),
                    source,
                })
            }
            Err(_) => {
                return Err(io_error(
                    addr,
                    std::io::ErrorKind::TimedOut,
                    format!("connect timed out after {timeout:?}"),
                ))
            }
        };
        let _ = stream.set_nodelay(true);
        let mut conn = Connection {
            addr: addr.to_owned(),
            stream,
            client_id: str_bytes(client_id),
            next_correlation: 0,
            broker_versions: HashMap::new(),
        };
        match tokio::time::timeout(timeout, conn.negotiate()).await {
            Ok(r) => r?,
            Err(_) => {
                return Err(io_error(
                    addr,
                    std::io::ErrorKind::TimedOut,
                    format!("ApiVersions timed out after {timeout:?}"),
                ))
            }
        }
        Ok(conn)
    }

    /// ApiVersions v3, falling back to the v0 format an older broker answers with
    /// UNSUPPORTED_VERSION (KIP-511).
    async fn negotiate(&mut self) -> Result<(), MemberError> {
        let request = ApiVersionsRequest::default()
            .with_client_software_name(StrBytes::from_static_str("sluice"))
            .with_client_software_version(StrBytes::from_static_str(env!("CARGO_PKG_VERSION")));
        let body = self.roundtrip(&request, API_VERSIONS_VERSION).await?;
        let response = match decode_body::<ApiVersionsResponse>(body.clone(), API_VERSIONS_VERSION)
        {
            Ok(r) if r.error_code == NONE => r,
            _ => {
                let r = decode_body::<ApiVersionsResponse>(body, 0).map_err(|message| {
                    MemberError::Protocol {
                        addr: self.addr.clone(),
                        message: format!("malformed ApiVersions response: {message}"),
                    }
                })?;
                if r.api_keys.is_empty() {
                    return Err(MemberError::Protocol {
                        addr: self.addr.clone(),
                        message: format!(
                            "ApiVersions failed with {} and no version list",
                            error_name(r.error_code)
                        ),
                    });
                }
                r
            }
        };
        self.broker_versions = response
            .api_keys
            .iter()
            .map(|k| (k.api_key, (k.min_version, k.max_version)))
            .collect();
        tracing::debug!(
            peer = %self.addr,
            versions = ?self.negotiated(),
            "connected; negotiated group API versions"
        );
        Ok(())
    }

    /// The negotiated version of every API this client uses (`None`: no common version).
    fn negotiated(&self) -> Vec<(ApiKey, Option<i16>)> {
        OUR_VERSIONS
            .iter()
            .map(|&(key, _, _)| (key, self.version(key).ok()))
            .collect()
    }

    /// `min(our max, broker max)` for `key`, if within both ranges.
    fn version(&self, key: ApiKey) -> Result<i16, MemberError> {
        let (our_min, our_max) = OUR_VERSIONS
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|&(_, min, max)| (min, max))
            .unwrap_or((0, 0));
        let Some(&(broker_min, broker_max)) = self.broker_versions.get(&(key as i16)) else {
            return Err(MemberError::fatal(
                UNSUPPORTED_VERSION,
                format!(
                    "the broker at {} does not support {key:?}; use a Kafka-compatible broker with consumer-group support",
                    self.addr
                ),
            ));
        };
        let version = our_max.min(broker_max);
        if version < our_min.max(broker_min) {
            return Err(MemberError::fatal(
                UNSUPPORTED_VERSION,
                format!(
                    "no common {key:?} version with the broker at {} (broker {broker_min}-{broker_max}, this client {our_min}-{our_max})",
                    self.addr
                ),
            ));
        }
        Ok(version)
    }

    /// Sends `request` at the negotiated version and decodes the response.
    async fn call<R: Request>(
        &mut self,
        request: &R,
        version: i16,
        timeout: Duration,
    ) -> Result<R::Response, MemberError> {
        let body = match tokio::time::timeout(timeout, self.roundtrip(request, version)).await {
            Ok(r) => r?,
            Err(_) => {
                return Err(io_error(
                    &self.addr,
                    std::io::ErrorKind::TimedOut,
                    format!(
                        "no response to {:?} v{version} within {timeout:?}",
                        api_name(R::KEY)
                    ),
                ))
            }
        };
        decode_body::<R::Response>(body, version).map_err(|message| MemberError::Protocol {
            addr: self.addr.clone(),
            message: format!(
                "malformed {:?} v{version} response: {message}",
                api_name(R::KEY)
            ),
        })
    }

    /// Writes one framed request and reads its response; returns the body after
    /// the response header (correlation id checked).
    async fn roundtrip<R: Request>(
        &mut self,
        request: &R,
        version: i16,
    ) -> Result<Bytes, MemberError> {
        let correlation_id = self.next_correlation;
        self.next_correlation = self.next_correlation.wrapping_add(1);
        let header = RequestHeader::default()
            .with_request_api_key(R::KEY)
            .with_request_api_version(version)
            .with_correlation_id(correlation_id)
            .with_client_id(Some(self.client_id.clone()));
        let mut buf = BytesMut::with_capacity(256);
        buf.put_i32(0);
        header
            .encode(&mut buf, R::header_version(version))
            .and_then(|()| request.encode(&mut buf, version))
            .map_err(|e| MemberError::Protocol {
                addr: self.addr.clone(),
                message: format!("cannot encode {:?} v{version}: {e}", api_name(R::KEY)),
            })?;
        let len = (buf.len() - 4) as i32;
        buf[0..4].copy_from_slice(&len.to_be_bytes());
        let addr = self.addr.clone();
        let io = |source| MemberError::Io {
            addr: addr.clone(),
            source,
        };
        self.stream.write_all(&buf).await.map_err(io)?;

        let len = self.stream.read_i32().await.map_err(io)?;
        if len < 4 || len as usize > MAX_RESPONSE_BYTES {
            return Err(MemberError::Protocol {
                addr: self.addr.clone(),
                message: format!(
                    "response frame of {len} bytes is out of bounds (4..={MAX_RESPONSE_BYTES})"
                ),
            });
        }
        let mut frame = BytesMut::zeroed(len as usize);
        self.stream.read_exact(&mut frame).await.map_err(io)?;
        let mut frame = frame.freeze();
        let header_version = R::Response::header_version(version);
        let header = guarded(move || {
            let h = ResponseHeader::decode(&mut frame, header_version).map_err(|e| e.to_string());
            h.map(|h| (h, frame))
        });
        let (header, body) = header.map_err(|message| MemberError::Protocol {
            addr: self.addr.clone(),
            message: format!("malformed response header: {message}"),
        })?;
        if header.correlation_id != correlation_id {
            return Err(MemberError::Protocol {
                addr: self.addr.clone(),
                message: format!(
                    "response correlation id {} does not match request {correlation_id}",
                    header.correlation_id
                ),
            });
        }
        Ok(body)
    }
}

fn api_name(key: i16) -> String {
    ApiKey::try_from(key).map_or_else(|_| format!("api {key}"), |k| format!("{k:?}"))
}

/// Runs a decoder, turning a panic on hostile input into an error.
fn guarded<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err("decoder panicked on malformed input".into()))
}

fn decode_body<T: Decodable>(mut body: Bytes, version: i16) -> Result<T, String> {
    guarded(move || T::decode(&mut body, version).map_err(|e| e.to_string()))
}

// ----- the member -------------------------------------------------------------

/// The coordinator of the group, as FindCoordinator named it.
#[derive(Debug, Clone)]
struct Coordinator {
    node_id: i32,
    addr: String,
}

struct State {
    member_id: String,
    generation: i32,
    coordinator: Option<Coordinator>,
    /// Bumped by join() and leave(); a heartbeat task of an older epoch changes nothing.
    epoch: u64,
    heartbeat: Option<JoinHandle<()>>,
    /// request_rejoin() was called since the last join().
    rejoin_requested: bool,
    /// API versions negotiated on the last coordinator connection.
    versions: Vec<(ApiKey, Option<i16>)>,
}

struct Shared {
    config: MemberConfig,
    state: Mutex<State>,
    /// The join/sync connection to the coordinator (taken out while in use, so a
    /// cancelled request never leaves a half-read response behind).
    conn: tokio::sync::Mutex<Option<Connection>>,
    /// True while a rebalance is pending and no join() has started since.
    pending: watch::Sender<bool>,
}

impl Drop for Shared {
    fn drop(&mut self) {
        if let Some(h) = self.state.get_mut().heartbeat.take() {
            h.abort();
        }
    }
}

/// One worker's membership in the group. Cheap to clone (Arc inside). Dropping the
/// last clone stops heartbeating without leaving (the coordinator expels the
/// member after the session timeout); call [`GroupMember::leave`] for a prompt exit.
#[derive(Clone)]
pub struct GroupMember {
    inner: Arc<Shared>,
}

impl std::fmt::Debug for GroupMember {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let st = self.inner.state.lock();
        f.debug_struct("GroupMember")
            .field("group", &self.inner.config.group_id)
            .field("member_id", &st.member_id)
            .field("generation", &st.generation)
            .finish()
    }
}

/// What one attempt inside a retry loop produced.
enum Attempt<T> {
    Done(T),
    /// Retry at once (MEMBER_ID_REQUIRED, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS).
    Now,
    /// Retry after the backoff (coordinator moved, loading, unreachable).
    Later(MemberError),
}

impl GroupMember {
    /// A member that has not joined yet (no I/O until [`GroupMember::join`]).
    pub fn new(config: MemberConfig) -> Self {
        let (pending, _) = watch::channel(false);
        GroupMember {
            inner: Arc::new(Shared {
                config,
                state: Mutex::new(State {
                    member_id: String::new(),
                    generation: -1,
                    coordinator: None,
                    epoch: 0,
                    heartbeat: None,
                    rejoin_requested: false,
                    versions: Vec::new(),
                }),
                conn: tokio::sync::Mutex::new(None),
                pending,
            }),
        }
    }

    /// The generation of the last successful join (-1 before).
    pub fn generation(&self) -> i32 {
        self.inner.state.lock().generation
    }

    /// The member id the coordinator assigned ("" before joining or after expulsion).
    pub fn member_id(&self) -> String {
        self.inner.state.lock().member_id.clone()
    }

    /// The versions of FindCoordinator, JoinGroup, SyncGroup, Heartbeat and LeaveGroup
    /// negotiated with the coordinator on the last join/sync connection (`None`: no
    /// version in common), e.g. `("JoinGroup", Some(9))`. Empty before the first join.
    pub fn api_versions(&self) -> Vec<(String, Option<i16>)> {
        self.inner
            .state
            .lock()
            .versions
            .iter()
            .map(|(k, v)| (format!("{k:?}"), *v))
            .collect()
    }

    fn config(&self) -> &MemberConfig {
        &self.inner.config
    }

    /// Stops heartbeating and invalidates the running heartbeat task's epoch.
    fn stop_heartbeat(st: &mut State) -> u64 {
        st.epoch += 1;
        if let Some(h) = st.heartbeat.take() {
            h.abort();
        }
        st.epoch
    }

    /// Finds the coordinator (FindCoordinator key=group, retrying with backoff until it
    /// answers), sends JoinGroup with `protocols` = [(sub-protocol name, metadata
    /// bytes)] in preference order, and returns the new generation.
    ///
    /// Handles MEMBER_ID_REQUIRED (rejoin with the given id), NOT_COORDINATOR /
    /// COORDINATOR_NOT_AVAILABLE / COORDINATOR_LOAD_IN_PROGRESS (rediscover, retry),
    /// UNKNOWN_MEMBER_ID (reset the member id, retry), REBALANCE_IN_PROGRESS (retry).
    /// Fatal errors (INCONSISTENT_GROUP_PROTOCOL, GROUP_AUTHORIZATION_FAILED,
    /// INVALID_SESSION_TIMEOUT, ...) return [`MemberError::Fatal`] saying what to fix.
    /// When the coordinator stays unreachable for `max(rebalance_timeout,
    /// request_timeout)` it gives up with [`MemberError::Unreachable`] / `Io`.
    ///
    /// Stops any heartbeating of the previous generation first, and clears a pending
    /// rebalance. Cancel-safe (the member then simply is not joined).
    pub async fn join(&self, protocols: &[(String, Vec<u8>)]) -> Result<JoinedGroup, MemberError> {
        let (mut forced, previous_generation) = {
            let mut st = self.inner.state.lock();
            Self::stop_heartbeat(&mut st);
            (std::mem::take(&mut st.rejoin_requested), st.generation)
        };
        self.inner.pending.send_replace(false);
        let cfg = self.config();
        let give_up = cfg.rebalance_timeout.max(cfg.request_timeout);
        let started = Instant::now();
        let mut failing_since: Option<Instant> = None;
        let mut slot = self.inner.conn.lock().await;
        loop {
            match self.join_once(&mut slot, protocols).await? {
                Attempt::Done(joined)
                    if forced
                        && previous_generation >= 0
                        && joined.generation == previous_generation =>
                {
                    // A follower rejoining a Stable group with unchanged metadata gets
                    // the current generation back (Kafka's rule; Tansu does the same for
                    // the leader). A requested rejoin must rebalance the group: leave,
                    // and join again as a new member.
                    forced = false;
                    tracing::info!(
                        group = %cfg.group_id,
                        member_id = %joined.member_id,
                        generation = joined.generation,
                        "coordinator kept the generation for an unchanged member; leaving and rejoining to force the requested rebalance"
                    );
                    if let Some(mut conn) = slot.take() {
                        match send_leave(&mut conn, cfg, &joined.member_id, "rejoin requested")
                            .await
                        {
                            Ok(_) => *slot = Some(conn),
                            Err(e) => self.lost_connection(&e),
                        }
                    }
                    self.inner.state.lock().member_id.clear();
                    failing_since = None;
                }
                Attempt::Done(joined) => {
                    tracing::info!(
                        group = %cfg.group_id,
                        member_id = %joined.member_id,
                        generation = joined.generation,
                        leader = %joined.leader_id,
                        protocol = %joined.protocol,
                        members = joined.members.len(),
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        "joined group"
                    );
                    return Ok(joined);
                }
                Attempt::Now => failing_since = None,
                Attempt::Later(error) => {
                    let since = *failing_since.get_or_insert_with(Instant::now);
                    if since.elapsed() >= give_up {
                        tracing::error!(group = %cfg.group_id, error = %error, "giving up joining the group");
                        return Err(error);
                    }
                    tracing::warn!(group = %cfg.group_id, error = %error, "join attempt failed; retrying");
                    tokio::time::sleep(cfg.retry_backoff).await;
                }
            }
        }
    }

    /// One FindCoordinator (if needed) + JoinGroup attempt. `Err` is fatal.
    async fn join_once(
        &self,
        slot: &mut Option<Connection>,
        protocols: &[(String, Vec<u8>)],
    ) -> Result<Attempt<JoinedGroup>, MemberError> {
        let cfg = self.config();
        let mut conn = match self.coordinator_connection(slot).await {
            Ok(c) => c,
            Err(e) if e.is_fatal() => return Err(e),
            Err(e) => return Ok(Attempt::Later(e)),
        };
        let version = conn.version(ApiKey::JoinGroup)?;
        let member_id = self.member_id();
        let request = JoinGroupRequest::default()
            .with_group_id(GroupId(str_bytes(&cfg.group_id)))
            .with_session_timeout_ms(millis(cfg.session_timeout))
            .with_rebalance_timeout_ms(millis(cfg.rebalance_timeout))
            .with_member_id(str_bytes(&member_id))
            .with_protocol_type(str_bytes(&cfg.protocol_type))
            .with_protocols(
                protocols
                    .iter()
                    .map(|(name, metadata)| {
                        JoinGroupRequestProtocol::default()
                            .with_name(str_bytes(name))
                            .with_metadata(Bytes::copy_from_slice(metadata))
                    })
                    .collect(),
            );
        tracing::debug!(group = %cfg.group_id, member_id = %member_id, coordinator = %conn.addr, version, "sending JoinGroup");
        let response = match conn
            .call(
                &request,
                version,
                cfg.rebalance_timeout + cfg.request_timeout,
            )
            .await
        {
            Ok(r) => r,
            Err(e) => return self.connection_failed(e),
        };
        let coordinator = conn.addr.clone();
        *slot = Some(conn);
        let code = response.error_code;
        match code {
            NONE => {
                let joined = JoinedGroup {
                    generation: response.generation_id,
                    member_id: response.member_id.to_string(),
                    leader_id: response.leader.to_string(),
                    protocol: response
                        .protocol_name
                        .map(|s| s.to_string())
                        .unwrap_or_default(),
                    members: response
                        .members
                        .into_iter()
                        .map(|m| (m.member_id.to_string(), m.metadata.to_vec()))
                        .collect(),
                };
                let mut st = self.inner.state.lock();
                st.member_id = joined.member_id.clone();
                st.generation = joined.generation;
                Ok(Attempt::Done(joined))
            }
            MEMBER_ID_REQUIRED => {
                let id = response.member_id.to_string();
                tracing::debug!(group = %cfg.group_id, member_id = %id, coordinator = %coordinator, "coordinator assigned a member id; rejoining with it");
                self.inner.state.lock().member_id = id;
                Ok(Attempt::Now)
            }
            UNKNOWN_MEMBER_ID => {
                tracing::info!(group = %cfg.group_id, member_id = %member_id, coordinator = %coordinator, "coordinator does not know this member id; rejoining as a new member");
                self.inner.state.lock().member_id.clear();
                Ok(Attempt::Now)
            }
            REBALANCE_IN_PROGRESS | ILLEGAL_GENERATION => Ok(Attempt::Now),
            NOT_COORDINATOR | COORDINATOR_NOT_AVAILABLE => {
                self.forget_coordinator(slot);
                Ok(Attempt::Later(retriable(code, &coordinator)))
            }
            COORDINATOR_LOAD_IN_PROGRESS => Ok(Attempt::Later(retriable(code, &coordinator))),
            _ => {
                let error = self.fatal_join_error(code, protocols);
                tracing::error!(group = %cfg.group_id, member_id = %member_id, coordinator = %coordinator, error = %error, "JoinGroup failed");
                Err(error)
            }
        }
    }

    fn fatal_join_error(&self, code: i16, protocols: &[(String, Vec<u8>)]) -> MemberError {
        let cfg = self.config();
        let names: Vec<&str> = protocols.iter().map(|(n, _)| n.as_str()).collect();
        let message = match code {
            INCONSISTENT_GROUP_PROTOCOL => format!(
                "group {:?}: this member offers protocol type {:?} with sub-protocols {names:?}, which the group's current members do not share (or the group is used by clients of another protocol type, e.g. consumers); give every worker a common sub-protocol (connect.protocol) or use a group.id nothing else uses",
                cfg.group_id, cfg.protocol_type
            ),
            GROUP_AUTHORIZATION_FAILED => format!(
                "not authorized to join group {:?}; grant this client's principal Read on the group",
                cfg.group_id
            ),
            INVALID_SESSION_TIMEOUT => format!(
                "session timeout {} ms is outside the broker's group.min.session.timeout.ms..group.max.session.timeout.ms; change session.timeout.ms or the broker's limits",
                cfg.session_timeout.as_millis()
            ),
            INVALID_GROUP_ID => format!("group.id {:?} is not a valid group id", cfg.group_id),
            GROUP_MAX_SIZE_REACHED => format!(
                "group {:?} already has the broker's group.max.size members",
                cfg.group_id
            ),
            other => format!(
                "JoinGroup for group {:?} failed: {}",
                cfg.group_id,
                ResponseError::try_from_code(other)
                    .map(|e| e.to_string())
                    .unwrap_or_default()
            ),
        };
        MemberError::fatal(code, message)
    }

    /// SyncGroup for `joined` (the leader passes every member's assignment bytes;
    /// followers pass an empty map). Returns this member's assignment bytes and starts
    /// heartbeating this generation in a background task on a separate connection.
    ///
    /// REBALANCE_IN_PROGRESS / ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID, a lost
    /// coordinator or a join() since `joined` → [`MemberError::Rebalance`] or `Io`:
    /// the caller rejoins.
    pub async fn sync(
        &self,
        joined: &JoinedGroup,
        assignments: BTreeMap<String, Vec<u8>>,
    ) -> Result<Vec<u8>, MemberError> {
        let cfg = self.config();
        let epoch = {
            let st = self.inner.state.lock();
            if st.generation != joined.generation || st.member_id != joined.member_id {
                return Err(MemberError::Rebalance);
            }
            st.epoch
        };
        let mut slot = self.inner.conn.lock().await;
        let mut conn = self.coordinator_connection(&mut slot).await?;
        let version = conn.version(ApiKey::SyncGroup)?;
        let mut request = SyncGroupRequest::default()
            .with_group_id(GroupId(str_bytes(&cfg.group_id)))
            .with_generation_id(joined.generation)
            .with_member_id(str_bytes(&joined.member_id))
            .with_assignments(
                assignments
                    .into_iter()
                    .map(|(member_id, assignment)| {
                        SyncGroupRequestAssignment::default()
                            .with_member_id(StrBytes::from_string(member_id))
                            .with_assignment(Bytes::from(assignment))
                    })
                    .collect(),
            );
        if version >= 5 {
            request = request
                .with_protocol_type(Some(str_bytes(&cfg.protocol_type)))
                .with_protocol_name(Some(str_bytes(&joined.protocol)));
        }
        let response = match conn
            .call(
                &request,
                version,
                cfg.rebalance_timeout + cfg.request_timeout,
            )
            .await
        {
            Ok(r) => r,
            Err(e) => {
                self.lost_connection(&e);
                return Err(e);
            }
        };
        let coordinator = conn.addr.clone();
        *slot = Some(conn);
        let code = response.error_code;
        let fields = || {
            (
                cfg.group_id.clone(),
                joined.member_id.clone(),
                joined.generation,
            )
        };
        match code {
            NONE => {}
            REBALANCE_IN_PROGRESS | ILLEGAL_GENERATION | UNKNOWN_MEMBER_ID => {
                let (group, member_id, generation) = fields();
                tracing::info!(%group, %member_id, generation, %coordinator, error = %error_name(code), "SyncGroup: the group is rebalancing again");
                if code == UNKNOWN_MEMBER_ID {
                    self.inner.state.lock().member_id.clear();
                }
                return Err(MemberError::Rebalance);
            }
            NOT_COORDINATOR | COORDINATOR_NOT_AVAILABLE | COORDINATOR_LOAD_IN_PROGRESS => {
                self.forget_coordinator(&mut slot);
                return Err(MemberError::Rebalance);
            }
            _ => {
                let error = MemberError::fatal(
                    code,
                    format!(
                        "SyncGroup for group {:?} failed: {}",
                        cfg.group_id,
                        ResponseError::try_from_code(code)
                            .map(|e| e.to_string())
                            .unwrap_or_default()
                    ),
                );
                let (group, member_id, generation) = fields();
                tracing::error!(%group, %member_id, generation, %coordinator, error = %error, "SyncGroup failed");
                return Err(error);
            }
        }
        if let Some(name) = response.protocol_name.as_ref().filter(|_| version >= 5) {
            if name.as_str() != joined.protocol {
                return Err(MemberError::fatal(
                    INCONSISTENT_GROUP_PROTOCOL,
                    format!(
                        "SyncGroup answered sub-protocol {:?} but JoinGroup chose {:?}",
                        name.as_str(),
                        joined.protocol
                    ),
                ));
            }
        }
        drop(slot);
        let mut st = self.inner.state.lock();
        if st.epoch != epoch || st.generation != joined.generation {
            return Err(MemberError::Rebalance);
        }
        let Some(coord) = st.coordinator.clone() else {
            return Err(MemberError::Rebalance);
        };
        let task = HeartbeatTask {
            shared: Arc::downgrade(&self.inner),
            config: cfg.clone(),
            epoch,
            member_id: joined.member_id.clone(),
            generation: joined.generation,
            coordinator: coord,
        };
        st.heartbeat = Some(tokio::spawn(task.run()));
        tracing::info!(
            group = %cfg.group_id,
            member_id = %joined.member_id,
            generation = joined.generation,
            coordinator = %coordinator,
            assignment_bytes = response.assignment.len(),
            "synced group; heartbeating"
        );
        Ok(response.assignment.to_vec())
    }

    /// Completes when the group must rebalance: a heartbeat answered
    /// REBALANCE_IN_PROGRESS (heartbeats continue meanwhile so the session stays
    /// alive), ILLEGAL_GENERATION or UNKNOWN_MEMBER_ID (the member id is forgotten),
    /// NOT_COORDINATOR or the heartbeat connection failed (the coordinator is
    /// rediscovered), no successful heartbeat for `session_timeout`, or
    /// [`GroupMember::request_rejoin`]. Returns at once if a rebalance is already
    /// pending and no join() has started since. Cancel-safe.
    pub async fn rebalance_needed(&self) {
        let mut rx = self.inner.pending.subscribe();
        // The sender lives as long as `self`, so this cannot fail.
        let _ = rx.wait_for(|pending| *pending).await;
    }

    /// Asks for a rebalance (e.g. the config changed): the next
    /// [`GroupMember::rebalance_needed`] returns at once. The caller then calls
    /// join(), which makes the coordinator rebalance the whole group.
    pub fn request_rejoin(&self) {
        let mut st = self.inner.state.lock();
        st.rejoin_requested = true;
        tracing::info!(group = %self.config().group_id, member_id = %st.member_id, generation = st.generation, "rejoin requested");
        drop(st);
        self.inner.pending.send_replace(true);
    }

    /// LeaveGroup (best effort, bounded by `request_timeout`) and stop heartbeating.
    /// Afterwards the member has no id; a later join() enters as a new member.
    pub async fn leave(&self) {
        let cfg = self.config();
        let (member_id, generation, coordinator) = {
            let mut st = self.inner.state.lock();
            Self::stop_heartbeat(&mut st);
            let member_id = std::mem::take(&mut st.member_id);
            let generation = std::mem::replace(&mut st.generation, -1);
            (member_id, generation, st.coordinator.clone())
        };
        if member_id.is_empty() {
            return;
        }
        let result = tokio::time::timeout(cfg.request_timeout, async {
            // Reuse the join/sync connection when idle; a join() in flight holds it.
            let idle = self.inner.conn.try_lock().ok().and_then(|mut s| s.take());
            let mut conn = match (idle, coordinator) {
                (Some(c), _) => c,
                (None, Some(coord)) => {
                    Connection::open(&coord.addr, &cfg.client_id, cfg.request_timeout).await?
                }
                (None, None) => {
                    let coord = self.find_coordinator().await?;
                    Connection::open(&coord.addr, &cfg.client_id, cfg.request_timeout).await?
                }
            };
            send_leave(&mut conn, cfg, &member_id, "the worker is stopping").await
        })
        .await;
        match result {
            Ok(Ok(NONE)) => {
                tracing::info!(group = %cfg.group_id, %member_id, generation, "left group")
            }
            Ok(Ok(code)) => {
                tracing::warn!(group = %cfg.group_id, %member_id, generation, error = %error_name(code), "LeaveGroup refused")
            }
            Ok(Err(e)) => {
                tracing::warn!(group = %cfg.group_id, %member_id, generation, error = %e, "LeaveGroup failed; the coordinator expels the member after the session timeout")
            }
            Err(_) => {
                tracing::warn!(group = %cfg.group_id, %member_id, generation, "LeaveGroup timed out; the coordinator expels the member after the session timeout")
            }
        }
    }

    /// The join/sync connection, taken out of `slot` (put it back after a
    /// successful call). Discovers the coordinator first if needed.
    async fn coordinator_connection(
        &self,
        slot: &mut Option<Connection>,
    ) -> Result<Connection, MemberError> {
        if let Some(conn) = slot.take() {
            return Ok(conn);
        }
        let cfg = self.config();
        let known = self.inner.state.lock().coordinator.clone();
        let coord = match known {
            Some(c) => c,
            None => {
                let c = self.find_coordinator().await?;
                tracing::info!(group = %cfg.group_id, coordinator = %c.addr, node_id = c.node_id, "discovered group coordinator");
                self.inner.state.lock().coordinator = Some(c.clone());
                c
            }
        };
        match Connection::open(&coord.addr, &cfg.client_id, cfg.request_timeout).await {
            Ok(conn) => {
                self.inner.state.lock().versions = conn.negotiated();
                Ok(conn)
            }
            Err(e) => {
                if !e.is_fatal() {
                    self.inner.state.lock().coordinator = None;
                }
                Err(e)
            }
        }
    }

    /// FindCoordinator through each bootstrap server in turn.
    async fn find_coordinator(&self) -> Result<Coordinator, MemberError> {
        let cfg = self.config();
        let mut last_error = String::from("no bootstrap servers configured");
        for server in &cfg.bootstrap_servers {
            match self.find_coordinator_via(server).await {
                Ok(c) => return Ok(c),
                Err(e) if e.is_fatal() => return Err(e),
                Err(e) => {
                    tracing::debug!(group = %cfg.group_id, server = %server, error = %e, "FindCoordinator failed");
                    last_error = format!("{server}: {e}");
                }
            }
        }
        Err(MemberError::Unreachable {
            servers: cfg.bootstrap_servers.join(","),
            last_error,
        })
    }

    async fn find_coordinator_via(&self, server: &str) -> Result<Coordinator, MemberError> {
        let cfg = self.config();
        let mut conn = Connection::open(server, &cfg.client_id, cfg.request_timeout).await?;
        let version = conn.version(ApiKey::FindCoordinator)?;
        let request = if version >= 4 {
            FindCoordinatorRequest::default().with_coordinator_keys(vec![str_bytes(&cfg.group_id)])
        } else {
            FindCoordinatorRequest::default().with_key(str_bytes(&cfg.group_id))
        };
        let response = conn.call(&request, version, cfg.request_timeout).await?;
        let (code, message, node_id, host, port) = if version >= 4 {
            let Some(c) = response.coordinators.into_iter().next() else {
                return Err(MemberError::Protocol {
                    addr: server.to_owned(),
                    message: "FindCoordinator v4+ response without coordinators".into(),
                });
            };
            (c.error_code, c.error_message, c.node_id, c.host, c.port)
        } else {
            (
                response.error_code,
                response.error_message,
                response.node_id,
                response.host,
                response.port,
            )
        };
        match code {
            NONE => {}
            GROUP_AUTHORIZATION_FAILED => {
                return Err(MemberError::fatal(
                    code,
                    format!(
                        "not authorized to use group {:?}; grant this client's principal Describe/Read on the group",
                        cfg.group_id
                    ),
                ))
            }
            _ => {
                let detail = message.map(|m| m.to_string()).unwrap_or_default();
                return Err(MemberError::Protocol {
                    addr: server.to_owned(),
                    message: format!("FindCoordinator answered {} {detail}", error_name(code)),
                });
            }
        }
        let host = host.to_string();
        let port = u16::try_from(port).map_err(|_| MemberError::Protocol {
            addr: server.to_owned(),
            message: format!("FindCoordinator returned invalid port {port}"),
        })?;
        let addr = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        Ok(Coordinator {
            node_id: node_id.0,
            addr,
        })
    }

    fn forget_coordinator(&self, slot: &mut Option<Connection>) {
        *slot = None;
        self.inner.state.lock().coordinator = None;
    }

    /// A failed call on the join/sync connection: the connection is already dropped;
    /// forget the coordinator unless the error is fatal.
    fn lost_connection(&self, error: &MemberError) {
        if !error.is_fatal() {
            let mut st = self.inner.state.lock();
            tracing::warn!(group = %self.config().group_id, member_id = %st.member_id, generation = st.generation,
                coordinator = ?st.coordinator.as_ref().map(|c| c.addr.clone()), error = %error, "lost the coordinator connection");
            st.coordinator = None;
        }
    }

    fn connection_failed<T>(&self, error: MemberError) -> Result<Attempt<T>, MemberError> {
        if error.is_fatal() {
            return Err(error);
        }
        self.lost_connection(&error);
        Ok(Attempt::Later(error))
    }
}

/// LeaveGroup for `member_id`; returns the (first) error code.
async fn send_leave(
    conn: &mut Connection,
    cfg: &MemberConfig,
    member_id: &str,
    reason: &'static str,
) -> Result<i16, MemberError> {
    let version = conn.version(ApiKey::LeaveGroup)?;
    let mut request = LeaveGroupRequest::default().with_group_id(GroupId(str_bytes(&cfg.group_id)));
    if version >= 3 {
        let mut identity = MemberIdentity::default().with_member_id(str_bytes(member_id));
        if version >= 5 {
            identity = identity.with_reason(Some(StrBytes::from_static_str(reason)));
        }
        request = request.with_members(vec![identity]);
    } else {
        request = request.with_member_id(str_bytes(member_id));
    }
    let response = conn.call(&request, version, cfg.request_timeout).await?;
    Ok(response
        .members
        .iter()
        .map(|m| m.error_code)
        .find(|&c| c != NONE)
        .unwrap_or(response.error_code))
}

fn retriable(code: i16, coordinator: &str) -> MemberError {
    MemberError::Protocol {
        addr: coordinator.to_owned(),
        message: format!("coordinator answered {}", error_name(code)),
    }
}

fn millis(d: Duration) -> i32 {
    i32::try_from(d.as_millis()).unwrap_or(i32::MAX)
}

// ----- heartbeats -------------------------------------------------------------

/// Heartbeats one generation on its own connection until it ends.
struct HeartbeatTask {
    /// Weak, so that dropping every GroupMember stops the heartbeats.
    shared: Weak<Shared>,
    config: MemberConfig,
    epoch: u64,
    member_id: String,
    generation: i32,
    coordinator: Coordinator,
}

/// Why a heartbeat task asks for a rebalance.
enum Ended {
    Rebalancing,
    IllegalGeneration,
    UnknownMember,
    CoordinatorLost(String),
    SessionExpired,
}

impl HeartbeatTask {
    async fn run(self) {
        let cfg = &self.config;
        let mut conn: Option<Connection> = None;
        let mut last_ok = Instant::now();
        let mut rebalancing = false;
        loop {
            tokio::time::sleep(cfg.heartbeat_interval).await;
            if self.shared.strong_count() == 0 {
                return;
            }
            if last_ok.elapsed() >= cfg.session_timeout {
                self.end(Ended::SessionExpired);
                return;
            }
            let budget = cfg.request_timeout.min(cfg.session_timeout);
            let result = self.beat(&mut conn, budget).await;
            match result {
                Ok(NONE) => last_ok = Instant::now(),
                Ok(REBALANCE_IN_PROGRESS) => {
                    last_ok = Instant::now();
                    if !rebalancing {
                        rebalancing = true;
                        if !self.end(Ended::Rebalancing) {
                            return;
                        }
                    }
                }
                Ok(ILLEGAL_GENERATION) => {
                    self.end(Ended::IllegalGeneration);
                    return;
                }
                Ok(UNKNOWN_MEMBER_ID) => {
                    self.end(Ended::UnknownMember);
                    return;
                }
                Ok(code @ (NOT_COORDINATOR | COORDINATOR_NOT_AVAILABLE)) => {
                    self.end(Ended::CoordinatorLost(error_name(code)));
                    return;
                }
                Ok(code) => {
                    // COORDINATOR_LOAD_IN_PROGRESS and the like: retry next interval.
                    tracing::warn!(group = %cfg.group_id, member_id = %self.member_id, generation = self.generation,
                        coordinator = %self.coordinator.addr, error = %error_name(code), "heartbeat refused");
                }
                Err(e) => {
                    self.end(Ended::CoordinatorLost(e.to_string()));
                    return;
                }
            }
        }
    }

    async fn beat(
        &self,
        conn: &mut Option<Connection>,
        budget: Duration,
    ) -> Result<i16, MemberError> {
        let cfg = &self.config;
        let mut c = match conn.take() {
            Some(c) => c,
            None => Connection::open(&self.coordinator.addr, &cfg.client_id, budget).await?,
        };
        let version = c.version(ApiKey::Heartbeat)?;
        let request = HeartbeatRequest::default()
            .with_group_id(GroupId(str_bytes(&cfg.group_id)))
            .with_generation_id(self.generation)
            .with_member_id(str_bytes(&self.member_id));
        let response = c.call(&request, version, budget).await?;
        *conn = Some(c);
        Ok(response.error_code)
    }

    /// Records why the generation ends and wakes rebalance_needed(). Returns false
    /// when a newer join()/leave() already replaced this task's generation.
    fn end(&self, why: Ended) -> bool {
        let Some(shared) = self.shared.upgrade() else {
            return false;
        };
        let mut st = shared.state.lock();
        if st.epoch != self.epoch {
            return false;
        }
        let cfg = &self.config;
        let (reason, stop) = match why {
            Ended::Rebalancing => (
                "the coordinator is rebalancing the group".to_string(),
                false,
            ),
            Ended::IllegalGeneration => {
                ("the generation is over (ILLEGAL_GENERATION)".into(), true)
            }
            Ended::UnknownMember => {
                st.member_id.clear();
                (
                    "the coordinator no longer knows this member (UNKNOWN_MEMBER_ID)".into(),
                    true,
                )
            }
            Ended::CoordinatorLost(e) => {
                st.coordinator = None;
                (format!("lost the coordinator: {e}"), true)
            }
            Ended::SessionExpired => {
                st.coordinator = None;
                (
                    format!(
                        "no successful heartbeat for the session timeout ({:?})",
                        cfg.session_timeout
                    ),
                    true,
                )
            }
        };
        tracing::info!(group = %cfg.group_id, member_id = %self.member_id, generation = self.generation,
            coordinator = %self.coordinator.addr, %reason, "rebalance needed");
        if stop {
            // This task is about to return; drop its handle (do not abort ourselves mid-call).
            st.heartbeat = None;
        }
        drop(st);
        shared.pending.send_replace(true);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_names_are_kafkas() {
        assert_eq!(error_name(23), "INCONSISTENT_GROUP_PROTOCOL");
        assert_eq!(error_name(79), "MEMBER_ID_REQUIRED");
        assert_eq!(error_name(0), "NONE");
        assert_eq!(error_name(9999), "UNKNOWN_ERROR_CODE_9999");
    }

    /// A peer that answers every request with `reply` (after reading the request).
    async fn bad_peer(reply: Vec<u8>) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr").to_string();
        tokio::spawn(async move {
            if let Ok((mut s, _)) = listener.accept().await {
                let mut buf = [0u8; 512];
                let _ = s.read(&mut buf).await;
                let _ = s.write_all(&reply).await;
                let _ = s.shutdown().await;
            }
        });
        addr
    }

    #[tokio::test]
    async fn oversized_malformed_or_mismatched_responses_are_errors() {
        let cases: Vec<(Vec<u8>, &str)> = vec![
            // 2 GiB frame announced.
            (0x7fff_ffffi32.to_be_bytes().to_vec(), "out of bounds"),
            // Negative length.
            ((-5i32).to_be_bytes().to_vec(), "out of bounds"),
            // Right correlation id, body announcing 2^31 api keys in 6 bytes.
            (
                [
                    &10i32.to_be_bytes()[..],
                    &0i32.to_be_bytes(),
                    &0i16.to_be_bytes(),
                    &[0x7f, 0xff, 0xff, 0xff],
                ]
                .concat(),
                "malformed ApiVersions",
            ),
            // Wrong correlation id.
            (
                [
                    &8i32.to_be_bytes()[..],
                    &77i32.to_be_bytes(),
                    &0i16.to_be_bytes(),
                    &[0, 0],
                ]
                .concat(),
                "correlation id",
            ),
        ];
        for (reply, expected) in cases {
            let addr = bad_peer(reply).await;
            let error = Connection::open(&addr, "t", Duration::from_secs(5))
                .await
                .err()
                .expect("must fail");
            assert!(error.to_string().contains(expected), "{expected}: {error}");
        }
    }

    #[test]
    fn leader_is_the_member_named_leader() {
        let mut j = JoinedGroup {
            generation: 1,
            member_id: "a".into(),
            leader_id: "a".into(),
            protocol: "default".into(),
            members: vec![],
        };
        assert!(j.is_leader());
        j.leader_id = "b".into();
        assert!(!j.is_leader());
    }
}
