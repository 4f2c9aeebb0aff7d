//! JSON exactly as Kafka's `JsonConverter` (`schemas.enable=false`) writes a `Struct`:
//! no spaces, the fields in the schema's order, `null` for an absent optional field.

use serde_json::Value as Json;

/// An object with the fields in the given order (serde_json's maps sort their keys).
pub(super) fn object(fields: &[(&str, Json)]) -> Vec<u8> {
    let mut out = String::from("{");
    for (i, (name, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&Json::String((*name).to_owned()).to_string());
        out.push(':');
        out.push_str(&value.to_string());
    }
    out.push('}');
    out.into_bytes()
}

/// `{"<outer>":{<fields in order>}}`.
pub(super) fn object_in(outer: &str, fields: &[(&str, Json)]) -> Vec<u8> {
    let inner = object(fields);
    let mut out = String::from("{");
    out.push_str(&Json::String(outer.to_owned()).to_string());
    out.push(':');
    out.push_str(&String::from_utf8_lossy(&inner));
    out.push('}');
    out.into_bytes()
}

/// A short description of a JSON value's type, for log messages.
pub(super) fn kind(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_keep_their_order() {
        assert_eq!(
            object(&[
                ("state", json!("RUNNING")),
                ("trace", Json::Null),
                ("worker_id", json!("w:8083")),
                ("generation", json!(3)),
            ]),
            br#"{"state":"RUNNING","trace":null,"worker_id":"w:8083","generation":3}"#
        );
        assert_eq!(
            object_in("topic", &[("name", json!("t")), ("connector", json!("c"))]),
            br#"{"topic":{"name":"t","connector":"c"}}"#
        );
    }
}
