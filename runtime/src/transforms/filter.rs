//! `Filter`: drops every record; meant to be used with a predicate.

use std::collections::BTreeMap;

use connect_api::config::ConfigDef;
use connect_api::ConnectError;

use super::{ConnectRecord, Transformation};

/// Kafka's `Filter`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter;

impl<R: ConnectRecord> Transformation<R> for Filter {
    fn config_def(&self) -> ConfigDef {
        ConfigDef::new()
    }

    fn configure(&mut self, _props: &BTreeMap<String, String>) -> Result<(), ConnectError> {
        Ok(())
    }

    fn apply(&self, _record: R) -> Result<Option<R>, ConnectError> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::test_support::*;
    use connect_api::data::Value;

    #[test]
    fn drops_everything() -> Result<(), ConnectError> {
        assert_eq!(Filter.apply(source(None, Value::Null))?, None);
        assert_eq!(Filter.apply(sink(None, Value::Int32(1)))?, None);
        Ok(())
    }
}
