//! Topic ids for `topics --describe`, which librdkafka's metadata API leaves out.
//!
//! One Metadata v10 request (the first version that carries topic ids) over a
//! plain TCP connection to the bootstrap server. It is best effort: on a TLS or
//! SASL listener, or a broker without Metadata v10, the caller prints `-`.

use anyhow::{bail, Context as _};
use bytes::{Buf, BufMut, Bytes, BytesMut};
use kafka_protocol::messages::{
    ApiKey, MetadataRequest, MetadataResponse, RequestHeader, ResponseHeader,
};
use kafka_protocol::protocol::{Decodable, Encodable, StrBytes};
use std::collections::HashMap;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const METADATA_VERSION: i16 = 10;
const CORRELATION_ID: i32 = 1;
/// A metadata response for thousands of topics is a few MiB; anything past
/// this is not a Kafka broker talking.
const MAX_RESPONSE_BYTES: usize = 64 << 20;

/// Topic name → topic id as Kafka prints it (URL-safe base64, no padding).
pub async fn fetch(
    host: &str,
    port: u16,
    timeout: Duration,
) -> anyhow::Result<HashMap<String, String>> {
    tokio::time::timeout(timeout, fetch_unbounded(host, port))
        .await
        .context("no metadata answer in time")?
}

async fn fetch_unbounded(host: &str, port: u16) -> anyhow::Result<HashMap<String, String>> {
    let mut stream = tokio::net::TcpStream::connect((host, port)).await?;
    stream.write_all(&encode_request()?).await?;
    let length = stream.read_i32().await?;
    let length = usize::try_from(length).context("negative response length")?;
    if length > MAX_RESPONSE_BYTES {
        bail!("metadata response of {length} bytes is too large");
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await?;
    decode_response(Bytes::from(body))
}

fn encode_request() -> anyhow::Result<BytesMut> {
    let header = RequestHeader::default()
        .with_request_api_key(ApiKey::Metadata as i16)
        .with_request_api_version(METADATA_VERSION)
        .with_correlation_id(CORRELATION_ID)
        .with_client_id(Some(StrBytes::from_static_str("sluice-cli")));
    let request = MetadataRequest::default()
        .with_topics(None)
        .with_allow_auto_topic_creation(false);
    let mut frame = BytesMut::new();
    frame.put_i32(0);
    header.encode(
        &mut frame,
        ApiKey::Metadata.request_header_version(METADATA_VERSION),
    )?;
    request.encode(&mut frame, METADATA_VERSION)?;
    let length = i32::try_from(frame.len() - 4).context("request too large")?;
    frame[..4].copy_from_slice(&length.to_be_bytes());
    Ok(frame)
}

fn decode_response(mut body: Bytes) -> anyhow::Result<HashMap<String, String>> {
    let header = ResponseHeader::decode(
        &mut body,
        ApiKey::Metadata.response_header_version(METADATA_VERSION),
    )?;
    if header.correlation_id != CORRELATION_ID {
        bail!("unexpected correlation id {}", header.correlation_id);
    }
    let response = MetadataResponse::decode(&mut body, METADATA_VERSION)?;
    if body.has_remaining() {
        tracing::debug!(
            extra = body.remaining(),
            "trailing bytes after the metadata response"
        );
    }
    Ok(response
        .topics
        .into_iter()
        .filter_map(|topic| {
            let name = topic.name?;
            Some((name.0.to_string(), base64_url(topic.topic_id.as_bytes())))
        })
        .collect())
}

/// URL-safe base64 without padding: how Kafka's `Uuid.toString()` prints.
pub fn base64_url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            let index = (n >> (18 - 6 * i)) & 0x3f;
            out.push(char::from(ALPHABET[index as usize]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::messages::metadata_response::MetadataResponseTopic;
    use kafka_protocol::messages::{ResponseHeader, TopicName};

    #[test]
    fn base64_matches_kafka_uuid_strings() {
        // Kafka prints Uuid.ZERO_UUID as 22 'A's.
        assert_eq!(base64_url(&[0; 16]), "A".repeat(22));
        assert_eq!(base64_url(b"f"), "Zg");
        assert_eq!(base64_url(b"fo"), "Zm8");
        assert_eq!(base64_url(b"foo"), "Zm9v");
        assert_eq!(base64_url(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn request_is_length_prefixed_metadata_v10() {
        let frame = encode_request().expect("encodes");
        let length = i32::from_be_bytes([frame[0], frame[1], frame[2], frame[3]]);
        assert_eq!(length as usize, frame.len() - 4);
        assert_eq!(
            i16::from_be_bytes([frame[4], frame[5]]),
            ApiKey::Metadata as i16
        );
        assert_eq!(i16::from_be_bytes([frame[6], frame[7]]), METADATA_VERSION);
    }

    #[test]
    fn response_maps_names_to_ids() {
        let id = uuid::Uuid::from_bytes([7; 16]);
        let response = MetadataResponse::default().with_topics(vec![
            MetadataResponseTopic::default()
                .with_name(Some(TopicName(StrBytes::from_static_str("orders"))))
                .with_topic_id(id),
            MetadataResponseTopic::default().with_name(None),
        ]);
        let mut body = BytesMut::new();
        ResponseHeader::default()
            .with_correlation_id(CORRELATION_ID)
            .encode(
                &mut body,
                ApiKey::Metadata.response_header_version(METADATA_VERSION),
            )
            .expect("header encodes");
        response
            .encode(&mut body, METADATA_VERSION)
            .expect("body encodes");
        let ids = decode_response(body.freeze()).expect("decodes");
        assert_eq!(ids.len(), 1);
        assert_eq!(ids["orders"], base64_url(&[7; 16]));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode_response(Bytes::from_static(&[0, 0])).is_err());
        assert!(
            decode_response(Bytes::from_static(&[0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff])).is_err()
        );
    }
}
