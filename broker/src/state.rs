//! What every request handler can reach.

use crate::config::BrokerConfig;
use crate::error::{Error, Result};
use crate::group::GroupCoordinator;
use crate::topics::TopicManager;
use crate::util::write_atomic;
use parking_lot::Mutex;
use std::path::PathBuf;
use std::sync::Arc;

pub struct BrokerState {
    pub config: BrokerConfig,
    pub cluster_id: String,
    /// The host and port put in Metadata (the bound port when the listener asked for 0).
    pub advertised_host: String,
    pub advertised_port: i32,
    pub topics: Arc<TopicManager>,
    pub groups: Arc<GroupCoordinator>,
    pub producer_ids: ProducerIdAllocator,
}

impl std::fmt::Debug for BrokerState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrokerState")
            .field("cluster_id", &self.cluster_id)
            .field("advertised_host", &self.advertised_host)
            .field("advertised_port", &self.advertised_port)
            .finish_non_exhaustive()
    }
}

/// Hands out producer ids that stay unique across restarts: blocks of ids are
/// reserved on disk before any id of the block is used.
#[derive(Debug)]
pub struct ProducerIdAllocator {
    path: PathBuf,
    inner: Mutex<(i64, i64)>, // (next id, end of reserved block)
}

const BLOCK: i64 = 1000;

impl ProducerIdAllocator {
    pub fn open(path: PathBuf) -> Result<Self> {
        let reserved_end = match std::fs::read_to_string(&path) {
            Ok(s) => s.trim().parse::<i64>().map_err(|_| Error::Metadata {
                path: path.clone(),
                reason: format!("expected a producer id, found {s:?}"),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
            Err(e) => return Err(Error::io(&path, e)),
        };
        // Ids below the reserved end may have been handed out before a crash.
        Ok(ProducerIdAllocator {
            path,
            inner: Mutex::new((reserved_end, reserved_end)),
        })
    }

    pub fn next(&self) -> Result<i64> {
        let mut g = self.inner.lock();
        if g.0 >= g.1 {
            let end = g.1 + BLOCK;
            write_atomic(&self.path, end.to_string().as_bytes())?;
            g.1 = end;
        }
        let id = g.0;
        g.0 += 1;
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn producer_ids_never_repeat_across_restarts() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("producer-ids");
        let a = ProducerIdAllocator::open(path.clone()).expect("open");
        let first: Vec<i64> = (0..3).map(|_| a.next().expect("id")).collect();
        drop(a);
        let b = ProducerIdAllocator::open(path).expect("reopen");
        let next = b.next().expect("id");
        assert!(first.iter().all(|&id| id < next), "{first:?} then {next}");
    }
}
