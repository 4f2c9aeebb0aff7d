//! The `__consumer_offsets` record formats, byte-compatible with Apache Kafka
//! (`group-coordinator/src/main/resources/common/message/*.json`).
//!
//! Keys start with an int16 that names the record type: 0 and 1 are offset
//! commits (`OffsetCommitKey`), 2 is group metadata (`GroupMetadataKey`); higher
//! numbers belong to record types this coordinator does not use (KIP-848
//! consumer groups, share groups, ...). Values start with their own int16
//! version. Versions 0-3 use Kafka's legacy big-endian struct encoding
//! (STRING = int16 length + UTF-8, BYTES = int32 length, ARRAY = int32 count);
//! version 4 of both value types is "flexible" (compact lengths and tagged
//! fields). We write offset values v3 and group values v3, like Kafka 3.x/4.0,
//! and read v0-v4.
//!
//! Every function here is pure. Decoders never panic and never allocate more
//! than the input could hold.

use bytes::{BufMut, Bytes, BytesMut};

/// Key type of an offset commit record (Kafka writes 1; 0 is the legacy form).
const OFFSET_COMMIT_KEY_VERSION: i16 = 1;
/// Key type of a group metadata record.
const GROUP_METADATA_KEY_VERSION: i16 = 2;
/// The offset commit value version we write.
const OFFSET_COMMIT_VALUE_VERSION: i16 = 3;
/// The group metadata value version we write.
const GROUP_METADATA_VALUE_VERSION: i16 = 3;

/// Why a record could not be encoded or decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("record truncated: needed {needed} more bytes at offset {at}")]
    Truncated { at: usize, needed: usize },
    #[error("invalid length {len} at offset {at}")]
    InvalidLength { at: usize, len: i64 },
    #[error("string at offset {at} is not valid UTF-8")]
    InvalidUtf8 { at: usize },
    #[error("unsupported {what} version {version}")]
    UnsupportedVersion { what: &'static str, version: i16 },
    #[error("null value for non-nullable field {0}")]
    UnexpectedNull(&'static str),
    #[error("{what} is {len} bytes, longer than the format allows ({max})")]
    TooLong {
        what: &'static str,
        len: usize,
        max: usize,
    },
}

/// A decoded `__consumer_offsets` key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordKey {
    /// The committed offset of one partition for one group.
    Offset {
        group: String,
        topic: String,
        partition: i32,
    },
    /// The membership and assignment of one classic group.
    Group { group: String },
    /// A record type this coordinator does not read (its key version).
    Other(i16),
}

/// An offset commit value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffsetValue {
    pub offset: i64,
    /// -1 when unknown (values before v3 do not carry it).
    pub leader_epoch: i32,
    pub metadata: String,
    pub commit_timestamp: i64,
    /// Only value v1 carries it; -1 otherwise. Read but never written.
    pub expire_timestamp: i64,
}

/// A group metadata value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMetadataValue {
    pub protocol_type: String,
    pub generation: i32,
    pub protocol: Option<String>,
    pub leader: Option<String>,
    /// -1 when unknown (values before v2 do not carry it).
    pub current_state_timestamp: i64,
    pub members: Vec<MemberMetadata>,
}

/// One member inside a group metadata value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberMetadata {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub client_id: String,
    pub client_host: String,
    /// -1 when unknown (v0 does not carry it).
    pub rebalance_timeout: i32,
    pub session_timeout: i32,
    pub subscription: Bytes,
    pub assignment: Bytes,
}

/// Encodes an offset commit key (key version 1).
pub fn encode_offset_key(group: &str, topic: &str, partition: i32) -> Result<Bytes, RecordError> {
    let mut buf = BytesMut::with_capacity(2 + 2 + group.len() + 2 + topic.len() + 4);
    buf.put_i16(OFFSET_COMMIT_KEY_VERSION);
    put_string(&mut buf, "group id", group)?;
    put_string(&mut buf, "topic", topic)?;
    buf.put_i32(partition);
    Ok(buf.freeze())
}

/// Encodes a group metadata key (key version 2).
pub fn encode_group_key(group: &str) -> Result<Bytes, RecordError> {
    let mut buf = BytesMut::with_capacity(2 + 2 + group.len());
    buf.put_i16(GROUP_METADATA_KEY_VERSION);
    put_string(&mut buf, "group id", group)?;
    Ok(buf.freeze())
}

/// Encodes an offset commit value (value version 3; the expire timestamp is not written).
pub fn encode_offset_value(value: &OffsetValue) -> Result<Bytes, RecordError> {
    let mut buf = BytesMut::with_capacity(2 + 8 + 4 + 2 + value.metadata.len() + 8);
    buf.put_i16(OFFSET_COMMIT_VALUE_VERSION);
    buf.put_i64(value.offset);
    buf.put_i32(value.leader_epoch);
    put_string(&mut buf, "offset metadata", &value.metadata)?;
    buf.put_i64(value.commit_timestamp);
    Ok(buf.freeze())
}

/// Encodes a group metadata value (value version 3).
pub fn encode_group_value(value: &GroupMetadataValue) -> Result<Bytes, RecordError> {
    let mut buf = BytesMut::with_capacity(64);
    buf.put_i16(GROUP_METADATA_VALUE_VERSION);
    put_string(&mut buf, "protocol type", &value.protocol_type)?;
    buf.put_i32(value.generation);
    put_nullable_string(&mut buf, "protocol", value.protocol.as_deref())?;
    put_nullable_string(&mut buf, "leader", value.leader.as_deref())?;
    buf.put_i64(value.current_state_timestamp);
    let count = i32::try_from(value.members.len()).map_err(|_| RecordError::TooLong {
        what: "member list",
        len: value.members.len(),
        max: i32::MAX as usize,
    })?;
    buf.put_i32(count);
    for member in &value.members {
        put_string(&mut buf, "member id", &member.member_id)?;
        put_nullable_string(
            &mut buf,
            "group instance id",
            member.group_instance_id.as_deref(),
        )?;
        put_string(&mut buf, "client id", &member.client_id)?;
        put_string(&mut buf, "client host", &member.client_host)?;
        buf.put_i32(member.rebalance_timeout);
        buf.put_i32(member.session_timeout);
        put_bytes(&mut buf, "subscription", &member.subscription)?;
        put_bytes(&mut buf, "assignment", &member.assignment)?;
    }
    Ok(buf.freeze())
}

/// Decodes any `__consumer_offsets` key.
pub fn decode_key(bytes: &[u8]) -> Result<RecordKey, RecordError> {
    let mut r = Reader::new(bytes);
    let version = r.i16()?;
    match version {
        0 | 1 => Ok(RecordKey::Offset {
            group: r.string("group")?,
            topic: r.string("topic")?,
            partition: r.i32()?,
        }),
        2 => Ok(RecordKey::Group {
            group: r.string("group")?,
        }),
        other => Ok(RecordKey::Other(other)),
    }
}

/// Decodes an offset commit value, versions 0-4.
pub fn decode_offset_value(bytes: &[u8]) -> Result<OffsetValue, RecordError> {
    let mut r = Reader::new(bytes);
    let version = r.i16()?;
    if !(0..=4).contains(&version) {
        return Err(RecordError::UnsupportedVersion {
            what: "offset commit value",
            version,
        });
    }
    r.flexible = version >= 4;
    let offset = r.i64()?;
    let leader_epoch = if version >= 3 { r.i32()? } else { -1 };
    let metadata = r.string("metadata")?;
    let commit_timestamp = r.i64()?;
    let expire_timestamp = if version == 1 { r.i64()? } else { -1 };
    r.skip_tagged_fields()?;
    Ok(OffsetValue {
        offset,
        leader_epoch,
        metadata,
        commit_timestamp,
        expire_timestamp,
    })
}

/// Decodes a group metadata value, versions 0-4.
pub fn decode_group_value(bytes: &[u8]) -> Result<GroupMetadataValue, RecordError> {
    let mut r = Reader::new(bytes);
    let version = r.i16()?;
    if !(0..=4).contains(&version) {
        return Err(RecordError::UnsupportedVersion {
            what: "group metadata value",
            version,
        });
    }
    r.flexible = version >= 4;
    let protocol_type = r.string("protocolType")?;
    let generation = r.i32()?;
    let protocol = r.nullable_string()?;
    let leader = r.nullable_string()?;
    let current_state_timestamp = if version >= 2 { r.i64()? } else { -1 };
    // The smallest possible member bounds the count before allocating: v0 has
    // three empty strings, one int32 and two empty byte arrays (18 bytes);
    // flexible members have one-byte lengths, two int32s and a tag section.
    let min_member = if r.flexible { 15 } else { 18 };
    let count = r.array_len(min_member)?;
    let mut members = Vec::with_capacity(count);
    for _ in 0..count {
        let member_id = r.string("memberId")?;
        let group_instance_id = if version >= 3 {
            r.nullable_string()?
        } else {
            None
        };
        let client_id = r.string("clientId")?;
        let client_host = r.string("clientHost")?;
        let rebalance_timeout = if version >= 1 { r.i32()? } else { -1 };
        let session_timeout = r.i32()?;
        let subscription = r.bytes("subscription")?;
        let assignment = r.bytes("assignment")?;
        r.skip_tagged_fields()?;
        members.push(MemberMetadata {
            member_id,
            group_instance_id,
            client_id,
            client_host,
            rebalance_timeout,
            session_timeout,
            subscription,
            assignment,
        });
    }
    r.skip_tagged_fields()?;
    Ok(GroupMetadataValue {
        protocol_type,
        generation,
        protocol,
        leader,
        current_state_timestamp,
        members,
    })
}

fn put_string(buf: &mut BytesMut, what: &'static str, s: &str) -> Result<(), RecordError> {
    let len = i16::try_from(s.len()).map_err(|_| RecordError::TooLong {
        what,
        len: s.len(),
        max: i16::MAX as usize,
    })?;
    buf.put_i16(len);
    buf.put_slice(s.as_bytes());
    Ok(())
}

fn put_nullable_string(
    buf: &mut BytesMut,
    what: &'static str,
    s: Option<&str>,
) -> Result<(), RecordError> {
    match s {
        Some(s) => put_string(buf, what, s),
        None => {
            buf.put_i16(-1);
            Ok(())
        }
    }
}

fn put_bytes(buf: &mut BytesMut, what: &'static str, b: &[u8]) -> Result<(), RecordError> {
    let len = i32::try_from(b.len()).map_err(|_| RecordError::TooLong {
        what,
        len: b.len(),
        max: i32::MAX as usize,
    })?;
    buf.put_i32(len);
    buf.put_slice(b);
    Ok(())
}

/// A bounds-checked cursor over a record; `flexible` switches lengths to Kafka's
/// compact (unsigned varint, length + 1) form.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    flexible: bool,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Reader {
            buf,
            pos: 0,
            flexible: false,
        }
    }

    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], RecordError> {
        if self.remaining() < n {
            return Err(RecordError::Truncated {
                at: self.pos,
                needed: n - self.remaining(),
            });
        }
        let slice = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], RecordError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn i16(&mut self) -> Result<i16, RecordError> {
        Ok(i16::from_be_bytes(self.array()?))
    }

    fn i32(&mut self) -> Result<i32, RecordError> {
        Ok(i32::from_be_bytes(self.array()?))
    }

    fn i64(&mut self) -> Result<i64, RecordError> {
        Ok(i64::from_be_bytes(self.array()?))
    }

    fn unsigned_varint(&mut self) -> Result<u32, RecordError> {
        let start = self.pos;
        let mut value: u32 = 0;
        for shift in (0..35).step_by(7) {
            let [byte] = self.array::<1>()?;
            value |= u32::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(RecordError::InvalidLength { at: start, len: -1 })
    }

    /// Reads a length prefix; `None` means null (-1).
    fn length(&mut self, wide: bool) -> Result<Option<usize>, RecordError> {
        let at = self.pos;
        let len: i64 = if self.flexible {
            i64::from(self.unsigned_varint()?) - 1
        } else if wide {
            i64::from(self.i32()?)
        } else {
            i64::from(self.i16()?)
        };
        match len {
            -1 => Ok(None),
            n if n < 0 => Err(RecordError::InvalidLength { at, len: n }),
            n => {
                let n =
                    usize::try_from(n).map_err(|_| RecordError::InvalidLength { at, len: n })?;
                if n > self.remaining() {
                    return Err(RecordError::Truncated {
                        at: self.pos,
                        needed: n - self.remaining(),
                    });
                }
                Ok(Some(n))
            }
        }
    }

    fn nullable_string(&mut self) -> Result<Option<String>, RecordError> {
        let Some(len) = self.length(false)? else {
            return Ok(None);
        };
        let at = self.pos;
        let raw = self.take(len)?;
        let s = std::str::from_utf8(raw).map_err(|_| RecordError::InvalidUtf8 { at })?;
        Ok(Some(s.to_owned()))
    }

    fn string(&mut self, field: &'static str) -> Result<String, RecordError> {
        self.nullable_string()?
            .ok_or(RecordError::UnexpectedNull(field))
    }

    fn bytes(&mut self, field: &'static str) -> Result<Bytes, RecordError> {
        let len = self
            .length(true)?
            .ok_or(RecordError::UnexpectedNull(field))?;
        Ok(Bytes::copy_from_slice(self.take(len)?))
    }

    /// Reads an array count and checks that `count` elements of at least
    /// `min_element` bytes each can fit in what is left.
    fn array_len(&mut self, min_element: usize) -> Result<usize, RecordError> {
        let at = self.pos;
        let count: i64 = if self.flexible {
            i64::from(self.unsigned_varint()?) - 1
        } else {
            i64::from(self.i32()?)
        };
        if count < 0 {
            return Err(RecordError::UnexpectedNull("members"));
        }
        let count =
            usize::try_from(count).map_err(|_| RecordError::InvalidLength { at, len: count })?;
        if count.saturating_mul(min_element.max(1)) > self.remaining() {
            return Err(RecordError::InvalidLength {
                at,
                len: count as i64,
            });
        }
        Ok(count)
    }

    /// Skips a flexible struct's tagged fields (no-op for non-flexible versions).
    fn skip_tagged_fields(&mut self) -> Result<(), RecordError> {
        if !self.flexible {
            return Ok(());
        }
        let count = self.unsigned_varint()?;
        for _ in 0..count {
            let _tag = self.unsigned_varint()?;
            let size = self.unsigned_varint()? as usize;
            self.take(size)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample_group() -> GroupMetadataValue {
        GroupMetadataValue {
            protocol_type: "consumer".into(),
            generation: 7,
            protocol: Some("range".into()),
            leader: Some("m1".into()),
            current_state_timestamp: 1_700_000_000_000,
            members: vec![
                MemberMetadata {
                    member_id: "m1".into(),
                    group_instance_id: Some("i1".into()),
                    client_id: "c1".into(),
                    client_host: "/127.0.0.1".into(),
                    rebalance_timeout: 300_000,
                    session_timeout: 45_000,
                    subscription: Bytes::from_static(b"\x00\x01sub"),
                    assignment: Bytes::from_static(b"\x00\x01asg"),
                },
                MemberMetadata {
                    member_id: "m2".into(),
                    group_instance_id: None,
                    client_id: "c2".into(),
                    client_host: "/10.0.0.2".into(),
                    rebalance_timeout: 60_000,
                    session_timeout: 10_000,
                    subscription: Bytes::new(),
                    assignment: Bytes::new(),
                },
            ],
        }
    }

    #[test]
    fn offset_key_round_trip_and_layout() {
        let key = encode_offset_key("g", "t", 3).expect("encode");
        assert_eq!(&key[..], b"\x00\x01\x00\x01g\x00\x01t\x00\x00\x00\x03");
        assert_eq!(
            decode_key(&key),
            Ok(RecordKey::Offset {
                group: "g".into(),
                topic: "t".into(),
                partition: 3
            })
        );
    }

    #[test]
    fn group_key_round_trip_and_layout() {
        let key = encode_group_key("grp").expect("encode");
        assert_eq!(&key[..], b"\x00\x02\x00\x03grp");
        assert_eq!(
            decode_key(&key),
            Ok(RecordKey::Group {
                group: "grp".into()
            })
        );
        assert_eq!(decode_key(b"\x00\x05whatever"), Ok(RecordKey::Other(5)));
    }

    #[test]
    fn offset_value_round_trip_and_layout() {
        let value = OffsetValue {
            offset: 42,
            leader_epoch: 5,
            metadata: "meta data".into(),
            commit_timestamp: 1234,
            expire_timestamp: -1,
        };
        let bytes = encode_offset_value(&value).expect("encode");
        let mut expected = vec![0, 3];
        expected.extend_from_slice(&42i64.to_be_bytes());
        expected.extend_from_slice(&5i32.to_be_bytes());
        expected.extend_from_slice(&9i16.to_be_bytes());
        expected.extend_from_slice(b"meta data");
        expected.extend_from_slice(&1234i64.to_be_bytes());
        assert_eq!(&bytes[..], &expected[..]);
        assert_eq!(decode_offset_value(&bytes), Ok(value));
    }

    #[test]
    fn offset_value_v1_and_v4_decode() {
        // v1: offset, metadata, commitTimestamp, expireTimestamp.
        let mut v1 = vec![0, 1];
        v1.extend_from_slice(&10i64.to_be_bytes());
        v1.extend_from_slice(&[0, 2, b'm', b'd']);
        v1.extend_from_slice(&20i64.to_be_bytes());
        v1.extend_from_slice(&30i64.to_be_bytes());
        let decoded = decode_offset_value(&v1).expect("v1");
        assert_eq!((decoded.offset, decoded.leader_epoch), (10, -1));
        assert_eq!(
            (decoded.metadata.as_str(), decoded.expire_timestamp),
            ("md", 30)
        );

        // v4 (flexible): compact string and an empty tagged-field section.
        let mut v4 = vec![0, 4];
        v4.extend_from_slice(&11i64.to_be_bytes());
        v4.extend_from_slice(&2i32.to_be_bytes());
        v4.extend_from_slice(&[3, b'a', b'b']);
        v4.extend_from_slice(&21i64.to_be_bytes());
        v4.push(1); // one tagged field
        v4.extend_from_slice(&[0, 2, 0xaa, 0xbb]);
        let decoded = decode_offset_value(&v4).expect("v4");
        assert_eq!(
            (
                decoded.offset,
                decoded.leader_epoch,
                decoded.metadata.as_str()
            ),
            (11, 2, "ab")
        );
    }

    #[test]
    fn group_value_round_trip() {
        let value = sample_group();
        let bytes = encode_group_value(&value).expect("encode");
        assert_eq!(&bytes[..2], &[0, 3]);
        assert_eq!(decode_group_value(&bytes), Ok(value));

        let empty = GroupMetadataValue {
            protocol_type: String::new(),
            generation: 3,
            protocol: None,
            leader: None,
            current_state_timestamp: -1,
            members: vec![],
        };
        let bytes = encode_group_value(&empty).expect("encode");
        assert_eq!(decode_group_value(&bytes), Ok(empty));
    }

    #[test]
    fn group_value_v0_decodes() {
        let mut v0 = vec![0, 0];
        v0.extend_from_slice(&[0, 8]);
        v0.extend_from_slice(b"consumer");
        v0.extend_from_slice(&1i32.to_be_bytes());
        v0.extend_from_slice(&[0, 5]);
        v0.extend_from_slice(b"range");
        v0.extend_from_slice(&[0, 1, b'm']);
        v0.extend_from_slice(&1i32.to_be_bytes());
        v0.extend_from_slice(&[0, 1, b'm', 0, 1, b'c', 0, 1, b'h']);
        v0.extend_from_slice(&6000i32.to_be_bytes());
        v0.extend_from_slice(&0i32.to_be_bytes());
        v0.extend_from_slice(&1i32.to_be_bytes());
        v0.push(9);
        let decoded = decode_group_value(&v0).expect("v0");
        assert_eq!(decoded.members.len(), 1);
        assert_eq!(decoded.members[0].rebalance_timeout, -1);
        assert_eq!(decoded.members[0].session_timeout, 6000);
        assert_eq!(&decoded.members[0].assignment[..], &[9]);
        assert_eq!(decoded.current_state_timestamp, -1);
    }

    #[test]
    fn hostile_inputs_are_errors() {
        assert!(decode_key(&[]).is_err());
        assert!(decode_key(&[0, 1, 0x7f, 0xff]).is_err());
        assert!(decode_offset_value(&[0, 9]).is_err());
        // A member count of 2^31-1 with nothing behind it must not allocate.
        let mut bomb = vec![0, 3, 0, 0];
        bomb.extend_from_slice(&0i32.to_be_bytes());
        bomb.extend_from_slice(&[0xff, 0xff, 0xff, 0xff]);
        bomb.extend_from_slice(&0i64.to_be_bytes());
        bomb.extend_from_slice(&i32::MAX.to_be_bytes());
        assert!(decode_group_value(&bomb).is_err());
    }

    #[test]
    fn over_long_strings_are_encode_errors() {
        let long = "x".repeat(40_000);
        assert!(encode_offset_key(&long, "t", 0).is_err());
        assert!(encode_group_key(&long).is_err());
    }

    proptest! {
        #[test]
        fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = decode_key(&bytes);
            let _ = decode_offset_value(&bytes);
            let _ = decode_group_value(&bytes);
        }

        #[test]
        fn decoding_mutated_records_never_panics(
            flip in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
            version in 0i16..=4,
        ) {
            let mut bytes = encode_group_value(&sample_group()).expect("encode").to_vec();
            bytes[0..2].copy_from_slice(&version.to_be_bytes());
            for (idx, b) in flip {
                let i = idx.index(bytes.len());
                bytes[i] = b;
            }
            let _ = decode_group_value(&bytes);
            let _ = decode_offset_value(&bytes);
        }

        #[test]
        fn offset_value_round_trips(offset in any::<i64>(), epoch in any::<i32>(), md in ".{0,64}", ts in any::<i64>()) {
            let value = OffsetValue { offset, leader_epoch: epoch, metadata: md, commit_timestamp: ts, expire_timestamp: -1 };
            let bytes = encode_offset_value(&value).expect("encode");
            prop_assert_eq!(decode_offset_value(&bytes), Ok(value));
        }
    }
}
