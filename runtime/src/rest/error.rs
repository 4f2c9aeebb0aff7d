//! The one error type of the REST API and its Kafka-style body.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::herder::HerderError;

/// The error body of every failed request: `{"error_code":<http status>,"message":"..."}`
/// (Kafka's `ErrorMessage.java`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorMessage {
    /// The HTTP status code.
    pub error_code: u16,
    /// What went wrong.
    pub message: String,
}

/// A failed request: an HTTP status and a message for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestError {
    status: StatusCode,
    message: String,
    /// Set when another worker must serve the request ([`HerderError::Forward`]).
    forward_to: Option<String>,
}

/// The response extension through which a handler asks the forwarding layer to send the
/// request to another worker (see [`super::forward`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ForwardTo(pub String);

impl RestError {
    /// An error with `status`.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            forward_to: None,
        }
    }

    /// 400, Kafka's `BadRequestException`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl From<HerderError> for RestError {
    fn from(error: HerderError) -> Self {
        let status =
            StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let forward_to = match &error {
            HerderError::Forward { url } => Some(url.clone()),
            _ => None,
        };
        Self {
            forward_to,
            ..Self::new(status, error.to_string())
        }
    }
}

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(status = self.status.as_u16(), message = %self.message, "REST request failed");
        } else {
            tracing::debug!(status = self.status.as_u16(), message = %self.message, "REST request rejected");
        }
        let body = ErrorMessage {
            error_code: self.status.as_u16(),
            message: self.message,
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(url) = self.forward_to {
            response.extensions_mut().insert(ForwardTo(url));
        }
        response
    }
}
