//! Java Avro's `Schema.toString()`: the schema text Confluent's registry stores,
//! returns and compares.
//!
//! Confluent keeps `AvroSchema.canonicalString()`, which is Avro 1.11's
//! `schema.toString(referencedSchemas, false)`: the parsed schema written back as
//! compact JSON by `Schema.toJson`. Two submissions are the same schema when these
//! strings are equal (and the references are). [`java_string`] rebuilds that string
//! from the schema text, byte for byte for a valid schema. The rules, as Avro
//! 1.11.3 writes them:
//!
//! - **Primitives**: the bare name (`"string"`) unless the schema has properties,
//!   then `{"type":"string",…properties}`. `doc`, `name`, `namespace`, `aliases`,
//!   `fields`, `items`, `values`, `size` and `symbols` are reserved and dropped on
//!   primitives, arrays and maps. `logicalType`, `precision`, `scale`… are plain
//!   properties, kept in the order submitted (Java keeps insertion order).
//! - **Records** (`record` or `error`): `type`, `name`, `namespace`, `doc`,
//!   `fields`, properties, `aliases`. **Enums**: `type`, `name`, `namespace`, `doc`,
//!   `symbols`, `default`, properties, `aliases`. **Fixed**: `type`, `name`,
//!   `namespace`, `doc`, `size`, properties, `aliases`. **Arrays** / **maps**:
//!   `type`, `items` / `values`, properties. **Unions**: the JSON array.
//! - **Fields**: `name`, `type`, `doc`, `default`, `order` (only when not
//!   `ascending`, lower case), `aliases` (duplicates dropped), properties.
//! - **Names**: `name` is the simple name; `namespace` is written only when it
//!   differs from the enclosing one (the innermost record's), and as `""` for a
//!   type without namespace inside one with a namespace. A dotted name is split
//!   (`"a.b.C"` → `C` in `a.b`); an explicit `""` namespace is no namespace. A named
//!   type already written (or a referenced schema) is written as its name, simple
//!   when in the enclosing namespace (unless the simple name is a type name such as
//!   `record` or `int`), else full. Aliases are written relative to the type's own
//!   namespace the same way.
//! - **Values** (defaults and properties) are Jackson trees: object keys in the
//!   submitted order, integers as digits, floating-point numbers as Java's
//!   `Double.toString` (`1.0`, `1.0E10`, `1.5E-5`, `-0.0`, `1.23456789125E8`; plain
//!   for 10⁻³ ≤ |x| < 10⁷, else scientific). A string default of a `float` or
//!   `double` field is read as a number (`"2.5"` → `2.5`; `"NaN"`, `"Infinity"` stay
//!   quoted strings, as Jackson quotes non-finite numbers).
//! - **Strings** are escaped as Jackson does: `\"`, `\\`, `\b`, `\t`, `\n`, `\f`,
//!   `\r`, other control characters as `\u00XX` (upper-case hex); everything else,
//!   DEL, U+2028 and non-ASCII included, is written as is.
//!
//! The text is read here as Jackson reads it (not with `serde_json`, whose default
//! float parsing may be one unit in the last place off and which has no ordered
//! maps or big integers in this workspace).
//!
//! Known differences, all outside everyday schemas: JSON comments (Java accepts
//! them; `apache-avro` rejects the schema first), lone surrogates in strings, and
//! the doubles whose JDK 17 `Double.toString` is neither the shortest
//! representation nor a whole number below 2⁶³ (`5e-324` is `4.9E-324` in Java;
//! here the shortest digits are used).

use std::collections::{HashMap, HashSet};

/// A JSON value keeping object keys in document order (Jackson's `ObjectNode`).
#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Int(i64),
    /// An integer beyond `long`, as its digits.
    BigInt(String),
    Float(f64),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn text(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(Json::Str(s)) => Some(s),
            _ => None,
        }
    }
}

/// Jackson's reading of a JSON text (`ObjectMapper.readTree`): integers that fit a
/// `long` as such, larger ones kept as their digits (`BigIntegerNode`), numbers
/// with a fraction or exponent as the nearest double, `-0` as `0`; a repeated
/// key keeps its first place and its last value. `None` if not JSON.
fn parse(text: &str) -> Option<Json> {
    let mut parser = Parser {
        bytes: text.as_bytes(),
        text,
        pos: 0,
    };
    let value = parser.value(0)?;
    parser.skip_ws();
    (parser.pos == parser.bytes.len()).then_some(value)
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while matches!(self.bytes.get(self.pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, literal: &str) -> bool {
        if self.text[self.pos..].starts_with(literal) {
            self.pos += literal.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Option<Json> {
        if depth > 512 {
            return None;
        }
        self.skip_ws();
        match *self.bytes.get(self.pos)? {
            b'{' => {
                self.pos += 1;
                let mut entries: Vec<(String, Json)> = Vec::new();
                self.skip_ws();
                if self.eat("}") {
                    return Some(Json::Object(entries));
                }
                loop {
                    self.skip_ws();
                    let key = self.string()?;
                    self.skip_ws();
                    if !self.eat(":") {
                        return None;
                    }
                    let value = self.value(depth + 1)?;
                    match entries.iter_mut().find(|(k, _)| *k == key) {
                        Some(entry) => entry.1 = value,
                        None => entries.push((key, value)),
                    }
                    self.skip_ws();
                    if self.eat("}") {
                        return Some(Json::Object(entries));
                    }
                    if !self.eat(",") {
                        return None;
                    }
                }
            }
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                self.skip_ws();
                if self.eat("]") {
                    return Some(Json::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.skip_ws();
                    if self.eat("]") {
                        return Some(Json::Array(items));
                    }
                    if !self.eat(",") {
                        return None;
                    }
                }
            }
            b'"' => self.string().map(Json::Str),
            b't' if self.eat("true") => Some(Json::Bool(true)),
            b'f' if self.eat("false") => Some(Json::Bool(false)),
            b'n' if self.eat("null") => Some(Json::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn number(&mut self) -> Option<Json> {
        let start = self.pos;
        if self.bytes.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        let digits = |p: &mut Self| {
            let from = p.pos;
            while p.bytes.get(p.pos).is_some_and(u8::is_ascii_digit) {
                p.pos += 1;
            }
            p.pos - from
        };
        let int_start = self.pos;
        let n = digits(self);
        if n == 0 || (n > 1 && self.bytes[int_start] == b'0') {
            return None;
        }
        let mut integral = true;
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            integral = false;
            if digits(self) == 0 {
                return None;
            }
        }
        if matches!(self.bytes.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            integral = false;
            if matches!(self.bytes.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return None;
            }
        }
        let literal = &self.text[start..self.pos];
        if integral {
            Some(match literal.parse::<i64>() {
                Ok(i) => Json::Int(i),
                Err(_) => Json::BigInt(literal.to_owned()),
            })
        } else {
            literal.parse::<f64>().ok().map(Json::Float)
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let hex = self.text.get(self.pos..self.pos + 4)?;
        let value = u32::from_str_radix(hex, 16).ok()?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += 4;
        Some(value)
    }

    fn string(&mut self) -> Option<String> {
        if !self.eat("\"") {
            return None;
        }
        let mut out = String::new();
        loop {
            let c = self.text[self.pos..].chars().next()?;
            self.pos += c.len_utf8();
            match c {
                '"' => return Some(out),
                '\\' => {
                    let e = *self.bytes.get(self.pos)?;
                    self.pos += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let high = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&high)
                                && self.text[self.pos..].starts_with("\\u")
                            {
                                let save = self.pos;
                                self.pos += 2;
                                match self.hex4()? {
                                    low @ 0xDC00..=0xDFFF => {
                                        0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                                    }
                                    _ => {
                                        self.pos = save;
                                        high
                                    }
                                }
                            } else {
                                high
                            };
                            // A lone surrogate (Java keeps it) becomes U+FFFD.
                            out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                        }
                        _ => return None,
                    }
                }
                c if (c as u32) < 0x20 => return None,
                c => out.push(c),
            }
        }
    }
}

const PRIMITIVES: [&str; 8] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];

/// Avro's `Schema.Type` names: a reference whose simple name is one of these is
/// always written in full.
const TYPE_NAMES: [&str; 14] = [
    "record", "enum", "array", "map", "union", "fixed", "string", "bytes", "int", "long", "float",
    "double", "boolean", "null",
];

/// `Schema.SCHEMA_RESERVED`: keys that are not properties of a schema.
const SCHEMA_RESERVED: [&str; 10] = [
    "doc",
    "fields",
    "items",
    "name",
    "namespace",
    "size",
    "symbols",
    "values",
    "type",
    "aliases",
];

/// `Schema.FIELD_RESERVED`: keys that are not properties of a field.
const FIELD_RESERVED: [&str; 6] = ["default", "doc", "name", "order", "type", "aliases"];

/// Java's `Schema.toString()` of a schema text (see the module documentation);
/// `None` when the text is not JSON or not shaped as a schema.
pub fn java_string(text: &str) -> Option<String> {
    java_string_with_references(text, &[])
}

/// Java's `schema.toString(referencedSchemas, false)`, as Confluent's
/// `AvroSchema.canonicalString()` for a schema with references: the named types of
/// `references` (schema texts, in resolution order) are known, and each
/// reference's top-level type is written as its name.
pub fn java_string_with_references(text: &str, references: &[String]) -> Option<String> {
    let mut writer = Writer::default();
    for reference in references {
        let value = parse(reference)?;
        if let Some(full) = writer.collect(&value, None) {
            writer.written.insert(full);
        }
    }
    let value = parse(text)?;
    writer.schema(&value, None)?;
    Some(writer.out)
}

/// A named type of a referenced schema: its JSON and the namespace it was defined in.
#[derive(Debug, Clone)]
struct Definition {
    value: Json,
    space: Option<String>,
}

#[derive(Default)]
struct Writer {
    out: String,
    /// Full names defined so far (to resolve a simple name against a namespace).
    known: HashSet<String>,
    /// Named types of referenced schemas, written in full where first used.
    referenced: HashMap<String, Definition>,
    /// Full names already written (Java's `Names`): written again as names.
    written: HashSet<String>,
}

fn split_full(full: &str) -> (Option<&str>, &str) {
    match full.rfind('.') {
        Some(dot) if dot > 0 => (Some(&full[..dot]), &full[dot + 1..]),
        Some(dot) => (None, &full[dot + 1..]),
        None => (None, full),
    }
}

/// Java's `Name(name, space)`: the namespace (`None` for none) and simple name.
fn name_of(name: &str, space: Option<&str>) -> (Option<String>, String) {
    let (space, simple) = if name.contains('.') {
        split_full(name)
    } else {
        (space, name)
    };
    (
        space.filter(|s| !s.is_empty()).map(str::to_owned),
        simple.to_owned(),
    )
}

fn full_name(space: Option<&str>, simple: &str) -> String {
    match space {
        Some(s) => format!("{s}.{simple}"),
        None => simple.to_owned(),
    }
}

/// Java's `Name.getQualified(defaultSpace)`.
fn qualified(full: &str, default_space: Option<&str>) -> String {
    let (space, simple) = split_full(full);
    if space.is_some() && space == default_space && !TYPE_NAMES.contains(&simple) {
        simple.to_owned()
    } else {
        full.to_owned()
    }
}

fn is_named(kind: &str) -> bool {
    matches!(kind, "record" | "error" | "enum" | "fixed")
}

impl Writer {
    /// Records the named types of a referenced schema; the top-level type's full
    /// name if it is named.
    fn collect(&mut self, value: &Json, space: Option<&str>) -> Option<String> {
        match value {
            Json::Array(branches) => {
                for branch in branches {
                    self.collect(branch, space);
                }
                None
            }
            Json::Object(_) => {
                let kind = value.text("type")?;
                if is_named(kind) {
                    let (own, simple) =
                        name_of(value.text("name")?, value.text("namespace").or(space));
                    let full = full_name(own.as_deref(), &simple);
                    self.known.insert(full.clone());
                    self.referenced.insert(
                        full.clone(),
                        Definition {
                            value: value.clone(),
                            space: space.map(str::to_owned),
                        },
                    );
                    if let Some(Json::Array(fields)) = value.get("fields") {
                        for field in fields {
                            if let Some(t) = field.get("type") {
                                self.collect(t, own.as_deref());
                            }
                        }
                    }
                    Some(full)
                } else {
                    for key in ["items", "values"] {
                        if let Some(inner) = value.get(key) {
                            self.collect(inner, space);
                        }
                    }
                    None
                }
            }
            _ => None,
        }
    }

    /// Java's `Names.get`: the full name a reference means in `space`.
    fn resolve(&self, name: &str, space: Option<&str>) -> String {
        if !name.contains('.') {
            if let Some(s) = space {
                let full = format!("{s}.{name}");
                if self.known.contains(&full) {
                    return full;
                }
            }
        }
        name.to_owned()
    }

    /// Writes a reference to the named type `full`; a referenced schema's nested
    /// type not written yet is written in full, as Java does.
    fn reference(&mut self, full: String, space: Option<&str>) -> Option<()> {
        if !self.written.contains(&full) {
            if let Some(definition) = self.referenced.get(&full).cloned() {
                return self.named(&definition.value, definition.space.as_deref(), space);
            }
        }
        self.string(&qualified(&full, space));
        Some(())
    }

    /// Writes a schema whose names resolve, and are written, relative to `space`.
    fn schema(&mut self, value: &Json, space: Option<&str>) -> Option<()> {
        match value {
            Json::Str(name) => {
                if PRIMITIVES.contains(&name.as_str()) {
                    self.string(name);
                    Some(())
                } else {
                    let full = self.resolve(name, space);
                    self.reference(full, space)
                }
            }
            Json::Array(branches) => {
                self.out.push('[');
                for (i, branch) in branches.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.schema(branch, space)?;
                }
                self.out.push(']');
                Some(())
            }
            Json::Object(_) => {
                let kind = value.text("type")?;
                if is_named(kind) {
                    return self.named(value, space, space);
                }
                match kind {
                    "array" | "map" => {
                        let key = if kind == "array" { "items" } else { "values" };
                        self.out
                            .push_str(&format!("{{\"type\":\"{kind}\",\"{key}\":"));
                        self.schema(value.get(key)?, space)?;
                        self.props(value, &SCHEMA_RESERVED);
                        self.out.push('}');
                    }
                    _ if PRIMITIVES.contains(&kind) => {
                        let has_props = match value {
                            Json::Object(entries) => entries
                                .iter()
                                .any(|(k, _)| !SCHEMA_RESERVED.contains(&k.as_str())),
                            _ => false,
                        };
                        if has_props {
                            self.out.push_str(&format!("{{\"type\":\"{kind}\""));
                            self.props(value, &SCHEMA_RESERVED);
                            self.out.push('}');
                        } else {
                            self.string(kind);
                        }
                    }
                    // `{"type": "Name"}`: a reference, other keys ignored.
                    name => {
                        let full = self.resolve(name, space);
                        self.reference(full, space)?;
                    }
                }
                Some(())
            }
            _ => None,
        }
    }

    /// A record, enum or fixed defined in `space` and written inside `written_in`.
    fn named(&mut self, value: &Json, space: Option<&str>, written_in: Option<&str>) -> Option<()> {
        let kind = value.text("type")?;
        let (own, simple) = name_of(value.text("name")?, value.text("namespace").or(space));
        let own = own.as_deref();
        let full = full_name(own, &simple);
        if self.written.contains(&full) {
            self.string(&qualified(&full, written_in));
            return Some(());
        }
        self.written.insert(full.clone());
        self.known.insert(full);
        self.out.push_str("{\"type\":");
        self.string(kind);
        self.out.push_str(",\"name\":");
        self.string(&simple);
        match own {
            Some(s) if Some(s) != written_in => {
                self.out.push_str(",\"namespace\":");
                self.string(s);
            }
            None if written_in.is_some() => self.out.push_str(",\"namespace\":\"\""),
            _ => {}
        }
        if let Some(doc) = value.text("doc") {
            self.out.push_str(",\"doc\":");
            self.string(doc);
        }
        let mut reserved: Vec<&str> = SCHEMA_RESERVED.to_vec();
        match kind {
            "enum" => {
                self.out.push_str(",\"symbols\":");
                self.value(value.get("symbols")?);
                if let Some(default) = value.text("default") {
                    self.out.push_str(",\"default\":");
                    self.string(default);
                }
                reserved.push("default");
            }
            "fixed" => {
                self.out.push_str(",\"size\":");
                self.value(value.get("size")?);
            }
            _ => {
                self.out.push_str(",\"fields\":[");
                let Some(Json::Array(fields)) = value.get("fields") else {
                    return None;
                };
                for (i, field) in fields.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.field(field, own)?;
                }
                self.out.push(']');
            }
        }
        self.props(value, &reserved);
        if let Some(aliases) = aliases(value) {
            self.out.push_str(",\"aliases\":[");
            for (i, alias) in aliases.iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                let (alias_space, alias_simple) = name_of(alias, own);
                let alias_full = full_name(alias_space.as_deref(), &alias_simple);
                self.string(&qualified(&alias_full, own));
            }
            self.out.push(']');
        }
        self.out.push('}');
        Some(())
    }

    fn field(&mut self, field: &Json, space: Option<&str>) -> Option<()> {
        self.out.push_str("{\"name\":");
        self.string(field.text("name")?);
        self.out.push_str(",\"type\":");
        let schema = field.get("type")?;
        self.schema(schema, space)?;
        if let Some(doc) = field.text("doc") {
            self.out.push_str(",\"doc\":");
            self.string(doc);
        }
        if let Some(default) = field.get("default") {
            self.out.push_str(",\"default\":");
            let kind = match schema {
                Json::Str(s) => Some(s.as_str()),
                other => other.text("type"),
            };
            match (kind, default) {
                (Some("float" | "double"), Json::Str(text)) => self.double_text(text),
                _ => self.value(default),
            }
        }
        if let Some(order) = field.text("order") {
            let order = order.to_ascii_lowercase();
            if order != "ascending" {
                self.out.push_str(",\"order\":");
                self.string(&order);
            }
        }
        if let Some(aliases) = aliases(field) {
            self.out.push_str(",\"aliases\":");
            self.value(&Json::Array(aliases.into_iter().map(Json::Str).collect()));
        }
        self.props(field, &FIELD_RESERVED);
        self.out.push('}');
        Some(())
    }

    /// Java's `Double.valueOf(text)` of a `float` / `double` default, written as a
    /// number (quoted when not finite, as Jackson does).
    fn double_text(&mut self, text: &str) {
        let trimmed = text.trim();
        let (negative, unsigned) = match trimmed.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, trimmed.strip_prefix('+').unwrap_or(trimmed)),
        };
        let special = match unsigned {
            "NaN" => Some("NaN"),
            "Infinity" if negative => Some("-Infinity"),
            "Infinity" => Some("Infinity"),
            _ => None,
        };
        if let Some(s) = special {
            self.string(s);
            return;
        }
        let numeric = trimmed
            .trim_end_matches(['d', 'D', 'f', 'F'])
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
        match trimmed
            .trim_end_matches(['d', 'D', 'f', 'F'])
            .parse::<f64>()
        {
            Ok(v) if numeric && v.is_finite() => self.out.push_str(&java_double(v)),
            _ => self.string(text),
        }
    }

    /// The properties of `value`: every key not in `reserved`, in document order.
    fn props(&mut self, value: &Json, reserved: &[&str]) {
        if let Json::Object(entries) = value {
            for (key, v) in entries {
                if !reserved.contains(&key.as_str()) {
                    self.out.push(',');
                    self.string(key);
                    self.out.push(':');
                    self.value(v);
                }
            }
        }
    }

    /// A JSON tree as Jackson writes it.
    fn value(&mut self, value: &Json) {
        match value {
            Json::Null => self.out.push_str("null"),
            Json::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Json::Int(i) => self.out.push_str(&i.to_string()),
            Json::BigInt(digits) => self.out.push_str(digits),
            // Jackson quotes a non-finite number (`QUOTE_NON_NUMERIC_NUMBERS`).
            Json::Float(f) if !f.is_finite() => self.string(&java_double(*f)),
            Json::Float(f) => self.out.push_str(&java_double(*f)),
            Json::Str(s) => self.string(s),
            Json::Array(items) => {
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.value(item);
                }
                self.out.push(']');
            }
            Json::Object(entries) => {
                self.out.push('{');
                for (i, (key, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.string(key);
                    self.out.push(':');
                    self.value(v);
                }
                self.out.push('}');
            }
        }
    }

    /// A JSON string with Jackson's escapes.
    fn string(&mut self, s: &str) {
        self.out.push('"');
        for c in s.chars() {
            match c {
                '"' => self.out.push_str("\\\""),
                '\\' => self.out.push_str("\\\\"),
                '\u{8}' => self.out.push_str("\\b"),
                '\t' => self.out.push_str("\\t"),
                '\n' => self.out.push_str("\\n"),
                '\u{c}' => self.out.push_str("\\f"),
                '\r' => self.out.push_str("\\r"),
                c if (c as u32) < 0x20 => self.out.push_str(&format!("\\u{:04X}", c as u32)),
                c => self.out.push(c),
            }
        }
        self.out.push('"');
    }
}

/// A schema's `aliases`, duplicates dropped (Java's `LinkedHashSet`).
fn aliases(value: &Json) -> Option<Vec<String>> {
    let Some(Json::Array(items)) = value.get("aliases") else {
        return None;
    };
    let mut out: Vec<String> = Vec::new();
    for item in items {
        if let Json::Str(s) = item {
            if !out.contains(s) {
                out.push(s.clone());
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// JDK 17's `FloatingDecimal` fast path for a whole number below 2⁶³: the digits of
/// the exact integer, the last `insignificantDigitsForPow2` of them rounded off
/// (so `1939536397718226432.0` is `1.93953639771822643E18`, not the shortest
/// `1.9395363977182264E18`). The digits without trailing zeros and the decimal
/// exponent (value = 0.digits × 10^exponent); `None` off that path.
fn long_digits(v: f64) -> Option<(String, i32)> {
    if !(1.0..9_223_372_036_854_775_808.0).contains(&v) || v.fract() != 0.0 {
        return None;
    }
    // Unbiased binary exponent; a double has 53 significant bits.
    let bin_exp = ((v.to_bits() >> 52) & 0x7ff) as i32 - 1023;
    const INSIGNIFICANT: [u32; 9] = [0, 0, 0, 0, 1, 1, 1, 2, 2];
    let p2 = bin_exp - 53 - 1;
    let insignificant = if p2 > 1 {
        INSIGNIFICANT[p2 as usize]
    } else {
        0
    };
    let mut long = v as u64;
    if insignificant > 0 {
        let pow10 = 10u64.pow(insignificant);
        let residue = long % pow10;
        long /= pow10;
        if residue >= pow10 / 2 {
            long += 1;
        }
    }
    let all = long.to_string();
    let digits = all.trim_end_matches('0');
    Some((digits.to_owned(), all.len() as i32 + insignificant as i32))
}

/// Java's `Double.toString`: plain for 10⁻³ ≤ |v| < 10⁷ (at least one fraction
/// digit), else `d.dddE±n`; the digits are JDK 17's: the shortest that read back as
/// `v`, except whole numbers below 2⁶³ (see [`long_digits`]).
pub fn java_double(v: f64) -> String {
    if v.is_nan() {
        return "NaN".to_owned();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0.0" } else { "0.0" }.to_owned();
    }
    let (digits, dec_exp) = match long_digits(v.abs()) {
        Some(long) => long,
        None => {
            let sci = format!("{:e}", v.abs());
            let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
            let exponent: i32 = exponent.parse().unwrap_or(0);
            let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
            (digits, exponent + 1)
        }
    };
    let sign = if v < 0.0 { "-" } else { "" };
    // Java's FloatingDecimal: value = 0.d1d2… × 10^dec_exp.
    let n = digits.len() as i32;
    if (1..=7).contains(&dec_exp) {
        let (int, frac) = if n <= dec_exp {
            (
                format!("{digits}{}", "0".repeat((dec_exp - n) as usize)),
                "0".to_owned(),
            )
        } else {
            (
                digits[..dec_exp as usize].to_owned(),
                digits[dec_exp as usize..].to_owned(),
            )
        };
        format!("{sign}{int}.{frac}")
    } else if (-2..=0).contains(&dec_exp) {
        format!("{sign}0.{}{digits}", "0".repeat((-dec_exp) as usize))
    } else {
        let rest = if n > 1 { &digits[1..] } else { "0" };
        format!("{sign}{}.{rest}E{}", &digits[..1], dec_exp - 1)
    }
}

#[cfg(test)]
mod tests;
