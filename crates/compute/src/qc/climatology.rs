//! QARTOD climatology test: seasonal (and depth-binned) expected ranges, SUSPECT or FAIL outside them.

use super::{FAIL, GOOD, MISSING, SUSPECT, Span, UNKNOWN, missing};

/// A calendar field of a UTC time, as pandas `Timestamp` attributes name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Year,
    /// 1–4.
    Quarter,
    /// 1–12.
    Month,
    /// ISO 8601 week 1–53 (`week` / `weekofyear`): 30 Dec 2024 is in week 1 of 2025.
    Week,
    /// 1–366.
    DayOfYear,
    /// Day of the month, 1–31.
    Day,
    /// Monday 0 … Sunday 6 (`dayofweek`, `weekday`).
    DayOfWeek,
    Hour,
    Minute,
    Second,
    /// Days in the month of the time, 28–31 (`days_in_month`).
    DaysInMonth,
}

impl Period {
    /// The pandas attribute name → period; `None` for names this test does not know.
    pub fn from_pandas_name(name: &str) -> Option<Period> {
        Some(match name {
            "year" => Period::Year,
            "quarter" => Period::Quarter,
            "month" => Period::Month,
            "week" | "weekofyear" => Period::Week,
            "dayofyear" | "day_of_year" => Period::DayOfYear,
            "day" => Period::Day,
            "dayofweek" | "day_of_week" | "weekday" => Period::DayOfWeek,
            "hour" => Period::Hour,
            "minute" => Period::Minute,
            "second" => Period::Second,
            "days_in_month" | "daysinmonth" => Period::DaysInMonth,
            _ => return None,
        })
    }

    /// The field of a UTC time in seconds since the epoch.
    pub fn of(self, t: i64) -> i64 {
        CivilTime::new(t).field(self)
    }
}

/// A UTC time split into its day count, civil date and second of the day, computed once per row.
struct CivilTime {
    days: i64,
    secs: i64,
    y: i64,
    m: i64,
    d: i64,
}

impl CivilTime {
    fn new(t: i64) -> CivilTime {
        let days = t.div_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        CivilTime { days, secs: t.rem_euclid(86_400), y, m, d }
    }

    fn field(&self, period: Period) -> i64 {
        let (y, m) = (self.y, self.m);
        match period {
            Period::Year => y,
            Period::Quarter => (m - 1) / 3 + 1,
            Period::Month => m,
            Period::Week => iso_week(self.days),
            Period::DayOfYear => self.days - days_from_civil(y, 1, 1) + 1,
            Period::Day => self.d,
            Period::DayOfWeek => weekday(self.days),
            Period::Hour => self.secs / 3600,
            Period::Minute => self.secs / 60 % 60,
            Period::Second => self.secs % 60,
            Period::DaysInMonth => days_in_month(y, m),
        }
    }
}

/// When a member applies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TimeSpan {
    /// UTC times in seconds, both ends inclusive (a date `"2024-08-31"` is 00:00 of that day).
    Dates { start: i64, end: i64 },
    /// A calendar field between two numbers, both ends inclusive (the ends are sorted).
    Period { period: Period, span: Span },
}

/// One member of a climatology: a time span, an optional depth bin and its expected value ranges.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClimatologyMember {
    pub tspan: TimeSpan,
    /// Values outside are SUSPECT (`vspan`).
    pub vspan: Span,
    /// Values outside are FAIL (`fspan`, optional).
    pub fspan: Option<Span>,
    /// Depth bin, metres positive down, both ends inclusive (`zspan`, optional).
    pub zspan: Option<Span>,
}

/// Flags values against the climatology member that covers their time (and depth).
///
/// Rule (QARTOD T/S manual v2.1, test 10; `ioos_qc.qartod.climatology_test`): every row starts at 2
/// (9 when the value is missing). Members are applied in order and each covered row is re-flagged, so
/// the last covering member wins: outside `fspan` → 4, else outside `vspan` → 3, else 1 (strict bounds).
/// A member with a `zspan` is skipped entirely when no row has a depth.
///
/// ioos_qc behaviour (numpy masked arrays meeting pandas): what a missing value or depth does depends
/// on the kind of time span.
/// - Date spans and `week` (numpy arrays, masked entries read as their raw comparison, i.e. false): a row
///   is covered when its time is in the span and, with a `zspan`, its depth is present and inside it;
///   without a `zspan` a missing value is never covered (stays 9). A covered missing value comes out 1.
///   (±inf is masked as missing too, yet compared as itself here: covered, and 4 or 3.)
/// - Every other period (`month`, `quarter`, `dayofyear`, …; a pandas Series, which reads every masked
///   entry as true whatever the other operand): a missing value is re-flagged 1 by the member at any
///   time and depth; a present value with a missing depth is judged by a `zspan` member at any time.
///   So one such member turns every missing value of the series into 1.
///
/// Cost: one calendar conversion per row, and O(members) comparisons per row except when every member is
/// a plain calendar-period member of one period, where the covering member is looked up.
pub fn climatology(values: &[f64], times: &[i64], depths: &[f64], members: &[ClimatologyMember]) -> Vec<u8> {
    let n = values.len().min(times.len());
    let depth = |i: usize| depths.get(i).copied().unwrap_or(f64::NAN);
    let any_depth = (0..n).any(|i| !missing(depth(i)));
    let flags: Vec<u8> = values[..n].iter().map(|&v| if missing(v) { MISSING } else { UNKNOWN }).collect();
    // A member with a zspan is skipped when no row has a depth (ioos_qc: `zinp.count() == 0`).
    let active: Vec<&ClimatologyMember> = members.iter().filter(|m| m.zspan.is_none() || any_depth).collect();
    if active.is_empty() {
        return flags;
    }
    match period_lookup(&active) {
        Some((period, cover)) => by_lookup(values, times, &active, period, &cover, flags),
        None => by_scan(values, times, depths, &active, flags),
    }
}

/// The fast path of [`climatology`] (see [`period_lookup`]); gives what [`by_scan`] gives.
fn by_lookup(
    values: &[f64],
    times: &[i64],
    active: &[&ClimatologyMember],
    period: Period,
    cover: &[Option<usize>],
    mut flags: Vec<u8>,
) -> Vec<u8> {
    for (i, flag) in flags.iter_mut().enumerate() {
        let v = values[i];
        if missing(v) {
            // The last member covers a masked value, and a masked value is GOOD (see `by_scan`).
            *flag = GOOD;
            continue;
        }
        let field = CivilTime::new(times[i]).field(period);
        let Some(m) = usize::try_from(field).ok().and_then(|f| cover.get(f).copied().flatten()) else { continue };
        let m = active[m];
        *flag = if m.fspan.is_some_and(|f| f.excludes(v)) {
            FAIL
        } else if m.vspan.excludes(v) {
            SUSPECT
        } else {
            GOOD
        };
    }
    flags
}

/// The general rule of [`climatology`]: members in reverse, the first covering one decides.
fn by_scan(
    values: &[f64],
    times: &[i64],
    depths: &[f64],
    active: &[&ClimatologyMember],
    mut flags: Vec<u8>,
) -> Vec<u8> {
    let depth = |i: usize| depths.get(i).copied().unwrap_or(f64::NAN);
    for (i, flag) in flags.iter_mut().enumerate() {
        let (t, v, z) = (times[i], values[i], depth(i));
        let date = CivilTime::new(t);
        let in_depth = |zs: Span| zs.min <= z && z <= zs.max;
        // Members apply in order, each re-flagging what it covers: the last covering member wins.
        for m in active.iter().rev() {
            let in_time = || match m.tspan {
                TimeSpan::Dates { start, end } => start <= t && t <= end,
                TimeSpan::Period { period, span } => {
                    let p = date.field(period) as f64;
                    span.min <= p && p <= span.max
                }
            };
            // Date spans and ISO weeks go through numpy arrays; the other periods through a pandas Series.
            let masks_kept = matches!(m.tspan, TimeSpan::Dates { .. } | TimeSpan::Period { period: Period::Week, .. });
            let covered = if masks_kept {
                in_time() && m.zspan.map_or(!v.is_nan(), |zs| !missing(z) && in_depth(zs))
            } else {
                missing(v) || (m.zspan.is_some() && missing(z)) || (in_time() && m.zspan.is_none_or(in_depth))
            };
            if !covered {
                continue;
            }
            // A masked value is GOOD: a Series reads its spans' masked tests as all true, numpy arrays
            // read NaN comparisons as false. ±inf in numpy arrays compares as itself.
            *flag = if v.is_nan() || (missing(v) && !masks_kept) {
                GOOD
            } else if m.fspan.is_some_and(|f| f.excludes(v)) {
                FAIL
            } else if m.vspan.excludes(v) {
                SUSPECT
            } else {
                GOOD
            };
            break;
        }
    }
    flags
}

/// Largest calendar field value of the periods [`period_lookup`] handles (day of year).
const MAX_FIELD: usize = 366;

/// When every member is a calendar-period member of one period (not ISO week, not year) without a depth
/// bin, the member that covers a present value depends only on the value's calendar field: returns the
/// period and, for each field value 0..=366, the index of the last member covering it (the last wins).
fn period_lookup(members: &[&ClimatologyMember]) -> Option<(Period, Vec<Option<usize>>)> {
    let mut period = None;
    for m in members {
        match m.tspan {
            TimeSpan::Period { period: p, .. } if m.zspan.is_none() && !matches!(p, Period::Week | Period::Year) => {
                if period.is_some_and(|q| q != p) {
                    return None;
                }
                period = Some(p);
            }
            _ => return None,
        }
    }
    let period = period?;
    let cover = (0..=MAX_FIELD)
        .map(|f| {
            members.iter().rposition(|m| match m.tspan {
                TimeSpan::Period { span, .. } => span.min <= f as f64 && f as f64 <= span.max,
                TimeSpan::Dates { .. } => false,
            })
        })
        .collect();
    Some((period, cover))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Proleptic Gregorian `(year, month, day)` of a day count since 1970-01-01 (`civil_from_days`).
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Monday 0 … Sunday 6 (1970-01-01 was a Thursday).
fn weekday(days: i64) -> i64 {
    (days + 3).rem_euclid(7)
}

/// ISO 8601 week number: the week (Monday–Sunday) holding the year's first Thursday is week 1.
fn iso_week(days: i64) -> i64 {
    // The Thursday of this date's week decides the ISO year.
    let thursday = days - weekday(days) + 3;
    let (y, _, _) = civil_from_days(thursday);
    (thursday - days_from_civil(y, 1, 1)) / 7 + 1
}

fn days_in_month(y: i64, m: i64) -> i64 {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    days_from_civil(ny, nm, 1) - days_from_civil(y, m, 1)
}

#[cfg(test)]
mod lookup_tests {
    use super::*;

    /// The lookup path must give exactly what the general scan gives, for every period it handles.
    #[test]
    fn lookup_equals_scan_on_random_members_and_values() {
        let mut state = 0x1234_5678_9abc_def1u64;
        let mut rnd = move || {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
        };
        let periods = [
            (Period::Month, 12.0),
            (Period::Quarter, 4.0),
            (Period::DayOfYear, 366.0),
            (Period::Day, 31.0),
            (Period::DayOfWeek, 6.0),
            (Period::Hour, 23.0),
            (Period::Minute, 59.0),
            (Period::Second, 59.0),
            (Period::DaysInMonth, 31.0),
        ];
        let mut cases = 0;
        for round in 0..300 {
            let (period, top) = periods[round % periods.len()];
            let n_members = 1 + (rnd() * 6.0) as usize;
            let members: Vec<ClimatologyMember> = (0..n_members)
                .map(|_| {
                    let (a, b) = (rnd() * top, rnd() * top);
                    let lo = rnd() * 20.0;
                    ClimatologyMember {
                        tspan: TimeSpan::Period { period, span: Span::new(a.round(), b) },
                        vspan: Span::new(lo, lo + rnd() * 15.0),
                        fspan: (rnd() < 0.7).then(|| Span::new(lo - 5.0, lo + 25.0)),
                        zspan: None,
                    }
                })
                .collect();
            let n = 200;
            let t0 = 1_500_000_000i64 + (rnd() * 1e8) as i64;
            let times: Vec<i64> = (0..n).map(|k| t0 + k * (1 + (rnd() * 200_000.0) as i64)).collect();
            let values: Vec<f64> = (0..n)
                .map(|_| match (rnd() * 20.0) as u32 {
                    0 => f64::NAN,
                    1 => f64::INFINITY,
                    _ => rnd() * 40.0 - 5.0,
                })
                .collect();
            let depths = vec![f64::NAN; n as usize];
            let refs: Vec<&ClimatologyMember> = members.iter().collect();
            let init = || values.iter().map(|&v| if missing(v) { MISSING } else { UNKNOWN }).collect::<Vec<u8>>();
            let (p, cover) = period_lookup(&refs).expect("lookup applies");
            let fast = by_lookup(&values, &times, &refs, p, &cover, init());
            let slow = by_scan(&values, &times, &depths, &refs, init());
            assert_eq!(fast, slow, "round {round}: {members:?}");
            cases += 1;
        }
        assert_eq!(cases, 300);
    }
}
