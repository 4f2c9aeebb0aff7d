//! `__consumer_offsets` records (read back from disk at startup, and what a
//! client could have produced to the topic): every decoder in
//! `broker::group::records` on the raw input, and, where decoding succeeds, an
//! encode/decode round trip through the versions the broker writes (key v1/v2,
//! offset value v3, group value v3).
#![no_main]

use broker::group::records::{self, RecordKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(key) = records::decode_key(data) {
        let encoded = match &key {
            RecordKey::Offset {
                group,
                topic,
                partition,
            } => Some(records::encode_offset_key(group, topic, *partition)),
            RecordKey::Group { group } => Some(records::encode_group_key(group)),
            RecordKey::Other(_) => None,
        };
        if let Some(Ok(bytes)) = encoded {
            let again = records::decode_key(&bytes).expect("re-encoded key decodes");
            assert_eq!(again, key, "key round trip");
        }
    }

    if let Ok(value) = records::decode_offset_value(data) {
        if let Ok(bytes) = records::encode_offset_value(&value) {
            let again =
                records::decode_offset_value(&bytes).expect("re-encoded offset value decodes");
            // v3 does not carry the (v1-only) expire timestamp.
            let mut expected = value.clone();
            expected.expire_timestamp = -1;
            assert_eq!(again, expected, "offset value round trip");
        }
    }

    if let Ok(value) = records::decode_group_value(data) {
        if let Ok(bytes) = records::encode_group_value(&value) {
            let again =
                records::decode_group_value(&bytes).expect("re-encoded group value decodes");
            assert_eq!(again, value, "group value round trip");
        }
    }
});
