//! Heat stress over grids at ingest: when daily SST grids arrive (variable `analysed_sst`, `CRW_SST`,
//! `sea_surface_temperature` or `sst`, or a sea-surface-temperature `standard_name`) and a Maximum
//! Monthly Mean climatology grid on the same latitude/longitude axes is known (variable `CRW_MMM`, `mmm`,
//! `sst_mmm`, `maximum_monthly_mean` or `sst_clim_mmm`, in the same file or stored in any dataset), the
//! NOAA CRW v3.1 products are computed per day and stored in the SST's dataset:
//!
//! - `CRW_HOTSPOT` (°C): `max(SST − MMM, 0)`, NaN where SST or MMM is missing;
//! - `CRW_DHW` (°C-weeks): [`compute::heat_stress::RollingDhw`] over the daily HotSpot grids, the 84-day
//!   window ending today (a day without a grid adds nothing);
//! - `CRW_BAA_7D_MAX` (0–7, Dec-2023 scale): the highest daily alert level of the last 7 days.
//!
//! The days recomputed are those the new SST can change: from the first new day to 89 days after the
//! last one (84-day DHW window + 6 days of the 7-day maximum), among the days that have a HotSpot grid.
//! The rolling sum starts 90 days before the first new day, so its window is full when it matters.
//! Memory: the running sums plus seven daily level grids; HotSpot grids are read back one day at a time
//! (today's and the one leaving the window), never the 84-day stack. SST in kelvin is converted to °C.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use compute::heat_stress::{BaaScale, DHW_WINDOW_DAYS, RollingDhw, baa_level};
use model::Grid;
use store::{FileBatch, Store, StoreError};

pub const HOTSPOT: &str = "CRW_HOTSPOT";
pub const DHW: &str = "CRW_DHW";
pub const BAA: &str = "CRW_BAA_7D_MAX";

const SST_NAMES: &[&str] = &["analysed_sst", "crw_sst", "sea_surface_temperature", "sst"];
const SST_STANDARD: &[&str] =
    &["sea_surface_temperature", "sea_surface_foundation_temperature", "sea_surface_subskin_temperature"];
const MMM_NAMES: &[&str] = &["crw_mmm", "mmm", "sst_mmm", "maximum_monthly_mean", "sst_clim_mmm"];

/// Whether a grid is a sea-surface temperature the heat-stress products are computed from.
pub fn is_sst(g: &Grid) -> bool {
    let v = g.variable.to_ascii_lowercase();
    SST_NAMES.contains(&v.as_str()) || SST_STANDARD.contains(&g.standard_name.as_str())
}

/// Whether a grid is a Maximum Monthly Mean climatology.
pub fn is_mmm(g: &Grid) -> bool {
    MMM_NAMES.contains(&g.variable.to_ascii_lowercase().as_str())
        || g.long_name.to_ascii_lowercase().contains("maximum monthly mean")
}

fn kelvin(units: &str) -> bool {
    matches!(units.trim(), "K" | "kelvin" | "Kelvin" | "degree_K" | "degrees_K" | "degK")
}

fn celsius(g: &Grid) -> Vec<f32> {
    if kelvin(&g.units) { g.values.iter().map(|v| v - 273.15).collect() } else { g.values.clone() }
}

fn same_axes(a: &Grid, b: &Grid) -> bool {
    a.latitudes == b.latitudes && a.longitudes == b.longitudes
}

/// Finds an MMM grid on the axes of `sst`: in the batch first, then among stored grids.
async fn find_mmm(store: &dyn Store, batch: &[Grid], sst: &Grid) -> Result<Option<Grid>, StoreError> {
    if let Some(m) = batch.iter().find(|m| is_mmm(m) && same_axes(m, sst)) {
        return Ok(Some(m.clone()));
    }
    let mut candidates: Vec<model::GridSummary> = store
        .grid_summaries()
        .await?
        .into_iter()
        .filter(|s| {
            MMM_NAMES.contains(&s.variable.to_ascii_lowercase().as_str())
                && s.shape == (sst.latitudes.len(), sst.longitudes.len())
        })
        .collect();
    // The SST's own dataset first.
    candidates.sort_by_key(|s| s.dataset != sst.dataset);
    for s in candidates {
        for t in store.grid_times(&s.dataset, &s.variable).await?.into_iter().rev() {
            if let Some(m) = store.grid(&s.dataset, &s.variable, t).await?
                && same_axes(&m, sst)
            {
                return Ok(Some(m));
            }
        }
    }
    Ok(None)
}

/// Computes and stores the heat-stress grids the SST (or MMM) grids of `batch` affect; returns the grids
/// written.
pub async fn recompute(store: &dyn Store, batch: &[Grid]) -> Result<u64, StoreError> {
    // (dataset, variable) → the SST grid times to recompute from.
    let mut targets: BTreeMap<(String, String), BTreeSet<DateTime<Utc>>> = BTreeMap::new();
    let derived_in_file: BTreeSet<&str> =
        batch.iter().filter(|g| g.variable == DHW).map(|g| g.dataset.as_str()).collect();
    for g in batch.iter().filter(|g| is_sst(g) && !derived_in_file.contains(g.dataset.as_str())) {
        if let Some(t) = g.time {
            targets.entry((g.dataset.clone(), g.variable.clone())).or_default().insert(t);
        }
    }
    // A new MMM grid: every stored SST on its axes.
    for m in batch.iter().filter(|g| is_mmm(g)) {
        for s in store.grid_summaries().await? {
            let sst_like = SST_NAMES.contains(&s.variable.to_ascii_lowercase().as_str())
                || SST_STANDARD.contains(&s.standard_name.as_str());
            if sst_like && s.shape == (m.latitudes.len(), m.longitudes.len()) {
                let times = store.grid_times(&s.dataset, &s.variable).await?;
                targets.entry((s.dataset, s.variable)).or_default().extend(times.into_iter().flatten());
            }
        }
    }
    let mut written = 0;
    for ((dataset, variable), times) in targets {
        written += recompute_one(store, batch, &dataset, &variable, &times).await?;
    }
    Ok(written)
}

/// A grid of the batch or the store.
async fn load(
    store: &dyn Store,
    batch: &[Grid],
    dataset: &str,
    variable: &str,
    t: DateTime<Utc>,
) -> Result<Option<Grid>, StoreError> {
    if let Some(g) = batch.iter().find(|g| g.dataset == dataset && g.variable == variable && g.time == Some(t)) {
        return Ok(Some(g.clone()));
    }
    store.grid(dataset, variable, Some(t)).await
}

async fn recompute_one(
    store: &dyn Store,
    batch: &[Grid],
    dataset: &str,
    variable: &str,
    new_times: &BTreeSet<DateTime<Utc>>,
) -> Result<u64, StoreError> {
    let (Some(&first), Some(&last)) = (new_times.first(), new_times.last()) else { return Ok(0) };
    let Some(sst0) = load(store, batch, dataset, variable, first).await? else { return Ok(0) };
    let Some(mmm) = find_mmm(store, batch, &sst0).await? else {
        tracing::info!(dataset, variable, "SST grids without an MMM climatology on their axes: no heat stress");
        return Ok(0);
    };
    let mmm_c = celsius(&mmm);
    let pixels = mmm_c.len();

    // 1. HotSpot grids of the new days.
    let mut hotspots: BTreeMap<NaiveDate, Grid> = BTreeMap::new();
    let mut written = 0;
    for &t in new_times {
        let Some(sst) = load(store, batch, dataset, variable, t).await? else { continue };
        if !same_axes(&sst, &mmm) {
            continue;
        }
        let values: Vec<f32> = celsius(&sst)
            .iter()
            .zip(&mmm_c)
            .map(|(&s, &m)| if s.is_nan() || m.is_nan() { f32::NAN } else { (s - m).max(0.0) })
            .collect();
        let mut hs = derived(&sst, HOTSPOT, "degree_C", "Coral Reef Watch HotSpot (SST minus MMM, when positive)");
        hs.values = values;
        hotspots.insert(t.date_naive(), hs);
    }
    written += write(store, dataset, hotspots.values().cloned().collect()).await?;

    // 2. Every day with a HotSpot grid, by date: the stored ones and the new ones.
    let mut day_times: BTreeMap<NaiveDate, DateTime<Utc>> = BTreeMap::new();
    for t in store.grid_times(dataset, HOTSPOT).await?.into_iter().flatten() {
        day_times.insert(t.date_naive(), t);
    }
    let (first_day, last_day) = (first.date_naive(), last.date_naive());
    let lead = DHW_WINDOW_DAYS as i64 + 6;
    let start = first_day - Duration::days(lead);
    let end = last_day + Duration::days(lead - 1);
    let end = day_times.range(..=end).next_back().map_or(last_day, |(d, _)| *d).max(last_day);
    let hotspot_of = |day: NaiveDate| {
        let hotspots = &hotspots;
        let day_times = &day_times;
        async move {
            if let Some(g) = hotspots.get(&day) {
                return Ok::<Option<Vec<f32>>, StoreError>(Some(g.values.clone()));
            }
            match day_times.get(&day) {
                Some(&t) => Ok(store.grid(dataset, HOTSPOT, Some(t)).await?.map(|g| g.values)),
                None => Ok(None),
            }
        }
    };

    // 3. Roll the DHW sum from `start`, keep the last 7 daily levels, write the days from `first_day` on.
    let mut rolling = RollingDhw::new(pixels);
    let missing = vec![f32::NAN; pixels];
    let mut levels: std::collections::VecDeque<Vec<u8>> = std::collections::VecDeque::new();
    let mut out = Vec::new();
    let mut day = start;
    while day <= end {
        let today = hotspot_of(day).await?.filter(|v| v.len() == pixels);
        // Only a day the sum has seen (on or after `start`) can leave it.
        let gone = day - Duration::days(DHW_WINDOW_DAYS as i64);
        let leaving = if gone >= start { hotspot_of(gone).await?.filter(|v| v.len() == pixels) } else { None };
        let hs = today.as_deref().unwrap_or(&missing);
        let dhw = rolling.advance(hs, leaving.as_deref()).to_vec();
        const NONE: u8 = u8::MAX;
        let daily: Vec<u8> = hs
            .iter()
            .zip(&dhw)
            .map(|(&h, &d)| baa_level(f64::from(h), f64::from(d), BaaScale::EightLevel).unwrap_or(NONE))
            .collect();
        levels.push_back(daily);
        if levels.len() > compute::heat_stress::BAA_WINDOW_DAYS {
            levels.pop_front();
        }
        if day >= first_day
            && today.is_some()
            && let Some(&t) = day_times.get(&day).or_else(|| hotspots.get(&day).and_then(|g| g.time.as_ref()))
        {
            let template = derived(&sst0, DHW, "degree_C_weeks", "Coral Reef Watch Degree Heating Week");
            let mut d = Grid { time: Some(t), ..template };
            d.values = dhw;
            let mut b = derived(&sst0, BAA, "1", "Coral Reef Watch Bleaching Alert Area, 7-day maximum (0-7)");
            b.time = Some(t);
            b.fill_value = Some(-1.0);
            b.attributes.push(("flag_values".into(), "0 1 2 3 4 5 6 7".into()));
            b.attributes.push((
                "flag_meanings".into(),
                "no_stress watch warning alert_level_1 alert_level_2 alert_level_3 alert_level_4 alert_level_5".into(),
            ));
            b.values = (0..pixels)
                .map(|p| levels.iter().map(|l| l[p]).filter(|&l| l != NONE).max().map_or(f32::NAN, f32::from))
                .collect();
            out.push(d);
            out.push(b);
        }
        day += Duration::days(1);
    }
    written += write(store, dataset, out).await?;
    Ok(written)
}

fn derived(sst: &Grid, variable: &str, units: &str, long_name: &str) -> Grid {
    let mut g = sst.clone_meta();
    g.variable = variable.into();
    g.units = units.into();
    g.long_name = long_name.into();
    g.standard_name = String::new();
    g.fill_value = Some(-999.0);
    g.attributes =
        vec![("comment".into(), format!("computed by halocline from {} with the NOAA CRW v3.1 method", sst.variable))];
    g.latitudes = sst.latitudes.clone();
    g.longitudes = sst.longitudes.clone();
    g
}

async fn write(store: &dyn Store, dataset: &str, grids: Vec<Grid>) -> Result<u64, StoreError> {
    if grids.is_empty() {
        return Ok(0);
    }
    let batch = FileBatch {
        source: format!("heat stress grids of {dataset}"),
        kind: "derived heat stress grids".into(),
        grids,
        ..Default::default()
    };
    Ok(store.write_file(&batch).await?.grids)
}
