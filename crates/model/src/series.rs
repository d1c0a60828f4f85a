//! Time series points (buoys, stations, reef sites) and NOAA Coral Reef Watch heat-stress days.

use chrono::{DateTime, NaiveDate, Utc};

use crate::{Point, QcFlag};

/// One observation of one variable. Natural key: `(platform, variable, time, depth)`.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesPoint {
    pub platform: String,
    /// A name from [`crate::VARIABLES`] (e.g. `sea_surface_temperature`).
    pub variable: String,
    pub time: DateTime<Utc>,
    /// Metres below the surface, positive down; 0 for surface and above-surface sensors.
    pub depth: f64,
    pub value: f64,
    pub qc: QcFlag,
}

/// A reef site or CRW virtual station, with the climatology its heat stress is measured against.
#[derive(Debug, Clone, PartialEq)]
pub struct ReefSite {
    pub id: String,
    pub name: String,
    pub position: Point,
    /// Maximum Monthly Mean SST climatology, °C.
    pub mmm: Option<f64>,
    /// Monthly mean SST climatology, January first, °C.
    pub monthly_means: Option<[f64; 12]>,
    pub first_valid_dhw: Option<NaiveDate>,
    pub first_valid_baa: Option<NaiveDate>,
    pub polygon: Option<Vec<(f64, f64)>>,
}

/// One day of a CRW heat-stress series. Natural key: `(site, date)`. Missing values are `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatStressDay {
    pub site: String,
    pub date: NaiveDate,
    pub sst_min: Option<f64>,
    pub sst_max: Option<f64>,
    /// SST at the 90th percentile HotSpot pixel, °C.
    pub sst_90th_hs: Option<f64>,
    /// SST anomaly at that pixel, °C.
    pub ssta_90th_hs: Option<f64>,
    /// 90th percentile HotSpot (values > 0), °C.
    pub hotspot: Option<f64>,
    /// Degree Heating Weeks from that HotSpot, °C-weeks.
    pub dhw: Option<f64>,
    /// Bleaching Alert Area, 7-day maximum (0 No Stress, 1 Watch, 2 Warning, 3 Alert 1, 4 Alert 2, 5–7 Alert 3–5).
    pub baa_7day_max: Option<u8>,
}
