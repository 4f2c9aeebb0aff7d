//! Idempotent-producer state of one partition, as Kafka's `ProducerStateManager`
//! keeps it: for each producer id the epoch and the last five batches, so a
//! retried batch is answered with its original offsets instead of being written
//! twice.

use crate::batch::BatchHeader;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};

/// How many batches per producer are remembered for duplicate detection (Kafka: 5,
/// the maximum `max.in.flight.requests.per.connection` with idempotence).
pub const REMEMBERED_BATCHES: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchMeta {
    pub first_seq: i32,
    pub last_seq: i32,
    pub first_offset: i64,
    pub last_offset: i64,
    pub max_timestamp: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProducerEntry {
    pub epoch: i16,
    pub batches: VecDeque<BatchMeta>,
}

/// The verdict on an incoming batch from an idempotent producer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SequenceCheck {
    /// Write it.
    Append,
    /// Already written: answer with these original offsets and write nothing.
    Duplicate(BatchMeta),
    /// Kafka error code to return (OUT_OF_ORDER_SEQUENCE_NUMBER 45,
    /// INVALID_PRODUCER_EPOCH 47).
    Reject(i16),
}

pub const OUT_OF_ORDER_SEQUENCE_NUMBER: i16 = 45;
pub const INVALID_PRODUCER_EPOCH: i16 = 47;

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct ProducerStates {
    producers: HashMap<i64, ProducerEntry>,
}

impl ProducerStates {
    /// Checks a batch before it is appended. Batches without a producer id (or
    /// without a sequence) are always appended.
    pub fn check(&self, h: &BatchHeader) -> SequenceCheck {
        if !h.has_producer_id() || h.base_sequence < 0 {
            return SequenceCheck::Append;
        }
        let Some(entry) = self.producers.get(&h.producer_id) else {
            // Unknown producer (new, or its state expired): accept any sequence, as
            // Kafka does since KIP-360.
            return SequenceCheck::Append;
        };
        if h.producer_epoch < entry.epoch {
            return SequenceCheck::Reject(INVALID_PRODUCER_EPOCH);
        }
        if h.producer_epoch > entry.epoch {
            // A bumped epoch must start again at sequence 0.
            return if h.base_sequence == 0 {
                SequenceCheck::Append
            } else {
                SequenceCheck::Reject(OUT_OF_ORDER_SEQUENCE_NUMBER)
            };
        }
        if let Some(dup) = entry
            .batches
            .iter()
            .find(|b| b.first_seq == h.base_sequence && b.last_seq == h.last_sequence())
        {
            return SequenceCheck::Duplicate(*dup);
        }
        let Some(last) = entry.batches.back() else {
            return SequenceCheck::Append;
        };
        let expected = if last.last_seq == i32::MAX {
            0
        } else {
            last.last_seq + 1
        };
        if h.base_sequence == expected {
            SequenceCheck::Append
        } else {
            SequenceCheck::Reject(OUT_OF_ORDER_SEQUENCE_NUMBER)
        }
    }

    /// Records a batch that was appended at `first_offset` (its header already
    /// carries the assigned base offset).
    pub fn record(&mut self, h: &BatchHeader) {
        if !h.has_producer_id() || h.base_sequence < 0 {
            return;
        }
        let entry = self
            .producers
            .entry(h.producer_id)
            .or_insert_with(|| ProducerEntry {
                epoch: h.producer_epoch,
                batches: VecDeque::new(),
            });
        if h.producer_epoch != entry.epoch {
            entry.epoch = h.producer_epoch;
            entry.batches.clear();
        }
        if entry.batches.len() == REMEMBERED_BATCHES {
            entry.batches.pop_front();
        }
        entry.batches.push_back(BatchMeta {
            first_seq: h.base_sequence,
            last_seq: h.last_sequence(),
            first_offset: h.base_offset,
            last_offset: h.last_offset(),
            max_timestamp: h.max_timestamp,
        });
    }

    /// Forgets batches at or above `offset` (after the log was truncated there).
    pub fn truncate_from(&mut self, offset: i64) {
        for entry in self.producers.values_mut() {
            entry.batches.retain(|b| b.last_offset < offset);
        }
        self.producers.retain(|_, e| !e.batches.is_empty());
    }

    pub fn len(&self) -> usize {
        self.producers.len()
    }
    pub fn is_empty(&self) -> bool {
        self.producers.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::{encode_batch, NewRecord};

    fn header(pid: i64, epoch: i16, seq: i32, count: i32, base_offset: i64) -> BatchHeader {
        let recs: Vec<_> = (0..count)
            .map(|_| NewRecord {
                key: None,
                value: None,
                timestamp: 0,
            })
            .collect();
        let mut h = BatchHeader::parse(&encode_batch(base_offset, &recs)).expect("header");
        h.producer_id = pid;
        h.producer_epoch = epoch;
        h.base_sequence = seq;
        h
    }

    #[test]
    fn in_order_duplicate_and_gap() {
        let mut s = ProducerStates::default();
        let b0 = header(7, 0, 0, 3, 0);
        assert_eq!(s.check(&b0), SequenceCheck::Append);
        s.record(&b0);
        // Retried: same sequence range → original offsets.
        match s.check(&header(7, 0, 0, 3, 99)) {
            SequenceCheck::Duplicate(m) => assert_eq!((m.first_offset, m.last_offset), (0, 2)),
            other => panic!("expected duplicate, got {other:?}"),
        }
        assert_eq!(s.check(&header(7, 0, 3, 1, 3)), SequenceCheck::Append);
        assert_eq!(
            s.check(&header(7, 0, 5, 1, 3)),
            SequenceCheck::Reject(OUT_OF_ORDER_SEQUENCE_NUMBER)
        );
    }

    #[test]
    fn epochs() {
        let mut s = ProducerStates::default();
        s.record(&header(1, 3, 0, 1, 0));
        assert_eq!(
            s.check(&header(1, 2, 1, 1, 1)),
            SequenceCheck::Reject(INVALID_PRODUCER_EPOCH)
        );
        assert_eq!(
            s.check(&header(1, 4, 5, 1, 1)),
            SequenceCheck::Reject(OUT_OF_ORDER_SEQUENCE_NUMBER)
        );
        assert_eq!(s.check(&header(1, 4, 0, 1, 1)), SequenceCheck::Append);
    }

    #[test]
    fn only_five_batches_remembered_and_truncate() {
        let mut s = ProducerStates::default();
        for i in 0..7 {
            s.record(&header(1, 0, i, 1, i64::from(i)));
        }
        // The first two fell out of the window: no longer recognised as duplicates.
        assert_eq!(
            s.check(&header(1, 0, 0, 1, 0)),
            SequenceCheck::Reject(OUT_OF_ORDER_SEQUENCE_NUMBER)
        );
        assert!(matches!(
            s.check(&header(1, 0, 2, 1, 0)),
            SequenceCheck::Duplicate(_)
        ));
        s.truncate_from(0);
        assert!(s.is_empty());
    }
}
