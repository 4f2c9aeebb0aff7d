//! One log segment: `<baseOffset>.log` holding whole record batches back to back,
//! with Kafka's sparse `.index` (relative offset u32, position u32) and
//! `.timeindex` (timestamp i64, relative offset u32), all big-endian.
//!
//! The index files are written when a segment is rolled or the broker shuts down
//! cleanly; while a segment is active its indexes live in memory (and are rebuilt
//! from the log after a crash).

use crate::batch::{BatchHeader, HEADER_LEN};
use crate::error::{Error, Result};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub fn log_path(dir: &Path, base: i64) -> PathBuf {
    dir.join(format!("{base:020}.log"))
}
fn index_path(dir: &Path, base: i64) -> PathBuf {
    dir.join(format!("{base:020}.index"))
}
fn time_index_path(dir: &Path, base: i64) -> PathBuf {
    dir.join(format!("{base:020}.timeindex"))
}

/// What a scan of the batches of a segment found.
#[derive(Debug, Clone, Copy)]
pub struct ScannedBatch {
    pub position: u64,
    pub header: BatchHeader,
}

#[derive(Debug)]
pub struct Segment {
    pub base_offset: i64,
    pub dir: PathBuf,
    pub file: Arc<File>,
    /// Bytes of complete batches in the file.
    pub size: u64,
    /// Offset after the last batch (== base_offset when empty).
    pub next_offset: i64,
    pub max_timestamp: i64,
    /// Sparse (relative offset, position) entries, ascending.
    pub index: Vec<(u32, u32)>,
    /// (timestamp, relative offset) entries with increasing timestamps.
    pub time_index: Vec<(i64, u32)>,
    bytes_since_index: u64,
    /// Wall-clock time the segment was created (for `segment.ms`).
    pub created_ms: i64,
    /// Whether bytes were appended since the last fsync.
    pub dirty: bool,
}

impl Segment {
    pub fn create(dir: &Path, base_offset: i64, now_ms: i64) -> Result<Self> {
        let path = log_path(dir, base_offset);
        let file = OpenOptions::new()
            .create(true)
            .truncate(true)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        Ok(Segment::empty(dir, base_offset, file, now_ms, true))
    }

    /// Opens an existing segment and rebuilds its in-memory state by scanning its
    /// batches. With `verify`, each batch's CRC is checked. Anything after the
    /// last valid batch (a torn write, garbage) is truncated away. `visit` sees each
    /// valid batch in order.
    pub fn open_and_scan(
        dir: &Path,
        base_offset: i64,
        index_interval: u64,
        verify: bool,
        mut visit: impl FnMut(&ScannedBatch),
    ) -> Result<Self> {
        let path = log_path(dir, base_offset);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        let meta = file.metadata().map_err(|e| Error::io(&path, e))?;
        let file_len = meta.len();
        let created_ms = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        let mut seg = Segment::empty(dir, base_offset, file, created_ms, false);
        let mut pos = 0u64;
        let mut header_buf = [0u8; HEADER_LEN];
        let mut body = Vec::new();
        while pos + HEADER_LEN as u64 <= file_len {
            if seg.file.read_exact_at(&mut header_buf, pos).is_err() {
                break;
            }
            let Ok(h) = BatchHeader::parse(&header_buf) else {
                break;
            };
            let end = pos + h.total_len as u64;
            if end > file_len || h.base_offset < seg.next_offset {
                break;
            }
            if verify {
                body.resize(h.total_len, 0);
                if seg.file.read_exact_at(&mut body, pos).is_err() {
                    break;
                }
                if crc32c::crc32c(&body[21..]) != h.crc {
                    break;
                }
            }
            visit(&ScannedBatch {
                position: pos,
                header: h,
            });
            seg.note_batch(&h, pos, index_interval);
            pos = end;
        }
        if pos < file_len {
            tracing::warn!(
                segment = %path.display(),
                valid_bytes = pos,
                file_bytes = file_len,
                "truncating torn or corrupt tail of log segment"
            );
            seg.file.set_len(pos).map_err(|e| Error::io(&path, e))?;
            seg.file.sync_all().map_err(|e| Error::io(&path, e))?;
        }
        seg.size = pos;
        Ok(seg)
    }

    fn empty(dir: &Path, base_offset: i64, file: File, created_ms: i64, dirty: bool) -> Self {
        Segment {
            base_offset,
            dir: dir.to_path_buf(),
            file: Arc::new(file),
            size: 0,
            next_offset: base_offset,
            max_timestamp: -1,
            index: Vec::new(),
            time_index: Vec::new(),
            bytes_since_index: 0,
            created_ms,
            dirty,
        }
    }

    /// Updates offsets, timestamps and the sparse indexes for a batch stored at `position`.
    fn note_batch(&mut self, h: &BatchHeader, position: u64, index_interval: u64) {
        let rel = (h.base_offset - self.base_offset) as u32;
        if self.index.is_empty() || self.bytes_since_index >= index_interval {
            self.index.push((rel, position as u32));
            if h.max_timestamp > self.time_index.last().map_or(i64::MIN, |t| t.0) {
                self.time_index.push((h.max_timestamp, rel));
            }
            self.bytes_since_index = 0;
        }
        self.bytes_since_index += h.total_len as u64;
        self.next_offset = h.last_offset() + 1;
        self.max_timestamp = self.max_timestamp.max(h.max_timestamp);
    }

    /// Appends one batch whose offsets are already assigned.
    pub fn append(&mut self, batch: &[u8], h: &BatchHeader, index_interval: u64) -> Result<()> {
        let pos = self.size;
        self.file
            .write_all_at(batch, pos)
            .map_err(|e| Error::io(log_path(&self.dir, self.base_offset), e))?;
        self.note_batch(h, pos, index_interval);
        self.size += batch.len() as u64;
        self.dirty = true;
        Ok(())
    }

    /// The byte position from which to scan for `offset` (largest index entry ≤ it).
    pub fn lookup(&self, offset: i64) -> u64 {
        let rel = (offset - self.base_offset).max(0) as u64;
        let i = self.index.partition_point(|&(r, _)| u64::from(r) <= rel);
        if i == 0 {
            0
        } else {
            u64::from(self.index[i - 1].1)
        }
    }

    /// Position to start scanning for the first batch with max timestamp ≥ `ts`.
    pub fn lookup_time(&self, ts: i64) -> u64 {
        let i = self.time_index.partition_point(|&(t, _)| t < ts);
        if i == 0 {
            return 0;
        }
        // The entry before the first ≥ ts marks a batch whose max is < ts; start there.
        let rel = self.time_index[i - 1].1;
        self.lookup(self.base_offset + i64::from(rel))
    }

    /// Writes the index files (on roll and clean shutdown).
    pub fn write_indexes(&self) -> Result<()> {
        let mut idx = Vec::with_capacity(self.index.len() * 8);
        for &(rel, pos) in &self.index {
            idx.extend_from_slice(&rel.to_be_bytes());
            idx.extend_from_slice(&pos.to_be_bytes());
        }
        let mut tidx = Vec::with_capacity(self.time_index.len() * 12);
        for &(ts, rel) in &self.time_index {
            tidx.extend_from_slice(&ts.to_be_bytes());
            tidx.extend_from_slice(&rel.to_be_bytes());
        }
        write_file(&index_path(&self.dir, self.base_offset), &idx)?;
        write_file(&time_index_path(&self.dir, self.base_offset), &tidx)
    }

    pub fn sync(&self) -> Result<()> {
        self.file
            .sync_data()
            .map_err(|e| Error::io(log_path(&self.dir, self.base_offset), e))
    }

    /// Removes the segment's files.
    pub fn delete_files(&self) {
        for p in [
            log_path(&self.dir, self.base_offset),
            index_path(&self.dir, self.base_offset),
            time_index_path(&self.dir, self.base_offset),
        ] {
            if let Err(e) = std::fs::remove_file(&p) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!(file = %p.display(), error = %e, "cannot delete segment file");
                }
            }
        }
    }

    /// Reads the header of the batch at `pos`, if a complete one is there.
    pub fn header_at(&self, pos: u64) -> Option<BatchHeader> {
        if pos + HEADER_LEN as u64 > self.size {
            return None;
        }
        let mut buf = [0u8; HEADER_LEN];
        self.file.read_exact_at(&mut buf, pos).ok()?;
        BatchHeader::parse(&buf).ok()
    }
}

fn write_file(path: &Path, data: &[u8]) -> Result<()> {
    let mut f = File::create(path).map_err(|e| Error::io(path, e))?;
    f.write_all(data).map_err(|e| Error::io(path, e))?;
    f.sync_all().map_err(|e| Error::io(path, e))
}
