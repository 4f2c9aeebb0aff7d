//! The JSON shapes of Kafka Connect's config REST endpoints (`ConfigInfos`, `ConfigInfo`,
//! `ConfigKeyInfo`, `ConfigValueInfo`), with Kafka's field names and order.

use serde::Serialize;

use super::{ConfigDef, ConfigKey, ConfigValue, ParsedValue};

/// Body of `PUT /connector-plugins/{plugin}/config/validate`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigInfos {
    /// The connector class.
    pub name: String,
    /// Total number of error messages over all configs.
    pub error_count: usize,
    /// UI groups in display order.
    pub groups: Vec<String>,
    /// One entry per key.
    pub configs: Vec<ConfigInfo>,
}

/// One key of a validation result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigInfo {
    /// The key's definition; `null` for keys that are referred to but not defined.
    pub definition: Option<ConfigKeyInfo>,
    /// The validation result; `null` when the key was not validated.
    pub value: Option<ConfigValueInfo>,
}

/// A key definition as shown by the REST API (also the items of
/// `GET /connector-plugins/{plugin}/config`).
///
/// Field order is what Kafka's Jackson serialization produces: `order` comes last.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigKeyInfo {
    /// Key name.
    pub name: String,
    /// Type name, e.g. `STRING`.
    #[serde(rename = "type")]
    pub config_type: String,
    /// Whether the key has no default.
    pub required: bool,
    /// The default as a string (`null` when required or null).
    pub default_value: Option<String>,
    /// `HIGH`, `MEDIUM` or `LOW`.
    pub importance: String,
    /// Documentation.
    pub documentation: Option<String>,
    /// UI group.
    pub group: Option<String>,
    /// `NONE`, `SHORT`, `MEDIUM` or `LONG`.
    pub width: String,
    /// UI label.
    pub display_name: String,
    /// Dependent keys.
    pub dependents: Vec<String>,
    /// Position in the group (`order_in_group` in Kafka's request form).
    pub order: i32,
}

/// The validation result of one key as shown by the REST API.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigValueInfo {
    /// Key name.
    pub name: String,
    /// The value as a string (`[hidden]` for passwords); `null` when absent or invalid.
    pub value: Option<String>,
    /// Recommended values as strings.
    pub recommended_values: Vec<String>,
    /// Error messages.
    pub errors: Vec<String>,
    /// Whether the key applies.
    pub visible: bool,
}

impl ConfigKeyInfo {
    /// The REST form of `key`; `default` is its parsed default (see [`ConfigDef::default_of`]).
    pub fn new(key: &ConfigKey, default: Option<Option<&ParsedValue>>) -> Self {
        Self {
            name: key.name.clone(),
            config_type: key.config_type.name().to_owned(),
            required: key.is_required(),
            default_value: default.flatten().map(ParsedValue::to_config_string),
            importance: key.importance.name().to_owned(),
            documentation: key.documentation.clone(),
            group: key.group.clone(),
            width: key.width.name().to_owned(),
            display_name: key.display_name.clone(),
            dependents: key.dependents.clone(),
            order: key.order_in_group,
        }
    }
}

impl From<&ConfigValue> for ConfigValueInfo {
    fn from(value: &ConfigValue) -> Self {
        Self {
            name: value.name.clone(),
            value: value.value.as_ref().map(ParsedValue::to_config_string),
            recommended_values: value
                .recommended_values
                .iter()
                .map(ParsedValue::to_config_string)
                .collect(),
            errors: value.errors.clone(),
            visible: value.visible,
        }
    }
}

impl ConfigDef {
    /// Every key in REST form, in definition order (`GET /connector-plugins/{p}/config`).
    pub fn key_infos(&self) -> Vec<ConfigKeyInfo> {
        self.keys
            .iter()
            .map(|k| ConfigKeyInfo::new(&k.key, k.parsed_default.as_ref().map(Option::as_ref)))
            .collect()
    }
}

impl ConfigInfos {
    /// Assembles a validation response; `error_count` is computed from `configs`.
    pub fn new(name: impl Into<String>, groups: Vec<String>, configs: Vec<ConfigInfo>) -> Self {
        let error_count = configs
            .iter()
            .filter_map(|c| c.value.as_ref())
            .map(|v| v.errors.len())
            .sum();
        Self {
            name: name.into(),
            error_count,
            groups,
            configs,
        }
    }

    /// The response for `values` (from [`ConfigDef::validate`] of `def`), like Kafka's
    /// `AbstractHerder.generateResult`: values of undefined keys first, then every defined
    /// key in definition order; groups are `def`'s.
    pub fn from_validation(
        name: impl Into<String>,
        def: &ConfigDef,
        values: &[ConfigValue],
    ) -> Self {
        let mut configs: Vec<ConfigInfo> = values
            .iter()
            .filter(|v| def.key(&v.name).is_none())
            .map(|v| ConfigInfo {
                definition: None,
                value: Some(v.into()),
            })
            .collect();
        for (key, info) in def.keys().zip(def.key_infos()) {
            configs.push(ConfigInfo {
                definition: Some(info),
                value: values.iter().find(|v| v.name == key.name).map(Into::into),
            });
        }
        Self::new(name, def.groups().to_vec(), configs)
    }
}
