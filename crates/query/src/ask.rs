//! Answers an NLQ [`Interpretation`] over the store with the same engine as the REST API: Argo profiles
//! through [`crate::search`] and [`crate::load`] (one search per region part, the parts' union kept), buoy
//! and reef platforms by the same region and time rules as `/api/buoys` and `/api/reefs`, their series
//! and heat-stress days, then the statistic the question asked for over the matching values.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use model::{HeatStressDay, PlatformKind, Point, Region, SeriesPoint, TimeRange};
use nlq::{Agg, DepthRange, Interpretation, NlqPlatform, NlqVariable};
use store::{PlatformSummary, ProfileStub, SeriesFilter, Store};

use crate::{ArgoQuery, DataSpec, Items, QueryError, VarReq};

/// At most this many items (profiles, points, days) are returned; statistics use everything matched
/// up to [`MAX_LOAD`] profiles.
pub const MAX_ITEMS: usize = 500;
/// At most this many profiles are loaded to compute a statistic.
pub const MAX_LOAD: usize = 5_000;

/// Where the answer comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Argo,
    Buoy,
    Reef,
}

/// One computed value.
#[derive(Debug, Clone, PartialEq)]
pub struct Stat {
    pub variable: NlqVariable,
    pub agg: Agg,
    /// The statistic (mean, median, min, max, the latest value, or the trend per decade).
    pub value: Option<f64>,
    /// Values it was computed from.
    pub n: usize,
    pub units: &'static str,
    /// For `compare`: which of the named areas this value covers.
    pub area: Option<String>,
    /// For `latest`: when that value was measured; for `min`/`max`: where the extreme is.
    pub at: Option<(String, Option<DateTime<Utc>>)>,
}

/// One profile level that matched (for profile and value-filter answers).
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    pub profile: String,
    pub pressure: f64,
    pub variable: NlqVariable,
    pub value: f64,
}

/// The results of a question.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub source: Option<Source>,
    /// Matching Argo profiles (the first [`MAX_ITEMS`]).
    pub profiles: Vec<ProfileStub>,
    /// Matching buoys or reef sites.
    pub platforms: Vec<PlatformSummary>,
    /// Matching series points (buoys) (the first [`MAX_ITEMS`]).
    pub series: Vec<SeriesPoint>,
    /// Matching heat-stress days (reefs) (the first [`MAX_ITEMS`]).
    pub heat_stress: Vec<HeatStressDay>,
    /// Levels of the loaded profiles inside the depth range (profile answers; the first [`MAX_ITEMS`]).
    pub levels: Vec<Level>,
    /// How many profiles, platforms or points matched in all.
    pub matched: usize,
    pub stats: Vec<Stat>,
}

fn argo_param(v: NlqVariable) -> Option<&'static str> {
    Some(match v {
        NlqVariable::Temperature => "TEMP",
        NlqVariable::Salinity => "PSAL",
        NlqVariable::Oxygen => "DOXY",
        NlqVariable::Chlorophyll => "CHLA",
        NlqVariable::Ph => "PH_IN_SITU_TOTAL",
        _ => return None,
    })
}

/// Series variable names (ours) that carry an NLQ variable at buoys.
pub fn buoy_variables(v: NlqVariable) -> &'static [&'static str] {
    match v {
        NlqVariable::Temperature => &["sea_surface_temperature", "ocean_temperature", "water_temperature"],
        NlqVariable::Sst => &["sea_surface_temperature"],
        NlqVariable::Salinity => &["sea_water_salinity"],
        NlqVariable::Oxygen => &["oxygen_concentration", "oxygen_saturation"],
        NlqVariable::Chlorophyll => &["chlorophyll_concentration"],
        NlqVariable::Ph => &["ph"],
        _ => &[],
    }
}

/// Which kind of store records answer the question.
pub fn source_of(it: &Interpretation) -> Source {
    match it.platform {
        Some(NlqPlatform::Argo) => Source::Argo,
        Some(NlqPlatform::Buoy) => Source::Buoy,
        Some(NlqPlatform::Reef) => Source::Reef,
        None => {
            if it.variables.iter().any(|v| matches!(v, NlqVariable::Dhw | NlqVariable::Baa | NlqVariable::SstAnomaly)) {
                Source::Reef
            } else if it.variables.contains(&NlqVariable::Sst) {
                Source::Buoy
            } else {
                Source::Argo
            }
        }
    }
}

/// `[start 00:00, end + 1 day 00:00)` of inclusive dates.
pub fn time_range(start: NaiveDate, end: NaiveDate) -> Option<TimeRange> {
    let s = start.and_time(NaiveTime::MIN).and_utc();
    let e = end.succ_opt()?.and_time(NaiveTime::MIN).and_utc();
    TimeRange::new(s, e).ok()
}

fn regions(it: &Interpretation) -> Vec<Option<Region>> {
    match &it.region {
        None => vec![None],
        Some(a) => a.to_model().into_iter().map(Some).collect(),
    }
}

fn in_area(it: &Interpretation, p: Option<Point>) -> bool {
    match (&it.region, p) {
        (None, _) => true,
        (Some(a), Some(p)) => a.contains(p.lat, p.lon),
        (Some(_), None) => false,
    }
}

/// The depth window a search uses: "at X m" takes levels within max(5 m, 5 %) of X, since instruments
/// rarely sample at an exact depth.
pub fn search_depth(d: DepthRange) -> (f64, f64) {
    match (d.min, d.max) {
        (Some(a), Some(b)) if a == b => {
            let tol = (a * 0.05).max(5.0);
            ((a - tol).max(0.0), b + tol)
        }
        (a, b) => (a.unwrap_or(0.0), b.unwrap_or(20_000.0)),
    }
}

fn depth_ok(d: Option<DepthRange>, x: f64) -> bool {
    d.is_none_or(|d| {
        let (lo, hi) = search_depth(d);
        x >= lo && x <= hi
    })
}

fn filter_ok(it: &Interpretation, x: f64) -> bool {
    it.value_filter.is_none_or(|(op, v)| op.holds(x, v))
}

/// Runs the question. `now` bounds the cost guard of unconstrained searches.
pub async fn answer(store: &dyn Store, it: &Interpretation, now: DateTime<Utc>) -> Result<Answer, QueryError> {
    let time = match it.time {
        Some(t) => {
            Some(time_range(t.start, t.end).ok_or_else(|| QueryError::BadRequest("time range out of bounds".into()))?)
        }
        None => None,
    };
    match source_of(it) {
        Source::Argo => argo(store, it, time, now).await,
        Source::Buoy => buoys(store, it, time).await,
        Source::Reef => reefs(store, it, time).await,
    }
}

async fn argo(
    store: &dyn Store,
    it: &Interpretation,
    time: Option<TimeRange>,
    now: DateTime<Utc>,
) -> Result<Answer, QueryError> {
    let params: Vec<(NlqVariable, &str)> =
        it.variables.iter().filter_map(|v| argo_param(*v).map(|p| (*v, p))).collect();
    let pres_range = it.depth.map(search_depth);
    let data = if params.is_empty() {
        DataSpec::None
    } else {
        DataSpec::Vars(params.iter().map(|(_, p)| VarReq { param: p.to_string(), qc: None, negate: false }).collect())
    };
    let mut stubs: Vec<ProfileStub> = Vec::new();
    for region in regions(it) {
        let q = ArgoQuery {
            region,
            time,
            data: data.clone(),
            minimal: true,
            page: 1,
            page_size: usize::MAX / 2,
            ..Default::default()
        };
        let page = crate::search(store, &q, now).await?;
        if let Items::Minimal(s) = page.items {
            for x in s {
                if !stubs.iter().any(|y| y.row_id == x.row_id) {
                    stubs.push(x);
                }
            }
        }
    }
    stubs.sort_by_key(|s| s.time);
    let mut out = Answer { source: Some(Source::Argo), ..Default::default() };
    let needs_values = !params.is_empty()
        && (it.agg != Agg::List && it.agg != Agg::Count || it.value_filter.is_some() || it.depth.is_some());
    if !needs_values {
        out.matched = stubs.len();
        out.profiles = stubs.into_iter().take(MAX_ITEMS).collect();
        return Ok(out);
    }
    // Load levels (newest first when only the latest counts) and reduce.
    let q = ArgoQuery { data, pres_range, ..Default::default() };
    let ordered: Vec<&ProfileStub> =
        if it.agg == Agg::Latest { stubs.iter().rev().collect() } else { stubs.iter().collect() };
    let ids: Vec<i64> = ordered.iter().take(MAX_LOAD).map(|s| s.row_id).collect();
    let profiles = crate::load(store, &q, &ids).await?;
    let mut kept: Vec<i64> = Vec::new();
    let mut values: Vec<Vec<(f64, i64, String)>> = vec![Vec::new(); params.len()];
    for p in &profiles {
        let Some(pres) = p.param("PRES") else { continue };
        let t = p.time.map(|t| t.timestamp()).unwrap_or(0);
        let mut any = false;
        for (k, (v, name)) in params.iter().enumerate() {
            let Some(col) = p.param(name) else { continue };
            for i in 0..col.values.len().min(pres.values.len()) {
                let (x, z) = (col.values[i] as f64, pres.values[i] as f64);
                if x.is_nan() || z.is_nan() || !depth_ok(it.depth, z) || !filter_ok(it, x) {
                    continue;
                }
                any = true;
                values[k].push((x, t, p.key().id()));
                if out.levels.len() < MAX_ITEMS && matches!(it.agg, Agg::Profile | Agg::List) {
                    out.levels.push(Level { profile: p.key().id(), pressure: z, variable: *v, value: x });
                }
            }
        }
        if any && let Some(s) = stubs.iter().find(|s| s.key == p.key()) {
            kept.push(s.row_id);
        }
    }
    let matching: Vec<ProfileStub> = stubs.iter().filter(|s| kept.contains(&s.row_id)).cloned().collect();
    out.matched = matching.len();
    out.profiles = matching.into_iter().take(MAX_ITEMS).collect();
    if !matches!(it.agg, Agg::List | Agg::Profile) {
        let pos = |id: &str| stubs.iter().find(|s| s.key.id() == id).and_then(|s| s.position);
        for (k, (v, _)) in params.iter().enumerate() {
            out.stats.extend(stats_for(it, *v, &values[k], pos));
        }
    }
    Ok(out)
}

/// A statistic over `(value, unix time, where)` triples.
fn stat(v: NlqVariable, agg: Agg, xs: &[(f64, i64, String)]) -> Stat {
    let n = xs.len();
    let mut s = Stat { variable: v, agg, value: None, n, units: v.units(), area: None, at: None };
    if n == 0 {
        return s;
    }
    let when = |t: i64| DateTime::<Utc>::from_timestamp(t, 0);
    match agg {
        Agg::Min | Agg::Max => {
            let pick = xs
                .iter()
                .min_by(|a, b| if agg == Agg::Min { a.0.total_cmp(&b.0) } else { b.0.total_cmp(&a.0) })
                .expect("non-empty");
            s.value = Some(pick.0);
            s.at = Some((pick.2.clone(), when(pick.1)));
        }
        Agg::Median => {
            let mut v: Vec<f64> = xs.iter().map(|x| x.0).collect();
            v.sort_by(f64::total_cmp);
            s.value = Some(if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 });
        }
        Agg::Latest => {
            let pick = xs.iter().max_by_key(|x| x.1).expect("non-empty");
            s.value = Some(pick.0);
            s.at = Some((pick.2.clone(), when(pick.1)));
        }
        Agg::Trend => {
            let t: Vec<i64> = xs.iter().map(|x| x.1).collect();
            let y: Vec<f64> = xs.iter().map(|x| x.0).collect();
            s.value = compute::trend::linear_trend(&t, &y).map(|tr| tr.slope_per_decade);
        }
        _ => s.value = Some(xs.iter().map(|x| x.0).sum::<f64>() / n as f64),
    }
    s
}

/// The statistics of one variable: one per named area for `compare A and B`, else one.
fn stats_for(
    it: &Interpretation,
    v: NlqVariable,
    xs: &[(f64, i64, String)],
    position: impl Fn(&str) -> Option<Point>,
) -> Vec<Stat> {
    let Some(area) = it.region.as_ref().filter(|a| it.agg == Agg::Compare && a.members.len() > 1) else {
        return vec![stat(v, it.agg, xs)];
    };
    (0..area.members.len())
        .map(|k| {
            let part: Vec<(f64, i64, String)> = xs
                .iter()
                .filter(|x| position(&x.2).is_some_and(|p| area.member_contains(k, p.lat, p.lon)))
                .cloned()
                .collect();
            // a comparison compares means
            let mut s = stat(v, Agg::Mean, &part);
            s.agg = Agg::Compare;
            s.area = Some(area.members[k].0.clone());
            s
        })
        .collect()
}

fn overlaps(s: &PlatformSummary, time: Option<TimeRange>) -> bool {
    match time {
        None => true,
        Some(t) => match (s.first_time, s.last_time) {
            (Some(a), Some(b)) => a < t.end() && b >= t.start(),
            _ => false,
        },
    }
}

async fn buoys(store: &dyn Store, it: &Interpretation, time: Option<TimeRange>) -> Result<Answer, QueryError> {
    let kinds = [PlatformKind::Buoy, PlatformKind::FixedStation, PlatformKind::Dart, PlatformKind::Other];
    let platforms: Vec<PlatformSummary> = store
        .platforms(None)
        .await?
        .into_iter()
        .filter(|s| kinds.contains(&s.platform.kind) && in_area(it, s.platform.position) && overlaps(s, time))
        .collect();
    let mut out = Answer { source: Some(Source::Buoy), ..Default::default() };
    if it.variables.is_empty() {
        out.matched = platforms.len();
        out.platforms = platforms;
        return Ok(out);
    }
    let mut reporting: Vec<PlatformSummary> = Vec::new();
    let mut total = 0usize;
    for v in &it.variables {
        let mut xs: Vec<(f64, i64, String)> = Vec::new();
        for p in &platforms {
            let mut found = false;
            for name in buoy_variables(*v) {
                if !p.variables.iter().any(|x| x == name) {
                    continue;
                }
                let f = SeriesFilter {
                    platform: Some(p.platform.id.clone()),
                    variable: Some(name.to_string()),
                    time,
                    ..Default::default()
                };
                for pt in store.series_points(&f).await? {
                    if !depth_ok(it.depth, pt.depth) || !filter_ok(it, pt.value) || pt.value.is_nan() {
                        continue;
                    }
                    found = true;
                    xs.push((pt.value, pt.time.timestamp(), p.platform.id.clone()));
                    total += 1;
                    if out.series.len() < MAX_ITEMS && it.agg != Agg::Latest {
                        out.series.push(pt);
                    }
                }
            }
            if found && !reporting.iter().any(|r| r.platform.id == p.platform.id) {
                reporting.push(p.clone());
            }
        }
        if it.agg == Agg::Latest {
            // the newest point of each reporting platform
            for p in &reporting {
                if let Some(x) = xs.iter().filter(|x| x.2 == p.platform.id).max_by_key(|x| x.1)
                    && let Some(t) = DateTime::<Utc>::from_timestamp(x.1, 0)
                {
                    out.series.push(SeriesPoint {
                        platform: p.platform.id.clone(),
                        variable: buoy_variables(*v).first().unwrap_or(&"").to_string(),
                        time: t,
                        depth: 0.0,
                        value: x.0,
                        qc: model::QcFlag::NO_QC,
                    });
                }
            }
        }
        if it.agg != Agg::List {
            let pos = |id: &str| platforms.iter().find(|p| p.platform.id == id).and_then(|p| p.platform.position);
            out.stats.extend(stats_for(it, *v, &xs, pos));
        }
    }
    out.matched = if it.agg == Agg::Count { reporting.len() } else { total };
    out.platforms = reporting;
    Ok(out)
}

fn reef_value(v: NlqVariable, d: &HeatStressDay) -> Option<f64> {
    match v {
        NlqVariable::Dhw => d.dhw,
        NlqVariable::Baa => d.baa_7day_max.map(f64::from),
        NlqVariable::SstAnomaly => d.ssta_90th_hs,
        NlqVariable::Sst | NlqVariable::Temperature => d.sst_90th_hs.or(d.sst_max),
        _ => None,
    }
}

async fn reefs(store: &dyn Store, it: &Interpretation, time: Option<TimeRange>) -> Result<Answer, QueryError> {
    let sites: Vec<PlatformSummary> = store
        .platforms(Some(PlatformKind::ReefSite))
        .await?
        .into_iter()
        .filter(|s| in_area(it, s.platform.position) && overlaps(s, time))
        .collect();
    let mut out = Answer { source: Some(Source::Reef), ..Default::default() };
    let (from, to) = match it.time {
        Some(t) => (t.start, t.end.succ_opt().unwrap_or(NaiveDate::MAX)),
        None => (NaiveDate::MIN, NaiveDate::MAX),
    };
    let vars: Vec<NlqVariable> = if it.variables.is_empty() { vec![NlqVariable::Dhw] } else { it.variables.clone() };
    let mut reporting = Vec::new();
    let mut xs: Vec<Vec<(f64, i64, String)>> = vec![Vec::new(); vars.len()];
    for s in &sites {
        let days = store.heat_stress(&s.platform.id, from, to).await?;
        let mut found = false;
        for d in days {
            let mut keep = false;
            for (k, v) in vars.iter().enumerate() {
                if let Some(x) = reef_value(*v, &d)
                    && filter_ok(it, x)
                {
                    let t = d.date.and_time(NaiveTime::MIN).and_utc().timestamp();
                    xs[k].push((x, t, s.platform.id.clone()));
                    keep = true;
                }
            }
            if keep {
                found = true;
                if out.heat_stress.len() < MAX_ITEMS {
                    out.heat_stress.push(d);
                }
            }
        }
        if found || it.variables.is_empty() {
            reporting.push(s.clone());
        }
    }
    if it.agg == Agg::Latest {
        out.heat_stress.clear();
        for s in &reporting {
            let days = store.heat_stress(&s.platform.id, from, to).await?;
            if let Some(d) = days.into_iter().rev().find(|d| vars.iter().any(|v| reef_value(*v, d).is_some())) {
                out.heat_stress.push(d);
            }
        }
    }
    out.matched = if it.agg == Agg::Count { reporting.len() } else { xs.iter().map(Vec::len).max().unwrap_or(0) };
    for (k, v) in vars.iter().enumerate() {
        if !it.variables.is_empty() && it.agg != Agg::List {
            let pos = |id: &str| sites.iter().find(|p| p.platform.id == id).and_then(|p| p.platform.position);
            out.stats.extend(stats_for(it, *v, &xs[k], pos));
        }
    }
    out.platforms = reporting;
    Ok(out)
}
