//! Kafka record batches (magic v2), kept as opaque bytes.
//!
//! The broker never re-encodes a producer's batch: it validates the header and the
//! CRC-32C (which covers `attributes` to the end), checks the records inside, and
//! assigns offsets by patching `baseOffset` (bytes 0..8) and `partitionLeaderEpoch`
//! (12..16), which lie outside the CRC. This is what Kafka's `LogValidator` does and
//! what keeps produce cheap. Layout (big-endian):
//!
//! ```text
//! baseOffset:i64 @0  batchLength:i32 @8  partitionLeaderEpoch:i32 @12  magic:i8 @16
//! crc:u32 @17  attributes:i16 @21  lastOffsetDelta:i32 @23  baseTimestamp:i64 @27
//! maxTimestamp:i64 @35  producerId:i64 @43  producerEpoch:i16 @51  baseSequence:i32 @53
//! recordCount:i32 @57  records @61
//! ```
//!
//! Everything here is pure: bytes in, values out. Every size read from the input is
//! checked against the bytes actually present before anything is allocated, and
//! decompression is bounded.

use bytes::{Buf, Bytes};
use std::io::Read;

/// Size of the fixed batch header; `batchLength` counts from byte 12.
pub const HEADER_LEN: usize = 61;
/// Bytes before the part counted by `batchLength`.
pub const LOG_OVERHEAD: usize = 12;

const CRC_OFFSET: usize = 17;
const ATTRIBUTES_OFFSET: usize = 21;

/// A batch-level problem. Mapped to Kafka's `CORRUPT_MESSAGE` / `INVALID_RECORD`
/// error codes, or (for a decompression bomb) to closing the connection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    #[error("record batch is truncated: {0}")]
    Truncated(&'static str),
    #[error("unsupported record batch magic {0}; only magic 2 (Kafka 0.11+) batches are accepted")]
    UnsupportedMagic(i8),
    #[error(
        "record batch CRC mismatch: header says {expected:#010x}, content hashes to {actual:#010x}"
    )]
    CrcMismatch { expected: u32, actual: u32 },
    #[error("record batch is malformed: {0}")]
    Malformed(String),
    #[error("unknown compression codec {0}")]
    UnknownCompression(i16),
    #[error("record batch decompresses to more than {limit} bytes; refusing it")]
    DecompressionBomb { limit: usize },
    #[error("compacted topic requires every record to have a key")]
    MissingKey,
}

/// The compression codec in the low three bits of the attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Snappy,
    Lz4,
    Zstd,
}

impl Compression {
    fn from_attributes(attributes: i16) -> Result<Self, BatchError> {
        Ok(match attributes & 0x07 {
            0 => Compression::None,
            1 => Compression::Gzip,
            2 => Compression::Snappy,
            3 => Compression::Lz4,
            4 => Compression::Zstd,
            other => return Err(BatchError::UnknownCompression(other)),
        })
    }
}

/// The fixed header of one v2 batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchHeader {
    pub base_offset: i64,
    /// Length of the whole batch in bytes, header included.
    pub total_len: usize,
    pub partition_leader_epoch: i32,
    pub magic: i8,
    pub crc: u32,
    pub attributes: i16,
    pub last_offset_delta: i32,
    pub base_timestamp: i64,
    pub max_timestamp: i64,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub base_sequence: i32,
    pub record_count: i32,
}

impl BatchHeader {
    /// Parses the header at the start of `buf`. Only the header and the declared
    /// length are checked; use [`validate`] for the CRC and the records.
    pub fn parse(buf: &[u8]) -> Result<Self, BatchError> {
        if buf.len() < HEADER_LEN {
            return Err(BatchError::Truncated(
                "shorter than the 61-byte batch header",
            ));
        }
        let mut b = buf;
        let base_offset = b.get_i64();
        let batch_length = b.get_i32();
        let partition_leader_epoch = b.get_i32();
        let magic = b.get_i8();
        if magic != 2 {
            return Err(BatchError::UnsupportedMagic(magic));
        }
        let crc = b.get_u32();
        let attributes = b.get_i16();
        let last_offset_delta = b.get_i32();
        let base_timestamp = b.get_i64();
        let max_timestamp = b.get_i64();
        let producer_id = b.get_i64();
        let producer_epoch = b.get_i16();
        let base_sequence = b.get_i32();
        let record_count = b.get_i32();
        let total_len = usize::try_from(batch_length)
            .ok()
            .and_then(|l| l.checked_add(LOG_OVERHEAD))
            .filter(|&l| l >= HEADER_LEN)
            .ok_or_else(|| {
                BatchError::Malformed(format!("batch length {batch_length} is too small"))
            })?;
        if record_count < 0 || last_offset_delta < 0 {
            return Err(BatchError::Malformed(format!(
                "negative record count {record_count} or last offset delta {last_offset_delta}"
            )));
        }
        Ok(BatchHeader {
            base_offset,
            total_len,
            partition_leader_epoch,
            magic,
            crc,
            attributes,
            last_offset_delta,
            base_timestamp,
            max_timestamp,
            producer_id,
            producer_epoch,
            base_sequence,
            record_count,
        })
    }

    pub fn compression(&self) -> Result<Compression, BatchError> {
        Compression::from_attributes(self.attributes)
    }
    pub fn is_transactional(&self) -> bool {
        self.attributes & 0x10 != 0
    }
    pub fn is_control(&self) -> bool {
        self.attributes & 0x20 != 0
    }
    pub fn last_offset(&self) -> i64 {
        self.base_offset + i64::from(self.last_offset_delta)
    }
    /// The sequence of the last record, wrapping at `i32::MAX` as Kafka does.
    pub fn last_sequence(&self) -> i32 {
        if self.base_sequence < 0 {
            return -1;
        }
        let last = i64::from(self.base_sequence) + i64::from(self.last_offset_delta);
        if last > i64::from(i32::MAX) {
            (last - i64::from(i32::MAX) - 1) as i32
        } else {
            last as i32
        }
    }
    pub fn has_producer_id(&self) -> bool {
        self.producer_id >= 0
    }
}

/// Limits applied when validating a batch from a client.
#[derive(Debug, Clone, Copy)]
pub struct ValidationLimits {
    /// Upper bound for the decompressed size of one batch.
    pub max_decompressed_bytes: usize,
    /// Whether every record must carry a key (compacted topics).
    pub require_keys: bool,
}

/// Checks one complete batch (`buf` must be exactly one batch): header, CRC,
/// and every record inside (decompressing with a bound when compressed).
pub fn validate(buf: &[u8], limits: ValidationLimits) -> Result<BatchHeader, BatchError> {
    let header = BatchHeader::parse(buf)?;
    if header.total_len != buf.len() {
        return Err(BatchError::Malformed(format!(
            "batch length says {} bytes but {} were sent",
            header.total_len,
            buf.len()
        )));
    }
    let actual = crc32c::crc32c(&buf[ATTRIBUTES_OFFSET..]);
    if actual != header.crc {
        return Err(BatchError::CrcMismatch {
            expected: header.crc,
            actual,
        });
    }
    let mut records = 0i64;
    let mut last_delta = -1i64;
    for_each_record(
        &header,
        &buf[HEADER_LEN..],
        limits.max_decompressed_bytes,
        |r| {
            if i64::from(r.offset_delta) <= last_delta {
                return Err(BatchError::Malformed(
                    "record offset deltas are not increasing".into(),
                ));
            }
            last_delta = i64::from(r.offset_delta);
            if limits.require_keys && r.key.is_none() && !header.is_control() {
                return Err(BatchError::MissingKey);
            }
            records += 1;
            Ok(())
        },
    )?;
    if records != i64::from(header.record_count) {
        return Err(BatchError::Malformed(format!(
            "header says {} records, batch holds {records}",
            header.record_count
        )));
    }
    if last_delta > i64::from(header.last_offset_delta) {
        return Err(BatchError::Malformed(
            "a record's offset delta exceeds lastOffsetDelta".into(),
        ));
    }
    Ok(header)
}

/// Rewrites the broker-owned fields that lie outside the CRC: the base offset and
/// the partition leader epoch.
pub fn assign_offset(buf: &mut [u8], base_offset: i64, leader_epoch: i32) {
    buf[0..8].copy_from_slice(&base_offset.to_be_bytes());
    buf[12..16].copy_from_slice(&leader_epoch.to_be_bytes());
}

/// Recomputes the CRC of a batch whose attributes or records the broker rewrote
/// (compaction, LogAppendTime).
pub fn rewrite_crc(buf: &mut [u8]) {
    let crc = crc32c::crc32c(&buf[ATTRIBUTES_OFFSET..]);
    buf[CRC_OFFSET..CRC_OFFSET + 4].copy_from_slice(&crc.to_be_bytes());
}

/// One record inside a batch, borrowed from the (decompressed) record bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record<'a> {
    pub attributes: i8,
    pub timestamp_delta: i64,
    pub offset_delta: i32,
    pub key: Option<&'a [u8]>,
    pub value: Option<&'a [u8]>,
    pub headers: Vec<(&'a [u8], Option<&'a [u8]>)>,
}

/// Calls `f` for every record of the batch whose header is `header` and whose
/// record section (after the 61-byte header) is `records`.
pub fn for_each_record<F>(
    header: &BatchHeader,
    records: &[u8],
    max_decompressed_bytes: usize,
    mut f: F,
) -> Result<(), BatchError>
where
    F: FnMut(Record<'_>) -> Result<(), BatchError>,
{
    let decompressed;
    let mut buf: &[u8] = match header.compression()? {
        Compression::None => records,
        codec => {
            decompressed = decompress(codec, records, max_decompressed_bytes)?;
            &decompressed
        }
    };
    let mut remaining = header.record_count;
    while !buf.is_empty() {
        if remaining == 0 {
            return Err(BatchError::Malformed(
                "bytes left after the last record".into(),
            ));
        }
        let (record, rest) = parse_record(buf)?;
        f(record)?;
        buf = rest;
        remaining -= 1;
    }
    Ok(())
}

/// Decompresses a record section, failing once the output would exceed `limit`.
pub fn decompress(codec: Compression, input: &[u8], limit: usize) -> Result<Vec<u8>, BatchError> {
    let corrupt = |e: std::io::Error| {
        BatchError::Malformed(format!("cannot decompress {codec:?} records: {e}"))
    };
    match codec {
        Compression::None => Ok(input.to_vec()),
        Compression::Gzip => {
            read_bounded(flate2::read::MultiGzDecoder::new(input), limit).map_err(corrupt)?
        }
        Compression::Lz4 => {
            read_bounded(lz4_flex::frame::FrameDecoder::new(input), limit).map_err(corrupt)?
        }
        Compression::Zstd => {
            let decoder = zstd::stream::read::Decoder::with_buffer(input).map_err(corrupt)?;
            read_bounded(decoder, limit).map_err(corrupt)?
        }
        Compression::Snappy => snappy_decompress(input, limit),
    }
}

/// Reads `reader` to the end; `Ok(Err(bomb))` when it yields more than `limit` bytes.
fn read_bounded<R: Read>(reader: R, limit: usize) -> std::io::Result<Result<Vec<u8>, BatchError>> {
    let mut out = Vec::new();
    let read = reader.take(limit as u64 + 1).read_to_end(&mut out)?;
    if read > limit {
        return Ok(Err(BatchError::DecompressionBomb { limit }));
    }
    Ok(Ok(out))
}

const XERIAL_MAGIC: &[u8; 8] = b"\x82SNAPPY\x00";

/// Snappy as Kafka clients send it: Java's xerial block framing
/// (`magic, version, compatible version, [length, raw block]*`) or, from some
/// non-Java clients, one raw snappy block.
fn snappy_decompress(input: &[u8], limit: usize) -> Result<Vec<u8>, BatchError> {
    let corrupt =
        |e: snap::Error| BatchError::Malformed(format!("cannot decompress snappy records: {e}"));
    let raw_block = |block: &[u8], out: &mut Vec<u8>| -> Result<(), BatchError> {
        let len = snap::raw::decompress_len(block).map_err(corrupt)?;
        if out.len().saturating_add(len) > limit {
            return Err(BatchError::DecompressionBomb { limit });
        }
        let start = out.len();
        out.resize(start + len, 0);
        snap::raw::Decoder::new()
            .decompress(block, &mut out[start..])
            .map_err(corrupt)?;
        Ok(())
    };
    let mut out = Vec::new();
    if input.len() >= 16 && &input[..8] == XERIAL_MAGIC {
        let mut rest = &input[16..];
        while !rest.is_empty() {
            if rest.len() < 4 {
                return Err(BatchError::Malformed(
                    "truncated xerial snappy block length".into(),
                ));
            }
            let len = rest.get_u32() as usize;
            if len > rest.len() {
                return Err(BatchError::Malformed(
                    "xerial snappy block is longer than the batch".into(),
                ));
            }
            raw_block(&rest[..len], &mut out)?;
            rest = &rest[len..];
        }
    } else {
        raw_block(input, &mut out)?;
    }
    Ok(out)
}

fn parse_record(buf: &[u8]) -> Result<(Record<'_>, &[u8]), BatchError> {
    let mut cur = buf;
    let len = read_varint(&mut cur)?;
    let len = usize::try_from(len)
        .map_err(|_| BatchError::Malformed(format!("negative record length {len}")))?;
    if len > cur.len() {
        return Err(BatchError::Malformed(
            "record is longer than the batch".into(),
        ));
    }
    let (mut body, rest) = cur.split_at(len);
    if body.is_empty() {
        return Err(BatchError::Malformed("empty record".into()));
    }
    let attributes = body.get_i8();
    let timestamp_delta = read_varlong(&mut body)?;
    let offset_delta = read_varint(&mut body)?;
    let key = read_nullable_bytes(&mut body)?;
    let value = read_nullable_bytes(&mut body)?;
    let header_count = read_varint(&mut body)?;
    let header_count = usize::try_from(header_count)
        .ok()
        .filter(|&n| n <= body.len())
        .ok_or_else(|| BatchError::Malformed(format!("bad header count {header_count}")))?;
    let mut headers = Vec::with_capacity(header_count);
    for _ in 0..header_count {
        let name = read_nullable_bytes(&mut body)?
            .ok_or_else(|| BatchError::Malformed("null header key".into()))?;
        let value = read_nullable_bytes(&mut body)?;
        headers.push((name, value));
    }
    if !body.is_empty() {
        return Err(BatchError::Malformed(
            "trailing bytes inside a record".into(),
        ));
    }
    Ok((
        Record {
            attributes,
            timestamp_delta,
            offset_delta,
            key,
            value,
            headers,
        },
        rest,
    ))
}

fn read_nullable_bytes<'a>(buf: &mut &'a [u8]) -> Result<Option<&'a [u8]>, BatchError> {
    let len = read_varint(buf)?;
    if len < 0 {
        return Ok(None);
    }
    let len = len as usize;
    if len > buf.len() {
        return Err(BatchError::Malformed(
            "record field is longer than the record".into(),
        ));
    }
    let (field, rest) = buf.split_at(len);
    *buf = rest;
    Ok(Some(field))
}

fn read_varlong(buf: &mut &[u8]) -> Result<i64, BatchError> {
    let mut value: u64 = 0;
    for shift in (0..70).step_by(7) {
        if buf.is_empty() {
            return Err(BatchError::Malformed("truncated varint".into()));
        }
        let byte = buf.get_u8();
        if shift == 63 && byte > 1 {
            return Err(BatchError::Malformed("varint is too long".into()));
        }
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(((value >> 1) as i64) ^ -((value & 1) as i64));
        }
    }
    Err(BatchError::Malformed("varint is too long".into()))
}

fn read_varint(buf: &mut &[u8]) -> Result<i32, BatchError> {
    let v = read_varlong(buf)?;
    i32::try_from(v).map_err(|_| BatchError::Malformed("varint does not fit in 32 bits".into()))
}

/// Splits a produce/fetch `records` field into whole batches. A truncated tail
/// (a partial batch) is an error on produce.
pub fn split_batches(records: &Bytes) -> Result<Vec<Bytes>, BatchError> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < records.len() {
        let rest = &records[pos..];
        if rest.len() < HEADER_LEN {
            return Err(BatchError::Truncated(
                "trailing bytes shorter than a batch header",
            ));
        }
        let header = BatchHeader::parse(rest)?;
        if header.total_len > rest.len() {
            return Err(BatchError::Truncated(
                "batch length runs past the end of the request",
            ));
        }
        out.push(records.slice(pos..pos + header.total_len));
        pos += header.total_len;
    }
    Ok(out)
}

/// Writes a zigzag varint (used by the broker's own record encoder).
pub fn put_varlong(out: &mut Vec<u8>, value: i64) {
    let mut v = ((value << 1) ^ (value >> 63)) as u64;
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// One record for [`encode_batch`].
#[derive(Debug, Clone)]
pub struct NewRecord<'a> {
    pub key: Option<&'a [u8]>,
    pub value: Option<&'a [u8]>,
    pub timestamp: i64,
}

/// Encodes an uncompressed v2 batch with no producer id; used for the broker's
/// internal topics and by compaction. Offsets start at `base_offset`.
pub fn encode_batch(base_offset: i64, records: &[NewRecord<'_>]) -> Vec<u8> {
    let base_ts = records.first().map(|r| r.timestamp).unwrap_or(-1);
    let max_ts = records.iter().map(|r| r.timestamp).max().unwrap_or(-1);
    let mut body = Vec::new();
    for (i, r) in records.iter().enumerate() {
        let mut rec = vec![0u8]; // attributes
        put_varlong(&mut rec, r.timestamp - base_ts);
        put_varlong(&mut rec, i as i64);
        put_opt_bytes(&mut rec, r.key);
        put_opt_bytes(&mut rec, r.value);
        put_varlong(&mut rec, 0); // headers
        put_varlong(&mut body, rec.len() as i64);
        body.extend_from_slice(&rec);
    }
    let mut out = Vec::with_capacity(HEADER_LEN + body.len());
    out.extend_from_slice(&base_offset.to_be_bytes());
    out.extend_from_slice(&((HEADER_LEN - LOG_OVERHEAD + body.len()) as i32).to_be_bytes());
    out.extend_from_slice(&(-1i32).to_be_bytes());
    out.push(2);
    out.extend_from_slice(&0u32.to_be_bytes()); // crc, patched below
    out.extend_from_slice(&0i16.to_be_bytes());
    out.extend_from_slice(&(records.len().saturating_sub(1) as i32).to_be_bytes());
    out.extend_from_slice(&base_ts.to_be_bytes());
    out.extend_from_slice(&max_ts.to_be_bytes());
    out.extend_from_slice(&(-1i64).to_be_bytes());
    out.extend_from_slice(&(-1i16).to_be_bytes());
    out.extend_from_slice(&(-1i32).to_be_bytes());
    out.extend_from_slice(&(records.len() as i32).to_be_bytes());
    out.extend_from_slice(&body);
    rewrite_crc(&mut out);
    out
}

fn put_opt_bytes(out: &mut Vec<u8>, b: Option<&[u8]>) {
    match b {
        None => put_varlong(out, -1),
        Some(b) => {
            put_varlong(out, b.len() as i64);
            out.extend_from_slice(b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const LIMITS: ValidationLimits = ValidationLimits {
        max_decompressed_bytes: 1 << 20,
        require_keys: false,
    };

    #[test]
    fn encoded_batch_validates_and_round_trips() {
        let recs = [
            NewRecord {
                key: Some(b"k1"),
                value: Some(b"v1"),
                timestamp: 1000,
            },
            NewRecord {
                key: None,
                value: None,
                timestamp: 1005,
            },
        ];
        let b = encode_batch(7, &recs);
        let h = validate(&b, LIMITS).expect("valid");
        assert_eq!(
            (
                h.base_offset,
                h.record_count,
                h.last_offset(),
                h.max_timestamp
            ),
            (7, 2, 8, 1005)
        );
        let mut seen = Vec::new();
        for_each_record(&h, &b[HEADER_LEN..], 1 << 20, |r| {
            seen.push((
                r.key.map(<[u8]>::to_vec),
                r.value.map(<[u8]>::to_vec),
                r.timestamp_delta,
            ));
            Ok(())
        })
        .expect("records");
        assert_eq!(
            seen,
            vec![
                (Some(b"k1".to_vec()), Some(b"v1".to_vec()), 0),
                (None, None, 5)
            ]
        );
    }

    #[test]
    fn crc_mismatch_is_detected_and_offset_patch_keeps_crc() {
        let mut b = encode_batch(
            0,
            &[NewRecord {
                key: None,
                value: Some(b"x"),
                timestamp: 1,
            }],
        );
        assign_offset(&mut b, 42, 0);
        assert_eq!(
            validate(&b, LIMITS).expect("patch keeps crc").base_offset,
            42
        );
        let last = b.len() - 2;
        b[last] ^= 0xff;
        assert!(matches!(
            validate(&b, LIMITS),
            Err(BatchError::CrcMismatch { .. })
        ));
    }

    #[test]
    fn keyless_record_rejected_when_keys_required() {
        let b = encode_batch(
            0,
            &[NewRecord {
                key: None,
                value: Some(b"x"),
                timestamp: 1,
            }],
        );
        let limits = ValidationLimits {
            require_keys: true,
            ..LIMITS
        };
        assert_eq!(validate(&b, limits), Err(BatchError::MissingKey));
    }

    fn compressed_batch(codec: i16, payload: &[u8]) -> Vec<u8> {
        // Build an uncompressed batch, then compress its record section.
        let plain = encode_batch(
            0,
            &[NewRecord {
                key: Some(b"k"),
                value: Some(payload),
                timestamp: 1,
            }],
        );
        let records = &plain[HEADER_LEN..];
        let compressed: Vec<u8> = match codec {
            1 => {
                let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                std::io::Write::write_all(&mut e, records).expect("gzip");
                e.finish().expect("gzip")
            }
            2 => {
                let block = snap::raw::Encoder::new()
                    .compress_vec(records)
                    .expect("snappy");
                let mut v = XERIAL_MAGIC.to_vec();
                v.extend_from_slice(&1i32.to_be_bytes());
                v.extend_from_slice(&1i32.to_be_bytes());
                v.extend_from_slice(&(block.len() as u32).to_be_bytes());
                v.extend_from_slice(&block);
                v
            }
            3 => {
                let mut e = lz4_flex::frame::FrameEncoder::new(Vec::new());
                std::io::Write::write_all(&mut e, records).expect("lz4");
                e.finish().expect("lz4")
            }
            4 => zstd::encode_all(records, 1).expect("zstd"),
            _ => unreachable!(),
        };
        let mut out = plain[..HEADER_LEN].to_vec();
        out.extend_from_slice(&compressed);
        let len = (out.len() - LOG_OVERHEAD) as i32;
        out[8..12].copy_from_slice(&len.to_be_bytes());
        out[21..23].copy_from_slice(&codec.to_be_bytes());
        rewrite_crc(&mut out);
        out
    }

    #[test]
    fn every_codec_validates() {
        for codec in 1..=4 {
            let b = compressed_batch(codec, b"hello hello hello");
            let h = validate(&b, LIMITS).unwrap_or_else(|e| panic!("codec {codec}: {e}"));
            assert_eq!(h.record_count, 1);
        }
    }

    #[test]
    fn decompression_bomb_is_refused() {
        let payload = vec![0u8; 4 << 20];
        for codec in 1..=4 {
            let b = compressed_batch(codec, &payload);
            assert!(
                b.len() < 1 << 20,
                "codec {codec} should compress zeros well"
            );
            assert_eq!(
                validate(&b, LIMITS).map(|_| ()),
                Err(BatchError::DecompressionBomb { limit: 1 << 20 }),
                "codec {codec}"
            );
        }
    }

    #[test]
    fn last_sequence_wraps() {
        let mut h = BatchHeader::parse(&encode_batch(
            0,
            &[NewRecord {
                key: None,
                value: None,
                timestamp: 0,
            }],
        ))
        .expect("header");
        h.base_sequence = i32::MAX;
        h.last_offset_delta = 1;
        assert_eq!(h.last_sequence(), 0);
    }

    proptest! {
        #[test]
        fn validate_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = validate(&bytes, LIMITS);
            let _ = split_batches(&Bytes::from(bytes));
        }

        #[test]
        fn encode_then_validate(records in proptest::collection::vec(
            (proptest::option::of(proptest::collection::vec(any::<u8>(), 0..20)),
             proptest::option::of(proptest::collection::vec(any::<u8>(), 0..50)),
             0i64..1_000_000), 1..20), base in 0i64..1_000_000_000) {
            let recs: Vec<NewRecord<'_>> = records.iter()
                .map(|(k, v, t)| NewRecord { key: k.as_deref(), value: v.as_deref(), timestamp: *t })
                .collect();
            let b = encode_batch(base, &recs);
            let h = validate(&b, LIMITS).expect("valid");
            prop_assert_eq!(h.record_count as usize, recs.len());
            let mut i = 0;
            for_each_record(&h, &b[HEADER_LEN..], 1 << 20, |r| {
                assert_eq!(r.key, recs[i].key);
                assert_eq!(r.value, recs[i].value);
                assert_eq!(h.base_timestamp + r.timestamp_delta, recs[i].timestamp);
                i += 1;
                Ok(())
            }).expect("records");
        }
    }
}
