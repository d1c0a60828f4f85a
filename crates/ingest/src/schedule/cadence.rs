//! When a job runs: `hourly` (live mode), `daily` (the default), `weekly`, `every 15m` / `every 6h` /
//! `every 2d` (fixed steps counted from the Unix epoch), or a five-field cron expression
//! (`minute hour day-of-month month day-of-week`, UTC; `*`, `a-b`, lists, `/step`; day of week 0–7 with
//! 0 and 7 Sunday; as in Vixie cron, a restricted day of month and day of week match when either does).

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc};

/// A bad cadence, with what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cadence {text:?}: {why} (use hourly, daily, weekly, \"every 15m\" or a cron expression like \"0 */6 * * *\")")]
pub struct CadenceError {
    pub text: String,
    pub why: String,
}

/// A parsed cadence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cadence {
    /// A fixed step in seconds, aligned to multiples of it since the epoch.
    Every(i64),
    Cron(Box<Cron>),
}

/// A cron expression as sets of allowed values (bit i set = value i allowed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    text: String,
    minutes: u64,
    hours: u32,
    days: u32,
    months: u16,
    weekdays: u8,
    /// Whether day of month / day of week were `*` (Vixie cron's rule for combining them).
    any_day: bool,
    any_weekday: bool,
}

fn field(text: &str, spec: &str, lo: u32, hi: u32, name: &str) -> Result<u64, CadenceError> {
    let err = |why: String| CadenceError { text: text.to_string(), why };
    let mut bits = 0u64;
    for part in spec.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => {
                let s: u32 = s.parse().map_err(|_| err(format!("{name}: step {s:?} is not a number")))?;
                if s == 0 {
                    return Err(err(format!("{name}: step 0")));
                }
                (r, s)
            }
            None => (part, 1),
        };
        let num = |s: &str| -> Result<u32, CadenceError> {
            let v: u32 = s.parse().map_err(|_| err(format!("{name}: {s:?} is not a number")))?;
            if v < lo || v > hi {
                return Err(err(format!("{name}: {v} is outside {lo}-{hi}")));
            }
            Ok(v)
        };
        let (a, b) = if range == "*" {
            (lo, hi)
        } else if let Some((a, b)) = range.split_once('-') {
            let (a, b) = (num(a)?, num(b)?);
            if a > b {
                return Err(err(format!("{name}: range {a}-{b} is backwards")));
            }
            (a, b)
        } else {
            let a = num(range)?;
            (a, if part.contains('/') { hi } else { a })
        };
        let mut v = a;
        while v <= b {
            bits |= 1 << v;
            v += step;
        }
    }
    Ok(bits)
}

impl Cron {
    pub fn parse(text: &str) -> Result<Cron, CadenceError> {
        let f: Vec<&str> = text.split_whitespace().collect();
        if f.len() != 5 {
            return Err(CadenceError {
                text: text.into(),
                why: format!("{} fields, a cron expression has 5", f.len()),
            });
        }
        let mut weekdays = field(text, f[4], 0, 7, "day of week")?;
        if weekdays & (1 << 7) != 0 {
            weekdays = (weekdays | 1) & 0x7f;
        }
        Ok(Cron {
            text: text.to_string(),
            minutes: field(text, f[0], 0, 59, "minute")?,
            hours: field(text, f[1], 0, 23, "hour")? as u32,
            days: field(text, f[2], 1, 31, "day of month")? as u32,
            months: field(text, f[3], 1, 12, "month")? as u16,
            weekdays: weekdays as u8,
            any_day: f[2] == "*",
            any_weekday: f[4] == "*",
        })
    }

    fn day_matches(&self, d: NaiveDate) -> bool {
        let dom = self.days & (1 << d.day()) != 0;
        let dow = self.weekdays & (1 << d.weekday().num_days_from_sunday()) != 0;
        match (self.any_day, self.any_weekday) {
            (false, false) => dom || dow,
            _ => dom && dow,
        }
    }

    /// The first matching minute strictly after `t`, within eight years (else `None`: it never fires).
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let start = t.with_second(0)?.with_nanosecond(0)? + Duration::minutes(1);
        let mut day = start.date_naive();
        let limit = day + Duration::days(366 * 8);
        let (mut first_hour, mut first_minute) = (start.hour(), start.minute());
        while day <= limit {
            if self.months & (1 << day.month()) == 0 {
                // The first day of the next month.
                let (y, m) = if day.month() == 12 { (day.year() + 1, 1) } else { (day.year(), day.month() + 1) };
                day = NaiveDate::from_ymd_opt(y, m, 1)?;
                (first_hour, first_minute) = (0, 0);
                continue;
            }
            if self.day_matches(day) {
                for h in first_hour..24 {
                    if self.hours & (1 << h) == 0 {
                        continue;
                    }
                    let from = if h == first_hour { first_minute } else { 0 };
                    if let Some(m) = (from..60).find(|m| self.minutes & (1 << m) != 0) {
                        return Utc.from_local_datetime(&day.and_hms_opt(h, m, 0)?).single();
                    }
                }
            }
            day = day.succ_opt()?;
            (first_hour, first_minute) = (0, 0);
        }
        None
    }
}

impl Cadence {
    /// Parses a cadence (see the module doc).
    pub fn parse(text: &str) -> Result<Cadence, CadenceError> {
        let t = text.trim();
        let cron = match t.to_ascii_lowercase().as_str() {
            "hourly" | "@hourly" => "0 * * * *".to_string(),
            "daily" | "@daily" | "@midnight" => "0 0 * * *".to_string(),
            "weekly" | "@weekly" => "0 0 * * 0".to_string(),
            "monthly" | "@monthly" => "0 0 1 * *".to_string(),
            s if s.starts_with("every ") => {
                let n = s["every ".len()..].trim();
                let err = |why: &str| CadenceError { text: text.into(), why: why.into() };
                let (num, unit) = n.split_at(n.find(|c: char| !c.is_ascii_digit()).unwrap_or(n.len()));
                let num: i64 = num.parse().map_err(|_| err("\"every\" needs a number, e.g. every 15m"))?;
                let secs = match unit.trim() {
                    "s" | "sec" | "secs" | "second" | "seconds" => 1,
                    "m" | "min" | "mins" | "minute" | "minutes" => 60,
                    "h" | "hour" | "hours" => 3600,
                    "d" | "day" | "days" => 86_400,
                    _ => return Err(err("the unit must be s, m, h or d")),
                };
                if num <= 0 || num.checked_mul(secs).is_none_or(|s| s < 60) {
                    return Err(err("the step must be at least one minute"));
                }
                return Ok(Cadence::Every(num * secs));
            }
            _ => t.to_string(),
        };
        let c = Cron::parse(&cron)?;
        if c.next_after(Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).single().unwrap_or_default()).is_none() {
            return Err(CadenceError { text: text.into(), why: "it never fires".into() });
        }
        Ok(Cadence::Cron(Box::new(c)))
    }

    /// The first run time strictly after `t` (`None` only for a cron expression with no match in eight
    /// years from `t`).
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Cadence::Every(secs) => {
                let s = t.timestamp();
                Utc.timestamp_opt(s.div_euclid(*secs) * secs + secs, 0).single()
            }
            Cadence::Cron(c) => c.next_after(t),
        }
    }

    /// The cadence as written in a cron expression or `every Ns`.
    pub fn describe(&self) -> String {
        match self {
            Cadence::Every(s) => format!("every {s}s"),
            Cadence::Cron(c) => c.text.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn next(c: &str, t: &str) -> String {
        Cadence::parse(c).unwrap().next_after(at(t)).unwrap().to_rfc3339()
    }

    #[test]
    fn named_cadences_and_steps() {
        assert_eq!(next("hourly", "2025-03-01T10:00:00Z"), "2025-03-01T11:00:00+00:00");
        assert_eq!(next("hourly", "2025-03-01T10:59:59Z"), "2025-03-01T11:00:00+00:00");
        assert_eq!(next("daily", "2025-12-31T00:00:00Z"), "2026-01-01T00:00:00+00:00");
        assert_eq!(next("weekly", "2025-03-01T10:00:00Z"), "2025-03-02T00:00:00+00:00"); // a Sunday
        assert_eq!(next("every 15m", "2025-03-01T10:07:00Z"), "2025-03-01T10:15:00+00:00");
        assert_eq!(next("every 6h", "2025-03-01T18:00:00Z"), "2025-03-02T00:00:00+00:00");
    }

    #[test]
    fn cron_fields_ranges_steps_and_weekdays() {
        // Every 15 minutes in office hours on weekdays: Friday 17:50 → Monday 09:00.
        assert_eq!(next("*/15 9-17 * * 1-5", "2025-02-28T17:50:00Z"), "2025-03-03T09:00:00+00:00");
        assert_eq!(next("30 2 * * 7", "2025-03-01T00:00:00Z"), "2025-03-02T02:30:00+00:00");
        assert_eq!(next("0 0 29 2 *", "2025-03-01T00:00:00Z"), "2028-02-29T00:00:00+00:00");
        // Day of month OR day of week when both are restricted: the 13th, or any Friday.
        assert_eq!(next("0 12 13 * 5", "2025-06-01T00:00:00Z"), "2025-06-06T12:00:00+00:00");
        assert_eq!(next("5,10 * * * *", "2025-06-01T00:05:00Z"), "2025-06-01T00:10:00+00:00");
        assert_eq!(next("0 0 1 1,7 *", "2025-02-01T00:00:00Z"), "2025-07-01T00:00:00+00:00");
    }

    #[test]
    fn bad_cadences_say_why() {
        for (c, why) in [
            ("0 * * *", "4 fields"),
            ("61 * * * *", "outside 0-59"),
            ("*/0 * * * *", "step 0"),
            ("0 0 31 2 *", "never fires"),
            ("5-1 * * * *", "backwards"),
            ("every 10s", "at least one minute"),
            ("every x", "needs a number"),
            ("sometimes", "1 fields"),
        ] {
            let e = Cadence::parse(c).unwrap_err().to_string();
            assert!(e.contains(why), "{c}: {e}");
        }
    }
}
