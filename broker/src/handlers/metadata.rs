//! Metadata, DescribeCluster and FindCoordinator: the cluster is this one node.
//!
//! Leader epochs: sluice uses one model everywhere, "no epochs" (-1): Metadata,
//! ListOffsets and stored batches all carry -1, and OffsetForLeaderEpoch is not
//! advertised, so clients never try log-truncation validation (a single node
//! never truncates an acknowledged log).

use crate::state::BrokerState;
use crate::topics::{validate_topic_name, Topic, OFFSETS_TOPIC};
use kafka_protocol::messages::describe_cluster_response::DescribeClusterBroker;
use kafka_protocol::messages::metadata_response::{
    MetadataResponseBroker, MetadataResponsePartition, MetadataResponseTopic,
};
use kafka_protocol::messages::*;
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::ResponseError;
use std::collections::BTreeMap;
use std::sync::Arc;

fn node(state: &BrokerState) -> BrokerId {
    BrokerId(state.config.node_id)
}

pub fn handle(state: &Arc<BrokerState>, req: MetadataRequest, v: i16) -> MetadataResponse {
    let topics = match &req.topics {
        // v0: an empty list means all topics; v1+: null means all topics.
        None => all_topics(state, v),
        Some(list) if list.is_empty() && v == 0 => all_topics(state, v),
        Some(list) => {
            let auto_create =
                state.config.auto_create_topics && (v < 4 || req.allow_auto_topic_creation);
            list.iter()
                .map(|t| requested_topic(state, t, auto_create, v))
                .collect()
        }
    };
    let broker = MetadataResponseBroker::default()
        .with_node_id(node(state))
        .with_host(StrBytes::from_string(state.advertised_host.clone()))
        .with_port(state.advertised_port);
    let mut resp = MetadataResponse::default()
        .with_brokers(vec![broker])
        .with_topics(topics);
    if v >= 1 {
        resp.controller_id = node(state);
    }
    if v >= 2 {
        resp.cluster_id = Some(StrBytes::from_string(state.cluster_id.clone()));
    }
    resp
}

fn all_topics(state: &BrokerState, v: i16) -> Vec<MetadataResponseTopic> {
    state
        .topics
        .all()
        .iter()
        .map(|t| topic_metadata(state, t, v))
        .collect()
}

fn requested_topic(
    state: &BrokerState,
    t: &metadata_request::MetadataRequestTopic,
    auto_create: bool,
    v: i16,
) -> MetadataResponseTopic {
    let Some(name) = t.name.as_ref().map(|n| n.0.to_string()) else {
        // Lookup by topic id (v10+).
        return match state.topics.all().into_iter().find(|x| x.id == t.topic_id) {
            Some(topic) => topic_metadata(state, &topic, v),
            None => {
                let mut r = MetadataResponseTopic::default()
                    .with_error_code(ResponseError::UnknownTopicId.code());
                r.topic_id = t.topic_id;
                r
            }
        };
    };
    if let Some(topic) = state.topics.get(&name) {
        return topic_metadata(state, &topic, v);
    }
    let error = |e: ResponseError| {
        MetadataResponseTopic::default()
            .with_error_code(e.code())
            .with_name(Some(TopicName(StrBytes::from_string(name.clone()))))
    };
    if validate_topic_name(&name).is_err() {
        return error(ResponseError::InvalidTopicException);
    }
    if !auto_create || name == OFFSETS_TOPIC {
        return error(ResponseError::UnknownTopicOrPartition);
    }
    match state
        .topics
        .create(&name, -1, BTreeMap::new(), false, false)
    {
        Ok(topic) => topic_metadata(state, &topic, v),
        // Lost a race with another creator: report what exists now.
        Err(_) => match state.topics.get(&name) {
            Some(topic) => topic_metadata(state, &topic, v),
            None => error(ResponseError::UnknownTopicOrPartition),
        },
    }
}

pub fn topic_metadata(state: &BrokerState, topic: &Topic, v: i16) -> MetadataResponseTopic {
    let n = node(state);
    let partitions = topic
        .partitions
        .iter()
        .map(|p| {
            let mut m = MetadataResponsePartition::default()
                .with_partition_index(p.index)
                .with_leader_id(n)
                .with_replica_nodes(vec![n])
                .with_isr_nodes(vec![n]);
            m.leader_epoch = -1;
            m
        })
        .collect();
    let mut m = MetadataResponseTopic::default()
        .with_name(Some(TopicName(StrBytes::from_string(topic.name.clone()))))
        .with_partitions(partitions);
    if v >= 1 {
        m.is_internal = topic.internal;
    }
    if v >= 10 {
        m.topic_id = topic.id;
    }
    m
}

pub fn describe_cluster(
    state: &Arc<BrokerState>,
    _req: DescribeClusterRequest,
    _v: i16,
) -> DescribeClusterResponse {
    let broker = DescribeClusterBroker::default()
        .with_broker_id(node(state))
        .with_host(StrBytes::from_string(state.advertised_host.clone()))
        .with_port(state.advertised_port);
    DescribeClusterResponse::default()
        .with_cluster_id(StrBytes::from_string(state.cluster_id.clone()))
        .with_controller_id(node(state))
        .with_brokers(vec![broker])
}

pub fn find_coordinator(
    state: &Arc<BrokerState>,
    req: FindCoordinatorRequest,
    v: i16,
) -> FindCoordinatorResponse {
    let mut resp = FindCoordinatorResponse::default();
    if req.key_type != 0 {
        // Transaction coordinators come with exactly-once support.
        resp.error_code = ResponseError::InvalidRequest.code();
        if v >= 1 {
            resp.error_message = Some(StrBytes::from_static_str(
                "transactions are not supported by this broker yet",
            ));
        }
        return resp;
    }
    resp.node_id = node(state);
    resp.host = StrBytes::from_string(state.advertised_host.clone());
    resp.port = state.advertised_port;
    resp
}
