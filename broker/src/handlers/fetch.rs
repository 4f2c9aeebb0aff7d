//! Fetch (with long polling) and ListOffsets.
//!
//! A fetch returns whole batches starting with the one that contains the
//! requested offset (clients skip the records before it), lists every requested
//! partition, and waits up to `max_wait_ms` for `min_bytes`. With no
//! transactions, the last stable offset equals the high watermark, which equals
//! the log end offset (see `config::Durability` for what "acknowledged" means).

use super::{encode, Reply, RequestContext};
use crate::state::BrokerState;
use kafka_protocol::messages::fetch_response::{FetchableTopicResponse, PartitionData};
use kafka_protocol::messages::list_offsets_response::{
    ListOffsetsPartitionResponse, ListOffsetsTopicResponse,
};
use kafka_protocol::messages::*;
use kafka_protocol::ResponseError;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Upper bound on a fetch's long poll, whatever the client asks.
const MAX_WAIT_CAP: Duration = Duration::from_secs(60);

pub fn handle(state: &Arc<BrokerState>, req: FetchRequest, ctx: RequestContext) -> Reply {
    let state = state.clone();
    Reply::Later(Box::pin(async move {
        let v = ctx.api_version;
        if req.session_id != 0 {
            // We never create fetch sessions (we answer session_id 0), so a
            // non-zero id was not issued by us.
            let resp = FetchResponse::default()
                .with_error_code(ResponseError::FetchSessionIdNotFound.code());
            return encode(ctx.correlation_id, v, &resp);
        }
        let wait = Duration::from_millis(req.max_wait_ms.max(0) as u64).min(MAX_WAIT_CAP);
        let deadline = Instant::now() + wait;
        let mut appended = state.topics.subscribe_appends();
        loop {
            appended.borrow_and_update();
            let (resp, bytes) = build(&state, &req, v);
            let now = Instant::now();
            if bytes >= req.min_bytes.max(0) as usize || now >= deadline {
                return encode(ctx.correlation_id, v, &resp);
            }
            // Wait for any append (or the deadline), then look again.
            if tokio::time::timeout(deadline - now, appended.changed())
                .await
                .is_err()
            {
                let (resp, _) = build(&state, &req, v);
                return encode(ctx.correlation_id, v, &resp);
            }
        }
    }))
}

/// One pass over the requested partitions; returns the response and its record bytes.
fn build(state: &BrokerState, req: &FetchRequest, v: i16) -> (FetchResponse, usize) {
    let mut remaining = if req.max_bytes > 0 {
        req.max_bytes as usize
    } else {
        usize::MAX
    };
    let mut total = 0usize;
    let mut topics = Vec::with_capacity(req.topics.len());
    for t in &req.topics {
        let topic = state.topics.get(t.topic.0.as_str());
        let mut partitions = Vec::with_capacity(t.partitions.len());
        for p in &t.partitions {
            let mut data = PartitionData::default().with_partition_index(p.partition);
            let Some(partition) = topic.as_ref().and_then(|t| t.partition(p.partition)) else {
                data.error_code = ResponseError::UnknownTopicOrPartition.code();
                partitions.push(data);
                continue;
            };
            let (start, end) = partition.offsets();
            data.high_watermark = end;
            data.last_stable_offset = end;
            if v >= 5 {
                data.log_start_offset = start;
            }
            data.aborted_transactions = if req.isolation_level == 1 {
                Some(Vec::new())
            } else {
                None
            };
            let limit = (p.partition_max_bytes.max(0) as usize).min(remaining);
            // KIP-74: the first non-empty partition returns at least one batch, so
            // one large batch never stalls a consumer.
            let limit = if total == 0 { limit.max(1) } else { limit };
            if limit == 0 {
                data.records = Some(Default::default());
                partitions.push(data);
                continue;
            }
            match partition.plan_read(p.fetch_offset, limit) {
                Err(e) => {
                    data.error_code = e.code;
                }
                Ok(None) => data.records = Some(Default::default()),
                Ok(Some(plan)) => match plan.execute() {
                    Ok(bytes) => {
                        total += bytes.len();
                        remaining = remaining.saturating_sub(bytes.len());
                        data.records = Some(bytes);
                    }
                    Err(e) => {
                        tracing::error!(topic = %partition.topic, partition = partition.index, error = %e, "log read failed");
                        data.error_code = ResponseError::KafkaStorageError.code();
                    }
                },
            }
            partitions.push(data);
        }
        topics.push(
            FetchableTopicResponse::default()
                .with_topic(t.topic.clone())
                .with_partitions(partitions),
        );
    }
    (FetchResponse::default().with_responses(topics), total)
}

pub fn list_offsets(
    state: &Arc<BrokerState>,
    req: ListOffsetsRequest,
    _v: i16,
) -> ListOffsetsResponse {
    let limit = state.config.max_decompressed_bytes;
    let topics = req
        .topics
        .iter()
        .map(|t| {
            let topic = state.topics.get(t.name.0.as_str());
            let partitions = t
                .partitions
                .iter()
                .map(|p| {
                    let mut r = ListOffsetsPartitionResponse::default()
                        .with_partition_index(p.partition_index);
                    let Some(partition) =
                        topic.as_ref().and_then(|t| t.partition(p.partition_index))
                    else {
                        r.error_code = ResponseError::UnknownTopicOrPartition.code();
                        return r;
                    };
                    let (start, end) = partition.offsets();
                    let (offset, timestamp) = match p.timestamp {
                        -1 => (end, -1),
                        -2 => (start, -1),
                        -3 => partition.with_log(|l| {
                            let max = l.max_timestamp();
                            if max < 0 {
                                (-1, -1)
                            } else {
                                l.offset_for_timestamp(max, limit).unwrap_or((-1, -1))
                            }
                        }),
                        ts if ts >= 0 => partition
                            .with_log(|l| l.offset_for_timestamp(ts, limit))
                            .unwrap_or((-1, -1)),
                        _ => {
                            r.error_code = ResponseError::InvalidRequest.code();
                            return r;
                        }
                    };
                    r.offset = offset;
                    r.timestamp = timestamp;
                    r
                })
                .collect();
            ListOffsetsTopicResponse::default()
                .with_name(t.name.clone())
                .with_partitions(partitions)
        })
        .collect();
    ListOffsetsResponse::default().with_topics(topics)
}
