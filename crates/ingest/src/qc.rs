//! QARTOD QC at ingest: series that arrive without flags (NDBC text carries none) get the aggregate of a
//! gross-range and a spike test per variable, computed by `compute::qc` exactly as ioos_qc would. The
//! thresholds are QARTOD-style defaults for open-ocean and coastal stations: the fail span is what a
//! sensor can physically report, the suspect span what the ocean and atmosphere plausibly do; spike
//! thresholds are per-sample jumps (`differential` method: a step change is not a spike, and the
//! neighbours of a spike are not flagged with it). Variables without a row keep the flag they came with.

use compute::qc::{self, Span, SpikeMethod};
use model::{QcFlag, SeriesPoint};

/// Default tests for one variable.
#[derive(Debug, Clone, Copy)]
pub struct SeriesTests {
    pub variable: &'static str,
    pub fail: (f64, f64),
    pub suspect: (f64, f64),
    /// (suspect, fail) jump of one sample from the mean of its neighbours, in the variable's units.
    pub spike: Option<(f64, f64)>,
}

/// The defaults, in the variables' units (°C, hPa, m s-1, m, s, psu, degrees).
pub const DEFAULT_TESTS: &[SeriesTests] = &[
    SeriesTests {
        variable: "sea_surface_temperature",
        fail: (-5.0, 45.0),
        suspect: (-2.5, 35.0),
        spike: Some((2.0, 4.0)),
    },
    SeriesTests { variable: "ocean_temperature", fail: (-5.0, 45.0), suspect: (-2.5, 35.0), spike: Some((2.0, 4.0)) },
    SeriesTests { variable: "water_temperature", fail: (-5.0, 45.0), suspect: (-2.5, 35.0), spike: Some((2.0, 4.0)) },
    SeriesTests { variable: "air_temperature", fail: (-70.0, 60.0), suspect: (-40.0, 45.0), spike: Some((6.0, 12.0)) },
    SeriesTests {
        variable: "dewpoint_temperature",
        fail: (-70.0, 50.0),
        suspect: (-40.0, 35.0),
        spike: Some((6.0, 12.0)),
    },
    SeriesTests { variable: "air_pressure", fail: (800.0, 1100.0), suspect: (900.0, 1060.0), spike: Some((5.0, 10.0)) },
    SeriesTests { variable: "wind_speed", fail: (0.0, 80.0), suspect: (0.0, 50.0), spike: None },
    SeriesTests { variable: "wind_gust", fail: (0.0, 100.0), suspect: (0.0, 70.0), spike: None },
    SeriesTests { variable: "wind_direction", fail: (0.0, 360.0), suspect: (0.0, 360.0), spike: None },
    SeriesTests { variable: "wave_height", fail: (0.0, 30.0), suspect: (0.0, 20.0), spike: None },
    SeriesTests { variable: "dominant_wave_period", fail: (0.0, 40.0), suspect: (1.0, 30.0), spike: None },
    SeriesTests { variable: "average_wave_period", fail: (0.0, 40.0), suspect: (1.0, 30.0), spike: None },
    SeriesTests { variable: "mean_wave_direction", fail: (0.0, 360.0), suspect: (0.0, 360.0), spike: None },
    SeriesTests { variable: "sea_water_salinity", fail: (0.0, 45.0), suspect: (2.0, 42.0), spike: Some((0.5, 1.0)) },
];

/// Flags every series of `points` (grouped by platform, variable and depth, in time order) that has no flag
/// yet (`QcFlag::NO_QC`) and has default tests. Points must be sorted by time within each series.
pub fn flag_series(points: &mut [SeriesPoint]) {
    let mut groups: std::collections::BTreeMap<(String, String, u64), Vec<usize>> = Default::default();
    for (i, p) in points.iter().enumerate() {
        if p.qc == QcFlag::NO_QC {
            groups.entry((p.platform.clone(), p.variable.clone(), p.depth.to_bits())).or_default().push(i);
        }
    }
    for ((_, variable, _), mut idx) in groups {
        let Some(t) = DEFAULT_TESTS.iter().find(|t| t.variable == variable) else { continue };
        idx.sort_by_key(|&i| points[i].time);
        let values: Vec<f64> = idx.iter().map(|&i| points[i].value).collect();
        let gross = qc::gross_range(
            &values,
            Span { min: t.fail.0, max: t.fail.1 },
            Some(Span { min: t.suspect.0, max: t.suspect.1 }),
        );
        let flags = match t.spike {
            Some((s, f)) => {
                let spike = qc::spike(&values, Some(s), Some(f), SpikeMethod::Differential);
                qc::aggregate(&[&gross, &spike])
            }
            None => qc::aggregate(&[&gross]),
        };
        for (k, &i) in idx.iter().enumerate() {
            points[i].qc = qc::to_qc_flag(flags[k]);
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use model::{QcFlag, SeriesPoint};

    fn pt(h: i64, variable: &str, value: f64) -> SeriesPoint {
        SeriesPoint {
            platform: "44005".into(),
            variable: variable.into(),
            time: Utc.timestamp_opt(1_325_376_000 + h * 3600, 0).unwrap(),
            depth: 0.0,
            value,
            qc: QcFlag::NO_QC,
        }
    }

    #[test]
    fn gross_range_and_spike_flags_are_stored_beside_values() {
        let mut pts: Vec<SeriesPoint> = [8.1, 8.2, 8.1, 14.5, 8.2, 8.3, 36.0, 8.3, 8.4]
            .iter()
            .enumerate()
            .map(|(h, &v)| pt(h as i64, "sea_surface_temperature", v))
            .collect();
        pts.push(pt(0, "wind_speed", 95.0));
        pts.push(pt(0, "visibility", 5.0));
        let mut given = pt(1, "wind_speed", 3.0);
        given.qc = QcFlag::GOOD;
        pts.push(given);
        super::flag_series(&mut pts);
        let flags: Vec<u8> = pts.iter().map(|p| p.qc.digit().unwrap()).collect();
        // 14.5 jumps 6.3 °C and back (spike fail); 36.0 is above the suspect span and a spike;
        // the first and last have no neighbours on both sides (spike unknown, gross range good: GOOD).
        assert_eq!(&flags[..9], &[1, 1, 1, 4, 1, 1, 4, 1, 1]);
        assert_eq!(flags[9], 4); // 95 m/s wind is outside what the sensor reports
        assert_eq!(flags[10], 0); // no default tests for visibility: unflagged
        assert_eq!(flags[11], 1); // a flag that came with the data is kept
    }
}
