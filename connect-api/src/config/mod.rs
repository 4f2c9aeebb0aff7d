//! Configuration definitions: Kafka's `ConfigDef`, in one place per plugin.
//!
//! A plugin describes each key once with a [`ConfigKey`] and collects them in a
//! [`ConfigDef`]. That one definition is used to
//! * parse a raw `name → string` map into typed values ([`ConfigDef::parse`] →
//!   [`ParsedConfig`]), reporting every problem at once ([`ConfigErrors`]);
//! * validate a map for the REST API without ever failing as a whole
//!   ([`ConfigDef::validate`] → [`ConfigValue`]s → [`ConfigInfos`]);
//! * describe the keys (`GET /connector-plugins/{p}/config` → [`ConfigKeyInfo`]).
//!
//! Parsing follows Kafka's `ConfigDef.parseType`: values are trimmed, booleans are
//! `true`/`false` in any case, lists are split on commas with surrounding whitespace
//! removed (an empty string is an empty list), and passwords print as `[hidden]`.

mod info;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

pub use info::{ConfigInfo, ConfigInfos, ConfigKeyInfo, ConfigValueInfo};

use crate::error::ConnectError;

/// The type of a configuration value (Kafka's `ConfigDef.Type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConfigType {
    /// `true` / `false`, case-insensitive.
    Boolean,
    /// Any string (trimmed).
    String,
    /// 32-bit signed integer.
    Int,
    /// 16-bit signed integer.
    Short,
    /// 64-bit signed integer.
    Long,
    /// 64-bit float.
    Double,
    /// Comma-separated list of strings.
    List,
    /// A plugin class name. Without class loading it is kept as its (trimmed) name.
    Class,
    /// A secret string, hidden when displayed.
    Password,
}

impl ConfigType {
    /// Kafka's name of the type (`STRING`, `INT`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::Boolean => "BOOLEAN",
            Self::String => "STRING",
            Self::Int => "INT",
            Self::Short => "SHORT",
            Self::Long => "LONG",
            Self::Double => "DOUBLE",
            Self::List => "LIST",
            Self::Class => "CLASS",
            Self::Password => "PASSWORD",
        }
    }
}

impl fmt::Display for ConfigType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How much a key matters to users (Kafka's `ConfigDef.Importance`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Importance {
    /// `HIGH`.
    High,
    /// `MEDIUM`.
    Medium,
    /// `LOW`.
    Low,
}

impl Importance {
    /// Kafka's name (`HIGH`, `MEDIUM`, `LOW`).
    pub fn name(self) -> &'static str {
        match self {
            Self::High => "HIGH",
            Self::Medium => "MEDIUM",
            Self::Low => "LOW",
        }
    }
}

/// Display width hint for UIs (Kafka's `ConfigDef.Width`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Width {
    /// `NONE` (the default).
    #[default]
    None,
    /// `SHORT`.
    Short,
    /// `MEDIUM`.
    Medium,
    /// `LONG`.
    Long,
}

impl Width {
    /// Kafka's name (`NONE`, `SHORT`, `MEDIUM`, `LONG`).
    pub fn name(self) -> &'static str {
        match self {
            Self::None => "NONE",
            Self::Short => "SHORT",
            Self::Medium => "MEDIUM",
            Self::Long => "LONG",
        }
    }
}

/// A secret. `Debug` and `Display` print `[hidden]`; use [`Password::value`] to read it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Password(String);

impl Password {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself.
    pub fn value(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[hidden]")
    }
}

impl fmt::Display for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[hidden]")
    }
}

/// A parsed configuration value.
#[derive(Debug, Clone, PartialEq)]
pub enum ParsedValue {
    /// [`ConfigType::Boolean`].
    Boolean(bool),
    /// [`ConfigType::String`].
    String(String),
    /// [`ConfigType::Int`].
    Int(i32),
    /// [`ConfigType::Short`].
    Short(i16),
    /// [`ConfigType::Long`].
    Long(i64),
    /// [`ConfigType::Double`].
    Double(f64),
    /// [`ConfigType::List`].
    List(Vec<String>),
    /// [`ConfigType::Class`].
    Class(String),
    /// [`ConfigType::Password`].
    Password(Password),
}

impl ParsedValue {
    /// Kafka's `ConfigDef.convertToString`: the form shown in REST responses. Lists are
    /// joined with `,`, passwords are `[hidden]`, doubles print like Java's `Double.toString`.
    pub fn to_config_string(&self) -> String {
        match self {
            Self::List(items) => items.join(","),
            other => other.to_string(),
        }
    }

    fn as_f64(&self) -> Option<f64> {
        match self {
            Self::Int(v) => Some(f64::from(*v)),
            Self::Short(v) => Some(f64::from(*v)),
            // Precision loss above 2^53 only affects range checks at that magnitude, as in
            // Kafka's Number.doubleValue() comparison.
            Self::Long(v) => Some(*v as f64),
            Self::Double(v) => Some(*v),
            _ => None,
        }
    }
}

impl fmt::Display for ParsedValue {
    /// Java's `toString` of the parsed value (lists as `[a, b]`), as used in error messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Boolean(v) => write!(f, "{v}"),
            Self::String(v) | Self::Class(v) => f.write_str(v),
            Self::Int(v) => write!(f, "{v}"),
            Self::Short(v) => write!(f, "{v}"),
            Self::Long(v) => write!(f, "{v}"),
            Self::Double(v) => f.write_str(&java_double(*v)),
            Self::List(items) => write!(f, "[{}]", items.join(", ")),
            Self::Password(p) => write!(f, "{p}"),
        }
    }
}

/// Formats like Java's `Double.toString`: `1.0`, `0.5`, `1.0E10`, `NaN`, `Infinity`.
fn java_double(v: f64) -> String {
    if v.is_nan() {
        return "NaN".to_owned();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    let magnitude = v.abs();
    if v == 0.0 || (1e-3..1e7).contains(&magnitude) {
        let plain = format!("{v}");
        return if plain.contains('.') {
            plain
        } else {
            format!("{plain}.0")
        };
    }
    let sci = format!("{v:e}");
    match sci.split_once('e') {
        Some((mantissa, exponent)) if mantissa.contains('.') => format!("{mantissa}E{exponent}"),
        Some((mantissa, exponent)) => format!("{mantissa}.0E{exponent}"),
        None => sci,
    }
}

/// A number bound of a [`Validator::Range`], printed like Java's `Number.toString`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bound {
    /// An integer bound (`5`).
    Int(i64),
    /// A floating-point bound (`0.5`).
    Float(f64),
}

impl Bound {
    fn as_f64(self) -> f64 {
        match self {
            // See ParsedValue::as_f64 for the precision note.
            Self::Int(v) => v as f64,
            Self::Float(v) => v,
        }
    }
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Int(v) => write!(f, "{v}"),
            Self::Float(v) => f.write_str(&java_double(*v)),
        }
    }
}

/// A custom validation: given the key name and the parsed value (`None` for null), return
/// the reason the value is invalid (it is reported as `Invalid value <v> for configuration
/// <name>: <reason>`).
pub type CustomValidator =
    Arc<dyn Fn(&str, Option<&ParsedValue>) -> Result<(), String> + Send + Sync>;

/// Checks a parsed value; mirrors the validators of Kafka's `ConfigDef`.
#[derive(Clone)]
pub enum Validator {
    /// A number within `[min, max]` (either bound optional); null is invalid.
    Range {
        /// Inclusive lower bound.
        min: Option<Bound>,
        /// Inclusive upper bound.
        max: Option<Bound>,
    },
    /// One of the given strings, case-sensitive.
    ValidString(Vec<String>),
    /// One of the given strings, case-insensitive.
    CaseInsensitiveValidString(Vec<String>),
    /// Every list element is one of the given strings.
    ValidList(Vec<String>),
    /// A string that is not empty (null passes, as in Kafka).
    NonEmptyString,
    /// Any non-null value.
    NonNull,
    /// All validators in order; the first failure is reported.
    All(Vec<Validator>),
    /// A plugin-specific check.
    Custom(CustomValidator),
}

impl fmt::Debug for Validator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Range { min, max } => f
                .debug_struct("Range")
                .field("min", min)
                .field("max", max)
                .finish(),
            Self::ValidString(v) => f.debug_tuple("ValidString").field(v).finish(),
            Self::CaseInsensitiveValidString(v) => f
                .debug_tuple("CaseInsensitiveValidString")
                .field(v)
                .finish(),
            Self::ValidList(v) => f.debug_tuple("ValidList").field(v).finish(),
            Self::NonEmptyString => f.write_str("NonEmptyString"),
            Self::NonNull => f.write_str("NonNull"),
            Self::All(v) => f.debug_tuple("All").field(v).finish(),
            Self::Custom(_) => f.write_str("Custom(..)"),
        }
    }
}

impl Validator {
    /// An integer range; `None` leaves that side open.
    pub fn range(min: Option<i64>, max: Option<i64>) -> Self {
        Self::Range {
            min: min.map(Bound::Int),
            max: max.map(Bound::Int),
        }
    }

    /// `value >= min` (Kafka's `Range.atLeast`).
    pub fn at_least(min: i64) -> Self {
        Self::range(Some(min), None)
    }

    /// A floating-point range; `None` leaves that side open.
    pub fn range_f64(min: Option<f64>, max: Option<f64>) -> Self {
        Self::Range {
            min: min.map(Bound::Float),
            max: max.map(Bound::Float),
        }
    }

    /// One of `values` (Kafka's `ValidString.in`).
    pub fn one_of<I, S>(values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self::ValidString(values.into_iter().map(Into::into).collect())
    }

    /// A custom check; see [`CustomValidator`].
    pub fn custom(
        check: impl Fn(&str, Option<&ParsedValue>) -> Result<(), String> + Send + Sync + 'static,
    ) -> Self {
        Self::Custom(Arc::new(check))
    }

    /// Checks `value` for key `name`; the error is Kafka's full message.
    pub fn ensure_valid(&self, name: &str, value: Option<&ParsedValue>) -> Result<(), String> {
        let invalid = |reason: String| Err(invalid_value(name, value, &reason));
        match self {
            Self::Range { min, max } => {
                let Some(n) = value.and_then(ParsedValue::as_f64) else {
                    return invalid("Value must be non-null".to_owned());
                };
                if let Some(min) = min.filter(|m| n < m.as_f64()) {
                    return invalid(format!("Value must be at least {min}"));
                }
                if let Some(max) = max.filter(|m| n > m.as_f64()) {
                    return invalid(format!("Value must be no more than {max}"));
                }
                Ok(())
            }
            Self::ValidString(valid) => match value {
                Some(ParsedValue::String(s)) if valid.contains(s) => Ok(()),
                _ => invalid(format!("String must be one of: {}", valid.join(", "))),
            },
            Self::CaseInsensitiveValidString(valid) => match value {
                Some(ParsedValue::String(s)) if valid.iter().any(|v| v.eq_ignore_ascii_case(s)) => {
                    Ok(())
                }
                _ => invalid(format!(
                    "String must be one of (case insensitive): {}",
                    valid.join(", ")
                )),
            },
            Self::ValidList(valid) => {
                let Some(ParsedValue::List(items)) = value else {
                    return invalid("Value must be non-null".to_owned());
                };
                match items.iter().find(|item| !valid.contains(item)) {
                    None => Ok(()),
                    Some(bad) => Err(format!(
                        "Invalid value {bad} for configuration {name}: String must be one of: {}",
                        valid.join(", ")
                    )),
                }
            }
            Self::NonEmptyString => match value {
                Some(ParsedValue::String(s)) if s.is_empty() => {
                    invalid("String must be non-empty".to_owned())
                }
                _ => Ok(()),
            },
            Self::NonNull => match value {
                None => invalid("Value must be non-null".to_owned()),
                Some(_) => Ok(()),
            },
            Self::All(validators) => validators
                .iter()
                .try_for_each(|v| v.ensure_valid(name, value)),
            Self::Custom(check) => {
                check(name, value).map_err(|reason| invalid_value(name, value, &reason))
            }
        }
    }
}

/// Kafka's `ConfigException(name, value, message)` text.
fn invalid_value(name: &str, value: Option<&ParsedValue>, reason: &str) -> String {
    let shown = value.map_or_else(|| "null".to_owned(), ToString::to_string);
    format!("Invalid value {shown} for configuration {name}: {reason}")
}

/// Dynamic recommendations for the validate endpoint (Kafka's `ConfigDef.Recommender`):
/// the values a UI should offer for a key, and whether the key applies at all, given the
/// other parsed values.
pub trait Recommender: Send + Sync {
    /// Values to offer for `name`.
    fn valid_values(
        &self,
        name: &str,
        parsed: &BTreeMap<String, Option<ParsedValue>>,
    ) -> Vec<ParsedValue>;
    /// Whether `name` is relevant with the current values.
    fn visible(&self, name: &str, parsed: &BTreeMap<String, Option<ParsedValue>>) -> bool;
}

/// What a key takes when it is absent from the raw map.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigDefault {
    /// The key must be set.
    Required,
    /// The key is optional and absent means null.
    Null,
    /// The key defaults to this string, parsed with the key's type when the key is defined.
    Value(String),
}

/// The definition of one configuration key (Kafka's `ConfigDef.ConfigKey`).
#[derive(Clone)]
pub struct ConfigKey {
    /// The key, e.g. `batch.size`.
    pub name: String,
    /// The value type.
    pub config_type: ConfigType,
    /// What applies when the key is absent.
    pub default: ConfigDefault,
    /// Checks the parsed value (also the default, when the key is defined).
    pub validator: Option<Validator>,
    /// How much it matters.
    pub importance: Importance,
    /// User documentation.
    pub documentation: Option<String>,
    /// UI group, e.g. `Common`.
    pub group: Option<String>,
    /// Position within the group; `-1` when unset.
    pub order_in_group: i32,
    /// UI width hint.
    pub width: Width,
    /// UI label; the key name when unset.
    pub display_name: String,
    /// Keys whose relevance depends on this one.
    pub dependents: Vec<String>,
    /// Dynamic recommendations and visibility.
    pub recommender: Option<Arc<dyn Recommender>>,
}

impl fmt::Debug for ConfigKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigKey")
            .field("name", &self.name)
            .field("config_type", &self.config_type)
            .field("default", &self.default)
            .field("validator", &self.validator)
            .field("importance", &self.importance)
            .field("group", &self.group)
            .field("order_in_group", &self.order_in_group)
            .field("dependents", &self.dependents)
            .field("recommender", &self.recommender.as_ref().map(|_| ".."))
            .finish_non_exhaustive()
    }
}

impl ConfigKey {
    /// A required key (no default) with documentation; refine it with the builder methods.
    pub fn new(
        name: impl Into<String>,
        config_type: ConfigType,
        importance: Importance,
        documentation: impl Into<String>,
    ) -> Self {
        let name = name.into();
        Self {
            display_name: name.clone(),
            name,
            config_type,
            default: ConfigDefault::Required,
            validator: None,
            importance,
            documentation: Some(documentation.into()),
            group: None,
            order_in_group: -1,
            width: Width::None,
            dependents: Vec::new(),
            recommender: None,
        }
    }

    /// Defaults to `value` (written as in a config file: `"2000"`, `"true"`, `"a,b"`).
    pub fn default_value(mut self, value: impl Into<String>) -> Self {
        self.default = ConfigDefault::Value(value.into());
        self
    }

    /// Makes the key optional with a null default.
    pub fn default_null(mut self) -> Self {
        self.default = ConfigDefault::Null;
        self
    }

    /// Sets the validator.
    pub fn validator(mut self, validator: Validator) -> Self {
        self.validator = Some(validator);
        self
    }

    /// Places the key in UI `group` at position `order`.
    pub fn group(mut self, group: impl Into<String>, order: i32) -> Self {
        self.group = Some(group.into());
        self.order_in_group = order;
        self
    }

    /// Sets the UI width.
    pub fn width(mut self, width: Width) -> Self {
        self.width = width;
        self
    }

    /// Sets the UI label.
    pub fn display_name(mut self, display_name: impl Into<String>) -> Self {
        self.display_name = display_name.into();
        self
    }

    /// Sets the dependent keys.
    pub fn dependents<I, S>(mut self, dependents: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.dependents = dependents.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the recommender.
    pub fn recommender(mut self, recommender: Arc<dyn Recommender>) -> Self {
        self.recommender = Some(recommender);
        self
    }

    /// Whether the key has no default.
    pub fn is_required(&self) -> bool {
        self.default == ConfigDefault::Required
    }
}

/// Parses a raw string as `config_type` (Kafka's `ConfigDef.parseType`).
pub fn parse_type(name: &str, raw: &str, config_type: ConfigType) -> Result<ParsedValue, String> {
    let trimmed = raw.trim();
    let not_a_number = || {
        format!("Invalid value {raw} for configuration {name}: Not a number of type {config_type}")
    };
    Ok(match config_type {
        ConfigType::Boolean => {
            if trimmed.eq_ignore_ascii_case("true") {
                ParsedValue::Boolean(true)
            } else if trimmed.eq_ignore_ascii_case("false") {
                ParsedValue::Boolean(false)
            } else {
                return Err(format!(
                    "Invalid value {raw} for configuration {name}: Expected value to be either true or false"
                ));
            }
        }
        ConfigType::String => ParsedValue::String(trimmed.to_owned()),
        ConfigType::Password => ParsedValue::Password(Password::new(trimmed)),
        ConfigType::Class => ParsedValue::Class(trimmed.to_owned()),
        ConfigType::Int => ParsedValue::Int(trimmed.parse().map_err(|_| not_a_number())?),
        ConfigType::Short => ParsedValue::Short(trimmed.parse().map_err(|_| not_a_number())?),
        ConfigType::Long => ParsedValue::Long(trimmed.parse().map_err(|_| not_a_number())?),
        ConfigType::Double => ParsedValue::Double(trimmed.parse().map_err(|_| not_a_number())?),
        ConfigType::List if trimmed.is_empty() => ParsedValue::List(Vec::new()),
        ConfigType::List => {
            ParsedValue::List(trimmed.split(',').map(|s| s.trim().to_owned()).collect())
        }
    })
}

/// One configuration problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The key concerned, `None` for definition-wide problems.
    pub name: Option<String>,
    /// Kafka's message, e.g. `Missing required configuration "file" which has no default value.`
    pub message: String,
}

/// Every problem found while parsing a configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; "))]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl ConfigErrors {
    /// The problems.
    pub fn errors(&self) -> &[ConfigError] {
        &self.0
    }
}

/// The result of validating one key for the REST API (Kafka's `ConfigValue`).
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigValue {
    /// The key.
    pub name: String,
    /// The parsed value (or default); `None` when null or unparsable.
    pub value: Option<ParsedValue>,
    /// Values a UI should offer.
    pub recommended_values: Vec<ParsedValue>,
    /// Every problem with the key, in Kafka's wording.
    pub errors: Vec<String>,
    /// Whether the key is relevant given the other values.
    pub visible: bool,
}

impl ConfigValue {
    fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            value: None,
            recommended_values: Vec::new(),
            errors: Vec::new(),
            visible: true,
        }
    }
}

#[derive(Debug, Clone)]
struct DefinedKey {
    key: ConfigKey,
    /// `None` when required, `Some(None)` for a null default.
    parsed_default: Option<Option<ParsedValue>>,
}

/// A plugin's configuration definition (Kafka's `ConfigDef`): keys in definition order.
#[derive(Debug, Clone, Default)]
pub struct ConfigDef {
    keys: Vec<DefinedKey>,
    groups: Vec<String>,
}

impl ConfigDef {
    /// An empty definition.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `key`; fails when the name is taken, or the default does not parse or validate.
    pub fn try_define(mut self, key: ConfigKey) -> Result<Self, ConnectError> {
        let definition_error = |message: String| {
            ConnectError::Config(ConfigErrors(vec![ConfigError {
                name: Some(key.name.clone()),
                message,
            }]))
        };
        if self.key(&key.name).is_some() {
            return Err(definition_error(format!(
                "Configuration {} is defined twice.",
                key.name
            )));
        }
        let parsed_default = match &key.default {
            ConfigDefault::Required => None,
            ConfigDefault::Null => Some(None),
            ConfigDefault::Value(raw) => Some(Some(
                parse_type(&key.name, raw, key.config_type).map_err(definition_error)?,
            )),
        };
        if let (Some(default), Some(validator)) = (&parsed_default, &key.validator) {
            validator
                .ensure_valid(&key.name, default.as_ref())
                .map_err(definition_error)?;
        }
        if let Some(group) = &key.group {
            if !self.groups.contains(group) {
                self.groups.push(group.clone());
            }
        }
        self.keys.push(DefinedKey {
            key,
            parsed_default,
        });
        Ok(self)
    }

    /// Adds `key`, like [`ConfigDef::try_define`].
    ///
    /// # Panics
    /// When the definition is invalid — a programming error in the plugin, caught by its
    /// first test (Kafka throws at class initialisation in the same cases).
    pub fn define(self, key: ConfigKey) -> Self {
        match self.try_define(key) {
            Ok(def) => def,
            Err(e) => panic!("invalid config definition: {e}"),
        }
    }

    /// The key called `name`.
    pub fn key(&self, name: &str) -> Option<&ConfigKey> {
        self.keys.iter().map(|k| &k.key).find(|k| k.name == name)
    }

    /// All keys in definition order.
    pub fn keys(&self) -> impl Iterator<Item = &ConfigKey> {
        self.keys.iter().map(|k| &k.key)
    }

    /// The groups in order of first use.
    pub fn groups(&self) -> &[String] {
        &self.groups
    }

    /// The parsed default of `name`: `None` if undefined or required, `Some(None)` if null.
    pub fn default_of(&self, name: &str) -> Option<Option<&ParsedValue>> {
        self.keys
            .iter()
            .find(|k| k.key.name == name)
            .and_then(|k| k.parsed_default.as_ref().map(Option::as_ref))
    }

    fn undefined_dependents(&self) -> Vec<String> {
        let mut undefined = BTreeSet::new();
        for defined in &self.keys {
            for dependent in &defined.key.dependents {
                if self.key(dependent).is_none() {
                    undefined.insert(dependent.clone());
                }
            }
        }
        undefined.into_iter().collect()
    }

    /// Parses one key: `Ok(None)` for a null value.
    fn parse_key(
        defined: &DefinedKey,
        props: &BTreeMap<String, String>,
        errors: &mut Vec<String>,
    ) -> Option<ParsedValue> {
        let key = &defined.key;
        let value = match (props.get(&key.name), &defined.parsed_default) {
            (Some(raw), _) => match parse_type(&key.name, raw, key.config_type) {
                Ok(v) => Some(v),
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
            (None, Some(default)) => default.clone(),
            (None, None) => {
                errors.push(format!(
                    "Missing required configuration \"{}\" which has no default value.",
                    key.name
                ));
                None
            }
        };
        // Like Kafka, the validator also sees null after a failed parse, so a broken
        // value can report both problems.
        if let Some(validator) = &key.validator {
            if let Err(e) = validator.ensure_valid(&key.name, value.as_ref()) {
                errors.push(e);
            }
        }
        value
    }

    /// Parses `props` into typed values, reporting every problem at once. Keys in `props`
    /// that are not defined are kept in [`ParsedConfig::originals`] only.
    pub fn parse(&self, props: &BTreeMap<String, String>) -> Result<ParsedConfig, ConfigErrors> {
        let undefined = self.undefined_dependents();
        if !undefined.is_empty() {
            return Err(ConfigErrors(vec![ConfigError {
                name: None,
                message: format!(
                    "Some configurations in are referred in the dependents, but not defined: {}",
                    undefined.join(",")
                ),
            }]));
        }
        let mut values = BTreeMap::new();
        let mut errors = Vec::new();
        for defined in &self.keys {
            let mut key_errors = Vec::new();
            let value = Self::parse_key(defined, props, &mut key_errors);
            errors.extend(key_errors.into_iter().map(|message| ConfigError {
                name: Some(defined.key.name.clone()),
                message,
            }));
            values.insert(defined.key.name.clone(), value);
        }
        if !errors.is_empty() {
            return Err(ConfigErrors(errors));
        }
        Ok(ParsedConfig {
            values,
            originals: props.clone(),
        })
    }

    /// Validates `props` key by key for the REST API (Kafka's `ConfigDef.validate`): one
    /// [`ConfigValue`] per defined key, in definition order, followed by one per dependent
    /// that is referred to but not defined. Never fails as a whole.
    pub fn validate(&self, props: &BTreeMap<String, String>) -> Vec<ConfigValue> {
        let mut results = Vec::with_capacity(self.keys.len());
        let mut parsed = BTreeMap::new();
        for defined in &self.keys {
            let mut result = ConfigValue::new(&defined.key.name);
            result.value = Self::parse_key(defined, props, &mut result.errors);
            parsed.insert(defined.key.name.clone(), result.value.clone());
            results.push(result);
        }
        // Recommenders see every parsed value, so they run in a second pass.
        for (defined, result) in self.keys.iter().zip(results.iter_mut()) {
            if let Some(recommender) = &defined.key.recommender {
                let recommended = recommender.valid_values(&defined.key.name, &parsed);
                result.recommended_values = recommended;
                result.visible = recommender.visible(&defined.key.name, &parsed);
            }
        }
        for name in self.undefined_dependents() {
            let mut result = ConfigValue::new(&name);
            result.errors.push(format!(
                "{name} is referred in the dependents, but not defined."
            ));
            result.visible = false;
            results.push(result);
        }
        results
    }
}

/// A successfully parsed configuration: a typed value (or null) for every defined key.
///
/// `Debug` and `Display` never show secrets: passwords print as `[hidden]` and the raw
/// originals (which may hold undeclared secrets) are listed by key only.
#[derive(Clone, PartialEq)]
pub struct ParsedConfig {
    values: BTreeMap<String, Option<ParsedValue>>,
    originals: BTreeMap<String, String>,
}

macro_rules! typed_config_getters {
    ($($fn_name:ident -> $ty:ty, $variant:ident, $config_type:ident;)*) => {
        $(
            #[doc = concat!("The value of a `", stringify!($config_type), "` key; `None` when null.")]
            pub fn $fn_name(&self, name: &str) -> Result<Option<$ty>, ConnectError> {
                match self.lookup(name)? {
                    None => Ok(None),
                    Some(ParsedValue::$variant(v)) => Ok(Some(&**v)),
                    Some(other) => Err(self.type_mismatch(name, other, ConfigType::$config_type)),
                }
            }
        )*
    };
}

impl ParsedConfig {
    fn lookup(&self, name: &str) -> Result<Option<&ParsedValue>, ConnectError> {
        self.values
            .get(name)
            .map(Option::as_ref)
            .ok_or_else(|| ConnectError::connector(format!("Unknown configuration '{name}'")))
    }

    fn type_mismatch(&self, name: &str, found: &ParsedValue, expected: ConfigType) -> ConnectError {
        let found = match found {
            ParsedValue::Boolean(_) => ConfigType::Boolean,
            ParsedValue::String(_) => ConfigType::String,
            ParsedValue::Int(_) => ConfigType::Int,
            ParsedValue::Short(_) => ConfigType::Short,
            ParsedValue::Long(_) => ConfigType::Long,
            ParsedValue::Double(_) => ConfigType::Double,
            ParsedValue::List(_) => ConfigType::List,
            ParsedValue::Class(_) => ConfigType::Class,
            ParsedValue::Password(_) => ConfigType::Password,
        };
        ConnectError::connector(format!(
            "Configuration '{name}' is of type {found}, not {expected}"
        ))
    }

    /// The parsed value of a defined key (`Ok(None)` when null); an error for unknown keys.
    pub fn get(&self, name: &str) -> Result<Option<&ParsedValue>, ConnectError> {
        self.lookup(name)
    }

    typed_config_getters! {
        get_string -> &str, String, String;
        get_class -> &str, Class, Class;
        get_list -> &[String], List, List;
    }

    /// The value of a `PASSWORD` key; `None` when null.
    pub fn get_password(&self, name: &str) -> Result<Option<&Password>, ConnectError> {
        match self.lookup(name)? {
            None => Ok(None),
            Some(ParsedValue::Password(p)) => Ok(Some(p)),
            Some(other) => Err(self.type_mismatch(name, other, ConfigType::Password)),
        }
    }

    /// The value of a `BOOLEAN` key; `None` when null.
    pub fn get_boolean(&self, name: &str) -> Result<Option<bool>, ConnectError> {
        self.copied(name, ConfigType::Boolean, |v| match v {
            ParsedValue::Boolean(b) => Some(*b),
            _ => None,
        })
    }

    /// The value of an `INT` key; `None` when null.
    pub fn get_int(&self, name: &str) -> Result<Option<i32>, ConnectError> {
        self.copied(name, ConfigType::Int, |v| match v {
            ParsedValue::Int(i) => Some(*i),
            _ => None,
        })
    }

    /// The value of a `SHORT` key; `None` when null.
    pub fn get_short(&self, name: &str) -> Result<Option<i16>, ConnectError> {
        self.copied(name, ConfigType::Short, |v| match v {
            ParsedValue::Short(i) => Some(*i),
            _ => None,
        })
    }

    /// The value of a `LONG` key; `None` when null.
    pub fn get_long(&self, name: &str) -> Result<Option<i64>, ConnectError> {
        self.copied(name, ConfigType::Long, |v| match v {
            ParsedValue::Long(i) => Some(*i),
            _ => None,
        })
    }

    /// The value of a `DOUBLE` key; `None` when null.
    pub fn get_double(&self, name: &str) -> Result<Option<f64>, ConnectError> {
        self.copied(name, ConfigType::Double, |v| match v {
            ParsedValue::Double(d) => Some(*d),
            _ => None,
        })
    }

    fn copied<T>(
        &self,
        name: &str,
        expected: ConfigType,
        extract: impl Fn(&ParsedValue) -> Option<T>,
    ) -> Result<Option<T>, ConnectError> {
        match self.lookup(name)? {
            None => Ok(None),
            Some(v) => extract(v)
                .map(Some)
                .ok_or_else(|| self.type_mismatch(name, v, expected)),
        }
    }

    /// The raw map the configuration was parsed from, including undefined keys.
    pub fn originals(&self) -> &BTreeMap<String, String> {
        &self.originals
    }

    /// Every defined key with its value.
    pub fn values(&self) -> &BTreeMap<String, Option<ParsedValue>> {
        &self.values
    }
}

impl fmt::Debug for ParsedConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParsedConfig")
            .field("values", &self.values)
            .field("originals", &self.originals.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl fmt::Display for ParsedConfig {
    /// `name = value` lines in key order, passwords as `[hidden]` (safe to log).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, value) in &self.values {
            match value {
                Some(v) => writeln!(f, "\t{name} = {v}")?,
                None => writeln!(f, "\t{name} = null")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
