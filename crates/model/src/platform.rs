//! Platforms: Argo floats, NDBC buoys and stations, reef sites and virtual stations.

use crate::Point;

/// What kind of thing took the measurements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlatformKind {
    ArgoFloat,
    /// A moored or drifting buoy (NDBC `type="buoy"`).
    Buoy,
    /// A fixed coastal or offshore station (C-MAN, tide gauge, oil platform).
    FixedStation,
    /// A DART tsunami buoy.
    Dart,
    /// A reef site or NOAA Coral Reef Watch virtual station.
    ReefSite,
    Other,
}

impl PlatformKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PlatformKind::ArgoFloat => "argo_float",
            PlatformKind::Buoy => "buoy",
            PlatformKind::FixedStation => "fixed_station",
            PlatformKind::Dart => "dart",
            PlatformKind::ReefSite => "reef_site",
            PlatformKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<PlatformKind> {
        Some(match s {
            "argo_float" => PlatformKind::ArgoFloat,
            "buoy" => PlatformKind::Buoy,
            "fixed_station" => PlatformKind::FixedStation,
            "dart" => PlatformKind::Dart,
            "reef_site" => PlatformKind::ReefSite,
            "other" => PlatformKind::Other,
            _ => return None,
        })
    }
}

/// A platform and what is known about it. `id` is the natural key: the WMO number of a float,
/// the NDBC station id (upper case) of a buoy, the slug of a reef site.
#[derive(Debug, Clone, PartialEq)]
pub struct Platform {
    pub id: String,
    pub kind: PlatformKind,
    pub name: Option<String>,
    /// Fixed or launch position.
    pub position: Option<Point>,
    /// Further metadata in file order (owner, DAC, PI, sensors, launch date, ...).
    pub attributes: Vec<(String, String)>,
}

impl Platform {
    pub fn new(id: impl Into<String>, kind: PlatformKind) -> Platform {
        Platform { id: id.into(), kind, name: None, position: None, attributes: Vec::new() }
    }

    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}
