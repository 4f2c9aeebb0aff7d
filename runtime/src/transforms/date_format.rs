//! The subset of `java.text.SimpleDateFormat` that `TimestampRouter`, `TimestampConverter` and
//! the header literal parser need, always in UTC.
//!
//! Supported pattern letters: `y` (`yy` is the two-digit year, any other count the full year
//! padded to the count), `M`/`MM`, `d`/`dd`, `H`/`HH`, `m`/`mm`, `s`/`ss` and `S`…`SSS`
//! (milliseconds), plus quoted literals (`'T'`, `''` for a quote) and any non-letter
//! character. Other pattern letters (month or day names, `a`, `h`, `k`, `E`, `z`, `Z`, …) are
//! rejected by [`DatePattern::parse`] so a configuration error names them up front.
//!
//! Parsing follows `SimpleDateFormat.parse` in its default lenient mode: out-of-range fields
//! roll over (month 13 is January of the next year), a numeric field followed directly by
//! another numeric field takes exactly its pattern width, any other numeric field takes all
//! the digits present, and text after the pattern is ignored. A two-digit year (`yy` with
//! exactly two digits) lands within 80 years before and 20 years after the current year.

use std::fmt;

use connect_api::data::days_from_civil;

use super::util::UtcDateTime;

const MILLIS_PER_DAY: i64 = 86_400_000;

/// One element of a parsed pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(String),
    /// A pattern letter and how many times it is repeated.
    Field(char, usize),
}

/// A parsed `SimpleDateFormat` pattern; `Display` gives the original pattern back (Java's
/// `toPattern()`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DatePattern {
    pattern: String,
    tokens: Vec<Token>,
}

impl fmt::Display for DatePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.pattern)
    }
}

impl DatePattern {
    /// Parses the supported subset of a pattern, or explains what is not supported.
    pub(crate) fn parse(pattern: &str) -> Result<Self, String> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut tokens = Vec::new();
        let mut literal = String::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '\'' {
                if chars.get(i + 1) == Some(&'\'') {
                    literal.push('\'');
                    i += 2;
                    continue;
                }
                // A quoted section; `''` inside it is one quote.
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err("Unterminated quote".to_owned()),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            literal.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(&other) => {
                            literal.push(other);
                            i += 1;
                        }
                    }
                }
            } else if c.is_ascii_alphabetic() {
                let mut count = 1;
                while chars.get(i + count) == Some(&c) {
                    count += 1;
                }
                let supported = match c {
                    'y' => true,
                    'M' | 'd' | 'H' | 'm' | 's' => count <= 2,
                    'S' => count <= 3,
                    _ => false,
                };
                if !supported {
                    return Err(format!(
                        "Unsupported pattern '{}'; supported letters are yyyy, yy, MM, dd, HH, mm, ss, SSS (UTC)",
                        c.to_string().repeat(count)
                    ));
                }
                if !literal.is_empty() {
                    tokens.push(Token::Literal(std::mem::take(&mut literal)));
                }
                tokens.push(Token::Field(c, count));
                i += count;
            } else {
                literal.push(c);
                i += 1;
            }
        }
        if !literal.is_empty() {
            tokens.push(Token::Literal(literal));
        }
        Ok(Self {
            pattern: pattern.to_owned(),
            tokens,
        })
    }

    /// `yyyyMMdd`, the `TimestampRouter` default.
    pub(crate) fn yyyymmdd() -> Self {
        Self {
            pattern: "yyyyMMdd".to_owned(),
            tokens: vec![
                Token::Field('y', 4),
                Token::Field('M', 2),
                Token::Field('d', 2),
            ],
        }
    }

    /// Formats `epoch_millis` in UTC.
    pub(crate) fn format(&self, epoch_millis: i64) -> String {
        let t = UtcDateTime::from_epoch_millis(epoch_millis);
        let mut out = String::new();
        for token in &self.tokens {
            match token {
                Token::Literal(s) => out.push_str(s),
                Token::Field('y', 2) => out.push_str(&format!("{:02}", t.year.rem_euclid(100))),
                Token::Field(c, width) => {
                    let value = match c {
                        'y' => t.year,
                        'M' => i64::from(t.month),
                        'd' => i64::from(t.day),
                        'H' => i64::from(t.hour),
                        'm' => i64::from(t.minute),
                        's' => i64::from(t.second),
                        _ => i64::from(t.millis),
                    };
                    out.push_str(&format!("{value:0width$}"));
                }
            }
        }
        out
    }

    /// Parses `text` into milliseconds since the epoch (UTC), leniently like
    /// `SimpleDateFormat.parse`; `None` when the text does not match the pattern.
    pub(crate) fn parse_millis(&self, text: &str) -> Option<i64> {
        self.parse_millis_at(text, current_year())
    }

    fn parse_millis_at(&self, text: &str, current_year: i64) -> Option<i64> {
        let chars: Vec<char> = text.chars().collect();
        let mut pos = 0;
        let (mut year, mut month, mut day) = (1970i64, 1i64, 1i64);
        let (mut hour, mut minute, mut second, mut millis) = (0i64, 0i64, 0i64, 0i64);
        for (index, token) in self.tokens.iter().enumerate() {
            match token {
                Token::Literal(s) => {
                    for expected in s.chars() {
                        if chars.get(pos) != Some(&expected) {
                            return None;
                        }
                        pos += 1;
                    }
                }
                Token::Field(c, count) => {
                    let abutting = matches!(self.tokens.get(index + 1), Some(Token::Field(..)));
                    let start = pos;
                    while pos < chars.len()
                        && chars[pos].is_ascii_digit()
                        && (!abutting || pos - start < *count)
                    {
                        pos += 1;
                    }
                    if pos == start {
                        return None;
                    }
                    let digits: String = chars[start..pos].iter().collect();
                    let mut value: i64 = digits.parse().ok()?;
                    match c {
                        'y' => {
                            if *count <= 2 && pos - start == 2 {
                                value = two_digit_year(value, current_year);
                            }
                            year = value;
                        }
                        'M' => month = value,
                        'd' => day = value,
                        'H' => hour = value,
                        'm' => minute = value,
                        's' => second = value,
                        _ => millis = value,
                    }
                }
            }
        }
        // Lenient: let every field overflow into the next larger one.
        let month_index = month.checked_sub(1)?;
        let year = year.checked_add(month_index.div_euclid(12))?;
        let month = u32::try_from(month_index.rem_euclid(12) + 1).ok()?;
        let days = days_from_civil(year, month, 1).checked_add(day.checked_sub(1)?)?;
        days.checked_mul(MILLIS_PER_DAY)?
            .checked_add(hour.checked_mul(3_600_000)?)?
            .checked_add(minute.checked_mul(60_000)?)?
            .checked_add(second.checked_mul(1000)?)?
            .checked_add(millis)
    }
}

/// Java's default century for two-digit years: from 80 years ago to 20 years ahead.
fn two_digit_year(value: i64, current_year: i64) -> i64 {
    let start = current_year - 80;
    let candidate = start - start.rem_euclid(100) + value;
    if candidate < start {
        candidate + 100
    } else {
        candidate
    }
}

fn current_year() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    UtcDateTime::from_epoch_millis(now).year
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2024-02-29T13:45:30.123Z
    const TS: i64 = 1_709_214_330_123;

    fn pattern(p: &str) -> DatePattern {
        DatePattern::parse(p).expect("supported pattern")
    }

    #[test]
    fn civil_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2024, 2, 29), 19_782);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
    }

    #[test]
    fn format_and_parse_round_trip() {
        for p in [
            "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'",
            "yyyyMMddHHmmssSSS",
            "dd/MM/yyyy HH:mm:ss.SSS",
        ] {
            let pattern = pattern(p);
            let text = pattern.format(TS);
            assert_eq!(pattern.parse_millis(&text), Some(TS), "{p}: {text}");
        }
        assert_eq!(
            pattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").format(TS),
            "2024-02-29T13:45:30.123Z"
        );
        assert_eq!(pattern("yyyy").to_string(), "yyyy");
    }

    #[test]
    fn lenient_parsing() {
        let p = pattern("yyyy-MM-dd");
        // Month 13 rolls over into the next year; day 0 is the last day of the month before.
        assert_eq!(
            p.parse_millis("2023-13-01"),
            pattern("yyyy-MM-dd").parse_millis("2024-01-01")
        );
        assert_eq!(p.parse_millis("2024-03-00"), p.parse_millis("2024-02-29"));
        // Single digits are fine when fields are separated; trailing text is ignored.
        assert_eq!(
            p.parse_millis("2024-2-29 and more"),
            p.parse_millis("2024-02-29")
        );
        assert_eq!(p.parse_millis("2024/02/29"), None);
        assert_eq!(p.parse_millis(""), None);
        assert_eq!(p.parse_millis("1234567890"), None);
        // Missing fields default to the epoch.
        assert_eq!(pattern("HH:mm").parse_millis("01:02"), Some(3_720_000));
    }

    #[test]
    fn two_digit_years() {
        let p = pattern("yy-MM-dd");
        assert_eq!(
            p.parse_millis_at("99-01-01", 2026),
            pattern("yyyy-MM-dd").parse_millis("1999-01-01")
        );
        assert_eq!(
            p.parse_millis_at("24-01-01", 2026),
            pattern("yyyy-MM-dd").parse_millis("2024-01-01")
        );
        // Three digits are taken literally.
        assert_eq!(
            p.parse_millis_at("124-01-01", 2026),
            pattern("yyyy-MM-dd").parse_millis("0124-01-01")
        );
    }
}
