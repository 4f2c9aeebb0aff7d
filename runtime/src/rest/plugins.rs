//! `/connector-plugins/...` (Kafka's `ConnectorPluginsResource.java`).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};

use super::error::RestError;
use super::extract::{KafkaJson, KafkaPath, LenientConfig, QueryParams};
use super::AppState;

/// The config key naming a connector's class (`ConnectorConfig.CONNECTOR_CLASS_CONFIG`).
const CONNECTOR_CLASS_CONFIG: &str = "connector.class";

/// The suffix Kafka's plugin aliases drop (`FileStreamSource` = `FileStreamSourceConnector`).
const ALIAS_SUFFIX: &str = "Connector";

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/connector-plugins", get(list_plugins))
        .route("/connector-plugins/{plugin}/config", get(plugin_config))
        .route(
            "/connector-plugins/{plugin}/config/validate",
            put(validate_config),
        )
}

/// `GET /connector-plugins[?connectorsOnly=false]`.
async fn list_plugins(
    State(state): State<AppState>,
    query: QueryParams,
) -> Result<Response, RestError> {
    let connectors_only = query.flag("connectorsOnly", true);
    let plugins = state
        .call(state.herder.connector_plugins(connectors_only))
        .await?;
    Ok(Json(plugins).into_response())
}

/// `GET /connector-plugins/{plugin}/config`.
async fn plugin_config(
    State(state): State<AppState>,
    KafkaPath(plugin): KafkaPath<String>,
) -> Result<Response, RestError> {
    let keys = state.call(state.herder.plugin_config(plugin)).await?;
    Ok(Json(keys).into_response())
}

/// `PUT /connector-plugins/{plugin}/config/validate`: 200 + ConfigInfos, or 400 when
/// `connector.class` names another plugin. A missing `connector.class` is left to the
/// herder, which reports it as a validation error (KAFKA-13756).
async fn validate_config(
    State(state): State<AppState>,
    KafkaPath(plugin): KafkaPath<String>,
    KafkaJson(config): KafkaJson<LenientConfig>,
) -> Result<Response, RestError> {
    let config = config.into_map();
    if let Some(class) = config.get(CONNECTOR_CLASS_CONFIG) {
        if !normalized_plugin_name(class).ends_with(normalized_plugin_name(&plugin)) {
            return Err(RestError::bad_request(format!(
                "Included connector type {class} does not match request type {plugin}"
            )));
        }
    }
    let infos = state
        .call(state.herder.validate_connector_config(config))
        .await?;
    Ok(Json(infos).into_response())
}

/// Kafka's `normalizedPluginName`: drops a trailing `Connector` (unless that is all).
fn normalized_plugin_name(name: &str) -> &str {
    match name.strip_suffix(ALIAS_SUFFIX) {
        Some(stripped) if !stripped.is_empty() => stripped,
        _ => name,
    }
}

#[cfg(test)]
mod unit_tests {
    use super::normalized_plugin_name;

    #[test]
    fn aliases_drop_the_connector_suffix() {
        assert_eq!(
            normalized_plugin_name("FileStreamSourceConnector"),
            "FileStreamSource"
        );
        assert_eq!(
            normalized_plugin_name("FileStreamSource"),
            "FileStreamSource"
        );
        assert_eq!(normalized_plugin_name("Connector"), "Connector");
    }
}
