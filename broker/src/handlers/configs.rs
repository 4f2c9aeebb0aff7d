//! DescribeConfigs, AlterConfigs and IncrementalAlterConfigs.
//!
//! Topic configs are persisted with the topic. Broker configs are reported
//! (read-only, from the config file and defaults) but cannot be altered at run
//! time: change the broker's config file and restart.

use crate::state::BrokerState;
use crate::topics::{ApiError, ConfigSource};
use kafka_protocol::messages::describe_configs_response::{
    DescribeConfigsResourceResult, DescribeConfigsResult, DescribeConfigsSynonym,
};
use kafka_protocol::messages::*;
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::ResponseError;
use std::collections::BTreeMap;
use std::sync::Arc;

const TOPIC: i8 = 2;
const BROKER: i8 = 4;

pub fn describe(
    state: &Arc<BrokerState>,
    req: DescribeConfigsRequest,
    v: i16,
) -> DescribeConfigsResponse {
    let results = req
        .resources
        .iter()
        .map(|res| {
            let mut out = DescribeConfigsResult::default()
                .with_resource_type(res.resource_type)
                .with_resource_name(res.resource_name.clone());
            let wanted = |name: &str| res.configuration_keys.as_ref().is_none_or(|keys| keys.iter().any(|k| k.as_str() == name));
            match res.resource_type {
                TOPIC => {
                    let Some(topic) = state.topics.get(res.resource_name.as_str()) else {
                        out.error_code = ResponseError::UnknownTopicOrPartition.code();
                        out.error_message = Some(StrBytes::from_string(format!("Topic {} does not exist.", res.resource_name.as_str())));
                        return out;
                    };
                    out.configs = state
                        .topics
                        .describe_configs(&topic)
                        .into_iter()
                        .filter(|e| wanted(e.name))
                        .map(|e| {
                            let mut r = DescribeConfigsResourceResult::default()
                                .with_name(StrBytes::from_static_str(e.name))
                                .with_value(Some(StrBytes::from_string(e.value.clone())))
                                .with_config_source(e.source as i8);
                            if req.include_synonyms {
                                r.synonyms = vec![DescribeConfigsSynonym::default()
                                    .with_name(StrBytes::from_static_str(e.name))
                                    .with_value(Some(StrBytes::from_string(e.value)))
                                    .with_source(e.source as i8)];
                            }
                            if v >= 3 {
                                r.config_type = e.config_type;
                                if req.include_documentation {
                                    r.documentation = Some(StrBytes::from_static_str(e.doc));
                                }
                            }
                            r
                        })
                        .collect();
                }
                BROKER => {
                    let name = res.resource_name.as_str();
                    if !name.is_empty() && name != state.config.node_id.to_string() {
                        out.error_code = ResponseError::InvalidRequest.code();
                        out.error_message = Some(StrBytes::from_string(format!("Unexpected broker id, expected {} or empty string, but received {name}", state.config.node_id)));
                        return out;
                    }
                    out.configs = state
                        .config
                        .broker_settings()
                        .into_iter()
                        .filter(|(k, _)| wanted(k))
                        .map(|(k, value)| {
                            let mut r = DescribeConfigsResourceResult::default()
                                .with_name(StrBytes::from_static_str(k))
                                .with_value(Some(StrBytes::from_string(value)))
                                .with_read_only(true)
                                .with_config_source(ConfigSource::StaticBroker as i8);
                            if v >= 3 {
                                r.config_type = 2;
                            }
                            r
                        })
                        .collect();
                }
                other => {
                    out.error_code = ResponseError::InvalidRequest.code();
                    out.error_message = Some(StrBytes::from_string(format!("Unsupported resource type {other}: this broker describes TOPIC (2) and BROKER (4) configs")));
                }
            }
            out
        })
        .collect();
    DescribeConfigsResponse::default().with_results(results)
}

fn check_resource(state: &BrokerState, resource_type: i8, name: &str) -> Result<(), ApiError> {
    match resource_type {
        TOPIC => {
            if state.topics.get(name).is_none() {
                return Err(ApiError::new(ResponseError::UnknownTopicOrPartition, format!("Topic {name} does not exist.")));
            }
            Ok(())
        }
        BROKER => Err(ApiError::new(
            ResponseError::InvalidRequest,
            "Broker configs are static in sluice: set them in the broker's config file (or with --override) and restart.",
        )),
        other => Err(ApiError::new(ResponseError::InvalidRequest, format!("Unsupported resource type {other}"))),
    }
}

macro_rules! resource_response {
    ($ty:ty, $res:expr, $result:expr) => {{
        let mut r = <$ty>::default()
            .with_resource_type($res.resource_type)
            .with_resource_name($res.resource_name.clone());
        if let Err(e) = $result {
            r.error_code = e.code;
            r.error_message = Some(StrBytes::from_string(e.message));
        }
        r
    }};
}

pub fn alter(state: &Arc<BrokerState>, req: AlterConfigsRequest, _v: i16) -> AlterConfigsResponse {
    let responses = req
        .resources
        .iter()
        .map(|res| {
            let result = check_resource(state, res.resource_type, res.resource_name.as_str())
                .and_then(|()| {
                    let mut configs = BTreeMap::new();
                    for c in &res.configs {
                        let Some(value) = &c.value else {
                            return Err(ApiError::new(
                                ResponseError::InvalidRequest,
                                format!(
                                    "Null value not supported for topic config {}",
                                    c.name.as_str()
                                ),
                            ));
                        };
                        configs.insert(c.name.to_string(), value.to_string());
                    }
                    state
                        .topics
                        .set_configs(res.resource_name.as_str(), configs, req.validate_only)
                });
            resource_response!(
                alter_configs_response::AlterConfigsResourceResponse,
                res,
                result
            )
        })
        .collect();
    AlterConfigsResponse::default().with_responses(responses)
}

pub fn incremental_alter(
    state: &Arc<BrokerState>,
    req: IncrementalAlterConfigsRequest,
    _v: i16,
) -> IncrementalAlterConfigsResponse {
    let responses = req
        .resources
        .iter()
        .map(|res| {
            let result = check_resource(state, res.resource_type, res.resource_name.as_str())
                .and_then(|()| {
                    let topic = state
                        .topics
                        .get(res.resource_name.as_str())
                        .ok_or_else(|| {
                            ApiError::new(
                                ResponseError::UnknownTopicOrPartition,
                                "This server does not host this topic-partition.",
                            )
                        })?;
                    let mut configs = topic.configs.clone();
                    for c in &res.configs {
                        apply_op(&mut configs, c, state, &topic)?;
                    }
                    state
                        .topics
                        .set_configs(res.resource_name.as_str(), configs, req.validate_only)
                });
            resource_response!(
                incremental_alter_configs_response::AlterConfigsResourceResponse,
                res,
                result
            )
        })
        .collect();
    IncrementalAlterConfigsResponse::default().with_responses(responses)
}

fn apply_op(
    configs: &mut BTreeMap<String, String>,
    c: &incremental_alter_configs_request::AlterableConfig,
    state: &BrokerState,
    topic: &crate::topics::Topic,
) -> Result<(), ApiError> {
    let name = c.name.to_string();
    let value = c.value.as_ref().map(|v| v.to_string());
    let current = || {
        configs.get(&name).cloned().or_else(|| {
            state
                .topics
                .describe_configs(topic)
                .into_iter()
                .find(|e| e.name == name)
                .map(|e| e.value)
        })
    };
    match c.config_operation {
        0 => {
            let value = value.ok_or_else(|| {
                ApiError::new(
                    ResponseError::InvalidRequest,
                    format!("Null value not supported for SET of {name}"),
                )
            })?;
            configs.insert(name, value);
        }
        1 => {
            configs.remove(&name);
        }
        op @ (2 | 3) => {
            if name != "cleanup.policy" && !name.ends_with(".replicas") {
                return Err(ApiError::new(ResponseError::InvalidConfig, format!("Config value append/subtract is not allowed for config key {name} (not a list)")));
            }
            let mut items: Vec<String> = current()
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            for item in value
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                if op == 2 {
                    if !items.iter().any(|i| i == item) {
                        items.push(item.to_string());
                    }
                } else {
                    items.retain(|i| i != item);
                }
            }
            configs.insert(name, items.join(","));
        }
        other => {
            return Err(ApiError::new(
                ResponseError::InvalidRequest,
                format!("Unknown config operation {other}"),
            ))
        }
    }
    Ok(())
}
