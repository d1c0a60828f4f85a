//! Daily and monthly climatologies of a time series: mean, standard deviation and sample count per calendar day.
//!
//! Values are in the series' own units (°C for temperature, hPa for pressure, ...); times are UTC seconds
//! since the Unix epoch. A value is missing when it is not finite (NaN or ±inf); missing values are skipped.
//!
//! - **Calendar day**: 1..=365, the day of year of the date's month and day in a common (non-leap) year,
//!   so 1 Aug is day 213 in every year. 29 Feb is folded onto 28 Feb (day 59): with the raw day of year
//!   the samples of one date would split between two indices after February of leap years, and the
//!   folded day only weighs a quarter more than its neighbours, which the smoothing window absorbs.
//! - **Daily climatology**: for each calendar day `d`, the mean and the sample standard deviation
//!   (`n − 1` denominator) of all samples whose calendar day lies in the centred window `d − N ..= d + N`
//!   (default `N` = [`DEFAULT_HALF_WINDOW_DAYS`] = 15, so 31 days), circular across the year end
//!   (1 Jan pools 17 Dec–16 Jan). The samples are pooled, so a year with more samples weighs more; with
//!   one sample per day, a 31-day window over 30 years pools 930 samples. A day with fewer than
//!   `min_count` pooled samples (default [`DEFAULT_MIN_COUNT`] = 30) has no climatology.
//! - **Monthly climatology**: the same statistics over all samples of each calendar month (no window).
//!
//! Sums are kept per day with Welford's update and merged across the window with Chan et al.'s pairwise
//! formula (Chan, Golub & LeVeque 1983), so a series far from zero (pressure in hPa) loses no precision.
//!
//! Over 30 complete years of daily values, `daily_climatology(&times, &values, DailyOptions::default())
//! .on(8, 1)` is the `Stats { mean, sd, count: 930 }` of the samples of 17 Jul–16 Aug.

use crate::qc::climatology::civil_from_days;

/// Half-width of the smoothing window in days: 15, a 31-day centred window.
pub const DEFAULT_HALF_WINDOW_DAYS: usize = 15;
/// Fewest pooled samples behind a day (or month) with a climatology.
pub const DEFAULT_MIN_COUNT: usize = 30;
/// Days in the climatological year (29 Feb folded onto 28 Feb).
pub const CALENDAR_DAYS: usize = 365;

/// First calendar day of each month in a common year, minus one.
const MONTH_START: [u16; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
/// Days in each month of a common year.
const MONTH_DAYS: [u16; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const MONTH_NAMES: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Mean, sample standard deviation and count of a set of samples, in the series' units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    pub mean: f64,
    /// Sample standard deviation (`n − 1` denominator); 0 for a single sample.
    pub sd: f64,
    pub count: usize,
}

/// Running moments of one group of samples: count, mean and sum of squared deviations (Welford).
#[derive(Debug, Clone, Copy, Default)]
struct Moments {
    n: usize,
    mean: f64,
    m2: f64,
}

impl Moments {
    fn push(&mut self, x: f64) {
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// Chan et al.'s merge of two groups.
    fn merge(&mut self, other: &Moments) {
        if other.n == 0 {
            return;
        }
        let n = self.n + other.n;
        let delta = other.mean - self.mean;
        self.mean += delta * other.n as f64 / n as f64;
        self.m2 += other.m2 + delta * delta * (self.n as f64) * (other.n as f64) / n as f64;
        self.n = n;
    }

    fn stats(&self) -> Stats {
        let sd = if self.n > 1 { (self.m2.max(0.0) / (self.n - 1) as f64).sqrt() } else { 0.0 };
        Stats { mean: if self.n > 0 { self.mean } else { f64::NAN }, sd, count: self.n }
    }
}

/// Settings of [`daily_climatology`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DailyOptions {
    /// The window pools the days `d − half_window_days ..= d + half_window_days` (circular); 0 = no smoothing.
    pub half_window_days: usize,
    /// Fewest pooled samples for a day to have a climatology.
    pub min_count: usize,
}

impl Default for DailyOptions {
    fn default() -> DailyOptions {
        DailyOptions { half_window_days: DEFAULT_HALF_WINDOW_DAYS, min_count: DEFAULT_MIN_COUNT }
    }
}

/// A daily climatology: the pooled statistics of each of the 365 calendar days.
#[derive(Debug, Clone, PartialEq)]
pub struct DailyClimatology {
    /// Index `d − 1` for calendar day `d`; kept even below `min_count` so the counts can be reported.
    days: Vec<Stats>,
    min_count: usize,
    years: Option<(i64, i64)>,
}

impl DailyClimatology {
    /// The climatology of calendar day `day` (1..=365); `None` outside that range or when fewer than
    /// `min_count` samples lie behind it.
    pub fn day(&self, day: u16) -> Option<Stats> {
        let s = *self.days.get(usize::from(day).checked_sub(1)?)?;
        (s.count >= self.min_count && s.count > 0).then_some(s)
    }

    /// The climatology of a date (`month` 1..=12, `day` 1..=31); 29 Feb reads 28 Feb.
    pub fn on(&self, month: u8, day: u8) -> Option<Stats> {
        self.day(calendar_day_of(month, day)?)
    }

    /// The climatology of the calendar day of a UTC time in seconds.
    pub fn at(&self, t: i64) -> Option<Stats> {
        self.day(calendar_day(t))
    }

    /// Samples pooled behind calendar day `day` (1..=365), whether or not it reaches `min_count`.
    pub fn count(&self, day: u16) -> usize {
        usize::from(day).checked_sub(1).and_then(|i| self.days.get(i)).map_or(0, |s| s.count)
    }

    /// The first and last calendar year of the samples used; `None` when there were none.
    pub fn years(&self) -> Option<(i64, i64)> {
        self.years
    }
}

/// The calendar day (1..=365) of a UTC time in seconds: the day of year of its month and day in a common
/// year, 29 Feb folded onto 28 Feb. `calendar_day(0)` (1970-01-01) is 1; 1 Aug is 213 in any year.
pub fn calendar_day(t: i64) -> u16 {
    let (_, m, d) = civil_from_days(t.div_euclid(86_400));
    // civil_from_days gives 1 ≤ m ≤ 12 and 1 ≤ d ≤ 31.
    let m = (m - 1) as usize;
    MONTH_START[m] + (d as u16).min(MONTH_DAYS[m])
}

/// The calendar day (1..=365) of a month (1..=12) and day; 29 Feb → 59 (28 Feb); `None` for no such date.
pub fn calendar_day_of(month: u8, day: u8) -> Option<u16> {
    let m = usize::from(month).checked_sub(1).filter(|&m| m < 12)?;
    let last = if m == 1 { 29 } else { MONTH_DAYS[m] };
    (1..=last).contains(&u16::from(day)).then(|| MONTH_START[m] + u16::from(day).min(MONTH_DAYS[m]))
}

/// The month (1..=12) and day of a calendar day (1..=365); `None` outside that range.
/// `month_day(213)` is `Some((8, 1))`.
pub fn month_day(day: u16) -> Option<(u8, u8)> {
    if !(1..=CALENDAR_DAYS as u16).contains(&day) {
        return None;
    }
    let m = MONTH_START.iter().rposition(|&s| s < day).unwrap_or(0);
    Some((m as u8 + 1, (day - MONTH_START[m]) as u8))
}

/// A calendar day as text, `"1 Aug"`; empty outside 1..=365.
pub fn day_label(day: u16) -> String {
    month_day(day).map_or_else(String::new, |(m, d)| format!("{d} {}", MONTH_NAMES[usize::from(m) - 1]))
}

/// The daily climatology of a series (`times` and `values` of equal length; the shorter one decides).
///
/// For each calendar day `d` (1..=365): the mean `Σx / n` and the sample standard deviation
/// `√(Σ(x − mean)² / (n − 1))` of the `n` finite samples whose calendar day is within
/// `options.half_window_days` of `d`, circular across 31 Dec / 1 Jan. Days with `n < options.min_count`
/// answer `None` in [`DailyClimatology::day`]. Units are the series'.
///
/// Cost O(n + 365 · window): one calendar conversion per sample, then one merge per day and window day.
pub fn daily_climatology(times: &[i64], values: &[f64], options: DailyOptions) -> DailyClimatology {
    let mut per_day = [Moments::default(); CALENDAR_DAYS];
    let mut years: Option<(i64, i64)> = None;
    for (&t, &x) in times.iter().zip(values) {
        if !x.is_finite() {
            continue;
        }
        let (y, _, _) = civil_from_days(t.div_euclid(86_400));
        years = Some(years.map_or((y, y), |(a, b)| (a.min(y), b.max(y))));
        per_day[usize::from(calendar_day(t)) - 1].push(x);
    }
    // A window wider than the year pools each day once.
    let half = options.half_window_days.min((CALENDAR_DAYS - 1) / 2);
    let days = (0..CALENDAR_DAYS)
        .map(|d| {
            let mut pooled = Moments::default();
            for k in 0..=2 * half {
                pooled.merge(&per_day[(d + CALENDAR_DAYS + k - half) % CALENDAR_DAYS]);
            }
            pooled.stats()
        })
        .collect();
    DailyClimatology { days, min_count: options.min_count, years }
}

/// A monthly climatology: the statistics of all samples of each calendar month.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthlyClimatology {
    months: [Stats; 12],
    min_count: usize,
}

impl MonthlyClimatology {
    /// The statistics of `month` (1..=12); `None` outside that range or below `min_count` samples.
    pub fn month(&self, month: u8) -> Option<Stats> {
        let s = *self.months.get(usize::from(month).checked_sub(1)?)?;
        (s.count >= self.min_count && s.count > 0).then_some(s)
    }

    /// The 12 monthly means, NaN for a month without a climatology; ready for
    /// [`crate::heat_stress::maximum_monthly_mean`].
    pub fn means(&self) -> [f64; 12] {
        std::array::from_fn(|m| self.month(m as u8 + 1).map_or(f64::NAN, |s| s.mean))
    }
}

/// The monthly climatology of a series: per calendar month (1..=12) the mean and sample standard deviation
/// of its finite samples, pooled over all years; months with fewer than `min_count` samples have none.
///
/// This is a mean of samples, not a mean of yearly monthly means (CRW's MMM definition, which also
/// recentres the years on 1988.2857): with complete daily data the two differ only by how the years weigh.
pub fn monthly_climatology(times: &[i64], values: &[f64], min_count: usize) -> MonthlyClimatology {
    let mut months = [Moments::default(); 12];
    for (&t, &x) in times.iter().zip(values) {
        if x.is_finite() {
            let (_, m, _) = civil_from_days(t.div_euclid(86_400));
            months[(m - 1) as usize].push(x);
        }
    }
    MonthlyClimatology { months: months.map(|m| m.stats()), min_count }
}

#[cfg(test)]
pub(crate) mod tests;
