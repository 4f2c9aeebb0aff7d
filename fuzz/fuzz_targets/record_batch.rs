//! Record batches from producers: `broker::batch::validate` (both with and
//! without the compacted-topic key requirement) and `split_batches`, plus
//! invariants the broker relies on:
//! - a batch that validates has `total_len == buf.len()`;
//! - requiring keys only ever rejects more;
//! - `assign_offset` touches only bytes outside the CRC, so a valid batch stays
//!   valid with the new base offset;
//! - `split_batches` returns contiguous batches covering the whole input.
//!
//! Random mutations almost never keep the CRC-32C right, so each input is also
//! checked a second time with `batchLength` and the CRC fixed up: that is what
//! lets the fuzzer reach the record parser and the decompressors.
#![no_main]

use broker::batch::{self, BatchError, BatchHeader, ValidationLimits, HEADER_LEN, LOG_OVERHEAD};
use bytes::Bytes;
use libfuzzer_sys::fuzz_target;

const MAX_DECOMPRESSED: usize = 1 << 20;

fn limits(require_keys: bool) -> ValidationLimits {
    ValidationLimits {
        max_decompressed_bytes: MAX_DECOMPRESSED,
        require_keys,
    }
}

fuzz_target!(|data: &[u8]| {
    check_one(data);
    if data.len() >= HEADER_LEN {
        let mut fixed = data.to_vec();
        if let Ok(len) = i32::try_from(fixed.len() - LOG_OVERHEAD) {
            fixed[8..12].copy_from_slice(&len.to_be_bytes());
        }
        batch::rewrite_crc(&mut fixed);
        check_one(&fixed);
    }
    check_split(data);
});

fn check_one(data: &[u8]) {
    let loose = batch::validate(data, limits(false));
    let strict = batch::validate(data, limits(true));
    if let Ok(h) = &loose {
        assert_eq!(h.total_len, data.len(), "validated batch length");
        assert_eq!(
            BatchHeader::parse(data).as_ref(),
            Ok(h),
            "parse agrees with validate"
        );
        let mut patched = data.to_vec();
        batch::assign_offset(&mut patched, 42, 7);
        let ph =
            batch::validate(&patched, limits(false)).expect("assign_offset keeps a batch valid");
        assert_eq!((ph.base_offset, ph.partition_leader_epoch), (42, 7));
    }
    match (&loose, &strict) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Ok(_), Err(BatchError::MissingKey)) => {}
        (Ok(_), Err(e)) => panic!("require_keys added an unexpected error: {e}"),
        (Err(_), Ok(_)) => panic!("require_keys accepted a batch that was otherwise invalid"),
        (Err(_), Err(_)) => {}
    }
}

fn check_split(data: &[u8]) {
    let bytes = Bytes::copy_from_slice(data);
    if let Ok(batches) = batch::split_batches(&bytes) {
        let mut pos = 0;
        for b in &batches {
            assert_eq!(&data[pos..pos + b.len()], &b[..], "batches are contiguous");
            let h = BatchHeader::parse(b).expect("split batch has a header");
            assert_eq!(h.total_len, b.len());
            pos += b.len();
            let _ = batch::validate(b, limits(false));
        }
        assert_eq!(pos, data.len(), "batches cover the input");
    }
}
