//! `sluice topics`: create, list, describe, alter and delete topics, with the
//! flags and output of `kafka-topics.sh` (plus `--alter --config` from
//! `kafka-configs.sh`). `sluice topics create T` and friends work too.

use super::{blocking, explain, CliContext, ConnectionArgs};
use anyhow::{anyhow, bail, Context as _};
use rdkafka::admin::{
    AdminClient, AdminOptions, AlterConfig, ConfigEntry, ConfigSource, NewPartitions, NewTopic,
    OwnedResourceSpecifier, ResourceSpecifier, TopicReplication,
};
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::metadata::Metadata;
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// Topic names Kafka accepts: at most 249 of `[a-zA-Z0-9._-]`, not `.` or `..`.
const MAX_TOPIC_NAME_LEN: usize = 249;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    sluice topics --create --topic orders --partitions 3\n  \
    sluice topics --describe --topic orders\n  \
    sluice topics --alter --topic orders --config retention.ms=60000\n  \
    sluice topics create orders --partitions 3")]
pub struct TopicsArgs {
    #[command(subcommand)]
    command: Option<TopicsCommand>,

    /// Create a topic (--topic required).
    #[arg(long)]
    create: bool,
    /// List topic names.
    #[arg(long)]
    list: bool,
    /// Describe partitions and configs of one topic (--topic) or all.
    #[arg(long)]
    describe: bool,
    /// Delete a topic (--topic required).
    #[arg(long)]
    delete: bool,
    /// Add partitions (--partitions) or change configs (--config, --delete-config).
    #[arg(long)]
    alter: bool,

    /// The topic to act on.
    #[arg(long, value_name = "TOPIC", global = true)]
    topic: Option<String>,
    /// Number of partitions (create: broker default if omitted; alter: the new, larger count).
    #[arg(long, value_name = "N", global = true)]
    partitions: Option<i32>,
    /// Replication factor for create (broker default if omitted).
    #[arg(long, value_name = "R", global = true)]
    replication_factor: Option<i32>,
    /// A topic config for create or alter, e.g. cleanup.policy=compact (repeatable).
    #[arg(long = "config", value_name = "KEY=VALUE", global = true)]
    configs: Vec<String>,
    /// A topic config to remove with --alter, back to the broker default (repeatable).
    #[arg(long = "delete-config", value_name = "KEY", global = true)]
    delete_configs: Vec<String>,
    /// With --create: succeed quietly if the topic already exists.
    #[arg(long, global = true)]
    if_not_exists: bool,
    /// With --delete, --alter or --describe: succeed quietly if the topic does not exist.
    #[arg(long, global = true)]
    if_exists: bool,
    /// With --list or --describe: leave out internal topics (names starting with "__").
    #[arg(long, global = true)]
    exclude_internal: bool,

    #[command(flatten)]
    connection: ConnectionArgs,
}

#[derive(Debug, clap::Subcommand)]
// Positionals are called `name`: an id of `topic` would merge with the global --topic.
enum TopicsCommand {
    /// Create a topic.
    Create {
        #[arg(value_name = "TOPIC")]
        name: String,
    },
    /// List topic names.
    List,
    /// Describe one topic, or all.
    Describe {
        #[arg(value_name = "TOPIC")]
        name: Option<String>,
    },
    /// Delete a topic.
    Delete {
        #[arg(value_name = "TOPIC")]
        name: String,
    },
    /// Add partitions or change configs of a topic.
    Alter {
        #[arg(value_name = "TOPIC")]
        name: String,
    },
}

/// What `sluice topics` was asked to do, checked and typed.
#[derive(Debug, PartialEq)]
enum Action {
    Create {
        topic: String,
        partitions: Option<i32>,
        replication_factor: Option<i32>,
        configs: Vec<(String, String)>,
        if_not_exists: bool,
    },
    List {
        exclude_internal: bool,
    },
    Describe {
        topic: Option<String>,
        exclude_internal: bool,
        if_exists: bool,
    },
    Delete {
        topic: String,
        if_exists: bool,
    },
    Alter {
        topic: String,
        partitions: Option<i32>,
        set: Vec<(String, String)>,
        remove: Vec<String>,
        if_exists: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Verb {
    Create,
    List,
    Describe,
    Delete,
    Alter,
}

impl Verb {
    fn flag(self) -> &'static str {
        match self {
            Verb::Create => "--create",
            Verb::List => "--list",
            Verb::Describe => "--describe",
            Verb::Delete => "--delete",
            Verb::Alter => "--alter",
        }
    }
}

impl TopicsArgs {
    /// Resolves flags or subcommand into one checked [`Action`].
    fn action(&self) -> anyhow::Result<Action> {
        let flagged: Vec<Verb> = [
            (self.create, Verb::Create),
            (self.list, Verb::List),
            (self.describe, Verb::Describe),
            (self.delete, Verb::Delete),
            (self.alter, Verb::Alter),
        ]
        .into_iter()
        .filter_map(|(set, verb)| set.then_some(verb))
        .collect();

        let (verb, positional) = match (&self.command, flagged.as_slice()) {
            (Some(command), []) => match command {
                TopicsCommand::Create { name } => (Verb::Create, Some(name.clone())),
                TopicsCommand::List => (Verb::List, None),
                TopicsCommand::Describe { name } => (Verb::Describe, name.clone()),
                TopicsCommand::Delete { name } => (Verb::Delete, Some(name.clone())),
                TopicsCommand::Alter { name } => (Verb::Alter, Some(name.clone())),
            },
            (Some(_), [flag, ..]) => bail!(
                "use either a subcommand or {}, not both (e.g. `sluice topics create T` or \
                 `sluice topics --create --topic T`)",
                flag.flag()
            ),
            (None, [verb]) => (*verb, None),
            (None, []) => bail!(
                "say what to do: one of --create, --list, --describe, --alter or --delete \
                 (e.g. `sluice topics --list`)"
            ),
            (None, many) => bail!(
                "choose one action, got {}",
                many.iter()
                    .map(|v| v.flag())
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
        };

        let topic = match (positional, self.topic.clone()) {
            (Some(_), Some(_)) => bail!("give the topic once: as the argument or with --topic"),
            (Some(t), None) | (None, Some(t)) => Some(t),
            (None, None) => None,
        };
        let topic = topic
            .map(|t| validate_topic_name(&t).map(|()| t))
            .transpose()?;
        let require_topic = || {
            topic
                .clone()
                .ok_or_else(|| anyhow!("{} needs a topic: add --topic TOPIC", verb.flag()))
        };

        self.reject_unused(verb)?;
        let configs = super::parse_key_values("--config", &self.configs)?;
        if let Some(n) = self.partitions {
            if n < 1 {
                bail!("--partitions must be at least 1, got {n}");
            }
        }
        if let Some(r) = self.replication_factor {
            if !(1..=i32::from(i16::MAX)).contains(&r) {
                bail!(
                    "--replication-factor must be between 1 and {}, got {r}",
                    i16::MAX
                );
            }
        }

        Ok(match verb {
            Verb::Create => Action::Create {
                topic: require_topic()?,
                partitions: self.partitions,
                replication_factor: self.replication_factor,
                configs,
                if_not_exists: self.if_not_exists,
            },
            Verb::List => Action::List {
                exclude_internal: self.exclude_internal,
            },
            Verb::Describe => Action::Describe {
                topic,
                exclude_internal: self.exclude_internal,
                if_exists: self.if_exists,
            },
            Verb::Delete => Action::Delete {
                topic: require_topic()?,
                if_exists: self.if_exists,
            },
            Verb::Alter => {
                if self.partitions.is_none() && configs.is_empty() && self.delete_configs.is_empty()
                {
                    bail!(
                        "--alter needs --partitions N, --config KEY=VALUE or --delete-config KEY"
                    );
                }
                Action::Alter {
                    topic: require_topic()?,
                    partitions: self.partitions,
                    set: configs,
                    remove: self
                        .delete_configs
                        .iter()
                        .map(|k| k.trim().to_string())
                        .collect(),
                    if_exists: self.if_exists,
                }
            }
        })
    }

    /// Options that do nothing for `verb` are mistakes worth pointing out.
    fn reject_unused(&self, verb: Verb) -> anyhow::Result<()> {
        let given: [(&str, bool, &[Verb]); 7] = [
            (
                "--partitions",
                self.partitions.is_some(),
                &[Verb::Create, Verb::Alter],
            ),
            (
                "--replication-factor",
                self.replication_factor.is_some(),
                &[Verb::Create],
            ),
            (
                "--config",
                !self.configs.is_empty(),
                &[Verb::Create, Verb::Alter],
            ),
            (
                "--delete-config",
                !self.delete_configs.is_empty(),
                &[Verb::Alter],
            ),
            ("--if-not-exists", self.if_not_exists, &[Verb::Create]),
            (
                "--if-exists",
                self.if_exists,
                &[Verb::Delete, Verb::Alter, Verb::Describe],
            ),
            (
                "--exclude-internal",
                self.exclude_internal,
                &[Verb::List, Verb::Describe],
            ),
        ];
        for (name, is_given, allowed) in given {
            if is_given && !allowed.contains(&verb) {
                bail!("{name} does not apply to {}", verb.flag());
            }
        }
        if self.topic.is_some() && verb == Verb::List {
            bail!("--topic does not apply to --list");
        }
        Ok(())
    }
}

/// Checks a topic name the way Kafka does, so a typo fails before the broker.
fn validate_topic_name(name: &str) -> anyhow::Result<()> {
    if name.is_empty() {
        bail!("the topic name is empty");
    }
    if name == "." || name == ".." {
        bail!("topic name {name:?} is not allowed");
    }
    if name.len() > MAX_TOPIC_NAME_LEN {
        bail!(
            "topic name is {} characters long; the limit is {MAX_TOPIC_NAME_LEN}",
            name.len()
        );
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        bail!("topic name {name:?} contains {bad:?}; use only letters, digits, '.', '_' and '-'");
    }
    Ok(())
}

pub async fn run(args: TopicsArgs) -> anyhow::Result<()> {
    let action = args.action()?;
    let topics = Topics::connect(&args.connection).await?;
    match action {
        Action::Create {
            topic,
            partitions,
            replication_factor,
            configs,
            if_not_exists,
        } => {
            topics
                .create(
                    &topic,
                    partitions,
                    replication_factor,
                    &configs,
                    if_not_exists,
                )
                .await
        }
        Action::List { exclude_internal } => {
            let mut out = String::new();
            for name in topics.names(exclude_internal).await? {
                out.push_str(&name);
                out.push('\n');
            }
            print!("{out}");
            Ok(())
        }
        Action::Describe {
            topic,
            exclude_internal,
            if_exists,
        } => {
            let text = topics
                .describe(topic.as_deref(), exclude_internal, if_exists)
                .await?;
            print!("{text}");
            Ok(())
        }
        Action::Delete { topic, if_exists } => topics.delete(&topic, if_exists).await,
        Action::Alter {
            topic,
            partitions,
            set,
            remove,
            if_exists,
        } => {
            topics
                .alter(&topic, partitions, &set, &remove, if_exists)
                .await
        }
    }
}

/// An admin client with the request timeout and error wording attached.
struct Topics {
    admin: Arc<AdminClient<CliContext>>,
    bootstrap: String,
    timeout: Duration,
}

impl Topics {
    async fn connect(connection: &ConnectionArgs) -> anyhow::Result<Self> {
        connection.check_reachable().await?;
        let admin: AdminClient<CliContext> = connection
            .client_config(&[])?
            .create_with_context(CliContext::default())
            .context("cannot create the Kafka admin client (check --command-config)")?;
        Ok(Topics {
            admin: Arc::new(admin),
            bootstrap: connection.bootstrap_server.clone(),
            timeout: connection.request_timeout(),
        })
    }

    fn options(&self) -> AdminOptions {
        AdminOptions::new()
            .request_timeout(Some(self.timeout))
            .operation_timeout(Some(self.timeout))
    }

    /// Awaits an admin future, bounded even if librdkafka never answers.
    async fn bounded<T>(
        &self,
        what: &str,
        future: impl Future<Output = rdkafka::error::KafkaResult<T>>,
    ) -> anyhow::Result<T> {
        // A little slack so librdkafka's own timeout, which says more, fires first.
        match tokio::time::timeout(self.timeout + Duration::from_secs(5), future).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(explain(
                error,
                what,
                &self.bootstrap,
                self.admin.inner().context(),
            )),
            Err(_) => Err(super::unreachable_error(
                &self.bootstrap,
                &format!("{what}: no answer within {} ms", self.timeout.as_millis()),
            )),
        }
    }

    async fn metadata(&self) -> anyhow::Result<Metadata> {
        let admin = Arc::clone(&self.admin);
        let timeout = self.timeout;
        // All topics, never one by name: a by-name request may auto-create it.
        let result = blocking(move || admin.inner().fetch_metadata(None, timeout)).await?;
        result.map_err(|e| {
            explain(
                e,
                "fetching metadata",
                &self.bootstrap,
                self.admin.inner().context(),
            )
        })
    }

    async fn names(&self, exclude_internal: bool) -> anyhow::Result<Vec<String>> {
        let metadata = self.metadata().await?;
        let mut names: Vec<String> = metadata
            .topics()
            .iter()
            .map(|t| t.name().to_string())
            .filter(|name| !(exclude_internal && is_internal(name)))
            .collect();
        names.sort();
        Ok(names)
    }

    async fn partition_count(&self, topic: &str) -> anyhow::Result<Option<usize>> {
        let metadata = self.metadata().await?;
        Ok(metadata
            .topics()
            .iter()
            .find(|t| t.name() == topic && t.error().is_none())
            .map(|t| t.partitions().len()))
    }

    async fn create(
        &self,
        topic: &str,
        partitions: Option<i32>,
        replication_factor: Option<i32>,
        configs: &[(String, String)],
        if_not_exists: bool,
    ) -> anyhow::Result<()> {
        // -1 asks the broker for its num.partitions / default.replication.factor.
        let mut new_topic = NewTopic::new(
            topic,
            partitions.unwrap_or(-1),
            TopicReplication::Fixed(replication_factor.unwrap_or(-1)),
        );
        for (key, value) in configs {
            new_topic = new_topic.set(key, value);
        }
        let results = self
            .bounded(
                &format!("creating topic '{topic}'"),
                self.admin.create_topics([&new_topic], &self.options()),
            )
            .await?;
        match first_result(results, topic)? {
            Ok(()) => println!("Created topic {topic}."),
            Err(RDKafkaErrorCode::TopicAlreadyExists) if if_not_exists => {}
            Err(RDKafkaErrorCode::TopicAlreadyExists) => bail!(
                "topic '{topic}' already exists (add --if-not-exists to ignore this, or \
                 `sluice topics --describe --topic {topic}` to see it)"
            ),
            Err(code) => bail!(
                "creating topic '{topic}' failed: {code}{}",
                create_hint(code)
            ),
        }
        Ok(())
    }

    async fn delete(&self, topic: &str, if_exists: bool) -> anyhow::Result<()> {
        let results = self
            .bounded(
                &format!("deleting topic '{topic}'"),
                self.admin.delete_topics(&[topic], &self.options()),
            )
            .await?;
        match first_result(results, topic)? {
            Ok(()) => println!("Deleted topic {topic}."),
            Err(RDKafkaErrorCode::UnknownTopicOrPartition) if if_exists => {}
            Err(RDKafkaErrorCode::UnknownTopicOrPartition) => bail!("{}", missing_topic(topic)),
            Err(code) => bail!("deleting topic '{topic}' failed: {code}"),
        }
        Ok(())
    }

    async fn alter(
        &self,
        topic: &str,
        partitions: Option<i32>,
        set: &[(String, String)],
        remove: &[String],
        if_exists: bool,
    ) -> anyhow::Result<()> {
        let Some(current) = self.partition_count(topic).await? else {
            if if_exists {
                return Ok(());
            }
            bail!("{}", missing_topic(topic));
        };
        if let Some(wanted) = partitions {
            let wanted = usize::try_from(wanted).context("--partitions out of range")?;
            check_partition_increase(topic, current, wanted)?;
            let new_partitions = NewPartitions::new(topic, wanted);
            let results = self
                .bounded(
                    &format!("adding partitions to '{topic}'"),
                    self.admin
                        .create_partitions([&new_partitions], &self.options()),
                )
                .await?;
            match first_result(results, topic)? {
                Ok(()) => println!("Topic {topic} now has {wanted} partitions."),
                Err(code) => bail!("adding partitions to '{topic}' failed: {code}"),
            }
        }
        if !set.is_empty() || !remove.is_empty() {
            // AlterConfigs replaces the whole set of topic overrides, so start
            // from the current ones (what kafka-configs.sh did before KIP-339).
            let current = self.dynamic_configs(topic).await?;
            let merged = merge_configs(&current, set, remove)?;
            let mut alter = AlterConfig::new(ResourceSpecifier::Topic(topic));
            for (key, value) in &merged {
                alter = alter.set(key, value);
            }
            let results = self
                .bounded(
                    &format!("altering configs of '{topic}'"),
                    self.admin.alter_configs([&alter], &self.options()),
                )
                .await?;
            for result in results {
                if let Err((_, code)) = result {
                    bail!(
                        "altering configs of '{topic}' failed: {code}{}",
                        create_hint(code)
                    );
                }
            }
            // rdkafka 0.39 reports every AlterConfigs resource as Ok whatever the
            // broker answered, so read the configs back to know what happened.
            let applied = self.dynamic_configs(topic).await?;
            if applied != merged {
                bail!(
                    "the broker refused the config change for topic '{topic}' \
                     (an unknown config name or an invalid value?); it now has: {}",
                    format_overrides(&applied)
                );
            }
            println!("Completed updating config for topic {topic}.");
        }
        Ok(())
    }

    /// The topic's overrides (DescribeConfigs entries set on the topic itself).
    async fn dynamic_configs(&self, topic: &str) -> anyhow::Result<BTreeMap<String, String>> {
        let mut all = self.dynamic_configs_of(&[topic]).await?;
        Ok(all.remove(topic).unwrap_or_default())
    }

    /// Overrides of several topics, in one DescribeConfigs request.
    async fn dynamic_configs_of(
        &self,
        topics: &[&str],
    ) -> anyhow::Result<HashMap<String, BTreeMap<String, String>>> {
        if topics.is_empty() {
            return Ok(HashMap::new());
        }
        let resources: Vec<ResourceSpecifier<'_>> =
            topics.iter().map(|t| ResourceSpecifier::Topic(t)).collect();
        let results = self
            .bounded(
                "describing topic configs",
                self.admin.describe_configs(&resources, &self.options()),
            )
            .await?;
        let mut configs = HashMap::new();
        for result in results {
            let resource =
                result.map_err(|code| anyhow!("describing topic configs failed: {code}"))?;
            if let OwnedResourceSpecifier::Topic(name) = &resource.specifier {
                configs.insert(name.clone(), topic_overrides(&resource.entries).collect());
            }
        }
        Ok(configs)
    }

    async fn describe(
        &self,
        topic: Option<&str>,
        exclude_internal: bool,
        if_exists: bool,
    ) -> anyhow::Result<String> {
        let metadata = self.metadata().await?;
        let mut selected: Vec<TopicDescription> = Vec::new();
        for t in metadata.topics() {
            let wanted = match topic {
                Some(name) => t.name() == name,
                None => !(exclude_internal && is_internal(t.name())),
            };
            if !wanted || t.error().is_some() {
                continue;
            }
            let mut partitions: Vec<PartitionDescription> = t
                .partitions()
                .iter()
                .map(|p| PartitionDescription {
                    id: p.id(),
                    leader: p.leader(),
                    replicas: p.replicas().to_vec(),
                    isr: p.isr().to_vec(),
                })
                .collect();
            partitions.sort_by_key(|p| p.id);
            selected.push(TopicDescription {
                name: t.name().to_string(),
                id: None,
                partitions,
                configs: BTreeMap::new(),
            });
        }
        if let (Some(name), true) = (topic, selected.is_empty()) {
            if if_exists {
                return Ok(String::new());
            }
            bail!("{}", missing_topic(name));
        }
        selected.sort_by(|a, b| a.name.cmp(&b.name));

        let ids = self.topic_ids().await;
        let names: Vec<&str> = selected.iter().map(|d| d.name.as_str()).collect();
        let mut configs = self.dynamic_configs_of(&names).await?;
        for description in &mut selected {
            description.id = ids.get(&description.name).cloned();
            description.configs = configs.remove(&description.name).unwrap_or_default();
        }
        Ok(selected.iter().map(format_description).collect())
    }

    /// Best effort: an empty map when the raw Metadata request fails.
    async fn topic_ids(&self) -> HashMap<String, String> {
        let Ok(servers) = super::parse_bootstrap_servers(&self.bootstrap) else {
            return HashMap::new();
        };
        let Some((host, port)) = servers.first() else {
            return HashMap::new();
        };
        match super::topic_ids::fetch(host, *port, self.timeout.min(Duration::from_secs(10))).await
        {
            Ok(ids) => ids,
            Err(error) => {
                tracing::debug!(%error, "cannot read topic ids; printing '-'");
                HashMap::new()
            }
        }
    }
}

fn is_internal(name: &str) -> bool {
    name.starts_with("__")
}

fn missing_topic(topic: &str) -> String {
    format!("topic '{topic}' does not exist (see the topics with `sluice topics --list`)")
}

fn create_hint(code: RDKafkaErrorCode) -> &'static str {
    match code {
        RDKafkaErrorCode::InvalidReplicationFactor => {
            " (a single broker can only keep one replica: use --replication-factor 1)"
        }
        RDKafkaErrorCode::InvalidConfig => " (check the --config names and values)",
        RDKafkaErrorCode::PolicyViolation => " (the broker's policy refused it)",
        _ => "",
    }
}

/// The result for `topic` from a per-topic admin answer.
fn first_result(
    results: Vec<Result<String, (String, RDKafkaErrorCode)>>,
    topic: &str,
) -> anyhow::Result<Result<(), RDKafkaErrorCode>> {
    let result = results
        .into_iter()
        .next()
        .ok_or_else(|| anyhow!("the broker sent no result for topic '{topic}'"))?;
    Ok(result.map(|_| ()).map_err(|(_, code)| code))
}

fn check_partition_increase(topic: &str, current: usize, wanted: usize) -> anyhow::Result<()> {
    if wanted <= current {
        bail!(
            "topic '{topic}' has {current} partitions; partitions can only be added, so \
             --partitions must be more than {current} (got {wanted})"
        );
    }
    Ok(())
}

/// Entries that are overrides on the topic. Brokers too old to report config
/// sources say `Unknown`; then "not the default" is the best guess.
fn topic_overrides(entries: &[ConfigEntry]) -> impl Iterator<Item = (String, String)> + '_ {
    entries.iter().filter_map(|entry| {
        let is_override = match entry.source {
            ConfigSource::DynamicTopic => true,
            ConfigSource::Unknown => !entry.is_default,
            _ => false,
        };
        let value = entry.value.clone()?;
        is_override.then(|| (entry.name.clone(), value))
    })
}

/// The full override set after `--config` and `--delete-config`.
fn merge_configs(
    current: &BTreeMap<String, String>,
    set: &[(String, String)],
    remove: &[String],
) -> anyhow::Result<BTreeMap<String, String>> {
    let mut merged = current.clone();
    for key in remove {
        if merged.remove(key).is_none() {
            let present: Vec<&str> = current.keys().map(String::as_str).collect();
            bail!(
                "--delete-config {key}: the topic has no override for it (overrides: {})",
                if present.is_empty() {
                    "none".to_string()
                } else {
                    present.join(", ")
                }
            );
        }
    }
    for (key, value) in set {
        merged.insert(key.clone(), value.clone());
    }
    Ok(merged)
}

#[derive(Debug, Clone, PartialEq)]
struct PartitionDescription {
    id: i32,
    leader: i32,
    replicas: Vec<i32>,
    isr: Vec<i32>,
}

#[derive(Debug, Clone, PartialEq)]
struct TopicDescription {
    name: String,
    id: Option<String>,
    partitions: Vec<PartitionDescription>,
    configs: BTreeMap<String, String>,
}

/// The `kafka-topics.sh --describe` text for one topic.
fn format_description(topic: &TopicDescription) -> String {
    let join = |ids: &[i32]| ids.iter().map(i32::to_string).collect::<Vec<_>>().join(",");
    let replication_factor = topic.partitions.first().map_or(0, |p| p.replicas.len());
    let configs: Vec<String> = topic
        .configs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let mut out = format!(
        "Topic: {}\tTopicId: {}\tPartitionCount: {}\tReplicationFactor: {}\tConfigs: {}\n",
        topic.name,
        topic.id.as_deref().unwrap_or("-"),
        topic.partitions.len(),
        replication_factor,
        configs.join(","),
    );
    for p in &topic.partitions {
        let leader = if p.leader < 0 {
            "none".to_string()
        } else {
            p.leader.to_string()
        };
        out.push_str(&format!(
            "\tTopic: {}\tPartition: {}\tLeader: {}\tReplicas: {}\tIsr: {}\n",
            topic.name,
            p.id,
            leader,
            join(&p.replicas),
            join(&p.isr),
        ));
    }
    out
}

/// `k=v,k=v` for an error message.
fn format_overrides(configs: &BTreeMap<String, String>) -> String {
    if configs.is_empty() {
        return "no overrides".into();
    }
    configs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: TopicsArgs,
    }

    fn action(argv: &[&str]) -> anyhow::Result<Action> {
        let cli = Cli::try_parse_from(std::iter::once("topics").chain(argv.iter().copied()))?;
        cli.args.action()
    }

    #[test]
    fn kafka_style_create() {
        let parsed = action(&[
            "--bootstrap-server",
            "localhost:9092",
            "--create",
            "--topic",
            "quickstart-events",
            "--partitions",
            "3",
            "--replication-factor",
            "1",
            "--config",
            "cleanup.policy=compact",
        ])
        .expect("valid");
        assert_eq!(
            parsed,
            Action::Create {
                topic: "quickstart-events".to_string(),
                partitions: Some(3),
                replication_factor: Some(1),
                configs: vec![("cleanup.policy".to_string(), "compact".to_string())],
                if_not_exists: false,
            }
        );
    }

    #[test]
    fn subcommand_form_matches_flag_form() {
        assert_eq!(
            action(&["create", "orders", "--partitions", "2"]).expect("valid"),
            action(&["--create", "--topic", "orders", "--partitions", "2"]).expect("valid"),
        );
        assert_eq!(
            action(&["list"]).expect("valid"),
            Action::List {
                exclude_internal: false
            }
        );
        assert_eq!(
            action(&["describe"]).expect("valid"),
            Action::Describe {
                topic: None,
                exclude_internal: false,
                if_exists: false
            }
        );
        assert_eq!(
            action(&["delete", "x", "--if-exists"]).expect("valid"),
            Action::Delete {
                topic: "x".to_string(),
                if_exists: true
            }
        );
        assert_eq!(
            action(&["alter", "x", "--delete-config", "retention.ms"]).expect("valid"),
            Action::Alter {
                topic: "x".to_string(),
                partitions: None,
                set: vec![],
                remove: vec!["retention.ms".to_string()],
                if_exists: false
            }
        );
    }

    #[test]
    fn mistakes_get_clear_errors() {
        let error = |argv: &[&str]| action(argv).expect_err("should fail").to_string();
        assert!(error(&[]).contains("--create, --list"));
        assert!(error(&["--create"]).contains("add --topic"));
        assert!(error(&["--create", "--list", "--topic", "x"]).contains("choose one action"));
        assert!(error(&["--list", "--partitions", "3"])
            .contains("--partitions does not apply to --list"));
        assert!(error(&["--alter", "--topic", "x"]).contains("--alter needs"));
        assert!(error(&["--create", "--topic", "x", "--partitions", "0"]).contains("at least 1"));
        assert!(error(&["--create", "--topic", "bad name"]).contains("use only letters"));
        assert!(error(&["--create", "--topic", "x", "--config", "nokey"]).contains("KEY=VALUE"));
        assert!(error(&["create", "x", "--topic", "y"]).contains("give the topic once"));
        assert!(error(&["--list", "--topic", "x"]).contains("--topic does not apply"));
    }

    #[test]
    fn topic_names_follow_kafka_rules() {
        assert!(validate_topic_name("a.b_c-D9").is_ok());
        assert!(validate_topic_name("").is_err());
        assert!(validate_topic_name("..").is_err());
        assert!(validate_topic_name(&"x".repeat(250)).is_err());
        assert!(validate_topic_name(&"x".repeat(249)).is_ok());
        assert!(validate_topic_name("a/b").is_err());
    }

    fn entry(name: &str, value: &str, source: ConfigSource, is_default: bool) -> ConfigEntry {
        ConfigEntry {
            name: name.to_string(),
            value: Some(value.to_string()),
            source,
            is_read_only: false,
            is_default,
            is_sensitive: false,
        }
    }

    #[test]
    fn only_topic_overrides_are_shown() {
        let entries = vec![
            entry(
                "cleanup.policy",
                "compact",
                ConfigSource::DynamicTopic,
                false,
            ),
            entry("retention.ms", "604800000", ConfigSource::Default, true),
            entry("segment.bytes", "1024", ConfigSource::StaticBroker, false),
            entry("old.broker", "x", ConfigSource::Unknown, false),
            entry("old.default", "y", ConfigSource::Unknown, true),
        ];
        let overrides: Vec<_> = topic_overrides(&entries).collect();
        assert_eq!(
            overrides,
            vec![
                ("cleanup.policy".to_string(), "compact".to_string()),
                ("old.broker".to_string(), "x".to_string())
            ]
        );
    }

    #[test]
    fn merge_sets_and_removes() {
        let current: BTreeMap<String, String> = [
            ("a".to_string(), "1".to_string()),
            ("b".to_string(), "2".to_string()),
        ]
        .into();
        let merged = merge_configs(
            &current,
            &[
                ("c".to_string(), "3".to_string()),
                ("a".to_string(), "9".to_string()),
            ],
            &["b".to_string()],
        )
        .expect("valid");
        assert_eq!(
            merged,
            [
                ("a".to_string(), "9".to_string()),
                ("c".to_string(), "3".to_string())
            ]
            .into()
        );
        let error = merge_configs(&current, &[], &["zzz".to_string()])
            .expect_err("not set")
            .to_string();
        assert!(error.contains("overrides: a, b"), "{error}");
    }

    #[test]
    fn partitions_only_grow() {
        assert!(check_partition_increase("t", 1, 3).is_ok());
        assert!(check_partition_increase("t", 3, 3).is_err());
        assert!(check_partition_increase("t", 3, 2).is_err());
    }

    #[test]
    fn describe_output_matches_kafka_topics() {
        let topic = TopicDescription {
            name: "orders".to_string(),
            id: Some("5bKWPfsSRXOnJeIWjwvvrg".to_string()),
            partitions: vec![
                PartitionDescription {
                    id: 0,
                    leader: 1,
                    replicas: vec![1],
                    isr: vec![1],
                },
                PartitionDescription {
                    id: 1,
                    leader: -1,
                    replicas: vec![1, 2],
                    isr: vec![],
                },
            ],
            configs: [
                ("retention.ms".to_string(), "1000".to_string()),
                ("cleanup.policy".to_string(), "compact".to_string()),
            ]
            .into(),
        };
        assert_eq!(
            format_description(&topic),
            "Topic: orders\tTopicId: 5bKWPfsSRXOnJeIWjwvvrg\tPartitionCount: 2\tReplicationFactor: 1\t\
             Configs: cleanup.policy=compact,retention.ms=1000\n\
             \tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1\n\
             \tTopic: orders\tPartition: 1\tLeader: none\tReplicas: 1,2\tIsr: \n"
        );
        let bare = TopicDescription {
            name: "t".to_string(),
            id: None,
            partitions: vec![],
            configs: BTreeMap::new(),
        };
        assert_eq!(
            format_description(&bare),
            "Topic: t\tTopicId: -\tPartitionCount: 0\tReplicationFactor: 0\tConfigs: \n"
        );
    }
}
