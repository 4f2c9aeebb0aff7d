//! Pure decoders of the value formats the drivers hand over when sqlx has no matching Rust
//! type enabled (sqlx is built without its chrono/decimal features to keep compile times
//! down): PostgreSQL's binary NUMERIC/DATE/TIME/TIMESTAMP, MySQL's binary DATE/TIME/DATETIME,
//! and the text forms SQLite stores.

use connect_api::data::{civil_from_days, days_from_civil, Decimal};

/// Days from 1970-01-01 to 2000-01-01 (PostgreSQL's epoch).
const PG_EPOCH_DAYS: i64 = 10_957;
const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Nanoseconds since the epoch as `YYYY-MM-DD HH:MM:SS.fffffffff` (UTC), the form bound
/// for timestamp comparisons.
pub fn format_timestamp_nanos(nanos: i128) -> String {
    let secs = nanos.div_euclid(1_000_000_000);
    let frac = nanos.rem_euclid(1_000_000_000);
    let days = i64::try_from(secs.div_euclid(86_400)).unwrap_or(0);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}.{frac:09}",
        sod / 3600,
        (sod / 60) % 60,
        sod % 60
    )
}

/// Parses `YYYY-MM-DD`, `YYYY-MM-DD[ T]HH:MM[:SS[.fff…]][Z|±HH[:MM]]` or `HH:MM[:SS[.f]]`
/// pieces into nanoseconds since the epoch (dates at midnight UTC).
pub fn parse_timestamp_nanos(text: &str) -> Option<i128> {
    let text = text.trim();
    let (date, rest) = match text.find([' ', 'T']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let mut parts = date.splitn(3, '-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let mut nanos = i128::from(days) * 86_400_000_000_000;
    if let Some(rest) = rest {
        let (time, offset_secs) = split_offset(rest)?;
        nanos += i128::from(parse_time_nanos(time)?);
        nanos -= i128::from(offset_secs) * 1_000_000_000;
    }
    Some(nanos)
}

fn split_offset(text: &str) -> Option<(&str, i64)> {
    if let Some(t) = text.strip_suffix('Z') {
        return Some((t, 0));
    }
    match text.rfind(['+', '-']) {
        Some(i) if i >= 5 => {
            let sign = if &text[i..=i] == "-" { -1 } else { 1 };
            let off = &text[i + 1..];
            let (h, m) = off
                .split_once(':')
                .unwrap_or((off.get(..2)?, off.get(2..)?));
            let h: i64 = h.parse().ok()?;
            let m: i64 = if m.is_empty() { 0 } else { m.parse().ok()? };
            Some((&text[..i], sign * (h * 3600 + m * 60)))
        }
        _ => Some((text, 0)),
    }
}

/// `HH:MM[:SS[.fffffffff]]` → nanoseconds since midnight.
pub fn parse_time_nanos(text: &str) -> Option<i64> {
    let mut parts = text.trim().splitn(3, ':');
    let h: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let (s, frac) = match parts.next() {
        Some(sec) => match sec.split_once('.') {
            Some((s, f)) => (s.parse::<i64>().ok()?, f),
            None => (sec.parse::<i64>().ok()?, ""),
        },
        None => (0, ""),
    };
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits: String = frac.chars().chain(std::iter::repeat('0')).take(9).collect();
    let frac_nanos: i64 = digits.parse().ok()?;
    Some(((h * 60 + m) * 60 + s) * 1_000_000_000 + frac_nanos)
}

/// Parses a decimal literal (`-12.50`, `1e3`, `7`) and rescales it to `scale` (rounding
/// half up, as `BigDecimal.setScale` would fail on inexact values; here it rounds).
pub fn parse_decimal(text: &str, scale: i32) -> Option<Decimal> {
    let text = text.trim();
    let (mantissa, exp) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], text[i + 1..].parse::<i32>().ok()?),
        None => (text, 0),
    };
    let negative = mantissa.starts_with('-');
    let mantissa = mantissa.trim_start_matches(['-', '+']);
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{int_part}{frac_part}");
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let unscaled: i128 = digits.parse().ok()?;
    let current_scale = i32::try_from(frac_part.len()).ok()? - exp;
    let value = rescale(unscaled, current_scale, scale)?;
    Some(Decimal::new(if negative { -value } else { value }, scale))
}

fn rescale(unscaled: i128, from: i32, to: i32) -> Option<i128> {
    if unscaled == 0 {
        // Zero at any scale, also where 10^(to - from) would not fit (e.g. scale 127).
        return Some(0);
    }
    if to >= from {
        unscaled.checked_mul(10i128.checked_pow(u32::try_from(to - from).ok()?)?)
    } else {
        let div = 10i128.checked_pow(u32::try_from(from - to).ok()?)?;
        let q = unscaled / div;
        Some(if (unscaled % div) * 2 >= div {
            q + 1
        } else {
            q
        })
    }
}

/// The display scale (`dscale`) of a PostgreSQL binary NUMERIC: its digits after the point.
pub fn pg_numeric_scale(buf: &[u8]) -> Option<i32> {
    Some(i32::from(i16::from_be_bytes([*buf.get(6)?, *buf.get(7)?])))
}

/// PostgreSQL binary NUMERIC (`ndigits, weight, sign, dscale`, base-10000 digits) rescaled
/// to `scale`; `None` for NaN/infinity or values beyond 38 digits.
pub fn pg_numeric(buf: &[u8], scale: i32) -> Option<Decimal> {
    let word = |i: usize| -> Option<i16> {
        Some(i16::from_be_bytes([*buf.get(i * 2)?, *buf.get(i * 2 + 1)?]))
    };
    let ndigits = usize::try_from(word(0)?).ok()?;
    let weight = i32::from(word(1)?);
    let sign = u16::from_be_bytes([*buf.get(4)?, *buf.get(5)?]);
    if sign == 0xC000 || sign >= 0xD000 {
        return None;
    }
    let mut unscaled: i128 = 0;
    for i in 0..ndigits {
        unscaled = unscaled
            .checked_mul(10_000)?
            .checked_add(i128::from(word(4 + i)?))?;
    }
    // The digits are base 10000 with the last one at position weight - (ndigits - 1).
    let last_power = weight - (i32::try_from(ndigits).ok()? - 1);
    let current_scale = -4 * last_power;
    let value = rescale(unscaled, current_scale, scale)?;
    Some(Decimal::new(
        if sign == 0x4000 { -value } else { value },
        scale,
    ))
}

/// PostgreSQL binary DATE (days since 2000-01-01) → days since 1970-01-01.
pub fn pg_date(buf: &[u8]) -> Option<i32> {
    let days = i64::from(i32::from_be_bytes(buf.get(..4)?.try_into().ok()?));
    i32::try_from(days + PG_EPOCH_DAYS).ok()
}

/// PostgreSQL binary TIMESTAMP/TIMESTAMPTZ (µs since 2000-01-01) → ns since 1970-01-01.
pub fn pg_timestamp_nanos(buf: &[u8]) -> Option<i128> {
    let micros = i64::from_be_bytes(buf.get(..8)?.try_into().ok()?);
    Some((i128::from(micros) + i128::from(PG_EPOCH_DAYS * MICROS_PER_DAY)) * 1000)
}

/// PostgreSQL binary TIME (µs since midnight) → ns since midnight.
pub fn pg_time_nanos(buf: &[u8]) -> Option<i64> {
    Some(i64::from_be_bytes(buf.get(..8)?.try_into().ok()?) * 1000)
}

/// MySQL binary DATE/DATETIME/TIMESTAMP (length byte, year LE16, month, day, [h, m, s,
/// [µs LE32]]) → ns since the epoch; the zero date maps to `None`.
pub fn mysql_datetime_nanos(buf: &[u8]) -> Option<i128> {
    let len = *buf.first()?;
    if len == 0 {
        return None;
    }
    let year = i64::from(u16::from_le_bytes([*buf.get(1)?, *buf.get(2)?]));
    let (month, day) = (u32::from(*buf.get(3)?), u32::from(*buf.get(4)?));
    if month == 0 || day == 0 {
        return None;
    }
    let mut nanos = i128::from(days_from_civil(year, month, day)) * 86_400_000_000_000;
    if len >= 7 {
        let (h, m, s) = (
            i128::from(*buf.get(5)?),
            i128::from(*buf.get(6)?),
            i128::from(*buf.get(7)?),
        );
        nanos += ((h * 60 + m) * 60 + s) * 1_000_000_000;
    }
    if len >= 11 {
        let micros = u32::from_le_bytes(buf.get(8..12)?.try_into().ok()?);
        nanos += i128::from(micros) * 1000;
    }
    Some(nanos)
}

/// MySQL binary TIME (length, negative flag, days LE32, h, m, s, [µs LE32]) → ns.
pub fn mysql_time_nanos(buf: &[u8]) -> Option<i64> {
    let len = *buf.first()?;
    if len == 0 {
        return Some(0);
    }
    let negative = *buf.get(1)? == 1;
    let days = i64::from(u32::from_le_bytes(buf.get(2..6)?.try_into().ok()?));
    let (h, m, s) = (
        i64::from(*buf.get(6)?),
        i64::from(*buf.get(7)?),
        i64::from(*buf.get(8)?),
    );
    let mut nanos = (((days * 24 + h) * 60 + m) * 60 + s) * 1_000_000_000;
    if len >= 12 {
        nanos += i64::from(u32::from_le_bytes(buf.get(9..13)?.try_into().ok()?)) * 1000;
    }
    Some(if negative { -nanos } else { nanos })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trips() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 1, 1), PG_EPOCH_DAYS);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        for d in [-800_000, -1, 0, 59, 11_016, 2_932_896] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
    }

    #[test]
    fn timestamps_parse_and_format() {
        let ns = parse_timestamp_nanos("2024-02-29 13:45:01.5").unwrap_or_default();
        assert_eq!(format_timestamp_nanos(ns), "2024-02-29 13:45:01.500000000");
        assert_eq!(
            parse_timestamp_nanos("1970-01-01T00:00:01Z"),
            Some(1_000_000_000)
        );
        assert_eq!(parse_timestamp_nanos("1970-01-01 01:00:00+01:00"), Some(0));
        assert_eq!(
            parse_timestamp_nanos("1970-01-02"),
            Some(86_400_000_000_000)
        );
        assert_eq!(parse_timestamp_nanos("yesterday"), None);
        assert_eq!(parse_time_nanos("01:02:03.004"), Some(3_723_004_000_000));
    }

    #[test]
    fn decimals_rescale() {
        let d = |t: &str, s: i32| parse_decimal(t, s).map(|d| (d.unscaled(), d.scale()));
        assert_eq!(d("12.5", 2), Some((1250, 2)));
        assert_eq!(d("-0.125", 2), Some((-13, 2)));
        assert_eq!(d("7", 0), Some((7, 0)));
        assert_eq!(d("1e3", 1), Some((10_000, 1)));
        assert_eq!(d("abc", 1), None);
    }

    #[test]
    fn pg_numeric_binary() {
        // 12345.678: ndigits 3, weight 1, positive, dscale 3: [1, 2345, 6780]
        let buf: Vec<u8> = [3i16, 1, 0, 3, 1, 2345, 6780]
            .iter()
            .flat_map(|w| w.to_be_bytes())
            .collect();
        let d = pg_numeric(&buf, 3).map(|d| d.unscaled());
        assert_eq!(d, Some(12_345_678));
        // -0.05: ndigits 1, weight -1, negative, dscale 2: [500]
        let buf: Vec<u8> = [1i16, -1, 0x4000, 2, 500]
            .iter()
            .flat_map(|w| w.to_be_bytes())
            .collect();
        assert_eq!(pg_numeric(&buf, 2).map(|d| d.unscaled()), Some(-5));
        // zero: no digits
        let buf: Vec<u8> = [0i16, 0, 0, 0]
            .iter()
            .flat_map(|w| w.to_be_bytes())
            .collect();
        assert_eq!(pg_numeric(&buf, 2).map(|d| d.unscaled()), Some(0));
        // ...also at the scale of an unconstrained NUMERIC (127), where 10^127 overflows.
        assert_eq!(pg_numeric(&buf, 127).map(|d| d.unscaled()), Some(0));
        // A non-zero value does not fit scale 127; its own scale is readable for the error.
        let buf: Vec<u8> = [1i16, 0, 0, 1, 12]
            .iter()
            .flat_map(|w| w.to_be_bytes())
            .collect();
        assert_eq!(pg_numeric(&buf, 127), None);
        assert_eq!(pg_numeric_scale(&buf), Some(1));
        assert_eq!(pg_numeric(&buf, 1).map(|d| d.unscaled()), Some(120));
    }

    #[test]
    fn mysql_binary_dates() {
        // 2024-03-01 10:20:30.000123
        let mut buf = vec![11u8];
        buf.extend(2024u16.to_le_bytes());
        buf.extend([3, 1, 10, 20, 30]);
        buf.extend(123u32.to_le_bytes());
        let ns = mysql_datetime_nanos(&buf).unwrap_or_default();
        assert_eq!(format_timestamp_nanos(ns), "2024-03-01 10:20:30.000123000");
        let time = [8u8, 0, 1, 0, 0, 0, 1, 2, 3];
        assert_eq!(
            mysql_time_nanos(&time),
            Some(((24 + 1) * 3600 + 2 * 60 + 3) * 1_000_000_000)
        );
    }
}
