//! The REST API driven with `oneshot` against [`InMemoryHerder`], a small but real
//! herder that keeps connectors in a map.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Body;
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use connect_api::config::{ConfigInfo, ConfigInfos, ConfigKeyInfo, ConfigValueInfo};
use futures::future::BoxFuture;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use super::{router, router_with_timeout};
use crate::herder::{
    ActiveTopics, ConnectorConfig, ConnectorInfo, ConnectorOffset, ConnectorOffsets,
    ConnectorState, ConnectorStateInfo, ConnectorTaskId, ConnectorType, Created, HealthStatus,
    Herder, HerderError, HerderResult, LoggerLevel, Message, PluginInfo, PluginType,
    RestartRequest, ServerInfo, TargetState, TaskInfo, TaskState, WorkerHealth,
};

const WORKER_ID: &str = "127.0.0.1:8083";

/// The config key that makes the in-memory herder report a task as failed.
const FAIL_TASK: &str = "test.fail.task";

struct Entry {
    config: ConnectorConfig,
    state: TargetState,
    offsets: Vec<ConnectorOffset>,
}

impl Entry {
    fn connector_type(&self) -> ConnectorType {
        match self.config.get("connector.class") {
            Some(class) if class.contains("Sink") => ConnectorType::Sink,
            Some(_) => ConnectorType::Source,
            None => ConnectorType::Unknown,
        }
    }

    fn task_count(&self) -> u32 {
        if self.state == TargetState::Stopped {
            return 0;
        }
        self.config
            .get("tasks.max")
            .and_then(|n| n.parse().ok())
            .unwrap_or(1)
    }

    fn info(&self, name: &str) -> ConnectorInfo {
        ConnectorInfo {
            name: name.to_owned(),
            config: self.config.clone(),
            tasks: (0..self.task_count())
                .map(|t| ConnectorTaskId::new(name, t))
                .collect(),
            connector_type: self.connector_type(),
        }
    }

    fn task_state(&self, task: u32) -> TaskState {
        let failed = self.config.get(FAIL_TASK) == Some(&task.to_string());
        TaskState {
            id: task,
            state: if failed {
                "FAILED".to_owned()
            } else {
                state_name(self.state).to_owned()
            },
            worker_id: WORKER_ID.to_owned(),
            trace: if failed {
                "java.lang.RuntimeException: boom".to_owned()
            } else {
                String::new()
            },
        }
    }

    fn status(&self, name: &str) -> ConnectorStateInfo {
        ConnectorStateInfo {
            name: name.to_owned(),
            connector: ConnectorState {
                state: state_name(self.state).to_owned(),
                worker_id: WORKER_ID.to_owned(),
                trace: String::new(),
            },
            tasks: (0..self.task_count()).map(|t| self.task_state(t)).collect(),
            connector_type: self.connector_type(),
        }
    }
}

fn state_name(state: TargetState) -> &'static str {
    match state {
        TargetState::Running => "RUNNING",
        TargetState::Paused => "PAUSED",
        TargetState::Stopped => "STOPPED",
    }
}

/// The herder's test double: connectors, offsets and logger levels in maps.
struct InMemoryHerder {
    connectors: Mutex<BTreeMap<String, Entry>>,
    loggers: Mutex<BTreeMap<String, LoggerLevel>>,
    topic_tracking: bool,
    health: HealthStatus,
    /// `server_info` never completes (to test the request timeout).
    stalled: bool,
}

impl Default for InMemoryHerder {
    fn default() -> Self {
        Self {
            connectors: Mutex::default(),
            loggers: Mutex::new(BTreeMap::from([(
                "root".to_owned(),
                LoggerLevel {
                    level: "INFO".to_owned(),
                    last_modified: None,
                },
            )])),
            topic_tracking: true,
            health: HealthStatus::Healthy,
            stalled: false,
        }
    }
}

fn ready<'a, T: Send + 'a>(value: T) -> BoxFuture<'a, T> {
    Box::pin(std::future::ready(value))
}

impl InMemoryHerder {
    fn connectors(&self) -> MutexGuard<'_, BTreeMap<String, Entry>> {
        self.connectors.lock().expect("connector map poisoned")
    }

    fn loggers(&self) -> MutexGuard<'_, BTreeMap<String, LoggerLevel>> {
        self.loggers.lock().expect("logger map poisoned")
    }

    /// Runs `f` on connector `name`, or fails with Kafka's not-found error.
    fn with<T>(
        &self,
        name: &str,
        f: impl FnOnce(&mut Entry) -> HerderResult<T>,
    ) -> HerderResult<T> {
        let mut connectors = self.connectors();
        let entry = connectors
            .get_mut(name)
            .ok_or_else(|| HerderError::connector_not_found(name))?;
        f(entry)
    }

    fn set_level(&self, namespace: &str, level: &str) -> Vec<String> {
        let mut loggers = self.loggers();
        loggers.insert(
            namespace.to_owned(),
            LoggerLevel {
                level: level.to_owned(),
                last_modified: Some(1),
            },
        );
        let mut affected: Vec<String> = loggers
            .keys()
            .filter(|k| k.starts_with(namespace))
            .cloned()
            .collect();
        for level in loggers.values_mut() {
            level.last_modified = level.last_modified.or(Some(1));
        }
        affected.sort();
        affected
    }
}

fn require_stopped(name: &str, entry: &Entry) -> HerderResult<()> {
    if entry.state == TargetState::Stopped {
        return Ok(());
    }
    Err(HerderError::BadRequest(format!(
        "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/{name}/stop' endpoint"
    )))
}

fn file_key() -> ConfigKeyInfo {
    ConfigKeyInfo {
        name: "file".to_owned(),
        config_type: "STRING".to_owned(),
        required: true,
        default_value: None,
        importance: "HIGH".to_owned(),
        documentation: Some("Source filename.".to_owned()),
        group: None,
        width: "NONE".to_owned(),
        display_name: "file".to_owned(),
        dependents: vec![],
        order: -1,
    }
}

impl Herder for InMemoryHerder {
    fn server_info(&self) -> BoxFuture<'_, HerderResult<ServerInfo>> {
        if self.stalled {
            return Box::pin(futures::future::pending());
        }
        ready(Ok(ServerInfo {
            version: "0.1.0".to_owned(),
            commit: "abc123".to_owned(),
            kafka_cluster_id: "cluster-1".to_owned(),
        }))
    }

    fn health(&self) -> BoxFuture<'_, WorkerHealth> {
        ready(match self.health {
            HealthStatus::Healthy => WorkerHealth::healthy(),
            status => WorkerHealth {
                status,
                message: "Worker is still starting up.".to_owned(),
            },
        })
    }

    fn connectors(&self) -> BoxFuture<'_, HerderResult<Vec<String>>> {
        ready(Ok(self.connectors().keys().cloned().collect()))
    }

    fn connector_info(&self, name: String) -> BoxFuture<'_, HerderResult<ConnectorInfo>> {
        ready(self.with(&name, |e| Ok(e.info(&name))))
    }

    fn connector_config(&self, name: String) -> BoxFuture<'_, HerderResult<ConnectorConfig>> {
        ready(self.with(&name, |e| Ok(e.config.clone())))
    }

    fn connector_status(&self, name: String) -> BoxFuture<'_, HerderResult<ConnectorStateInfo>> {
        ready(self.with(&name, |e| Ok(e.status(&name))))
    }

    fn task_configs(&self, name: String) -> BoxFuture<'_, HerderResult<Vec<TaskInfo>>> {
        ready(self.with(&name, |e| {
            Ok((0..e.task_count())
                .map(|t| TaskInfo {
                    id: ConnectorTaskId::new(name.clone(), t),
                    config: e.config.clone(),
                })
                .collect())
        }))
    }

    fn task_status(&self, id: ConnectorTaskId) -> BoxFuture<'_, HerderResult<TaskState>> {
        ready(self.with(&id.connector, |e| {
            if id.task >= e.task_count() {
                return Err(HerderError::task_not_found(&id));
            }
            Ok(e.task_state(id.task))
        }))
    }

    fn put_connector_config(
        &self,
        name: String,
        config: ConnectorConfig,
        initial_state: Option<TargetState>,
        allow_replace: bool,
    ) -> BoxFuture<'_, HerderResult<Created<ConnectorInfo>>> {
        ready((|| {
            if !config.contains_key("connector.class") {
                return Err(HerderError::BadRequest(
                    "Connector configuration is invalid and contains the following 1 error(s):\nMissing required configuration \"connector.class\" which has no default value.\n".to_owned(),
                ));
            }
            let mut connectors = self.connectors();
            if let Some(entry) = connectors.get_mut(&name) {
                if !allow_replace {
                    return Err(HerderError::connector_already_exists(&name));
                }
                entry.config = config;
                return Ok(Created {
                    created: false,
                    result: entry.info(&name),
                });
            }
            let entry = Entry {
                config,
                state: initial_state.unwrap_or(TargetState::Running),
                offsets: vec![],
            };
            let result = entry.info(&name);
            connectors.insert(name, entry);
            Ok(Created {
                created: true,
                result,
            })
        })())
    }

    fn patch_connector_config(
        &self,
        name: String,
        patch: BTreeMap<String, Option<String>>,
    ) -> BoxFuture<'_, HerderResult<ConnectorInfo>> {
        ready(self.with(&name, |e| {
            for (key, value) in patch {
                match value {
                    Some(value) => e.config.insert(key, value),
                    None => e.config.remove(&key),
                };
            }
            Ok(e.info(&name))
        }))
    }

    fn restart_connector(&self, name: String) -> BoxFuture<'_, HerderResult<()>> {
        ready(self.with(&name, |_| Ok(())))
    }

    fn restart_connector_and_tasks(
        &self,
        request: RestartRequest,
    ) -> BoxFuture<'_, HerderResult<ConnectorStateInfo>> {
        ready(self.with(&request.connector, |e| {
            let mut status = e.status(&request.connector);
            if !request.only_failed {
                status.connector.state = "RESTARTING".to_owned();
            }
            if request.include_tasks {
                for task in &mut status.tasks {
                    if !request.only_failed || task.state == "FAILED" {
                        task.state = "RESTARTING".to_owned();
                    }
                }
            }
            Ok(status)
        }))
    }

    fn restart_task(&self, id: ConnectorTaskId) -> BoxFuture<'_, HerderResult<()>> {
        ready(self.with(&id.connector, |e| {
            if id.task >= e.task_count() {
                return Err(HerderError::task_not_found(&id));
            }
            Ok(())
        }))
    }

    fn pause_connector(&self, name: String) -> BoxFuture<'_, HerderResult<()>> {
        ready(self.with(&name, |e| {
            e.state = TargetState::Paused;
            Ok(())
        }))
    }

    fn resume_connector(&self, name: String) -> BoxFuture<'_, HerderResult<()>> {
        ready(self.with(&name, |e| {
            e.state = TargetState::Running;
            Ok(())
        }))
    }

    fn stop_connector(&self, name: String) -> BoxFuture<'_, HerderResult<()>> {
        ready(self.with(&name, |e| {
            e.state = TargetState::Stopped;
            Ok(())
        }))
    }

    fn delete_connector(&self, name: String) -> BoxFuture<'_, HerderResult<()>> {
        ready(match self.connectors().remove(&name) {
            Some(_) => Ok(()),
            None => Err(HerderError::connector_not_found(&name)),
        })
    }

    fn connector_offsets(&self, name: String) -> BoxFuture<'_, HerderResult<ConnectorOffsets>> {
        ready(self.with(&name, |e| {
            Ok(ConnectorOffsets {
                offsets: e.offsets.clone(),
            })
        }))
    }

    fn alter_connector_offsets(
        &self,
        name: String,
        offsets: ConnectorOffsets,
    ) -> BoxFuture<'_, HerderResult<Message>> {
        ready(self.with(&name, |e| {
            require_stopped(&name, e)?;
            for new in offsets.offsets {
                e.offsets.retain(|o| o.partition != new.partition);
                if new.offset.is_some() {
                    e.offsets.push(new);
                }
            }
            Ok(Message::new(
                "The offsets for this connector have been altered successfully",
            ))
        }))
    }

    fn reset_connector_offsets(&self, name: String) -> BoxFuture<'_, HerderResult<Message>> {
        ready(self.with(&name, |e| {
            require_stopped(&name, e)?;
            e.offsets.clear();
            Ok(Message::new(
                "The offsets for this connector have been reset successfully",
            ))
        }))
    }

    fn connector_active_topics(&self, name: String) -> BoxFuture<'_, HerderResult<ActiveTopics>> {
        if !self.topic_tracking {
            return ready(Err(HerderError::topic_tracking_disabled()));
        }
        ready(self.with(&name, |e| {
            let mut topics: Vec<String> = e
                .config
                .get("topics")
                .map(|t| t.split(',').map(|s| s.trim().to_owned()).collect())
                .unwrap_or_default();
            topics.sort();
            Ok(ActiveTopics { topics })
        }))
    }

    fn reset_connector_active_topics(&self, name: String) -> BoxFuture<'_, HerderResult<()>> {
        if !self.topic_tracking {
            return ready(Err(HerderError::topic_tracking_reset_disabled()));
        }
        ready(self.with(&name, |_| Ok(())))
    }

    fn connector_plugins(
        &self,
        connectors_only: bool,
    ) -> BoxFuture<'_, HerderResult<Vec<PluginInfo>>> {
        let plugins = [
            ("FileStreamSinkConnector", PluginType::Sink),
            ("FileStreamSourceConnector", PluginType::Source),
            ("JsonConverter", PluginType::Converter),
        ];
        ready(Ok(plugins
            .into_iter()
            .filter(|(_, t)| !connectors_only || t.is_connector())
            .map(|(class, plugin_type)| PluginInfo {
                class: class.to_owned(),
                plugin_type,
                version: "0.1.0".to_owned(),
            })
            .collect()))
    }

    fn plugin_config(&self, plugin: String) -> BoxFuture<'_, HerderResult<Vec<ConfigKeyInfo>>> {
        ready(match plugin.as_str() {
            "FileStreamSource" | "FileStreamSourceConnector" => Ok(vec![file_key()]),
            _ => Err(HerderError::NotFound(format!("Unknown plugin {plugin}."))),
        })
    }

    fn validate_connector_config(
        &self,
        config: ConnectorConfig,
    ) -> BoxFuture<'_, HerderResult<ConfigInfos>> {
        let file = config.get("file").cloned();
        let errors = if file.is_none() {
            vec!["Missing required configuration \"file\" which has no default value.".to_owned()]
        } else {
            vec![]
        };
        let class = config.get("connector.class").cloned().unwrap_or_default();
        let configs = vec![ConfigInfo {
            definition: Some(file_key()),
            value: Some(ConfigValueInfo {
                name: "file".to_owned(),
                value: file,
                recommended_values: vec![],
                errors,
                visible: true,
            }),
        }];
        ready(Ok(ConfigInfos::new(
            class,
            vec!["Common".to_owned()],
            configs,
        )))
    }

    fn logger_levels(&self) -> BoxFuture<'_, HerderResult<BTreeMap<String, LoggerLevel>>> {
        ready(Ok(self.loggers().clone()))
    }

    fn logger_level(&self, logger: String) -> BoxFuture<'_, HerderResult<LoggerLevel>> {
        ready(
            self.loggers()
                .get(&logger)
                .cloned()
                .ok_or_else(|| HerderError::NotFound(format!("Logger {logger} not found."))),
        )
    }

    fn set_worker_logger_level(
        &self,
        namespace: String,
        level: String,
    ) -> BoxFuture<'_, HerderResult<Vec<String>>> {
        ready(Ok(self.set_level(&namespace, &level)))
    }

    fn set_cluster_logger_level(
        &self,
        namespace: String,
        level: String,
    ) -> BoxFuture<'_, HerderResult<()>> {
        self.set_level(&namespace, &level);
        ready(Ok(()))
    }
}

// ---------------------------------------------------------------------------------------
// Helpers

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl Reply {
    /// Asserts a Kafka-style error body.
    fn assert_error(&self, status: StatusCode, message: &str) {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert_eq!(
            self.body,
            json!({"error_code": status.as_u16(), "message": message})
        );
    }

    fn assert_error_status(&self, status: StatusCode) {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert_eq!(self.body["error_code"], json!(status.as_u16()));
        assert!(self.body["message"].is_string(), "body: {}", self.body);
    }
}

fn app() -> Router {
    router(Arc::new(InMemoryHerder::default()))
}

async fn raw(
    app: &Router,
    method: &str,
    uri: &str,
    content_type: Option<&str>,
    body: &str,
) -> Reply {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(content_type) = content_type {
        request = request.header(CONTENT_TYPE, content_type);
    }
    let request = request
        .body(Body::from(body.to_owned()))
        .expect("valid request");
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).expect("every response body is JSON")
    };
    Reply {
        status,
        headers,
        body,
    }
}

async fn send(app: &Router, method: &str, uri: &str, body: Option<Value>) -> Reply {
    match body {
        Some(body) => {
            raw(
                app,
                method,
                uri,
                Some("application/json"),
                &body.to_string(),
            )
            .await
        }
        None => raw(app, method, uri, None, "").await,
    }
}

async fn create(app: &Router, name: &str, config: Value) -> Reply {
    let reply = send(
        app,
        "POST",
        "/connectors",
        Some(json!({"name": name, "config": config})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "body: {}", reply.body);
    reply
}

fn source_config() -> Value {
    json!({"connector.class": "FileStreamSource", "tasks.max": "2", "file": "/tmp/in", "topic": "t"})
}

// ---------------------------------------------------------------------------------------
// Root and health

#[tokio::test]
async fn root_returns_server_info() {
    let reply = send(&app(), "GET", "/", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.body,
        json!({"version": "0.1.0", "commit": "abc123", "kafka_cluster_id": "cluster-1"})
    );
}

#[tokio::test]
async fn health_maps_the_worker_state_to_the_status_code() {
    let reply = send(&app(), "GET", "/health", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.body,
        json!({"status": "healthy", "message": "Worker has completed startup and is ready to handle requests."})
    );
    for (health, status, name) in [
        (
            HealthStatus::Starting,
            StatusCode::SERVICE_UNAVAILABLE,
            "starting",
        ),
        (
            HealthStatus::Unhealthy,
            StatusCode::INTERNAL_SERVER_ERROR,
            "unhealthy",
        ),
    ] {
        let herder = InMemoryHerder {
            health,
            ..InMemoryHerder::default()
        };
        let reply = send(&router(Arc::new(herder)), "GET", "/health", None).await;
        assert_eq!(reply.status, status);
        assert_eq!(reply.body["status"], json!(name));
    }
}

#[tokio::test]
async fn a_herder_that_does_not_answer_times_out_with_500() {
    let herder = InMemoryHerder {
        stalled: true,
        ..InMemoryHerder::default()
    };
    let app = router_with_timeout(Arc::new(herder), Duration::from_millis(10));
    send(&app, "GET", "/", None)
        .await
        .assert_error(StatusCode::INTERNAL_SERVER_ERROR, "Request timed out");
}

#[tokio::test]
async fn unknown_paths_and_methods_get_json_errors() {
    let app = app();
    send(&app, "GET", "/nope", None)
        .await
        .assert_error(StatusCode::NOT_FOUND, "HTTP 404 Not Found");
    send(&app, "DELETE", "/connectors", None)
        .await
        .assert_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "HTTP 405 Method Not Allowed",
        );
}

// ---------------------------------------------------------------------------------------
// Create, read, list

#[tokio::test]
async fn create_returns_201_location_and_connector_info() {
    let app = app();
    let reply = create(&app, "local-file", source_config()).await;
    assert_eq!(reply.headers[LOCATION], "/connectors/local-file");
    assert_eq!(
        reply.body,
        json!({
            "name": "local-file",
            "config": {"connector.class": "FileStreamSource", "tasks.max": "2", "file": "/tmp/in",
                       "topic": "t", "name": "local-file"},
            "tasks": [{"connector": "local-file", "task": 0}, {"connector": "local-file", "task": 1}],
            "type": "source"
        })
    );
    let info = send(&app, "GET", "/connectors/local-file", None).await;
    assert_eq!(info.status, StatusCode::OK);
    assert_eq!(info.body, reply.body);
    let config = send(&app, "GET", "/connectors/local-file/config", None).await;
    assert_eq!(config.status, StatusCode::OK);
    assert_eq!(config.body, reply.body["config"]);
}

#[tokio::test]
async fn create_trims_the_name_and_encodes_the_location() {
    let app = app();
    let reply = create(&app, "  my conn  ", source_config()).await;
    assert_eq!(reply.headers[LOCATION], "/connectors/my%20conn");
    assert_eq!(reply.body["name"], json!("my conn"));
    assert_eq!(reply.body["config"]["name"], json!("my conn"));
    let info = send(&app, "GET", "/connectors/my%20conn", None).await;
    assert_eq!(info.status, StatusCode::OK);
}

#[tokio::test]
async fn create_coerces_scalar_config_values_to_strings_like_jackson() {
    let app = app();
    let reply = create(
        &app,
        "c",
        json!({"connector.class": "FileStreamSource", "tasks.max": 3, "batch": 1.5, "flag": true}),
    )
    .await;
    assert_eq!(reply.body["config"]["tasks.max"], json!("3"));
    assert_eq!(reply.body["config"]["batch"], json!("1.5"));
    assert_eq!(reply.body["config"]["flag"], json!("true"));
    assert_eq!(reply.body["tasks"].as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn create_twice_is_409() {
    let app = app();
    create(&app, "dup", source_config()).await;
    send(
        &app,
        "POST",
        "/connectors",
        Some(json!({"name": "dup", "config": source_config()})),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "Connector dup already exists");
}

#[tokio::test]
async fn create_with_a_different_config_name_is_400() {
    send(
        &app(),
        "POST",
        "/connectors",
        Some(json!({"name": "a", "config": {"name": "b", "connector.class": "X"}})),
    )
    .await
    .assert_error(
        StatusCode::BAD_REQUEST,
        "Connector name configuration (b) doesn't match connector name in the URL (a)",
    );
}

#[tokio::test]
async fn create_with_an_initial_state() {
    let app = app();
    let reply = send(
        &app,
        "POST",
        "/connectors",
        Some(json!({"name": "p", "config": source_config(), "initial_state": "paused"})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let status = send(&app, "GET", "/connectors/p/status", None).await;
    assert_eq!(status.body["connector"]["state"], json!("PAUSED"));

    send(
        &app,
        "POST",
        "/connectors",
        Some(json!({"name": "q", "config": source_config(), "initial_state": "SLEEPING"})),
    )
    .await
    .assert_error(
        StatusCode::BAD_REQUEST,
        "Invalid initial state 'SLEEPING'; expected one of RUNNING, PAUSED, STOPPED",
    );
}

#[tokio::test]
async fn create_without_name_or_config_is_400() {
    let app = app();
    send(
        &app,
        "POST",
        "/connectors",
        Some(json!({"config": source_config()})),
    )
    .await
    .assert_error(
        StatusCode::BAD_REQUEST,
        "Connector name must be specified and non-empty",
    );
    send(
        &app,
        "POST",
        "/connectors",
        Some(json!({"name": "   ", "config": source_config()})),
    )
    .await
    .assert_error(
        StatusCode::BAD_REQUEST,
        "Connector name must be specified and non-empty",
    );
    send(&app, "POST", "/connectors", Some(json!({"name": "x"})))
        .await
        .assert_error(
            StatusCode::BAD_REQUEST,
            "Connector config must be specified",
        );
}

#[tokio::test]
async fn herder_validation_errors_are_400() {
    let reply = send(
        &app(),
        "POST",
        "/connectors",
        Some(json!({"name": "x", "config": {"tasks.max": "1"}})),
    )
    .await;
    reply.assert_error_status(StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn malformed_bodies_are_4xx_json_errors() {
    let app = app();
    let json = Some("application/json");
    // Invalid JSON, empty body, wrong shapes, unknown fields, null config values.
    for body in [
        "{not json",
        "",
        "[1, 2]",
        r#"{"name": 5, "config": {}}"#,
        r#"{"name": "x", "config": {"a": {"nested": 1}}}"#,
        r#"{"name": "x", "config": {"a": null}}"#,
        r#"{"name": "x", "config": {}, "bogus": 1}"#,
    ] {
        raw(&app, "POST", "/connectors", json, body)
            .await
            .assert_error_status(StatusCode::BAD_REQUEST);
    }
    raw(&app, "PUT", "/connectors/x/config", json, "{")
        .await
        .assert_error_status(StatusCode::BAD_REQUEST);
    // Jersey rejects bodies that are not declared as JSON.
    raw(
        &app,
        "POST",
        "/connectors",
        None,
        r#"{"name": "x", "config": {}}"#,
    )
    .await
    .assert_error(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "HTTP 415 Unsupported Media Type",
    );
    assert_eq!(send(&app, "GET", "/connectors", None).await.body, json!([]));
}

#[tokio::test]
async fn unknown_connectors_are_404_everywhere() {
    let app = app();
    let not_found = "Connector ghost not found";
    for (method, uri) in [
        ("GET", "/connectors/ghost"),
        ("GET", "/connectors/ghost/config"),
        ("GET", "/connectors/ghost/status"),
        ("GET", "/connectors/ghost/tasks"),
        ("GET", "/connectors/ghost/tasks-config"),
        ("GET", "/connectors/ghost/tasks/0/status"),
        ("POST", "/connectors/ghost/tasks/0/restart"),
        ("POST", "/connectors/ghost/restart"),
        ("POST", "/connectors/ghost/restart?includeTasks=true"),
        ("PUT", "/connectors/ghost/pause"),
        ("PUT", "/connectors/ghost/resume"),
        ("PUT", "/connectors/ghost/stop"),
        ("DELETE", "/connectors/ghost"),
        ("GET", "/connectors/ghost/offsets"),
        ("DELETE", "/connectors/ghost/offsets"),
        ("GET", "/connectors/ghost/topics"),
        ("PUT", "/connectors/ghost/topics/reset"),
    ] {
        let reply = send(&app, method, uri, None).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method} {uri}");
        reply.assert_error(StatusCode::NOT_FOUND, not_found);
    }
    send(
        &app,
        "PATCH",
        "/connectors/ghost/config",
        Some(json!({"a": "b"})),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, not_found);
}

#[tokio::test]
async fn list_connectors_with_and_without_expand() {
    let app = app();
    create(&app, "a", source_config()).await;
    create(
        &app,
        "b",
        json!({"connector.class": "FileStreamSink", "topics": "t"}),
    )
    .await;
    let names = send(&app, "GET", "/connectors", None).await;
    assert_eq!(names.status, StatusCode::OK);
    assert_eq!(names.body, json!(["a", "b"]));

    let expanded = send(&app, "GET", "/connectors?expand=status&expand=info", None).await;
    assert_eq!(expanded.status, StatusCode::OK);
    assert_eq!(expanded.body["b"]["status"]["type"], json!("sink"));
    assert_eq!(
        expanded.body["b"]["status"]["connector"],
        json!({"state": "RUNNING", "worker_id": WORKER_ID})
    );
    assert_eq!(
        expanded.body["a"]["info"]["tasks"].as_array().map(Vec::len),
        Some(2)
    );

    let only_status = send(&app, "GET", "/connectors?expand=status&expand=bogus", None).await;
    assert!(only_status.body["a"].get("info").is_none());
    assert!(only_status.body["a"].get("status").is_some());

    let unknown = send(&app, "GET", "/connectors?expand=bogus", None).await;
    assert_eq!(unknown.body, json!({"a": {}, "b": {}}));
}

// ---------------------------------------------------------------------------------------
// Config updates

#[tokio::test]
async fn put_config_creates_with_201_then_updates_with_200() {
    let app = app();
    let created = send(&app, "PUT", "/connectors/c/config", Some(source_config())).await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(created.headers[LOCATION], "/connectors/c");
    assert_eq!(created.body["config"]["name"], json!("c"));

    let mut config = source_config();
    config["tasks.max"] = json!("1");
    config["name"] = json!("c");
    let updated = send(&app, "PUT", "/connectors/c/config", Some(config)).await;
    assert_eq!(updated.status, StatusCode::OK);
    assert!(updated.headers.get(LOCATION).is_none());
    assert_eq!(
        updated.body["tasks"],
        json!([{"connector": "c", "task": 0}])
    );
}

#[tokio::test]
async fn put_config_with_another_name_is_400() {
    send(
        &app(),
        "PUT",
        "/connectors/c/config?forward=true",
        Some(json!({"name": "d", "connector.class": "X"})),
    )
    .await
    .assert_error(
        StatusCode::BAD_REQUEST,
        "Connector name configuration (d) doesn't match connector name in the URL (c)",
    );
}

#[tokio::test]
async fn patch_config_sets_and_removes_keys() {
    let app = app();
    create(&app, "c", source_config()).await;
    let patched = send(
        &app,
        "PATCH",
        "/connectors/c/config",
        Some(json!({"topic": null, "file": "/tmp/other", "tasks.max": 1})),
    )
    .await;
    assert_eq!(patched.status, StatusCode::OK);
    assert_eq!(
        patched.body["config"],
        json!({"connector.class": "FileStreamSource", "tasks.max": "1", "file": "/tmp/other", "name": "c"})
    );
    send(
        &app,
        "PATCH",
        "/connectors/c/config",
        Some(json!({"name": "other"})),
    )
    .await
    .assert_error(
        StatusCode::BAD_REQUEST,
        "Connector name configuration (other) doesn't match connector name in the URL (c)",
    );
}

// ---------------------------------------------------------------------------------------
// Status, tasks, lifecycle

#[tokio::test]
async fn status_omits_empty_traces() {
    let app = app();
    let mut config = source_config();
    config[FAIL_TASK] = json!("1");
    create(&app, "c", config).await;
    let status = send(&app, "GET", "/connectors/c/status", None).await;
    assert_eq!(status.status, StatusCode::OK);
    assert_eq!(
        status.body,
        json!({
            "name": "c",
            "connector": {"state": "RUNNING", "worker_id": WORKER_ID},
            "tasks": [
                {"id": 0, "state": "RUNNING", "worker_id": WORKER_ID},
                {"id": 1, "state": "FAILED", "worker_id": WORKER_ID,
                 "trace": "java.lang.RuntimeException: boom"}
            ],
            "type": "source"
        })
    );
    let task = send(&app, "GET", "/connectors/c/tasks/1/status", None).await;
    assert_eq!(task.status, StatusCode::OK);
    assert_eq!(task.body, status.body["tasks"][1]);
}

#[tokio::test]
async fn task_configs_and_deprecated_tasks_config() {
    let app = app();
    create(
        &app,
        "c",
        json!({"connector.class": "FileStreamSource", "tasks.max": "2"}),
    )
    .await;
    let config = json!({"connector.class": "FileStreamSource", "tasks.max": "2", "name": "c"});
    let tasks = send(&app, "GET", "/connectors/c/tasks", None).await;
    assert_eq!(tasks.status, StatusCode::OK);
    assert_eq!(
        tasks.body,
        json!([{"id": {"connector": "c", "task": 0}, "config": config},
               {"id": {"connector": "c", "task": 1}, "config": config}])
    );
    let by_id = send(&app, "GET", "/connectors/c/tasks-config", None).await;
    assert_eq!(by_id.status, StatusCode::OK);
    assert_eq!(by_id.body, json!({"c-0": config, "c-1": config}));
}

#[tokio::test]
async fn task_ids_that_are_not_tasks_are_404() {
    let app = app();
    create(&app, "c", source_config()).await;
    send(&app, "GET", "/connectors/c/tasks/7/status", None)
        .await
        .assert_error(StatusCode::NOT_FOUND, "Task c-7 not found");
    send(&app, "GET", "/connectors/c/tasks/abc/status", None)
        .await
        .assert_error(StatusCode::NOT_FOUND, "Task c-abc not found");
    send(&app, "POST", "/connectors/c/tasks/-1/restart", None)
        .await
        .assert_error(StatusCode::NOT_FOUND, "Task c--1 not found");
    let ok = send(&app, "POST", "/connectors/c/tasks/1/restart", None).await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT);
    assert_eq!(ok.body, Value::Null);
}

#[tokio::test]
async fn restart_is_204_alone_and_202_with_tasks_or_only_failed() {
    let app = app();
    let mut config = source_config();
    config[FAIL_TASK] = json!("0");
    create(&app, "c", config).await;

    for uri in [
        "/connectors/c/restart",
        "/connectors/c/restart?includeTasks=false&onlyFailed=false",
        "/connectors/c/restart?includeTasks=yes",
    ] {
        let reply = send(&app, "POST", uri, None).await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{uri}");
        assert_eq!(reply.body, Value::Null);
    }

    let all = send(
        &app,
        "POST",
        "/connectors/c/restart?includeTasks=TRUE",
        None,
    )
    .await;
    assert_eq!(all.status, StatusCode::ACCEPTED);
    assert_eq!(all.body["connector"]["state"], json!("RESTARTING"));
    assert_eq!(all.body["tasks"][0]["state"], json!("RESTARTING"));
    assert_eq!(all.body["tasks"][1]["state"], json!("RESTARTING"));

    let failed = send(
        &app,
        "POST",
        "/connectors/c/restart?includeTasks=true&onlyFailed=true",
        None,
    )
    .await;
    assert_eq!(failed.status, StatusCode::ACCEPTED);
    assert_eq!(failed.body["connector"]["state"], json!("RUNNING"));
    assert_eq!(failed.body["tasks"][0]["state"], json!("RESTARTING"));
    assert_eq!(failed.body["tasks"][1]["state"], json!("RUNNING"));

    let connector_only = send(&app, "POST", "/connectors/c/restart?onlyFailed=true", None).await;
    assert_eq!(connector_only.status, StatusCode::ACCEPTED);
    assert_eq!(connector_only.body["tasks"][0]["state"], json!("FAILED"));
}

#[tokio::test]
async fn pause_resume_stop_and_delete() {
    let app = app();
    create(&app, "c", source_config()).await;
    let state = |reply: Reply| reply.body["connector"]["state"].clone();

    let paused = send(&app, "PUT", "/connectors/c/pause", None).await;
    assert_eq!(paused.status, StatusCode::ACCEPTED);
    assert_eq!(paused.body, Value::Null);
    let again = send(&app, "PUT", "/connectors/c/pause", None).await;
    assert_eq!(again.status, StatusCode::ACCEPTED);
    assert_eq!(
        state(send(&app, "GET", "/connectors/c/status", None).await),
        json!("PAUSED")
    );

    assert_eq!(
        send(&app, "PUT", "/connectors/c/resume", None).await.status,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        state(send(&app, "GET", "/connectors/c/status", None).await),
        json!("RUNNING")
    );

    assert_eq!(
        send(&app, "PUT", "/connectors/c/stop", None).await.status,
        StatusCode::NO_CONTENT
    );
    let stopped = send(&app, "GET", "/connectors/c/status", None).await;
    assert_eq!(stopped.body["connector"]["state"], json!("STOPPED"));
    assert_eq!(stopped.body["tasks"], json!([]));

    let deleted = send(&app, "DELETE", "/connectors/c", None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(deleted.body, Value::Null);
    send(&app, "GET", "/connectors/c", None)
        .await
        .assert_error(StatusCode::NOT_FOUND, "Connector c not found");
}

// ---------------------------------------------------------------------------------------
// Offsets and topics

#[tokio::test]
async fn offsets_can_be_altered_and_reset_when_stopped() {
    let app = app();
    create(&app, "c", source_config()).await;
    let empty = send(&app, "GET", "/connectors/c/offsets", None).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert_eq!(empty.body, json!({"offsets": []}));

    let offsets =
        json!({"offsets": [{"partition": {"filename": "/tmp/in"}, "offset": {"position": 42}}]});
    send(&app, "PATCH", "/connectors/c/offsets", Some(offsets.clone()))
        .await
        .assert_error(
            StatusCode::BAD_REQUEST,
            "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/c/stop' endpoint",
        );

    send(&app, "PUT", "/connectors/c/stop", None).await;
    let altered = send(
        &app,
        "PATCH",
        "/connectors/c/offsets",
        Some(offsets.clone()),
    )
    .await;
    assert_eq!(altered.status, StatusCode::OK);
    assert_eq!(
        altered.body,
        json!({"message": "The offsets for this connector have been altered successfully"})
    );
    assert_eq!(
        send(&app, "GET", "/connectors/c/offsets", None).await.body,
        offsets
    );

    for body in [json!({"offsets": []}), json!({})] {
        send(&app, "PATCH", "/connectors/c/offsets", Some(body))
            .await
            .assert_error(
                StatusCode::BAD_REQUEST,
                "Partitions / offsets need to be provided for an alter offsets request",
            );
    }

    let reset = send(&app, "DELETE", "/connectors/c/offsets", None).await;
    assert_eq!(reset.status, StatusCode::OK);
    assert_eq!(
        reset.body,
        json!({"message": "The offsets for this connector have been reset successfully"})
    );
    assert_eq!(
        send(&app, "GET", "/connectors/c/offsets", None).await.body,
        json!({"offsets": []})
    );
}

#[tokio::test]
async fn active_topics_and_reset() {
    let app = app();
    create(
        &app,
        "s",
        json!({"connector.class": "FileStreamSink", "topics": "b, a"}),
    )
    .await;
    let topics = send(&app, "GET", "/connectors/s/topics", None).await;
    assert_eq!(topics.status, StatusCode::OK);
    assert_eq!(topics.body, json!({"s": {"topics": ["a", "b"]}}));
    let reset = send(&app, "PUT", "/connectors/s/topics/reset", None).await;
    assert_eq!(reset.status, StatusCode::ACCEPTED);
    assert_eq!(reset.body, Value::Null);
}

#[tokio::test]
async fn topic_tracking_disabled_is_403() {
    let herder = InMemoryHerder {
        topic_tracking: false,
        ..InMemoryHerder::default()
    };
    let app = router(Arc::new(herder));
    create(&app, "s", json!({"connector.class": "FileStreamSink"})).await;
    send(&app, "GET", "/connectors/s/topics", None)
        .await
        .assert_error(StatusCode::FORBIDDEN, "Topic tracking is disabled.");
    send(&app, "PUT", "/connectors/s/topics/reset", None)
        .await
        .assert_error(StatusCode::FORBIDDEN, "Topic tracking reset is disabled.");
}

// ---------------------------------------------------------------------------------------
// Plugins

#[tokio::test]
async fn plugins_are_connectors_only_by_default() {
    let app = app();
    let connectors = send(&app, "GET", "/connector-plugins", None).await;
    assert_eq!(connectors.status, StatusCode::OK);
    assert_eq!(
        connectors.body,
        json!([
            {"class": "FileStreamSinkConnector", "type": "sink", "version": "0.1.0"},
            {"class": "FileStreamSourceConnector", "type": "source", "version": "0.1.0"}
        ])
    );
    let all = send(&app, "GET", "/connector-plugins?connectorsOnly=false", None).await;
    assert_eq!(all.body.as_array().map(Vec::len), Some(3));
    assert_eq!(all.body[2]["type"], json!("converter"));
}

#[tokio::test]
async fn plugin_config_lists_the_keys() {
    let app = app();
    let keys = send(
        &app,
        "GET",
        "/connector-plugins/FileStreamSource/config",
        None,
    )
    .await;
    assert_eq!(keys.status, StatusCode::OK);
    assert_eq!(
        keys.body,
        json!([{"name": "file", "type": "STRING", "required": true, "default_value": null,
                "importance": "HIGH", "documentation": "Source filename.", "group": null,
                "width": "NONE", "display_name": "file", "dependents": [], "order": -1}])
    );
    send(&app, "GET", "/connector-plugins/Nope/config", None)
        .await
        .assert_error(StatusCode::NOT_FOUND, "Unknown plugin Nope.");
}

#[tokio::test]
async fn validate_returns_config_infos() {
    let app = app();
    let reply = send(
        &app,
        "PUT",
        "/connector-plugins/FileStreamSource/config/validate",
        Some(json!({"connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector", "tasks.max": 1})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.body["name"],
        json!("org.apache.kafka.connect.file.FileStreamSourceConnector")
    );
    assert_eq!(reply.body["error_count"], json!(1));
    assert_eq!(reply.body["groups"], json!(["Common"]));
    assert_eq!(
        reply.body["configs"][0]["value"],
        json!({"name": "file", "value": null, "recommended_values": [],
               "errors": ["Missing required configuration \"file\" which has no default value."],
               "visible": true})
    );

    let valid = send(
        &app,
        "PUT",
        "/connector-plugins/FileStreamSourceConnector/config/validate",
        Some(json!({"connector.class": "FileStreamSource", "file": "/tmp/in"})),
    )
    .await;
    assert_eq!(valid.status, StatusCode::OK);
    assert_eq!(valid.body["error_count"], json!(0));

    send(
        &app,
        "PUT",
        "/connector-plugins/FileStreamSink/config/validate",
        Some(json!({"connector.class": "FileStreamSource"})),
    )
    .await
    .assert_error(
        StatusCode::BAD_REQUEST,
        "Included connector type FileStreamSource does not match request type FileStreamSink",
    );
}

// ---------------------------------------------------------------------------------------
// Loggers

#[tokio::test]
async fn loggers_can_be_read_and_set() {
    let app = app();
    let all = send(&app, "GET", "/admin/loggers", None).await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(
        all.body,
        json!({"root": {"level": "INFO", "last_modified": null}})
    );
    send(&app, "GET", "/admin/loggers/sluice.runtime", None)
        .await
        .assert_error(StatusCode::NOT_FOUND, "Logger sluice.runtime not found.");

    let worker = send(
        &app,
        "PUT",
        "/admin/loggers/sluice.runtime",
        Some(json!({"level": "debug"})),
    )
    .await;
    assert_eq!(worker.status, StatusCode::OK);
    assert_eq!(worker.body, json!(["sluice.runtime"]));
    let one = send(&app, "GET", "/admin/loggers/sluice.runtime", None).await;
    assert_eq!(one.body, json!({"level": "DEBUG", "last_modified": 1}));

    // An unknown scope falls back to the worker scope, like Kafka.
    let fallback = send(
        &app,
        "PUT",
        "/admin/loggers/sluice.runtime?scope=galaxy",
        Some(json!({"level": "WARN"})),
    )
    .await;
    assert_eq!(fallback.status, StatusCode::OK);

    let cluster = send(
        &app,
        "PUT",
        "/admin/loggers/sluice?scope=cluster",
        Some(json!({"level": "TRACE"})),
    )
    .await;
    assert_eq!(cluster.status, StatusCode::NO_CONTENT);
    assert_eq!(cluster.body, Value::Null);
    assert_eq!(
        send(&app, "GET", "/admin/loggers/sluice", None).await.body["level"],
        json!("TRACE")
    );
}

#[tokio::test]
async fn bad_logger_levels() {
    let app = app();
    send(
        &app,
        "PUT",
        "/admin/loggers/root",
        Some(json!({"lvl": "DEBUG"})),
    )
    .await
    .assert_error(
        StatusCode::BAD_REQUEST,
        "Desired 'level' parameter was not specified in request.",
    );
    send(
        &app,
        "PUT",
        "/admin/loggers/root",
        Some(json!({"level": "LOUD"})),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "invalid log level 'LOUD'.");
}

// ---------------------------------------------------------------------------------------
// Error mapping and serving

#[test]
fn herder_errors_map_to_kafka_status_codes() {
    let cases = [
        (HerderError::connector_not_found("x"), 404, "Connector x not found"),
        (HerderError::connector_already_exists("x"), 409, "Connector x already exists"),
        (HerderError::BadRequest("bad".to_owned()), 400, "bad"),
        (
            HerderError::rebalance_in_progress(),
            409,
            "Cannot complete request because of a conflicting operation (e.g. worker rebalance)",
        ),
        (HerderError::no_known_leader(), 409, "Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway."),
        (HerderError::stale_configuration(), 409, "Cannot complete request due to stale configuration"),
        (HerderError::topic_tracking_disabled(), 403, "Topic tracking is disabled."),
        (HerderError::request_timed_out(), 500, "Request timed out"),
        (HerderError::Internal("oops".to_owned()), 500, "oops"),
    ];
    for (error, status, message) in cases {
        let rest = super::RestError::from(error);
        assert_eq!(rest.status().as_u16(), status);
        assert_eq!(rest.message(), message);
    }
}

#[test]
fn entities_serialize_like_kafka() {
    let id = ConnectorTaskId::new("c", 3);
    assert_eq!(id.to_string(), "c-3");
    assert_eq!(
        serde_json::to_value(PluginType::HeaderConverter).expect("serializes"),
        json!("header_converter")
    );
    let offset: ConnectorOffset = serde_json::from_value(
        json!({"partition": {"kafka_topic": "t", "kafka_partition": 0}, "offset": null}),
    )
    .expect("deserializes");
    assert_eq!(offset.offset, None);
    assert_eq!(TargetState::parse("Stopped"), Some(TargetState::Stopped));
    assert_eq!(TargetState::parse("gone"), None);
}

#[tokio::test]
async fn serve_answers_http_until_shutdown() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(super::serve(listener, app(), async move {
        let _ = stopped.await;
    }));

    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(b"GET /connectors HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("read");
    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
    assert!(response.ends_with("[]"), "{response}");

    stop.send(()).expect("server still running");
    server.await.expect("no panic").expect("clean shutdown");
}
