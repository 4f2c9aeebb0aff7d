//! `DropHeaders`: removes headers by name.

use std::collections::BTreeMap;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance};
use connect_api::ConnectError;

use super::util::non_empty_list;
use super::{ConnectRecord, Transformation};

/// Kafka's `DropHeaders`.
#[derive(Debug, Clone, Default)]
pub struct DropHeaders {
    headers: Vec<String>,
}

impl DropHeaders {
    /// Kafka's `CONFIG_DEF`.
    pub fn definition() -> ConfigDef {
        ConfigDef::new().define(
            ConfigKey::new(
                "headers",
                ConfigType::List,
                Importance::High,
                "The name of the headers to be removed.",
            )
            .validator(non_empty_list()),
        )
    }
}

impl<R: ConnectRecord> Transformation<R> for DropHeaders {
    fn config_def(&self) -> ConfigDef {
        Self::definition()
    }

    fn configure(&mut self, props: &BTreeMap<String, String>) -> Result<(), ConnectError> {
        let config = Self::definition().parse(props)?;
        self.headers = config
            .get_list("headers")?
            .map(<[String]>::to_vec)
            .unwrap_or_default();
        Ok(())
    }

    fn apply(&self, mut record: R) -> Result<Option<R>, ConnectError> {
        for name in &self.headers {
            record.headers_mut().remove(name);
        }
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::test_support::*;
    use connect_api::data::Value;
    use connect_api::record::{Headers, SourceRecord};

    #[test]
    fn drops_named_headers() -> Result<(), ConnectError> {
        let mut t = DropHeaders::default();
        Transformation::<SourceRecord>::configure(&mut t, &props(&[("headers", "a,c")]))?;
        let mut headers = Headers::new();
        headers
            .add_string("a", "1")
            .add_string("b", "2")
            .add_string("a", "3")
            .add_string("c", "4");
        let out = t
            .apply(source(None, Value::Null).with_headers(headers))?
            .expect("kept");
        let keys: Vec<_> = out.headers.iter().map(|h| h.key.as_str()).collect();
        assert_eq!(keys, ["b"]);
        let err = Transformation::<SourceRecord>::configure(&mut t, &props(&[]))
            .map_err(|e| e.to_string());
        assert_eq!(
            err,
            Err("invalid configuration: Missing required configuration \"headers\" which has no default value.".to_owned())
        );
        Ok(())
    }
}
