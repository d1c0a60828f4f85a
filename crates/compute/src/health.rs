//! Reef health score: the seed service's legacy formula, kept for compatibility, and a bounded 0–100 score
//! from NOAA Coral Reef Watch heat stress.
//!
//! Inputs follow [`crate::heat_stress`]: Degree Heating Weeks in °C-weeks, the Bleaching Alert Area level
//! 0–7 on CRW's eight-level scale (December 2023; the five-level scale's 0–4 mean the same), SST and SST
//! anomaly in °C.

/// The seed service's baseline for [`legacy`].
pub const LEGACY_BASELINE: f64 = 100.0;
/// A score below this is anomalous (as in the seed service).
pub const ANOMALOUS_BELOW: f64 = 70.0;
/// DHW (°C-weeks) at which the DHW term stops growing: CRW Alert 4, multi-species mortality likely.
pub const DHW_SATURATION: f64 = 16.0;
/// Points the DHW term takes away at saturation.
pub const DHW_POINTS: f64 = 50.0;
/// Points taken away per BAA level (0–7).
pub const BAA_POINTS_PER_LEVEL: f64 = 6.0;
/// Points taken away per °C of positive SST anomaly, up to [`SSTA_SATURATION`].
pub const SSTA_POINTS_PER_DEGREE: f64 = 5.0;
/// SST anomaly (°C) at which the anomaly term stops growing.
pub const SSTA_SATURATION: f64 = 3.0;

/// The seed service's score, computed exactly as it did: `baseline − (sst × 1.5 + dhw × 5)`, with `sst` in °C,
/// `dhw` in °C-weeks and `baseline` usually [`LEGACY_BASELINE`].
///
/// Kept so that clients comparing with the seed get the same numbers. It is not bounded and it charges the
/// absolute SST, so any warm reef looks unhealthy: `legacy(100.0, 28.0, 0.0)` is 58 (anomalous) on a calm
/// day and `legacy(100.0, 30.0, 12.0)` is −5. Use [`score`] for new work. NaN in, NaN out.
pub fn legacy(baseline: f64, sst: f64, dhw: f64) -> f64 {
    baseline - (sst * 1.5 + dhw * 5.0)
}

/// The reef health score on 0–100 (100 = no thermal stress) from DHW (°C-weeks), the BAA level (0–7) and
/// the SST anomaly against the daily climatology (°C):
///
/// ```text
/// score = clamp(100 − 50 · min(DHW, 16) / 16 − 6 · BAA − 5 · clamp(SSTA, 0, 3), 0, 100)
/// ```
///
/// Why these terms (thresholds from NOAA CRW v3.1 and the December 2023 alert levels):
/// - **DHW** is the accumulated heat stress and the best single predictor of bleaching (≥ 4 °C-weeks
///   significant bleaching, ≥ 8 severe bleaching and mortality, ≥ 12/16/20 increasingly severe mortality).
///   It weighs most, linearly, saturating at 16 °C-weeks (Alert 4) where half the score is gone.
/// - **BAA** is CRW's present risk level; 6 points a level make the score step down at each alert boundary,
///   and put Alert 1 (BAA 3 at DHW 4) below the anomaly line even without an SST anomaly (69.5).
/// - **SSTA** (positive part only, up to +3 °C) catches warming before HotSpots accumulate (the Watch
///   stage). Cold anomalies are not charged: cold stress is outside this score.
///
/// Negative DHW counts as 0 and levels above 7 as 7. NaN DHW or SSTA gives NaN.
///
/// Typical conditions (the tests pin these):
///
/// | condition | DHW | BAA | SSTA | score |
/// |---|---|---|---|---|
/// | no stress | 0 | 0 | 0 | 100 |
/// | Watch | 0 | 1 | 0.5 | 91.5 |
/// | Warning | 2 | 2 | 1.0 | 76.75 |
/// | Alert 1 | 4 | 3 | 1.0 | 64.5 (anomalous) |
/// | Alert 2 | 8 | 4 | 1.5 | 43.5 |
/// | Alert 3 | 12 | 5 | 2.0 | 22.5 |
/// | Alert 4 | 16 | 6 | 2.0 | 4 |
/// | Alert 5 | 20 | 7 | 2.5 | 0 |
pub fn score(dhw: f64, baa: u8, ssta: f64) -> f64 {
    if dhw.is_nan() || ssta.is_nan() {
        return f64::NAN;
    }
    let dhw_term = DHW_POINTS * dhw.clamp(0.0, DHW_SATURATION) / DHW_SATURATION;
    let baa_term = BAA_POINTS_PER_LEVEL * f64::from(baa.min(7));
    let ssta_term = SSTA_POINTS_PER_DEGREE * ssta.clamp(0.0, SSTA_SATURATION);
    (100.0 - dhw_term - baa_term - ssta_term).clamp(0.0, 100.0)
}

/// True when a score (either formula) is below [`ANOMALOUS_BELOW`] (70), as in the seed; false for NaN.
/// `is_anomalous(score(4.0, 3, 1.0))` is true (64.5).
pub fn is_anomalous(score: f64) -> bool {
    score < ANOMALOUS_BELOW
}

#[cfg(test)]
mod tests;
