//! `sluice consume`: print records, like `kafka-console-consumer.sh`.
//!
//! With `--group` it subscribes as that consumer group and commits what it
//! printed. Without one it reads the partitions directly (assign, no group,
//! no commits), so a quick look leaves no trace on the broker.

use super::{blocking, explain, CliContext, ConnectionArgs};
use anyhow::{anyhow, bail, Context as _};
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Headers, Message, Timestamp};
use rdkafka::{Offset, TopicPartitionList};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    sluice consume --topic quickstart-events --from-beginning\n  \
    sluice consume --topic t --group g --max-messages 10 --property print.key=true")]
pub struct ConsumeArgs {
    /// The topic to read.
    #[arg(long, value_name = "TOPIC")]
    topic: String,

    /// Start at the earliest record when there is no committed offset (default: only new records).
    #[arg(long)]
    from_beginning: bool,

    /// Consume as this consumer group and commit offsets (default: no group, no commits).
    #[arg(long, value_name = "GROUP")]
    group: Option<String>,

    /// Read only this partition (not with --group).
    #[arg(long, value_name = "N")]
    partition: Option<i32>,

    /// With --partition: where to start, earliest, latest or an offset number.
    #[arg(long, value_name = "OFFSET")]
    offset: Option<String>,

    /// Exit after printing this many records.
    #[arg(long, value_name = "N")]
    max_messages: Option<u64>,

    /// Exit when no record arrived for this long, in milliseconds (default: wait forever).
    #[arg(long, value_name = "MS")]
    timeout_ms: Option<u64>,

    /// How records are printed (repeatable): print.key, print.value, print.timestamp,
    /// print.partition, print.offset, print.headers (true/false), key.separator,
    /// line.separator, headers.separator, headers.key.separator, null.literal.
    #[arg(long = "property", value_name = "KEY=VALUE")]
    properties: Vec<String>,

    /// A librdkafka consumer setting, e.g. isolation.level=read_committed (repeatable).
    #[arg(long = "consumer-property", value_name = "KEY=VALUE")]
    consumer_properties: Vec<String>,

    #[command(flatten)]
    connection: ConnectionArgs,
}

/// Where reading starts in assign mode.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Start {
    Beginning,
    End,
    At(i64),
}

impl Start {
    fn offset(self) -> Offset {
        match self {
            Start::Beginning => Offset::Beginning,
            Start::End => Offset::End,
            Start::At(n) => Offset::Offset(n),
        }
    }
}

/// The consume arguments, checked.
#[derive(Debug, PartialEq)]
struct Plan {
    topic: String,
    group: Option<String>,
    partition: Option<i32>,
    start: Start,
    max_messages: Option<u64>,
    idle_timeout: Option<Duration>,
    formatter: RecordFormatter,
    settings: Vec<(String, String)>,
}

impl ConsumeArgs {
    fn plan(&self) -> anyhow::Result<Plan> {
        let formatter = RecordFormatter::from_properties(&super::parse_key_values(
            "--property",
            &self.properties,
        )?)?;
        if self.group.is_some() && self.partition.is_some() {
            bail!("--group and --partition cannot be used together (a group gets its partitions assigned)");
        }
        if let Some(group) = &self.group {
            if group.trim().is_empty() {
                bail!("--group is empty");
            }
        }
        if let Some(p) = self.partition {
            if p < 0 {
                bail!("--partition must be 0 or more, got {p}");
            }
        }
        let start = match (&self.offset, self.from_beginning) {
            (Some(_), _) if self.partition.is_none() => {
                bail!("--offset needs --partition (or use --from-beginning for all partitions)")
            }
            (Some(_), true) => bail!("--offset and --from-beginning cannot be used together"),
            (Some(raw), false) => parse_offset(raw)?,
            (None, true) => Start::Beginning,
            (None, false) => Start::End,
        };
        if self.max_messages == Some(0) {
            bail!("--max-messages must be at least 1");
        }

        let mut settings = vec![
            ("enable.partition.eof".to_string(), "false".to_string()),
            (
                "auto.offset.reset".to_string(),
                if start == Start::Beginning {
                    "earliest"
                } else {
                    "latest"
                }
                .to_string(),
            ),
        ];
        match &self.group {
            Some(group) => {
                settings.push(("group.id".to_string(), group.clone()));
                settings.push(("enable.auto.commit".to_string(), "true".to_string()));
                // Offsets are stored only for printed records: librdkafka's
                // automatic store would also count records fetched while the
                // consumer closes, which were never printed.
                settings.push(("enable.auto.offset.store".to_string(), "false".to_string()));
            }
            None => {
                // librdkafka refuses assign() without a group.id; this one is
                // never joined and never committed to.
                settings.push(("group.id".to_string(), throwaway_group_id()));
                settings.push(("enable.auto.commit".to_string(), "false".to_string()));
            }
        }
        settings.extend(super::parse_key_values(
            "--consumer-property",
            &self.consumer_properties,
        )?);

        Ok(Plan {
            topic: self.topic.clone(),
            group: self.group.clone(),
            partition: self.partition,
            start,
            max_messages: self.max_messages,
            idle_timeout: self.timeout_ms.map(Duration::from_millis),
            formatter,
            settings,
        })
    }
}

fn throwaway_group_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("sluice-console-consumer-{}-{nanos}", std::process::id())
}

fn parse_offset(raw: &str) -> anyhow::Result<Start> {
    match raw.trim() {
        "earliest" => Ok(Start::Beginning),
        "latest" => Ok(Start::End),
        number => match number.parse::<i64>() {
            Ok(n) if n >= 0 => Ok(Start::At(n)),
            _ => bail!("--offset {raw:?}: expected earliest, latest or a number 0 or more"),
        },
    }
}

/// Kafka's DefaultMessageFormatter settings.
#[derive(Debug, Clone, PartialEq)]
struct RecordFormatter {
    print_timestamp: bool,
    print_partition: bool,
    print_offset: bool,
    print_headers: bool,
    print_key: bool,
    print_value: bool,
    key_separator: Vec<u8>,
    line_separator: Vec<u8>,
    headers_separator: Vec<u8>,
    headers_key_separator: Vec<u8>,
    null_literal: Vec<u8>,
}

impl Default for RecordFormatter {
    fn default() -> Self {
        RecordFormatter {
            print_timestamp: false,
            print_partition: false,
            print_offset: false,
            print_headers: false,
            print_key: false,
            print_value: true,
            key_separator: b"\t".to_vec(),
            line_separator: b"\n".to_vec(),
            headers_separator: b",".to_vec(),
            headers_key_separator: b":".to_vec(),
            null_literal: b"null".to_vec(),
        }
    }
}

/// The parts of a record the formatter prints.
#[derive(Debug)]
struct RecordView<'a> {
    timestamp: Timestamp,
    partition: i32,
    offset: i64,
    headers: Vec<(&'a str, Option<&'a [u8]>)>,
    key: Option<&'a [u8]>,
    value: Option<&'a [u8]>,
}

impl RecordFormatter {
    fn from_properties(properties: &[(String, String)]) -> anyhow::Result<Self> {
        let mut f = RecordFormatter::default();
        for (key, value) in properties {
            let flag = || super::produce::parse_bool(key, value);
            let text = || unescape(value).into_bytes();
            match key.as_str() {
                "print.timestamp" => f.print_timestamp = flag()?,
                "print.partition" => f.print_partition = flag()?,
                "print.offset" => f.print_offset = flag()?,
                "print.headers" => f.print_headers = flag()?,
                "print.key" => f.print_key = flag()?,
                "print.value" => f.print_value = flag()?,
                "key.separator" => f.key_separator = text(),
                "line.separator" => f.line_separator = text(),
                "headers.separator" => f.headers_separator = text(),
                "headers.key.separator" => f.headers_key_separator = text(),
                "null.literal" => f.null_literal = text(),
                other => bail!(
                    "unknown --property {other}; supported: print.key, print.value, print.timestamp, \
                     print.partition, print.offset, print.headers, key.separator, line.separator, \
                     headers.separator, headers.key.separator, null.literal (librdkafka settings go \
                     in --consumer-property)"
                ),
            }
        }
        Ok(f)
    }

    /// Appends one record, fields separated by key.separator, ended by line.separator.
    fn write(&self, record: &RecordView<'_>, out: &mut Vec<u8>) {
        let mut fields: Vec<Vec<u8>> = Vec::new();
        if self.print_timestamp {
            fields.push(
                match record.timestamp {
                    Timestamp::CreateTime(t) => format!("CreateTime:{t}"),
                    Timestamp::LogAppendTime(t) => format!("LogAppendTime:{t}"),
                    Timestamp::NotAvailable => "NO_TIMESTAMP".to_string(),
                }
                .into_bytes(),
            );
        }
        if self.print_partition {
            fields.push(format!("Partition:{}", record.partition).into_bytes());
        }
        if self.print_offset {
            fields.push(format!("Offset:{}", record.offset).into_bytes());
        }
        if self.print_headers {
            if record.headers.is_empty() {
                fields.push(b"NO_HEADERS".to_vec());
            } else {
                let mut field = Vec::new();
                for (i, (name, value)) in record.headers.iter().enumerate() {
                    if i > 0 {
                        field.extend_from_slice(&self.headers_separator);
                    }
                    field.extend_from_slice(name.as_bytes());
                    field.extend_from_slice(&self.headers_key_separator);
                    field.extend_from_slice(value.unwrap_or(&self.null_literal));
                }
                fields.push(field);
            }
        }
        if self.print_key {
            fields.push(record.key.unwrap_or(&self.null_literal).to_vec());
        }
        if self.print_value {
            fields.push(record.value.unwrap_or(&self.null_literal).to_vec());
        }
        if fields.is_empty() {
            return;
        }
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(&self.key_separator);
            }
            out.extend_from_slice(field);
        }
        out.extend_from_slice(&self.line_separator);
    }
}

/// Shells make `\t` hard to type, so separators accept `\t`, `\n`, `\r`, `\\`.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

pub async fn run(args: ConsumeArgs) -> anyhow::Result<()> {
    let plan = args.plan()?;
    let connection = &args.connection;
    connection.check_reachable().await?;
    let context = CliContext::default();
    let consumer: StreamConsumer<CliContext> = connection
        .client_config(&plan.settings)?
        .create_with_context(context.clone())
        .context(
            "cannot create the Kafka consumer (check --consumer-property and --command-config)",
        )?;
    let consumer = Arc::new(consumer);

    let partitions = topic_partitions(&consumer, &context, &plan.topic, connection).await?;
    match (&plan.group, plan.partition) {
        (Some(_), _) => consumer
            .subscribe(&[&plan.topic])
            .map_err(|e| anyhow!("cannot subscribe to '{}': {e}", plan.topic))?,
        (None, only) => {
            let chosen: Vec<i32> = match only {
                Some(p) if partitions.contains(&p) => vec![p],
                Some(p) => bail!(
                    "topic '{}' has no partition {p} (it has {} partitions)",
                    plan.topic,
                    partitions.len()
                ),
                None => partitions,
            };
            let mut assignment = TopicPartitionList::new();
            for p in chosen {
                assignment
                    .add_partition_offset(&plan.topic, p, plan.start.offset())
                    .map_err(|e| anyhow!("cannot start at {:?}: {e}", plan.start))?;
            }
            consumer
                .assign(&assignment)
                .map_err(|e| anyhow!("cannot assign partitions: {e}"))?;
        }
    }

    let (count, result) = read_loop(&consumer, &plan).await;
    if plan.group.is_some() && count > 0 {
        let committer = Arc::clone(&consumer);
        let committed = blocking(move || committer.commit_consumer_state(CommitMode::Sync)).await?;
        if let Err(error) = committed {
            if super::error_code(&error) != Some(RDKafkaErrorCode::NoOffset) {
                eprintln!("warning: committing offsets failed: {error}");
            }
        }
    }
    // Closing a group member waits for LeaveGroup: not on an async worker.
    blocking(move || drop(consumer)).await?;
    eprintln!("Processed a total of {count} messages");
    result
}

/// Output is written when no record is immediately available, or when this
/// much piled up: a burst of records costs one write, not one per record.
const FLUSH_BYTES: usize = 64 * 1024;

/// Formatted records not yet written to stdout, and (with a group) the
/// offsets to store once they are: only printed records count as consumed.
struct Output<'a> {
    consumer: &'a StreamConsumer<CliContext>,
    topic: &'a str,
    store_offsets: bool,
    stdout: tokio::io::Stdout,
    pending: Vec<u8>,
    pending_records: u64,
    pending_offsets: BTreeMap<i32, i64>,
    written: u64,
}

impl Output<'_> {
    fn total(&self) -> u64 {
        self.written + self.pending_records
    }

    fn push(&mut self, formatter: &RecordFormatter, record: &RecordView<'_>) {
        formatter.write(record, &mut self.pending);
        self.pending_records += 1;
        self.pending_offsets.insert(record.partition, record.offset);
    }

    /// Writes what is pending; `Ok(false)` when the reader went away.
    async fn flush(&mut self) -> anyhow::Result<bool> {
        if self.pending_records == 0 {
            return Ok(true);
        }
        let written = async {
            self.stdout.write_all(&self.pending).await?;
            self.stdout.flush().await
        };
        match written.await {
            Ok(()) => {}
            Err(error) if super::is_broken_pipe(&error) => return Ok(false),
            Err(error) => bail!("cannot write to stdout: {error}"),
        }
        if self.store_offsets {
            for (partition, offset) in std::mem::take(&mut self.pending_offsets) {
                // Stores offset + 1: the next record to read.
                if let Err(error) = self.consumer.store_offset(self.topic, partition, offset) {
                    eprintln!("warning: cannot store the offset of printed records: {error}");
                }
            }
        }
        self.pending_offsets.clear();
        self.written += self.pending_records;
        self.pending_records = 0;
        self.pending.clear();
        Ok(true)
    }
}

async fn read_loop(
    consumer: &StreamConsumer<CliContext>,
    plan: &Plan,
) -> (u64, anyhow::Result<()>) {
    let mut out = Output {
        consumer,
        topic: &plan.topic,
        store_offsets: plan.group.is_some(),
        stdout: tokio::io::stdout(),
        pending: Vec::new(),
        pending_records: 0,
        pending_offsets: BTreeMap::new(),
        written: 0,
    };
    let result = read_into(consumer, plan, &mut out).await;
    // Whatever ended the loop, what was formatted still gets written.
    let result = result.and(out.flush().await.map(|_| ()));
    (out.written, result)
}

async fn read_into(
    consumer: &StreamConsumer<CliContext>,
    plan: &Plan,
    out: &mut Output<'_>,
) -> anyhow::Result<()> {
    let mut last_warning = String::new();
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    loop {
        if plan.max_messages.is_some_and(|max| out.total() >= max) {
            return Ok(());
        }
        // A record that is already here is taken without writing first.
        // Ctrl-C ends the tool normally, as in Kafka's console consumer.
        let ready = tokio::select! {
            biased;
            _ = &mut interrupted => return Ok(()),
            ready = tokio::time::timeout(Duration::ZERO, consumer.recv()) => ready.ok(),
        };
        let received = match ready {
            Some(received) => received,
            None => {
                if !out.flush().await? {
                    return Ok(()); // stdout's reader is gone
                }
                let next = async {
                    match plan.idle_timeout {
                        Some(idle) => tokio::time::timeout(idle, consumer.recv()).await.ok(),
                        None => Some(consumer.recv().await),
                    }
                };
                tokio::select! {
                    received = next => match received {
                        Some(received) => received,
                        None => return Ok(()), // --timeout-ms without a record
                    },
                    _ = &mut interrupted => return Ok(()),
                }
            }
        };
        let message = match received {
            Ok(message) => message,
            Err(error) => {
                let warning = consume_error(&plan.topic, error)?;
                // librdkafka repeats transient errors; say each once in a row.
                if warning != last_warning {
                    eprintln!("warning: {warning}");
                    last_warning = warning;
                }
                continue;
            }
        };
        let headers = message
            .headers()
            .map(|h| h.iter().map(|header| (header.key, header.value)).collect())
            .unwrap_or_default();
        let view = RecordView {
            timestamp: message.timestamp(),
            partition: message.partition(),
            offset: message.offset(),
            headers,
            key: message.key(),
            value: message.payload(),
        };
        out.push(&plan.formatter, &view);
        if out.pending.len() >= FLUSH_BYTES && !out.flush().await? {
            return Ok(());
        }
    }
}

/// A consume error: `Err` ends the tool, `Ok` is a warning to print.
fn consume_error(topic: &str, error: KafkaError) -> anyhow::Result<String> {
    match super::error_code(&error) {
        Some(RDKafkaErrorCode::UnknownTopicOrPartition | RDKafkaErrorCode::UnknownTopic) => Err(anyhow!(
            "topic '{topic}' does not exist; create it with `sluice topics --create --topic {topic}`"
        )),
        Some(RDKafkaErrorCode::TopicAuthorizationFailed) => Err(anyhow!("not authorized to read topic '{topic}'")),
        Some(RDKafkaErrorCode::GroupAuthorizationFailed) => Err(anyhow!("not authorized to use this consumer group")),
        _ => Ok(error.to_string()),
    }
}

/// The topic's partition ids; fails with advice when it does not exist.
async fn topic_partitions(
    consumer: &Arc<StreamConsumer<CliContext>>,
    context: &CliContext,
    topic: &str,
    connection: &ConnectionArgs,
) -> anyhow::Result<Vec<i32>> {
    let client = Arc::clone(consumer);
    let timeout = connection.request_timeout();
    let name = topic.to_string();
    // Consumers do not ask the broker to auto-create (allow.auto.create.topics=false).
    let metadata = blocking(move || client.fetch_metadata(Some(&name), timeout))
        .await?
        .map_err(|e| {
            explain(
                e,
                "fetching metadata",
                &connection.bootstrap_server,
                context,
            )
        })?;
    let Some(found) = metadata.topics().iter().find(|t| t.name() == topic) else {
        bail!("the broker sent no metadata for topic '{topic}'");
    };
    match found.error().map(RDKafkaErrorCode::from) {
        None => Ok(found.partitions().iter().map(|p| p.id()).collect()),
        Some(code) => Err(consume_error(topic, KafkaError::MetadataFetch(code))
            .err()
            .unwrap_or_else(|| anyhow!("topic '{topic}' is not available: {code}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: ConsumeArgs,
    }

    fn plan(argv: &[&str]) -> anyhow::Result<Plan> {
        let cli = Cli::try_parse_from(std::iter::once("consume").chain(argv.iter().copied()))?;
        cli.args.plan()
    }

    fn setting<'a>(plan: &'a Plan, key: &str) -> Option<&'a str> {
        plan.settings
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn defaults_start_at_latest_without_group() {
        let p = plan(&["--topic", "t"]).expect("valid");
        assert_eq!(p.start, Start::End);
        assert_eq!(p.group, None);
        assert!(setting(&p, "group.id").is_some_and(|g| g.starts_with("sluice-console-consumer-")));
        assert_eq!(setting(&p, "enable.auto.commit"), Some("false"));
        assert_eq!(setting(&p, "auto.offset.reset"), Some("latest"));
        assert_eq!(p.idle_timeout, None);
    }

    #[test]
    fn group_from_beginning_commits() {
        let p = plan(&[
            "--bootstrap-server",
            "localhost:9092",
            "--topic",
            "t",
            "--from-beginning",
            "--group",
            "g",
            "--max-messages",
            "5",
            "--timeout-ms",
            "2000",
            "--consumer-property",
            "enable.auto.commit=false",
        ])
        .expect("valid");
        assert_eq!(p.start, Start::Beginning);
        assert_eq!(setting(&p, "group.id"), Some("g"));
        assert_eq!(setting(&p, "auto.offset.reset"), Some("earliest"));
        // A --consumer-property wins over the tool's own setting.
        assert_eq!(setting(&p, "enable.auto.commit"), Some("false"));
        assert_eq!(setting(&p, "enable.auto.offset.store"), Some("false"));
        assert_eq!(p.max_messages, Some(5));
        assert_eq!(p.idle_timeout, Some(Duration::from_millis(2000)));
    }

    #[test]
    fn partition_and_offset() {
        let p = plan(&["--topic", "t", "--partition", "1", "--offset", "42"]).expect("valid");
        assert_eq!((p.partition, p.start), (Some(1), Start::At(42)));
        let e = plan(&["--topic", "t", "--partition", "1", "--offset", "earliest"]).expect("valid");
        assert_eq!(e.start, Start::Beginning);
    }

    #[test]
    fn conflicting_flags_are_explained() {
        let error = |argv: &[&str]| plan(argv).expect_err("should fail").to_string();
        assert!(error(&["--topic", "t", "--group", "g", "--partition", "0"])
            .contains("cannot be used together"));
        assert!(error(&["--topic", "t", "--offset", "3"]).contains("needs --partition"));
        assert!(
            error(&["--topic", "t", "--partition", "0", "--offset", "x"])
                .contains("earliest, latest")
        );
        assert!(error(&["--topic", "t", "--max-messages", "0"]).contains("at least 1"));
        assert!(error(&["--topic", "t", "--property", "print.keys=true"])
            .contains("unknown --property"));
    }

    fn view<'a>(key: Option<&'a [u8]>, value: Option<&'a [u8]>) -> RecordView<'a> {
        RecordView {
            timestamp: Timestamp::CreateTime(1700),
            partition: 2,
            offset: 7,
            headers: vec![],
            key,
            value,
        }
    }

    fn render(properties: &[(&str, &str)], record: &RecordView<'_>) -> String {
        let owned: Vec<(String, String)> = properties
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut out = Vec::new();
        RecordFormatter::from_properties(&owned)
            .expect("valid")
            .write(record, &mut out);
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn value_only_by_default() {
        assert_eq!(render(&[], &view(Some(b"k"), Some(b"v"))), "v\n");
        assert_eq!(render(&[], &view(None, None)), "null\n");
    }

    #[test]
    fn key_and_separator() {
        let props = [("print.key", "true"), ("key.separator", ":")];
        assert_eq!(render(&props, &view(Some(b"k"), Some(b"v"))), "k:v\n");
        assert_eq!(render(&props, &view(None, Some(b"v"))), "null:v\n");
        assert_eq!(
            render(&[("print.key", "true")], &view(Some(b"k"), Some(b"v"))),
            "k\tv\n"
        );
        assert_eq!(
            render(
                &[("print.key", "true"), ("key.separator", "\\t|")],
                &view(Some(b"k"), Some(b"v"))
            ),
            "k\t|v\n"
        );
    }

    #[test]
    fn all_fields_in_kafka_order() {
        let mut record = view(Some(b"k"), Some(b"v"));
        record.headers = vec![("h1", Some(b"x")), ("h2", None)];
        let props = [
            ("print.timestamp", "true"),
            ("print.partition", "true"),
            ("print.offset", "true"),
            ("print.headers", "true"),
            ("print.key", "true"),
            ("key.separator", " | "),
        ];
        assert_eq!(
            render(&props, &record),
            "CreateTime:1700 | Partition:2 | Offset:7 | h1:x,h2:null | k | v\n"
        );
        let no_headers = view(None, Some(b"v"));
        assert_eq!(
            render(&[("print.headers", "true")], &no_headers),
            "NO_HEADERS\tv\n"
        );
        assert_eq!(
            render(
                &[("print.value", "false"), ("print.key", "true")],
                &no_headers
            ),
            "null\n"
        );
        assert_eq!(render(&[("print.value", "false")], &no_headers), "");
    }

    #[test]
    fn unescape_separators() {
        assert_eq!(unescape("a\\tb\\n\\\\\\x\\"), "a\tb\n\\\\x\\");
    }

    #[test]
    fn missing_topic_is_fatal_other_errors_warn() {
        let fatal = consume_error(
            "t",
            KafkaError::MessageConsumption(RDKafkaErrorCode::UnknownTopicOrPartition),
        )
        .expect_err("fatal")
        .to_string();
        assert!(
            fatal.contains("sluice topics --create --topic t"),
            "{fatal}"
        );
        assert!(consume_error(
            "t",
            KafkaError::MessageConsumption(RDKafkaErrorCode::BrokerTransportFailure)
        )
        .is_ok());
    }
}
