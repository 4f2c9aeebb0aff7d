//! Log compaction (`cleanup.policy=compact`): keep the latest record of every key.
//!
//! Like Kafka's cleaner, the active segment is never rewritten (but its keys do
//! supersede older records), offsets are preserved (a rewritten batch keeps its
//! base offset, producer id and sequence, with the surviving records' original
//! offset deltas), and tombstones (null values) survive `delete.retention.ms` so
//! consumers have time to see them. Each closed segment is rewritten in place
//! (`.log.cleaned`, fsync, rename), so a crash leaves either the old or the new file.

use super::segment::{self, Segment};
use crate::batch::{self, BatchHeader, HEADER_LEN};
use crate::error::{Error, Result};
use std::collections::HashMap;
use std::io::Write;
use std::os::unix::fs::FileExt;

/// Key → offset of its latest record, over all segments.
pub fn latest_offsets(
    segments: &[Segment],
    max_decompressed: usize,
) -> Result<HashMap<Vec<u8>, i64>> {
    let mut latest = HashMap::new();
    for seg in segments {
        for_each_batch(seg, |h, bytes| {
            if h.is_control() {
                return Ok(());
            }
            batch::for_each_record(h, &bytes[HEADER_LEN..], max_decompressed, |r| {
                if let Some(k) = r.key {
                    latest.insert(k.to_vec(), h.base_offset + i64::from(r.offset_delta));
                }
                Ok(())
            })?;
            Ok(())
        })?;
    }
    Ok(latest)
}

/// Rewrites `seg` keeping only each key's latest record. Returns the new segment,
/// or `None` when nothing would change.
pub fn rewrite_segment(
    seg: &Segment,
    latest: &HashMap<Vec<u8>, i64>,
    drop_tombstones_before_ms: i64,
    index_interval: u64,
    max_decompressed: usize,
) -> Result<Option<Segment>> {
    let mut out: Vec<u8> = Vec::with_capacity(seg.size as usize / 2);
    let mut changed = false;
    for_each_batch(seg, |h, bytes| {
        if h.is_control() {
            out.extend_from_slice(bytes);
            return Ok(());
        }
        let mut kept: Vec<(i32, Vec<u8>)> = Vec::new();
        let mut total = 0;
        batch::for_each_record(h, &bytes[HEADER_LEN..], max_decompressed, |r| {
            total += 1;
            let offset = h.base_offset + i64::from(r.offset_delta);
            let is_latest = match r.key {
                Some(k) => latest.get(k).is_none_or(|&o| o == offset),
                None => true,
            };
            let expired_tombstone = r.value.is_none()
                && h.base_timestamp + r.timestamp_delta < drop_tombstones_before_ms;
            if is_latest && !expired_tombstone {
                kept.push((r.offset_delta, encode_record(&r)));
            }
            Ok(())
        })?;
        if kept.len() == total && h.compression().ok() == Some(batch::Compression::None) {
            out.extend_from_slice(bytes);
            return Ok(());
        }
        changed = true;
        if !kept.is_empty() {
            out.extend_from_slice(&rebuild_batch(h, &kept));
        }
        Ok(())
    })?;
    if !changed {
        return Ok(None);
    }
    let final_path = segment::log_path(&seg.dir, seg.base_offset);
    let tmp = final_path.with_extension("log.cleaned");
    {
        let mut f = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        f.write_all(&out).map_err(|e| Error::io(&tmp, e))?;
        f.sync_all().map_err(|e| Error::io(&tmp, e))?;
    }
    std::fs::rename(&tmp, &final_path).map_err(|e| Error::io(&final_path, e))?;
    let new = Segment::open_and_scan(&seg.dir, seg.base_offset, index_interval, false, |_| {})?;
    new.write_indexes()?;
    Ok(Some(new))
}

fn for_each_batch(
    seg: &Segment,
    mut f: impl FnMut(&BatchHeader, &[u8]) -> Result<()>,
) -> Result<()> {
    let mut pos = 0u64;
    let mut buf = Vec::new();
    while let Some(h) = seg.header_at(pos) {
        buf.resize(h.total_len, 0);
        seg.file
            .read_exact_at(&mut buf, pos)
            .map_err(|e| Error::io(segment::log_path(&seg.dir, seg.base_offset), e))?;
        f(&h, &buf)?;
        pos += h.total_len as u64;
    }
    Ok(())
}

/// Re-encodes one record body exactly (attributes, deltas, key, value, headers).
fn encode_record(r: &batch::Record<'_>) -> Vec<u8> {
    let mut rec = vec![r.attributes as u8];
    batch::put_varlong(&mut rec, r.timestamp_delta);
    batch::put_varlong(&mut rec, i64::from(r.offset_delta));
    put_opt(&mut rec, r.key);
    put_opt(&mut rec, r.value);
    batch::put_varlong(&mut rec, r.headers.len() as i64);
    for (k, v) in &r.headers {
        put_opt(&mut rec, Some(k));
        put_opt(&mut rec, *v);
    }
    let mut out = Vec::with_capacity(rec.len() + 5);
    batch::put_varlong(&mut out, rec.len() as i64);
    out.extend_from_slice(&rec);
    out
}

fn put_opt(out: &mut Vec<u8>, b: Option<&[u8]>) {
    match b {
        None => batch::put_varlong(out, -1),
        Some(b) => {
            batch::put_varlong(out, b.len() as i64);
            out.extend_from_slice(b);
        }
    }
}

/// A batch with the original header fields, uncompressed, holding `kept` records.
fn rebuild_batch(h: &BatchHeader, kept: &[(i32, Vec<u8>)]) -> Vec<u8> {
    let body_len: usize = kept.iter().map(|(_, r)| r.len()).sum();
    let mut out = Vec::with_capacity(HEADER_LEN + body_len);
    out.extend_from_slice(&h.base_offset.to_be_bytes());
    out.extend_from_slice(&((HEADER_LEN - batch::LOG_OVERHEAD + body_len) as i32).to_be_bytes());
    out.extend_from_slice(&h.partition_leader_epoch.to_be_bytes());
    out.push(2);
    out.extend_from_slice(&0u32.to_be_bytes());
    // Stored uncompressed now: clear the codec bits, keep timestamp type / txn / control.
    out.extend_from_slice(&(h.attributes & !0x07).to_be_bytes());
    // lastOffsetDelta is kept so the producer's sequence bookkeeping still lines up.
    out.extend_from_slice(&h.last_offset_delta.to_be_bytes());
    out.extend_from_slice(&h.base_timestamp.to_be_bytes());
    out.extend_from_slice(&h.max_timestamp.to_be_bytes());
    out.extend_from_slice(&h.producer_id.to_be_bytes());
    out.extend_from_slice(&h.producer_epoch.to_be_bytes());
    out.extend_from_slice(&h.base_sequence.to_be_bytes());
    out.extend_from_slice(&(kept.len() as i32).to_be_bytes());
    for (_, r) in kept {
        out.extend_from_slice(r);
    }
    batch::rewrite_crc(&mut out);
    out
}
