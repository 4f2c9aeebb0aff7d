//! `/connectors/...` (Kafka's `ConnectorsResource.java`).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::header::LOCATION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;

use super::error::RestError;
use super::extract::{KafkaJson, KafkaPath, LenientConfig, LenientPatch, QueryParams};
use super::AppState;
use crate::herder::{
    ActiveTopics, ConnectorConfig, ConnectorInfo, ConnectorOffset, ConnectorOffsets,
    ConnectorTaskId, HerderError, RequestSignature, RestartRequest, TargetState,
};

/// The connector config key holding its name (`ConnectorConfig.NAME_CONFIG`).
const NAME_CONFIG: &str = "name";

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/connectors", get(list_connectors).post(create_connector))
        .route(
            "/connectors/{name}",
            get(connector_info).delete(delete_connector),
        )
        .route(
            "/connectors/{name}/config",
            get(connector_config)
                .put(put_connector_config)
                .patch(patch_connector_config),
        )
        .route("/connectors/{name}/status", get(connector_status))
        .route("/connectors/{name}/restart", post(restart_connector))
        .route("/connectors/{name}/pause", put(pause_connector))
        .route("/connectors/{name}/resume", put(resume_connector))
        .route("/connectors/{name}/stop", put(stop_connector))
        .route(
            "/connectors/{name}/tasks",
            get(task_configs).post(put_task_configs),
        )
        .route("/connectors/{name}/tasks-config", get(tasks_config))
        .route("/connectors/{name}/tasks/{task}/status", get(task_status))
        .route(
            "/connectors/{name}/tasks/{task}/restart",
            post(restart_task),
        )
        .route(
            "/connectors/{name}/offsets",
            get(connector_offsets)
                .patch(alter_connector_offsets)
                .delete(reset_connector_offsets),
        )
        .route("/connectors/{name}/topics", get(connector_active_topics))
        .route(
            "/connectors/{name}/topics/reset",
            put(reset_connector_active_topics),
        )
}

/// `GET /connectors[?expand=status][&expand=info]`.
async fn list_connectors(
    State(state): State<AppState>,
    query: QueryParams,
) -> Result<Response, RestError> {
    let names = state.call(state.herder.connectors()).await?;
    let expands: Vec<&str> = query.all("expand").collect();
    if expands.is_empty() {
        return Ok(Json(names).into_response());
    }
    let mut out: BTreeMap<String, BTreeMap<&str, serde_json::Value>> = BTreeMap::new();
    'connectors: for name in names {
        let mut expanded = BTreeMap::new();
        for &expand in &expands {
            let value = match expand {
                "status" => state
                    .call(state.herder.connector_status(name.clone()))
                    .await
                    .map(serde_json::to_value),
                "info" => state
                    .call(state.herder.connector_info(name.clone()))
                    .await
                    .map(serde_json::to_value),
                other => {
                    tracing::info!(expand = other, "ignoring unknown expansion type");
                    continue;
                }
            };
            match value {
                Ok(Ok(value)) => {
                    expanded.insert(expand, value);
                }
                Ok(Err(error)) => {
                    return Err(RestError::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        error.to_string(),
                    ))
                }
                // Deleted while we were listing: leave it out, like Kafka.
                Err(error) if error.status() == StatusCode::NOT_FOUND => continue 'connectors,
                Err(error) => return Err(error),
            }
        }
        out.insert(name, expanded);
    }
    Ok(Json(out).into_response())
}

/// The body of `POST /connectors` (`CreateConnectorRequest.java`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateConnectorRequest {
    name: Option<String>,
    config: Option<LenientConfig>,
    initial_state: Option<String>,
}

/// `POST /connectors`: 201 + `Location` + ConnectorInfo.
async fn create_connector(
    State(state): State<AppState>,
    KafkaJson(request): KafkaJson<CreateConnectorRequest>,
) -> Result<Response, RestError> {
    let name = request
        .name
        .as_deref()
        .unwrap_or_default()
        .trim()
        .to_owned();
    if name.is_empty() {
        return Err(RestError::bad_request(
            "Connector name must be specified and non-empty",
        ));
    }
    let Some(config) = request.config else {
        return Err(RestError::bad_request("Connector config must be specified"));
    };
    let mut config = config.into_map();
    check_and_put_connector_name(&name, &mut config)?;
    let initial_state = match request.initial_state.as_deref() {
        None => None,
        Some(raw) => Some(TargetState::parse(raw).ok_or_else(|| {
            RestError::bad_request(format!(
                "Invalid initial state '{raw}'; expected one of RUNNING, PAUSED, STOPPED"
            ))
        })?),
    };
    let created = state
        .call(
            state
                .herder
                .put_connector_config(name.clone(), config, initial_state, false),
        )
        .await?;
    created_response(&created.result)
}

/// `GET /connectors/{name}`.
async fn connector_info(
    State(state): State<AppState>,
    KafkaPath(name): KafkaPath<String>,
) -> Result<Response, RestError> {
    let info = state.call(state.herder.connector_info(name)).await?;
    Ok(Json(info).into_response())
}

/// `GET /connectors/{name}/config`.
async fn connector_config(
    State(state): State<AppState>,
    KafkaPath(name): KafkaPath<String>,
) -> Result<Response, RestError> {
    let config = state.call(state.herder.connector_config(name)).await?;
    Ok(Json(config).into_response())
}

/// `PUT /connectors/{name}/config`: 201 + `Location` if it created the connector, else 200.
async fn put_connector_config(
    State(state): State<AppState>,
    KafkaPath(name): KafkaPath<String>,
    KafkaJson(config): KafkaJson<LenientConfig>,
) -> Result<Response, RestError> {
    let mut config = config.into_map();
    check_and_put_connector_name(&name, &mut config)?;
    let put = state
        .call(state.herder.put_connector_config(name, config, None, true))
        .await?;
    if put.created {
        created_response(&put.result)
    } else {
        Ok(Json(put.result).into_response())
    }
}

/// `PATCH /connectors/{name}/config` (KIP-477).
async fn patch_connector_config(
    State(state): State<AppState>,
    KafkaPath(name): KafkaPath<String>,
    KafkaJson(patch): KafkaJson<LenientPatch>,
) -> Result<Response, RestError> {
    let patch = patch.into_map();
    if let Some(Some(patched)) = patch.get(NAME_CONFIG) {
        if *patched != name {
            return Err(name_mismatch(patched, &name));
        }
    }
    let info = state
        .call(state.herder.patch_connector_config(name, patch))
        .await?;
    Ok(Json(info).into_response())
}

/// `GET /connectors/{name}/status`.
async fn connector_status(
    State(state): State<AppState>,
    KafkaPath(name): KafkaPath<String>,
) -> Result<Response, RestError> {
    let status = state.call(state.herder.connector_status(name)).await?;
    Ok(Json(status).into_response())
}

/// `POST /connectors/{name}/restart[?includeTasks=][&onlyFailed=]`: 204 for a plain
/// restart, else 202 + ConnectorStateInfo.
async fn restart_connector(
    State(state): State<AppState>,
    KafkaPath(name): KafkaPath<String>,
    query: QueryParams,
) -> Result<Response, RestError> {
    let include_tasks = query.flag("includeTasks", false);
    let only_failed = query.flag("onlyFailed", false);
    if !include_tasks && !only_failed {
        state.call(state.herder.restart_connector(name)).await?;
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let request = RestartRequest {
        connector: name,
        only_failed,
        include_tasks,
    };
    let status = state
        .call(state.herder.restart_connector_and_tasks(request))
        .await?;
    Ok((StatusCode::ACCEPTED, Json(status)).into_response())
}

/// `PUT /connectors/{name}/pause`: 202.
async fn pause_connector(
    State(state): State<AppState>,
    KafkaPath(name): KafkaPath<String>,
) -> Result<StatusCode, RestError> {
    state.call(state.herder.pause_connector(name)).await?;
    Ok(StatusCode::ACCEPTED)
}

/// `PUT /connectors/{name}/resume`: 202.
async fn resume_connector(
    State(state): State<AppState>,
    KafkaPath(name): KafkaPath<String>,
) -> Result<StatusCode, RestError> {
    state.call(state.herder.resume_connector(name)).await?;
    Ok(StatusCode::ACCEPTED)
}

/// `PUT /connectors/{name}/stop`: 204.
async fn stop_connector(
    State(state): State<AppState>,
    KafkaPath(name): KafkaPath<String>,
) -> Result<StatusCode, RestError> {
    state.call(state.herder.stop_connector(name)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /connectors/{name}`: 204.
async fn delete_connector(
    State(state): State<AppState>,
    KafkaPath(name): KafkaPath<String>,
) -> Result<StatusCode, RestError> {
    state.call(state.herder.delete_connector(name)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /connectors/{name}/tasks`.
async fn task_configs(
    State(state): State<AppState>,
    KafkaPath(name): KafkaPath<String>,
) -> Result<Response, RestError> {
    let tasks = state.call(state.herder.task_configs(name)).await?;
    Ok(Json(tasks).into_response())
}

/// `POST /connectors/{name}/tasks` (internal: a worker hands the leader the task configs
/// its connector generated).
async fn put_task_configs(
    State(state): State<AppState>,
    KafkaPath(name): KafkaPath<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<StatusCode, RestError> {
    let configs: Vec<ConnectorConfig> = serde_json::from_slice(&body).map_err(|e| {
        RestError::bad_request(format!(
            "The task configs must be a JSON array of string maps: {e}"
        ))
    })?;
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let signature = match (
        header("X-Connect-Request-Signature-Algorithm"),
        header("X-Connect-Authorization"),
    ) {
        (Some(algorithm), Some(signature)) => Some(RequestSignature {
            algorithm,
            signature,
            body: body.to_vec(),
        }),
        _ => None,
    };
    state
        .call(state.herder.put_task_configs(name, configs, signature))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /connectors/{name}/tasks-config` (deprecated): `{"<connector>-<task>": config}`.
async fn tasks_config(
    State(state): State<AppState>,
    KafkaPath(name): KafkaPath<String>,
) -> Result<Response, RestError> {
    tracing::warn!(
        connector = %name,
        "the /connectors/{{name}}/tasks-config endpoint is deprecated; use /connectors/{{name}}/tasks"
    );
    let tasks = state.call(state.herder.task_configs(name)).await?;
    let by_id: BTreeMap<String, ConnectorConfig> = tasks
        .into_iter()
        .map(|t| (t.id.to_string(), t.config))
        .collect();
    Ok(Json(by_id).into_response())
}

/// `GET /connectors/{name}/tasks/{task}/status`.
async fn task_status(
    State(state): State<AppState>,
    KafkaPath((name, task)): KafkaPath<(String, String)>,
) -> Result<Response, RestError> {
    let id = task_id(name, &task)?;
    let status = state.call(state.herder.task_status(id)).await?;
    Ok(Json(status).into_response())
}

/// `POST /connectors/{name}/tasks/{task}/restart`: 204.
async fn restart_task(
    State(state): State<AppState>,
    KafkaPath((name, task)): KafkaPath<(String, String)>,
) -> Result<StatusCode, RestError> {
    let id = task_id(name, &task)?;
    state.call(state.herder.restart_task(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /connectors/{name}/offsets`.
async fn connector_offsets(
    State(state): State<AppState>,
    KafkaPath(name): KafkaPath<String>,
) -> Result<Response, RestError> {
    let offsets = state.call(state.herder.connector_offsets(name)).await?;
    Ok(Json(offsets).into_response())
}

/// The body of `PATCH /connectors/{name}/offsets`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AlterOffsetsRequest {
    offsets: Option<Vec<ConnectorOffset>>,
}

/// `PATCH /connectors/{name}/offsets`: 200 + `{"message"}`.
async fn alter_connector_offsets(
    State(state): State<AppState>,
    KafkaPath(name): KafkaPath<String>,
    KafkaJson(request): KafkaJson<AlterOffsetsRequest>,
) -> Result<Response, RestError> {
    let offsets = request.offsets.unwrap_or_default();
    if offsets.is_empty() {
        return Err(RestError::bad_request(
            "Partitions / offsets need to be provided for an alter offsets request",
        ));
    }
    let message = state
        .call(
            state
                .herder
                .alter_connector_offsets(name, ConnectorOffsets { offsets }),
        )
        .await?;
    Ok(Json(message).into_response())
}

/// `DELETE /connectors/{name}/offsets`: 200 + `{"message"}`.
async fn reset_connector_offsets(
    State(state): State<AppState>,
    KafkaPath(name): KafkaPath<String>,
) -> Result<Response, RestError> {
    let message = state
        .call(state.herder.reset_connector_offsets(name))
        .await?;
    Ok(Json(message).into_response())
}

/// `GET /connectors/{name}/topics`: `{"<name>":{"topics":[..]}}`.
async fn connector_active_topics(
    State(state): State<AppState>,
    KafkaPath(name): KafkaPath<String>,
) -> Result<Response, RestError> {
    let topics = state
        .call(state.herder.connector_active_topics(name.clone()))
        .await?;
    let body: BTreeMap<String, ActiveTopics> = BTreeMap::from([(name, topics)]);
    Ok(Json(body).into_response())
}

/// `PUT /connectors/{name}/topics/reset`: 202.
async fn reset_connector_active_topics(
    State(state): State<AppState>,
    KafkaPath(name): KafkaPath<String>,
) -> Result<StatusCode, RestError> {
    state
        .call(state.herder.reset_connector_active_topics(name))
        .await?;
    Ok(StatusCode::ACCEPTED)
}

/// Kafka's `checkAndPutConnectorConfigName`: a `name` in the config must equal the
/// connector's name; an absent one is filled in.
fn check_and_put_connector_name(name: &str, config: &mut ConnectorConfig) -> Result<(), RestError> {
    match config.get(NAME_CONFIG) {
        Some(configured) if configured != name => Err(name_mismatch(configured, name)),
        Some(_) => Ok(()),
        None => {
            config.insert(NAME_CONFIG.to_owned(), name.to_owned());
            Ok(())
        }
    }
}

fn name_mismatch(configured: &str, name: &str) -> RestError {
    RestError::bad_request(format!(
        "Connector name configuration ({configured}) doesn't match connector name in the URL ({name})"
    ))
}

/// A task id from the path. JAX-RS answers 404 when `{task}` is not an integer, because
/// no resource method matches; so do we, with a useful message.
fn task_id(connector: String, raw: &str) -> Result<ConnectorTaskId, RestError> {
    match raw.parse::<u32>() {
        Ok(task) => Ok(ConnectorTaskId::new(connector, task)),
        Err(_) => Err(HerderError::NotFound(format!("Task {connector}-{raw} not found")).into()),
    }
}

/// 201 + `Location: /connectors/{name}` + ConnectorInfo.
fn created_response(info: &ConnectorInfo) -> Result<Response, RestError> {
    let location = format!("/connectors/{}", encode_path_segment(&info.name));
    let location = HeaderValue::try_from(location)
        .map_err(|e| RestError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok((StatusCode::CREATED, [(LOCATION, location)], Json(info)).into_response())
}

/// Percent-encodes a URI path segment the way JAX-RS `UriBuilder.path` does: unreserved
/// characters and sub-delimiters stay, everything else is encoded as UTF-8 bytes.
fn encode_path_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&byte);
        if keep {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod unit_tests {
    use super::encode_path_segment;

    #[test]
    fn path_segments_are_percent_encoded() {
        assert_eq!(encode_path_segment("local-file_1.x"), "local-file_1.x");
        assert_eq!(
            encode_path_segment("my connector/é"),
            "my%20connector%2F%C3%A9"
        );
    }
}
