//! Request dispatch: one module per Kafka API family.
//!
//! [`SUPPORTED`] is the single source of truth for what ApiVersions advertises
//! and what the dispatcher accepts. Every version in an advertised range is a
//! promise about semantics, so ranges are only as wide as what is implemented
//! (see `shared/reference/broker-protocol.md` §3).

mod admin;
mod api_versions;
mod configs;
mod fetch;
mod metadata;
mod produce;

use crate::state::BrokerState;
use bytes::{BufMut, Bytes, BytesMut};
use futures::future::BoxFuture;
use kafka_protocol::messages::*;
use kafka_protocol::protocol::{Decodable, Encodable, HeaderVersion};
use std::sync::Arc;

/// What the dispatcher hands back to the connection.
pub enum Reply {
    /// A framed response, ready to send.
    Now(Bytes),
    /// A framed response that becomes ready later (long poll, fsync, group join).
    /// `None` means the connection must be closed (encode failure).
    Later(BoxFuture<'static, Option<Bytes>>),
    /// No response at all (Produce with acks=0).
    None,
}

/// Who sent a request.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub client_id: String,
    pub client_host: String,
    pub correlation_id: i32,
    pub api_version: i16,
}

/// (API, min version, max version) the broker implements.
pub const SUPPORTED: &[(ApiKey, i16, i16)] = &[
    (ApiKey::Produce, 3, 11),
    (ApiKey::Fetch, 4, 12),
    (ApiKey::ListOffsets, 1, 7),
    (ApiKey::Metadata, 0, 12),
    (ApiKey::OffsetCommit, 2, 8),
    (ApiKey::OffsetFetch, 1, 7),
    (ApiKey::FindCoordinator, 0, 3),
    (ApiKey::JoinGroup, 0, 9),
    (ApiKey::Heartbeat, 0, 4),
    (ApiKey::LeaveGroup, 0, 5),
    (ApiKey::SyncGroup, 0, 5),
    (ApiKey::DescribeGroups, 0, 5),
    (ApiKey::ListGroups, 0, 4),
    (ApiKey::ApiVersions, 0, 4),
    (ApiKey::CreateTopics, 2, 7),
    (ApiKey::DeleteTopics, 1, 6),
    (ApiKey::DeleteRecords, 0, 2),
    (ApiKey::InitProducerId, 0, 4),
    (ApiKey::DescribeConfigs, 1, 4),
    (ApiKey::AlterConfigs, 0, 2),
    (ApiKey::CreatePartitions, 0, 3),
    (ApiKey::DeleteGroups, 0, 2),
    (ApiKey::IncrementalAlterConfigs, 0, 1),
    (ApiKey::OffsetDelete, 0, 0),
    (ApiKey::DescribeCluster, 0, 1),
];

pub fn supported_range(key: ApiKey) -> Option<(i16, i16)> {
    SUPPORTED
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|&(_, min, max)| (min, max))
}

/// Encodes and frames a response; an encode failure is a broker bug, logged, and
/// closes the connection rather than sending garbage.
pub fn encode<R: Encodable + HeaderVersion>(
    correlation_id: i32,
    version: i16,
    response: &R,
) -> Option<Bytes> {
    // Size first, then encode once into a buffer that already holds the length
    // prefix: a fetch response's record bytes are copied exactly once.
    let header = ResponseHeader::default().with_correlation_id(correlation_id);
    let header_version = R::header_version(version);
    let result = header
        .compute_size(header_version)
        .and_then(|h| response.compute_size(version).map(|b| h + b))
        .and_then(|size| {
            let mut buf = BytesMut::with_capacity(size + 4);
            buf.put_i32(size as i32);
            header.encode(&mut buf, header_version)?;
            response.encode(&mut buf, version)?;
            Ok(buf)
        });
    match result {
        Ok(buf) => Some(buf.freeze()),
        Err(e) => {
            tracing::error!(error = %e, version, "cannot encode response (broker bug)");
            None
        }
    }
}

/// Decodes one request frame and runs it. `Err` closes the connection.
pub async fn handle_frame(
    state: &Arc<BrokerState>,
    frame: Bytes,
    client_host: &str,
) -> Result<Reply, String> {
    let Some((key, version, correlation_id)) = crate::server::peek_header(&frame) else {
        return Err("frame shorter than a request header".into());
    };
    let api = ApiKey::try_from(key).map_err(|_| format!("unknown API key {key}"))?;
    if api == ApiKey::ApiVersions {
        if let Some(reply) = api_versions::unsupported_version(version, correlation_id) {
            return Ok(reply);
        }
    }
    let (min, max) = supported_range(api).ok_or_else(|| format!("unsupported API {api:?}"))?;
    if version < min || version > max {
        return Err(format!(
            "unsupported {api:?} version {version} (supported {min}-{max})"
        ));
    }
    // The decoders index into the buffer; a malformed frame must cost only this
    // connection, so decode under catch_unwind as a second line of defence.
    let decoded = std::panic::catch_unwind(move || decode(api, version, frame))
        .map_err(|_| format!("malformed {api:?} v{version} request (decoder panicked)"))?;
    let (header, request) =
        decoded.map_err(|e| format!("malformed {api:?} v{version} request: {e}"))?;
    let ctx = RequestContext {
        client_id: header
            .client_id
            .as_ref()
            .map(|s| s.to_string())
            .unwrap_or_default(),
        client_host: client_host.to_string(),
        correlation_id,
        api_version: version,
    };
    tracing::trace!(?api, version, correlation_id, client_id = %ctx.client_id, "request");
    dispatch(state, ctx, request).await
}

/// A decoded request body.
pub enum Request {
    Produce(ProduceRequest),
    Fetch(FetchRequest),
    ListOffsets(ListOffsetsRequest),
    Metadata(MetadataRequest),
    OffsetCommit(OffsetCommitRequest),
    OffsetFetch(OffsetFetchRequest),
    FindCoordinator(FindCoordinatorRequest),
    JoinGroup(JoinGroupRequest),
    Heartbeat(HeartbeatRequest),
    LeaveGroup(LeaveGroupRequest),
    SyncGroup(SyncGroupRequest),
    DescribeGroups(DescribeGroupsRequest),
    ListGroups(ListGroupsRequest),
    ApiVersions(ApiVersionsRequest),
    CreateTopics(CreateTopicsRequest),
    DeleteTopics(DeleteTopicsRequest),
    DeleteRecords(DeleteRecordsRequest),
    InitProducerId(InitProducerIdRequest),
    DescribeConfigs(DescribeConfigsRequest),
    AlterConfigs(AlterConfigsRequest),
    CreatePartitions(CreatePartitionsRequest),
    DeleteGroups(DeleteGroupsRequest),
    IncrementalAlterConfigs(IncrementalAlterConfigsRequest),
    OffsetDelete(OffsetDeleteRequest),
    DescribeCluster(DescribeClusterRequest),
}

/// Decodes the header and body of a frame whose API and version are supported.
pub fn decode(
    api: ApiKey,
    version: i16,
    mut buf: Bytes,
) -> Result<(RequestHeader, Request), String> {
    let header = RequestHeader::decode(&mut buf, api.request_header_version(version))
        .map_err(|e| e.to_string())?;
    macro_rules! body {
        ($variant:ident, $ty:ty) => {
            Request::$variant(<$ty>::decode(&mut buf, version).map_err(|e| e.to_string())?)
        };
    }
    let request = match api {
        ApiKey::Produce => body!(Produce, ProduceRequest),
        ApiKey::Fetch => body!(Fetch, FetchRequest),
        ApiKey::ListOffsets => body!(ListOffsets, ListOffsetsRequest),
        ApiKey::Metadata => body!(Metadata, MetadataRequest),
        ApiKey::OffsetCommit => body!(OffsetCommit, OffsetCommitRequest),
        ApiKey::OffsetFetch => body!(OffsetFetch, OffsetFetchRequest),
        ApiKey::FindCoordinator => body!(FindCoordinator, FindCoordinatorRequest),
        ApiKey::JoinGroup => body!(JoinGroup, JoinGroupRequest),
        ApiKey::Heartbeat => body!(Heartbeat, HeartbeatRequest),
        ApiKey::LeaveGroup => body!(LeaveGroup, LeaveGroupRequest),
        ApiKey::SyncGroup => body!(SyncGroup, SyncGroupRequest),
        ApiKey::DescribeGroups => body!(DescribeGroups, DescribeGroupsRequest),
        ApiKey::ListGroups => body!(ListGroups, ListGroupsRequest),
        ApiKey::ApiVersions => body!(ApiVersions, ApiVersionsRequest),
        ApiKey::CreateTopics => body!(CreateTopics, CreateTopicsRequest),
        ApiKey::DeleteTopics => body!(DeleteTopics, DeleteTopicsRequest),
        ApiKey::DeleteRecords => body!(DeleteRecords, DeleteRecordsRequest),
        ApiKey::InitProducerId => body!(InitProducerId, InitProducerIdRequest),
        ApiKey::DescribeConfigs => body!(DescribeConfigs, DescribeConfigsRequest),
        ApiKey::AlterConfigs => body!(AlterConfigs, AlterConfigsRequest),
        ApiKey::CreatePartitions => body!(CreatePartitions, CreatePartitionsRequest),
        ApiKey::DeleteGroups => body!(DeleteGroups, DeleteGroupsRequest),
        ApiKey::IncrementalAlterConfigs => {
            body!(IncrementalAlterConfigs, IncrementalAlterConfigsRequest)
        }
        ApiKey::OffsetDelete => body!(OffsetDelete, OffsetDeleteRequest),
        ApiKey::DescribeCluster => body!(DescribeCluster, DescribeClusterRequest),
        other => return Err(format!("unsupported API {other:?}")),
    };
    Ok((header, request))
}

async fn dispatch(
    state: &Arc<BrokerState>,
    ctx: RequestContext,
    request: Request,
) -> Result<Reply, String> {
    let v = ctx.api_version;
    let id = ctx.correlation_id;
    macro_rules! now {
        ($resp:expr) => {
            match encode(id, v, &$resp) {
                Some(b) => Ok(Reply::Now(b)),
                None => Err("cannot encode response".to_string()),
            }
        };
    }
    match request {
        Request::ApiVersions(_) => now!(api_versions::handle(v)),
        Request::Metadata(r) => now!(metadata::handle(state, r, v)),
        Request::DescribeCluster(r) => now!(metadata::describe_cluster(state, r, v)),
        Request::FindCoordinator(r) => now!(metadata::find_coordinator(state, r, v)),
        Request::InitProducerId(r) => now!(produce::init_producer_id(state, r, v)),
        Request::Produce(r) => produce::handle(state, r, ctx),
        Request::Fetch(r) => Ok(fetch::handle(state, r, ctx)),
        Request::ListOffsets(r) => now!(fetch::list_offsets(state, r, v)),
        Request::CreateTopics(r) => now!(admin::create_topics(state, r, v)),
        Request::DeleteTopics(r) => now!(admin::delete_topics(state, r, v)),
        Request::CreatePartitions(r) => now!(admin::create_partitions(state, r, v)),
        Request::DeleteRecords(r) => now!(admin::delete_records(state, r, v)),
        Request::DescribeConfigs(r) => now!(configs::describe(state, r, v)),
        Request::AlterConfigs(r) => now!(configs::alter(state, r, v)),
        Request::IncrementalAlterConfigs(r) => now!(configs::incremental_alter(state, r, v)),
        Request::JoinGroup(r) => now!(
            state
                .groups
                .join_group(r, v, &ctx.client_id, &ctx.client_host)
                .await
        ),
        Request::SyncGroup(r) => now!(state.groups.sync_group(r, v).await),
        Request::Heartbeat(r) => now!(state.groups.heartbeat(r, v).await),
        Request::LeaveGroup(r) => now!(state.groups.leave_group(r, v).await),
        Request::OffsetCommit(r) => now!(state.groups.offset_commit(r, v).await),
        Request::OffsetFetch(r) => now!(state.groups.offset_fetch(r, v).await),
        Request::DescribeGroups(r) => now!(state.groups.describe_groups(r, v).await),
        Request::ListGroups(r) => now!(state.groups.list_groups(r, v).await),
        Request::DeleteGroups(r) => now!(state.groups.delete_groups(r, v).await),
        Request::OffsetDelete(r) => now!(state.groups.offset_delete(r, v).await),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::protocol::Message;

    /// Every advertised range must be decodable by kafka-protocol.
    #[test]
    fn advertised_ranges_are_decodable() {
        macro_rules! check {
            ($key:expr, $ty:ty) => {{
                let (min, max) = supported_range($key).expect("listed");
                let v = <$ty as Message>::VERSIONS;
                assert!(
                    v.min <= min && max <= v.max,
                    "{:?}: {min}-{max} outside {}",
                    $key,
                    v
                );
            }};
        }
        check!(ApiKey::Produce, ProduceRequest);
        check!(ApiKey::Fetch, FetchRequest);
        check!(ApiKey::ListOffsets, ListOffsetsRequest);
        check!(ApiKey::Metadata, MetadataRequest);
        check!(ApiKey::OffsetCommit, OffsetCommitRequest);
        check!(ApiKey::OffsetFetch, OffsetFetchRequest);
        check!(ApiKey::FindCoordinator, FindCoordinatorRequest);
        check!(ApiKey::JoinGroup, JoinGroupRequest);
        check!(ApiKey::Heartbeat, HeartbeatRequest);
        check!(ApiKey::LeaveGroup, LeaveGroupRequest);
        check!(ApiKey::SyncGroup, SyncGroupRequest);
        check!(ApiKey::DescribeGroups, DescribeGroupsRequest);
        check!(ApiKey::ListGroups, ListGroupsRequest);
        check!(ApiKey::ApiVersions, ApiVersionsRequest);
        check!(ApiKey::CreateTopics, CreateTopicsRequest);
        check!(ApiKey::DeleteTopics, DeleteTopicsRequest);
        check!(ApiKey::DeleteRecords, DeleteRecordsRequest);
        check!(ApiKey::InitProducerId, InitProducerIdRequest);
        check!(ApiKey::DescribeConfigs, DescribeConfigsRequest);
        check!(ApiKey::AlterConfigs, AlterConfigsRequest);
        check!(ApiKey::CreatePartitions, CreatePartitionsRequest);
        check!(ApiKey::DeleteGroups, DeleteGroupsRequest);
        check!(
            ApiKey::IncrementalAlterConfigs,
            IncrementalAlterConfigsRequest
        );
        check!(ApiKey::OffsetDelete, OffsetDeleteRequest);
        check!(ApiKey::DescribeCluster, DescribeClusterRequest);
    }
}
