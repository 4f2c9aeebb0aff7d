//! Source offset stores.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use connect_api::record::SourceMap;
use futures::future::BoxFuture;
use parking_lot::Mutex;
use serde_json::Value as Json;

use super::StorageError;

/// Committed source offsets of every connector.
///
/// Reads come from memory (every implementation keeps the whole map: Kafka's offset
/// stores do too), writes are durable when [`OffsetStore::put`] completes.
pub trait OffsetStore: Send + Sync {
    /// The committed offset of `partition` of `connector`.
    fn get(&self, connector: &str, partition: &SourceMap) -> Option<SourceMap>;

    /// Every partition of `connector` with its offset, ordered by partition.
    fn partitions(&self, connector: &str) -> Vec<(SourceMap, SourceMap)>;

    /// Stores offsets of `connector`; `None` removes the partition's offset. Completes
    /// once the write is durable.
    fn put(
        &self,
        connector: &str,
        entries: Vec<(SourceMap, Option<SourceMap>)>,
    ) -> BoxFuture<'_, Result<(), StorageError>>;

    /// Reads everything other workers committed (Kafka's offsets topic: read to its end)
    /// so that [`OffsetStore::get`] returns the latest offsets. Stores only this worker
    /// writes to have nothing to do.
    fn refresh(&self) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(async { Ok(()) })
    }
}

/// JSON with object keys sorted at every level, so equal maps give equal keys whatever
/// order their fields were inserted in.
pub(in crate::storage) fn canonical(value: &Json) -> String {
    fn sorted(value: &Json) -> Json {
        match value {
            Json::Object(map) => {
                let sorted: BTreeMap<&String, Json> =
                    map.iter().map(|(k, v)| (k, sorted(v))).collect();
                Json::Object(sorted.into_iter().map(|(k, v)| (k.clone(), v)).collect())
            }
            Json::Array(items) => Json::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(value).to_string()
}

/// The in-memory map shared by the stores: (connector, canonical partition) → entry.
#[derive(Debug, Default, Clone)]
struct OffsetMap(BTreeMap<(String, String), (SourceMap, SourceMap)>);

impl OffsetMap {
    fn key(connector: &str, partition: &SourceMap) -> (String, String) {
        (
            connector.to_owned(),
            canonical(&Json::Object(partition.clone())),
        )
    }

    fn get(&self, connector: &str, partition: &SourceMap) -> Option<SourceMap> {
        self.0
            .get(&Self::key(connector, partition))
            .map(|(_, offset)| offset.clone())
    }

    fn partitions(&self, connector: &str) -> Vec<(SourceMap, SourceMap)> {
        self.0
            .iter()
            .filter(|((c, _), _)| c == connector)
            .map(|(_, entry)| entry.clone())
            .collect()
    }

    fn apply(&mut self, connector: &str, entries: Vec<(SourceMap, Option<SourceMap>)>) {
        for (partition, offset) in entries {
            let key = Self::key(connector, &partition);
            match offset {
                Some(offset) => {
                    self.0.insert(key, (partition, offset));
                }
                None => {
                    self.0.remove(&key);
                }
            }
        }
    }
}

/// Offsets kept in memory only (tests, and workers whose sources keep their own offsets).
#[derive(Debug, Default)]
pub struct MemoryOffsetStore {
    map: Mutex<OffsetMap>,
}

impl MemoryOffsetStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl OffsetStore for MemoryOffsetStore {
    fn get(&self, connector: &str, partition: &SourceMap) -> Option<SourceMap> {
        self.map.lock().get(connector, partition)
    }

    fn partitions(&self, connector: &str) -> Vec<(SourceMap, SourceMap)> {
        self.map.lock().partitions(connector)
    }

    fn put(
        &self,
        connector: &str,
        entries: Vec<(SourceMap, Option<SourceMap>)>,
    ) -> BoxFuture<'_, Result<(), StorageError>> {
        self.map.lock().apply(connector, entries);
        Box::pin(futures::future::ready(Ok(())))
    }
}

/// Offsets in one file, for standalone mode (`offset.storage.file.filename`).
///
/// Kafka's `FileOffsetBackingStore` writes a serialized Java `HashMap`; sluice writes JSON
/// with the same keys and values Kafka puts in its offsets topic, so the file can be read
/// and edited by people:
///
/// ```json
/// {"version":1,"offsets":[{"key":["local-file-source",{"filename":"in.txt"}],"value":{"position":30}}]}
/// ```
///
/// Every write replaces the file atomically (write a temporary file, fsync, rename, fsync
/// the directory), so a crash leaves either the old or the new offsets, never a torn file.
#[derive(Debug)]
pub struct FileOffsetStore {
    path: PathBuf,
    map: Mutex<OffsetMap>,
    /// Serialises writers so that a slower write cannot overwrite a newer one.
    write_lock: tokio::sync::Mutex<()>,
}

const FILE_VERSION: u64 = 1;

impl FileOffsetStore {
    /// Opens (or, when missing, starts) the offsets file at `path`.
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, StorageError> {
        let path = path.into();
        let map = match std::fs::read(&path) {
            Ok(bytes) => parse_file(&path, &bytes)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => OffsetMap::default(),
            Err(source) => {
                return Err(StorageError::Io {
                    action: "read",
                    path,
                    source,
                })
            }
        };
        Ok(Self {
            path,
            map: Mutex::new(map),
            write_lock: tokio::sync::Mutex::new(()),
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn parse_file(path: &Path, bytes: &[u8]) -> Result<OffsetMap, StorageError> {
    let corrupt = |reason: String| StorageError::Corrupt {
        path: path.to_owned(),
        reason,
    };
    let doc: Json = serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string()))?;
    let version = doc.get("version").and_then(Json::as_u64);
    if version != Some(FILE_VERSION) {
        return Err(corrupt(format!(
            "expected \"version\":{FILE_VERSION}, found {version:?}"
        )));
    }
    let entries = doc
        .get("offsets")
        .and_then(Json::as_array)
        .ok_or_else(|| corrupt("no \"offsets\" array".to_owned()))?;
    let mut map = OffsetMap::default();
    for (i, entry) in entries.iter().enumerate() {
        let key = entry.get("key").and_then(Json::as_array);
        let (connector, partition) = match key.map(Vec::as_slice) {
            Some([Json::String(c), Json::Object(p)]) => (c, p),
            _ => {
                return Err(corrupt(format!(
                    "entry {i}: the key is not [\"<connector>\",{{<partition>}}]"
                )))
            }
        };
        let Some(Json::Object(offset)) = entry.get("value") else {
            return Err(corrupt(format!("entry {i}: the value is not an object")));
        };
        map.apply(connector, vec![(partition.clone(), Some(offset.clone()))]);
    }
    Ok(map)
}

fn render_file(map: &OffsetMap) -> Vec<u8> {
    let offsets: Vec<Json> = map
        .0
        .iter()
        .map(|((connector, _), (partition, offset))| {
            serde_json::json!({
                "key": [connector, partition],
                "value": offset,
            })
        })
        .collect();
    let doc = serde_json::json!({ "version": FILE_VERSION, "offsets": offsets });
    let mut bytes = doc.to_string().into_bytes();
    bytes.push(b'\n');
    bytes
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    let mut tmp_name = path.file_name().unwrap_or_default().to_owned();
    tmp_name.push(".tmp");
    let tmp = dir.join(tmp_name);
    {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    // The rename is durable once the directory is synced.
    std::fs::File::open(&dir)?.sync_all()
}

impl OffsetStore for FileOffsetStore {
    fn get(&self, connector: &str, partition: &SourceMap) -> Option<SourceMap> {
        self.map.lock().get(connector, partition)
    }

    fn partitions(&self, connector: &str) -> Vec<(SourceMap, SourceMap)> {
        self.map.lock().partitions(connector)
    }

    fn put(
        &self,
        connector: &str,
        entries: Vec<(SourceMap, Option<SourceMap>)>,
    ) -> BoxFuture<'_, Result<(), StorageError>> {
        let connector = connector.to_owned();
        Box::pin(async move {
            let _writer = self.write_lock.lock().await;
            let bytes = {
                let mut map = self.map.lock();
                map.apply(&connector, entries);
                render_file(&map)
            };
            let path = self.path.clone();
            let result = tokio::task::spawn_blocking(move || write_atomically(&path, &bytes))
                .await
                .unwrap_or_else(|join| Err(std::io::Error::other(join.to_string())));
            result.map_err(|source| StorageError::Io {
                action: "write",
                path: self.path.clone(),
                source,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: Json) -> SourceMap {
        match value {
            Json::Object(m) => m,
            other => panic!("not an object: {other}"),
        }
    }

    #[tokio::test]
    async fn file_store_survives_reopen_and_ignores_field_order() -> Result<(), StorageError> {
        let dir = tempfile::tempdir().map_err(|source| StorageError::Io {
            action: "write",
            path: PathBuf::new(),
            source,
        })?;
        let path = dir.path().join("sub/connect.offsets");
        let store = FileOffsetStore::open(&path)?;
        assert!(store.partitions("a").is_empty());
        let p1 = map(json!({"filename": "in.txt", "x": 1}));
        let p1_reordered = map(json!({"x": 1, "filename": "in.txt"}));
        store
            .put(
                "a",
                vec![
                    (p1.clone(), Some(map(json!({"position": 30})))),
                    (
                        map(json!({"filename": "b"})),
                        Some(map(json!({"position": 1}))),
                    ),
                ],
            )
            .await?;
        store
            .put("b", vec![(p1.clone(), Some(map(json!({"position": 7}))))])
            .await?;
        store
            .put("a", vec![(map(json!({"filename": "b"})), None)])
            .await?;

        let reopened = FileOffsetStore::open(&path)?;
        assert_eq!(
            reopened.get("a", &p1_reordered),
            Some(map(json!({"position": 30})))
        );
        assert_eq!(reopened.get("b", &p1), Some(map(json!({"position": 7}))));
        assert_eq!(reopened.partitions("a").len(), 1);
        let text = std::fs::read_to_string(&path).map_err(|source| StorageError::Io {
            action: "read",
            path: path.clone(),
            source,
        })?;
        assert!(
            text.contains(r#"{"key":["a",{"filename":"in.txt","x":1}],"value":{"position":30}}"#),
            "{text}"
        );
        Ok(())
    }

    #[test]
    fn corrupt_files_are_refused_with_the_reason() {
        let dir = tempfile::tempdir().expect("temp dir");
        for (content, reason) in [
            ("not json", "expected ident"),
            (r#"{"version":2,"offsets":[]}"#, "expected \"version\":1"),
            (r#"{"version":1}"#, "no \"offsets\" array"),
            (
                r#"{"version":1,"offsets":[{"key":["a"],"value":{}}]}"#,
                "entry 0: the key",
            ),
            (
                r#"{"version":1,"offsets":[{"key":["a",{}],"value":3}]}"#,
                "entry 0: the value",
            ),
        ] {
            let path = dir.path().join("offsets");
            std::fs::write(&path, content).expect("write");
            match FileOffsetStore::open(&path) {
                Err(e @ StorageError::Corrupt { .. }) => {
                    assert!(e.to_string().contains(reason), "{content}: {e}")
                }
                other => panic!("{content}: {other:?}"),
            }
        }
    }
}
