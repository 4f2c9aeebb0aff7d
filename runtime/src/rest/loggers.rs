//! `/admin/loggers/...` (Kafka's `LoggingResource.java`, KIP-495 and KIP-976).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::error::RestError;
use super::extract::{KafkaJson, KafkaPath, LenientString, QueryParams};
use super::AppState;

/// The levels Kafka's log4j accepts (`Level.toLevel`).
const LEVELS: [&str; 8] = [
    "OFF", "FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE", "ALL",
];

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/loggers", get(list_loggers))
        .route("/admin/loggers/{logger}", get(get_logger).put(set_level))
}

/// `GET /admin/loggers`.
async fn list_loggers(State(state): State<AppState>) -> Result<Response, RestError> {
    let levels = state.call(state.herder.logger_levels()).await?;
    Ok(Json(levels).into_response())
}

/// `GET /admin/loggers/{logger}`.
async fn get_logger(
    State(state): State<AppState>,
    KafkaPath(logger): KafkaPath<String>,
) -> Result<Response, RestError> {
    let level = state.call(state.herder.logger_level(logger)).await?;
    Ok(Json(level).into_response())
}

/// `PUT /admin/loggers/{logger}[?scope=worker|cluster]` with `{"level": ...}`: 200 + the
/// affected loggers for `worker` (the default), 204 for `cluster`.
async fn set_level(
    State(state): State<AppState>,
    KafkaPath(namespace): KafkaPath<String>,
    query: QueryParams,
    KafkaJson(body): KafkaJson<BTreeMap<String, Option<LenientString>>>,
) -> Result<Response, RestError> {
    let Some(Some(LenientString(raw))) = body.get("level") else {
        return Err(RestError::bad_request(
            "Desired 'level' parameter was not specified in request.",
        ));
    };
    let level = raw.to_ascii_uppercase();
    if !LEVELS.contains(&level.as_str()) {
        // Kafka answers 404 here (`NotFoundException`).
        return Err(RestError::not_found(format!("invalid log level '{raw}'.")));
    }
    let cluster = match query.first("scope") {
        None => false,
        Some(scope) if scope.eq_ignore_ascii_case("worker") => false,
        Some(scope) if scope.eq_ignore_ascii_case("cluster") => true,
        Some(scope) => {
            tracing::warn!(
                scope,
                "invalid scope in request to adjust a logger level; using the default scope of 'worker'"
            );
            false
        }
    };
    if cluster {
        state
            .call(state.herder.set_cluster_logger_level(namespace, level))
            .await?;
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let affected = state
        .call(state.herder.set_worker_logger_level(namespace, level))
        .await?;
    Ok(Json(affected).into_response())
}
