//! ApiVersions, including KIP-511's fallback for versions the broker does not know.

use super::{encode, Reply, SUPPORTED};
use kafka_protocol::messages::api_versions_response::ApiVersion;
use kafka_protocol::messages::{ApiKey, ApiVersionsResponse};
use kafka_protocol::ResponseError;

pub fn handle(_version: i16) -> ApiVersionsResponse {
    ApiVersionsResponse::default().with_api_keys(api_keys())
}

fn api_keys() -> Vec<ApiVersion> {
    SUPPORTED
        .iter()
        .map(|&(key, min, max)| {
            ApiVersion::default()
                .with_api_key(key as i16)
                .with_min_version(min)
                .with_max_version(max)
        })
        .collect()
}

/// A client asking with a newer ApiVersions than we know gets a v0-format answer
/// with UNSUPPORTED_VERSION and the full list, so it can retry with one we know.
pub fn unsupported_version(version: i16, correlation_id: i32) -> Option<Reply> {
    let (min, max) = super::supported_range(ApiKey::ApiVersions)?;
    if (min..=max).contains(&version) {
        return None;
    }
    let response = ApiVersionsResponse::default()
        .with_error_code(ResponseError::UnsupportedVersion.code())
        .with_api_keys(api_keys());
    encode(correlation_id, 0, &response).map(Reply::Now)
}
