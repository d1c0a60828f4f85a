//! A platform (float, buoy, station, reef site) with what the store holds of it: `/api/platforms`,
//! `/api/buoys`, `/api/reefs`, `/api/argo/meta`, chat results.

use serde::Serialize;
use store::PlatformSummary;

use super::GeoPoint;
use super::iso_millis as iso;

#[derive(Serialize, utoipa::ToSchema)]
pub struct PlatformOut {
    pub id: String,
    pub kind: &'static str,
    pub name: Option<String>,
    pub geolocation: Option<GeoPoint>,
    pub profiles: u64,
    pub series_points: u64,
    pub heat_stress_days: u64,
    pub variables: Vec<String>,
    pub first_time: Option<String>,
    pub last_time: Option<String>,
    #[schema(value_type = Object)]
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

impl From<&PlatformSummary> for PlatformOut {
    fn from(s: &PlatformSummary) -> PlatformOut {
        let p = &s.platform;
        PlatformOut {
            id: p.id.clone(),
            kind: p.kind.as_str(),
            name: p.name.clone(),
            geolocation: p.position.map(|pt| GeoPoint { kind: "Point", coordinates: [pt.lon, pt.lat] }),
            profiles: s.profiles,
            series_points: s.series_points,
            heat_stress_days: s.heat_stress_days,
            variables: s.variables.clone(),
            first_time: s.first_time.map(iso),
            last_time: s.last_time.map(iso),
            attributes: p.attributes.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect(),
        }
    }
}
