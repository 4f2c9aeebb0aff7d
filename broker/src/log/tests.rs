//! Unit tests of the partition log against a temporary directory.

use super::*;
use crate::batch::{encode_batch, NewRecord, ValidationLimits};

const LIMIT: usize = 1 << 20;

fn batch(values: &[&str], ts: i64) -> (Vec<u8>, BatchHeader) {
    let recs: Vec<NewRecord<'_>> = values
        .iter()
        .map(|v| NewRecord {
            key: Some(v.as_bytes()),
            value: Some(v.as_bytes()),
            timestamp: ts,
        })
        .collect();
    let b = encode_batch(0, &recs);
    let h = batch::validate(
        &b,
        ValidationLimits {
            max_decompressed_bytes: LIMIT,
            require_keys: false,
        },
    )
    .expect("valid");
    (b, h)
}

fn append(log: &mut PartitionLog, values: &[&str], ts: i64) -> i64 {
    let (mut b, h) = batch(values, ts);
    match log.append(&mut b, &h, ts).expect("append") {
        AppendOutcome::Appended { base_offset, .. } => base_offset,
        other => panic!("unexpected {other:?}"),
    }
}

fn read_offsets(log: &PartitionLog, from: i64) -> Vec<i64> {
    let mut out = Vec::new();
    let mut next = from;
    while let Some(plan) = log.plan_read(next, 1 << 20) {
        let bytes = plan.execute().expect("read");
        for b in batch::split_batches(&bytes).expect("whole batches") {
            let h = BatchHeader::parse(&b).expect("header");
            batch::for_each_record(&h, &b[HEADER_LEN..], LIMIT, |r| {
                out.push(h.base_offset + i64::from(r.offset_delta));
                Ok(())
            })
            .expect("records");
            next = h.last_offset() + 1;
        }
    }
    out
}

#[test]
fn append_read_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut log = PartitionLog::open(dir.path(), LogConfig::default(), false, 0).expect("open");
    assert_eq!(append(&mut log, &["a", "b"], 10), 0);
    assert_eq!(append(&mut log, &["c"], 20), 2);
    assert_eq!(log.log_end_offset(), 3);
    // A read starting inside a batch returns that whole batch.
    let plan = log.plan_read(1, 1).expect("data");
    let h = BatchHeader::parse(&plan.execute().expect("read")).expect("header");
    assert_eq!(h.base_offset, 0);
    assert_eq!(read_offsets(&log, 0), vec![0, 1, 2]);
    assert!(log.plan_read(3, 100).is_none());
    log.close().expect("close");
    drop(log);
    let log = PartitionLog::open(dir.path(), LogConfig::default(), true, 0).expect("reopen");
    assert_eq!(log.log_end_offset(), 3);
    assert_eq!(read_offsets(&log, 2), vec![2]);
}

#[test]
fn torn_tail_is_truncated_on_recovery() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut log = PartitionLog::open(dir.path(), LogConfig::default(), false, 0).expect("open");
    append(&mut log, &["a"], 1);
    append(&mut log, &["b"], 2);
    let seg_path = segment::log_path(dir.path(), 0);
    drop(log);
    // Simulate a crash mid-write: a partial third batch, then flip a byte of the second.
    let (b, _) = batch(&["c"], 3);
    let mut data = std::fs::read(&seg_path).expect("read seg");
    let good_len = data.len();
    data.extend_from_slice(&b[..b.len() / 2]);
    std::fs::write(&seg_path, &data).expect("write");
    let log = PartitionLog::open(dir.path(), LogConfig::default(), true, 0).expect("recover");
    assert_eq!(log.log_end_offset(), 2);
    assert_eq!(
        std::fs::metadata(&seg_path).expect("meta").len() as usize,
        good_len
    );
    drop(log);
    let mut data = std::fs::read(&seg_path).expect("read seg");
    let last = data.len() - 1;
    data[last] ^= 0x55;
    std::fs::write(&seg_path, &data).expect("write");
    let log = PartitionLog::open(dir.path(), LogConfig::default(), true, 0).expect("recover");
    assert_eq!(log.log_end_offset(), 1, "corrupt second batch dropped");
}

#[test]
fn segments_roll_and_retention_deletes_whole_segments() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = LogConfig {
        segment_bytes: 200,
        retention_bytes: 300,
        ..LogConfig::default()
    };
    let mut log = PartitionLog::open(dir.path(), config, false, 0).expect("open");
    for i in 0..20 {
        append(&mut log, &["0123456789012345678901234567890123456789"], i);
    }
    assert!(
        log.segment_count() > 3,
        "rolled into {} segments",
        log.segment_count()
    );
    let removed = log.apply_retention(100).expect("retention");
    assert!(removed > 0);
    assert!(log.size_bytes() <= 300 + 200);
    assert!(log.log_start_offset() > 0);
    assert_eq!(read_offsets(&log, log.log_start_offset()).last(), Some(&19));
    // Time-based: everything older than retention.ms goes, except the active segment.
    log.config.retention_bytes = -1;
    log.config.retention_ms = 10;
    log.apply_retention(1_000).expect("retention");
    assert_eq!(log.segment_count(), 1);
}

#[test]
fn offset_for_timestamp_and_delete_records() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut log = PartitionLog::open(dir.path(), LogConfig::default(), false, 0).expect("open");
    append(&mut log, &["a", "b"], 100);
    append(&mut log, &["c"], 200);
    assert_eq!(log.offset_for_timestamp(150, LIMIT), Some((2, 200)));
    assert_eq!(log.offset_for_timestamp(50, LIMIT), Some((0, 100)));
    assert_eq!(log.offset_for_timestamp(250, LIMIT), None);
    assert_eq!(log.delete_records_before(1).expect("delete"), 1);
    assert_eq!(log.log_start_offset(), 1);
    drop(log);
    let log = PartitionLog::open(dir.path(), LogConfig::default(), false, 0).expect("reopen");
    assert_eq!(log.log_start_offset(), 1, "log start offset persisted");
}

#[test]
fn compaction_keeps_latest_per_key_and_offsets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = LogConfig {
        compact: true,
        delete: false,
        segment_bytes: 150,
        ..LogConfig::default()
    };
    let mut log = PartitionLog::open(dir.path(), config, false, 0).expect("open");
    for v in ["k1", "k2", "k1", "k3", "k1", "k2", "k4", "k4"] {
        append(&mut log, &[v], 1_000);
    }
    let before = read_offsets(&log, 0);
    assert_eq!(before.len(), 8);
    log.compact_now(1_000, LIMIT).expect("compact");
    let after = read_offsets(&log, 0);
    // Latest k1 is 4, k2 is 5, k3 is 3, k4 is 7 (k4@6 may sit in the active segment).
    for o in [3, 4, 5, 7] {
        assert!(after.contains(&o), "offset {o} must survive: {after:?}");
    }
    for o in [0, 1, 2] {
        assert!(
            !after.contains(&o),
            "offset {o} must be compacted away: {after:?}"
        );
    }
    assert_eq!(log.log_end_offset(), 8);
}

#[test]
fn idempotent_duplicate_returns_original_offset() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut log = PartitionLog::open(dir.path(), LogConfig::default(), false, 0).expect("open");
    let (mut b, mut h) = batch(&["a", "b"], 1);
    b[43..51].copy_from_slice(&9i64.to_be_bytes());
    b[51..53].copy_from_slice(&0i16.to_be_bytes());
    b[53..57].copy_from_slice(&0i32.to_be_bytes());
    batch::rewrite_crc(&mut b);
    h.producer_id = 9;
    h.producer_epoch = 0;
    h.base_sequence = 0;
    let mut copy = b.clone();
    assert!(matches!(
        log.append(&mut b, &h, 1).expect("append"),
        AppendOutcome::Appended { base_offset: 0, .. }
    ));
    assert_eq!(
        log.append(&mut copy, &h, 1).expect("dup"),
        AppendOutcome::Duplicate { base_offset: 0 }
    );
    assert_eq!(log.log_end_offset(), 2);
    drop(log);
    // Producer state is rebuilt from the log: still a duplicate after restart.
    let mut log = PartitionLog::open(dir.path(), LogConfig::default(), true, 0).expect("reopen");
    let mut again = copy.clone();
    assert_eq!(
        log.append(&mut again, &h, 1).expect("dup"),
        AppendOutcome::Duplicate { base_offset: 0 }
    );
}
