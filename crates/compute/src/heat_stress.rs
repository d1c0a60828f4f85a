//! NOAA Coral Reef Watch (CRW) heat stress: HotSpot, Degree Heating Weeks and Bleaching Alert Area.
//!
//! Source: NOAA Coral Reef Watch daily global 5 km product suite, version 3.1 methodology
//! (<https://coralreefwatch.noaa.gov/product/5km/methodology.php>; Skirving et al. 2020, Remote Sensing
//! 12(23) 3856; alert levels 3–5 added in December 2023). Temperatures in °C, DHW in °C-weeks, one
//! value per day, days consecutive.
//!
//! - **MMM** (maximum monthly mean): the warmest of the 12 monthly mean climatology SSTs.
//! - **HotSpot** `HS = SST − MMM` when positive, else 0.
//! - **DHW** on day `i`: `Σ_{j=i−83..=i} HS[j]·[HS[j] ≥ 1] / 7` — the HotSpots of at least 1 °C over the
//!   trailing 84 days (12 weeks, today included), in weeks.
//! - **BAA** daily level from HS and DHW; products show its 7-day maximum.
//!
//! Conventions here: a missing SST (NaN) gives a missing HotSpot (NaN). A missing day contributes 0 to
//! the DHW of the days after it (as CRW treats gaps), but its own DHW and BAA are missing. Before 84 days
//! of history exist the sum covers the days there are (CRW reports DHW only from the 84th day on; with
//! no stress in the first 83 days the two agree), and the 7-day maximum before day 7 likewise.

/// Days in the DHW accumulation window: 12 weeks.
pub const DHW_WINDOW_DAYS: usize = 84;
/// Days in the BAA composite window.
pub const BAA_WINDOW_DAYS: usize = 7;

/// Maximum monthly mean (°C): the largest of the monthly mean SSTs, NaN months ignored; NaN when none.
///
/// `maximum_monthly_mean(&[23.4166, 23.1889, 23.5492, 24.6089, 26.4747, 28.3325, 29.3254, 29.6264,
/// 29.1674, 27.7384, 26.0846, 24.4925])` is 29.6264 (Florida Keys).
pub fn maximum_monthly_mean(monthly_means: &[f64]) -> f64 {
    monthly_means.iter().copied().filter(|m| !m.is_nan()).fold(f64::NAN, f64::max)
}

/// HotSpot (°C): `SST − MMM` when positive, else 0; NaN when the SST is missing.
///
/// `hotspot(30.5, 29.6264)` is 0.8736; `hotspot(28.0, 29.6264)` is 0.
pub fn hotspot(sst: f64, mmm: f64) -> f64 {
    if sst.is_nan() { f64::NAN } else { (sst - mmm).max(0.0) }
}

/// HotSpots of a daily SST series against one MMM.
pub fn hotspots(sst: &[f64], mmm: f64) -> Vec<f64> {
    sst.iter().map(|&s| hotspot(s, mmm)).collect()
}

/// What one day's HotSpot adds to a DHW sum, in °C-days: HS when `HS ≥ 1`, else 0 (also for NaN).
#[inline]
fn dhw_contribution(hs: f64) -> f64 {
    if hs >= 1.0 { hs } else { 0.0 }
}

/// Degree Heating Weeks (°C-weeks) of a daily HotSpot series: the running sum over the trailing
/// [`DHW_WINDOW_DAYS`] of HotSpots ≥ 1 °C, divided by 7. NaN on days whose HotSpot is NaN.
///
/// Cost O(n): the sum is kept incrementally (+ today − the day leaving the window) and reset to exactly
/// 0 whenever no contributing day is left in the window, so rounding does not drift.
///
/// Twelve days of HS 2 after a calm spell: DHW climbs by 2/7 a day to 24/7 = 3.43 °C-weeks.
pub fn degree_heating_weeks(hotspot: &[f64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(hotspot.len());
    let mut sum = 0.0;
    let mut contributing = 0usize;
    for (i, &hs) in hotspot.iter().enumerate() {
        let add = dhw_contribution(hs);
        sum += add;
        contributing += usize::from(add > 0.0);
        if i >= DHW_WINDOW_DAYS {
            let leaving = dhw_contribution(hotspot[i - DHW_WINDOW_DAYS]);
            sum -= leaving;
            contributing -= usize::from(leaving > 0.0);
        }
        if contributing == 0 {
            sum = 0.0;
        }
        out.push(if hs.is_nan() { f64::NAN } else { sum / 7.0 });
    }
    out
}

/// Which set of Bleaching Alert Area levels to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaaScale {
    /// CRW v3.1 until December 2023: 0 No Stress, 1 Watch, 2 Warning, 3 Alert 1, 4 Alert 2.
    FiveLevel,
    /// Since December 2023: adds 5 Alert 3 (DHW ≥ 12), 6 Alert 4 (≥ 16), 7 Alert 5 (≥ 20).
    EightLevel,
}

/// The daily BAA level from that day's HotSpot and DHW; `None` when the HotSpot is missing.
///
/// HS ≤ 0 → 0 No Stress; 0 < HS < 1 → 1 Watch; HS ≥ 1 and DHW < 4 → 2 Warning; HS ≥ 1 and 4 ≤ DHW < 8
/// → 3 Alert 1; HS ≥ 1 and DHW ≥ 8 → 4 Alert 2, and on the eight-level scale DHW ≥ 12, 16, 20 → 5, 6, 7
/// (Alert 3–5). `baa_level(1.2, 9.0, BaaScale::FiveLevel)` is `Some(4)`.
pub fn baa_level(hs: f64, dhw: f64, scale: BaaScale) -> Option<u8> {
    if hs.is_nan() {
        return None;
    }
    Some(if hs <= 0.0 {
        0
    } else if hs < 1.0 {
        1
    } else if dhw < 4.0 {
        2
    } else if dhw < 8.0 {
        3
    } else if scale == BaaScale::FiveLevel || dhw < 12.0 {
        4
    } else if dhw < 16.0 {
        5
    } else if dhw < 20.0 {
        6
    } else {
        7
    })
}

/// Daily BAA levels of a series (`hotspot` and `dhw` of equal length; the shorter one decides).
pub fn baa_daily(hotspot: &[f64], dhw: &[f64], scale: BaaScale) -> Vec<Option<u8>> {
    hotspot.iter().zip(dhw).map(|(&hs, &d)| baa_level(hs, d, scale)).collect()
}

/// The 7-day maximum composite: the highest level over the trailing [`BAA_WINDOW_DAYS`] (today
/// included), missing days skipped; `None` when all of them are missing.
pub fn baa_seven_day_max(daily: &[Option<u8>]) -> Vec<Option<u8>> {
    (0..daily.len()).map(|i| daily[i.saturating_sub(BAA_WINDOW_DAYS - 1)..=i].iter().flatten().copied().max()).collect()
}

/// DHW (°C-weeks) over a grid: `hotspot` holds `days × pixels` HotSpots (°C), day-major
/// (`hotspot[day * pixels + pixel]`); the result has the same layout. Per pixel, the same rule as
/// [`degree_heating_weeks`]: a running sum (+ today − the day leaving the 84-day window) kept in f64,
/// reset to 0 when no contributing day is left, and NaN where the day's HotSpot is NaN — so land
/// pixels (NaN every day) stay NaN. A trailing partial day is ignored.
///
/// Cost O(days × pixels), memory O(pixels) besides the output.
pub fn dhw_grid(hotspot: &[f32], pixels: usize) -> Vec<f32> {
    if pixels == 0 {
        return Vec::new();
    }
    let days = hotspot.len() / pixels;
    let mut out = Vec::with_capacity(days * pixels);
    let mut rolling = RollingDhw::new(pixels);
    for day in 0..days {
        let today = &hotspot[day * pixels..(day + 1) * pixels];
        let leaving = day.checked_sub(DHW_WINDOW_DAYS).map(|d| &hotspot[d * pixels..(d + 1) * pixels]);
        out.extend_from_slice(rolling.advance(today, leaving));
    }
    out
}

/// DHW over a grid, one day at a time, holding only the running sums: memory is the sums, the counts and
/// one output grid (about 17 bytes a pixel, 0.44 GB for the global 3600 × 7200 5-km grid), not the
/// 84-day window. The caller passes today's HotSpot grid and the one leaving the window (day − 84),
/// e.g. read back from the stored daily grids.
///
/// The sum is kept in f64 and reset to exactly 0 where no contributing day is left, so it does not drift.
#[derive(Debug, Clone)]
pub struct RollingDhw {
    sum: Vec<f64>,
    contributing: Vec<u8>,
    out: Vec<f32>,
}

impl RollingDhw {
    pub fn new(pixels: usize) -> RollingDhw {
        RollingDhw { sum: vec![0.0; pixels], contributing: vec![0; pixels], out: vec![0.0; pixels] }
    }

    /// Adds today's HotSpots (°C, NaN = land or missing), removes the day leaving the window, and returns
    /// today's DHW (°C-weeks; NaN where today's HotSpot is NaN).
    pub fn advance(&mut self, today: &[f32], leaving: Option<&[f32]>) -> &[f32] {
        let n = self.sum.len().min(today.len());
        for p in 0..n {
            let add = dhw_contribution(f64::from(today[p]));
            let mut sum = self.sum[p] + add;
            let mut count = self.contributing[p] + u8::from(add > 0.0);
            if let Some(leaving) = leaving {
                let sub = dhw_contribution(f64::from(leaving[p]));
                sum -= sub;
                count -= u8::from(sub > 0.0);
            }
            if count == 0 {
                sum = 0.0;
            }
            self.sum[p] = sum;
            self.contributing[p] = count;
            self.out[p] = if today[p].is_nan() { f32::NAN } else { (sum / 7.0) as f32 };
        }
        &self.out[..n]
    }
}

#[cfg(test)]
mod tests;
