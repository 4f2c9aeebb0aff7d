//! Logical types: `Decimal`, `Date`, `Time` and `Timestamp`, with Kafka's schema names.

use std::fmt;

use super::schema::{Schema, SchemaBuilder};
use super::value::Value;
use crate::error::{ConnectError, Result};

/// Schema name of the logical `Decimal` type.
pub const DECIMAL_LOGICAL_NAME: &str = "org.apache.kafka.connect.data.Decimal";
/// Schema name of the logical `Date` type.
pub const DATE_LOGICAL_NAME: &str = "org.apache.kafka.connect.data.Date";
/// Schema name of the logical `Time` type.
pub const TIME_LOGICAL_NAME: &str = "org.apache.kafka.connect.data.Time";
/// Schema name of the logical `Timestamp` type.
pub const TIMESTAMP_LOGICAL_NAME: &str = "org.apache.kafka.connect.data.Timestamp";
/// Schema parameter holding a decimal's scale.
pub const DECIMAL_SCALE_PARAMETER: &str = "scale";
/// Milliseconds in one day: the exclusive upper bound of a `Time` value.
pub const MILLIS_PER_DAY: i32 = 86_400_000;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian `(year, month, day)` of days since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`); the inverse of [`days_from_civil`].
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// An exact decimal number `unscaled × 10^-scale` (no floating point involved).
///
/// The unscaled value is an `i128`, which holds any decimal of up to 38 digits; wider
/// encoded values are rejected by [`Decimal::from_unscaled_bytes`] rather than truncated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Decimal {
    unscaled: i128,
    scale: i32,
}

impl Decimal {
    /// `unscaled × 10^-scale`; e.g. `Decimal::new(12345, 2)` is `123.45`.
    pub fn new(unscaled: i128, scale: i32) -> Self {
        Self { unscaled, scale }
    }

    /// The unscaled integer.
    pub fn unscaled(&self) -> i128 {
        self.unscaled
    }

    /// The scale (digits after the decimal point; negative means trailing zeros).
    pub fn scale(&self) -> i32 {
        self.scale
    }

    /// The unscaled value as minimal big-endian two's complement bytes, like Java's
    /// `BigInteger.toByteArray()` (at least one byte).
    pub fn unscaled_bytes(&self) -> Vec<u8> {
        let bytes = self.unscaled.to_be_bytes();
        let negative = self.unscaled < 0;
        let sign_byte = if negative { 0xFF } else { 0x00 };
        let mut start = 0;
        // A leading sign byte is redundant when the next byte carries the same sign bit.
        while start < bytes.len() - 1
            && bytes[start] == sign_byte
            && (bytes[start + 1] & 0x80 != 0) == negative
        {
            start += 1;
        }
        bytes[start..].to_vec()
    }

    /// Decodes big-endian two's complement `bytes` (as written by Kafka) with `scale`.
    pub fn from_unscaled_bytes(bytes: &[u8], scale: i32) -> Result<Self> {
        let Some(&first) = bytes.first() else {
            return Err(ConnectError::data(
                "Invalid Decimal value: the unscaled value has no bytes",
            ));
        };
        let sign_byte = if first & 0x80 != 0 { 0xFF } else { 0x00 };
        let mut buffer = [sign_byte; 16];
        if bytes.len() > 16 {
            let (excess, rest) = bytes.split_at(bytes.len() - 16);
            // Only redundant sign extension may precede the low 16 bytes.
            let fits = excess.iter().all(|&b| b == sign_byte)
                && (rest[0] & 0x80 != 0) == (sign_byte == 0xFF);
            if !fits {
                return Err(ConnectError::Data(format!(
                    "Decimal value of {} bytes does not fit in 128 bits",
                    bytes.len()
                )));
            }
            buffer.copy_from_slice(rest);
        } else {
            buffer[16 - bytes.len()..].copy_from_slice(bytes);
        }
        Ok(Self::new(i128::from_be_bytes(buffer), scale))
    }

    /// A `Decimal` schema builder with `scale` (name, version 1, `scale` parameter set).
    pub fn builder(scale: i32) -> SchemaBuilder {
        SchemaBuilder::bytes()
            .name(DECIMAL_LOGICAL_NAME)
            .parameter(DECIMAL_SCALE_PARAMETER, scale.to_string())
            .version(1)
    }

    /// The required `Decimal` schema with `scale`.
    pub fn schema(scale: i32) -> Schema {
        Self::builder(scale)
            .build()
            .unwrap_or_else(|_| unreachable!("a Decimal schema without default is always valid"))
    }

    /// The scale declared by a `Decimal` schema.
    pub fn schema_scale(schema: &Schema) -> Result<i32> {
        let scale = schema
            .parameters()
            .get(DECIMAL_SCALE_PARAMETER)
            .ok_or_else(|| {
                ConnectError::data("Invalid Decimal schema: scale parameter not found.")
            })?;
        scale.parse().map_err(|_| {
            ConnectError::Data(format!(
                "Invalid scale parameter found in Decimal schema: {scale}"
            ))
        })
    }

    /// Encodes `value` for `schema` (Kafka's `Decimal.fromLogical`): the scale must match.
    pub fn from_logical(schema: &Schema, value: &Decimal) -> Result<Vec<u8>> {
        check_name(schema, DECIMAL_LOGICAL_NAME, "Decimal")?;
        if value.scale != Self::schema_scale(schema)? {
            return Err(ConnectError::data(
                "BigDecimal has mismatching scale value for given Decimal schema",
            ));
        }
        Ok(value.unscaled_bytes())
    }

    /// Decodes bytes written for `schema` (Kafka's `Decimal.toLogical`).
    pub fn to_logical(schema: &Schema, bytes: &[u8]) -> Result<Decimal> {
        check_name(schema, DECIMAL_LOGICAL_NAME, "Decimal")?;
        Self::from_unscaled_bytes(bytes, Self::schema_scale(schema)?)
    }
}

impl fmt::Display for Decimal {
    /// Plain notation, like `BigDecimal.toPlainString()`: `123.45`, `-0.05`, `1200`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.unscaled.unsigned_abs().to_string();
        let sign = if self.unscaled < 0 { "-" } else { "" };
        if self.scale <= 0 {
            let zeros = "0".repeat(self.scale.unsigned_abs() as usize);
            return if self.unscaled == 0 {
                write!(f, "0")
            } else {
                write!(f, "{sign}{digits}{zeros}")
            };
        }
        let scale = self.scale as usize;
        let padded = if digits.len() <= scale {
            format!("{}{digits}", "0".repeat(scale + 1 - digits.len()))
        } else {
            digits
        };
        let (int_part, frac_part) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{int_part}.{frac_part}")
    }
}

fn check_name(schema: &Schema, expected: &str, kind: &str) -> Result<()> {
    if schema.name() != Some(expected) {
        return Err(ConnectError::Data(format!(
            "Requested conversion of {kind} object but the schema does not match."
        )));
    }
    Ok(())
}

macro_rules! int_logical {
    ($(#[$doc:meta])* $ty:ident, $name:ident, $base:ident, $raw:ty, $variant:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $ty;

        impl $ty {
            /// The schema builder (name and version 1 set).
            pub fn builder() -> SchemaBuilder {
                SchemaBuilder::$base().name($name).version(1)
            }

            /// The required schema.
            pub fn schema() -> Schema {
                Self::builder()
                    .build()
                    .unwrap_or_else(|_| unreachable!("a logical schema without default is valid"))
            }

            /// Converts the logical value to its physical encoding for `schema`.
            pub fn from_logical(schema: &Schema, value: &Value) -> Result<$raw> {
                check_name(schema, $name, $kind)?;
                super::validate::validate_value(schema, value)?;
                match value {
                    Value::$variant(v) => Ok(*v),
                    other => Err(ConnectError::Data(format!(
                        "Requested conversion of {} object but the value is {}",
                        $kind,
                        other.kind_name()
                    ))),
                }
            }

            /// Converts the physical encoding to the logical value for `schema`.
            pub fn to_logical(schema: &Schema, raw: $raw) -> Result<Value> {
                check_name(schema, $name, $kind)?;
                let value = Value::$variant(raw);
                super::validate::validate_value(schema, &value)?;
                Ok(value)
            }
        }
    };
}

int_logical!(
    /// Logical `Date`: an `INT32` of days since the Unix epoch.
    Date, DATE_LOGICAL_NAME, int32, i32, Date, "Date");
int_logical!(
    /// Logical `Time`: an `INT32` of milliseconds since midnight.
    Time, TIME_LOGICAL_NAME, int32, i32, Time, "Time");
int_logical!(
    /// Logical `Timestamp`: an `INT64` of milliseconds since the Unix epoch.
    Timestamp, TIMESTAMP_LOGICAL_NAME, int64, i64, Timestamp, "Timestamp");

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn civil_dates_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2024, 2, 29), 19_782);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        for d in [-800_000, -1, 0, 59, 11_016, 2_932_896] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
    }

    #[test]
    fn unscaled_bytes_match_java_big_integer() {
        let cases: [(i128, &[u8]); 9] = [
            (0, &[0x00]),
            (1, &[0x01]),
            (-1, &[0xFF]),
            (127, &[0x7F]),
            (128, &[0x00, 0x80]),
            (-128, &[0x80]),
            (-129, &[0xFF, 0x7F]),
            (12345, &[0x30, 0x39]),
            (-12345, &[0xCF, 0xC7]),
        ];
        for (unscaled, bytes) in cases {
            let d = Decimal::new(unscaled, 2);
            assert_eq!(d.unscaled_bytes(), bytes, "{unscaled}");
            assert_eq!(Decimal::from_unscaled_bytes(bytes, 2).ok(), Some(d));
        }
    }

    #[test]
    fn wide_values_are_sign_extension_checked() {
        let mut wide = vec![0xFF; 4];
        wide.extend_from_slice(&(-5i128).to_be_bytes());
        assert_eq!(
            Decimal::from_unscaled_bytes(&wide, 0).ok(),
            Some(Decimal::new(-5, 0))
        );
        let mut too_wide = vec![0x01];
        too_wide.extend_from_slice(&[0u8; 16]);
        assert_eq!(
            Decimal::from_unscaled_bytes(&too_wide, 0).map_err(|e| e.to_string()),
            Err("Decimal value of 17 bytes does not fit in 128 bits".to_owned())
        );
        // 0x00 followed by a byte with the high bit set is a positive number, not redundant.
        let mut edge = vec![0x00];
        edge.extend_from_slice(&[0x80; 16]);
        assert!(Decimal::from_unscaled_bytes(&edge, 0).is_err());
        assert!(Decimal::from_unscaled_bytes(&[], 0).is_err());
    }

    #[test]
    fn schema_conversions() -> Result<()> {
        let schema = Decimal::schema(2);
        assert_eq!(schema.name(), Some(DECIMAL_LOGICAL_NAME));
        assert_eq!(schema.version(), Some(1));
        assert_eq!(Decimal::schema_scale(&schema)?, 2);
        let value = Decimal::new(-12345, 2);
        let bytes = Decimal::from_logical(&schema, &value)?;
        assert_eq!(Decimal::to_logical(&schema, &bytes)?, value);
        assert_eq!(
            Decimal::from_logical(&schema, &Decimal::new(1, 3)).map_err(|e| e.to_string()),
            Err("BigDecimal has mismatching scale value for given Decimal schema".to_owned())
        );
        assert_eq!(
            Decimal::to_logical(&Schema::bytes(), &bytes).map_err(|e| e.to_string()),
            Err("Requested conversion of Decimal object but the schema does not match.".to_owned())
        );
        let no_scale = SchemaBuilder::bytes().name(DECIMAL_LOGICAL_NAME).build()?;
        assert_eq!(
            Decimal::to_logical(&no_scale, &bytes).map_err(|e| e.to_string()),
            Err("Invalid Decimal schema: scale parameter not found.".to_owned())
        );

        assert_eq!(Date::to_logical(&Date::schema(), 3)?, Value::Date(3));
        assert_eq!(Date::from_logical(&Date::schema(), &Value::Date(3))?, 3);
        assert_eq!(
            Time::from_logical(&Time::schema(), &Value::Time(1000))?,
            1000
        );
        assert!(Time::to_logical(&Time::schema(), MILLIS_PER_DAY).is_err());
        assert_eq!(
            Timestamp::to_logical(&Timestamp::schema(), -1)?,
            Value::Timestamp(-1)
        );
        assert_eq!(
            Date::to_logical(&Schema::int32(), 1).map_err(|e| e.to_string()),
            Err("Requested conversion of Date object but the schema does not match.".to_owned())
        );
        Ok(())
    }

    #[test]
    fn display_is_plain() {
        assert_eq!(Decimal::new(12345, 2).to_string(), "123.45");
        assert_eq!(Decimal::new(-5, 2).to_string(), "-0.05");
        assert_eq!(Decimal::new(12, -2).to_string(), "1200");
        assert_eq!(Decimal::new(0, 3).to_string(), "0.000");
        assert_eq!(Decimal::new(7, 0).to_string(), "7");
    }

    proptest! {
        #[test]
        fn unscaled_bytes_round_trip(unscaled in any::<i128>(), scale in -10i32..40) {
            let d = Decimal::new(unscaled, scale);
            let bytes = d.unscaled_bytes();
            prop_assert!(!bytes.is_empty() && bytes.len() <= 16);
            prop_assert_eq!(Decimal::from_unscaled_bytes(&bytes, scale).ok(), Some(d));
        }

        #[test]
        fn small_values_round_trip_minimally(unscaled in any::<i64>()) {
            let d = Decimal::new(i128::from(unscaled), 0);
            let bytes = d.unscaled_bytes();
            // Minimal: dropping the first byte would change the value or sign.
            if bytes.len() > 1 {
                let redundant = (bytes[0] == 0x00 && bytes[1] & 0x80 == 0)
                    || (bytes[0] == 0xFF && bytes[1] & 0x80 != 0);
                prop_assert!(!redundant);
            }
            prop_assert_eq!(Decimal::from_unscaled_bytes(&bytes, 0).ok(), Some(d));
        }
    }
}
