//! Kafka's `Values.parseString`: infer a schema and value from a string literal, as used by
//! `InsertHeader` for `value.literal` (and by Connect for header values in general).
//!
//! The grammar, tokenizer and fallbacks follow Kafka's `Values.ValueParser`:
//!
//! * `null`, `true`, `false` on their own; a top-level literal with anything after them
//!   (`true}`) is a string;
//! * numbers (`BigDecimal` syntax): whole numbers within `long` range become the narrowest
//!   of `INT8`..`INT64` (`1.0` and `1e3` included), other finite values with a non-zero
//!   scale `FLOAT32` (or `FLOAT64` when out of `float` range), anything else a `Decimal`;
//! * ISO-8601 `yyyy-MM-dd` (`Date`), `HH:mm:ss.SSS'Z'` (`Time`) and
//!   `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'` (`Timestamp`), parsed leniently in UTC;
//! * arrays `[a, b]` and maps `{k: v}` whose elements get a common schema (numbers widen;
//!   mixed kinds have none), with quoted strings `"…"` inside them;
//! * anything that does not parse is the whole literal as a `STRING`.
//!
//! Where Kafka would use its null-typed schemas (an array or map whose elements are all null
//! or have no common schema), the result here has no schema: this data model has no null
//! type. Kafka formats and parses the temporal literals in the JVM's default time zone; this
//! implementation always uses UTC (Connect workers usually run in UTC). A number with more
//! than 38 significant digits that is not a float stays a string (the `Decimal` here holds
//! an `i128`).

use connect_api::data::{
    Date, Decimal, Schema, SchemaBuilder, SchemaType, Time, Timestamp, Value, DATE_LOGICAL_NAME,
    TIMESTAMP_LOGICAL_NAME, TIME_LOGICAL_NAME,
};

use super::date_format::DatePattern;

const MILLIS_PER_DAY: i64 = 86_400_000;

/// A parsed value with its inferred schema (`None` when Kafka's would be a null type).
type Parsed = (Option<Schema>, Value);

/// Java's `String.trim()`: strips characters up to and including U+0020.
fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// Kafka's `Values.Parser` tokenizer: delimiters `: , { } [ ] "` (unless escaped with `\`)
/// are tokens of their own; everything between them is one token.
struct Parser<'a> {
    original: &'a str,
    chars: Vec<char>,
    pos: usize,
    next_token: Option<String>,
    previous: Option<String>,
}

impl<'a> Parser<'a> {
    fn new(original: &'a str) -> Self {
        Self {
            original,
            chars: original.chars().collect(),
            pos: 0,
            next_token: None,
            previous: None,
        }
    }

    fn mark(&self) -> usize {
        self.pos - self.next_token.as_ref().map_or(0, |t| t.chars().count())
    }

    fn rewind_to(&mut self, position: usize) {
        self.pos = position;
        self.next_token = None;
        self.previous = None;
    }

    fn has_next(&self) -> bool {
        self.next_token.is_some() || self.pos < self.chars.len()
    }

    fn substring(&self, start: usize, end: usize) -> String {
        self.chars[start..end].iter().collect()
    }

    fn consume_next_token(&mut self) -> String {
        let mut escaped = false;
        let start = self.pos;
        while self.pos < self.chars.len() {
            match self.chars[self.pos] {
                '\\' => escaped = !escaped,
                ':' | ',' | '{' | '}' | '[' | ']' | '"' if !escaped => {
                    if start < self.pos {
                        return self.substring(start, self.pos);
                    }
                    self.pos += 1;
                    return self.substring(start, start + 1);
                }
                _ => escaped = false,
            }
            self.pos += 1;
        }
        self.substring(start, self.pos)
    }

    fn next(&mut self) -> String {
        let token = match self.next_token.take() {
            Some(token) => token,
            None => self.consume_next_token(),
        };
        self.previous = Some(token.clone());
        token
    }

    /// The text of the next `n` tokens, or `None` (and no tokens consumed) if there are fewer.
    fn next_n(&mut self, n: usize) -> Option<String> {
        let start = self.mark();
        for _ in 0..n {
            if !self.has_next() {
                self.rewind_to(start);
                return None;
            }
            self.next();
        }
        Some(self.substring(start, self.pos))
    }

    /// Consumes the next non-blank token if it is `expected` (ignoring surrounding blanks).
    fn can_consume(&mut self, expected: &str) -> bool {
        if self.next_token.is_none() {
            if !self.has_next() {
                return false;
            }
            self.next_token = Some(self.consume_next_token());
        }
        while self
            .next_token
            .as_deref()
            .is_some_and(|t| java_trim(t).is_empty())
            && self.pos < self.chars.len()
        {
            self.next_token = Some(self.consume_next_token());
        }
        if self.next_token.as_deref().map(java_trim) == Some(expected) {
            self.next_token = None;
            return true;
        }
        false
    }

    fn can_parse_single_token_literal(&mut self, embedded: bool, literal: &str) -> bool {
        let start = self.mark();
        if self.can_consume(literal) && (embedded || !self.has_next()) {
            return true;
        }
        self.rewind_to(start);
        false
    }

    /// Kafka's `ValueParser.parse`; `Ok(None)` is a null; `Err` only for embedded values.
    fn parse(&mut self, embedded: bool) -> Result<Option<Parsed>, String> {
        if !self.has_next() {
            return Ok(None);
        }
        if embedded && self.can_consume("\"") {
            return Ok(Some(self.parse_quoted_string()));
        }
        if self.can_parse_single_token_literal(embedded, "null") {
            return Ok(None);
        }
        if self.can_parse_single_token_literal(embedded, "true") {
            return Ok(Some((Some(Schema::boolean()), Value::Boolean(true))));
        }
        if self.can_parse_single_token_literal(embedded, "false") {
            return Ok(Some((Some(Schema::boolean()), Value::Boolean(false))));
        }
        let start = self.mark();
        let container = if self.can_consume("[") {
            Some(self.parse_array())
        } else if self.can_consume("{") {
            Some(self.parse_map())
        } else {
            None
        };
        match container {
            Some(Ok(parsed)) => return Ok(Some(parsed)),
            // Not a valid array or map: start again and read it as a plain token.
            Some(Err(_)) => self.rewind_to(start),
            None => {}
        }
        let token = self.next();
        if java_trim(&token).is_empty() {
            return Ok(Some((Some(Schema::string()), Value::String(token))));
        }
        self.parse_next_token(embedded, java_trim(&token).to_owned())
    }

    fn parse_next_token(
        &mut self,
        embedded: bool,
        token: String,
    ) -> Result<Option<Parsed>, String> {
        let first = token.chars().next().unwrap_or(' ');
        if first.is_ascii_digit() {
            if let Some(temporal) = self.parse_multiple_tokens_as_temporal(&token) {
                return Ok(Some(temporal));
            }
        }
        if first.is_ascii_digit() || first == '+' || first == '-' {
            if let Some(number) = parse_as_number(&token) {
                return Ok(Some(number));
            }
        }
        if embedded {
            return Err("Failed to parse embedded value".to_owned());
        }
        Ok(Some((
            Some(Schema::string()),
            Value::String(self.original.to_owned()),
        )))
    }

    /// A time or timestamp is split into five tokens by its colons; try those first.
    fn parse_multiple_tokens_as_temporal(&mut self, token: &str) -> Option<Parsed> {
        let position = self.mark();
        if let Some(remainder) = self.next_n(4) {
            if let Some(temporal) = parse_as_temporal(&format!("{token}{remainder}")) {
                return Some(temporal);
            }
        }
        self.rewind_to(position);
        parse_as_temporal(token)
    }

    fn parse_quoted_string(&mut self) -> Parsed {
        let mut content = String::new();
        while self.has_next() {
            if self.can_consume("\"") {
                break;
            }
            content.push_str(&self.next());
        }
        parse_as_temporal(&content).unwrap_or((Some(Schema::string()), Value::String(content)))
    }

    fn parse_array(&mut self) -> Result<Parsed, String> {
        let mut elements = Vec::new();
        let mut merger = SchemaMerger::default();
        while self.has_next() {
            if self.can_consume("]") {
                return match merger.common {
                    Some(common) => {
                        let elements = elements
                            .into_iter()
                            .map(|e| align(&common, e))
                            .collect::<Result<Vec<_>, _>>()?;
                        let schema = SchemaBuilder::array(common)
                            .build()
                            .map_err(|e| e.to_string())?;
                        Ok((Some(schema), Value::Array(elements)))
                    }
                    None => Ok((None, Value::Array(elements))),
                };
            }
            if self.can_consume(",") {
                return Err(format!(
                    "Unable to parse an empty array element: {}",
                    self.original
                ));
            }
            let element = self.parse(true)?;
            merger.merge(element.as_ref());
            elements.push(element.map_or(Value::Null, |(_, v)| v));
            let current = self.mark();
            if self.can_consume("]") {
                self.rewind_to(current);
            } else if !self.can_consume(",") {
                return Err("Array elements missing ',' delimiter".to_owned());
            }
        }
        if self.previous.as_deref() == Some(",") {
            return Err(format!(
                "Array is missing element after ',': {}",
                self.original
            ));
        }
        Err(format!(
            "Array is missing terminating ']': {}",
            self.original
        ))
    }

    fn parse_map(&mut self) -> Result<Parsed, String> {
        let mut entries: Vec<(Value, Value)> = Vec::new();
        let mut keys = SchemaMerger::default();
        let mut values = SchemaMerger::default();
        while self.has_next() {
            if self.can_consume("}") {
                return match (keys.common, values.common) {
                    (Some(key_schema), Some(value_schema)) => {
                        let entries = entries
                            .into_iter()
                            .map(|(k, v)| Ok((align(&key_schema, k)?, align(&value_schema, v)?)))
                            .collect::<Result<Vec<_>, String>>()?;
                        let schema = SchemaBuilder::map(key_schema, value_schema)
                            .build()
                            .map_err(|e| e.to_string())?;
                        Ok((Some(schema), Value::Map(entries)))
                    }
                    (Some(key_schema), None) => {
                        let entries = entries
                            .into_iter()
                            .map(|(k, v)| Ok((align(&key_schema, k)?, v)))
                            .collect::<Result<Vec<_>, String>>()?;
                        Ok((None, Value::Map(entries)))
                    }
                    _ => Ok((None, Value::Map(entries))),
                };
            }
            if self.can_consume(",") {
                return Err(format!(
                    "Unable to parse a map entry with no key or value: {}",
                    self.original
                ));
            }
            let key = match self.parse(true)? {
                Some(key) if !key.1.is_null() => key,
                _ => {
                    return Err(format!(
                        "Map entry may not have a null key: {}",
                        self.original
                    ))
                }
            };
            if !self.can_consume(":") {
                return Err(format!(
                    "Map entry is missing ':' at {} in {}",
                    self.pos, self.original
                ));
            }
            let value = self.parse(true)?;
            let entry_value = value.as_ref().map_or(Value::Null, |(_, v)| v.clone());
            // `LinkedHashMap.put`: a repeated key keeps its place and takes the new value.
            match entries.iter_mut().find(|(k, _)| *k == key.1) {
                Some(entry) => entry.1 = entry_value,
                None => entries.push((key.1.clone(), entry_value)),
            }
            self.can_consume(",");
            keys.merge(Some(&key));
            values.merge(value.as_ref());
        }
        if self.previous.as_deref() == Some(",") {
            return Err(format!(
                "Map is missing element after ',': {}",
                self.original
            ));
        }
        Err(format!(
            "Map is missing terminating '}}': {}",
            self.original
        ))
    }
}

/// Kafka's `Values.SchemaMerger`: the common schema of the values seen so far.
#[derive(Default)]
struct SchemaMerger {
    common: Option<Schema>,
    incompatible: bool,
}

impl SchemaMerger {
    fn merge(&mut self, latest: Option<&Parsed>) {
        let Some((Some(schema), _)) = latest else {
            return;
        };
        if self.incompatible {
            return;
        }
        self.common = match &self.common {
            None => Some(schema.clone()),
            Some(previous) => {
                let merged = merge_schemas(previous, schema);
                self.incompatible = merged.is_none();
                merged
            }
        };
    }
}

/// Kafka's `Values.mergeSchemas`: numbers widen, equal types keep the optional one.
fn merge_schemas(previous: &Schema, latest: &Schema) -> Option<Schema> {
    use SchemaType::{Float32, Float64, Int16, Int32, Int64, Int8};
    let rank = |t: SchemaType| match t {
        Int8 => Some(0),
        Int16 => Some(1),
        Int32 => Some(2),
        Int64 => Some(3),
        Float32 => Some(4),
        Float64 => Some(5),
        _ => None,
    };
    let (p, n) = (previous.schema_type(), latest.schema_type());
    if p != n {
        let (pr, nr) = (rank(p)?, rank(n)?);
        return Some(if nr > pr {
            latest.clone()
        } else {
            previous.clone()
        });
    }
    if previous.is_optional() == latest.is_optional() {
        return Some(if previous.is_optional() {
            previous.clone()
        } else {
            latest.clone()
        });
    }
    (previous == latest).then(|| previous.clone())
}

/// Kafka's `convertTo(schema, null, value)` as used to align elements with their common
/// schema: numbers are widened; other values already match and are kept.
fn align(schema: &Schema, value: Value) -> Result<Value, String> {
    if value.is_null() {
        return if schema.is_optional() {
            Ok(Value::Null)
        } else {
            Err("Unable to convert a null value to a schema that requires a value".to_owned())
        };
    }
    let as_i64 = |v: &Value| match v {
        Value::Int8(x) => Some(i64::from(*x)),
        Value::Int16(x) => Some(i64::from(*x)),
        Value::Int32(x) => Some(i64::from(*x)),
        Value::Int64(x) => Some(*x),
        Value::Float32(x) => Some(*x as i64),
        Value::Float64(x) => Some(*x as i64),
        _ => None,
    };
    let as_f64 = |v: &Value| match v {
        Value::Float32(x) => Some(f64::from(*x)),
        Value::Float64(x) => Some(*x),
        other => as_i64(other).map(|i| i as f64),
    };
    let converted = match (schema.name(), schema.schema_type()) {
        (Some(DATE_LOGICAL_NAME), _) if !matches!(value, Value::Date(_)) => {
            as_i64(&value).map(|d| Value::Date(d as i32))
        }
        (Some(TIME_LOGICAL_NAME), _) if !matches!(value, Value::Time(_)) => {
            as_i64(&value).map(|t| Value::Time(t as i32))
        }
        (Some(TIMESTAMP_LOGICAL_NAME), _) if !matches!(value, Value::Timestamp(_)) => {
            as_i64(&value).map(Value::Timestamp)
        }
        (None, SchemaType::Int8) => as_i64(&value).map(|i| Value::Int8(i as i8)),
        (None, SchemaType::Int16) => as_i64(&value).map(|i| Value::Int16(i as i16)),
        (None, SchemaType::Int32) => as_i64(&value).map(|i| Value::Int32(i as i32)),
        (None, SchemaType::Int64) => as_i64(&value).map(Value::Int64),
        (None, SchemaType::Float32) => as_f64(&value).map(|f| Value::Float32(f as f32)),
        (None, SchemaType::Float64) => as_f64(&value).map(Value::Float64),
        _ => None,
    };
    Ok(converted.unwrap_or(value))
}

/// Kafka's `parseAsTemporal`: the three ISO-8601 forms, told apart by length.
fn parse_as_temporal(token: &str) -> Option<Parsed> {
    let token = token.replace("\\:", ":");
    let (pattern, kind) = match token.chars().count() {
        13 => ("HH:mm:ss.SSS'Z'", TIME_LOGICAL_NAME),
        24 => ("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", TIMESTAMP_LOGICAL_NAME),
        10 => ("yyyy-MM-dd", DATE_LOGICAL_NAME),
        _ => return None,
    };
    let millis = DatePattern::parse(pattern).ok()?.parse_millis(&token)?;
    Some(match kind {
        TIME_LOGICAL_NAME => (
            Some(Time::schema()),
            Value::Time(i32::try_from(millis).ok()?),
        ),
        TIMESTAMP_LOGICAL_NAME => (Some(Timestamp::schema()), Value::Timestamp(millis)),
        _ => (
            Some(Date::schema()),
            Value::Date(i32::try_from(millis.div_euclid(MILLIS_PER_DAY)).ok()?),
        ),
    })
}

/// A number in Java's `BigDecimal(String)` syntax: `unscaled × 10^-scale`, with the
/// significant digits kept as text.
struct BigDecimalText {
    negative: bool,
    /// Digits without leading zeros (empty for zero).
    digits: String,
    scale: i64,
}

impl BigDecimalText {
    fn parse(token: &str) -> Option<Self> {
        let (negative, rest) = match token.as_bytes().first()? {
            b'-' => (true, &token[1..]),
            b'+' => (false, &token[1..]),
            _ => (false, token),
        };
        let (mantissa, exponent) = match rest.find(['e', 'E']) {
            Some(i) => {
                let exp = &rest[i + 1..];
                let exp_digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
                if exp_digits.is_empty() || !exp_digits.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                (&rest[..i], exp.parse::<i64>().ok()?)
            }
            None => (rest, 0),
        };
        let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if int_part.is_empty() && frac_part.is_empty()
            || !int_part.bytes().all(|b| b.is_ascii_digit())
            || !frac_part.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let scale = i64::try_from(frac_part.len()).ok()?.checked_sub(exponent)?;
        let digits = format!("{int_part}{frac_part}")
            .trim_start_matches('0')
            .to_owned();
        Some(Self {
            negative,
            digits,
            scale,
        })
    }

    fn unscaled(&self) -> Option<i128> {
        if self.digits.is_empty() {
            return Some(0);
        }
        let magnitude: i128 = self.digits.parse().ok()?;
        Some(if self.negative { -magnitude } else { magnitude })
    }

    /// The value as a `long` when it is a whole number in `long` range (Kafka's
    /// `parseAsExactDecimal`, which also rejects anything above 1e19).
    fn exact_long(&self) -> Option<i64> {
        if self.digits.is_empty() {
            return Some(0);
        }
        let unscaled = self.unscaled()?;
        let value = if self.scale <= 0 {
            let factor = 10i128.checked_pow(u32::try_from(-self.scale).ok()?)?;
            unscaled.checked_mul(factor)?
        } else {
            let divisor = 10i128.checked_pow(u32::try_from(self.scale).ok()?)?;
            if unscaled % divisor != 0 {
                return None;
            }
            unscaled / divisor
        };
        i64::try_from(value).ok()
    }

    fn float_text(&self) -> String {
        let sign = if self.negative { "-" } else { "" };
        let digits = if self.digits.is_empty() {
            "0"
        } else {
            &self.digits
        };
        format!("{sign}{digits}e{}", -self.scale)
    }
}

/// Kafka's `parseAsNumber`.
fn parse_as_number(token: &str) -> Option<Parsed> {
    let number = BigDecimalText::parse(token)?;
    if let Some(integral) = number.exact_long() {
        return Some(if let Ok(v) = i8::try_from(integral) {
            (Some(Schema::int8()), Value::Int8(v))
        } else if let Ok(v) = i16::try_from(integral) {
            (Some(Schema::int16()), Value::Int16(v))
        } else if let Ok(v) = i32::try_from(integral) {
            (Some(Schema::int32()), Value::Int32(v))
        } else {
            (Some(Schema::int64()), Value::Int64(integral))
        });
    }
    if number.scale != 0 {
        let text = number.float_text();
        if let Some(f) = text.parse::<f32>().ok().filter(|f| f.is_finite()) {
            return Some((Some(Schema::float32()), Value::Float32(f)));
        }
        if let Some(d) = text.parse::<f64>().ok().filter(|d| d.is_finite()) {
            return Some((Some(Schema::float64()), Value::Float64(d)));
        }
    }
    let scale = i32::try_from(number.scale).ok()?;
    Some((
        Some(Decimal::schema(scale)),
        Value::Decimal(Decimal::new(number.unscaled()?, scale)),
    ))
}

/// Kafka's `Values.parseString`: `(None, Null)` for the literal `null`.
pub(crate) fn parse_string(literal: &str) -> Parsed {
    if literal.is_empty() {
        return (Some(Schema::string()), Value::String(String::new()));
    }
    let mut parser = Parser::new(literal);
    match parser.parse(false) {
        Ok(Some(parsed)) => parsed,
        Ok(None) => (None, Value::Null),
        // Only embedded values fail; keep the literal as a string if one ever surfaces.
        Err(_) => (Some(Schema::string()), Value::String(literal.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(s: &str) -> Parsed {
        (Some(Schema::string()), Value::from(s))
    }

    fn array(element: Schema, values: Vec<Value>) -> Parsed {
        (
            Some(SchemaBuilder::array(element).build().expect("schema")),
            Value::Array(values),
        )
    }

    #[test]
    fn scalars() {
        assert_eq!(parse_string(""), string(""));
        assert_eq!(parse_string("  "), string("  "));
        assert_eq!(parse_string("null"), (None, Value::Null));
        assert_eq!(
            parse_string("true"),
            (Some(Schema::boolean()), Value::Boolean(true))
        );
        assert_eq!(
            parse_string(" false "),
            (Some(Schema::boolean()), Value::Boolean(false))
        );
        assert_eq!(parse_string("true}"), string("true}"));
        assert_eq!(parse_string("hello world"), string("hello world"));
        assert_eq!(parse_string("12ab"), string("12ab"));
        assert_eq!(parse_string("-"), string("-"));
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_string("42"), (Some(Schema::int8()), Value::Int8(42)));
        assert_eq!(parse_string("+42"), (Some(Schema::int8()), Value::Int8(42)));
        assert_eq!(
            parse_string("-300"),
            (Some(Schema::int16()), Value::Int16(-300))
        );
        assert_eq!(
            parse_string("70000"),
            (Some(Schema::int32()), Value::Int32(70_000))
        );
        assert_eq!(
            parse_string("9000000000"),
            (Some(Schema::int64()), Value::Int64(9_000_000_000))
        );
        assert_eq!(parse_string("1.0"), (Some(Schema::int8()), Value::Int8(1)));
        assert_eq!(
            parse_string("1e3"),
            (Some(Schema::int16()), Value::Int16(1000))
        );
        assert_eq!(
            parse_string("0.000"),
            (Some(Schema::int8()), Value::Int8(0))
        );
        assert_eq!(
            parse_string("1.5"),
            (Some(Schema::float32()), Value::Float32(1.5))
        );
        assert_eq!(
            parse_string("-.5"),
            (Some(Schema::float32()), Value::Float32(-0.5))
        );
        assert_eq!(
            parse_string("1e30"),
            (Some(Schema::float32()), Value::Float32(1e30))
        );
        assert_eq!(
            parse_string("1e300"),
            (Some(Schema::float64()), Value::Float64(1e300))
        );
        assert_eq!(
            parse_string("12345678901234567890"),
            (
                Some(Decimal::schema(0)),
                Value::Decimal(Decimal::new(12_345_678_901_234_567_890, 0))
            )
        );
        // Kafka reads the first token as the number and ignores the rest.
        assert_eq!(parse_string("1,2"), (Some(Schema::int8()), Value::Int8(1)));
    }

    #[test]
    fn temporals() {
        assert_eq!(
            parse_string("2019-08-23"),
            (Some(Date::schema()), Value::Date(18_131))
        );
        assert_eq!(
            parse_string("14:34:54.346Z"),
            (Some(Time::schema()), Value::Time(52_494_346))
        );
        assert_eq!(
            parse_string("2019-08-23T14:34:54.346Z"),
            (
                Some(Timestamp::schema()),
                Value::Timestamp(18_131 * MILLIS_PER_DAY + 52_494_346)
            )
        );
        assert_eq!(
            parse_string("1234567890"),
            (Some(Schema::int32()), Value::Int32(1_234_567_890))
        );
    }

    #[test]
    fn arrays_and_maps() {
        assert_eq!(
            parse_string("[1, 2, 3]"),
            array(
                Schema::int8(),
                vec![Value::Int8(1), Value::Int8(2), Value::Int8(3)]
            )
        );
        assert_eq!(
            parse_string("[1, 300, 2.5]"),
            array(
                Schema::float32(),
                vec![
                    Value::Float32(1.0),
                    Value::Float32(300.0),
                    Value::Float32(2.5)
                ]
            )
        );
        assert_eq!(
            parse_string(r#"["a", "b,c", true]"#),
            (
                None,
                Value::Array(vec![
                    Value::from("a"),
                    Value::from("b,c"),
                    Value::Boolean(true)
                ])
            )
        );
        assert_eq!(
            parse_string(r#"["a", "b"]"#),
            array(Schema::string(), vec![Value::from("a"), Value::from("b")])
        );
        assert_eq!(parse_string("[]"), (None, Value::Array(vec![])));
        assert_eq!(
            parse_string("[null, null]"),
            (None, Value::Array(vec![Value::Null, Value::Null]))
        );
        // A required element schema cannot hold the null, so the whole literal is a string.
        assert_eq!(parse_string("[1, null]"), string("[1, null]"));
        assert_eq!(parse_string("[1, 2"), string("[1, 2"));
        assert_eq!(parse_string("[1,,2]"), string("[1,,2]"));
        assert_eq!(parse_string("[a, b]"), string("[a, b]"));
        assert_eq!(
            parse_string(r#"{"a": 1, "b": 1000}"#),
            (
                Some(
                    SchemaBuilder::map(Schema::string(), Schema::int16())
                        .build()
                        .expect("schema")
                ),
                Value::Map(vec![
                    (Value::from("a"), Value::Int16(1)),
                    (Value::from("b"), Value::Int16(1000)),
                ])
            )
        );
        assert_eq!(
            parse_string(r#"{"a": [1], "a": [2]}"#).1,
            Value::Map(vec![(Value::from("a"), Value::Array(vec![Value::Int8(2)]))])
        );
        assert_eq!(parse_string("{}"), (None, Value::Map(vec![])));
        assert_eq!(parse_string("{null: 1}"), string("{null: 1}"));
        assert_eq!(parse_string(r#"{"a" 1}"#), string(r#"{"a" 1}"#));
    }
}
