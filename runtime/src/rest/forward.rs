//! Forwarding a request to the worker that can serve it (Kafka's
//! `HerderRequestHandler.completeOrForwardRequest`).

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::{ForwardTo, RestError};
use crate::herder::HerderError;

/// The largest request body that is forwarded.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// The HTTP client forwarded requests go through.
#[derive(Clone)]
pub(super) struct Forwarder {
    client: reqwest::Client,
}

impl Forwarder {
    pub(super) fn new(timeout: Duration) -> Self {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Self { client }
    }
}

/// What the `forward` query parameter says about a request that must be forwarded.
fn next_forward(query: &str) -> Option<bool> {
    let value = query
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .find(|(key, _)| *key == "forward")
        .map(|(_, value)| value.eq_ignore_ascii_case("true"));
    match value {
        // From a user: may be forwarded, and forwarded once more by the next worker.
        None => Some(true),
        // Forwarded once: the next worker must serve it.
        Some(true) => Some(false),
        Some(false) => None,
    }
}

/// The target URL: `base` + the request's path + its query with `forward` replaced.
fn target_url(base: &str, path: &str, query: &str, forward: bool) -> String {
    let mut pairs: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && p.split('=').next() != Some("forward"))
        .collect();
    let forward = format!("forward={forward}");
    pairs.push(&forward);
    format!("{}{}?{}", base.trim_end_matches('/'), path, pairs.join("&"))
}

/// Runs the request; if the herder asked for it to be served elsewhere, forwards it.
pub(super) async fn forward(
    State(forwarder): State<Forwarder>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return RestError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("Request body larger than {MAX_BODY} bytes"),
        )
        .into_response();
    };
    let response = next
        .run(Request::from_parts(
            parts.clone(),
            Body::from(bytes.clone()),
        ))
        .await;
    let Some(ForwardTo(base)) = response.extensions().get::<ForwardTo>().cloned() else {
        return response;
    };
    let query = parts.uri.query().unwrap_or("");
    let Some(forward) = next_forward(query) else {
        return RestError::from(HerderError::rebalance_in_progress()).into_response();
    };
    let url = target_url(&base, parts.uri.path(), query, forward);
    tracing::debug!(method = %parts.method, url = %url, "forwarding REST request");
    let mut outgoing = forwarder.client.request(parts.method.clone(), &url);
    if let Some(content_type) = parts.headers.get(CONTENT_TYPE) {
        outgoing = outgoing.header(CONTENT_TYPE, content_type.clone());
    }
    let answer = match outgoing.body(bytes).send().await {
        Ok(answer) => answer,
        Err(e) => {
            // Kafka's message for a forwarding failure.
            return RestError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("IO Error trying to forward REST request: {e}"),
            )
            .into_response();
        }
    };
    let status = answer.status();
    let content_type = answer.headers().get(CONTENT_TYPE).cloned();
    let body = match answer.bytes().await {
        Ok(body) => body,
        Err(e) => {
            return RestError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("IO Error trying to forward REST request: {e}"),
            )
            .into_response();
        }
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    if let Some(content_type) = content_type {
        response.headers_mut().insert(CONTENT_TYPE, content_type);
    } else {
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_parameter_allows_two_hops() {
        assert_eq!(next_forward(""), Some(true));
        assert_eq!(next_forward("expand=status"), Some(true));
        assert_eq!(next_forward("forward=true"), Some(false));
        assert_eq!(next_forward("includeTasks=true&forward=false"), None);
    }

    #[test]
    fn target_keeps_the_query_and_replaces_forward() {
        assert_eq!(
            target_url(
                "http://10.0.0.2:8083/",
                "/connectors/a/restart",
                "includeTasks=true&forward=true",
                false
            ),
            "http://10.0.0.2:8083/connectors/a/restart?includeTasks=true&forward=false"
        );
        assert_eq!(
            target_url("http://h:1", "/connectors", "", true),
            "http://h:1/connectors?forward=true"
        );
    }
}
