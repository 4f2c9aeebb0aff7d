//! The log of one partition: an ordered list of segments under
//! `<data dir>/<topic>-<partition>/`, laid out like Kafka's.
//!
//! A [`PartitionLog`] is plain synchronous code with no locking; the owner
//! (`topics::Partition`) wraps it in a mutex and does fsyncs outside the lock.
//! Reads return whole batches as opaque bytes, read with `pread` from a shared
//! file handle, so they can run outside the lock too ([`ReadPlan`]).
//!
//! Start-up: every segment is scanned batch by batch to rebuild the sparse
//! indexes and the idempotent-producer state. After an unclean shutdown each
//! batch's CRC is also verified, and the log is truncated at the first torn or
//! corrupt batch (nothing after it was acknowledged under the default
//! durability policy, because acks=all waits for fsync).

pub mod compact;
pub mod producer;
pub mod segment;

use crate::batch::{self, BatchHeader, HEADER_LEN};
use crate::error::{Error, Result};
use bytes::Bytes;
use producer::{ProducerStates, SequenceCheck};
use segment::Segment;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Per-topic settings that shape a log (Kafka topic config names in comments).
#[derive(Debug, Clone, PartialEq)]
pub struct LogConfig {
    /// `segment.bytes`
    pub segment_bytes: u64,
    /// `segment.ms`
    pub segment_ms: i64,
    /// `retention.ms` (-1: forever)
    pub retention_ms: i64,
    /// `retention.bytes` (-1: unbounded)
    pub retention_bytes: i64,
    /// `cleanup.policy` contains `compact`
    pub compact: bool,
    /// `cleanup.policy` contains `delete`
    pub delete: bool,
    /// `delete.retention.ms`
    pub delete_retention_ms: i64,
    /// `min.cleanable.dirty.ratio`
    pub min_cleanable_dirty_ratio: f64,
    /// `index.interval.bytes`
    pub index_interval_bytes: u64,
    /// `max.message.bytes`
    pub max_message_bytes: usize,
    /// `message.timestamp.type=LogAppendTime`
    pub log_append_time: bool,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            segment_bytes: 1 << 30,
            segment_ms: 7 * 24 * 3600 * 1000,
            retention_ms: 7 * 24 * 3600 * 1000,
            retention_bytes: -1,
            compact: false,
            delete: true,
            delete_retention_ms: 24 * 3600 * 1000,
            min_cleanable_dirty_ratio: 0.5,
            index_interval_bytes: 4096,
            max_message_bytes: 1_048_588,
            log_append_time: false,
        }
    }
}

/// The result of appending one producer batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppendOutcome {
    Appended {
        base_offset: i64,
        last_offset: i64,
        log_append_time: i64,
    },
    /// A retry of a batch already in the log: its original offsets.
    Duplicate { base_offset: i64 },
    /// A Kafka error code (sequence/epoch errors).
    Rejected(i16),
}

/// Where to read: a file range that holds only whole batches. Executing it needs
/// no lock.
#[derive(Debug, Clone)]
pub struct ReadPlan {
    file: Arc<File>,
    position: u64,
    len: usize,
}

impl ReadPlan {
    pub fn execute(&self) -> std::io::Result<Bytes> {
        let mut buf = vec![0u8; self.len];
        self.file.read_exact_at(&mut buf, self.position)?;
        Ok(Bytes::from(buf))
    }
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[derive(Debug)]
pub struct PartitionLog {
    dir: PathBuf,
    pub config: LogConfig,
    segments: Vec<Segment>,
    log_start_offset: i64,
    producers: ProducerStates,
    /// Segments rolled but not yet fsynced.
    unsynced: Vec<Arc<File>>,
    /// Compaction has cleaned everything below this offset.
    clean_offset: i64,
}

const LOG_START_FILE: &str = "log-start-offset";
const CLEAN_OFFSET_FILE: &str = "cleaner-offset";

impl PartitionLog {
    /// Opens (or creates) the log in `dir`. `verify` checks every batch's CRC
    /// (after an unclean shutdown).
    pub fn open(dir: &Path, config: LogConfig, verify: bool, now_ms: i64) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let mut bases: Vec<i64> = std::fs::read_dir(dir)
            .map_err(|e| Error::io(dir, e))?
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let stem = name.strip_suffix(".log")?;
                stem.parse::<i64>().ok()
            })
            .collect();
        bases.sort_unstable();
        let mut segments: Vec<Segment> = Vec::with_capacity(bases.len().max(1));
        let mut producers = ProducerStates::default();
        for (i, &base) in bases.iter().enumerate() {
            if let Some(prev) = segments.last() {
                if prev.next_offset > base {
                    // Overlap can only come from a crash during compaction's swap:
                    // keep the earlier segment and drop the later overlapping one.
                    tracing::warn!(dir = %dir.display(), base, "dropping overlapping segment");
                    std::fs::remove_file(segment::log_path(dir, base))
                        .map_err(|e| Error::io(dir, e))?;
                    continue;
                }
            }
            let seg =
                Segment::open_and_scan(dir, base, config.index_interval_bytes, verify, |b| {
                    producers.record(&b.header)
                })?;
            let corrupt_middle = seg.size == 0 && i + 1 < bases.len() && verify;
            if corrupt_middle {
                tracing::warn!(dir = %dir.display(), base, "empty segment in the middle of the log");
            }
            segments.push(seg);
        }
        let log_start_offset = read_offset_file(&dir.join(LOG_START_FILE))?
            .unwrap_or_else(|| segments.first().map_or(0, |s| s.base_offset));
        let clean_offset = read_offset_file(&dir.join(CLEAN_OFFSET_FILE))?.unwrap_or(0);
        if segments.is_empty() {
            segments.push(Segment::create(dir, log_start_offset, now_ms)?);
        }
        let mut log = PartitionLog {
            dir: dir.to_path_buf(),
            config,
            segments,
            log_start_offset,
            producers,
            unsynced: Vec::new(),
            clean_offset,
        };
        log.log_start_offset = log
            .log_start_offset
            .max(log.segments[0].base_offset)
            .min(log.log_end_offset());
        Ok(log)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
    pub fn log_start_offset(&self) -> i64 {
        self.log_start_offset
    }
    pub fn log_end_offset(&self) -> i64 {
        self.active().next_offset
    }
    pub fn size_bytes(&self) -> u64 {
        self.segments.iter().map(|s| s.size).sum()
    }
    pub fn segment_count(&self) -> usize {
        self.segments.len()
    }
    fn active(&self) -> &Segment {
        // `segments` is never empty: open() and every removal keep the active one.
        &self.segments[self.segments.len() - 1]
    }
    fn active_mut(&mut self) -> &mut Segment {
        let n = self.segments.len();
        &mut self.segments[n - 1]
    }

    /// Appends one validated batch (`batch` is a private copy the log may patch).
    pub fn append(
        &mut self,
        batch: &mut [u8],
        header: &BatchHeader,
        now_ms: i64,
    ) -> Result<AppendOutcome> {
        match self.producers.check(header) {
            SequenceCheck::Append => {}
            SequenceCheck::Duplicate(meta) => {
                return Ok(AppendOutcome::Duplicate {
                    base_offset: meta.first_offset,
                })
            }
            SequenceCheck::Reject(code) => return Ok(AppendOutcome::Rejected(code)),
        }
        self.maybe_roll(batch.len() as u64, now_ms)?;
        let base_offset = self.log_end_offset();
        batch::assign_offset(batch, base_offset, -1);
        let mut log_append_time = -1;
        if self.config.log_append_time {
            // LogAppendTime: set the timestamp-type bit and maxTimestamp, then re-CRC.
            let attributes = i16::from_be_bytes([batch[21], batch[22]]) | 0x08;
            batch[21..23].copy_from_slice(&attributes.to_be_bytes());
            batch[35..43].copy_from_slice(&now_ms.to_be_bytes());
            batch::rewrite_crc(batch);
            log_append_time = now_ms;
        }
        let mut h = *header;
        h.base_offset = base_offset;
        if log_append_time >= 0 {
            h.max_timestamp = now_ms;
        }
        let interval = self.config.index_interval_bytes;
        self.active_mut().append(batch, &h, interval)?;
        self.producers.record(&h);
        Ok(AppendOutcome::Appended {
            base_offset,
            last_offset: h.last_offset(),
            log_append_time,
        })
    }

    /// Appends records produced by the broker itself (internal topics).
    pub fn append_internal(
        &mut self,
        records: &[batch::NewRecord<'_>],
        now_ms: i64,
    ) -> Result<i64> {
        let mut bytes = batch::encode_batch(0, records);
        let header = BatchHeader::parse(&bytes)?;
        match self.append(&mut bytes, &header, now_ms)? {
            AppendOutcome::Appended { last_offset, .. } => Ok(last_offset),
            // Internal batches carry no producer id, so they are never duplicates.
            AppendOutcome::Duplicate { base_offset } => Ok(base_offset),
            AppendOutcome::Rejected(code) => {
                Err(Error::Config(format!("internal append rejected ({code})")))
            }
        }
    }

    fn maybe_roll(&mut self, incoming: u64, now_ms: i64) -> Result<()> {
        let a = self.active();
        let full = a.size > 0 && a.size + incoming > self.config.segment_bytes;
        let old = a.size > 0 && now_ms - a.created_ms >= self.config.segment_ms;
        // Relative offsets and positions in the index are u32.
        let index_full = a.size + incoming > u64::from(u32::MAX)
            || a.next_offset - a.base_offset > i64::from(u32::MAX) - 1_000_000;
        if full || old || index_full {
            self.roll(now_ms)?;
        }
        Ok(())
    }

    /// Starts a new active segment at the log end offset.
    pub fn roll(&mut self, now_ms: i64) -> Result<()> {
        let next = self.log_end_offset();
        let old = self.active();
        old.write_indexes()?;
        if old.dirty {
            self.unsynced.push(old.file.clone());
        }
        let seg = Segment::create(&self.dir, next, now_ms)?;
        self.active_mut().dirty = false;
        self.segments.push(seg);
        Ok(())
    }

    /// The files an fsync must cover to make everything up to the returned
    /// offset durable. The caller fsyncs them outside the lock.
    pub fn sync_targets(&mut self) -> (Vec<Arc<File>>, i64) {
        let mut files = std::mem::take(&mut self.unsynced);
        let active = self.active_mut();
        if active.dirty {
            active.dirty = false;
            files.push(active.file.clone());
        }
        (files, self.log_end_offset())
    }

    /// Plans a read of whole batches starting with the one that contains `offset`,
    /// up to `max_bytes` (but always at least one whole batch, as Kafka does so a
    /// large batch cannot block a consumer). `Ok(None)`: nothing at or after `offset`.
    /// `Err(offset out of range)` is the caller's job to check first.
    pub fn plan_read(&self, offset: i64, max_bytes: usize) -> Option<ReadPlan> {
        if offset >= self.log_end_offset() {
            return None;
        }
        // Segment containing the offset: the last one whose base ≤ offset.
        let i = self.segments.partition_point(|s| s.base_offset <= offset);
        let mut i = i.saturating_sub(1);
        loop {
            let seg = &self.segments[i];
            if let Some(plan) = plan_in_segment(seg, offset, max_bytes) {
                return Some(plan);
            }
            // Offset falls in a gap (compaction) past this segment's last batch.
            i += 1;
            if i >= self.segments.len() {
                return None;
            }
        }
    }

    /// First offset whose batch's max timestamp ≥ `ts`, with that record's
    /// timestamp (Kafka's ListOffsets by timestamp).
    pub fn offset_for_timestamp(&self, ts: i64, max_decompressed: usize) -> Option<(i64, i64)> {
        for seg in &self.segments {
            if seg.max_timestamp < ts {
                continue;
            }
            let mut pos = seg.lookup_time(ts);
            while let Some(h) = seg.header_at(pos) {
                if h.max_timestamp >= ts && h.last_offset() >= self.log_start_offset {
                    return Some(self.first_record_at_or_after(seg, pos, &h, ts, max_decompressed));
                }
                pos += h.total_len as u64;
            }
        }
        None
    }

    fn first_record_at_or_after(
        &self,
        seg: &Segment,
        pos: u64,
        h: &BatchHeader,
        ts: i64,
        limit: usize,
    ) -> (i64, i64) {
        let fallback = (h.base_offset.max(self.log_start_offset), h.max_timestamp);
        if h.attributes & 0x08 != 0 {
            // LogAppendTime: every record carries the batch's max timestamp.
            return fallback;
        }
        let mut buf = vec![0u8; h.total_len];
        if seg.file.read_exact_at(&mut buf, pos).is_err() {
            return fallback;
        }
        let mut found = None;
        let _ = batch::for_each_record(h, &buf[HEADER_LEN..], limit, |r| {
            let t = h.base_timestamp + r.timestamp_delta;
            let off = h.base_offset + i64::from(r.offset_delta);
            if found.is_none() && t >= ts && off >= self.log_start_offset {
                found = Some((off, t));
            }
            Ok(())
        });
        found.unwrap_or(fallback)
    }

    /// Max timestamp over the log and the offset of the batch holding it
    /// (ListOffsets -3, not advertised but cheap).
    pub fn max_timestamp(&self) -> i64 {
        self.segments
            .iter()
            .map(|s| s.max_timestamp)
            .max()
            .unwrap_or(-1)
    }

    /// Advances the log start offset (DeleteRecords); deletes whole segments below it.
    pub fn delete_records_before(&mut self, offset: i64) -> Result<i64> {
        let offset = offset.min(self.log_end_offset());
        if offset > self.log_start_offset {
            self.log_start_offset = offset;
            write_offset_file(&self.dir.join(LOG_START_FILE), offset)?;
        }
        self.drop_segments_below_start();
        Ok(self.log_start_offset)
    }

    fn drop_segments_below_start(&mut self) {
        while self.segments.len() > 1 && self.segments[0].next_offset <= self.log_start_offset {
            let seg = self.segments.remove(0);
            seg.delete_files();
        }
    }

    /// Deletes whole non-active segments past `retention.ms` / `retention.bytes`.
    /// Returns how many segments were removed.
    pub fn apply_retention(&mut self, now_ms: i64) -> Result<usize> {
        if !self.config.delete {
            return Ok(0);
        }
        let mut removed = 0;
        let mut total = self.size_bytes() as i64;
        while self.segments.len() > 1 {
            let seg = &self.segments[0];
            let last_ts = if seg.max_timestamp >= 0 {
                seg.max_timestamp
            } else {
                seg.created_ms
            };
            let too_old =
                self.config.retention_ms >= 0 && now_ms - last_ts > self.config.retention_ms;
            let too_big = self.config.retention_bytes >= 0
                && total - seg.size as i64 >= self.config.retention_bytes;
            if !(too_old || too_big) {
                break;
            }
            total -= seg.size as i64;
            let next = seg.next_offset;
            let seg = self.segments.remove(0);
            tracing::info!(dir = %self.dir.display(), base = seg.base_offset, reason = if too_old { "retention.ms" } else { "retention.bytes" }, "deleting log segment");
            seg.delete_files();
            removed += 1;
            if next > self.log_start_offset {
                self.log_start_offset = next;
                write_offset_file(&self.dir.join(LOG_START_FILE), next)?;
            }
        }
        Ok(removed)
    }

    /// Runs compaction when the dirty ratio calls for it; returns bytes reclaimed.
    pub fn maybe_compact(&mut self, now_ms: i64, max_decompressed: usize) -> Result<u64> {
        if !self.config.compact || self.segments.len() < 2 {
            return Ok(0);
        }
        let closed = &self.segments[..self.segments.len() - 1];
        let total: u64 = closed.iter().map(|s| s.size).sum();
        let dirty: u64 = closed
            .iter()
            .filter(|s| s.next_offset > self.clean_offset)
            .map(|s| s.size)
            .sum();
        if total == 0 || (dirty as f64) / (total as f64) < self.config.min_cleanable_dirty_ratio {
            return Ok(0);
        }
        self.compact_now(now_ms, max_decompressed)
    }

    /// Compacts every closed segment now: keeps the latest record per key, and
    /// drops tombstones older than `delete.retention.ms`.
    pub fn compact_now(&mut self, now_ms: i64, max_decompressed: usize) -> Result<u64> {
        let n = self.segments.len();
        if n < 2 {
            return Ok(0);
        }
        let latest = compact::latest_offsets(&self.segments, max_decompressed)?;
        let mut reclaimed = 0;
        let interval = self.config.index_interval_bytes;
        for i in 0..n - 1 {
            let seg = &self.segments[i];
            let drop_tombstones_before = now_ms - self.config.delete_retention_ms;
            if let Some(new) = compact::rewrite_segment(
                seg,
                &latest,
                drop_tombstones_before,
                interval,
                max_decompressed,
            )? {
                reclaimed += seg.size.saturating_sub(new.size);
                self.segments[i] = new;
            }
        }
        self.clean_offset = self.segments[n - 2].next_offset;
        write_offset_file(&self.dir.join(CLEAN_OFFSET_FILE), self.clean_offset)?;
        Ok(reclaimed)
    }

    /// Writes index files of the active segment and fsyncs everything (clean shutdown).
    pub fn close(&mut self) -> Result<()> {
        for f in std::mem::take(&mut self.unsynced) {
            f.sync_data().map_err(|e| Error::io(&self.dir, e))?;
        }
        let active = self.active();
        active.write_indexes()?;
        active.sync()
    }

    /// Deletes every file of the log (topic deletion).
    pub fn destroy(self) -> Result<()> {
        std::fs::remove_dir_all(&self.dir).map_err(|e| Error::io(&self.dir, e))
    }

    pub fn producer_count(&self) -> usize {
        self.producers.len()
    }
}

fn plan_in_segment(seg: &Segment, offset: i64, max_bytes: usize) -> Option<ReadPlan> {
    let mut pos = seg.lookup(offset);
    // Find the batch containing `offset` (or the first after it).
    let start = loop {
        let h = seg.header_at(pos)?;
        if h.last_offset() >= offset {
            break pos;
        }
        pos += h.total_len as u64;
    };
    // Extend over whole batches while they fit in max_bytes.
    let mut end = start;
    while let Some(h) = seg.header_at(end) {
        let next = end + h.total_len as u64;
        if end > start && (next - start) as usize > max_bytes {
            break;
        }
        end = next;
        if (end - start) as usize >= max_bytes {
            break;
        }
    }
    Some(ReadPlan {
        file: seg.file.clone(),
        position: start,
        len: (end - start) as usize,
    })
}

fn read_offset_file(path: &Path) -> Result<Option<i64>> {
    match std::fs::read_to_string(path) {
        Ok(s) => s
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| Error::Metadata {
                path: path.to_path_buf(),
                reason: format!("expected an offset, found {s:?}"),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

fn write_offset_file(path: &Path, offset: i64) -> Result<()> {
    crate::util::write_atomic(path, offset.to_string().as_bytes())
}

#[cfg(test)]
mod tests;
