//! The connector API of sluice: the only crate a connector depends on.
//!
//! It mirrors Kafka Connect's `connect-api` module:
//!
//! * [`data`]: the data model — [`data::Schema`] (built with [`data::SchemaBuilder`]),
//!   [`data::Value`], [`data::Struct`], the logical types [`data::Decimal`], [`data::Date`],
//!   [`data::Time`], [`data::Timestamp`], and [`data::validate_value`].
//! * [`record`]: [`record::SourceRecord`], [`record::SinkRecord`] and [`record::Headers`].
//! * [`config`]: [`config::ConfigDef`], the single definition of a plugin's configuration that
//!   feeds parsing ([`config::ConfigDef::parse`]), the `/config/validate` REST endpoint
//!   ([`config::ConfigDef::validate`], [`config::ConfigInfos`]) and
//!   `GET /connector-plugins/{p}/config` ([`config::ConfigKeyInfo`]).
//! * [`connector`]: the object-safe traits a connector implements —
//!   [`connector::SourceConnector`] / [`connector::SourceTask`] and
//!   [`connector::SinkConnector`] / [`connector::SinkTask`] — and the contexts the runtime
//!   hands them.
//!
//! Start reading at [`connector`]; everything else is what its methods take and return.
//! Errors are a single enum, [`ConnectError`].
//!
//! ```
//! use std::collections::BTreeMap;
//! use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance, Validator};
//! use connect_api::data::{Schema, SchemaBuilder, Struct, Value};
//!
//! # fn main() -> connect_api::Result<()> {
//! let def = ConfigDef::new()
//!     .define(ConfigKey::new("topic", ConfigType::String, Importance::High, "Topic to write to")
//!         .validator(Validator::NonEmptyString))
//!     .define(ConfigKey::new("batch.size", ConfigType::Int, Importance::Low, "Records per poll")
//!         .default_value("2000")
//!         .validator(Validator::at_least(1)));
//! let raw = BTreeMap::from([("topic".to_owned(), "lines".to_owned())]);
//! let config = def.parse(&raw)?;
//! assert_eq!(config.get_int("batch.size")?, Some(2000));
//!
//! let schema = SchemaBuilder::struct_()
//!     .name("line")
//!     .field("text", Schema::string())
//!     .field("number", Schema::optional_int64())
//!     .build()?;
//! let mut line = Struct::new(schema)?;
//! line.put("text", "hello")?;
//! assert!(line.put("number", "one").is_err());
//! line.validate()?;
//! # Ok(())
//! # }
//! ```

pub mod config;
pub mod connector;
pub mod data;
mod error;
pub mod record;

pub use error::{ConnectError, Result};
