//! Dates as `aws cloudfront sign` reads them (botocore's `parse_to_aware_datetime`), and
//! epoch seconds printed back as ISO 8601 UTC.
//!
//! Accepted: epoch seconds (`1893456000`; a fraction is dropped after botocore's
//! `datetime.fromtimestamp` has rounded it to microseconds, so `1893456000.9999999` is
//! `1893456001`; `20301231` is epoch seconds too, as the aws help warns), `YYYY-MM-DD` (midnight
//! UTC), `YYYY-MM-DDThh:mm[:ss[.fff]]` (UTC unless an offset follows; a space may replace
//! the `T`), with `Z`, `UTC`, `GMT`, `+hh`, `+hhmm`, `+hh:mm` or their `-` forms.

use crate::failure::Failure;

/// How a fraction of a second becomes whole seconds: the two signers this tool mirrors
/// disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    /// `aws cloudfront sign` (botocore): an epoch's fraction is rounded to microseconds, then
    /// dropped; a date's fraction is dropped.
    Aws,
    /// `getSignedCookies` (@aws-sdk/cloudfront-signer): `Math.round(date.getTime() / 1000)`,
    /// so from half a second (whole milliseconds) up, the next second.
    Sdk,
}

/// Seconds since 1970-01-01T00:00:00Z of `text` as `aws cloudfront sign` reads it.
#[cfg(test)]
pub fn parse_epoch(text: &str) -> Result<i64, String> {
    parse_epoch_rounded(text, Rounding::Aws)
}

/// Seconds since 1970-01-01T00:00:00Z of `text`, a fraction rounded by `rounding`, or why
/// it is not a date.
pub fn parse_epoch_rounded(text: &str, rounding: Rounding) -> Result<i64, String> {
    let text = text.trim();
    let bad = || {
        format!(
            "invalid date {text:?}: expected epoch seconds, YYYY-MM-DD or \
             YYYY-MM-DDThh:mm:ss with an optional Z or +hh:mm / -hh:mm offset"
        )
    };
    if text.is_empty() || text.len() > 64 {
        return Err(bad());
    }
    if let Some(epoch) = parse_epoch_number(text, rounding) {
        return epoch.ok_or_else(bad);
    }
    let mut cursor = Cursor { rest: text };
    let year = cursor.number(4, 4).ok_or_else(bad)?;
    cursor.expect('-').ok_or_else(bad)?;
    let month = cursor.number(1, 2).ok_or_else(bad)?;
    cursor.expect('-').ok_or_else(bad)?;
    let day = cursor.number(1, 2).ok_or_else(bad)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return Err(format!("invalid date {text:?}: no such day"));
    }
    let (mut hour, mut minute, mut second) = (0, 0, 0);
    let mut next_second = false;
    let mut offset = 0;
    if cursor
        .expect('T')
        .or_else(|| cursor.expect('t'))
        .or_else(|| cursor.expect(' '))
        .is_some()
    {
        hour = cursor.number(2, 2).ok_or_else(bad)?;
        if cursor.expect(':').is_some() {
            minute = cursor.number(2, 2).ok_or_else(bad)?;
            if cursor.expect(':').is_some() {
                second = cursor.number(2, 2).ok_or_else(bad)?;
                if cursor.expect('.').is_some() || cursor.expect(',').is_some() {
                    // dateutil keeps microseconds, which botocore's int() drops.
                    let fraction = cursor.digits(1, 9).ok_or_else(bad)?;
                    next_second = rounding == Rounding::Sdk && sdk_rounds_up(fraction);
                }
            }
        }
        if hour > 23 || minute > 59 || second > 59 {
            return Err(format!("invalid date {text:?}: no such time of day"));
        }
        offset = parse_offset(cursor.rest.trim_start()).ok_or_else(bad)?;
    } else if !cursor.rest.is_empty() {
        return Err(bad());
    }
    let days = days_from_civil(year, month, day);
    Ok(days * 86_400 + hour * 3_600 + minute * 60 + second - offset + i64::from(next_second))
}

/// `Math.round(ms / 1000)` on a `Date`, which keeps whole milliseconds: up from `.5`.
fn sdk_rounds_up(fraction: &str) -> bool {
    fraction
        .as_bytes()
        .first()
        .is_some_and(|digit| *digit >= b'5')
}

/// `Some(Some(n))` for epoch seconds, `Some(None)` for a number we refuse, `None` when
/// `text` is not a number at all.
fn parse_epoch_number(text: &str, rounding: Rounding) -> Option<Option<i64>> {
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (text, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !fraction.is_none_or(digits) {
        return None;
    }
    let seconds = whole.parse::<i64>().ok();
    let carry = match (seconds, fraction) {
        (Some(seconds), Some(fraction)) => i64::from(match rounding {
            Rounding::Aws => rounds_up_to_next_second(seconds, fraction),
            Rounding::Sdk => sdk_rounds_up(fraction),
        }),
        _ => 0,
    };
    Some(seconds.and_then(|s| s.checked_add(carry)))
}

/// Whether `WHOLE.FRACTION` becomes the next second in botocore: `float()` rounds the text to
/// the nearest double, `datetime.fromtimestamp` splits that double with `modf`, multiplies the
/// fraction by 10^6 in double arithmetic and rounds it half to even (CPython's
/// `_PyTime_DoubleToDenominator`), carrying a full million into the seconds; `int()` then
/// drops the microseconds. The same IEEE 754 operations here give the same answer, ties and
/// last bits included (`1893456000.99999949` is `1893456001` in aws).
fn rounds_up_to_next_second(whole: i64, fraction: &str) -> bool {
    // Rust's `parse` rounds to the nearest double, as Python's `float()` does.
    let Ok(value) = format!("{whole}.{fraction}").parse::<f64>() else {
        return false;
    };
    let micros = (value.fract() * 1_000_000.0).round_ties_even();
    value.trunc() as i64 > whole || micros >= 1_000_000.0
}

/// Seconds east of UTC for a zone suffix, `Some(0)` when there is none.
fn parse_offset(text: &str) -> Option<i64> {
    match text {
        "" | "Z" | "z" | "UTC" | "GMT" => return Some(0),
        _ => {}
    }
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let body = &text[1..];
    let (hours, minutes) = match body.len() {
        2 => (body, "00"),
        4 => body.split_at(2),
        5 if body.as_bytes()[2] == b':' => (&body[..2], &body[3..]),
        _ => return None,
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(hours) || !all_digits(minutes) {
        return None;
    }
    let (hours, minutes): (i64, i64) = (hours.parse().ok()?, minutes.parse().ok()?);
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some(sign * (hours * 3_600 + minutes * 60))
}

struct Cursor<'a> {
    rest: &'a str,
}

impl Cursor<'_> {
    fn expect(&mut self, c: char) -> Option<()> {
        self.rest = self.rest.strip_prefix(c)?;
        Some(())
    }

    fn number(&mut self, min: usize, max: usize) -> Option<i64> {
        self.digits(min, max)?.parse().ok()
    }

    fn digits(&mut self, min: usize, max: usize) -> Option<&str> {
        let len = self.rest.bytes().take_while(u8::is_ascii_digit).count();
        if len < min || len > max {
            return None;
        }
        let (digits, rest) = self.rest.split_at(len);
        self.rest = rest;
        Some(digits)
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A date flag's value as epoch seconds; the error names the flag.
pub fn parse_flag(flag: &str, text: &str, rounding: Rounding) -> Result<u64, Failure> {
    let epoch =
        parse_epoch_rounded(text, rounding).map_err(|e| Failure::input(format!("{flag}: {e}")))?;
    u64::try_from(epoch).map_err(|_| Failure::input(format!("{flag}: {text:?} is before 1970")))
}

/// `2030-01-01T00:00:00Z` for `1893456000`.
pub fn iso8601(epoch: u64) -> String {
    let epoch = i64::try_from(epoch).unwrap_or(i64::MAX / 2);
    let (days, seconds) = (epoch.div_euclid(86_400), epoch.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        seconds / 3_600,
        seconds % 3_600 / 60,
        seconds % 60
    )
}

/// The clock, epoch seconds.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected values printed by botocore's parse_to_aware_datetime + datetime2timestamp.
    #[test]
    fn reads_the_formats_aws_cloudfront_sign_documents() {
        for (text, epoch) in [
            ("2030-01-01", 1_893_456_000),
            ("2030-1-1", 1_893_456_000),
            ("2030-01-01T12:34:56", 1_893_501_296),
            ("2030-01-01 12:34:56", 1_893_501_296),
            ("2030-01-01T12:34", 1_893_501_240),
            ("2030-01-01T12", 1_893_499_200),
            ("2030-01-01T12:34:56Z", 1_893_501_296),
            ("2030-01-01T12:34:56.999Z", 1_893_501_296),
            ("2030-01-01T12:34:56+02:00", 1_893_494_096),
            ("2030-01-01T12:34:56-0530", 1_893_521_096),
            ("2030-01-01T12:34:56+05", 1_893_483_296),
            ("2030-01-01T12:34:56.5+01:00", 1_893_497_696),
            ("2030-01-01T00:00:00 UTC", 1_893_456_000),
            ("2024-02-29T00:00:00", 1_709_164_800),
            ("1700000000", 1_700_000_000),
            ("1700000000.9", 1_700_000_000),
            // Rounded to microseconds before the fraction is dropped, as aws does.
            ("1893456000.9999999", 1_893_456_001),
            ("1893456000.9999995", 1_893_456_001),
            ("1893456000.99999949", 1_893_456_001),
            ("1893456000.99999951", 1_893_456_001),
            ("1893456000.9999994", 1_893_456_000),
            ("1893456000.999999", 1_893_456_000),
            ("1893456000.5", 1_893_456_000),
            ("1893456000.", 1_893_456_000),
            ("0.9999996", 1),
            ("0.9999995", 1),
            ("0.99999949", 0),
            (" 1700000000 ", 1_700_000_000),
            ("20301231", 20_301_231),
            ("0", 0),
        ] {
            assert_eq!(parse_epoch(text), Ok(epoch), "{text}");
        }
    }

    /// Expected values printed by `Math.round(new Date(text).getTime() / 1000)`.
    #[test]
    fn rounds_a_fraction_as_get_signed_cookies_does_for_cookies() {
        for (text, epoch) in [
            ("2030-01-01T00:00:00.6Z", 1_893_456_001),
            ("2030-01-01T00:00:00.5Z", 1_893_456_001),
            ("2030-01-01T00:00:00.4999Z", 1_893_456_000),
            ("2030-01-01T00:00:00.9999Z", 1_893_456_001),
            ("2030-01-01T00:00:00Z", 1_893_456_000),
            ("1893456000.5", 1_893_456_001),
            ("1893456000.4999999", 1_893_456_000),
        ] {
            assert_eq!(
                parse_epoch_rounded(text, Rounding::Sdk),
                Ok(epoch),
                "{text}"
            );
        }
        assert_eq!(parse_epoch("2030-01-01T00:00:00.6Z"), Ok(1_893_456_000));
    }

    #[test]
    fn rejects_impossible_and_unknown_dates() {
        for text in [
            "",
            "2030-02-30",
            "2023-02-29",
            "2030-13-01",
            "2030-01-01T24:00:00",
            "2030-01-01T12:34:60",
            "2030-01-01Z",
            "2030-01-01T12:34:56+24:00",
            "2030-01-01T12:34:56 PST",
            "tomorrow",
            "-5",
            "1e9",
            "99999999999999999999",
        ] {
            assert!(parse_epoch(text).is_err(), "{text}");
        }
    }

    #[test]
    fn prints_iso8601_utc_and_round_trips() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_709_164_800), "2024-02-29T00:00:00Z");
        assert_eq!(iso8601(2_147_483_647), "2038-01-19T03:14:07Z");
        for epoch in (0..2_147_483_647u64).step_by(7_919_993) {
            assert_eq!(parse_epoch(&iso8601(epoch)), Ok(epoch as i64));
        }
    }
}
