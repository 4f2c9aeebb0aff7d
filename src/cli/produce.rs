//! `sluice produce`: one record per stdin line, like `kafka-console-producer.sh`.
//!
//! Records are sent with acks=all; the tool waits for every delivery report
//! and exits nonzero if any record was not written.

use super::{blocking, explain, CliContext, ConnectionArgs};
use anyhow::{anyhow, bail, Context as _};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord, Producer as _};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

/// Delivery reports awaited before reading more lines: bounds memory when
/// stdin is faster than the broker.
const MAX_IN_FLIGHT: usize = 10_000;
/// Failures printed one by one; the rest are counted.
const MAX_REPORTED_FAILURES: usize = 10;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    echo hello | sluice produce --topic quickstart-events\n  \
    printf 'k1:v1\\nk2:v2\\n' | sluice produce --topic t --property parse.key=true --property key.separator=:")]
pub struct ProduceArgs {
    /// The topic to write to.
    #[arg(long, value_name = "TOPIC")]
    topic: String,

    /// How lines are read (repeatable): parse.key=true, key.separator=SEP
    /// (default tab), null.marker=TEXT, ignore.error=true.
    #[arg(long = "property", value_name = "KEY=VALUE")]
    properties: Vec<String>,

    /// A librdkafka producer setting, e.g. compression.type=zstd (repeatable).
    #[arg(long = "producer-property", value_name = "KEY=VALUE")]
    producer_properties: Vec<String>,

    #[command(flatten)]
    connection: ConnectionArgs,
}

/// A record's key and value; `None` is null.
type KeyValue<'a> = (Option<&'a [u8]>, Option<&'a [u8]>);

/// How a stdin line becomes a record (the `--property` settings).
#[derive(Debug, Clone, PartialEq)]
struct LineFormat {
    parse_key: bool,
    key_separator: Vec<u8>,
    ignore_error: bool,
    null_marker: Option<Vec<u8>>,
}

impl Default for LineFormat {
    fn default() -> Self {
        LineFormat {
            parse_key: false,
            key_separator: b"\t".to_vec(),
            ignore_error: false,
            null_marker: None,
        }
    }
}

impl LineFormat {
    fn from_properties(properties: &[(String, String)]) -> anyhow::Result<Self> {
        let mut format = LineFormat::default();
        for (key, value) in properties {
            match key.as_str() {
                "parse.key" => format.parse_key = parse_bool(key, value)?,
                "key.separator" => {
                    if value.is_empty() {
                        bail!("--property key.separator= is empty; give at least one character");
                    }
                    format.key_separator = value.as_bytes().to_vec();
                }
                "ignore.error" => format.ignore_error = parse_bool(key, value)?,
                "null.marker" => format.null_marker = Some(value.as_bytes().to_vec()),
                other => bail!(
                    "unknown --property {other}; supported: parse.key, key.separator, null.marker, \
                     ignore.error (librdkafka settings go in --producer-property)"
                ),
            }
        }
        Ok(format)
    }

    /// Splits a line (without its line ending) into key and value; `None`
    /// stands for a null key or value.
    fn split<'a>(&self, line: &'a [u8]) -> Result<KeyValue<'a>, String> {
        let null_or = |bytes: &'a [u8]| match &self.null_marker {
            Some(marker) if marker.as_slice() == bytes => None,
            _ => Some(bytes),
        };
        if !self.parse_key {
            return Ok((None, null_or(line)));
        }
        match find(line, &self.key_separator) {
            Some(at) => Ok((
                null_or(&line[..at]),
                null_or(&line[at + self.key_separator.len()..]),
            )),
            None if self.ignore_error => Ok((None, null_or(line))),
            None => Err(format!(
                "no key separator {:?} in the line (parse.key=true); use KEY{}VALUE, or set \
                 --property key.separator=…",
                String::from_utf8_lossy(&self.key_separator),
                String::from_utf8_lossy(&self.key_separator),
            )),
        }
    }
}

pub(super) fn parse_bool(key: &str, value: &str) -> anyhow::Result<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => bail!("--property {key}={value}: expected true or false"),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return None;
    }
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Removes the line ending read_until leaves: `\n` or `\r\n` (like Java's readLine).
fn trim_line_ending(mut line: &[u8]) -> &[u8] {
    if let Some(rest) = line.strip_suffix(b"\n") {
        line = rest;
    }
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Delivery outcome bookkeeping, with a bounded number of printed failures.
#[derive(Debug, Default)]
struct Tally {
    sent: u64,
    failed: u64,
    first_error: Option<String>,
}

impl Tally {
    fn fail(&mut self, line_number: u64, error: &str) {
        self.failed += 1;
        if self.failed as usize <= MAX_REPORTED_FAILURES {
            eprintln!("line {line_number}: not delivered: {error}");
        }
        self.first_error
            .get_or_insert_with(|| format!("line {line_number}: {error}"));
    }

    fn summary(&self, topic: &str) -> anyhow::Result<()> {
        match &self.first_error {
            None => Ok(()),
            Some(first) => Err(anyhow!(
                "{} of {} records were not delivered to topic '{topic}' (first: {first})",
                self.failed,
                self.sent + self.failed
            )),
        }
    }
}

pub async fn run(args: ProduceArgs) -> anyhow::Result<()> {
    let format =
        LineFormat::from_properties(&super::parse_key_values("--property", &args.properties)?)?;
    let mut settings = vec![
        ("acks".to_string(), "all".to_string()),
        // Bound each delivery by the request timeout instead of librdkafka's 5 minutes.
        (
            "message.timeout.ms".to_string(),
            args.connection.request_timeout_ms.max(1).to_string(),
        ),
    ];
    settings.extend(super::parse_key_values(
        "--producer-property",
        &args.producer_properties,
    )?);

    args.connection.check_reachable().await?;
    let context = CliContext::default();
    let producer: FutureProducer<CliContext> = args
        .connection
        .client_config(&settings)?
        .create_with_context(context.clone())
        .context(
            "cannot create the Kafka producer (check --producer-property and --command-config)",
        )?;
    let producer = Arc::new(producer);
    check_topic(&producer, &context, &args.topic, &args.connection).await?;

    let mut lines = BufReader::new(tokio::io::stdin());
    let mut line = Vec::new();
    let mut line_number = 0u64;
    let mut in_flight: VecDeque<(u64, DeliveryFuture)> = VecDeque::new();
    let mut tally = Tally::default();
    let mut stop: Option<anyhow::Error> = None;
    loop {
        line.clear();
        let read = lines
            .read_until(b'\n', &mut line)
            .await
            .context("cannot read stdin")?;
        if read == 0 {
            break;
        }
        line_number += 1;
        let (key, value) = match format.split(trim_line_ending(&line)) {
            Ok(parts) => parts,
            Err(problem) => {
                // Like Kafka's console producer: a malformed line ends input.
                stop = Some(anyhow!("line {line_number}: {problem}"));
                break;
            }
        };
        let mut record: FutureRecord<'_, [u8], [u8]> = FutureRecord::to(&args.topic);
        if let Some(key) = key {
            record = record.key(key);
        }
        if let Some(value) = value {
            record = record.payload(value);
        }
        loop {
            match producer.send_result(record) {
                Ok(delivery) => {
                    in_flight.push_back((line_number, delivery));
                    break;
                }
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), returned)) => {
                    record = returned;
                    // Make room: wait for the oldest delivery, or briefly if none is ours.
                    match in_flight.pop_front() {
                        Some((number, delivery)) => settle(number, delivery, &mut tally).await,
                        None => tokio::time::sleep(Duration::from_millis(10)).await,
                    }
                }
                Err((error, _)) => {
                    tally.fail(line_number, &error.to_string());
                    break;
                }
            }
        }
        while in_flight.len() >= MAX_IN_FLIGHT {
            if let Some((number, delivery)) = in_flight.pop_front() {
                settle(number, delivery, &mut tally).await;
            }
        }
    }
    while let Some((number, delivery)) = in_flight.pop_front() {
        settle(number, delivery, &mut tally).await;
    }
    if tally.failed > 0 {
        if let Some(seen) = context.last_error() {
            eprintln!("last client error: {seen}");
        }
    }
    match stop {
        Some(error) => {
            if tally.sent > 0 {
                eprintln!("the {} records before that line were delivered", tally.sent);
            }
            Err(error)
        }
        None => tally.summary(&args.topic),
    }
}

async fn settle(line_number: u64, delivery: DeliveryFuture, tally: &mut Tally) {
    match delivery.await {
        Ok(Ok(_)) => tally.sent += 1,
        Ok(Err((error, _message))) => tally.fail(line_number, &error.to_string()),
        Err(_canceled) => tally.fail(
            line_number,
            "the producer shut down before the delivery report",
        ),
    }
}

/// Fails early, with advice, if the topic does not exist and the broker does
/// not create it: otherwise every record would time out one by one.
async fn check_topic(
    producer: &Arc<FutureProducer<CliContext>>,
    context: &CliContext,
    topic: &str,
    connection: &ConnectionArgs,
) -> anyhow::Result<()> {
    let client = Arc::clone(producer);
    let timeout = connection.request_timeout();
    let name = topic.to_string();
    // By name, so a broker with auto.create.topics.enable creates it (as Kafka's tool would).
    let metadata = blocking(move || client.client().fetch_metadata(Some(&name), timeout))
        .await?
        .map_err(|e| {
            explain(
                e,
                "fetching metadata",
                &connection.bootstrap_server,
                context,
            )
        })?;
    let error = metadata
        .topics()
        .iter()
        .find(|t| t.name() == topic)
        .and_then(|t| t.error());
    match error.map(RDKafkaErrorCode::from) {
        None | Some(RDKafkaErrorCode::LeaderNotAvailable) => Ok(()),
        Some(RDKafkaErrorCode::UnknownTopicOrPartition) => bail!(
            "topic '{topic}' does not exist; create it with `sluice topics --create --topic {topic}`"
        ),
        Some(RDKafkaErrorCode::TopicAuthorizationFailed) => {
            bail!("not authorized to write to topic '{topic}'")
        }
        Some(code) => bail!("topic '{topic}' is not available: {code}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(properties: &[(&str, &str)]) -> anyhow::Result<LineFormat> {
        let owned: Vec<(String, String)> = properties
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        LineFormat::from_properties(&owned)
    }

    #[test]
    fn plain_lines_are_values() {
        let f = format(&[]).expect("valid");
        assert_eq!(f.split(b"a:b"), Ok((None, Some(&b"a:b"[..]))));
        assert_eq!(f.split(b""), Ok((None, Some(&b""[..]))));
    }

    #[test]
    fn keys_split_on_the_first_separator() {
        let f = format(&[("parse.key", "true"), ("key.separator", ":")]).expect("valid");
        assert_eq!(f.split(b"k:v:w"), Ok((Some(&b"k"[..]), Some(&b"v:w"[..]))));
        assert_eq!(f.split(b":v"), Ok((Some(&b""[..]), Some(&b"v"[..]))));
        let error = f.split(b"novalue").expect_err("no separator");
        assert!(error.contains("no key separator \":\""), "{error}");

        let tab = format(&[("parse.key", "TRUE")]).expect("default separator");
        assert_eq!(tab.split(b"k\tv"), Ok((Some(&b"k"[..]), Some(&b"v"[..]))));

        let multi = format(&[("parse.key", "true"), ("key.separator", "::")]).expect("valid");
        assert_eq!(
            multi.split(b"a:b::c"),
            Ok((Some(&b"a:b"[..]), Some(&b"c"[..])))
        );
    }

    #[test]
    fn ignore_error_and_null_marker() {
        let f = format(&[
            ("parse.key", "true"),
            ("key.separator", ":"),
            ("ignore.error", "true"),
        ])
        .expect("valid");
        assert_eq!(f.split(b"whole"), Ok((None, Some(&b"whole"[..]))));
        let n = format(&[
            ("parse.key", "true"),
            ("key.separator", ":"),
            ("null.marker", "NULL"),
        ])
        .expect("valid");
        assert_eq!(n.split(b"k:NULL"), Ok((Some(&b"k"[..]), None)));
        assert_eq!(n.split(b"NULL:v"), Ok((None, Some(&b"v"[..]))));
    }

    #[test]
    fn bad_properties_are_explained() {
        assert!(format(&[("parse.key", "yes")])
            .expect_err("bad bool")
            .to_string()
            .contains("true or false"));
        assert!(format(&[("key.separator", "")]).is_err());
        let unknown = format(&[("acks", "all")]).expect_err("unknown").to_string();
        assert!(unknown.contains("--producer-property"), "{unknown}");
    }

    #[test]
    fn line_endings_are_removed() {
        assert_eq!(trim_line_ending(b"a\r\n"), b"a");
        assert_eq!(trim_line_ending(b"a\n"), b"a");
        assert_eq!(trim_line_ending(b"a"), b"a");
        assert_eq!(trim_line_ending(b"a\r"), b"a");
        assert_eq!(trim_line_ending(b"\n"), b"");
    }

    #[test]
    fn tally_reports_counts() {
        let mut tally = Tally {
            sent: 3,
            ..Tally::default()
        };
        assert!(tally.summary("t").is_ok());
        tally.fail(4, "Broker: Message timed out");
        let error = tally.summary("t").expect_err("failed").to_string();
        assert!(
            error.starts_with("1 of 4 records were not delivered to topic 't'"),
            "{error}"
        );
        assert!(
            error.contains("line 4: Broker: Message timed out"),
            "{error}"
        );
    }
}
