//! Hostile and malformed bytes close only the connection that sent them; the
//! broker and every other connection keep working.

use broker::config::Listener;
use broker::{Broker, BrokerConfig};
use bytes::{BufMut, BytesMut};
use kafka_protocol::messages::*;
use kafka_protocol::protocol::{Encodable, StrBytes};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

async fn start(dir: &std::path::Path) -> Broker {
    let mut config = BrokerConfig {
        listeners: vec![Listener {
            host: "127.0.0.1".into(),
            port: 0,
        }],
        data_dir: dir.to_path_buf(),
        ..BrokerConfig::default()
    };
    config
        .set("sluice.max.decompressed.bytes", "1048576")
        .expect("setting");
    config
        .set("socket.request.max.bytes", "10485760")
        .expect("setting");
    Broker::start(config).await.expect("broker starts")
}

fn connect(broker: &Broker) -> TcpStream {
    let s = TcpStream::connect(broker.local_addr()).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    s
}

fn request<R: Encodable>(key: ApiKey, version: i16, correlation_id: i32, body: &R) -> Vec<u8> {
    let mut buf = BytesMut::new();
    let header = RequestHeader::default()
        .with_request_api_key(key as i16)
        .with_request_api_version(version)
        .with_correlation_id(correlation_id)
        .with_client_id(Some(StrBytes::from_static_str("bad-input-test")));
    header
        .encode(&mut buf, key.request_header_version(version))
        .expect("header");
    body.encode(&mut buf, version).expect("body");
    framed(&buf)
}

fn framed(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 4);
    out.put_i32(payload.len() as i32);
    out.extend_from_slice(payload);
    out
}

/// Sends an ApiVersions request and returns the correlation id of the answer.
fn api_versions_round_trip(s: &mut TcpStream, correlation_id: i32) -> i32 {
    s.write_all(&request(
        ApiKey::ApiVersions,
        3,
        correlation_id,
        &ApiVersionsRequest::default(),
    ))
    .expect("write");
    let mut len = [0u8; 4];
    s.read_exact(&mut len).expect("response length");
    let mut body = vec![0u8; i32::from_be_bytes(len) as usize];
    s.read_exact(&mut body).expect("response body");
    i32::from_be_bytes([body[0], body[1], body[2], body[3]])
}

/// True when the broker closed the connection (EOF or reset) within the timeout.
fn closed(s: &mut TcpStream) -> bool {
    let mut buf = [0u8; 64];
    match s.read(&mut buf) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => matches!(
            e.kind(),
            std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
        ),
    }
}

fn bomb_batch() -> Vec<u8> {
    // One record whose value is 4 MiB of zeros, gzip-compressed to a few KiB.
    let value = vec![0u8; 4 << 20];
    let plain = broker::batch::encode_batch(
        0,
        &[broker::batch::NewRecord {
            key: None,
            value: Some(&value),
            timestamp: 0,
        }],
    );
    let mut gz = {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(&plain[broker::batch::HEADER_LEN..])
            .expect("gzip");
        e.finish().expect("gzip")
    };
    let mut out = plain[..broker::batch::HEADER_LEN].to_vec();
    out.append(&mut gz);
    let len = (out.len() - broker::batch::LOG_OVERHEAD) as i32;
    out[8..12].copy_from_slice(&len.to_be_bytes());
    out[21..23].copy_from_slice(&1i16.to_be_bytes());
    broker::batch::rewrite_crc(&mut out);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_bytes_close_only_their_connection() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start(dir.path()).await;
    let b = &broker;
    tokio::task::spawn_blocking({
        let addr = b.local_addr();
        move || {
            // A healthy connection opened first must survive everything below.
            let mut healthy = TcpStream::connect(addr).expect("connect");
            healthy
                .set_read_timeout(Some(Duration::from_secs(10)))
                .expect("timeout");
            assert_eq!(api_versions_round_trip(&mut healthy, 1), 1);

            let cases: Vec<(&str, Vec<u8>)> = vec![
                (
                    "frame over socket.request.max.bytes",
                    i32::MAX.to_be_bytes().to_vec(),
                ),
                ("negative frame length", (-5i32).to_be_bytes().to_vec()),
                ("frame shorter than a header", framed(&[0, 3])),
                (
                    "unknown API key",
                    framed(&[0x03, 0xe7, 0, 0, 0, 0, 0, 7, 0, 0]),
                ),
                (
                    "unsupported Produce version",
                    framed(&[0, 0, 0, 2, 0, 0, 0, 9, 0xff, 0xff, 0, 1]),
                ),
                ("garbage body", {
                    let mut f = vec![0, 3, 0, 9, 0, 0, 0, 1]; // Metadata v9, correlation 1
                    f.extend(std::iter::repeat_n(0xffu8, 64));
                    framed(&f)
                }),
                ("array count larger than the bytes left", {
                    // Metadata v1 with a topics array announcing 2^31-1 entries.
                    let mut f = vec![0, 3, 0, 1, 0, 0, 0, 1, 0, 0];
                    f.extend_from_slice(&i32::MAX.to_be_bytes());
                    f.extend_from_slice(&[0, 1, b'x']);
                    framed(&f)
                }),
                ("compact array count larger than the bytes left", {
                    // Metadata v9 (flexible): header v2, topics as a compact array of ~2^32.
                    let mut f = vec![0, 3, 0, 9, 0, 0, 0, 1, 0, 0, 0];
                    f.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f]);
                    framed(&f)
                }),
                ("decompression bomb", {
                    let batch = bomb_batch();
                    let req = ProduceRequest::default()
                        .with_acks(1)
                        .with_timeout_ms(1000)
                        .with_topic_data(vec![produce_request::TopicProduceData::default()
                            .with_name(TopicName(StrBytes::from_static_str("bombed")))
                            .with_partition_data(vec![
                                produce_request::PartitionProduceData::default()
                                    .with_index(0)
                                    .with_records(Some(batch.into())),
                            ])]);
                    request(ApiKey::Produce, 7, 3, &req)
                }),
            ];
            for (what, bytes) in cases {
                let mut s = TcpStream::connect(addr).expect("connect");
                s.set_read_timeout(Some(Duration::from_secs(10)))
                    .expect("timeout");
                s.write_all(&bytes).expect("write");
                assert!(closed(&mut s), "{what}: connection must be closed");
                // A new connection still works...
                let mut fresh = TcpStream::connect(addr).expect("connect");
                fresh
                    .set_read_timeout(Some(Duration::from_secs(10)))
                    .expect("timeout");
                assert_eq!(
                    api_versions_round_trip(&mut fresh, 42),
                    42,
                    "{what}: broker still serves"
                );
                // ...and so does the one opened before.
                assert_eq!(
                    api_versions_round_trip(&mut healthy, 7),
                    7,
                    "{what}: other connections unaffected"
                );
            }
        }
    })
    .await
    .expect("test thread");
    broker.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn newer_api_versions_gets_v0_fallback() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start(dir.path()).await;
    let mut s = connect(&broker);
    tokio::task::spawn_blocking(move || {
        // ApiVersions v99: header v2 + an empty flexible body.
        let f = framed(&[0, 18, 0, 99, 0, 0, 0, 5, 0, 0, 0, 0, 0]);
        s.write_all(&f).expect("write");
        let mut len = [0u8; 4];
        s.read_exact(&mut len).expect("length");
        let mut body = vec![0u8; i32::from_be_bytes(len) as usize];
        s.read_exact(&mut body).expect("body");
        assert_eq!(i32::from_be_bytes([body[0], body[1], body[2], body[3]]), 5);
        // v0 body: error_code then the array of api keys.
        assert_eq!(
            i16::from_be_bytes([body[4], body[5]]),
            35,
            "UNSUPPORTED_VERSION"
        );
        let count = i32::from_be_bytes([body[6], body[7], body[8], body[9]]);
        assert!(count >= 20, "full version list included: {count}");
    })
    .await
    .expect("test thread");
    broker.shutdown().await.expect("shutdown");
}
