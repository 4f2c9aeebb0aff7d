//! Reading configuration files the way Kafka's command-line tools do: worker and
//! connector `.properties` files (Java's `Properties.load`) and connector JSON files
//! (`connect-standalone` accepts both since KIP-980).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// A configuration file that could not be read or parsed.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.describe())]
pub struct ConfigFileError {
    /// The file concerned.
    pub path: PathBuf,
    /// The 1-based line of the problem, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl ConfigFileError {
    fn describe(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{line}: {}", self.path.display(), self.message),
            None => format!("{}: {}", self.path.display(), self.message),
        }
    }
}

/// A syntax error in properties or JSON text, before it is tied to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// The 1-based line of the problem, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl SyntaxError {
    fn in_file(self, path: &Path) -> ConfigFileError {
        ConfigFileError {
            path: path.to_owned(),
            line: self.line,
            message: self.message,
        }
    }
}

/// The state a connector starts in (`initial_state` of a JSON connector file, KIP-980).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitialState {
    /// `RUNNING`.
    Running,
    /// `PAUSED`.
    Paused,
    /// `STOPPED`.
    Stopped,
}

/// A connector configuration read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectorFile {
    /// The connector configuration; always contains `name` when the file gave one.
    pub config: BTreeMap<String, String>,
    /// `initial_state` when the file is in the `{"name", "config", "initial_state"}` form.
    pub initial_state: Option<InitialState>,
}

fn read_text(path: &Path) -> Result<String, ConfigFileError> {
    let bytes = std::fs::read(path).map_err(|e| ConfigFileError {
        path: path.to_owned(),
        line: None,
        message: format!("cannot read file: {e}"),
    })?;
    // Java's Properties.load(InputStream) reads ISO-8859-1; accept UTF-8 first because
    // that is what files written today contain, and fall back to Latin-1 like Java.
    Ok(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => e.into_bytes().iter().map(|&b| char::from(b)).collect(),
    })
}

/// Reads a Java `.properties` file (Kafka's `Utils.loadProps`).
pub fn read_properties_file(
    path: impl AsRef<Path>,
) -> Result<BTreeMap<String, String>, ConfigFileError> {
    let path = path.as_ref();
    parse_properties(&read_text(path)?).map_err(|e| e.in_file(path))
}

/// Reads a connector configuration file as `connect-standalone` does: `*.json` files as
/// JSON (see [`parse_connector_json`]), anything else as properties.
pub fn read_connector_file(path: impl AsRef<Path>) -> Result<ConnectorFile, ConfigFileError> {
    let path = path.as_ref();
    let text = read_text(path)?;
    let is_json = path
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("json"));
    if is_json {
        parse_connector_json(&text).map_err(|e| e.in_file(path))
    } else {
        let config = parse_properties(&text).map_err(|e| e.in_file(path))?;
        Ok(ConnectorFile {
            config,
            initial_state: None,
        })
    }
}

/// Parses a connector JSON document, either a flat `{"key": "value"}` map or a
/// `{"name": .., "config": {..}, "initial_state": ..}` request (Kafka's
/// `ConnectStandalone.parseConnectorConfigurationFile`). Scalar values (numbers,
/// booleans) are taken as their text, as Jackson does for `Map<String, String>`; in the
/// request form `name` is added to `config` and must match it when already there.
pub fn parse_connector_json(text: &str) -> Result<ConnectorFile, SyntaxError> {
    let value: Value = serde_json::from_str(text).map_err(|e| SyntaxError {
        line: Some(e.line()),
        message: format!("invalid JSON: {e}"),
    })?;
    let Value::Object(object) = value else {
        return Err(SyntaxError {
            line: None,
            message: "expected a JSON object".to_owned(),
        });
    };
    if let Some(flat) = flat_string_map(&object) {
        return Ok(ConnectorFile {
            config: flat,
            initial_state: None,
        });
    }
    connector_request(&object)
}

/// `Some` when every value is a scalar (the flat form); nulls are dropped.
fn flat_string_map(object: &serde_json::Map<String, Value>) -> Option<BTreeMap<String, String>> {
    let mut map = BTreeMap::new();
    for (key, value) in object {
        match value {
            Value::Null => {}
            Value::Object(_) | Value::Array(_) => return None,
            scalar => {
                map.insert(key.clone(), scalar_text(scalar)?);
            }
        }
    }
    Some(map)
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null | Value::Object(_) | Value::Array(_) => None,
    }
}

fn connector_request(
    object: &serde_json::Map<String, Value>,
) -> Result<ConnectorFile, SyntaxError> {
    let error = |message: String| SyntaxError {
        line: None,
        message,
    };
    if let Some(unknown) = object
        .keys()
        .find(|k| !matches!(k.as_str(), "name" | "config" | "initial_state"))
    {
        return Err(error(format!(
            "unknown field '{unknown}': expected a flat map of strings or an object with \
             'name', 'config' and optionally 'initial_state'"
        )));
    }
    let name = match object.get("name") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name.clone()),
        Some(_) => return Err(error("'name' must be a string".to_owned())),
    };
    let Some(Value::Object(raw_config)) = object.get("config") else {
        return Err(error("'config' must be an object of strings".to_owned()));
    };
    let mut config = BTreeMap::new();
    for (key, value) in raw_config {
        match value {
            Value::Null => {}
            scalar => {
                let text = scalar_text(scalar).ok_or_else(|| {
                    error(format!(
                        "config value of '{key}' must be a string, not {value}"
                    ))
                })?;
                config.insert(key.clone(), text);
            }
        }
    }
    if let Some(name) = name {
        match config.get("name") {
            Some(existing) if *existing != name => {
                return Err(error(
                    "Connector name configuration in 'config' doesn't match the one specified \
                     in 'name'"
                        .to_owned(),
                ))
            }
            Some(_) => {}
            None => {
                config.insert("name".to_owned(), name);
            }
        }
    }
    let initial_state = match object.get("initial_state") {
        None | Some(Value::Null) => None,
        Some(Value::String(state)) => Some(match state.to_ascii_uppercase().as_str() {
            "RUNNING" => InitialState::Running,
            "PAUSED" => InitialState::Paused,
            "STOPPED" => InitialState::Stopped,
            _ => {
                return Err(error(format!(
                    "invalid initial_state '{state}': expected RUNNING, PAUSED or STOPPED"
                )))
            }
        }),
        Some(_) => return Err(error("'initial_state' must be a string".to_owned())),
    };
    Ok(ConnectorFile {
        config,
        initial_state,
    })
}

/// Java's whitespace for properties files: space, tab and form feed.
fn is_properties_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\x0c')
}

/// Splits text into natural lines on `\n`, `\r` or `\r\n`.
fn natural_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        match rest.find(['\n', '\r']) {
            None => {
                lines.push(rest);
                break;
            }
            Some(end) => {
                lines.push(&rest[..end]);
                let skip = if rest[end..].starts_with("\r\n") {
                    2
                } else {
                    1
                };
                rest = &rest[end + skip..];
            }
        }
    }
    lines
}

/// Whether a line ends in an odd number of backslashes, i.e. continues on the next line.
fn continues(line: &str) -> bool {
    line.chars().rev().take_while(|&c| c == '\\').count() % 2 == 1
}

/// Parses Java `.properties` text (`Properties.load`): `#`/`!` comments, `key=value`,
/// `key: value` and `key value` pairs, backslash line continuations and the escapes
/// `\t \n \r \f \uXXXX` (any other escaped character stands for itself). A repeated key
/// keeps its last value.
pub fn parse_properties(text: &str) -> Result<BTreeMap<String, String>, SyntaxError> {
    let lines = natural_lines(text);
    let mut props = BTreeMap::new();
    let mut index = 0;
    while index < lines.len() {
        let first_line = index + 1;
        let start = lines[index].trim_start_matches(is_properties_space);
        index += 1;
        if start.is_empty() || start.starts_with('#') || start.starts_with('!') {
            continue;
        }
        let mut logical = start.to_owned();
        while continues(&logical) {
            logical.pop();
            let Some(next) = lines.get(index) else { break };
            logical.push_str(next.trim_start_matches(is_properties_space));
            index += 1;
        }
        let (key, value) = split_key_value(&logical);
        let key = unescape(key).map_err(|message| SyntaxError {
            line: Some(first_line),
            message,
        })?;
        let value = unescape(value).map_err(|message| SyntaxError {
            line: Some(first_line),
            message,
        })?;
        props.insert(key, value);
    }
    Ok(props)
}

/// Splits a logical line at the first unescaped `=`, `:` or whitespace; whitespace around
/// the separator is not part of the key or the value.
fn split_key_value(line: &str) -> (&str, &str) {
    let mut chars = line.char_indices();
    let mut key_end = line.len();
    while let Some((i, c)) = chars.next() {
        if c == '\\' {
            chars.next();
            continue;
        }
        if c == '=' || c == ':' || is_properties_space(c) {
            key_end = i;
            break;
        }
    }
    let key = &line[..key_end];
    let rest = line[key_end..].trim_start_matches(is_properties_space);
    let rest = rest
        .strip_prefix(['=', ':'])
        .map_or(rest, |r| r.trim_start_matches(is_properties_space));
    (key, rest)
}

fn unescape(raw: &str) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            // A trailing lone backslash (last line of the file) is dropped, as in Java.
            None => {}
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\x0c'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                let unit = (hex.len() == 4 && hex.chars().all(|c| c.is_ascii_hexdigit()))
                    .then(|| u16::from_str_radix(&hex, 16).ok())
                    .flatten()
                    .ok_or_else(|| "Malformed \\uxxxx encoding.".to_owned())?;
                push_utf16_unit(&mut out, unit, &mut chars)?;
            }
            Some(other) => out.push(other),
        }
    }
    Ok(out)
}

/// Appends one UTF-16 code unit; a high surrogate must be followed by `\uXXXX` holding the
/// low surrogate (Java strings are UTF-16, Rust strings cannot hold a lone surrogate).
fn push_utf16_unit(
    out: &mut String,
    unit: u16,
    chars: &mut std::str::Chars<'_>,
) -> Result<(), String> {
    if let Some(c) = char::from_u32(u32::from(unit)) {
        out.push(c);
        return Ok(());
    }
    let lone = || format!("Unpaired surrogate \\u{unit:04X} in \\uxxxx escape.");
    if !(0xD800..0xDC00).contains(&unit) {
        return Err(lone());
    }
    let rest = chars.as_str();
    let low = rest
        .strip_prefix("\\u")
        .and_then(|r| r.get(..4))
        .filter(|hex| hex.chars().all(|c| c.is_ascii_hexdigit()))
        .and_then(|hex| u16::from_str_radix(hex, 16).ok())
        .filter(|low| (0xDC00..0xE000).contains(low))
        .ok_or_else(lone)?;
    let decoded = char::decode_utf16([unit, low])
        .next()
        .and_then(Result::ok)
        .ok_or_else(lone)?;
    out.push(decoded);
    *chars = rest[6..].chars();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(text: &str) -> BTreeMap<String, String> {
        match parse_properties(text) {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        }
    }

    fn get<'a>(map: &'a BTreeMap<String, String>, key: &str) -> Option<&'a str> {
        map.get(key).map(String::as_str)
    }

    #[test]
    fn separators_comments_and_whitespace() {
        let p = props(
            "# comment\n! also a comment\n   \na=1\nb: 2\nc 3\n  d = 4  \ne\nf=\ng:=x\nh==y\n",
        );
        assert_eq!(get(&p, "a"), Some("1"));
        assert_eq!(get(&p, "b"), Some("2"));
        assert_eq!(get(&p, "c"), Some("3"));
        // Trailing whitespace belongs to the value, as in Java.
        assert_eq!(get(&p, "d"), Some("4  "));
        assert_eq!(get(&p, "e"), Some(""));
        assert_eq!(get(&p, "f"), Some(""));
        assert_eq!(get(&p, "g"), Some("=x"));
        assert_eq!(get(&p, "h"), Some("=y"));
        assert_eq!(p.len(), 8);
    }

    #[test]
    fn continuations_join_lines_and_skip_leading_whitespace() {
        let p = props("list=a,\\\n    b,\\\r\n\tc\nnext=1\nend=x\\");
        assert_eq!(get(&p, "list"), Some("a,b,c"));
        assert_eq!(get(&p, "next"), Some("1"));
        assert_eq!(get(&p, "end"), Some("x"));
    }

    #[test]
    fn even_backslashes_do_not_continue_and_comments_never_continue() {
        let p = props("path=C:\\\\dir\\\\\nnext=1\n# comment \\\nreal=2\r");
        assert_eq!(get(&p, "path"), Some("C:\\dir\\"));
        assert_eq!(get(&p, "next"), Some("1"));
        assert_eq!(get(&p, "real"), Some("2"));
    }

    #[test]
    fn escapes_in_keys_and_values() {
        let p = props("my\\ key\\=x=tab\\there\\nnl \\u00e9\\uD83D\\uDE00 \\q\nk\\:1 : v\n");
        assert_eq!(get(&p, "my key=x"), Some("tab\there\nnl é😀 q"));
        assert_eq!(get(&p, "k:1"), Some("v"));
    }

    #[test]
    fn malformed_unicode_escape_names_the_line() {
        let err = parse_properties("a=1\n\nb=\\u12g4\n").err();
        assert_eq!(
            err,
            Some(SyntaxError {
                line: Some(3),
                message: "Malformed \\uxxxx encoding.".to_owned()
            })
        );
        assert!(parse_properties("a=\\uD800x").is_err());
    }

    #[test]
    fn last_value_wins() {
        assert_eq!(get(&props("a=1\na=2"), "a"), Some("2"));
    }

    #[test]
    fn json_flat_map_with_scalars() -> Result<(), SyntaxError> {
        let file = parse_connector_json(
            r#"{"name":"n","connector.class":"FileStreamSource","tasks.max":1,"x":true,"y":null}"#,
        )?;
        assert_eq!(get(&file.config, "tasks.max"), Some("1"));
        assert_eq!(get(&file.config, "x"), Some("true"));
        assert_eq!(get(&file.config, "name"), Some("n"));
        assert!(!file.config.contains_key("y"));
        assert_eq!(file.initial_state, None);
        Ok(())
    }

    #[test]
    fn json_request_form_injects_name() -> Result<(), SyntaxError> {
        let file = parse_connector_json(
            r#"{"name":"n","config":{"connector.class":"X"},"initial_state":"paused"}"#,
        )?;
        assert_eq!(get(&file.config, "name"), Some("n"));
        assert_eq!(file.initial_state, Some(InitialState::Paused));
        Ok(())
    }

    #[test]
    fn json_errors() {
        let mismatch = parse_connector_json(r#"{"name":"a","config":{"name":"b"}}"#);
        assert!(mismatch.is_err_and(|e| e.message.contains("doesn't match")));
        let unknown = parse_connector_json(r#"{"name":"a","config":{},"extra":[1]}"#);
        assert!(unknown.is_err_and(|e| e.message.contains("unknown field 'extra'")));
        let syntax = parse_connector_json("{\n\"a\": \n}");
        assert!(syntax.is_err_and(|e| e.line == Some(3)));
        assert!(parse_connector_json("[1]").is_err());
        let state = parse_connector_json(r#"{"name":"a","config":{},"initial_state":"gone"}"#);
        assert!(state.is_err());
    }

    #[test]
    fn files_by_extension_with_errors_naming_the_file() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let props_path = dir.path().join("c.properties");
        std::fs::write(&props_path, "name=p\nconnector.class=FileStreamSink\n")?;
        let json_path = dir.path().join("c.JSON");
        std::fs::write(&json_path, r#"{"name":"j","config":{"tasks.max":"2"}}"#)?;
        let bad_path = dir.path().join("bad.properties");
        std::fs::write(&bad_path, "ok=1\nbad=\\u00\n")?;
        let latin1_path = dir.path().join("latin1.properties");
        std::fs::write(&latin1_path, b"v=caf\xe9\n")?;

        let from_props = read_connector_file(&props_path)?;
        assert_eq!(get(&from_props.config, "name"), Some("p"));
        let from_json = read_connector_file(&json_path)?;
        assert_eq!(get(&from_json.config, "name"), Some("j"));
        assert_eq!(get(&read_properties_file(&latin1_path)?, "v"), Some("café"));

        let err = read_properties_file(&bad_path).err().map(|e| e.to_string());
        assert_eq!(
            err,
            Some(format!(
                "{}:2: Malformed \\uxxxx encoding.",
                bad_path.display()
            ))
        );
        let missing = read_properties_file(dir.path().join("none.properties"));
        assert!(missing.is_err_and(|e| e.to_string().contains("cannot read file")));
        Ok(())
    }
}
