//! The REST API (Confluent's `core/.../rest/resources/*Resource.java`), on axum.
//!
//! Handlers parse the request, call a pure function of [`crate::registry`] through
//! [`Service`] and write Confluent's JSON. Every error is `{"error_code","message"}`
//! with Confluent's status; bad input never answers 500.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::kafka::Service;
use crate::registry::{self, RegisterRequest, VersionSpec};
use crate::store::{Reference, SchemaValue};
use crate::Error;

/// The response type Confluent prefers.
const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";
/// Request types read (Confluent's `Versions.PREFERRED_REQUEST_TYPES` + octet-stream).
const REQUEST_TYPES: [&str; 4] = [
    "application/vnd.schemaregistry.v1+json",
    "application/vnd.schemaregistry+json",
    "application/json",
    "application/octet-stream",
];

type Shared = State<Arc<Service>>;
type Params = Query<HashMap<String, String>>;
type Reply = Result<Response, Error>;

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            tracing::error!(error = %self, code = self.error_code(), "schema registry request failed");
        }
        let body = json!({"error_code": self.error_code(), "message": self.to_string()});
        respond(status, &body)
    }
}

fn respond<T: Serialize>(status: StatusCode, body: &T) -> Response {
    let text = serde_json::to_string(body).unwrap_or_else(|_| "{}".to_owned());
    let mut response = (status, text).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    response
}

fn ok<T: Serialize>(body: &T) -> Reply {
    Ok(respond(StatusCode::OK, body))
}

/// Builds the router over a running [`Service`].
pub(crate) fn router(service: Arc<Service>) -> Router {
    Router::new()
        .route("/", get(root))
        .route("/subjects", get(list_subjects))
        .route("/subjects/{subject}", post(lookup).delete(delete_subject))
        .route(
            "/subjects/{subject}/versions",
            get(list_versions).post(register),
        )
        .route(
            "/subjects/{subject}/versions/{version}",
            get(get_version).delete(delete_version),
        )
        .route(
            "/subjects/{subject}/versions/{version}/schema",
            get(get_version_schema),
        )
        .route(
            "/subjects/{subject}/versions/{version}/referencedby",
            get(referenced_by),
        )
        .route("/schemas", get(list_schemas))
        .route("/schemas/types", get(schema_types))
        .route("/schemas/ids/{id}", get(schema_by_id))
        .route("/schemas/ids/{id}/schema", get(schema_by_id_raw))
        .route("/schemas/ids/{id}/subjects", get(id_subjects))
        .route("/schemas/ids/{id}/versions", get(id_versions))
        .route(
            "/compatibility/subjects/{subject}/versions",
            post(compatibility_all),
        )
        .route(
            "/compatibility/subjects/{subject}/versions/{version}",
            post(compatibility_version),
        )
        .route(
            "/config",
            get(get_global_config)
                .put(put_global_config)
                .delete(delete_global_config),
        )
        .route(
            "/config/{subject}",
            get(get_config).put(put_config).delete(delete_config),
        )
        .route(
            "/mode",
            get(get_global_mode)
                .put(put_global_mode)
                .delete(delete_global_mode),
        )
        .route(
            "/mode/{subject}",
            get(get_mode).put(put_mode).delete(delete_mode),
        )
        .fallback(|| async { Error::NotFound })
        .method_not_allowed_fallback(|| async { Error::MethodNotAllowed })
        .layer(middleware::from_fn(negotiate))
        .with_state(service)
}

/// Content negotiation: 406 when nothing acceptable, 415 for an unread body type.
async fn negotiate(request: Request, next: Next) -> Response {
    let acceptable = request
        .headers()
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .collect::<Vec<_>>();
    let accepts = acceptable.is_empty()
        || acceptable.iter().any(|t| {
            matches!(t.as_str(), "*/*" | "application/*" | "")
                || REQUEST_TYPES[..3].contains(&t.as_str())
        });
    if !accepts {
        return Error::NotAcceptable.into_response();
    }
    if let Some(content_type) = request.headers().get(header::CONTENT_TYPE) {
        let essence = content_type
            .to_str()
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if !REQUEST_TYPES.contains(&essence.as_str()) {
            return Error::UnsupportedMediaType.into_response();
        }
    }
    next.run(request).await
}

fn body<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, Error> {
    serde_json::from_slice(bytes).map_err(|e| Error::BadRequest(e.to_string()))
}

fn flag(params: &HashMap<String, String>, name: &str) -> bool {
    params
        .get(name)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

fn parse_id(id: &str) -> Result<i32, Error> {
    id.parse().map_err(|_| Error::SchemaNotFound(None))
}

/// `Schema` entity of `GET /subjects/{s}/versions/{v}` and lookup.
#[derive(Serialize)]
struct VersionJson<'a> {
    subject: &'a str,
    version: i32,
    id: i32,
    #[serde(rename = "schemaType", skip_serializing_if = "Option::is_none")]
    schema_type: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    references: &'a [Reference],
    schema: &'a str,
}

impl<'a> From<&'a SchemaValue> for VersionJson<'a> {
    fn from(v: &'a SchemaValue) -> Self {
        Self {
            subject: &v.subject,
            version: v.version,
            id: v.id,
            schema_type: v.schema_type.as_deref().filter(|t| *t != "AVRO"),
            references: &v.references,
            schema: &v.schema,
        }
    }
}

#[tracing::instrument(skip_all)]
async fn root() -> Reply {
    ok(&json!({}))
}

#[tracing::instrument(skip_all)]
async fn list_subjects(State(s): Shared, Query(q): Params) -> Reply {
    let prefix = q.get("subjectPrefix").map(String::as_str).unwrap_or("");
    let mut list = s.read(|st| {
        Ok(registry::subjects(
            st,
            prefix,
            flag(&q, "deleted"),
            flag(&q, "deletedOnly"),
        ))
    })?;
    paginate(&mut list, &q);
    ok(&list)
}

/// `?offset&limit` (Confluent's defaults 0 and -1; a negative limit means all).
/// Values that are not numbers are ignored rather than answered with an error.
fn paginate<T>(list: &mut Vec<T>, q: &HashMap<String, String>) {
    let offset = q
        .get("offset")
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    list.drain(..offset.min(list.len()));
    if let Some(limit) = q.get("limit").and_then(|v| v.trim().parse::<i64>().ok()) {
        if limit >= 0 {
            list.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        }
    }
}

/// `GET /schemas?subjectPrefix&deleted&latestOnly&offset&limit`: the `Schema` entities.
#[tracing::instrument(skip_all)]
async fn list_schemas(State(s): Shared, Query(q): Params) -> Reply {
    let prefix = q.get("subjectPrefix").map(String::as_str).unwrap_or("");
    s.read(|st| {
        let mut list: Vec<VersionJson<'_>> =
            registry::schemas(st, prefix, flag(&q, "deleted"), flag(&q, "latestOnly"))
                .into_iter()
                .map(VersionJson::from)
                .collect();
        paginate(&mut list, &q);
        ok(&list)
    })
}

#[tracing::instrument(skip(s, q, bytes))]
async fn lookup(
    State(s): Shared,
    Path(subject): Path<String>,
    Query(q): Params,
    bytes: Bytes,
) -> Reply {
    let request: RegisterRequest = body(&bytes)?;
    let found = s.read(|st| {
        registry::lookup(
            st,
            &subject,
            &request,
            flag(&q, "normalize"),
            flag(&q, "deleted"),
        )
    })?;
    ok(&VersionJson::from(&found))
}

#[tracing::instrument(skip(s, q))]
async fn delete_subject(State(s): Shared, Path(subject): Path<String>, Query(q): Params) -> Reply {
    let permanent = flag(&q, "permanent");
    let versions = s
        .write(|st| registry::delete_subject(st, &subject, permanent))
        .await?;
    tracing::info!(subject, permanent, ?versions, "deleted a subject");
    ok(&versions)
}

#[tracing::instrument(skip(s, q))]
async fn list_versions(State(s): Shared, Path(subject): Path<String>, Query(q): Params) -> Reply {
    ok(&s.read(|st| {
        registry::versions_filtered(st, &subject, flag(&q, "deleted"), flag(&q, "deletedOnly"))
    })?)
}

#[tracing::instrument(skip(s, q, bytes))]
async fn register(
    State(s): Shared,
    Path(subject): Path<String>,
    Query(q): Params,
    bytes: Bytes,
) -> Reply {
    let request: RegisterRequest = body(&bytes)?;
    let normalize = flag(&q, "normalize");
    let id = s
        .write(|st| registry::register(st, &subject, &request, normalize))
        .await?;
    tracing::info!(subject, id, "registered a schema");
    ok(&json!({ "id": id }))
}

#[tracing::instrument(skip(s, q))]
async fn get_version(
    State(s): Shared,
    Path((subject, version)): Path<(String, String)>,
    Query(q): Params,
) -> Reply {
    let spec = VersionSpec::parse(&version)?;
    s.read(|st| {
        let v = registry::version(st, &subject, spec, flag(&q, "deleted"))?;
        ok(&VersionJson::from(v))
    })
}

#[tracing::instrument(skip(s, q))]
async fn get_version_schema(
    State(s): Shared,
    Path((subject, version)): Path<(String, String)>,
    Query(q): Params,
) -> Reply {
    let spec = VersionSpec::parse(&version)?;
    s.read(|st| {
        let v = registry::version(st, &subject, spec, flag(&q, "deleted"))?;
        Ok(raw(&v.schema))
    })
}

fn raw(schema: &str) -> Response {
    let mut response = schema.to_owned().into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    response
}

#[tracing::instrument(skip(s))]
async fn referenced_by(
    State(s): Shared,
    Path((subject, version)): Path<(String, String)>,
) -> Reply {
    let spec = VersionSpec::parse(&version)?;
    ok(&s.read(|st| registry::referenced_by(st, &subject, spec))?)
}

#[tracing::instrument(skip(s, q))]
async fn delete_version(
    State(s): Shared,
    Path((subject, version)): Path<(String, String)>,
    Query(q): Params,
) -> Reply {
    let spec = VersionSpec::parse(&version)?;
    let permanent = flag(&q, "permanent");
    let deleted = s
        .write(|st| registry::delete_version(st, &subject, spec, permanent))
        .await?;
    tracing::info!(subject, version = deleted, permanent, "deleted a version");
    ok(&deleted)
}

async fn schema_types() -> Reply {
    ok(&["AVRO"])
}

#[tracing::instrument(skip(s, q))]
async fn schema_by_id(State(s): Shared, Path(id): Path<String>, Query(q): Params) -> Reply {
    let id = parse_id(&id)?;
    let fetch_max_id = flag(&q, "fetchMaxId");
    s.read(|st| {
        let v = registry::schema_by_id(st, id)?;
        let mut body = serde_json::Map::new();
        body.insert("schema".to_owned(), Value::String(v.schema.clone()));
        if v.schema_type() != "AVRO" {
            body.insert(
                "schemaType".to_owned(),
                Value::String(v.schema_type().to_owned()),
            );
        }
        if !v.references.is_empty() {
            body.insert(
                "references".to_owned(),
                serde_json::to_value(&v.references).unwrap_or_default(),
            );
        }
        if fetch_max_id {
            body.insert("maxId".to_owned(), Value::from(st.max_id()));
        }
        ok(&body)
    })
}

#[tracing::instrument(skip(s))]
async fn schema_by_id_raw(State(s): Shared, Path(id): Path<String>) -> Reply {
    let id = parse_id(&id)?;
    s.read(|st| Ok(raw(&registry::schema_by_id(st, id)?.schema)))
}

#[tracing::instrument(skip(s, q))]
async fn id_subjects(State(s): Shared, Path(id): Path<String>, Query(q): Params) -> Reply {
    let id = parse_id(&id)?;
    let pairs = s.read(|st| registry::id_versions(st, id, flag(&q, "deleted")))?;
    let mut subjects: Vec<String> = pairs.into_iter().map(|(s, _)| s).collect();
    subjects.dedup();
    ok(&subjects)
}

#[tracing::instrument(skip(s, q))]
async fn id_versions(State(s): Shared, Path(id): Path<String>, Query(q): Params) -> Reply {
    let id = parse_id(&id)?;
    let pairs = s.read(|st| registry::id_versions(st, id, flag(&q, "deleted")))?;
    let list: Vec<Value> = pairs
        .into_iter()
        .map(|(subject, version)| json!({"subject": subject, "version": version}))
        .collect();
    ok(&list)
}

/// `CompatibilityCheckResponse`. With `verbose`, an invalid new schema is not a
/// 42201 but an incompatible answer carrying the error (Confluent catches
/// `InvalidSchemaException` into the messages).
fn compatibility_reply(result: Result<Vec<String>, Error>, verbose: bool) -> Reply {
    let messages = match result {
        Ok(messages) => messages,
        Err(e) if verbose && e.error_code() == 42201 => vec![e.to_string()],
        Err(e) => return Err(e),
    };
    if verbose {
        ok(&json!({"is_compatible": messages.is_empty(), "messages": messages}))
    } else {
        ok(&json!({"is_compatible": messages.is_empty()}))
    }
}

#[tracing::instrument(skip(s, q, bytes))]
async fn compatibility_all(
    State(s): Shared,
    Path(subject): Path<String>,
    Query(q): Params,
    bytes: Bytes,
) -> Reply {
    let request: RegisterRequest = body(&bytes)?;
    let result = s.read(|st| registry::test_compatibility(st, &subject, None, &request));
    compatibility_reply(result, flag(&q, "verbose"))
}

#[tracing::instrument(skip(s, q, bytes))]
async fn compatibility_version(
    State(s): Shared,
    Path((subject, version)): Path<(String, String)>,
    Query(q): Params,
    bytes: Bytes,
) -> Reply {
    let spec = VersionSpec::parse(&version)?;
    let request: RegisterRequest = body(&bytes)?;
    let result = s.read(|st| registry::test_compatibility(st, &subject, Some(spec), &request));
    compatibility_reply(result, flag(&q, "verbose"))
}

/// `ConfigUpdateRequest`; Karapace also reads `compatibilityLevel`.
#[derive(Deserialize)]
struct ConfigUpdate {
    compatibility: Option<String>,
    #[serde(rename = "compatibilityLevel")]
    compatibility_level: Option<String>,
}

async fn config_get(s: &Service, subject: Option<&str>, q: &HashMap<String, String>) -> Reply {
    let level = s.read(|st| registry::get_config(st, subject, flag(q, "defaultToGlobal")))?;
    ok(&json!({"compatibilityLevel": level.as_str()}))
}

async fn config_put(s: &Service, subject: Option<&str>, bytes: &Bytes) -> Reply {
    let update: ConfigUpdate = body(bytes)?;
    let level = update
        .compatibility
        .or(update.compatibility_level)
        .unwrap_or_default();
    let level = s.write(|_| registry::set_config(subject, &level)).await?;
    tracing::info!(
        subject,
        level = level.as_str(),
        "set the compatibility level"
    );
    ok(&json!({"compatibility": level.as_str()}))
}

async fn config_delete(s: &Service, subject: Option<&str>) -> Reply {
    let level = s.write(|st| registry::delete_config(st, subject)).await?;
    ok(&json!({"compatibilityLevel": level.as_str()}))
}

async fn get_global_config(State(s): Shared, Query(q): Params) -> Reply {
    config_get(&s, None, &q).await
}
async fn put_global_config(State(s): Shared, bytes: Bytes) -> Reply {
    config_put(&s, None, &bytes).await
}
async fn delete_global_config(State(s): Shared) -> Reply {
    config_delete(&s, None).await
}
async fn get_config(State(s): Shared, Path(subject): Path<String>, Query(q): Params) -> Reply {
    config_get(&s, Some(&subject), &q).await
}
async fn put_config(State(s): Shared, Path(subject): Path<String>, bytes: Bytes) -> Reply {
    config_put(&s, Some(&subject), &bytes).await
}
async fn delete_config(State(s): Shared, Path(subject): Path<String>) -> Reply {
    config_delete(&s, Some(&subject)).await
}

#[derive(Deserialize)]
struct ModeUpdate {
    mode: Option<String>,
}

async fn mode_get(s: &Service, subject: Option<&str>, q: &HashMap<String, String>) -> Reply {
    let mode = s.read(|st| registry::get_mode(st, subject, flag(q, "defaultToGlobal")))?;
    ok(&json!({"mode": mode.as_str()}))
}

async fn mode_put(
    s: &Service,
    subject: Option<&str>,
    q: &HashMap<String, String>,
    bytes: &Bytes,
) -> Reply {
    let update: ModeUpdate = body(bytes)?;
    let mode = update.mode.unwrap_or_default();
    let force = flag(q, "force");
    let mode = s
        .write(|st| registry::set_mode(st, subject, &mode, force))
        .await?;
    tracing::info!(subject, mode = mode.as_str(), "set the mode");
    ok(&json!({"mode": mode.as_str()}))
}

async fn mode_delete(s: &Service, subject: Option<&str>) -> Reply {
    let mode = s.write(|st| registry::delete_mode(st, subject)).await?;
    ok(&json!({"mode": mode.as_str()}))
}

async fn get_global_mode(State(s): Shared, Query(q): Params) -> Reply {
    mode_get(&s, None, &q).await
}
async fn put_global_mode(State(s): Shared, Query(q): Params, bytes: Bytes) -> Reply {
    mode_put(&s, None, &q, &bytes).await
}
async fn delete_global_mode(State(s): Shared) -> Reply {
    mode_delete(&s, None).await
}
async fn get_mode(State(s): Shared, Path(subject): Path<String>, Query(q): Params) -> Reply {
    mode_get(&s, Some(&subject), &q).await
}
async fn put_mode(
    State(s): Shared,
    Path(subject): Path<String>,
    Query(q): Params,
    bytes: Bytes,
) -> Reply {
    mode_put(&s, Some(&subject), &q, &bytes).await
}
async fn delete_mode(State(s): Shared, Path(subject): Path<String>) -> Reply {
    mode_delete(&s, Some(&subject)).await
}
