//! Regenerates the committed seed inputs under `fuzz/seeds/<target>/` with the
//! broker's and kafka-protocol's own encoders (so the seeds stay valid as the
//! formats evolve). Run from `fuzz/`: `cargo run --example gen_seeds`.
//!
//! Seeds are tiny on purpose: they only have to get the fuzzer past the
//! header/version gates, the CRC and the codec magic numbers.

use broker::batch::{self, NewRecord, HEADER_LEN, LOG_OVERHEAD};
use broker::group::records::{self, GroupMetadataValue, MemberMetadata, OffsetValue};
use bytes::{Bytes, BytesMut};
use kafka_protocol::messages::create_topics_request::{CreatableTopic, CreatableTopicConfig};
use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::join_group_request::JoinGroupRequestProtocol;
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::offset_commit_request::{
    OffsetCommitRequestPartition, OffsetCommitRequestTopic,
};
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::*;
use kafka_protocol::protocol::{Encodable, StrBytes};
use std::io::Write;
use std::path::{Path, PathBuf};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    request_frames(&root.join("request_frame"));
    record_batches(&root.join("record_batch"));
    offsets_records(&root.join("offsets_records"));
    check(&root);
}

/// Every seed must get past the target's gates, or it is no use as a seed.
fn check(root: &Path) {
    for (target, ok) in [
        ("request_frame", request_ok as fn(&[u8]) -> bool),
        ("record_batch", batch_ok),
        ("offsets_records", record_ok),
    ] {
        for entry in std::fs::read_dir(root.join(target)).expect("read seed dir") {
            let path = entry.expect("dir entry").path();
            let bytes = std::fs::read(&path).expect("read seed");
            assert!(ok(&bytes), "seed {} does not decode", path.display());
        }
    }
}

fn request_ok(b: &[u8]) -> bool {
    let Some((key, version, _)) = broker::server::peek_header(b) else {
        return false;
    };
    let Ok(api) = ApiKey::try_from(key) else {
        return false;
    };
    broker::handlers::supported_range(api).is_some_and(|(min, max)| (min..=max).contains(&version))
        && broker::handlers::decode(api, version, Bytes::copy_from_slice(b)).is_ok()
}

fn batch_ok(b: &[u8]) -> bool {
    let limits = batch::ValidationLimits {
        max_decompressed_bytes: 1 << 20,
        require_keys: false,
    };
    batch::split_batches(&Bytes::copy_from_slice(b))
        .is_ok_and(|bs| bs.iter().all(|b| batch::validate(b, limits).is_ok()))
}

fn record_ok(b: &[u8]) -> bool {
    matches!(
        records::decode_key(b),
        Ok(records::RecordKey::Offset { .. } | records::RecordKey::Group { .. })
    ) || records::decode_offset_value(b).is_ok()
        || records::decode_group_value(b).is_ok()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::create_dir_all(dir).expect("create seed dir");
    let path: PathBuf = dir.join(name);
    std::fs::write(&path, bytes).expect("write seed");
    println!("{} ({} bytes)", path.display(), bytes.len());
}

/// A request frame as the broker sees it: header + body, no length prefix.
fn request<R: Encodable>(api: ApiKey, version: i16, body: &R) -> Vec<u8> {
    let mut buf = BytesMut::new();
    RequestHeader::default()
        .with_request_api_key(api as i16)
        .with_request_api_version(version)
        .with_correlation_id(7)
        .with_client_id(Some(StrBytes::from_static_str("fuzz")))
        .encode(&mut buf, api.request_header_version(version))
        .expect("encode header");
    body.encode(&mut buf, version).expect("encode body");
    buf.to_vec()
}

fn topic(name: &'static str) -> TopicName {
    TopicName(StrBytes::from_static_str(name))
}

fn sample_batch() -> Vec<u8> {
    batch::encode_batch(
        0,
        &[
            NewRecord {
                key: Some(b"k1"),
                value: Some(b"hello"),
                timestamp: 1_700_000_000_000,
            },
            NewRecord {
                key: Some(b"k2"),
                value: None,
                timestamp: 1_700_000_000_005,
            },
        ],
    )
}

fn request_frames(dir: &Path) {
    let api_versions = ApiVersionsRequest::default()
        .with_client_software_name(StrBytes::from_static_str("sluice-fuzz"))
        .with_client_software_version(StrBytes::from_static_str("0.1"));
    write(
        dir,
        "api_versions_v0",
        &request(ApiKey::ApiVersions, 0, &api_versions),
    );
    write(
        dir,
        "api_versions_v3",
        &request(ApiKey::ApiVersions, 3, &api_versions),
    );

    let metadata = MetadataRequest::default()
        .with_topics(Some(vec![
            MetadataRequestTopic::default().with_name(Some(topic("orders")))
        ]))
        .with_allow_auto_topic_creation(true);
    write(dir, "metadata_v1", &request(ApiKey::Metadata, 1, &metadata));
    write(
        dir,
        "metadata_v12",
        &request(ApiKey::Metadata, 12, &metadata),
    );

    let produce = ProduceRequest::default()
        .with_acks(-1)
        .with_timeout_ms(30_000)
        .with_topic_data(vec![TopicProduceData::default()
            .with_name(topic("orders"))
            .with_partition_data(vec![PartitionProduceData::default()
                .with_index(0)
                .with_records(Some(Bytes::from(sample_batch())))])]);
    write(dir, "produce_v3", &request(ApiKey::Produce, 3, &produce));
    write(dir, "produce_v9", &request(ApiKey::Produce, 9, &produce));

    let fetch = FetchRequest::default()
        .with_max_wait_ms(500)
        .with_min_bytes(1)
        .with_max_bytes(1 << 20)
        .with_topics(vec![FetchTopic::default()
            .with_topic(topic("orders"))
            .with_partitions(vec![FetchPartition::default()
                .with_partition(0)
                .with_fetch_offset(0)
                .with_partition_max_bytes(1 << 20)])]);
    write(dir, "fetch_v12", &request(ApiKey::Fetch, 12, &fetch));

    let join = JoinGroupRequest::default()
        .with_group_id(GroupId(StrBytes::from_static_str("g")))
        .with_session_timeout_ms(10_000)
        .with_rebalance_timeout_ms(30_000)
        .with_protocol_type(StrBytes::from_static_str("consumer"))
        .with_protocols(vec![JoinGroupRequestProtocol::default()
            .with_name(StrBytes::from_static_str("range"))
            .with_metadata(Bytes::from_static(b"\x00\x01"))]);
    write(dir, "join_group_v9", &request(ApiKey::JoinGroup, 9, &join));

    let commit = OffsetCommitRequest::default()
        .with_group_id(GroupId(StrBytes::from_static_str("g")))
        .with_generation_id_or_member_epoch(1)
        .with_member_id(StrBytes::from_static_str("m"))
        .with_topics(vec![OffsetCommitRequestTopic::default()
            .with_name(topic("orders"))
            .with_partitions(vec![OffsetCommitRequestPartition::default()
                .with_partition_index(0)
                .with_committed_offset(42)])]);
    write(
        dir,
        "offset_commit_v8",
        &request(ApiKey::OffsetCommit, 8, &commit),
    );

    let create = CreateTopicsRequest::default()
        .with_topics(vec![CreatableTopic::default()
            .with_name(topic("orders"))
            .with_num_partitions(3)
            .with_replication_factor(1)
            .with_configs(vec![CreatableTopicConfig::default()
                .with_name(StrBytes::from_static_str("cleanup.policy"))
                .with_value(Some(StrBytes::from_static_str("compact")))])])
        .with_timeout_ms(1000);
    write(
        dir,
        "create_topics_v7",
        &request(ApiKey::CreateTopics, 7, &create),
    );
}

/// Replaces the record section of `plain` (an uncompressed batch) by
/// `compressed`, sets the codec bits and fixes the length and CRC.
fn recompress(plain: &[u8], codec: i16, compressed: &[u8]) -> Vec<u8> {
    let mut out = plain[..HEADER_LEN].to_vec();
    out.extend_from_slice(compressed);
    let len = (out.len() - LOG_OVERHEAD) as i32;
    out[8..12].copy_from_slice(&len.to_be_bytes());
    out[21..23].copy_from_slice(&codec.to_be_bytes());
    batch::rewrite_crc(&mut out);
    out
}

fn record_batches(dir: &Path) {
    let plain = sample_batch();
    write(dir, "plain_two_records", &plain);
    write(dir, "empty", &batch::encode_batch(5, &[]));
    let keyless = batch::encode_batch(
        0,
        &[NewRecord {
            key: None,
            value: Some(b"v"),
            timestamp: 0,
        }],
    );
    write(dir, "keyless", &keyless);
    let mut two = plain.clone();
    two.extend_from_slice(&keyless);
    write(dir, "two_batches", &two);

    let records = &plain[HEADER_LEN..];
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(records).expect("gzip");
    write(
        dir,
        "gzip",
        &recompress(&plain, 1, &gz.finish().expect("gzip")),
    );
    let snappy = snap::raw::Encoder::new()
        .compress_vec(records)
        .expect("snappy");
    write(dir, "snappy_raw", &recompress(&plain, 2, &snappy));
    // Java clients' xerial framing: magic, version 1, compatible 1, [len, block]*.
    let mut xerial = b"\x82SNAPPY\x00".to_vec();
    xerial.extend_from_slice(&1u32.to_be_bytes());
    xerial.extend_from_slice(&1u32.to_be_bytes());
    xerial.extend_from_slice(&(snappy.len() as u32).to_be_bytes());
    xerial.extend_from_slice(&snappy);
    write(dir, "snappy_xerial", &recompress(&plain, 2, &xerial));
    let mut lz4 = lz4_flex::frame::FrameEncoder::new(Vec::new());
    lz4.write_all(records).expect("lz4");
    write(
        dir,
        "lz4",
        &recompress(&plain, 3, &lz4.finish().expect("lz4")),
    );
    let zstd = zstd::encode_all(records, 3).expect("zstd");
    write(dir, "zstd", &recompress(&plain, 4, &zstd));
}

fn offsets_records(dir: &Path) {
    let w = |name: &str, b: Result<Bytes, records::RecordError>| {
        write(dir, name, &b.expect("encode record"))
    };
    w(
        "offset_key_v1",
        records::encode_offset_key("g", "orders", 3),
    );
    w("group_key_v2", records::encode_group_key("g"));
    w(
        "offset_value_v3",
        records::encode_offset_value(&OffsetValue {
            offset: 42,
            leader_epoch: 1,
            metadata: "meta".into(),
            commit_timestamp: 1_700_000_000_000,
            expire_timestamp: -1,
        }),
    );
    w(
        "group_value_v3",
        records::encode_group_value(&GroupMetadataValue {
            protocol_type: "consumer".into(),
            generation: 2,
            protocol: Some("range".into()),
            leader: Some("m1".into()),
            current_state_timestamp: 1_700_000_000_000,
            members: vec![MemberMetadata {
                member_id: "m1".into(),
                group_instance_id: Some("i1".into()),
                client_id: "c".into(),
                client_host: "/127.0.0.1".into(),
                rebalance_timeout: 30_000,
                session_timeout: 10_000,
                subscription: Bytes::from_static(b"\x00\x01"),
                assignment: Bytes::from_static(b"\x00\x02"),
            }],
        }),
    );
    // Versions the broker reads but does not write, built by hand.
    // Offset value v1: offset, metadata, commit ts, expire ts (legacy encoding).
    let mut v1 = Vec::new();
    v1.extend_from_slice(&1i16.to_be_bytes());
    v1.extend_from_slice(&42i64.to_be_bytes());
    v1.extend_from_slice(&1i16.to_be_bytes());
    v1.push(b'm');
    v1.extend_from_slice(&1_700_000_000_000i64.to_be_bytes());
    v1.extend_from_slice(&1_700_000_600_000i64.to_be_bytes());
    write(dir, "offset_value_v1", &v1);
    // Offset value v4 (flexible): compact string (len + 1), then an empty tag section.
    let mut v4 = Vec::new();
    v4.extend_from_slice(&4i16.to_be_bytes());
    v4.extend_from_slice(&42i64.to_be_bytes());
    v4.extend_from_slice(&1i32.to_be_bytes());
    v4.push(2);
    v4.push(b'm');
    v4.extend_from_slice(&1_700_000_000_000i64.to_be_bytes());
    v4.push(0);
    write(dir, "offset_value_v4", &v4);
    // Group value v4 (flexible) with one member and a tag section after it.
    let mut g4 = Vec::new();
    g4.extend_from_slice(&4i16.to_be_bytes());
    g4.extend_from_slice(&[9, b'c', b'o', b'n', b's', b'u', b'm', b'e', b'r']);
    g4.extend_from_slice(&1i32.to_be_bytes());
    g4.extend_from_slice(&[6, b'r', b'a', b'n', b'g', b'e']); // protocol
    g4.extend_from_slice(&[3, b'm', b'1']); // leader
    g4.extend_from_slice(&1_700_000_000_000i64.to_be_bytes());
    g4.push(2); // one member
    g4.extend_from_slice(&[3, b'm', b'1']); // member id
    g4.push(0); // group instance id: null
    g4.extend_from_slice(&[2, b'c']); // client id
    g4.extend_from_slice(&[2, b'h']); // client host
    g4.extend_from_slice(&30_000i32.to_be_bytes());
    g4.extend_from_slice(&10_000i32.to_be_bytes());
    g4.extend_from_slice(&[3, 0, 1]); // subscription
    g4.extend_from_slice(&[3, 0, 2]); // assignment
    g4.push(0); // member tags
    g4.push(0); // value tags
    write(dir, "group_value_v4", &g4);
}
