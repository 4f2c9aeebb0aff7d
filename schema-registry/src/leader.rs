//! Several registry instances on one `_schemas` topic: leader election through a
//! Kafka group, and the forwarding of writes to the leader.
//!
//! As Confluent's `KafkaGroupLeaderElector` and `SchemaRegistryCoordinator` do it:
//! every instance joins the group `schema.registry.group.id` (default
//! `schema-registry`) with protocol type `sr`, sub-protocol `v0`, and its identity as
//! member metadata, the JSON `{"version":1,"host":…,"port":…,"master_eligibility":…,
//! "scheme":"http"}`. The Kafka group leader (any member) picks the registry leader:
//! the leader-eligible member with the smallest URL, and gives every member the same
//! assignment `{"version":1,"error":0,"master":<member id>,"master_identity":{…}}`
//! (`error` 1 when two members advertise the same URL). Identities and assignments
//! are byte-compatible with Confluent's, so a sluice registry can share a group with
//! Confluent's.
//!
//! Only the leader writes to the topic, so it alone allocates ids; an instance that
//! becomes leader first reads the topic to its end. Followers serve reads from their
//! own copy of the topic and send writes to the leader over HTTP ([`forward`]),
//! returning the leader's answer as it is. Beyond Confluent, a follower that forwarded
//! a successful write then reads the topic to its end before answering, so a client
//! reads its own writes from any instance.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use group_member::{GroupMember, MemberConfig};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::kafka::Service;
use crate::Error;

/// The group's protocol type, as Confluent's coordinator names it.
pub const PROTOCOL_TYPE: &str = "sr";
/// The only sub-protocol.
const SUBPROTOCOL: &str = "v0";
/// Assignment error codes (`SchemaRegistryProtocol.Assignment`).
const NO_ERROR: i16 = 0;
const DUPLICATE_URLS: i16 = 1;
/// Set on a request a follower forwards: the receiver handles it or refuses it, and
/// never forwards it again (two instances that briefly disagree about the leader
/// cannot bounce a request between them).
const FORWARDED_HEADER: &str = "x-sluice-forwarded";
/// The largest request body forwarded (Confluent's schemas are far smaller).
const MAX_FORWARDED_BODY: usize = 64 << 20;
/// How long a write waits for an election in progress to finish before answering
/// 50004.
const LEADER_WAIT: Duration = Duration::from_secs(30);
/// Pause after a failed join before trying again.
const RETRY_BACKOFF: Duration = Duration::from_secs(1);

/// An instance's identity: its member metadata in the group
/// (`SchemaRegistryIdentity`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// Always 1.
    #[serde(default = "current_version")]
    pub version: i32,
    /// The host other instances reach this one at (`host.name`).
    pub host: String,
    /// The REST port.
    pub port: u16,
    /// Whether this instance may become the leader (`leader.eligibility`).
    #[serde(rename = "master_eligibility", default)]
    pub leader_eligibility: bool,
    /// `http` (HTTPS listeners are not supported yet).
    #[serde(default = "http")]
    pub scheme: String,
}

fn current_version() -> i32 {
    1
}

fn http() -> String {
    "http".to_owned()
}

impl Identity {
    /// An HTTP instance's identity.
    pub fn new(host: impl Into<String>, port: u16, leader_eligibility: bool) -> Self {
        Self {
            version: 1,
            host: host.into(),
            port,
            leader_eligibility,
            scheme: http(),
        }
    }

    /// `scheme://host:port`, where other instances send their writes.
    pub fn url(&self) -> String {
        format!("{}://{}:{}", self.scheme, self.host, self.port)
    }
}

/// What the group leader hands every member (`SchemaRegistryProtocol.Assignment`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    /// Always 1.
    #[serde(default = "current_version")]
    pub version: i32,
    /// 0, or 1 when members advertise the same URL.
    #[serde(default)]
    pub error: i16,
    /// The leader's member id; absent when no member is eligible.
    #[serde(rename = "master", default, skip_serializing_if = "Option::is_none")]
    pub leader: Option<String>,
    /// The leader's identity.
    #[serde(
        rename = "master_identity",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub leader_identity: Option<Identity>,
}

/// The group leader's choice (`SchemaRegistryCoordinator.onLeaderElected`, without
/// sticky election): the eligible member with the smallest URL, ties broken by member
/// id. Metadata that is not an identity makes that member ineligible.
pub fn assign(members: &[(String, Vec<u8>)]) -> Assignment {
    let mut leader: Option<(&str, Identity)> = None;
    let mut urls = std::collections::HashSet::new();
    let mut identities = 0;
    for (member_id, metadata) in members {
        let identity = match serde_json::from_slice::<Identity>(metadata) {
            Ok(identity) => identity,
            Err(error) => {
                tracing::warn!(%member_id, %error, "a schema registry group member sent metadata that is not an identity; it cannot lead");
                continue;
            }
        };
        identities += 1;
        urls.insert(identity.url());
        let smaller = leader.as_ref().is_none_or(|(id, current)| {
            (identity.url(), member_id.as_str()) < (current.url(), *id)
        });
        if identity.leader_eligibility && smaller {
            leader = Some((member_id, identity));
        }
    }
    let error = if urls.len() == identities {
        NO_ERROR
    } else {
        DUPLICATE_URLS
    };
    Assignment {
        version: 1,
        error,
        leader: leader.as_ref().map(|(id, _)| (*id).to_owned()),
        leader_identity: leader.map(|(_, identity)| identity),
    }
}

/// Who writes, as this instance knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Leadership {
    /// No election finished yet, or one is in progress.
    Electing,
    /// The election finished without a leader; the reason says why.
    None(String),
    /// This instance.
    Me,
    /// Another instance, at this URL.
    Other(String),
}

/// Settings of the election.
#[derive(Debug, Clone)]
pub(crate) struct ElectionConfig {
    pub bootstrap_servers: String,
    pub group_id: String,
    pub identity: Identity,
}

/// Runs the election until `stop` turns true, publishing [`Leadership`] on `state`.
pub(crate) async fn run(
    config: ElectionConfig,
    service: Arc<Service>,
    state: watch::Sender<Leadership>,
    last_error: Arc<parking_lot::Mutex<Option<String>>>,
    mut stop: watch::Receiver<bool>,
) {
    let mut member_config = MemberConfig::new(
        config
            .bootstrap_servers
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
        config.group_id.clone(),
    );
    member_config.protocol_type = PROTOCOL_TYPE.to_owned();
    member_config.client_id = format!("sluice-schema-registry-{}", config.identity.url());
    let member = GroupMember::new(member_config);
    let metadata = match serde_json::to_vec(&config.identity) {
        Ok(m) => m,
        Err(e) => {
            *last_error.lock() = Some(format!("cannot encode the identity: {e}"));
            return;
        }
    };
    let group = config.group_id.as_str();
    let me = config.identity.url();
    let fail = |message: String| {
        tracing::warn!(group, error = %message, "schema registry leader election failed; retrying");
        *last_error.lock() = Some(message);
    };
    while !*stop.borrow() {
        state.send_replace(Leadership::Electing);
        let protocols = [(SUBPROTOCOL.to_owned(), metadata.clone())];
        let joined = tokio::select! {
            joined = member.join(&protocols) => joined,
            _ = stop.wait_for(|s| *s) => break,
        };
        let joined = match joined {
            Ok(joined) => joined,
            Err(e) => {
                fail(format!("cannot join group {group}: {e}"));
                pause(&mut stop).await;
                continue;
            }
        };
        let assignments = if joined.is_leader() {
            let assignment = assign(&joined.members);
            tracing::debug!(
                group,
                ?assignment,
                members = joined.members.len(),
                "assigning"
            );
            match serde_json::to_vec(&assignment) {
                Ok(bytes) => joined
                    .members
                    .iter()
                    .map(|(id, _)| (id.clone(), bytes.clone()))
                    .collect(),
                Err(_) => BTreeMap::new(),
            }
        } else {
            BTreeMap::new()
        };
        let bytes = match member.sync(&joined, assignments).await {
            Ok(bytes) => bytes,
            Err(e) if e.is_fatal() => {
                fail(format!("cannot sync group {group}: {e}"));
                pause(&mut stop).await;
                continue;
            }
            Err(_) => continue,
        };
        let leadership = match serde_json::from_slice::<Assignment>(&bytes) {
            Err(e) => {
                fail(format!(
                    "the assignment of group {group} is not a schema registry assignment ({e}); \
                     is another kind of client using group.id {group}?"
                ));
                pause(&mut stop).await;
                continue;
            }
            Ok(a) if a.error == DUPLICATE_URLS => Leadership::None(format!(
                "several schema registry instances in group {group} advertise the same URL; \
                 give each one its own --host-name (host.name) reachable from the others"
            )),
            Ok(a) => match a.leader_identity {
                None => Leadership::None(format!(
                    "no instance in group {group} is eligible to lead (leader.eligibility=false everywhere)"
                )),
                Some(identity) if identity == config.identity => {
                    // A new leader first reads what the previous one wrote, so the ids it
                    // allocates follow every id already taken.
                    match service.read_to_end().await {
                        Ok(()) => Leadership::Me,
                        Err(e) => {
                            fail(format!("elected leader but cannot read the schemas topic to its end: {e}"));
                            member.request_rejoin();
                            pause(&mut stop).await;
                            continue;
                        }
                    }
                }
                Some(identity) => Leadership::Other(identity.url()),
            },
        };
        match &leadership {
            Leadership::None(reason) => {
                tracing::error!(group, %reason, "no schema registry leader")
            }
            Leadership::Me => {
                tracing::info!(group, generation = joined.generation, url = %me, "this schema registry is the leader")
            }
            Leadership::Other(url) => {
                tracing::info!(group, generation = joined.generation, leader = %url, "following the schema registry leader")
            }
            Leadership::Electing => {}
        }
        *last_error.lock() = None;
        state.send_replace(leadership);
        tokio::select! {
            _ = member.rebalance_needed() => {}
            _ = service.election_requested() => member.request_rejoin(),
            _ = stop.wait_for(|s| *s) => break,
        }
    }
    state.send_replace(Leadership::None("the registry is shutting down".to_owned()));
    member.leave().await;
}

async fn pause(stop: &mut watch::Receiver<bool>) {
    let _ = tokio::time::timeout(RETRY_BACKOFF, stop.wait_for(|s| *s)).await;
}

/// Whether a request changes the registry and so must be served by the leader. Lookups
/// (`POST /subjects/{s}`) and compatibility checks (`POST /compatibility/…`) only read.
fn is_write(method: &Method, path: &str) -> bool {
    if method == Method::GET || method == Method::HEAD || method == Method::OPTIONS {
        return false;
    }
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let read_only_post = method == Method::POST
        && (matches!(segments.as_slice(), ["subjects", _]) || segments[0] == "compatibility");
    !read_only_post
}

/// Middleware: serves a write here when this instance leads, sends it to the leader
/// otherwise, and answers 50004 when no leader is known. When the leader cannot be
/// reached at all (it just died), this instance asks for a new election and sends
/// the write once more to whoever wins it.
pub(crate) async fn forward(
    State(service): State<Arc<Service>>,
    request: Request,
    next: Next,
) -> Response {
    if !is_write(request.method(), request.uri().path()) {
        return next.run(request).await;
    }
    let forwarded = request.headers().contains_key(FORWARDED_HEADER);
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, MAX_FORWARDED_BODY).await {
        Ok(body) => body,
        Err(e) => {
            return Error::BadRequest(format!("cannot read the request body: {e}")).into_response()
        }
    };
    let mut unreachable: Option<String> = None;
    loop {
        match service.leader(unreachable.as_deref(), LEADER_WAIT).await {
            Leadership::Me => {
                return next.run(Request::from_parts(parts, Body::from(body))).await;
            }
            Leadership::Other(url) if !forwarded => {
                match proxy(&service, &url, &parts, body.clone()).await {
                    Ok(response) => return response,
                    Err(Failure::Unreachable(e)) if unreachable.is_none() => {
                        tracing::warn!(leader = %url, error = %e, "the schema registry leader is unreachable; asking for a new election");
                        service.request_election();
                        unreachable = Some(url);
                    }
                    Err(Failure::Unreachable(e) | Failure::Other(e)) => return e.into_response(),
                }
            }
            Leadership::Other(url) => {
                return Error::UnknownLeader(format!(
                    "a write forwarded to this instance, which is not the leader ({url} is)"
                ))
                .into_response()
            }
            Leadership::None(reason) => return Error::UnknownLeader(reason).into_response(),
            Leadership::Electing => {
                return Error::UnknownLeader(format!(
                    "no leader was elected within {}s",
                    LEADER_WAIT.as_secs()
                ))
                .into_response()
            }
        }
    }
}

/// Why a forwarded write failed.
enum Failure {
    /// No connection to the leader: it may be gone.
    Unreachable(Error),
    /// The request or the answer broke off.
    Other(Error),
}

/// Sends a write to the leader at `leader` and returns its answer unchanged.
async fn proxy(
    service: &Service,
    leader: &str,
    parts: &axum::http::request::Parts,
    body: axum::body::Bytes,
) -> Result<Response, Failure> {
    let path = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path(), |p| p.as_str());
    let url = format!("{leader}{path}");
    let forwarding = |e: &reqwest::Error| {
        let error = Error::Forward(format!(
            "Error while forwarding the request to the leader at {leader}: {e}"
        ));
        if e.is_connect() {
            Failure::Unreachable(error)
        } else {
            Failure::Other(error)
        }
    };
    let mut outgoing = service
        .http()
        .request(parts.method.clone(), &url)
        .header(FORWARDED_HEADER, "1")
        .body(body);
    for name in [header::CONTENT_TYPE, header::ACCEPT, header::AUTHORIZATION] {
        if let Some(value) = parts.headers.get(&name) {
            outgoing = outgoing.header(name, value);
        }
    }
    let answer = outgoing.send().await.map_err(|e| forwarding(&e))?;
    let status = answer.status();
    let content_type = answer.headers().get(header::CONTENT_TYPE).cloned();
    let bytes = answer.bytes().await.map_err(|e| forwarding(&e))?;
    tracing::debug!(method = %parts.method, %url, %status, "forwarded a write to the leader");
    if status.is_success() {
        // Read our own write: the leader answered after applying it, and reading the
        // topic to its end makes it visible here too.
        if let Err(error) = service.read_to_end().await {
            tracing::warn!(%error, "cannot read the schemas topic after a forwarded write");
        }
    }
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        content_type
            .unwrap_or_else(|| HeaderValue::from_static("application/vnd.schemaregistry.v1+json")),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: &str, host: &str, port: u16, eligible: bool) -> (String, Vec<u8>) {
        let identity = Identity::new(host, port, eligible);
        (
            id.to_owned(),
            serde_json::to_vec(&identity).expect("encode"),
        )
    }

    #[test]
    fn identity_json_is_confluents() {
        let json = serde_json::to_value(Identity::new("sr-1", 8081, true)).expect("encode");
        assert_eq!(
            json,
            serde_json::json!({"version":1,"host":"sr-1","port":8081,"master_eligibility":true,"scheme":"http"})
        );
        // What Confluent 5.x wrote: no scheme.
        let old: Identity =
            serde_json::from_str(r#"{"version":1,"host":"h","port":1,"master_eligibility":false}"#)
                .expect("decode");
        assert_eq!(old, Identity::new("h", 1, false));
    }

    #[test]
    fn the_eligible_member_with_the_smallest_url_leads() {
        let members = [
            member("m-c", "sr-c", 8081, true),
            member("m-a", "sr-a", 8081, false),
            member("m-b", "sr-b", 8081, true),
        ];
        let assignment = assign(&members);
        assert_eq!(assignment.error, NO_ERROR);
        assert_eq!(assignment.leader.as_deref(), Some("m-b"));
        assert_eq!(
            assignment.leader_identity,
            Some(Identity::new("sr-b", 8081, true))
        );
        let json = serde_json::to_value(&assignment).expect("encode");
        assert_eq!(
            json,
            serde_json::json!({"version":1,"error":0,"master":"m-b","master_identity":{"version":1,"host":"sr-b","port":8081,"master_eligibility":true,"scheme":"http"}})
        );
    }

    #[test]
    fn duplicate_urls_and_no_eligible_member() {
        let duplicate = assign(&[
            member("m-1", "localhost", 8081, true),
            member("m-2", "localhost", 8081, true),
        ]);
        assert_eq!(duplicate.error, DUPLICATE_URLS);
        let nobody = assign(&[
            member("m-1", "a", 1, false),
            (String::from("m-2"), b"{".to_vec()),
        ]);
        assert_eq!(nobody.leader, None);
        let json = serde_json::to_value(&nobody).expect("encode");
        assert_eq!(json, serde_json::json!({"version":1,"error":0}));
        let decoded: Assignment = serde_json::from_value(json).expect("decode");
        assert_eq!(decoded, nobody);
    }

    #[test]
    fn writes_are_what_changes_state() {
        for (method, path, write) in [
            (Method::GET, "/subjects", false),
            (Method::POST, "/subjects/s", false),
            (Method::POST, "/subjects/s/", false),
            (
                Method::POST,
                "/compatibility/subjects/s/versions/latest",
                false,
            ),
            (Method::POST, "/subjects/s/versions", true),
            (Method::DELETE, "/subjects/s", true),
            (Method::DELETE, "/subjects/s/versions/1", true),
            (Method::PUT, "/config", true),
            (Method::PUT, "/config/s", true),
            (Method::DELETE, "/mode/s", true),
            (Method::PUT, "/mode", true),
        ] {
            assert_eq!(is_write(&method, path), write, "{method} {path}");
        }
    }
}
