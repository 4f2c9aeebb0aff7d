//! A request frame from an untrusted peer (the bytes after the 4-byte length
//! prefix), through the same gate as `broker::handlers::handle_frame`: header
//! peek, API key, advertised version range, then the header + body decoder.
//!
//! `handle_frame` wraps `decode` in `catch_unwind`; this target calls `decode`
//! directly so that any panic (and any huge allocation, which `catch_unwind`
//! cannot stop) is a finding.
#![no_main]

use broker::batch::{self, ValidationLimits};
use broker::handlers::{self, Request};
use bytes::Bytes;
use kafka_protocol::messages::ApiKey;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((key, version, _correlation_id)) = broker::server::peek_header(data) else {
        return;
    };
    let Ok(api) = ApiKey::try_from(key) else {
        return;
    };
    let Some((min, max)) = handlers::supported_range(api) else {
        return;
    };
    if version < min || version > max {
        return;
    }
    let Ok((_header, request)) = handlers::decode(api, version, Bytes::copy_from_slice(data))
    else {
        return;
    };
    // Produce carries client record batches; run them through the same
    // batch code the produce handler uses (split, then validate).
    if let Request::Produce(req) = request {
        for topic in &req.topic_data {
            for p in &topic.partition_data {
                let records = p.records.clone().unwrap_or_default();
                if let Ok(batches) = batch::split_batches(&records) {
                    for b in &batches {
                        let _ = batch::validate(
                            b,
                            ValidationLimits {
                                max_decompressed_bytes: 1 << 20,
                                require_keys: false,
                            },
                        );
                    }
                }
            }
        }
    }
});
