//! Extractors whose rejections are Kafka-style [`RestError`]s instead of axum's plain-text
//! bodies, and the lenient string parsing Jackson applies to `Map<String, String>`.

use std::collections::BTreeMap;
use std::fmt;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Json;
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde::Deserialize;

use super::error::RestError;

/// A JSON request body. Invalid JSON, a body of the wrong shape and an empty body are 400;
/// a missing `Content-Type: application/json` is 415, as with Kafka's Jersey.
#[derive(Debug, Clone)]
pub struct KafkaJson<T>(pub T);

impl<T, S> FromRequest<S> for KafkaJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = RestError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_rejection(&rejection)),
        }
    }
}

fn json_rejection(rejection: &JsonRejection) -> RestError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => RestError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "HTTP 415 Unsupported Media Type",
        ),
        // axum answers 422 for a body of the wrong shape; Kafka's clients expect 400.
        JsonRejection::JsonDataError(_) | JsonRejection::JsonSyntaxError(_) => {
            RestError::bad_request(rejection.body_text())
        }
        other => RestError::new(other.status(), other.body_text()),
    }
}

/// Path parameters, with rejections (e.g. invalid percent-encoding) as [`RestError`]s.
#[derive(Debug, Clone)]
pub struct KafkaPath<T>(pub T);

impl<T, S> FromRequestParts<S> for KafkaPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = RestError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(Self(value)),
            Err(rejection) => Err(RestError::new(rejection.status(), rejection.body_text())),
        }
    }
}

/// The query string as ordered pairs, so parameters can repeat (`?expand=status&expand=info`).
#[derive(Debug, Clone, Default)]
pub struct QueryParams(Vec<(String, String)>);

impl QueryParams {
    /// Every value of `key`, in order.
    pub fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The first non-empty value of `key` (JAX-RS takes the first value of a
    /// single-valued parameter and uses the default for an empty one).
    pub fn first(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// A boolean parameter as JAX-RS parses `Boolean`: `true` in any case is true, any
    /// other value is false, and an absent or empty one is `default`.
    pub fn flag(&self, key: &str, default: bool) -> bool {
        self.first(key)
            .map_or(default, |v| v.eq_ignore_ascii_case("true"))
    }
}

impl<S> FromRequestParts<S> for QueryParams
where
    S: Send + Sync,
{
    type Rejection = RestError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match Query::<Vec<(String, String)>>::try_from_uri(&parts.uri) {
            Ok(Query(pairs)) => Ok(Self(pairs)),
            Err(rejection) => Err(RestError::bad_request(rejection.body_text())),
        }
    }
}

/// A string that, like Jackson's `String` deserializer, also accepts a JSON number or
/// boolean (`"tasks.max": 1` is common in hand-written requests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LenientString(pub String);

impl<'de> Deserialize<'de> for LenientString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LenientVisitor;

        impl Visitor<'_> for LenientVisitor {
            type Value = LenientString;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, number or boolean")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(LenientString(v.to_owned()))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(LenientString(v))
            }

            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(LenientString(v.to_string()))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(LenientString(v.to_string()))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(LenientString(v.to_string()))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(LenientString(v.to_string()))
            }
        }

        deserializer.deserialize_any(LenientVisitor)
    }
}

/// A flat `{key: value}` connector configuration, values coerced like Jackson does.
/// `null` values are rejected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct LenientConfig(BTreeMap<String, LenientString>);

impl LenientConfig {
    /// The plain map.
    pub fn into_map(self) -> BTreeMap<String, String> {
        self.0.into_iter().map(|(k, v)| (k, v.0)).collect()
    }
}

/// A `PATCH` configuration: `null` values delete the key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct LenientPatch(BTreeMap<String, Option<LenientString>>);

impl LenientPatch {
    /// The plain map.
    pub fn into_map(self) -> BTreeMap<String, Option<String>> {
        self.0
            .into_iter()
            .map(|(k, v)| (k, v.map(|s| s.0)))
            .collect()
    }
}
