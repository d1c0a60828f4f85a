//! ERDDAP's time values: ISO 8601 (`2020-01`, `2020-01-02T03:04:05Z`), epoch seconds (`1.6E9`) and
//! `now[+-]N units` (`Calendar2.nowStringToZdt`), all UTC; and the ISO form every output uses.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};

/// Parses a time constraint value into epoch seconds (`NaN` for `NaN` or an empty value, which test for
/// a missing time). `now` is the current time (passed in, so tests are deterministic).
pub fn parse_time(s: &str, now: DateTime<Utc>) -> Result<f64, String> {
    let s = s.trim();
    if s.is_empty() || s == "NaN" {
        return Ok(f64::NAN);
    }
    if s.len() >= 3 && s[..3].eq_ignore_ascii_case("now") {
        return parse_now(s, now);
    }
    if looks_iso(s) {
        return parse_iso(s).ok_or_else(|| format!("Invalid ISO 8601 time value=\"{s}\"."));
    }
    match s.parse::<f64>() {
        Ok(v) if !v.is_infinite() => Ok(v),
        _ => {
            Err(format!("Invalid time value=\"{s}\": use ISO 8601 (2020-01-01T00:00:00Z), epoch seconds or now-7days."))
        }
    }
}

/// `-?\d{4}-[01]?\d(|\-\d.*)` (`Calendar2.ISO_DATE_PATTERN`).
fn looks_iso(s: &str) -> bool {
    let b = s.strip_prefix('-').unwrap_or(s).as_bytes();
    b.len() >= 6 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' && b[5].is_ascii_digit()
}

fn parse_iso(s: &str) -> Option<f64> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let mut it = body.splitn(2, ['T', ' ']);
    let date = it.next()?;
    let rest = it.next().unwrap_or("");
    let mut d = date.split('-');
    let year: i32 = d.next()?.parse().ok()?;
    let month: u32 = d.next()?.parse().ok()?;
    let day: u32 = match d.next() {
        Some(x) => x.parse().ok()?,
        None => 1,
    };
    if d.next().is_some() {
        return None;
    }
    let year = if neg { -year } else { year };
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    // Time part with an optional zone: Z, +hh:mm, -hh:mm, +hhmm.
    let (clock, offset) = split_zone(rest)?;
    let mut c = clock.split(':');
    let h: u32 = c.next().filter(|x| !x.is_empty()).map_or(Some(0), |x| x.parse().ok())?;
    let m: u32 = c.next().map_or(Some(0), |x| x.parse().ok())?;
    let sec: f64 = c.next().map_or(Some(0.0), |x| x.parse().ok())?;
    if c.next().is_some() || h > 24 || m > 59 || !(0.0..61.0).contains(&sec) {
        return None;
    }
    let days = date.signed_duration_since(NaiveDate::from_ymd_opt(1970, 1, 1)?).num_days();
    Some(days as f64 * 86400.0 + (h * 3600 + m * 60) as f64 + sec - offset)
}

fn split_zone(rest: &str) -> Option<(&str, f64)> {
    if let Some(c) = rest.strip_suffix('Z') {
        return Some((c, 0.0));
    }
    if let Some(i) = rest.rfind(['+', '-']) {
        let (clock, zone) = rest.split_at(i);
        let sign = if zone.starts_with('-') { -1.0 } else { 1.0 };
        let z = zone[1..].replace(':', "");
        if z.len() != 4 || !z.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let hh: f64 = z[..2].parse().ok()?;
        let mm: f64 = z[2..].parse().ok()?;
        return Some((clock, sign * (hh * 3600.0 + mm * 60.0)));
    }
    Some((rest, 0.0))
}

fn parse_now(s: &str, now: DateTime<Utc>) -> Result<f64, String> {
    let bad = || {
        format!(
            "Invalid \"now\" constraint: \"{s}\". Timestamp constraints with \"now\" must be in the form \"now[+|-positiveInteger[millis|seconds|minutes|hours|days|months|years]]\" (or singular units)."
        )
    };
    // `now` rounds up to the next whole second.
    let base = (now.timestamp_millis() as f64 / 1000.0).ceil();
    let rest = &s[3..];
    if rest.is_empty() {
        return Ok(base);
    }
    let rest = match rest.strip_prefix(' ') {
        Some(r) => format!("+{r}"),
        None => rest.to_string(),
    };
    add_time_offset(base, &rest).ok_or_else(bad)
}

/// `base` (epoch seconds) moved by `[+|-][N]units` (`-7days`, `+1month`); months and years move the
/// calendar date (the day clamped to the month's end). `None` when the offset is malformed.
pub(crate) fn add_time_offset(base: f64, offset: &str) -> Option<f64> {
    let sign = match offset.as_bytes().first()? {
        b'-' => -1.0,
        b'+' => 1.0,
        _ => return None,
    };
    let rest = &offset[1..];
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let n: i64 = if digits == 0 { 1 } else { rest[..digits].parse().ok()? };
    let unit = rest[digits..].to_ascii_lowercase();
    let secs = match unit.as_str() {
        "ms" | "msec" | "msecs" | "millis" | "millisecond" | "milliseconds" => 0.001,
        "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => 86400.0,
        "week" | "weeks" => 7.0 * 86400.0,
        "mon" | "mons" | "month" | "months" => {
            let t = DateTime::<Utc>::from_timestamp(base.floor() as i64, 0)?;
            return add_months(t, sign as i64 * n).map(|x| x + base.fract());
        }
        "yr" | "yrs" | "year" | "years" => {
            let t = DateTime::<Utc>::from_timestamp(base.floor() as i64, 0)?;
            return add_months(t, sign as i64 * n * 12).map(|x| x + base.fract());
        }
        _ => return None,
    };
    Some(base + sign * n as f64 * secs)
}

fn add_months(t: DateTime<Utc>, months: i64) -> Option<f64> {
    let total = t.year() as i64 * 12 + t.month0() as i64 + months;
    let (y, m0) = (total.div_euclid(12) as i32, total.rem_euclid(12) as u32);
    let mut day = t.day();
    let date = loop {
        if let Some(d) = NaiveDate::from_ymd_opt(y, m0 + 1, day) {
            break d;
        }
        day = day.checked_sub(1).filter(|&d| d > 0)?;
    };
    let dt = date.and_hms_opt(t.hour(), t.minute(), t.second())?;
    Some(dt.and_utc().timestamp() as f64)
}

/// `yyyy-MM-ddTHH:mm:ssZ` (rounded to the second), as ERDDAP writes times; empty for NaN.
pub fn format_iso(secs: f64, out: &mut Vec<u8>) {
    if !secs.is_finite() {
        return;
    }
    let s = secs.round() as i64;
    let days = s.div_euclid(86400);
    let sod = s.rem_euclid(86400);
    let (y, m, d) = civil_from_days(days);
    let (h, mi, se) = (sod / 3600, sod / 60 % 60, sod % 60);
    if (0..=9999).contains(&y) {
        let b = [
            b'0' + (y / 1000) as u8,
            b'0' + (y / 100 % 10) as u8,
            b'0' + (y / 10 % 10) as u8,
            b'0' + (y % 10) as u8,
            b'-',
            b'0' + (m / 10) as u8,
            b'0' + (m % 10) as u8,
            b'-',
            b'0' + (d / 10) as u8,
            b'0' + (d % 10) as u8,
            b'T',
            b'0' + (h / 10) as u8,
            b'0' + (h % 10) as u8,
            b':',
            b'0' + (mi / 10) as u8,
            b'0' + (mi % 10) as u8,
            b':',
            b'0' + (se / 10) as u8,
            b'0' + (se % 10) as u8,
            b'Z',
        ];
        out.extend_from_slice(&b);
    } else {
        out.extend_from_slice(format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{se:02}Z").as_bytes());
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// The ISO form as a `String`.
pub fn iso_string(secs: f64) -> String {
    let mut v = Vec::with_capacity(20);
    format_iso(secs, &mut v);
    String::from_utf8(v).unwrap_or_default()
}
