//! Reef heat stress: a site's days (`/api/reefs/{id}/heatstress`) and every site's current status
//! (`/api/reefs/status`).

use model::{HeatStressDay, ReefSite};
use serde::Serialize;

use super::GeoPoint;

#[derive(Serialize, utoipa::ToSchema)]
pub struct HeatStressDayOut {
    pub date: String,
    pub sst_min: Option<f64>,
    pub sst_max: Option<f64>,
    pub sst_90th_hs: Option<f64>,
    pub ssta_90th_hs: Option<f64>,
    pub hotspot: Option<f64>,
    pub dhw: Option<f64>,
    pub baa_7day_max: Option<u8>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct HeatStressOut {
    pub site: String,
    pub name: String,
    pub geolocation: GeoPoint,
    pub mmm: Option<f64>,
    #[schema(value_type = Option<Vec<f64>>)]
    pub monthly_means: Option<[f64; 12]>,
    pub count: usize,
    pub data: Vec<HeatStressDayOut>,
}

impl HeatStressOut {
    pub fn new(site: &ReefSite, days: &[HeatStressDay]) -> HeatStressOut {
        HeatStressOut {
            site: site.id.clone(),
            name: site.name.clone(),
            geolocation: GeoPoint { kind: "Point", coordinates: [site.position.lon, site.position.lat] },
            mmm: site.mmm,
            monthly_means: site.monthly_means,
            count: days.len(),
            data: days.iter().map(HeatStressDayOut::from).collect(),
        }
    }
}

impl From<&HeatStressDay> for HeatStressDayOut {
    fn from(d: &HeatStressDay) -> HeatStressDayOut {
        HeatStressDayOut {
            date: d.date.to_string(),
            sst_min: d.sst_min,
            sst_max: d.sst_max,
            sst_90th_hs: d.sst_90th_hs,
            ssta_90th_hs: d.ssta_90th_hs,
            hotspot: d.hotspot,
            dhw: d.dhw,
            baa_7day_max: d.baa_7day_max,
        }
    }
}

/// A reef site with its newest heat-stress day.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReefStatusOut {
    pub site: String,
    pub name: String,
    pub geolocation: GeoPoint,
    pub mmm: Option<f64>,
    /// The newest stored day, `null` when the site has none.
    pub latest: Option<HeatStressDayOut>,
    /// Consecutive days ending at `latest` at its 7-day BAA level (counted over at most 366 days).
    pub days_at_level: u32,
}
