//! CreateTopics, DeleteTopics, CreatePartitions, DeleteRecords.
//!
//! Replication factor: a single node holds one replica. By default a request for
//! more (Kafka Connect asks for 3 for its internal topics) is accepted and
//! stored as 1, with a log line; `sluice.clamp.replication.factor=false` makes
//! it fail with INVALID_REPLICATION_FACTOR as a one-broker Kafka cluster would.

use crate::state::BrokerState;
use crate::topics::ApiError;
use kafka_protocol::messages::create_partitions_response::CreatePartitionsTopicResult;
use kafka_protocol::messages::create_topics_response::{
    CreatableTopicConfigs, CreatableTopicResult,
};
use kafka_protocol::messages::delete_records_response::{
    DeleteRecordsPartitionResult, DeleteRecordsTopicResult,
};
use kafka_protocol::messages::delete_topics_response::DeletableTopicResult;
use kafka_protocol::messages::*;
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::ResponseError;
use std::collections::BTreeMap;
use std::sync::Arc;

pub fn create_topics(
    state: &Arc<BrokerState>,
    req: CreateTopicsRequest,
    v: i16,
) -> CreateTopicsResponse {
    let mut seen = std::collections::HashSet::new();
    let topics = req
        .topics
        .iter()
        .map(|t| {
            let name = t.name.0.to_string();
            let mut r = CreatableTopicResult::default().with_name(t.name.clone());
            let fail = |r: &mut CreatableTopicResult, e: ApiError| {
                r.error_code = e.code;
                r.error_message = Some(StrBytes::from_string(e.message));
            };
            if !seen.insert(name.clone()) {
                fail(
                    &mut r,
                    ApiError::new(
                        ResponseError::InvalidRequest,
                        format!("Duplicate topic name {name} in request"),
                    ),
                );
                return r;
            }
            if let Err(e) = check_replication(state, t) {
                fail(&mut r, e);
                return r;
            }
            let partitions = if t.assignments.is_empty() {
                t.num_partitions
            } else if t.num_partitions != -1 {
                fail(
                    &mut r,
                    ApiError::new(
                        ResponseError::InvalidRequest,
                        "Both numPartitions and replicasAssignments were set.",
                    ),
                );
                return r;
            } else {
                t.assignments.len() as i32
            };
            let mut configs = BTreeMap::new();
            for c in &t.configs {
                if let Some(value) = &c.value {
                    configs.insert(c.name.to_string(), value.to_string());
                }
            }
            match state
                .topics
                .create(&name, partitions, configs, false, req.validate_only)
            {
                Ok(topic) => {
                    if v >= 7 {
                        r.topic_id = topic.id;
                    }
                    if v >= 5 {
                        r.num_partitions = if partitions == -1 {
                            state.topics.default_partitions()
                        } else {
                            partitions
                        };
                        r.replication_factor = 1;
                        r.configs = Some(
                            state
                                .topics
                                .describe_configs(&topic)
                                .into_iter()
                                .map(|e| {
                                    CreatableTopicConfigs::default()
                                        .with_name(StrBytes::from_static_str(e.name))
                                        .with_value(Some(StrBytes::from_string(e.value)))
                                        .with_config_source(e.source as i8)
                                        .with_is_sensitive(false)
                                        .with_read_only(false)
                                })
                                .collect(),
                        );
                    }
                }
                Err(e) => fail(&mut r, e),
            }
            r
        })
        .collect();
    CreateTopicsResponse::default().with_topics(topics)
}

fn check_replication(
    state: &BrokerState,
    t: &create_topics_request::CreatableTopic,
) -> Result<(), ApiError> {
    let node = state.config.node_id;
    if t.assignments
        .iter()
        .any(|a| a.broker_ids.iter().any(|b| b.0 != node))
    {
        return Err(ApiError::new(
            ResponseError::InvalidReplicaAssignment,
            format!("Only broker {node} exists in this cluster."),
        ));
    }
    let rf = t.replication_factor;
    if rf == -1 || rf == 1 {
        return Ok(());
    }
    if rf < 1 {
        return Err(ApiError::new(
            ResponseError::InvalidReplicationFactor,
            "Replication factor must be larger than 0, or -1 to use the default value.",
        ));
    }
    if state.config.clamp_replication_factor {
        tracing::info!(topic = %t.name.0, requested = rf, "single-node broker: storing replication factor 1");
        Ok(())
    } else {
        Err(ApiError::new(
            ResponseError::InvalidReplicationFactor,
            format!("Unable to replicate the partition {rf} time(s): The target replication factor of {rf} cannot be reached because only 1 broker(s) are registered."),
        ))
    }
}

pub fn delete_topics(
    state: &Arc<BrokerState>,
    req: DeleteTopicsRequest,
    v: i16,
) -> DeleteTopicsResponse {
    let mut targets: Vec<(Option<String>, uuid::Uuid)> = req
        .topic_names
        .iter()
        .map(|n| (Some(n.0.to_string()), uuid::Uuid::nil()))
        .collect();
    targets.extend(
        req.topics
            .iter()
            .map(|t| (t.name.as_ref().map(|n| n.0.to_string()), t.topic_id)),
    );
    let responses = targets
        .into_iter()
        .map(|(name, id)| {
            let resolved = match &name {
                Some(n) => Some(n.clone()),
                None => state
                    .topics
                    .all()
                    .into_iter()
                    .find(|t| t.id == id)
                    .map(|t| t.name.clone()),
            };
            let mut r = DeletableTopicResult::default();
            r.name = resolved
                .clone()
                .or(name)
                .map(|n| TopicName(StrBytes::from_string(n)));
            if v >= 6 {
                r.topic_id = id;
            }
            let result = match resolved {
                None => Err(ApiError::new(
                    ResponseError::UnknownTopicId,
                    "This server does not host this topic ID.",
                )),
                Some(n) if state.topics.get(&n).is_some_and(|t| t.internal) => Err(ApiError::new(
                    ResponseError::TopicDeletionDisabled,
                    format!("Internal topic {n} cannot be deleted."),
                )),
                Some(n) => state.topics.delete(&n),
            };
            if let Err(e) = result {
                r.error_code = e.code;
                if v >= 5 {
                    r.error_message = Some(StrBytes::from_string(e.message));
                }
            }
            r
        })
        .collect();
    DeleteTopicsResponse::default().with_responses(responses)
}

pub fn create_partitions(
    state: &Arc<BrokerState>,
    req: CreatePartitionsRequest,
    _v: i16,
) -> CreatePartitionsResponse {
    let results = req
        .topics
        .iter()
        .map(|t| {
            let mut r = CreatePartitionsTopicResult::default().with_name(t.name.clone());
            if let Err(e) =
                state
                    .topics
                    .create_partitions(t.name.0.as_str(), t.count, req.validate_only)
            {
                r.error_code = e.code;
                r.error_message = Some(StrBytes::from_string(e.message));
            }
            r
        })
        .collect();
    CreatePartitionsResponse::default().with_results(results)
}

pub fn delete_records(
    state: &Arc<BrokerState>,
    req: DeleteRecordsRequest,
    _v: i16,
) -> DeleteRecordsResponse {
    let topics = req
        .topics
        .iter()
        .map(|t| {
            let topic = state.topics.get(t.name.0.as_str());
            let partitions = t
                .partitions
                .iter()
                .map(|p| {
                    let mut r = DeleteRecordsPartitionResult::default().with_partition_index(p.partition_index);
                    let Some(partition) = topic.as_ref().and_then(|t| t.partition(p.partition_index)) else {
                        r.error_code = ResponseError::UnknownTopicOrPartition.code();
                        return r;
                    };
                    let end = partition.log_end_offset();
                    let target = if p.offset == -1 { end } else { p.offset };
                    if target < 0 || target > end {
                        r.error_code = ResponseError::OffsetOutOfRange.code();
                        return r;
                    }
                    match partition.with_log(|l| l.delete_records_before(target)) {
                        Ok(low) => r.low_watermark = low,
                        Err(e) => {
                            tracing::error!(topic = %t.name.0, partition = p.partition_index, error = %e, "delete records failed");
                            r.error_code = ResponseError::KafkaStorageError.code();
                        }
                    }
                    r
                })
                .collect();
            DeleteRecordsTopicResult::default().with_name(t.name.clone()).with_partitions(partitions)
        })
        .collect();
    DeleteRecordsResponse::default().with_topics(topics)
}
