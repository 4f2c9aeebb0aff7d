//! The Kafka Connect REST API (port 8083), as an axum [`Router`] over a [`Herder`].
//!
//! Every public endpoint of Kafka's `R/rest/resources/*.java` is here, with Kafka's
//! paths, query parameters, status codes and JSON bodies; errors are always
//! `{"error_code":<status>,"message":"..."}` ([`ErrorMessage`]). The handlers only talk to
//! the [`Herder`] trait, so the router is tested with `oneshot` against an in-memory
//! herder (`tests.rs`) and runs unchanged over the standalone and distributed herders.
//!
//! Where sluice deliberately differs from Kafka (all bad input is a 4xx, never a 500):
//! * invalid JSON or a body of the wrong shape is 400 (Kafka's Jackson errors reach its
//!   catch-all `ConnectExceptionMapper` branch and become 500);
//! * a create request without `name` or `config` is 400 (Kafka: a validation error or a
//!   500 from a `NullPointerException`), an empty name after trimming is 400, and an
//!   unknown `initial_state` is 400;
//! * `null` config values in `POST`/`PUT` are 400 (Jackson would keep them as nulls).
//!
//! Kept from Kafka: a missing `Content-Type: application/json` is 415; a non-integer task
//! id is 404 (JAX-RS cannot convert the `{task}` path parameter, so the route does not
//! match); unknown `expand` values are ignored; an unknown logger `scope` falls back to
//! `worker`; unknown paths are 404 and wrong methods 405, both with the JSON error body.
//!
//! Forwarding (Kafka's `HerderRequestHandler.completeOrForwardRequest`): when the herder
//! answers [`HerderError::Forward`] (this worker is not the leader, or not the owner of
//! the task to restart), [`forward`] sends the same request to the given worker and
//! returns its answer. A request from a user carries no `forward` parameter and may be
//! forwarded twice (`forward=true`, e.g. to the leader that then names the owner), a
//! forwarded one only once more (`forward=false`); a request that would be forwarded
//! again is a 409, as in Kafka.

mod connectors;
mod error;
mod extract;
mod forward;
mod loggers;
mod plugins;
#[cfg(test)]
mod tests;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Json;
use futures::future::BoxFuture;

pub use axum::Router;
pub use error::{ErrorMessage, RestError};

use crate::herder::{HealthStatus, Herder, HerderError, HerderResult};

/// How long a request waits for the herder before failing with 500 "Request timed out"
/// (Kafka's `RestServer.DEFAULT_REST_REQUEST_TIMEOUT_MS`).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(90);

/// What every handler gets: the herder and the request timeout.
#[derive(Clone)]
struct AppState {
    herder: Arc<dyn Herder>,
    timeout: Duration,
}

impl AppState {
    /// Awaits a herder call, failing with Kafka's timeout error after the request timeout.
    async fn call<T>(&self, call: BoxFuture<'_, HerderResult<T>>) -> Result<T, RestError> {
        match tokio::time::timeout(self.timeout, call).await {
            Ok(result) => result.map_err(RestError::from),
            Err(_elapsed) => Err(HerderError::request_timed_out().into()),
        }
    }
}

/// The REST API over `herder`, with the default request timeout.
pub fn router(herder: Arc<dyn Herder>) -> Router {
    router_with_timeout(herder, DEFAULT_REQUEST_TIMEOUT)
}

/// The REST API over `herder`; herder calls slower than `timeout` fail with 500
/// "Request timed out" (`rest.request.timeout.ms` is not configurable in Kafka, but tests
/// need a short one).
pub fn router_with_timeout(herder: Arc<dyn Herder>, timeout: Duration) -> Router {
    let state = AppState { herder, timeout };
    let forwarder = forward::Forwarder::new(timeout);
    Router::new()
        .route("/", get(server_info))
        .route("/health", get(health))
        .merge(connectors::routes())
        .merge(plugins::routes())
        .merge(loggers::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
        .layer(axum::middleware::from_fn_with_state(
            forwarder,
            forward::forward,
        ))
}

/// Serves `router` on `listener` until `shutdown` completes, then drains open requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}

/// `GET /`.
async fn server_info(State(state): State<AppState>) -> Result<Response, RestError> {
    let info = state.call(state.herder.server_info()).await?;
    Ok(Json(info).into_response())
}

/// `GET /health`: 200 when healthy, 503 while starting, 500 when unhealthy (KIP-1017).
async fn health(State(state): State<AppState>) -> Response {
    let Ok(health) = tokio::time::timeout(state.timeout, state.herder.health()).await else {
        return RestError::from(HerderError::request_timed_out()).into_response();
    };
    let status = match health.status {
        HealthStatus::Healthy => StatusCode::OK,
        HealthStatus::Starting => StatusCode::SERVICE_UNAVAILABLE,
        HealthStatus::Unhealthy => StatusCode::INTERNAL_SERVER_ERROR,
    };
    (status, Json(health)).into_response()
}

async fn not_found() -> RestError {
    RestError::not_found("HTTP 404 Not Found")
}

async fn method_not_allowed() -> RestError {
    RestError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "HTTP 405 Method Not Allowed",
    )
}
