//! Text formats Kafka's converters get from the JDK: `Double.toString`, `Float.toString`,
//! `BigDecimal.toString`, `java.util.Base64`, and the ISO-8601 date formats of `Values`.
//! Matching them byte for byte is what lets sluice and Java workers share topics.

use connect_api::data::{civil_from_days, days_from_civil, Decimal, MILLIS_PER_DAY};

/// Splits Rust's shortest round-trip scientific form (`-1.25e3`) into sign, digits and
/// decimal exponent (`d.ddd × 10^exp`).
fn scientific_parts(formatted: &str) -> (bool, String, i32) {
    let (negative, rest) = match formatted.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, formatted),
    };
    let (mantissa, exponent) = rest.split_once('e').unwrap_or((rest, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    (negative, digits, exponent.parse().unwrap_or(0))
}

/// Java's `Double.toString` / `Float.toString` given Rust's `{:e}` rendering of the value:
/// plain notation for `10^-3 <= |x| < 10^7`, otherwise `d.dddE±n`; always a fraction digit.
fn java_floating(formatted: &str, is_nan: bool, infinite: Option<bool>) -> String {
    if is_nan {
        return "NaN".to_owned();
    }
    if let Some(negative) = infinite {
        return if negative { "-Infinity" } else { "Infinity" }.to_owned();
    }
    let (negative, digits, exp) = scientific_parts(formatted);
    let sign = if negative { "-" } else { "" };
    if digits.bytes().all(|d| d == b'0') {
        return format!("{sign}0.0");
    }
    if (-3..7).contains(&exp) {
        if exp < 0 {
            let zeros = "0".repeat(exp.unsigned_abs() as usize - 1);
            return format!("{sign}0.{zeros}{digits}");
        }
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            let zeros = "0".repeat(int_len - digits.len());
            return format!("{sign}{digits}{zeros}.0");
        }
        let (int_part, frac_part) = digits.split_at(int_len);
        return format!("{sign}{int_part}.{frac_part}");
    }
    let (first, rest) = digits.split_at(1);
    let rest = if rest.is_empty() { "0" } else { rest };
    format!("{sign}{first}.{rest}E{exp}")
}

/// Java's `Double.toString(value)` (JDK 19+ shortest-digit algorithm).
pub(crate) fn java_double(value: f64) -> String {
    let infinite = value.is_infinite().then_some(value < 0.0);
    java_floating(&format!("{value:e}"), value.is_nan(), infinite)
}

/// Java's `Float.toString(value)` (JDK 19+ shortest-digit algorithm).
pub(crate) fn java_float(value: f32) -> String {
    let infinite = value.is_infinite().then_some(value < 0.0);
    java_floating(&format!("{value:e}"), value.is_nan(), infinite)
}

/// Java's `BigDecimal.toString()`: plain unless the scale is negative or the adjusted
/// exponent is below -6, then scientific (`1.23E+5`, `1E-7`).
pub(crate) fn java_big_decimal(value: &Decimal) -> String {
    let digits = value.unscaled().unsigned_abs().to_string();
    let adjusted = i64::from(-value.scale()) + (digits.len() as i64 - 1);
    if value.scale() >= 0 && adjusted >= -6 {
        return value.to_string();
    }
    let sign = if value.unscaled() < 0 { "-" } else { "" };
    let (first, rest) = digits.split_at(1);
    let fraction = if rest.is_empty() {
        String::new()
    } else {
        format!(".{rest}")
    };
    let exp_sign = if adjusted > 0 { "+" } else { "" };
    format!("{sign}{first}{fraction}E{exp_sign}{adjusted}")
}

/// Parses a JSON/Java number literal (`-12.5e3`) exactly, as `new BigDecimal(text)` does.
pub(crate) fn parse_big_decimal(text: &str) -> Option<Decimal> {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], text[at + 1..].parse::<i32>().ok()?),
        None => (text, 0),
    };
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa.strip_prefix('+').unwrap_or(mantissa)),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let all_digits = int_part.bytes().chain(frac_part.bytes());
    let mut unscaled: i128 = 0;
    for digit in all_digits {
        if !digit.is_ascii_digit() {
            return None;
        }
        unscaled = unscaled
            .checked_mul(10)?
            .checked_add(i128::from(digit - b'0'))?;
    }
    let scale = i32::try_from(frac_part.len()).ok()?.checked_sub(exponent)?;
    Some(Decimal::new(
        if negative { -unscaled } else { unscaled },
        scale,
    ))
}

const BASE64_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (`java.util.Base64.getEncoder()`, Jackson's binary nodes).
pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(
                    BASE64_ALPHABET[(n >> (18 - 6 * i)) as usize & 63],
                ));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard base64; padding is optional, anything else outside the alphabet fails.
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let trimmed = text.trim_end_matches('=');
    if text.len() - trimmed.len() > 2 || trimmed.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(trimmed.len() / 4 * 3 + 2);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for byte in trimmed.bytes() {
        let sextet = BASE64_ALPHABET.iter().position(|&c| c == byte)? as u32;
        buffer = (buffer << 6) | sextet;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// `yyyy-MM-dd` (UTC), as `Values` writes a `Date`.
pub(crate) fn iso_date(days: i64) -> String {
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}")
}

/// `HH:mm:ss.SSS'Z'`, as `Values` writes a `Time`.
pub(crate) fn iso_time(millis_of_day: i64) -> String {
    let ms = millis_of_day.rem_euclid(i64::from(MILLIS_PER_DAY));
    format!(
        "{:02}:{:02}:{:02}.{:03}Z",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

/// `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`, as `Values` writes a `Timestamp`.
pub(crate) fn iso_timestamp(epoch_millis: i64) -> String {
    let day_ms = i64::from(MILLIS_PER_DAY);
    let days = epoch_millis.div_euclid(day_ms);
    let time = iso_time(epoch_millis.rem_euclid(day_ms));
    format!("{}T{time}", iso_date(days))
}

fn fixed_digits(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Parses `yyyy-MM-dd` to days since the epoch, rejecting impossible dates.
pub(crate) fn parse_iso_date(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year = fixed_digits(&text[0..4])?;
    let month = fixed_digits(&text[5..7])?;
    let day = fixed_digits(&text[8..10])?;
    if !(1..=12).contains(&month) || day == 0 {
        return None;
    }
    let days = days_from_civil(i64::from(year), month, day);
    // Round-tripping rejects day-of-month overflow such as 02-30.
    (civil_from_days(days) == (i64::from(year), month, day)).then_some(days)
}

/// Parses `HH:mm:ss.SSS'Z'` to milliseconds of the day.
pub(crate) fn parse_iso_time(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() != 13 || bytes[2] != b':' || bytes[5] != b':' || bytes[8] != b'.' {
        return None;
    }
    if bytes[12] != b'Z' {
        return None;
    }
    let hours = fixed_digits(&text[0..2])?;
    let minutes = fixed_digits(&text[3..5])?;
    let seconds = fixed_digits(&text[6..8])?;
    let millis = fixed_digits(&text[9..12])?;
    if hours > 23 || minutes > 59 || seconds > 59 {
        return None;
    }
    Some(i64::from(
        ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis,
    ))
}

/// Parses `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'` to milliseconds since the epoch.
pub(crate) fn parse_iso_timestamp(text: &str) -> Option<i64> {
    if text.len() != 24 || text.as_bytes()[10] != b'T' {
        return None;
    }
    let days = parse_iso_date(text.get(..10)?)?;
    let time = parse_iso_time(text.get(11..)?)?;
    days.checked_mul(i64::from(MILLIS_PER_DAY))?
        .checked_add(time)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn doubles_match_java() {
        let cases = [
            (1.0, "1.0"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (12.34, "12.34"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (1234567.0, "1234567.0"),
            (12345678.0, "1.2345678E7"),
            (1e10, "1.0E10"),
            (-2.5e-10, "-2.5E-10"),
            (f64::MAX, "1.7976931348623157E308"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for (value, expected) in cases {
            assert_eq!(java_double(value), expected, "{value:e}");
        }
        assert_eq!(java_float(12.34f32), "12.34");
        assert_eq!(java_float(1e10f32), "1.0E10");
        assert_eq!(java_float(0.1f32), "0.1");
    }

    #[test]
    fn big_decimals_match_java() {
        let cases = [
            (Decimal::new(156, 2), "1.56"),
            (Decimal::new(-5, 2), "-0.05"),
            (Decimal::new(1, 7), "1E-7"),
            (Decimal::new(123, -3), "1.23E+5"),
            (Decimal::new(0, -1), "0E+1"),
            (Decimal::new(1, 6), "0.000001"),
            (Decimal::new(150, 2), "1.50"),
        ];
        for (value, expected) in cases {
            assert_eq!(java_big_decimal(&value), expected);
            assert_eq!(parse_big_decimal(expected), Some(value));
        }
        assert_eq!(parse_big_decimal("1e2"), Some(Decimal::new(1, -2)));
        assert_eq!(parse_big_decimal("-"), None);
        assert_eq!(parse_big_decimal("1x"), None);
    }

    #[test]
    fn dates() {
        assert_eq!(iso_date(0), "1970-01-01");
        assert_eq!(iso_date(-1), "1969-12-31");
        assert_eq!(iso_date(19_000), "2022-01-08");
        assert_eq!(iso_time(45_296_789), "12:34:56.789Z");
        assert_eq!(iso_timestamp(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(parse_iso_date("2022-01-08"), Some(19_000));
        assert_eq!(parse_iso_date("2022-02-30"), None);
        assert_eq!(parse_iso_time("12:34:56.789Z"), Some(45_296_789));
        assert_eq!(parse_iso_timestamp("1969-12-31T23:59:59.999Z"), Some(-1));
    }

    proptest! {
        #[test]
        fn base64_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let encoded = base64_encode(&bytes);
            prop_assert_eq!(base64_decode(&encoded), Some(bytes));
        }

        #[test]
        fn java_doubles_parse_back(value in any::<f64>().prop_filter("finite", |v| v.is_finite())) {
            prop_assert_eq!(java_double(value).parse::<f64>().ok(), Some(value));
        }

        #[test]
        fn timestamps_round_trip(ms in -10_000_000_000_000i64..10_000_000_000_000) {
            prop_assert_eq!(parse_iso_timestamp(&iso_timestamp(ms)), Some(ms));
        }
    }
}
