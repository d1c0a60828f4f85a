//! `halocline qc --config CFG.json DATA.csv`: IOOS QARTOD flags for a CSV, identical to ioos_qc 3.0.0.
//!
//! The config is ioos_qc's own JSON ([`config`]), the CSV is read into columns ([`table`]), and each
//! configured test runs on its stream through the pure functions of `compute::qc`. Output: one line per
//! input row, `row,time,<stream>.<module>.<test>...,<stream>.qartod.aggregate`.

mod config;
mod table;

use std::io::Write;
use std::path::Path;

use anyhow::Context as _;
use compute::qc::{self, CheckType, NOT_EVALUATED};

use config::{Engine, Test};
use table::Table;

/// Axis column names, in the order they are looked for.
const Z_COLUMNS: [&str; 4] = ["depth", "z", "pres", "pressure"];
const LAT_COLUMNS: [&str; 2] = ["lat", "latitude"];
const LON_COLUMNS: [&str; 2] = ["lon", "longitude"];

/// Runs the configured tests over the CSV and writes the flag table to `out`.
pub fn run(config: &Path, data: &Path, out: &mut dyn Write) -> anyhow::Result<()> {
    let cfg_text = std::fs::read_to_string(config).with_context(|| format!("reading {}", config.display()))?;
    let cfg: serde_json::Value =
        serde_json::from_str(&cfg_text).with_context(|| format!("parsing {} as JSON", config.display()))?;
    let plan = config::parse(&cfg)?;
    let data_text = std::fs::read_to_string(data).with_context(|| format!("reading {}", data.display()))?;
    let table = table::read(&data_text).with_context(|| format!("reading {}", data.display()))?;
    let columns = evaluate(&plan, &table)?;
    table::write(out, &table, &columns)
}

/// The flag columns for every configured test, then one aggregate per stream.
fn evaluate(plan: &config::Plan, table: &Table) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let n = table.rows();
    // (stream, column name, flags), in order of first appearance.
    let mut results: Vec<(String, String, Vec<u8>)> = Vec::new();
    for ctx in &plan.contexts {
        let rows: Vec<usize> = (0..n)
            .filter(|&i| {
                let t = table.times[i];
                ctx.starting.is_none_or(|s| t >= s) && ctx.ending.is_none_or(|e| t < e)
            })
            .collect();
        let pick = |col: &[f64]| -> Vec<f64> { rows.iter().map(|&i| col[i]).collect() };
        let times: Vec<i64> = rows.iter().map(|&i| table.times[i]).collect();
        let z = table.first_of(&Z_COLUMNS).map(pick);
        let lat = table.first_of(&LAT_COLUMNS).map(pick);
        let lon = table.first_of(&LON_COLUMNS).map(pick);
        for call in &ctx.calls {
            let outcome = match table.column(&call.stream) {
                None => Err(format!("stream {:?} is not a column of the data", call.stream)),
                Some(col) => call.test.as_ref().map_err(Clone::clone).and_then(|test| {
                    let input = Input {
                        values: &pick(col),
                        times: &times,
                        z: z.as_deref(),
                        lat: lat.as_deref(),
                        lon: lon.as_deref(),
                    };
                    run_test(test, &input)
                }),
            };
            let flags = match (outcome, plan.engine) {
                (Ok(flags), _) => flags,
                (Err(why), Engine::Direct) => anyhow::bail!("{}: {why}", call.column()),
                (Err(why), Engine::Stream) => {
                    eprintln!("warning: skipping {}: {why}", call.column());
                    continue;
                }
            };
            let name = call.column();
            let slot = match results.iter().position(|(_, c, _)| *c == name) {
                Some(p) => p,
                None => {
                    results.push((call.stream.clone(), name, vec![NOT_EVALUATED; n]));
                    results.len() - 1
                }
            };
            for (&row, flag) in rows.iter().zip(flags) {
                results[slot].2[row] = flag;
            }
        }
    }
    let mut streams: Vec<&str> = Vec::new();
    for (stream, _, _) in &results {
        if !streams.contains(&stream.as_str()) {
            streams.push(stream);
        }
    }
    let mut columns = Vec::with_capacity(results.len() + streams.len());
    for stream in streams {
        let of_stream: Vec<&(String, String, Vec<u8>)> = results.iter().filter(|(s, _, _)| s == stream).collect();
        let flags: Vec<&[u8]> = of_stream.iter().map(|(_, _, f)| f.as_slice()).collect();
        let aggregate = qc::aggregate(&flags);
        columns.extend(of_stream.iter().map(|(_, c, f)| (c.clone(), f.clone())));
        columns.push((format!("{stream}.qartod.aggregate"), aggregate));
    }
    Ok(columns)
}

fn need<'a>(axis: Option<&'a [f64]>, what: &str) -> Result<&'a [f64], String> {
    axis.ok_or_else(|| format!("the data has no {what} column"))
}

/// The rows one test sees: its stream and the axes, already cut to the test's window.
struct Input<'a> {
    values: &'a [f64],
    times: &'a [i64],
    z: Option<&'a [f64]>,
    lat: Option<&'a [f64]>,
    lon: Option<&'a [f64]>,
}

fn run_test(test: &Test, x: &Input) -> Result<Vec<u8>, String> {
    let v = x.values;
    Ok(match test {
        Test::GrossRange { fail, suspect } => qc::gross_range(v, *fail, *suspect),
        // ioos_qc's spike_test raises on no rows (it sets the first and last flags).
        Test::Spike { .. } if v.is_empty() => return Err("spike_test needs at least one row".into()),
        Test::Spike { suspect, fail, method } => qc::spike(v, *suspect, *fail, *method),
        Test::RateOfChange { suspect, fail } => qc::rate_of_change(v, x.times, *suspect, *fail),
        Test::FlatLine { suspect_s, fail_s, tolerance } => qc::flat_line(v, x.times, *suspect_s, *fail_s, *tolerance),
        // numpy's ptp of no rows raises.
        Test::AttenuatedSignal { window: None, check: CheckType::Range, .. } if v.is_empty() => {
            return Err("attenuated_signal_test with check_type range needs at least one row".into());
        }
        Test::AttenuatedSignal { suspect, fail, window, check } => {
            let window = window.as_ref().map(|(period, min_obs)| min_obs.window(*period, x.times)).transpose()?;
            qc::attenuated_signal(v, x.times, *suspect, *fail, window, *check)
        }
        Test::Climatology(members) => qc::climatology(v, x.times, need(x.z, "depth (z, pres, pressure)")?, members),
        Test::Location { range_max, method } => {
            qc::location(need(x.lon, "lon")?, need(x.lat, "lat")?, *range_max, *method)
        }
        Test::DensityInversion { suspect, fail } => {
            qc::density_inversion(v, need(x.z, "depth (z, pres, pressure)")?, *suspect, *fail)
        }
        Test::PressureIncreasing => qc::pressure_increasing(v),
        Test::Speed { suspect, fail } => qc::speed(need(x.lon, "lon")?, need(x.lat, "lat")?, x.times, *suspect, *fail),
    })
}
