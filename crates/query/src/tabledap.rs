//! Which stored data answers an ERDDAP tabledap request: the profiles, buoy series or reef days a
//! [`TableQuery`] selects (time range, region, platform/station/site pins and cycle bounds pushed down to
//! the store), read in batches by a [`Reader`]; the dataset-wide [`extremes`] that `min()`/`max()`
//! refer to; and whether a dataset [`has_data_in`] an advanced search's box and time range. The grammar
//! and the layouts are the `erddap` crate's; turning batches into rows and bytes is the server's.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use erddap::{Cell, Dataset, ErddapError, SearchParams, TableQuery};
use model::{BBox, HeatStressDay, PlatformKind, Point, Profile, ReefSite, Region, SeriesPoint, TimeRange};
use store::{ProfileFilter, SeriesFilter, Store};

/// Profiles loaded from the store per batch.
pub const PROFILE_BATCH: usize = 256;

/// What one read of the store gives the row writer.
pub enum Batch {
    Profiles(Vec<Profile>),
    /// One buoy's points, with the buoy's position (the rows' longitude and latitude).
    Points {
        points: Vec<SeriesPoint>,
        position: Option<Point>,
    },
    Reef {
        site: ReefSite,
        days: Vec<HeatStressDay>,
    },
}

fn store_err(e: store::StoreError) -> ErddapError {
    ErddapError::Internal(format!("store: {e}"))
}

/// Whether a stub has a parameter beyond the core three (the synthetic BGC dataset's profiles).
fn is_bgc(s: &store::ProfileStub) -> bool {
    s.params.iter().any(|p| !matches!(p.as_str(), "PRES" | "TEMP" | "PSAL"))
}

/// The time range the constraints on `var` allow, `[lo, hi]` as a half-open range; `None` inside when
/// unconstrained, outer `None` when empty.
pub fn time_range(q: &TableQuery, ds: &Dataset, var: &str) -> Option<Option<TimeRange>> {
    let Some(i) = ds.var_index(var) else { return Some(None) };
    let (lo, hi) = q.bounds(i);
    if lo == f64::NEG_INFINITY && hi == f64::INFINITY {
        return Some(None);
    }
    let at = |s: f64| DateTime::<Utc>::from_timestamp(s as i64, 0);
    let start =
        if lo.is_finite() { at(lo.floor()).unwrap_or(DateTime::<Utc>::MIN_UTC) } else { DateTime::<Utc>::MIN_UTC };
    let end = if hi.is_finite() {
        at(hi.floor() + 1.0).unwrap_or(DateTime::<Utc>::MAX_UTC)
    } else {
        DateTime::<Utc>::MAX_UTC
    };
    TimeRange::new(start, end).ok().map(Some)
}

/// The region the constraints allow (a box from the lon/lat bounds, or the polygon); `None` inside
/// when unconstrained, outer `None` when empty.
pub fn region(q: &TableQuery, ds: &Dataset) -> Option<Option<Region>> {
    if let Some(p) = &q.polygon {
        return Some(Some(Region::Polygon(p.clone())));
    }
    let (Some(lon), Some(lat)) = (ds.var_index("longitude"), ds.var_index("latitude")) else { return Some(None) };
    let ((w, e), (s, n)) = (q.bounds(lon), q.bounds(lat));
    if w == f64::NEG_INFINITY && e == f64::INFINITY && s == f64::NEG_INFINITY && n == f64::INFINITY {
        return Some(None);
    }
    let (w, e, s, n) = (w.max(-180.0), e.min(180.0), s.max(-90.0), n.min(90.0));
    if w > e || s > n {
        return None;
    }
    // A box whose east edge is 180 is the same as one up to just below it on [-180, 180).
    Some(BBox::new(w, s, if e >= 180.0 { 179.999_999_999 } else { e }, n).ok().map(Region::Box))
}

/// Whether `ds` holds data inside the search's lon/lat box and time range.
pub async fn has_data_in(store: &dyn Store, ds: &Dataset, p: &SearchParams) -> Result<bool, ErddapError> {
    let region = match (p.lon, p.lat) {
        (None, None) => None,
        (lon, lat) => {
            let (w, e) = lon.unwrap_or((-180.0, 180.0));
            let (s, n) = lat.unwrap_or((-90.0, 90.0));
            let b = BBox::new(w, s.max(-90.0), if e - w >= 360.0 { w + 360.0 } else { e }, n.min(90.0))
                .map_err(|e| ErddapError::Query(format!("minLon/maxLon/minLat/maxLat: {e}")))?;
            Some(Region::Box(b))
        }
    };
    let time = match p.time {
        None => None,
        Some((lo, hi)) => {
            let at = |s: f64, d: DateTime<Utc>| {
                if s.is_finite() { DateTime::<Utc>::from_timestamp(s.floor() as i64, 0).unwrap_or(d) } else { d }
            };
            let (start, end) = (at(lo, DateTime::<Utc>::MIN_UTC), at(hi + 1.0, DateTime::<Utc>::MAX_UTC));
            match TimeRange::new(start, end) {
                Ok(t) => Some(t),
                Err(_) => return Ok(false),
            }
        }
    };
    let inside = |pos: Option<Point>| region.as_ref().is_none_or(|r| pos.is_some_and(|pt| r.contains(pt)));
    let overlaps = |first: Option<DateTime<Utc>>, last: Option<DateTime<Utc>>| {
        time.is_none_or(|t| first.zip(last).is_some_and(|(f, l)| f < t.end() && l >= t.start()))
    };
    match ds.id.as_str() {
        erddap::NDBC_STDMET | erddap::REEF_HEAT_STRESS => {
            let kind = if ds.id == erddap::NDBC_STDMET { PlatformKind::Buoy } else { PlatformKind::ReefSite };
            let list = store.platforms(Some(kind)).await.map_err(store_err)?;
            let has_rows = |s: &store::PlatformSummary| {
                if ds.id == erddap::NDBC_STDMET { s.series_points > 0 } else { s.heat_stress_days > 0 }
            };
            Ok(list.iter().any(|s| has_rows(s) && inside(s.platform.position) && overlaps(s.first_time, s.last_time)))
        }
        _ => {
            let bgc = ds.id == erddap::ARGO_SYNTHETIC_BGC;
            let filter = ProfileFilter { region, time, platform: None, limit: if bgc { None } else { Some(1) } };
            let stubs = store.profile_stubs(&filter).await.map_err(store_err)?;
            Ok(stubs.iter().any(|s| !bgc || is_bgc(s)))
        }
    }
}

/// The dataset-wide extremes `min(var)`/`max(var)` refer to, from the store: profile-level variables
/// of the Argo datasets (time, position, cycle), every column of the buoy and reef datasets. Others
/// (Argo level values) are left unknown, which the query reports as ERDDAP does.
pub async fn extremes(
    store: &dyn Store,
    ds: &Dataset,
    wanted: &[(usize, bool)],
) -> Result<HashMap<usize, (f64, f64)>, ErddapError> {
    let mut out: HashMap<usize, (f64, f64)> = Default::default();
    let mut see = |var: usize, v: f64| {
        if !v.is_nan() {
            let e = out.entry(var).or_insert((f64::INFINITY, f64::NEG_INFINITY));
            *e = (e.0.min(v), e.1.max(v));
        }
    };
    let name = |i: usize| ds.vars[i].name.as_str();
    let vars: Vec<usize> = wanted.iter().map(|w| w.0).collect();
    match ds.id.as_str() {
        erddap::NDBC_STDMET => {
            let stats = store.series_stats().await.map_err(store_err)?;
            let buoys = store.platforms(Some(PlatformKind::Buoy)).await.map_err(store_err)?;
            for &v in &vars {
                match name(v) {
                    "longitude" | "latitude" => {
                        for b in &buoys {
                            if let Some(p) = b.platform.position {
                                see(v, if name(v) == "longitude" { p.lon } else { p.lat });
                            }
                        }
                    }
                    "time" => {
                        for st in stats.iter().filter(|st| erddap::NDBC_COLUMNS.iter().any(|(_, s)| *s == st.variable))
                        {
                            for t in [st.first, st.last].into_iter().flatten() {
                                see(v, t.timestamp() as f64);
                            }
                        }
                    }
                    col => {
                        let series = erddap::NDBC_COLUMNS.iter().find(|(c, _)| *c == col).map(|(_, s)| *s);
                        for st in stats.iter().filter(|st| Some(st.variable.as_str()) == series) {
                            see(v, st.min);
                            see(v, st.max);
                        }
                    }
                }
            }
        }
        erddap::REEF_HEAT_STRESS => {
            let sites = store.platforms(Some(PlatformKind::ReefSite)).await.map_err(store_err)?;
            let (from, to) = (
                NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or_default(),
                NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or_default(),
            );
            for s in sites {
                let Some(site) = store.reef_site(&s.platform.id).await.map_err(store_err)? else { continue };
                let days = store.heat_stress(&site.id, from, to).await.map_err(store_err)?;
                erddap::reef_rows(ds, &vars, &site, &days, &mut |row: &[Cell]| {
                    for (k, c) in row.iter().enumerate() {
                        if let Cell::Num(x) = c {
                            see(vars[k], *x);
                        }
                    }
                });
            }
        }
        _ => {
            let stubs = store.profile_stubs(&ProfileFilter::default()).await.map_err(store_err)?;
            let bgc = ds.id == erddap::ARGO_SYNTHETIC_BGC;
            for s in stubs.iter().filter(|s| !bgc || is_bgc(s)) {
                for &v in &vars {
                    let x = match name(v) {
                        "time" | "date" => s.time.map(|t| t.timestamp() as f64),
                        "latitude" => s.position.map(|p| p.lat),
                        "longitude" => s.position.map(|p| p.lon),
                        "cycle_number" => Some(s.key.cycle as f64),
                        _ => None,
                    };
                    if let Some(x) = x {
                        see(v, x);
                    }
                }
            }
        }
    }
    Ok(out)
}

/// What is left to read.
enum Pending {
    /// Row ids of the selected profiles, read `PROFILE_BATCH` at a time.
    Profiles(std::vec::IntoIter<i64>),
    /// Buoys (id, position), one batch each.
    Buoys { buoys: std::vec::IntoIter<(String, Option<Point>)>, time: Option<TimeRange> },
    /// Reef site ids, one batch each (a site outside the region is skipped).
    Reefs { sites: std::vec::IntoIter<String>, region: Option<Region>, from: NaiveDate, to: NaiveDate },
}

/// The store reads that answer one tabledap request, in batches: [`Reader::open`] applies the
/// constraints the store can (time, region, pins, cycle bounds), [`Reader::next`] reads the next batch.
pub struct Reader {
    store: Arc<dyn Store>,
    pending: Pending,
}

impl Reader {
    /// The reads for `q` over `ds`; an empty time range or region reads nothing.
    pub async fn open(store: Arc<dyn Store>, ds: &Dataset, q: &TableQuery) -> Result<Reader, ErddapError> {
        let pending = match ds.id.as_str() {
            erddap::NDBC_STDMET => Self::buoys(&*store, ds, q).await?,
            erddap::REEF_HEAT_STRESS => Self::reefs(&*store, ds, q).await?,
            _ => Self::profiles(&*store, ds, q).await?,
        };
        Ok(Reader { store, pending })
    }

    async fn profiles(store: &dyn Store, ds: &Dataset, q: &TableQuery) -> Result<Pending, ErddapError> {
        let time_var = if ds.id == erddap::ARGO_INDEX { "date" } else { "time" };
        let (Some(time), Some(region)) = (time_range(q, ds, time_var), region(q, ds)) else {
            return Ok(Pending::Profiles(Vec::new().into_iter()));
        };
        let platform = ds.var_index("platform_number").and_then(|i| q.pinned_text(i));
        let filter = ProfileFilter { region, time, platform, limit: None };
        let stubs = store.profile_stubs(&filter).await.map_err(store_err)?;
        let (clo, chi) = ds.var_index("cycle_number").map_or((f64::NEG_INFINITY, f64::INFINITY), |i| q.bounds(i));
        let cycle_pin = ds.var_index("cycle_number").and_then(|i| q.pinned_text(i)).and_then(|s| s.parse::<i32>().ok());
        let bgc = ds.id == erddap::ARGO_SYNTHETIC_BGC;
        let ids: Vec<i64> = stubs
            .iter()
            .filter(|s| (clo..=chi).contains(&(s.key.cycle as f64)) && cycle_pin.is_none_or(|c| c == s.key.cycle))
            .filter(|s| !bgc || is_bgc(s))
            .map(|s| s.row_id)
            .collect();
        Ok(Pending::Profiles(ids.into_iter()))
    }

    async fn buoys(store: &dyn Store, ds: &Dataset, q: &TableQuery) -> Result<Pending, ErddapError> {
        let (Some(time), Some(region)) = (time_range(q, ds, "time"), region(q, ds)) else {
            return Ok(Pending::Buoys { buoys: Vec::new().into_iter(), time: None });
        };
        let station = ds.var_index("station").and_then(|i| q.pinned_text(i));
        let buoys: Vec<(String, Option<Point>)> = store
            .platforms(Some(PlatformKind::Buoy))
            .await
            .map_err(store_err)?
            .into_iter()
            .map(|b| b.platform)
            .filter(|p| station.as_ref().is_none_or(|s| *s == p.id))
            .filter(|p| match (&region, p.position) {
                (Some(r), Some(pos)) => r.contains(pos),
                _ => true,
            })
            .map(|p| (p.id, p.position))
            .collect();
        Ok(Pending::Buoys { buoys: buoys.into_iter(), time })
    }

    async fn reefs(store: &dyn Store, ds: &Dataset, q: &TableQuery) -> Result<Pending, ErddapError> {
        let (Some(time), Some(region)) = (time_range(q, ds, "time"), region(q, ds)) else {
            let day = NaiveDate::default();
            return Ok(Pending::Reefs { sites: Vec::new().into_iter(), region: None, from: day, to: day });
        };
        let site_pin = ds.var_index("site").and_then(|i| q.pinned_text(i));
        let (from, to) = match time {
            Some(t) => (t.start().date_naive(), t.end().date_naive()),
            None => (
                NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default(),
                NaiveDate::from_ymd_opt(2200, 1, 1).unwrap_or_default(),
            ),
        };
        let sites: Vec<String> = store
            .platforms(Some(PlatformKind::ReefSite))
            .await
            .map_err(store_err)?
            .into_iter()
            .map(|s| s.platform.id)
            .filter(|id| site_pin.as_ref().is_none_or(|p| p == id))
            .collect();
        Ok(Pending::Reefs { sites: sites.into_iter(), region, from, to })
    }

    /// The next batch; `None` when everything was read.
    pub async fn next(&mut self) -> Result<Option<Batch>, ErddapError> {
        let store = &*self.store;
        match &mut self.pending {
            Pending::Profiles(ids) => {
                let chunk: Vec<i64> = ids.by_ref().take(PROFILE_BATCH).collect();
                if chunk.is_empty() {
                    return Ok(None);
                }
                Ok(Some(Batch::Profiles(store.profiles_by_row_ids(&chunk).await.map_err(store_err)?)))
            }
            Pending::Buoys { buoys, time } => {
                let Some((id, position)) = buoys.next() else { return Ok(None) };
                let filter = SeriesFilter { platform: Some(id), time: *time, ..SeriesFilter::default() };
                let points = store.series_points(&filter).await.map_err(store_err)?;
                Ok(Some(Batch::Points { points, position }))
            }
            Pending::Reefs { sites, region, from, to } => {
                for id in sites.by_ref() {
                    let Some(site) = store.reef_site(&id).await.map_err(store_err)? else { continue };
                    if let Some(r) = region
                        && !r.contains(site.position)
                    {
                        continue;
                    }
                    let days = store.heat_stress(&site.id, *from, *to).await.map_err(store_err)?;
                    return Ok(Some(Batch::Reef { site, days }));
                }
                Ok(None)
            }
        }
    }
}
