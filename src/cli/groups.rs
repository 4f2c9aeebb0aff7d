//! `sluice groups`: list, describe and delete consumer groups, with the flags
//! and columns of `kafka-consumer-groups.sh`.
//!
//! Describe joins three sources: committed offsets (OffsetFetch, through a
//! consumer that has the group's id but never joins it), log end offsets
//! (ListOffsets), and members with their assignments (DescribeGroups).

use super::{blocking, explain, CliContext, ConnectionArgs};
use anyhow::{anyhow, bail, Context as _};
use rdkafka::admin::{AdminClient, AdminOptions};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::{Offset, TopicPartitionList};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

/// The consumer protocol's assignment layout: version, topics, user data.
const CONSUMER_PROTOCOL_TYPE: &str = "consumer";
const HEADERS: [&str; 9] = [
    "GROUP",
    "TOPIC",
    "PARTITION",
    "CURRENT-OFFSET",
    "LOG-END-OFFSET",
    "LAG",
    "CONSUMER-ID",
    "HOST",
    "CLIENT-ID",
];
/// Column widths kafka-consumer-groups.sh starts from (the last is unpadded).
const MIN_WIDTHS: [usize; 8] = [15, 15, 10, 15, 15, 15, 15, 15];

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    sluice groups --list\n  \
    sluice groups --describe --group my-group\n  \
    sluice groups describe my-group")]
pub struct GroupsArgs {
    #[command(subcommand)]
    command: Option<GroupsCommand>,

    /// List consumer group names.
    #[arg(long)]
    list: bool,
    /// Show offsets, lag and members of groups (--group or --all-groups).
    #[arg(long)]
    describe: bool,
    /// Delete groups that have no active members (--group or --all-groups).
    #[arg(long)]
    delete: bool,

    /// The group to act on (repeatable).
    #[arg(long = "group", value_name = "GROUP", global = true)]
    groups: Vec<String>,
    /// Act on every group.
    #[arg(long, global = true)]
    all_groups: bool,

    #[command(flatten)]
    connection: ConnectionArgs,
}

#[derive(Debug, clap::Subcommand)]
// Positionals are called `names`: an id of `groups` would merge with the global --group.
enum GroupsCommand {
    /// List consumer group names.
    List,
    /// Show offsets, lag and members of groups.
    Describe {
        #[arg(value_name = "GROUP")]
        names: Vec<String>,
    },
    /// Delete groups that have no active members.
    Delete {
        #[arg(value_name = "GROUP")]
        names: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
enum Selection {
    All,
    Named(Vec<String>),
}

#[derive(Debug, PartialEq)]
enum Action {
    List,
    Describe(Selection),
    Delete(Selection),
}

impl GroupsArgs {
    fn action(&self) -> anyhow::Result<Action> {
        let flagged: Vec<&str> = [
            (self.list, "--list"),
            (self.describe, "--describe"),
            (self.delete, "--delete"),
        ]
        .into_iter()
        .filter_map(|(set, name)| set.then_some(name))
        .collect();
        let (verb, mut named) = match (&self.command, flagged.as_slice()) {
            (Some(GroupsCommand::List), []) => ("--list", Vec::new()),
            (Some(GroupsCommand::Describe { names }), []) => ("--describe", names.clone()),
            (Some(GroupsCommand::Delete { names }), []) => ("--delete", names.clone()),
            (Some(_), [flag, ..]) => bail!("use either a subcommand or {flag}, not both"),
            (None, [one]) => (*one, Vec::new()),
            (None, []) => bail!(
                "say what to do: one of --list, --describe or --delete \
                 (e.g. `sluice groups --describe --group G`)"
            ),
            (None, many) => bail!("choose one action, got {}", many.join(" and ")),
        };
        named.extend(self.groups.iter().cloned());
        if named.iter().any(|g| g.trim().is_empty()) {
            bail!("a group name is empty");
        }
        if verb == "--list" {
            if !named.is_empty() || self.all_groups {
                bail!("--list takes no --group or --all-groups");
            }
            return Ok(Action::List);
        }
        let selection = match (named.is_empty(), self.all_groups) {
            (true, true) => Selection::All,
            (false, false) => Selection::Named(named),
            (false, true) => bail!("give --group or --all-groups, not both"),
            (true, false) => bail!("{verb} needs --group GROUP (or --all-groups)"),
        };
        Ok(if verb == "--describe" {
            Action::Describe(selection)
        } else {
            Action::Delete(selection)
        })
    }
}

/// A group member as DescribeGroups reports it.
#[derive(Debug, Clone, PartialEq)]
struct Member {
    id: String,
    client_id: String,
    host: String,
    assignment: Vec<(String, Vec<i32>)>,
}

/// A group as DescribeGroups reports it, copied out of librdkafka.
#[derive(Debug, Clone, PartialEq)]
struct GroupSnapshot {
    name: String,
    state: String,
    members: Vec<Member>,
}

/// Offsets of one partition the group has committed to or is assigned.
#[derive(Debug, Clone, PartialEq)]
struct PartitionOffsets {
    topic: String,
    partition: i32,
    committed: Option<i64>,
    log_end: Option<i64>,
}

/// One line of the describe table; `None` prints as `-`.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    group: String,
    topic: Option<String>,
    partition: Option<i32>,
    current: Option<i64>,
    log_end: Option<i64>,
    consumer_id: Option<String>,
    host: Option<String>,
    client_id: Option<String>,
}

impl Row {
    fn lag(&self) -> Option<i64> {
        Some(self.log_end? - self.current?)
    }

    fn cells(&self) -> [String; 9] {
        let dash = |v: Option<String>| v.unwrap_or_else(|| "-".to_string());
        [
            self.group.clone(),
            dash(self.topic.clone()),
            dash(self.partition.map(|p| p.to_string())),
            dash(self.current.map(|o| o.to_string())),
            dash(self.log_end.map(|o| o.to_string())),
            dash(self.lag().map(|l| l.to_string())),
            dash(self.consumer_id.clone()),
            dash(self.host.clone()),
            dash(self.client_id.clone()),
        ]
    }
}

/// Decodes a `consumer` protocol member assignment (ConsumerProtocolAssignment
/// v0-v3: int16 version, array of {string topic, array of int32}, user data).
fn decode_assignment(bytes: &[u8]) -> anyhow::Result<Vec<(String, Vec<i32>)>> {
    let mut reader = Reader { bytes };
    let version = reader.i16()?;
    if version < 0 {
        bail!("assignment version {version} is invalid");
    }
    let topic_count = reader.count()?;
    let mut topics = Vec::new();
    for _ in 0..topic_count {
        let name_len = usize::try_from(reader.i16()?).context("null topic name")?;
        let name = String::from_utf8_lossy(reader.take(name_len)?).into_owned();
        let partition_count = reader.count()?;
        let mut partitions = Vec::new();
        for _ in 0..partition_count {
            partitions.push(reader.i32()?);
        }
        topics.push((name, partitions));
    }
    // User data follows; describe has no use for it.
    Ok(topics)
}

/// Bounds-checked big-endian reads over untrusted bytes.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> anyhow::Result<&'a [u8]> {
        if n > self.bytes.len() {
            bail!("assignment is truncated");
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Ok(head)
    }

    fn i16(&mut self) -> anyhow::Result<i16> {
        let b = self.take(2)?;
        Ok(i16::from_be_bytes([b[0], b[1]]))
    }

    fn i32(&mut self) -> anyhow::Result<i32> {
        let b = self.take(4)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// An array length; -1 (null) is empty, and a count larger than the
    /// remaining bytes could hold is an error before any allocation.
    fn count(&mut self) -> anyhow::Result<usize> {
        let n = self.i32()?;
        if n < 0 {
            return Ok(0);
        }
        let n = usize::try_from(n).context("array length")?;
        if n > self.bytes.len() {
            bail!(
                "assignment announces {n} entries in {} bytes",
                self.bytes.len()
            );
        }
        Ok(n)
    }
}

/// Joins offsets and members into the describe table, sorted like Kafka's:
/// by topic and partition, then members that have nothing assigned.
fn build_rows(group: &GroupSnapshot, offsets: &[PartitionOffsets]) -> Vec<Row> {
    let mut owner: BTreeMap<(&str, i32), &Member> = BTreeMap::new();
    for member in &group.members {
        for (topic, partitions) in &member.assignment {
            for p in partitions {
                owner.insert((topic.as_str(), *p), member);
            }
        }
    }
    let mut rows: Vec<Row> = offsets
        .iter()
        .map(|o| {
            let member = owner.get(&(o.topic.as_str(), o.partition));
            Row {
                group: group.name.clone(),
                topic: Some(o.topic.clone()),
                partition: Some(o.partition),
                current: o.committed,
                log_end: o.log_end,
                consumer_id: member.and_then(|m| non_empty(&m.id)),
                host: member.and_then(|m| non_empty(&m.host)),
                client_id: member.and_then(|m| non_empty(&m.client_id)),
            }
        })
        .collect();
    rows.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
    for member in &group.members {
        if member
            .assignment
            .iter()
            .all(|(_, partitions)| partitions.is_empty())
        {
            rows.push(Row {
                group: group.name.clone(),
                topic: None,
                partition: None,
                current: None,
                log_end: None,
                consumer_id: non_empty(&member.id),
                host: non_empty(&member.host),
                client_id: non_empty(&member.client_id),
            });
        }
    }
    rows
}

/// Brokers send "" for what they do not know; the table shows `-` for that.
fn non_empty(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_string())
}

/// The aligned table, header first; columns are at least Kafka's widths and
/// grow to fit, separated by one space.
fn format_table(rows: &[Row]) -> String {
    let cells: Vec<[String; 9]> = rows.iter().map(Row::cells).collect();
    let mut widths = MIN_WIDTHS;
    for (i, width) in widths.iter_mut().enumerate() {
        *width = (*width).max(HEADERS[i].len());
        for row in &cells {
            *width = (*width).max(row[i].chars().count());
        }
    }
    let line = |values: [&str; 9]| {
        let mut out = String::new();
        for (i, value) in values.iter().enumerate() {
            if i < widths.len() {
                out.push_str(&format!("{value:<width$} ", width = widths[i]));
            } else {
                out.push_str(value);
            }
        }
        out.trim_end().to_string() + "\n"
    };
    let mut out = line(HEADERS);
    for row in &cells {
        out.push_str(&line(row.each_ref().map(String::as_str)));
    }
    out
}

pub async fn run(args: GroupsArgs) -> anyhow::Result<()> {
    let action = args.action()?;
    let connection = &args.connection;
    connection.check_reachable().await?;
    match action {
        Action::List => {
            let mut names: Vec<String> = fetch_groups(connection, None)
                .await?
                .into_iter()
                .map(|g| g.name)
                .collect();
            names.sort();
            let mut out = String::new();
            for name in names {
                out.push_str(&name);
                out.push('\n');
            }
            print!("{out}");
            Ok(())
        }
        Action::Describe(selection) => {
            for group in resolve(connection, selection).await? {
                let (snapshot, offsets) = describe(connection, &group).await?;
                let mut out = String::from("\n");
                if snapshot.members.is_empty() {
                    out.push_str(&format!(
                        "Consumer group '{group}' has no active members.\n\n"
                    ));
                }
                out.push_str(&format_table(&build_rows(&snapshot, &offsets)));
                print!("{out}");
            }
            Ok(())
        }
        Action::Delete(selection) => {
            let groups = resolve(connection, selection).await?;
            delete(connection, &groups).await
        }
    }
}

async fn resolve(connection: &ConnectionArgs, selection: Selection) -> anyhow::Result<Vec<String>> {
    match selection {
        Selection::Named(names) => Ok(names),
        Selection::All => {
            let mut names: Vec<String> = fetch_groups(connection, None)
                .await?
                .into_iter()
                .map(|g| g.name)
                .collect();
            names.sort();
            Ok(names)
        }
    }
}

/// A consumer used only for lookups; with `group` set it can read that
/// group's committed offsets without joining the group.
fn lookup_consumer(
    connection: &ConnectionArgs,
    group: Option<&str>,
    context: &CliContext,
) -> anyhow::Result<BaseConsumer<CliContext>> {
    let mut settings = vec![("enable.auto.commit".to_string(), "false".to_string())];
    if let Some(group) = group {
        settings.push(("group.id".to_string(), group.to_string()));
    }
    connection
        .client_config(&settings)?
        .create_with_context(context.clone())
        .context("cannot create the Kafka client (check --command-config)")
}

/// Groups from ListGroups + DescribeGroups, copied into owned values inside
/// the blocking task (rdkafka's accessors panic on non-UTF-8 names, and a
/// panic there becomes an error here instead of a crash).
async fn fetch_groups(
    connection: &ConnectionArgs,
    group: Option<&str>,
) -> anyhow::Result<Vec<GroupSnapshot>> {
    let context = CliContext::default();
    let consumer = lookup_consumer(connection, None, &context)?;
    let timeout = connection.request_timeout();
    let wanted = group.map(str::to_string);
    let result = blocking(move || -> rdkafka::error::KafkaResult<Vec<GroupSnapshot>> {
        let list = consumer.fetch_group_list(wanted.as_deref(), timeout)?;
        Ok(list
            .groups()
            .iter()
            .map(|g| {
                let consumer_protocol = g.protocol_type() == CONSUMER_PROTOCOL_TYPE;
                GroupSnapshot {
                    name: g.name().to_string(),
                    state: g.state().to_string(),
                    members: g
                        .members()
                        .iter()
                        .map(|m| Member {
                            id: m.id().to_string(),
                            client_id: m.client_id().to_string(),
                            host: m.client_host().to_string(),
                            assignment: match (consumer_protocol, m.assignment()) {
                                (true, Some(bytes)) if !bytes.is_empty() => {
                                    decode_assignment(bytes).unwrap_or_else(|error| {
                                        tracing::debug!(%error, member = m.id(), "undecodable assignment");
                                        Vec::new()
                                    })
                                }
                                _ => Vec::new(),
                            },
                        })
                        .collect(),
                }
            })
            .collect::<Vec<_>>())
    })
    .await?;
    result.map_err(|e| {
        explain(
            e,
            "listing consumer groups",
            &connection.bootstrap_server,
            &context,
        )
    })
}

async fn describe(
    connection: &ConnectionArgs,
    group: &str,
) -> anyhow::Result<(GroupSnapshot, Vec<PartitionOffsets>)> {
    let snapshot = fetch_groups(connection, Some(group))
        .await?
        .into_iter()
        .find(|g| g.name == group)
        .unwrap_or_else(|| GroupSnapshot {
            name: group.to_string(),
            state: "Dead".to_string(),
            members: Vec::new(),
        });

    let context = CliContext::default();
    let consumer = Arc::new(lookup_consumer(connection, Some(group), &context)?);
    let timeout = connection.request_timeout();
    let bootstrap = connection.bootstrap_server.clone();

    // Every partition of every topic, so offsets committed for topics the
    // members no longer read show up too; plus whatever members are assigned.
    let lookup = Arc::clone(&consumer);
    let metadata = blocking(move || lookup.fetch_metadata(None, timeout))
        .await?
        .map_err(|e| explain(e, "fetching metadata", &bootstrap, &context))?;
    let mut candidates: BTreeSet<(String, i32)> = BTreeSet::new();
    for topic in metadata
        .topics()
        .iter()
        .filter(|t| !t.name().starts_with("__") && t.error().is_none())
    {
        for p in topic.partitions() {
            candidates.insert((topic.name().to_string(), p.id()));
        }
    }
    let assigned: BTreeSet<(String, i32)> = snapshot
        .members
        .iter()
        .flat_map(|m| m.assignment.iter())
        .flat_map(|(topic, partitions)| partitions.iter().map(move |p| (topic.clone(), *p)))
        .collect();
    candidates.extend(assigned.iter().cloned());

    let mut request = TopicPartitionList::new();
    for (topic, partition) in &candidates {
        request.add_partition(topic, *partition);
    }
    let lookup = Arc::clone(&consumer);
    let committed = blocking(move || lookup.committed_offsets(request, timeout))
        .await?
        .map_err(|e| {
            explain(
                e,
                &format!("reading offsets of group '{group}'"),
                &connection.bootstrap_server,
                &context,
            )
        })?;
    let mut offsets: Vec<PartitionOffsets> = Vec::new();
    for element in committed.elements() {
        let committed = match element.offset() {
            Offset::Offset(n) => Some(n),
            _ => None,
        };
        let key = (element.topic().to_string(), element.partition());
        if committed.is_some() || assigned.contains(&key) {
            offsets.push(PartitionOffsets {
                topic: key.0,
                partition: key.1,
                committed,
                log_end: None,
            });
        }
    }

    if offsets.is_empty()
        && snapshot.members.is_empty()
        && matches!(snapshot.state.as_str(), "Dead" | "")
    {
        bail!(
            "consumer group '{group}' does not exist (see the groups with `sluice groups --list`)"
        );
    }

    let lookup = Arc::clone(&consumer);
    let wanted: Vec<(String, i32)> = offsets
        .iter()
        .map(|o| (o.topic.clone(), o.partition))
        .collect();
    let ends = blocking(move || {
        wanted
            .iter()
            .map(|(topic, partition)| {
                lookup
                    .fetch_watermarks(topic, *partition, timeout)
                    .map(|(_, high)| high)
            })
            .collect::<Vec<_>>()
    })
    .await?;
    for (o, end) in offsets.iter_mut().zip(ends) {
        match end {
            Ok(high) => o.log_end = Some(high),
            Err(error) => {
                tracing::debug!(%error, topic = %o.topic, partition = o.partition, "no log end offset")
            }
        }
    }
    // Dropping a consumer can wait on the broker: not on an async worker.
    blocking(move || drop(consumer)).await?;
    Ok((snapshot, offsets))
}

async fn delete(connection: &ConnectionArgs, groups: &[String]) -> anyhow::Result<()> {
    if groups.is_empty() {
        println!("There are no consumer groups to delete.");
        return Ok(());
    }
    let context = CliContext::default();
    let admin: AdminClient<CliContext> = connection
        .client_config(&[])?
        .create_with_context(context.clone())
        .context("cannot create the Kafka admin client (check --command-config)")?;
    let timeout = connection.request_timeout();
    let options = AdminOptions::new()
        .request_timeout(Some(timeout))
        .operation_timeout(Some(timeout));
    let names: Vec<&str> = groups.iter().map(String::as_str).collect();
    let results = tokio::time::timeout(
        timeout + Duration::from_secs(5),
        admin.delete_groups(&names, &options),
    )
    .await
    .map_err(|_| {
        super::unreachable_error(
            &connection.bootstrap_server,
            "deleting groups: no answer in time",
        )
    })?
    .map_err(|e| explain(e, "deleting groups", &connection.bootstrap_server, &context))?;
    let mut failures = Vec::new();
    let mut deleted = Vec::new();
    for result in results {
        match result {
            Ok(name) => deleted.push(format!("'{name}'")),
            Err((name, RDKafkaErrorCode::GroupIdNotFound)) => {
                failures.push(format!("'{name}' does not exist"))
            }
            Err((name, RDKafkaErrorCode::NonEmptyGroup)) => failures.push(format!(
                "'{name}' has active members; stop its consumers first"
            )),
            Err((name, code)) => failures.push(format!("'{name}': {code}")),
        }
    }
    if !deleted.is_empty() {
        println!(
            "Deletion of requested consumer groups ({}) was successful.",
            deleted.join(", ")
        );
    }
    if !failures.is_empty() {
        return Err(anyhow!(
            "could not delete consumer groups: {}",
            failures.join("; ")
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: GroupsArgs,
    }

    fn action(argv: &[&str]) -> anyhow::Result<Action> {
        Cli::try_parse_from(std::iter::once("groups").chain(argv.iter().copied()))?
            .args
            .action()
    }

    #[test]
    fn kafka_and_subcommand_forms() {
        assert_eq!(
            action(&["--bootstrap-server", "localhost:9092", "--list"]).expect("valid"),
            Action::List
        );
        assert_eq!(action(&["list"]).expect("valid"), Action::List);
        assert_eq!(
            action(&["--describe", "--group", "g"]).expect("valid"),
            Action::Describe(Selection::Named(vec!["g".to_string()]))
        );
        assert_eq!(
            action(&["describe", "a", "b"]).expect("valid"),
            Action::Describe(Selection::Named(vec!["a".to_string(), "b".to_string()]))
        );
        assert_eq!(
            action(&["--describe", "--all-groups"]).expect("valid"),
            Action::Describe(Selection::All)
        );
        assert_eq!(
            action(&["--delete", "--group", "g"]).expect("valid"),
            Action::Delete(Selection::Named(vec!["g".to_string()]))
        );
    }

    #[test]
    fn mistakes_are_explained() {
        let error = |argv: &[&str]| action(argv).expect_err("should fail").to_string();
        assert!(error(&[]).contains("--list, --describe"));
        assert!(error(&["--describe"]).contains("needs --group"));
        assert!(error(&["--list", "--describe"]).contains("choose one action"));
        assert!(error(&["--describe", "--group", "g", "--all-groups"]).contains("not both"));
        assert!(error(&["--list", "--group", "g"]).contains("takes no --group"));
    }

    fn encode_assignment(topics: &[(&str, &[i32])]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&1i16.to_be_bytes());
        out.extend_from_slice(&(topics.len() as i32).to_be_bytes());
        for (topic, partitions) in topics {
            out.extend_from_slice(&(topic.len() as i16).to_be_bytes());
            out.extend_from_slice(topic.as_bytes());
            out.extend_from_slice(&(partitions.len() as i32).to_be_bytes());
            for p in *partitions {
                out.extend_from_slice(&p.to_be_bytes());
            }
        }
        out.extend_from_slice(&(-1i32).to_be_bytes()); // null user data
        out
    }

    #[test]
    fn assignments_decode() {
        let bytes = encode_assignment(&[("orders", &[0, 2]), ("events", &[])]);
        assert_eq!(
            decode_assignment(&bytes).expect("valid"),
            vec![
                ("orders".to_string(), vec![0, 2]),
                ("events".to_string(), vec![])
            ]
        );
    }

    #[test]
    fn hostile_assignments_fail_cleanly() {
        let bytes = encode_assignment(&[("orders", &[0, 2])]);
        for cut in 0..bytes.len() - 4 {
            assert!(decode_assignment(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        // Two billion topics announced in a few bytes: refused before allocating.
        let mut huge = 0i16.to_be_bytes().to_vec();
        huge.extend_from_slice(&i32::MAX.to_be_bytes());
        assert!(decode_assignment(&huge).is_err());
        assert!(decode_assignment(&[0xff, 0xff, 0, 0, 0, 0]).is_err());
    }

    fn member(id: &str, assignment: Vec<(String, Vec<i32>)>) -> Member {
        Member {
            id: id.to_string(),
            client_id: "cli".to_string(),
            host: "/127.0.0.1".to_string(),
            assignment,
        }
    }

    #[test]
    fn rows_join_offsets_and_members() {
        let group = GroupSnapshot {
            name: "g".to_string(),
            state: "Stable".to_string(),
            members: vec![
                member("m1", vec![("t".to_string(), vec![1])]),
                member("idle", vec![]),
                {
                    let mut unknown = member("anon", vec![]);
                    unknown.host = String::new();
                    unknown
                },
            ],
        };
        let offsets = vec![
            PartitionOffsets {
                topic: "t".to_string(),
                partition: 1,
                committed: None,
                log_end: Some(9),
            },
            PartitionOffsets {
                topic: "t".to_string(),
                partition: 0,
                committed: Some(3),
                log_end: Some(5),
            },
        ];
        let rows = build_rows(&group, &offsets);
        assert_eq!(rows.len(), 4);
        assert_eq!(
            rows[0].cells(),
            ["g", "t", "0", "3", "5", "2", "-", "-", "-"].map(String::from)
        );
        assert_eq!(
            rows[1].cells(),
            ["g", "t", "1", "-", "9", "-", "m1", "/127.0.0.1", "cli"].map(String::from)
        );
        assert_eq!(
            rows[2].cells(),
            ["g", "-", "-", "-", "-", "-", "idle", "/127.0.0.1", "cli"].map(String::from)
        );
        assert_eq!(
            rows[3].cells(),
            ["g", "-", "-", "-", "-", "-", "anon", "-", "cli"].map(String::from)
        );
    }

    #[test]
    fn table_is_aligned_like_kafka() {
        let rows = vec![Row {
            group: "my-group".to_string(),
            topic: Some("a-rather-long-topic-name".to_string()),
            partition: Some(0),
            current: Some(5),
            log_end: Some(5),
            consumer_id: None,
            host: None,
            client_id: None,
        }];
        let table = format_table(&rows);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[0],
            "GROUP           TOPIC                    PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             \
             CONSUMER-ID     HOST            CLIENT-ID"
        );
        assert_eq!(
            lines[1],
            "my-group        a-rather-long-topic-name 0          5               5               0               \
             -               -               -"
        );
        let fields: Vec<&str> = lines[1].split_whitespace().collect();
        assert_eq!(
            fields,
            [
                "my-group",
                "a-rather-long-topic-name",
                "0",
                "5",
                "5",
                "0",
                "-",
                "-",
                "-"
            ]
        );
    }
}
