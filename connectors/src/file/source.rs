//! `FileStreamSource`: one record per line of a file (or stdin), following the file as it
//! grows and across rotations.
//!
//! Kafka's behaviour, kept as is:
//! * a record per line, split on `\n`, `\r\n` or `\r`; a `\r` that ends the data read so
//!   far is held back until the next byte tells whether a `\n` follows;
//! * a last line without its terminator is not emitted until the terminator arrives;
//! * value schema STRING, no key, timestamp = read time;
//! * source partition `{"filename": <file>}`, offset `{"position": <position after the
//!   line>}`; on start the task resumes at the committed position;
//! * a missing file is waited for; `batch.size` caps the records of one poll.
//!
//! Differences from Kafka, on purpose:
//! * Positions count bytes. Kafka counts UTF-16 chars but skips bytes on resume, which goes
//!   wrong for non-ASCII text; for ASCII both are the same number.
//! * On Unix the offset also carries `"inode"`, the file's inode number. Kafka ignores the
//!   extra field; here it tells, on resume, whether the stored position still belongs to the
//!   file now at that path. If not (the file was rotated while the task was down), the task
//!   reads the new file from the start rather than skipping into it at a foreign position.
//! * Rotation while running. At the end of the data, the task compares the file at the path
//!   with the one it has open:
//!   - replaced (`mv log log.1 && touch log`, the inode changed): the old handle stays open
//!     and is read to its end first, so lines written before the rename are not lost; then
//!     the task opens the new file at position 0. Writes that reach the old file after that
//!     final read are not seen (the writer should reopen its file promptly, as logrotate's
//!     `create` mode expects);
//!   - truncated (same inode, size below the read position, as with `copytruncate`): reading
//!     restarts at position 0. A truncation that is followed by more writes than were read
//!     before it, all between two polls, cannot be told from growth and is not detected;
//!   - removed without a replacement yet: the old handle is kept and followed.
//!
//!   When the task leaves a file for good (replacement or truncation) a pending last line
//!   without terminator is emitted, because its terminator can no longer arrive; the same
//!   holds for stdin at end of input.
//! * A file that exists but cannot be opened (e.g. permission denied) fails the poll;
//!   Kafka waits for it as if it were missing.

use std::fs::{File, Metadata};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance, Validator};
use connect_api::connector::{
    ConfigMap, Connector, ConnectorContext, SourceConnector, SourceTask, SourceTaskContext,
};
use connect_api::data::{Schema, Value};
use connect_api::record::{SourceMap, SourceRecord};
use connect_api::{ConnectError, Result};

use super::{run_blocking, version, BoxFuture, FILE_CONFIG};

/// Kafka's class name of the source connector.
pub const SOURCE_CONNECTOR_CLASS: &str = "org.apache.kafka.connect.file.FileStreamSourceConnector";
/// The topic to publish to.
pub const TOPIC_CONFIG: &str = "topic";
/// The maximum number of records per poll.
pub const TASK_BATCH_SIZE_CONFIG: &str = "batch.size";
/// Default of [`TASK_BATCH_SIZE_CONFIG`].
pub const DEFAULT_TASK_BATCH_SIZE: i32 = 2000;
/// Source partition field: the configured file name (null for stdin).
pub const FILENAME_FIELD: &str = "filename";
/// Source offset field: the byte position after the record's line (null for stdin).
pub const POSITION_FIELD: &str = "position";
/// Source offset field (Unix only): the inode of the file the line was read from.
pub const INODE_FIELD: &str = "inode";

/// How long an empty poll waits before returning, so the runtime neither spins nor waits
/// long to stop or pause the task.
const IDLE_WAIT: Duration = Duration::from_millis(250);
/// Bytes read from the file per `read` call.
const READ_CHUNK: usize = 64 * 1024;

/// The configuration definition of the source connector (Kafka's `CONFIG_DEF`).
pub fn source_config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(
                FILE_CONFIG,
                ConfigType::String,
                Importance::High,
                "Source filename. If not specified, the standard input will be used",
            )
            .default_null(),
        )
        .define(
            ConfigKey::new(
                TOPIC_CONFIG,
                ConfigType::String,
                Importance::High,
                "The topic to publish data to",
            )
            .validator(Validator::NonEmptyString),
        )
        .define(
            ConfigKey::new(
                TASK_BATCH_SIZE_CONFIG,
                ConfigType::Int,
                Importance::Low,
                "The maximum number of records the Source task can read from file one time",
            )
            .default_value(DEFAULT_TASK_BATCH_SIZE.to_string()),
        )
}

/// The parsed source configuration.
#[derive(Debug, Clone)]
struct SourceSettings {
    /// `None` reads stdin (Kafka treats an empty `file` like a missing one).
    file: Option<String>,
    topic: String,
    batch_size: usize,
}

impl SourceSettings {
    fn parse(config: &ConfigMap) -> Result<Self> {
        let parsed = source_config_def().parse(config)?;
        let file = parsed
            .get_string(FILE_CONFIG)?
            .filter(|f| !f.is_empty())
            .map(str::to_owned);
        let topic = parsed
            .get_string(TOPIC_CONFIG)?
            .unwrap_or_default()
            .to_owned();
        // Kafka has no lower bound; a batch size below 1 behaves like 1 there too (the
        // batch is returned as soon as it holds one record).
        let batch_size = parsed
            .get_int(TASK_BATCH_SIZE_CONFIG)?
            .unwrap_or(DEFAULT_TASK_BATCH_SIZE)
            .max(1);
        Ok(Self {
            file,
            topic,
            batch_size: usize::try_from(batch_size).unwrap_or(1),
        })
    }
}

/// Reads a file (or stdin) into a topic; always runs exactly one task.
#[derive(Debug, Default)]
pub struct FileStreamSourceConnector {
    config: Option<ConfigMap>,
}

impl FileStreamSourceConnector {
    /// An unstarted connector.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Connector for FileStreamSourceConnector {
    fn version(&self) -> String {
        version()
    }

    fn config_def(&self) -> ConfigDef {
        source_config_def()
    }

    fn start(
        &mut self,
        _context: Arc<dyn ConnectorContext>,
        config: ConfigMap,
    ) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            SourceSettings::parse(&config)?;
            self.config = Some(config);
            Ok(())
        })
    }

    /// One task whatever `max_tasks` is: only one reader of a stream makes sense.
    fn task_configs(&self, _max_tasks: usize) -> Result<Vec<ConfigMap>> {
        let config = self
            .config
            .clone()
            .ok_or_else(|| ConnectError::connector("FileStreamSourceConnector is not started"))?;
        Ok(vec![config])
    }

    fn stop(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(async { Ok(()) })
    }
}

impl SourceConnector for FileStreamSourceConnector {
    fn create_task(&self) -> Box<dyn SourceTask> {
        Box::new(FileStreamSourceTask::new())
    }

    /// Kafka's `FileStreamSourceConnector.alterOffsets`, with its messages: offsets of a
    /// file source can be altered when it reads a file (not stdin), each offset is null or
    /// has a non-negative integer `position`, and each partition has `filename`. Whether
    /// the position fits the file is checked by the task when it starts.
    fn alter_offsets(
        &self,
        config: &ConfigMap,
        offsets: &[(SourceMap, Option<SourceMap>)],
    ) -> Result<bool> {
        if config.get(FILE_CONFIG).is_none_or(|f| f.is_empty()) {
            return Err(ConnectError::connector(format!(
                "Offsets cannot be modified if the '{FILE_CONFIG}' configuration is unspecified. \
                 This is because stdin is used for input and offsets are not tracked."
            )));
        }
        for (partition, offset) in offsets {
            // Tombstones are allowed for anything, so that garbage can be cleaned up.
            let Some(offset) = offset else { continue };
            let Some(position) = offset.get(POSITION_FIELD) else {
                return Err(ConnectError::connector(format!(
                    "Offset objects should either be null or contain the key '{POSITION_FIELD}'"
                )));
            };
            let Some(position) = position
                .as_i64()
                .filter(|_| position.is_i64() || position.is_u64())
            else {
                return Err(ConnectError::connector(format!(
                    "The value for the '{POSITION_FIELD}' key in the offset is expected to be a Long value"
                )));
            };
            if position < 0 {
                return Err(ConnectError::connector(format!(
                    "The value for the '{POSITION_FIELD}' key in the offset should be a non-negative value"
                )));
            }
            if !partition.contains_key(FILENAME_FIELD) {
                return Err(ConnectError::connector(format!(
                    "Partition objects should contain the key '{FILENAME_FIELD}'"
                )));
            }
        }
        Ok(true)
    }
}

/// Reads lines from a file (or stdin); see the [module docs](self) for the exact rules.
#[derive(Debug, Default)]
pub struct FileStreamSourceTask {
    settings: Option<SourceSettings>,
    /// Taken out while a blocking read runs on the I/O thread.
    reader: Option<Reader>,
}

impl FileStreamSourceTask {
    /// An unstarted task.
    pub fn new() -> Self {
        Self::default()
    }

    fn record(&self, settings: &SourceSettings, line: Line) -> SourceRecord {
        let mut partition = SourceMap::new();
        partition.insert(
            FILENAME_FIELD.to_owned(),
            settings
                .file
                .clone()
                .map_or(serde_json::Value::Null, Into::into),
        );
        let mut offset = SourceMap::new();
        offset.insert(
            POSITION_FIELD.to_owned(),
            line.position.map_or(serde_json::Value::Null, Into::into),
        );
        if let Some(inode) = line.inode {
            offset.insert(INODE_FIELD.to_owned(), inode.into());
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        SourceRecord::new(
            partition,
            offset,
            settings.topic.clone(),
            Some(Schema::string()),
            Value::String(line.text),
        )
        .with_timestamp(now)
    }
}

impl SourceTask for FileStreamSourceTask {
    fn version(&self) -> String {
        version()
    }

    fn start(
        &mut self,
        context: Arc<dyn SourceTaskContext>,
        config: ConfigMap,
    ) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let settings = SourceSettings::parse(&config)?;
            let reader = match &settings.file {
                None => Reader::Stdin(StdinReader::default()),
                Some(file) => {
                    let mut partition = SourceMap::new();
                    partition.insert(FILENAME_FIELD.to_owned(), file.clone().into());
                    let stored = context.offset_storage_reader().offset(&partition).await?;
                    let resume = match stored {
                        Some(offset) => StoredOffset::from_map(&offset)?,
                        None => None,
                    };
                    if let Some(resume) = &resume {
                        tracing::debug!(file = %file, position = resume.position, "found previous offset");
                    }
                    Reader::File(Box::new(FileTailer::new(file, resume)))
                }
            };
            self.settings = Some(settings);
            self.reader = Some(reader);
            Ok(())
        })
    }

    fn poll(&mut self) -> BoxFuture<'_, Result<Vec<SourceRecord>>> {
        Box::pin(async move {
            let settings = self
                .settings
                .clone()
                .ok_or_else(|| ConnectError::connector("FileStreamSourceTask is not started"))?;
            let batch_size = settings.batch_size;
            let lines = match self.reader.take() {
                None => {
                    // Only a poll future dropped mid-read leaves no reader behind; the runtime
                    // does that when stopping, and a restarted task resumes from offsets.
                    return Err(ConnectError::connector(
                        "FileStreamSourceTask lost its reader to a cancelled poll; restart the task",
                    ));
                }
                Some(Reader::Stdin(mut stdin)) => {
                    let lines = stdin.poll_lines(batch_size);
                    self.reader = Some(Reader::Stdin(stdin));
                    lines
                }
                Some(Reader::File(mut tailer)) => {
                    let (tailer, lines) = run_blocking("FileStreamSourceTask", move || {
                        let lines = tailer.poll_lines(batch_size);
                        (tailer, lines)
                    })
                    .await?;
                    let file = tailer.path.display().to_string();
                    self.reader = Some(Reader::File(tailer));
                    lines.map_err(|e| {
                        ConnectError::with_source(format!("Error while reading file {file}"), e)
                    })?
                }
            };
            if lines.is_empty() {
                tokio::time::sleep(IDLE_WAIT).await;
                return Ok(Vec::new());
            }
            Ok(lines
                .into_iter()
                .map(|line| self.record(&settings, line))
                .collect())
        })
    }

    fn stop(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            // Dropping the reader closes the file; stdin stays open for the process.
            self.reader = None;
            Ok(())
        })
    }
}

/// One line read, with the offset to commit once its record is written.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Line {
    text: String,
    /// Byte position after the line's terminator; `None` for stdin.
    position: Option<u64>,
    /// Inode of the file the line was read from (Unix only).
    inode: Option<u64>,
}

#[derive(Debug)]
enum Reader {
    File(Box<FileTailer>),
    Stdin(StdinReader),
}

/// A committed source offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct StoredOffset {
    position: u64,
    inode: Option<u64>,
}

impl StoredOffset {
    /// Reads `{"position": n, "inode"?: i}`; `None` when there is no position (as Kafka,
    /// which then starts at 0).
    fn from_map(offset: &SourceMap) -> Result<Option<Self>> {
        let position = match offset.get(POSITION_FIELD) {
            None | Some(serde_json::Value::Null) => return Ok(None),
            Some(value) => value
                .as_u64()
                .ok_or_else(|| ConnectError::connector("Offset position is the incorrect type"))?,
        };
        let inode = offset.get(INODE_FIELD).and_then(serde_json::Value::as_u64);
        Ok(Some(Self { position, inode }))
    }
}

/// Splits bytes into lines on `\n`, `\r\n` and `\r`.
#[derive(Debug, Default)]
struct LineBuffer {
    buf: Vec<u8>,
    /// Start of the bytes not yet returned as a line.
    start: usize,
}

impl LineBuffer {
    fn extend(&mut self, data: &[u8]) {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(data);
    }

    /// Bytes received but not yet returned as a line.
    fn pending(&self) -> usize {
        self.buf.len() - self.start
    }

    /// The next complete line, without its terminator. A `\r` at the end of the data is
    /// not a terminator yet: a `\n` may follow in the next read.
    fn next_line(&mut self) -> Option<String> {
        let pending = &self.buf[self.start..];
        let end = pending.iter().position(|&b| b == b'\n' || b == b'\r')?;
        let consumed = match (pending[end], pending.get(end + 1)) {
            (b'\n', _) => end + 1,
            (_, None) => return None,
            (_, Some(b'\n')) => end + 2,
            (_, Some(_)) => end + 1,
        };
        let line = String::from_utf8_lossy(&pending[..end]).into_owned();
        self.start += consumed;
        Some(line)
    }

    /// Everything still pending, once no more data will come: a trailing `\r` ends the
    /// line, a missing terminator is accepted. `None` when nothing is pending.
    fn take_rest(&mut self) -> Option<String> {
        if let Some(line) = self.next_line() {
            return Some(line);
        }
        let pending = &self.buf[self.start..];
        if pending.is_empty() {
            return None;
        }
        let text = pending.strip_suffix(b"\r").unwrap_or(pending);
        let line = String::from_utf8_lossy(text).into_owned();
        self.clear();
        Some(line)
    }

    fn clear(&mut self) {
        self.buf.clear();
        self.start = 0;
    }
}

/// The file currently being read.
#[derive(Debug)]
struct OpenFile {
    file: File,
    inode: Option<u64>,
    /// Bytes read from `file` so far (including those still in the line buffer).
    read_pos: u64,
    /// The path was seen pointing at another file; switch at the next end of data.
    replaced: bool,
}

/// What the path holds compared with the open file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PathState {
    /// Same file, or nothing at the path (keep following the open handle).
    Same,
    /// Another file is at the path.
    Replaced,
    /// Same file, now shorter than what was read.
    Truncated,
}

/// Follows one path across growth and rotation, with blocking I/O.
#[derive(Debug)]
struct FileTailer {
    path: PathBuf,
    /// Where to start in the first file opened; later files start at 0.
    resume: Option<StoredOffset>,
    open: Option<OpenFile>,
    lines: LineBuffer,
    warned_missing: bool,
}

impl FileTailer {
    fn new(file: &str, resume: Option<StoredOffset>) -> Self {
        Self {
            path: PathBuf::from(file),
            resume,
            open: None,
            lines: LineBuffer::default(),
            warned_missing: false,
        }
    }

    /// Up to `max` (≥ 1) lines that are ready now; empty when there are none (or the file
    /// does not exist yet).
    fn poll_lines(&mut self, max: usize) -> io::Result<Vec<Line>> {
        let mut out = Vec::new();
        if self.open.is_none() && !self.try_open()? {
            return Ok(out);
        }
        let mut chunk = vec![0; READ_CHUNK];
        while let Some(open) = self.open.as_mut() {
            while out.len() < max {
                let Some(text) = self.lines.next_line() else {
                    break;
                };
                out.push(Line {
                    text,
                    position: Some(open.read_pos - self.lines.pending() as u64),
                    inode: open.inode,
                });
            }
            if out.len() >= max {
                break;
            }
            let n = match open.file.read(&mut chunk) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n > 0 {
                open.read_pos += n as u64;
                self.lines.extend(&chunk[..n]);
                continue;
            }
            // End of data: has the file been rotated?
            match self.path_state()? {
                PathState::Same => break,
                PathState::Replaced if !self.open.as_ref().is_some_and(|o| o.replaced) => {
                    // Read the old file once more: whatever reached it before the rename
                    // is visible now.
                    if let Some(open) = self.open.as_mut() {
                        open.replaced = true;
                    }
                }
                PathState::Replaced => {
                    tracing::info!(file = %self.path.display(), "file was replaced, reading the new file from the start");
                    self.finish_file(&mut out);
                    self.open = None;
                    if !self.try_open()? {
                        break;
                    }
                }
                PathState::Truncated => {
                    tracing::info!(file = %self.path.display(), "file was truncated, reading from the start");
                    self.finish_file(&mut out);
                    if let Some(open) = self.open.as_mut() {
                        open.file.seek(SeekFrom::Start(0))?;
                        open.read_pos = 0;
                    }
                }
            }
        }
        Ok(out)
    }

    /// Emits the pending partial line of a file being left for good.
    fn finish_file(&mut self, out: &mut Vec<Line>) {
        let Some(open) = &self.open else {
            return;
        };
        if let Some(text) = self.lines.take_rest() {
            out.push(Line {
                text,
                position: Some(open.read_pos),
                inode: open.inode,
            });
        }
        self.lines.clear();
    }

    fn path_state(&self) -> io::Result<PathState> {
        let Some(open) = &self.open else {
            return Ok(PathState::Same);
        };
        let metadata = match std::fs::metadata(&self.path) {
            Ok(metadata) => metadata,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(PathState::Same),
            Err(e) => return Err(e),
        };
        if inode(&metadata) != open.inode {
            return Ok(PathState::Replaced);
        }
        if metadata.len() < open.read_pos {
            return Ok(PathState::Truncated);
        }
        Ok(PathState::Same)
    }

    /// Opens the path; `false` when it does not exist (yet).
    fn try_open(&mut self) -> io::Result<bool> {
        let mut file = match File::open(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if !self.warned_missing {
                    tracing::warn!(file = %self.path.display(), "couldn't find file for FileStreamSourceTask, waiting for it to be created");
                    self.warned_missing = true;
                }
                return Ok(false);
            }
            Err(e) => return Err(e),
        };
        let metadata = file.metadata()?;
        let inode = inode(&metadata);
        let start = match self.resume.take() {
            None => 0,
            Some(stored) if stored.inode.is_some() && inode.is_some() && stored.inode != inode => {
                tracing::info!(file = %self.path.display(), "the stored offset belongs to a file rotated away, reading the new file from the start");
                0
            }
            Some(stored) if stored.position > metadata.len() => {
                tracing::info!(file = %self.path.display(), position = stored.position, "the file is shorter than the stored offset, reading from the start");
                0
            }
            Some(stored) => stored.position,
        };
        file.seek(SeekFrom::Start(start))?;
        tracing::debug!(file = %self.path.display(), position = start, "opened file for reading");
        self.open = Some(OpenFile {
            file,
            inode,
            read_pos: start,
            replaced: false,
        });
        self.lines.clear();
        self.warned_missing = false;
        Ok(true)
    }
}

#[cfg(unix)]
fn inode(metadata: &Metadata) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    Some(metadata.ino())
}

#[cfg(not(unix))]
fn inode(_metadata: &Metadata) -> Option<u64> {
    None
}

/// Reads stdin without blocking the task: one process-wide thread reads it into a
/// channel that tasks drain (stdin cannot be read without blocking, nor closed).
#[derive(Debug, Default)]
struct StdinReader {
    lines: LineBuffer,
    ended: bool,
}

impl StdinReader {
    fn poll_lines(&mut self, max: usize) -> Vec<Line> {
        let mut out = Vec::new();
        let stdin_line = |text| Line {
            text,
            position: None,
            inode: None,
        };
        while out.len() < max {
            if let Some(text) = self.lines.next_line() {
                out.push(stdin_line(text));
                continue;
            }
            if self.ended {
                break;
            }
            let received = match stdin_chunks().lock() {
                Ok(chunks) => chunks.try_recv(),
                Err(poisoned) => poisoned.into_inner().try_recv(),
            };
            match received {
                Ok(chunk) => self.lines.extend(&chunk),
                Err(mpsc::TryRecvError::Empty) => break,
                Err(mpsc::TryRecvError::Disconnected) => {
                    self.ended = true;
                    out.extend(self.lines.take_rest().map(stdin_line));
                }
            }
        }
        out
    }
}

fn stdin_chunks() -> &'static Mutex<mpsc::Receiver<Vec<u8>>> {
    static CHUNKS: OnceLock<Mutex<mpsc::Receiver<Vec<u8>>>> = OnceLock::new();
    CHUNKS.get_or_init(|| {
        let (sender, receiver) = mpsc::sync_channel::<Vec<u8>>(16);
        let spawned = std::thread::Builder::new()
            .name("filestream-stdin".to_owned())
            .spawn(move || {
                let mut stdin = io::stdin().lock();
                let mut chunk = vec![0; 8192];
                loop {
                    match stdin.read(&mut chunk) {
                        Ok(0) => break,
                        Ok(n) => {
                            if sender.send(chunk[..n].to_vec()).is_err() {
                                break;
                            }
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(error) => {
                            tracing::error!(%error, "failed to read stdin");
                            break;
                        }
                    }
                }
            });
        if let Err(error) = spawned {
            tracing::error!(%error, "cannot start the stdin reader thread");
        }
        Mutex::new(receiver)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(buffer: &mut LineBuffer) -> Vec<String> {
        std::iter::from_fn(|| buffer.next_line()).collect()
    }

    #[test]
    fn splits_on_every_line_ending() {
        let mut buffer = LineBuffer::default();
        buffer.extend(b"a\nb\r\nc\rd\n\ne");
        assert_eq!(lines_of(&mut buffer), ["a", "b", "c", "d", ""]);
        assert_eq!(buffer.pending(), 1);
    }

    #[test]
    fn carriage_return_at_the_end_waits_for_the_next_byte() {
        let mut buffer = LineBuffer::default();
        buffer.extend(b"a\r");
        assert_eq!(buffer.next_line(), None);
        assert_eq!(buffer.pending(), 2);
        buffer.extend(b"\nb\r");
        assert_eq!(lines_of(&mut buffer), ["a"]);
        buffer.extend(b"c\n");
        assert_eq!(lines_of(&mut buffer), ["b", "c"]);
        assert_eq!(buffer.pending(), 0);
    }

    #[test]
    fn rest_of_a_finished_stream() {
        let mut buffer = LineBuffer::default();
        buffer.extend(b"tail\r");
        assert_eq!(buffer.take_rest().as_deref(), Some("tail"));
        buffer.extend(b"partial");
        assert_eq!(buffer.take_rest().as_deref(), Some("partial"));
        assert_eq!(buffer.take_rest(), None);
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        let mut buffer = LineBuffer::default();
        buffer.extend(b"a\xffb\n");
        assert_eq!(buffer.next_line().as_deref(), Some("a\u{fffd}b"));
    }

    #[test]
    fn stored_offsets() -> Result<()> {
        let offset = |json: serde_json::Value| match json {
            serde_json::Value::Object(map) => map,
            _ => SourceMap::new(),
        };
        assert_eq!(
            StoredOffset::from_map(&offset(serde_json::json!({"position": 30})))?,
            Some(StoredOffset {
                position: 30,
                inode: None
            })
        );
        assert_eq!(
            StoredOffset::from_map(&offset(serde_json::json!({"position": 3, "inode": 7})))?,
            Some(StoredOffset {
                position: 3,
                inode: Some(7)
            })
        );
        assert_eq!(
            StoredOffset::from_map(&offset(serde_json::json!({"position": null})))?,
            None
        );
        let wrong = StoredOffset::from_map(&offset(serde_json::json!({"position": "3"})));
        assert_eq!(
            wrong.map_err(|e| e.to_string()).err().as_deref(),
            Some("Offset position is the incorrect type")
        );
        Ok(())
    }

    #[test]
    fn config_defaults_and_stdin() -> Result<()> {
        let config = ConfigMap::from([
            ("topic".to_owned(), "lines".to_owned()),
            ("file".to_owned(), String::new()),
        ]);
        let settings = SourceSettings::parse(&config)?;
        assert_eq!(settings.file, None);
        assert_eq!(settings.batch_size, 2000);
        Ok(())
    }
}
