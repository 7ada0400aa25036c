//! RFC 3339 timestamps: the contract's `date-time` fields, written as UTC with milliseconds.
//!
//! Calendar arithmetic is done by hand (days from a civil date and back, after Howard Hinnant's
//! public-domain algorithms) so the core needs no date crate for the few things it does.
#![forbid(unsafe_code)]

use std::time::{SystemTime, UNIX_EPOCH};

const MS_PER_DAY: i64 = 86_400_000;

/// `0000-01-01T00:00:00.000Z`, the first instant RFC 3339 can write (four-digit years).
const MIN_UNIX_MS: i64 = -62_167_219_200_000;
/// `9999-12-31T23:59:59.999Z`, the last instant RFC 3339 can write.
const MAX_UNIX_MS: i64 = 253_402_300_799_999;

/// Now, as `2026-11-26T19:31:25.123Z`.
pub fn now_utc_millis() -> String {
    format_utc_millis(now_unix_millis())
}

/// Milliseconds since the Unix epoch, negative if the system clock is set before 1970.
pub fn now_unix_millis() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_millis()).map_or(i64::MIN, |ms| -ms),
    }
}

/// A Unix time in milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ`. Instants outside the years
/// 0000–9999 are clamped to that range, since RFC 3339 cannot write them.
pub fn format_utc_millis(unix_ms: i64) -> String {
    let unix_ms = unix_ms.clamp(MIN_UNIX_MS, MAX_UNIX_MS);
    let days = unix_ms.div_euclid(MS_PER_DAY);
    let ms_of_day = unix_ms.rem_euclid(MS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    // Digit by digit into a fixed template: `format!` took ~3k instructions a call, a tenth of
    // a `Summary::of()`; every summary and envelope built writes one. All fields are
    // non-negative after the clamp.
    let mut text = *b"0000-00-00T00:00:00.000Z";
    for (at, width, value) in [
        (0, 4, year),
        (5, 2, month),
        (8, 2, day),
        (11, 2, ms_of_day / 3_600_000),
        (14, 2, ms_of_day / 60_000 % 60),
        (17, 2, ms_of_day / 1000 % 60),
        (20, 3, ms_of_day % 1000),
    ] {
        let mut value = value.unsigned_abs();
        for digit in text[at..at + width].iter_mut().rev() {
            *digit = b'0' + (value % 10) as u8;
            value /= 10;
        }
    }
    // ASCII digits and separators: always UTF-8, borrowed then copied once.
    String::from_utf8_lossy(&text).into_owned()
}

/// Parses an RFC 3339 `date-time` (the grammar JSON Schema's `format: date-time` asserts):
/// `YYYY-MM-DD` `T` `HH:MM:SS[.frac]` then `Z` or `±HH:MM`; `t` and `z` are accepted too.
/// Returns the instant as Unix milliseconds (fraction truncated to ms) and the offset in
/// minutes, or `None` if the text is not a real date and time (2026-02-30, 24:00:00, ...).
///
/// A leap second (`:60`, valid only when it falls on 23:59 UTC) maps to second 59, the way
/// Unix time repeats a second.
pub fn parse_rfc3339(text: &str) -> Option<(i64, i32)> {
    let bytes = text.as_bytes();
    // The shortest form is `YYYY-MM-DDTHH:MM:SSZ`.
    if bytes.len() < 20
        || bytes[4] != b'-'
        || bytes[7] != b'-'
        || !matches!(bytes[10], b'T' | b't')
        || bytes[13] != b':'
        || bytes[16] != b':'
    {
        return None;
    }
    let year = digits(&bytes[0..4])?;
    let month = digits(&bytes[5..7])?;
    let day = digits(&bytes[8..10])?;
    let hour = digits(&bytes[11..13])?;
    let minute = digits(&bytes[14..16])?;
    let second = digits(&bytes[17..19])?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }

    let mut rest = &bytes[19..];
    let mut millis = 0;
    if let Some((b'.', fraction)) = rest.split_first() {
        let len = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if len == 0 {
            return None;
        }
        // Only the first three digits count: milliseconds, truncated.
        millis = fraction[..len.min(3)]
            .iter()
            .chain(std::iter::repeat(&b'0'))
            .take(3)
            .fold(0, |ms, &d| ms * 10 + i64::from(d - b'0'));
        rest = &fraction[len..];
    }

    let offset_minutes: i32 = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = digits(&[*h1, *h2])?;
            let minutes = digits(&[*m1, *m2])?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let magnitude = i32::try_from(hours * 60 + minutes).ok()?;
            if *sign == b'-' {
                -magnitude
            } else {
                magnitude
            }
        }
        _ => return None,
    };

    let local_minutes = hour * 60 + minute;
    let utc_minutes = (local_minutes - i64::from(offset_minutes)).rem_euclid(24 * 60);
    if second == 60 && utc_minutes != 23 * 60 + 59 {
        return None;
    }
    let second = second.min(59);

    let local_ms =
        days_from_civil(year, month, day) * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
    Some((local_ms - i64::from(offset_minutes) * 60_000, offset_minutes))
}

/// Whether `text` is a valid RFC 3339 `date-time` written in UTC with `Z`, the form the
/// contract requires of every timestamp ("All timestamps are UTC").
pub fn is_utc(text: &str) -> bool {
    text.ends_with('Z') && parse_rfc3339(text).is_some()
}

/// An unsigned decimal number made only of ASCII digits.
fn digits(bytes: &[u8]) -> Option<i64> {
    bytes.iter().try_fold(0i64, |n, &b| b.is_ascii_digit().then(|| n * 10 + i64::from(b - b'0')))
}

fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date. Years are shifted to start in March
/// so the leap day is the last day of the year, and counted in 400-year eras.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of `days_from_civil`: (year, month, day) of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_is_utc_with_milliseconds() {
        let now = now_utc_millis();
        assert_eq!(now.len(), 24, "{now}");
        assert!(is_utc(&now), "{now}");
        assert_eq!(&now[19..20], ".");
    }

    #[test]
    fn format_writes_the_epoch_and_known_instants() {
        assert_eq!(format_utc_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_utc_millis(1_795_721_485_123), "2026-11-26T19:31:25.123Z");
        assert_eq!(format_utc_millis(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(format_utc_millis(-1), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn format_clamps_to_years_rfc3339_can_write() {
        assert_eq!(format_utc_millis(i64::MIN), "0000-01-01T00:00:00.000Z");
        assert_eq!(format_utc_millis(i64::MAX), "9999-12-31T23:59:59.999Z");
        assert_eq!(parse_rfc3339("0000-01-01T00:00:00Z"), Some((MIN_UNIX_MS, 0)));
        assert_eq!(parse_rfc3339("9999-12-31T23:59:59.999Z"), Some((MAX_UNIX_MS, 0)));
    }

    #[test]
    fn format_then_parse_round_trips_across_four_centuries() {
        // Every ~1.3 days from 1900 to 2300, with a changing time of day.
        let mut ms = -2_208_988_800_000;
        while ms < 10_413_792_000_000 {
            let text = format_utc_millis(ms);
            assert_eq!(parse_rfc3339(&text), Some((ms, 0)), "{text}");
            ms += 113_137_777;
        }
    }

    #[test]
    fn days_round_trip_through_the_civil_calendar() {
        for days in -800_000..800_000 {
            let (y, m, d) = civil_from_days(days);
            assert!(d >= 1 && d <= days_in_month(y, m), "{y}-{m}-{d}");
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn parse_applies_the_offset() {
        let utc = parse_rfc3339("2026-11-26T19:31:25.123Z");
        assert_eq!(utc, Some((1_795_721_485_123, 0)));
        assert_eq!(parse_rfc3339("2026-11-26T21:31:25.123+02:00"), Some((1_795_721_485_123, 120)));
        assert_eq!(parse_rfc3339("2026-11-26T14:01:25.123-05:30"), Some((1_795_721_485_123, -330)));
        assert_eq!(parse_rfc3339("2026-11-26t19:31:25.123z"), Some((1_795_721_485_123, 0)));
    }

    #[test]
    fn parse_truncates_the_fraction_to_milliseconds() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00.9Z"), Some((900, 0)));
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00.12Z"), Some((120, 0)));
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00.123999999Z"), Some((123, 0)));
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some((0, 0)));
    }

    #[test]
    fn parse_validates_the_calendar() {
        for valid in [
            "2024-02-29T00:00:00Z",
            "2000-02-29T00:00:00Z",
            "2400-02-29T00:00:00Z",
            "2026-04-30T00:00:00Z",
            "2026-12-31T23:59:59Z",
        ] {
            assert!(parse_rfc3339(valid).is_some(), "{valid}");
        }
        for invalid in [
            "2026-02-29T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2100-02-29T00:00:00Z",
            "2026-04-31T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-00-10T00:00:00Z",
            "2026-01-00T00:00:00Z",
            "2026-01-32T00:00:00Z",
        ] {
            assert_eq!(parse_rfc3339(invalid), None, "{invalid}");
        }
    }

    #[test]
    fn parse_rejects_what_is_not_rfc3339() {
        for invalid in [
            "",
            "2026-11-26",
            "2026-11-26T19:31:25",
            "2026-11-26 19:31:25Z",
            "2026-11-26T24:00:00Z",
            "2026-11-26T19:60:00Z",
            "2026-11-26T19:31:61Z",
            "2026-11-26T19:31:25.Z",
            "2026-11-26T19:31:25.123",
            "2026-11-26T19:31:25+0200",
            "2026-11-26T19:31:25+24:00",
            "2026-11-26T19:31:25+02:60",
            "2026-11-26T19:31:25ZZ",
            "2026-11-26T19:31:25Z ",
            " 2026-11-26T19:31:25Z",
            "+2026-11-26T19:31:25Z",
            "26-11-26T19:31:25Z",
            "2026-1-26T19:31:25Z",
            "2026-11-26T19:31:2Z",
            "2026-11-26T19:31:25.12a3Z",
            "２０２６-11-26T19:31:25Z",
            "2026-11-26T19:31:25.١٢٣Z",
        ] {
            assert_eq!(parse_rfc3339(invalid), None, "{invalid:?}");
        }
    }

    #[test]
    fn leap_second_is_valid_only_at_the_end_of_a_utc_day() {
        assert_eq!(parse_rfc3339("2016-12-31T23:59:60Z"), parse_rfc3339("2016-12-31T23:59:59Z"));
        assert!(parse_rfc3339("2016-12-31T23:59:60.5Z").is_some());
        assert!(parse_rfc3339("2017-01-01T00:59:60+01:00").is_some());
        assert!(parse_rfc3339("2016-12-31T18:59:60-05:00").is_some());
        assert_eq!(parse_rfc3339("2016-12-31T12:30:60Z"), None);
        assert_eq!(parse_rfc3339("2016-12-31T23:59:60+01:00"), None);
    }

    #[test]
    fn parse_agrees_with_the_schema_date_time_format() {
        // Builders pre-check timestamps with `parse_rfc3339`; the Validator asserts the schema's
        // `format: date-time`. Single-character mutations of valid timestamps must get the same verdict.
        let schema = serde_json::json!({"format": "date-time"});
        let validator = jsonschema::options().should_validate_formats(true).build(&schema);
        let validator = validator.unwrap_or_else(|e| panic!("{e}"));
        let pool = ['0', '1', '2', '3', '5', '6', '9', ':', '-', '+', '.', 'T', 't', 'Z', 'z', ' ', 'é'];
        for valid in [
            "2024-02-29T23:59:60.5Z",
            "2026-12-31T23:59:59+14:00",
            "1999-06-30T00:00:00.123456-08:30",
            "2016-12-31T23:59:60Z",
        ] {
            let chars: Vec<char> = valid.chars().collect();
            for at in 0..=chars.len() {
                for c in pool {
                    let mut replaced = chars.clone();
                    let mut inserted = chars.clone();
                    if at < chars.len() {
                        replaced[at] = c;
                    }
                    inserted.insert(at, c);
                    let mut removed = chars.clone();
                    if at < chars.len() {
                        removed.remove(at);
                    }
                    for text in [replaced, inserted, removed].map(|cs| cs.into_iter().collect::<String>()) {
                        let expected = validator.is_valid(&serde_json::Value::String(text.clone()));
                        assert_eq!(parse_rfc3339(&text).is_some(), expected, "{text:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn is_utc_requires_a_valid_timestamp_ending_in_z() {
        assert!(is_utc("2026-11-26T19:31:25.123Z"));
        assert!(is_utc("2026-11-26T19:31:25Z"));
        assert!(!is_utc("2026-11-26T19:31:25+00:00"));
        assert!(!is_utc("2026-11-26T21:31:25+02:00"));
        assert!(!is_utc("2026-11-26T19:31:25.123z"));
        assert!(!is_utc("2026-02-30T19:31:25Z"));
        assert!(!is_utc("Z"));
    }
}
