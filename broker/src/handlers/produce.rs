//! Produce and InitProducerId.
//!
//! A produce request is validated and appended in the connection's reader, in
//! arrival order; only the wait for durability (acks=all under the default
//! policy) is deferred, so pipelined requests share one fsync.

use super::{encode, Reply, RequestContext};
use crate::batch::{self, BatchError, ValidationLimits};
use crate::config::Durability;
use crate::log::AppendOutcome;
use crate::state::BrokerState;
use crate::topics::{Partition, OFFSETS_TOPIC};
use kafka_protocol::messages::produce_response::{PartitionProduceResponse, TopicProduceResponse};
use kafka_protocol::messages::*;
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::ResponseError;
use std::collections::BTreeMap;
use std::sync::Arc;

pub fn handle(
    state: &Arc<BrokerState>,
    req: ProduceRequest,
    ctx: RequestContext,
) -> Result<Reply, String> {
    let v = ctx.api_version;
    if !matches!(req.acks, -1..=1) {
        let responses = req
            .topic_data
            .iter()
            .map(|t| {
                topic_response(
                    t.name.clone(),
                    t.partition_data
                        .iter()
                        .map(|p| error(p.index, ResponseError::InvalidRequiredAcks))
                        .collect(),
                )
            })
            .collect();
        return respond(&ctx, ProduceResponse::default().with_responses(responses));
    }
    let mut waits: Vec<(Arc<Partition>, i64)> = Vec::new();
    let mut responses = Vec::with_capacity(req.topic_data.len());
    let mut appended_any = false;
    for t in &req.topic_data {
        let name = t.name.0.as_str();
        let topic = match state.topics.get(name) {
            Some(topic) => Some(topic),
            None if state.config.auto_create_topics && name != OFFSETS_TOPIC => state
                .topics
                .create(name, -1, BTreeMap::new(), false, false)
                .ok()
                .or_else(|| state.topics.get(name)),
            None => None,
        };
        let mut partitions = Vec::with_capacity(t.partition_data.len());
        for p in &t.partition_data {
            let Some(topic) = topic.as_ref() else {
                partitions.push(error(p.index, ResponseError::UnknownTopicOrPartition));
                continue;
            };
            if topic.internal {
                partitions.push(error(p.index, ResponseError::InvalidTopicException));
                continue;
            }
            let Some(partition) = topic.partition(p.index) else {
                partitions.push(error(p.index, ResponseError::UnknownTopicOrPartition));
                continue;
            };
            if req.transactional_id.is_some() {
                partitions.push(error(
                    p.index,
                    ResponseError::TransactionalIdAuthorizationFailed,
                ));
                continue;
            }
            let records = p.records.clone().unwrap_or_default();
            let (max_message_bytes, compact) =
                partition.with_log(|l| (l.config.max_message_bytes, l.config.compact));
            if records.len() > max_message_bytes {
                partitions.push(error(p.index, ResponseError::MessageTooLarge));
                continue;
            }
            let batches = match batch::split_batches(&records) {
                Ok(b) if b.len() == 1 => b,
                Ok(_) => {
                    partitions.push(error_msg(
                        p.index,
                        ResponseError::InvalidRecord,
                        "a produce request must carry exactly one record batch per partition",
                        v,
                    ));
                    continue;
                }
                Err(e) => {
                    partitions.push(error_msg(
                        p.index,
                        ResponseError::CorruptMessage,
                        &e.to_string(),
                        v,
                    ));
                    continue;
                }
            };
            let limits = ValidationLimits {
                max_decompressed_bytes: state.config.max_decompressed_bytes,
                require_keys: compact,
            };
            let header = match batch::validate(&batches[0], limits) {
                Ok(h) => h,
                Err(e @ BatchError::DecompressionBomb { .. }) => {
                    return Err(format!("produce to {name}-{}: {e}", p.index));
                }
                Err(e) => {
                    let code = match e {
                        BatchError::MissingKey => ResponseError::InvalidRecord,
                        BatchError::UnknownCompression(_) => {
                            ResponseError::UnsupportedCompressionType
                        }
                        _ => ResponseError::CorruptMessage,
                    };
                    tracing::debug!(topic = name, partition = p.index, error = %e, client_id = %ctx.client_id, "rejected batch");
                    partitions.push(error_msg(p.index, code, &e.to_string(), v));
                    continue;
                }
            };
            if header.is_transactional() || header.is_control() {
                partitions.push(error_msg(
                    p.index,
                    ResponseError::InvalidRecord,
                    "transactional batches are not supported by this broker yet",
                    v,
                ));
                continue;
            }
            match partition.append(&batches[0], &header) {
                Ok(AppendOutcome::Appended {
                    base_offset,
                    last_offset,
                    log_append_time,
                }) => {
                    appended_any = true;
                    waits.push((partition.clone(), last_offset + 1));
                    let mut r = ok(p.index, base_offset, partition.log_start_offset(), v);
                    r.log_append_time_ms = log_append_time;
                    partitions.push(r);
                }
                Ok(AppendOutcome::Duplicate { base_offset }) => {
                    // The original may still be waiting for its fsync.
                    waits.push((partition.clone(), base_offset + 1));
                    partitions.push(ok(p.index, base_offset, partition.log_start_offset(), v));
                }
                Ok(AppendOutcome::Rejected(code)) => {
                    let mut r = PartitionProduceResponse::default()
                        .with_index(p.index)
                        .with_error_code(code);
                    if v >= 8 {
                        r.error_message = Some(StrBytes::from_static_str(
                            "producer sequence or epoch is not the one expected",
                        ));
                    }
                    partitions.push(r);
                }
                Err(e) => {
                    tracing::error!(topic = name, partition = p.index, error = %e, "append failed");
                    partitions.push(error_msg(
                        p.index,
                        ResponseError::KafkaStorageError,
                        &e.to_string(),
                        v,
                    ));
                }
            }
        }
        responses.push(topic_response(t.name.clone(), partitions));
    }
    if appended_any {
        state.topics.notify_appended();
    }
    let response = ProduceResponse::default().with_responses(responses);
    let must_sync = match state.topics.durability() {
        Durability::Always => req.acks != 0,
        Durability::AcksAll => req.acks == -1,
        Durability::Os => false,
    };
    if req.acks == 0 {
        return Ok(Reply::None);
    }
    if !must_sync || waits.is_empty() {
        return respond(&ctx, response);
    }
    let correlation_id = ctx.correlation_id;
    Ok(Reply::Later(Box::pin(async move {
        let mut response = response;
        for (partition, end) in waits {
            if let Err(e) = partition.wait_durable(end).await {
                tracing::error!(topic = %partition.topic, partition = partition.index, error = %e, "fsync failed");
                mark_storage_error(&mut response, &partition);
            }
        }
        encode(correlation_id, v, &response)
    })))
}

fn mark_storage_error(response: &mut ProduceResponse, partition: &Partition) {
    for t in response
        .responses
        .iter_mut()
        .filter(|t| t.name.0.as_str() == partition.topic)
    {
        for p in t
            .partition_responses
            .iter_mut()
            .filter(|p| p.index == partition.index)
        {
            *p = error(p.index, ResponseError::KafkaStorageError);
        }
    }
}

fn respond(ctx: &RequestContext, response: ProduceResponse) -> Result<Reply, String> {
    encode(ctx.correlation_id, ctx.api_version, &response)
        .map(Reply::Now)
        .ok_or_else(|| "cannot encode produce response".into())
}

fn topic_response(
    name: TopicName,
    partitions: Vec<PartitionProduceResponse>,
) -> TopicProduceResponse {
    TopicProduceResponse::default()
        .with_name(name)
        .with_partition_responses(partitions)
}

fn ok(index: i32, base_offset: i64, log_start_offset: i64, v: i16) -> PartitionProduceResponse {
    let mut r = PartitionProduceResponse::default()
        .with_index(index)
        .with_base_offset(base_offset);
    if v >= 5 {
        r.log_start_offset = log_start_offset;
    }
    r
}

fn error(index: i32, e: ResponseError) -> PartitionProduceResponse {
    PartitionProduceResponse::default()
        .with_index(index)
        .with_error_code(e.code())
}

fn error_msg(index: i32, e: ResponseError, message: &str, v: i16) -> PartitionProduceResponse {
    let mut r = error(index, e);
    if v >= 8 {
        r.error_message = Some(StrBytes::from_string(message.to_string()));
    }
    r
}

pub fn init_producer_id(
    state: &Arc<BrokerState>,
    req: InitProducerIdRequest,
    _v: i16,
) -> InitProducerIdResponse {
    let mut resp = InitProducerIdResponse::default();
    if req.transactional_id.is_some() {
        resp.error_code = ResponseError::TransactionalIdAuthorizationFailed.code();
        return resp;
    }
    // KIP-360: an idempotent producer may ask to bump its epoch after an error.
    if req.producer_id.0 >= 0 && req.producer_epoch >= 0 && req.producer_epoch < i16::MAX - 1 {
        resp.producer_id = req.producer_id;
        resp.producer_epoch = req.producer_epoch + 1;
        return resp;
    }
    match state.producer_ids.next() {
        Ok(id) => {
            resp.producer_id = ProducerId(id);
            resp.producer_epoch = 0;
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot allocate a producer id");
            resp.error_code = ResponseError::KafkaStorageError.code();
        }
    }
    resp
}
