//! A caching client of the Confluent schema registry REST API, the part a converter needs:
//! Confluent's `CachedSchemaRegistryClient` (`schema-registry/client/.../
//! CachedSchemaRegistryClient.java`) over plain HTTP.
//!
//! * [`SchemaRegistryClient::register`] — `POST /subjects/{subject}/versions`
//!   (`CachedSchemaRegistryClient.register`), cached by (subject, schema);
//! * [`SchemaRegistryClient::lookup`] — `POST /subjects/{subject}`
//!   (`CachedSchemaRegistryClient.getId`, used when `auto.register.schemas=false`), cached
//!   by (subject, schema);
//! * [`SchemaRegistryClient::latest`] — `GET /subjects/{subject}/versions/latest`
//!   (`getLatestSchemaMetadata`), cached per subject for the client's lifetime
//!   (Confluent's `latest.cache.ttl.sec` default of `-1`: no expiry);
//! * [`SchemaRegistryClient::schema_by_id`] — `GET /schemas/ids/{id}` (`getSchemaById`),
//!   cached by id (ids are immutable).
//!
//! # Blocking
//!
//! Kafka's `Converter` is synchronous and so is [`super::super::Converter`], but it is
//! called from async tasks of the worker's multi-thread tokio runtime and the HTTP client
//! is async. On a cache miss only, the call runs with
//! `tokio::task::block_in_place(|| Handle::current().block_on(..))`: `block_in_place` tells
//! the runtime this worker thread is about to block so its other tasks move to another
//! worker, and `block_on` drives the request to completion on the same runtime (its I/O
//! driver). Cache hits — every record after the first of each schema — never block. With no
//! runtime, or on a current-thread runtime (where `block_in_place` would panic), a miss is a
//! [`ConnectError::Data`] saying so instead.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use connect_api::ConnectError;
use serde::Deserialize;
use serde_json::json;
use tokio::runtime::{Handle, RuntimeFlavor};

/// Confluent's content type for requests (`RestService.SCHEMA_REGISTRY_V1_JSON_WEIGHTED`).
pub const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";

/// How long one registry request may take (Confluent's `http.read.timeout.ms` default is
/// 60 s; a connector should fail rather than hang).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A schema as `GET /subjects/{s}/versions/latest` returns it (Confluent's
/// `SchemaMetadata`, the fields used here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaMetadata {
    /// The global schema id.
    pub id: i32,
    /// The version under the subject.
    pub version: i32,
    /// The schema text.
    pub schema: String,
}

#[derive(Deserialize)]
struct IdResponse {
    id: i32,
}

#[derive(Deserialize)]
struct SchemaResponse {
    schema: String,
}

#[derive(Deserialize)]
struct SubjectVersionResponse {
    id: i32,
    version: i32,
    schema: String,
}

/// The registry's error body: `{"error_code": 409, "message": "..."}` (Confluent's
/// `ErrorMessage`).
#[derive(Deserialize)]
struct ErrorBody {
    error_code: Option<i64>,
    message: Option<String>,
}

/// A caching registry client; see the module documentation.
#[derive(Debug)]
pub struct SchemaRegistryClient {
    base_url: String,
    http: reqwest::Client,
    ids_by_schema: HashMap<(String, String), i32>,
    versions_by_schema: HashMap<(String, String), i32>,
    schemas_by_id: HashMap<i32, String>,
    latest_by_subject: HashMap<String, SchemaMetadata>,
    requests: u64,
}

impl SchemaRegistryClient {
    /// A client of the registry at `base_url` (e.g. `http://127.0.0.1:8081`); a trailing
    /// `/` is ignored.
    pub fn new(base_url: &str) -> Result<Self, ConnectError> {
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| ConnectError::with_source("cannot create the HTTP client", e))?;
        Ok(Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            http,
            ids_by_schema: HashMap::new(),
            versions_by_schema: HashMap::new(),
            schemas_by_id: HashMap::new(),
            latest_by_subject: HashMap::new(),
            requests: 0,
        })
    }

    /// The registry URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// How many HTTP requests this client has sent (cache misses).
    pub fn request_count(&self) -> u64 {
        self.requests
    }

    /// Registers `schema` (Avro schema JSON text) under `subject` and returns its id
    /// (`CachedSchemaRegistryClient.register`): the registry returns the existing id when
    /// the schema is already registered there, and rejects an incompatible one (409).
    pub fn register(&mut self, subject: &str, schema: &str) -> Result<i32, ConnectError> {
        let key = (subject.to_owned(), schema.to_owned());
        if let Some(id) = self.ids_by_schema.get(&key) {
            return Ok(*id);
        }
        let url = format!("{}/subjects/{}/versions", self.base_url, encode(subject));
        let request = self.http.post(url).json(&json!({ "schema": schema }));
        let response: IdResponse = self.send(request, || {
            format!("Error registering Avro schema under subject '{subject}'")
        })?;
        self.ids_by_schema.insert(key, response.id);
        self.schemas_by_id
            .entry(response.id)
            .or_insert_with(|| schema.to_owned());
        Ok(response.id)
    }

    /// The id of `schema` if it is registered under `subject`
    /// (`CachedSchemaRegistryClient.getId`, `POST /subjects/{subject}`); an error when the
    /// subject or the schema is not registered.
    pub fn lookup(&mut self, subject: &str, schema: &str) -> Result<i32, ConnectError> {
        let key = (subject.to_owned(), schema.to_owned());
        if let Some(id) = self.ids_by_schema.get(&key) {
            return Ok(*id);
        }
        let url = format!("{}/subjects/{}", self.base_url, encode(subject));
        let request = self.http.post(url).json(&json!({ "schema": schema }));
        let response: SubjectVersionResponse = self.send(request, || {
            format!(
                "Error retrieving the id of the Avro schema under subject '{subject}' \
                 (auto.register.schemas=false: the schema must be registered beforehand)"
            )
        })?;
        self.ids_by_schema.insert(key, response.id);
        self.schemas_by_id
            .entry(response.id)
            .or_insert(response.schema);
        Ok(response.id)
    }

    /// The version of `schema` under `subject` (`CachedSchemaRegistryClient.getVersion`,
    /// `POST /subjects/{subject}`), cached; an error when it is not registered there.
    pub fn version(&mut self, subject: &str, schema: &str) -> Result<i32, ConnectError> {
        let key = (subject.to_owned(), schema.to_owned());
        if let Some(version) = self.versions_by_schema.get(&key) {
            return Ok(*version);
        }
        let url = format!("{}/subjects/{}", self.base_url, encode(subject));
        let request = self.http.post(url).json(&json!({ "schema": schema }));
        let response: SubjectVersionResponse = self.send(request, || {
            format!("Error retrieving the version of the Avro schema under subject '{subject}'")
        })?;
        self.ids_by_schema.insert(key.clone(), response.id);
        self.versions_by_schema.insert(key, response.version);
        Ok(response.version)
    }

    /// The latest version registered under `subject`
    /// (`CachedSchemaRegistryClient.getLatestSchemaMetadata`), cached without expiry.
    pub fn latest(&mut self, subject: &str) -> Result<SchemaMetadata, ConnectError> {
        if let Some(latest) = self.latest_by_subject.get(subject) {
            return Ok(latest.clone());
        }
        let url = format!(
            "{}/subjects/{}/versions/latest",
            self.base_url,
            encode(subject)
        );
        let request = self.http.get(url);
        let response: SubjectVersionResponse = self.send(request, || {
            format!("Error retrieving the latest Avro schema of subject '{subject}'")
        })?;
        let latest = SchemaMetadata {
            id: response.id,
            version: response.version,
            schema: response.schema,
        };
        self.schemas_by_id
            .entry(latest.id)
            .or_insert_with(|| latest.schema.clone());
        self.latest_by_subject
            .insert(subject.to_owned(), latest.clone());
        Ok(latest)
    }

    /// The schema text with global id `id` (`CachedSchemaRegistryClient.getSchemaById`).
    pub fn schema_by_id(&mut self, id: i32) -> Result<String, ConnectError> {
        if let Some(schema) = self.schemas_by_id.get(&id) {
            return Ok(schema.clone());
        }
        let url = format!("{}/schemas/ids/{id}", self.base_url);
        let request = self.http.get(url);
        let response: SchemaResponse = self.send(request, || {
            format!("Error retrieving Avro schema for id {id}")
        })?;
        self.schemas_by_id.insert(id, response.schema.clone());
        Ok(response.schema)
    }

    /// Sends `request` (blocking this thread, see the module documentation) and parses the
    /// JSON answer; any failure is a data error starting with `context()`.
    fn send<T: serde::de::DeserializeOwned>(
        &mut self,
        request: reqwest::RequestBuilder,
        context: impl Fn() -> String,
    ) -> Result<T, ConnectError> {
        self.requests += 1;
        let base_url = self.base_url.clone();
        let request = request
            .header(reqwest::header::CONTENT_TYPE, CONTENT_TYPE)
            .header(reqwest::header::ACCEPT, CONTENT_TYPE);
        let outcome = block_on(async move {
            let response = request
                .send()
                .await
                .map_err(|e| format!("schema registry {base_url} is unreachable: {e}"))?;
            let status = response.status();
            let body = response
                .bytes()
                .await
                .map_err(|e| format!("cannot read the answer of {base_url}: {e}"))?;
            if !status.is_success() {
                return Err(registry_error(status, &body));
            }
            serde_json::from_slice::<T>(&body).map_err(|e| {
                format!(
                    "unexpected answer of {base_url}: {e}: {}",
                    String::from_utf8_lossy(&body)
                )
            })
        })
        .map_err(|e| ConnectError::data(format!("{}: {e}", context())))?;
        outcome.map_err(|e| ConnectError::data(format!("{}: {e}", context())))
    }
}

/// The message of a failed request: the registry's `message` and `error_code` when the
/// body is Confluent's error JSON, the raw body otherwise.
fn registry_error(status: reqwest::StatusCode, body: &[u8]) -> String {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(ErrorBody {
            error_code,
            message: Some(message),
        }) => {
            let code = error_code.map_or_else(|| status.as_u16().to_string(), |c| c.to_string());
            format!("{message}; error code: {code} (HTTP {status})")
        }
        _ => format!(
            "HTTP {status}: {}",
            String::from_utf8_lossy(body)
                .chars()
                .take(500)
                .collect::<String>()
        ),
    }
}

/// Percent-encodes a subject for a URL path segment (subjects may hold `.`, `-`, `:` and,
/// with custom strategies, anything else).
fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Runs `future` to completion from synchronous code on the current multi-thread tokio
/// runtime; see the module documentation for why.
fn block_on<F: Future>(future: F) -> Result<F::Output, String> {
    let handle = Handle::try_current().map_err(|_| {
        "no tokio runtime: the Avro converter's schema registry client must run inside the \
         worker's multi-thread tokio runtime"
            .to_owned()
    })?;
    if handle.runtime_flavor() != RuntimeFlavor::MultiThread {
        return Err(
            "the Avro converter's schema registry client needs a multi-thread tokio runtime \
             (it blocks a worker thread with block_in_place on a cache miss)"
                .to_owned(),
        );
    }
    Ok(tokio::task::block_in_place(|| handle.block_on(future)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_percent_encoded() {
        assert_eq!(encode("orders-value"), "orders-value");
        assert_eq!(encode("a b/c:d"), "a%20b%2Fc%3Ad");
    }

    #[test]
    fn registry_errors_carry_code_and_message() {
        let message = registry_error(
            reqwest::StatusCode::CONFLICT,
            br#"{"error_code":409,"message":"Schema being registered is incompatible"}"#,
        );
        assert!(message.contains("incompatible"), "{message}");
        assert!(message.contains("error code: 409"), "{message}");
        let message = registry_error(reqwest::StatusCode::BAD_GATEWAY, b"<html>");
        assert!(
            message.contains("502") && message.contains("<html>"),
            "{message}"
        );
    }

    #[test]
    fn a_cache_miss_without_a_runtime_is_an_error() -> Result<(), ConnectError> {
        let mut client = SchemaRegistryClient::new("http://127.0.0.1:1")?;
        let error = client.schema_by_id(1).err().map(|e| e.to_string());
        assert!(
            error
                .as_deref()
                .is_some_and(|e| e.contains("no tokio runtime")),
            "{error:?}"
        );
        Ok(())
    }

    #[tokio::test]
    async fn a_cache_miss_on_a_current_thread_runtime_is_an_error() -> Result<(), ConnectError> {
        let mut client = SchemaRegistryClient::new("http://127.0.0.1:1")?;
        let error = client.latest("s").err().map(|e| e.to_string());
        assert!(
            error.as_deref().is_some_and(|e| e.contains("multi-thread")),
            "{error:?}"
        );
        Ok(())
    }
}
