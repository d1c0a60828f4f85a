//! Row mappings both backends share: how domain values become column values (source rank, attribute
//! JSON, dates as text) and how the rows a backend reads become domain records. A backend's statement
//! returns the columns of a `*Row` tuple in its order (casting where its column types differ), so that
//! only the SQL is written per backend.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use model::{
    DataMode, Direction, DirectionKey, HeatStressDay, Platform, PlatformKind, Point, Profile, ProfileKey, QcFlag,
    ReefSite, SeriesPoint, SourceFormat,
};

use crate::codec::{decode_levels, fnv1a};
use crate::error::StoreError;
use crate::observations::{PlatformLatest, PlatformSummary, ProfileStub, VariableStats};

pub(crate) fn ts(t: Option<DateTime<Utc>>) -> Option<i64> {
    t.map(|t| t.timestamp())
}

pub(crate) fn from_ts(t: Option<i64>) -> Option<DateTime<Utc>> {
    t.and_then(|s| Utc.timestamp_opt(s, 0).single())
}

/// NaN is stored as NULL (SQLite turns a bound NaN into NULL; PostgreSQL is given NULL).
pub(crate) fn nan_to_none(x: Option<f64>) -> Option<f64> {
    x.filter(|v| !v.is_nan())
}

/// Dates as stored (`YYYY-MM-DD`), clamped to years 1–9999 so that text order is date order.
pub(crate) fn clamp_date(d: NaiveDate) -> String {
    let lo = NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or(NaiveDate::MIN);
    let hi = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX);
    d.clamp(lo, hi).format("%Y-%m-%d").to_string()
}

/// An instant as Unix seconds clamped to years 1..=9999, for binding a range bound: PostgreSQL's
/// `to_timestamp` rejects `DateTime::MIN_UTC`/`MAX_UTC` (what an open `TimeRange` holds), and no stored row
/// lies outside those years.
pub(crate) fn clamp_seconds(t: DateTime<Utc>) -> i64 {
    t.timestamp().clamp(-62_135_596_800, 253_402_300_799)
}

/// The stored date of an instant (UTC), for date-keyed ranges.
pub(crate) fn date_of(t: DateTime<Utc>) -> String {
    clamp_date(t.date_naive())
}

/// A stored direction (`D` descending, anything else ascending).
pub(crate) fn dir_key(s: &str) -> DirectionKey {
    if s == "D" { DirectionKey::D } else { DirectionKey::A }
}

/// The stored direction of a key.
pub(crate) fn dir_text(d: DirectionKey) -> &'static str {
    if d == DirectionKey::D { "D" } else { "A" }
}

/// A stored data mode (`R`, `A`, `D`); real time when unreadable.
pub(crate) fn data_mode_of(s: &str) -> DataMode {
    DataMode::from_char(s.bytes().next().unwrap_or(b'R')).unwrap_or(DataMode::RealTime)
}

/// A stored parameter list (`PRES,TEMP,PSAL`).
pub(crate) fn param_list(s: &str) -> Vec<String> {
    if s.is_empty() { Vec::new() } else { s.split(',').map(str::to_string).collect() }
}

/// A profile's parameter list as stored.
pub(crate) fn params_text(p: &Profile) -> String {
    p.params.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(",")
}

/// A stored source format; the GDAC NetCDF when unreadable.
pub(crate) fn source_format_of(s: &str) -> SourceFormat {
    SourceFormat::parse(s).unwrap_or(SourceFormat::ArgoNetcdf)
}

/// Which version of a profile wins when it arrives from several files. GDAC files are the reference and
/// ERDDAP responses and Argovis documents derive from them; within a form, delayed mode beats adjusted
/// beats real time. A file of the same rank as the stored one replaces it only if it is the same file
/// (re-ingested with new content), so two equal copies never overwrite each other back and forth.
pub(crate) fn source_rank(p: &Profile) -> i64 {
    let form = match p.source_format {
        SourceFormat::ArgoNetcdf => 3,
        SourceFormat::ErddapNc => 2,
        SourceFormat::ArgovisJson => 1,
    };
    let mode = match p.data_mode {
        DataMode::RealTime => 0,
        DataMode::Adjusted => 1,
        DataMode::Delayed => 2,
    };
    form * 10 + mode
}

/// Attributes as a JSON object in their order (`{"owner":"NDBC","type":"buoy"}`).
pub(crate) fn attrs_to_json(attrs: &[(String, String)]) -> String {
    let mut s = String::from("{");
    for (i, (k, v)) in attrs.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        json_str(&mut s, k);
        s.push(':');
        json_str(&mut s, v);
    }
    s.push('}');
    s
}

fn json_str(out: &mut String, v: &str) {
    out.push('"');
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Reads a JSON object of string values back into ordered pairs (keys and values alternate).
pub(crate) fn parse_attrs(json: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut strings = Vec::new();
    let mut chars = json.chars();
    while let Some(c) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut s = String::new();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => match chars.next() {
                    Some('n') => s.push('\n'),
                    Some('r') => s.push('\r'),
                    Some('t') => s.push('\t'),
                    Some('u') => {
                        let hex: String = chars.by_ref().take(4).collect();
                        if let Some(ch) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                            s.push(ch);
                        }
                    }
                    Some(o) => s.push(o),
                    None => {}
                },
                c => s.push(c),
            }
        }
        strings.push(s);
        if strings.len() == 2 {
            let v = strings.pop().unwrap_or_default();
            let k = strings.pop().unwrap_or_default();
            out.push((k, v));
        }
    }
    out
}

/// A profile row as stored (each backend's `PROFILE_COLUMNS`, in this order), read by sqlx or rusqlite.
pub(crate) struct RawProfile {
    pub platform: String,
    pub cycle: i32,
    pub direction: String,
    pub time: Option<i64>,
    pub time_qc: i64,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub position_qc: i64,
    pub data_mode: String,
    /// data_centre, project_name, pi_name, platform_type, wmo_inst_type, positioning_system,
    /// vertical_sampling_scheme.
    pub text: [String; 7],
    pub config_mission_number: Option<i32>,
    pub source_format: String,
    pub source_file: String,
    pub levels: Vec<u8>,
}

/// A [`RawProfile`] from a row whose profile columns start at `$off`, read with `$row.$get(index)` (sqlx's
/// `try_get` or rusqlite's `get`): one column list for both readers.
macro_rules! raw_profile {
    ($row:ident . $get:ident, $off:expr) => {{
        let off = $off;
        $crate::rows::RawProfile {
            platform: $row.$get(off)?,
            cycle: $row.$get(off + 1)?,
            direction: $row.$get(off + 2)?,
            time: $row.$get(off + 3)?,
            time_qc: $row.$get(off + 4)?,
            lon: $row.$get(off + 5)?,
            lat: $row.$get(off + 6)?,
            position_qc: $row.$get(off + 7)?,
            data_mode: $row.$get(off + 8)?,
            text: [
                $row.$get(off + 9)?,
                $row.$get(off + 10)?,
                $row.$get(off + 11)?,
                $row.$get(off + 12)?,
                $row.$get(off + 13)?,
                $row.$get(off + 14)?,
                $row.$get(off + 15)?,
            ],
            config_mission_number: $row.$get(off + 16)?,
            source_format: $row.$get(off + 17)?,
            source_file: $row.$get(off + 18)?,
            levels: $row.$get(off + 19)?,
        }
    }};
}
pub(crate) use raw_profile;

impl RawProfile {
    pub(crate) fn into_profile(self) -> Result<Profile, StoreError> {
        let direction =
            Direction::from_char(self.direction.bytes().next().unwrap_or(b'A')).unwrap_or(Direction::Ascending);
        let mut p = Profile::empty(self.platform, self.cycle, direction);
        p.time = from_ts(self.time);
        p.time_qc = QcFlag::from_byte(self.time_qc as u8);
        p.position = match (self.lon, self.lat) {
            (Some(lon), Some(lat)) => Point::new(lon, lat).ok(),
            _ => None,
        };
        p.position_qc = QcFlag::from_byte(self.position_qc as u8);
        p.data_mode = data_mode_of(&self.data_mode);
        [
            p.data_centre,
            p.project_name,
            p.pi_name,
            p.platform_type,
            p.wmo_inst_type,
            p.positioning_system,
            p.vertical_sampling_scheme,
        ] = self.text;
        p.config_mission_number = self.config_mission_number;
        p.source_format = source_format_of(&self.source_format);
        p.source_file = self.source_file;
        p.params = decode_levels(&self.levels).map_err(StoreError::Corrupt)?;
        Ok(p)
    }
}

/// A profile stub: row id, platform, cycle, direction, time, lon, lat, data mode, params, source format,
/// position QC.
pub(crate) type StubRow =
    (i64, String, i32, String, Option<i64>, Option<f64>, Option<f64>, String, String, String, i64);

pub(crate) fn stub_of((row_id, platform, cycle, dir, time, lon, lat, mode, params, fmt, qc): StubRow) -> ProfileStub {
    ProfileStub {
        row_id,
        key: ProfileKey { platform, cycle, direction: dir_key(&dir) },
        time: from_ts(time),
        position: lon.zip(lat).and_then(|(lon, lat)| Point::new(lon, lat).ok()),
        data_mode: data_mode_of(&mode),
        params: param_list(&params),
        source_format: source_format_of(&fmt),
        position_qc: QcFlag::from_byte(qc as u8),
    }
}

/// A series point: platform, variable, time, depth, value, QC.
pub(crate) type SeriesRow = (String, String, i64, f64, f64, i64);

pub(crate) fn point_of((platform, variable, t, depth, value, qc): SeriesRow) -> Option<SeriesPoint> {
    Some(SeriesPoint {
        platform,
        variable,
        time: Utc.timestamp_opt(t, 0).single()?,
        depth,
        value,
        qc: QcFlag::from_byte(qc as u8),
    })
}

/// A platform with its counts: id, kind, name, lon, lat, attributes; profiles (count, first, last time);
/// series (count, first, last, variables); heat stress days (count, first, last), times as Unix seconds.
pub(crate) type PlatformRow = (
    String,
    String,
    Option<String>,
    Option<f64>,
    Option<f64>,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
    i64,
    Option<i64>,
    Option<i64>,
);

pub(crate) fn platform_summary_of(r: PlatformRow) -> PlatformSummary {
    let (
        id,
        kind,
        name,
        lon,
        lat,
        attributes,
        n_profiles,
        p_first,
        p_last,
        n_series,
        s_first,
        s_last,
        vars,
        n_days,
        h_first,
        h_last,
    ) = r;
    let mut p = Platform::new(id, PlatformKind::parse(&kind).unwrap_or(PlatformKind::Other));
    p.name = name;
    p.position = lon.zip(lat).and_then(|(lon, lat)| Point::new(lon, lat).ok());
    p.attributes = parse_attrs(&attributes);
    let firsts = [from_ts(p_first), from_ts(s_first), from_ts(h_first)];
    let lasts = [from_ts(p_last), from_ts(s_last), from_ts(h_last)];
    PlatformSummary {
        platform: p,
        profiles: n_profiles as u64,
        series_points: n_series as u64,
        heat_stress_days: n_days as u64,
        first_time: firsts.into_iter().flatten().min(),
        last_time: lasts.into_iter().flatten().max(),
        variables: vars.map(|v| v.split(',').map(str::to_string).collect()).unwrap_or_default(),
    }
}

/// The newest positioned profile of a platform: platform, cycle, time, lon, lat, profiles.
pub(crate) type LatestRow = (String, i64, i64, f64, f64, i64);

pub(crate) fn latest_of((platform, cycle, t, lon, lat, n): LatestRow) -> Option<PlatformLatest> {
    Some(PlatformLatest {
        platform,
        cycle: i32::try_from(cycle).ok()?,
        time: Utc.timestamp_opt(t, 0).single()?,
        position: Point::new(lon, lat).ok()?,
        profiles: n as u64,
    })
}

/// A series variable's statistics: variable, platforms, count, min, max, mean, first and last time.
pub(crate) type StatsRow = (String, i64, i64, f64, f64, f64, Option<i64>, Option<i64>);

pub(crate) fn stats_of((variable, platforms, count, min, max, mean, first, last): StatsRow) -> VariableStats {
    VariableStats {
        variable,
        platforms: platforms as u64,
        count: count as u64,
        min,
        max,
        mean,
        first: from_ts(first),
        last: from_ts(last),
    }
}

/// A GDAC index row's file and update time.
pub(crate) fn index_update_of((file, date_update): (String, Option<i64>)) -> (String, Option<DateTime<Utc>>) {
    (file, date_update.and_then(|s| DateTime::from_timestamp(s, 0)))
}

/// The text columns of a reef site and the digest that decides its UPSERT.
pub(crate) struct ReefColumns {
    /// The twelve monthly means, space-separated.
    pub monthly_means: Option<String>,
    /// `lon lat` pairs, comma-separated.
    pub polygon: Option<String>,
    pub digest: i64,
}

impl ReefColumns {
    pub(crate) fn of(s: &ReefSite) -> ReefColumns {
        let means = s.monthly_means.map(|m| m.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(" "));
        let polygon =
            s.polygon.as_ref().map(|p| p.iter().map(|(x, y)| format!("{x} {y}")).collect::<Vec<_>>().join(","));
        let dates = (s.first_valid_dhw.map(|d| d.to_string()), s.first_valid_baa.map(|d| d.to_string()));
        let digest = fnv1a(&[
            s.name.as_bytes(),
            &s.position.lon.to_le_bytes(),
            &s.position.lat.to_le_bytes(),
            format!("{:?}{:?}{:?}{:?}", s.mmm, means, dates, polygon).as_bytes(),
        ]);
        ReefColumns { monthly_means: means, polygon, digest }
    }
}

/// A reef site: id, name, lon, lat, MMM, monthly means, first valid DHW and BAA dates (`YYYY-MM-DD`),
/// polygon.
pub(crate) type ReefRow =
    (String, String, f64, f64, Option<f64>, Option<String>, Option<String>, Option<String>, Option<String>);

pub(crate) fn reef_site_of(r: ReefRow) -> Result<ReefSite, StoreError> {
    let (id, name, lon, lat, mmm, means, first_valid_dhw, first_valid_baa, polygon) = r;
    let monthly_means = means.and_then(|m| {
        let v: Vec<f64> = m.split(' ').filter_map(|x| x.parse().ok()).collect();
        <[f64; 12]>::try_from(v).ok()
    });
    let date = |s: Option<String>| s.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
    Ok(ReefSite {
        id,
        name,
        position: Point::new(lon, lat).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        mmm,
        monthly_means,
        first_valid_dhw: date(first_valid_dhw),
        first_valid_baa: date(first_valid_baa),
        polygon: polygon.map(|p| {
            p.split(',')
                .filter_map(|xy| xy.split_once(' ').and_then(|(x, y)| Some((x.parse().ok()?, y.parse().ok()?))))
                .collect()
        }),
    })
}

/// A heat stress day of one site: date (`YYYY-MM-DD`), SST min, max, 90th-percentile HotSpot SST and
/// SSTA, HotSpot, DHW, 7-day maximum BAA.
pub(crate) type HeatRow =
    (String, Option<f64>, Option<f64>, Option<f64>, Option<f64>, Option<f64>, Option<f64>, Option<i64>);

pub(crate) fn heat_day_of(site: &str, r: HeatRow) -> Result<HeatStressDay, StoreError> {
    let (date, sst_min, sst_max, sst_90th_hs, ssta_90th_hs, hotspot, dhw, baa) = r;
    Ok(HeatStressDay {
        site: site.to_string(),
        date: NaiveDate::parse_from_str(&date, "%Y-%m-%d").map_err(|e| StoreError::Corrupt(e.to_string()))?,
        sst_min: nan_to_none(sst_min),
        sst_max: nan_to_none(sst_max),
        sst_90th_hs: nan_to_none(sst_90th_hs),
        ssta_90th_hs: nan_to_none(ssta_90th_hs),
        hotspot: nan_to_none(hotspot),
        dhw: nan_to_none(dhw),
        baa_7day_max: baa.map(|b| b as u8),
    })
}
