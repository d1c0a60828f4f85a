//! The vocabulary of halocline: platforms, profiles, series, heat-stress days, regions, time ranges,
//! variables, QC flags and error codes. No IO, no async: every other crate speaks in these types.

mod alert;
mod error;
mod geo;
mod grid;
mod platform;
mod profile;
mod qc;
mod series;
mod time;
mod variable;

pub use alert::{
    Aggregate, AlertCondition, AlertRule, Comparison, FiredAlert, Receiver, Severity, Subscription, valid_alert_id,
};
pub use error::ErrorCode;
pub use geo::{BBox, EARTH_RADIUS_KM, GeoError, Point, Polygon, Region, haversine_km, normalize_lon};
pub use grid::{Grid, GridError, GridSummary, GridWindow};
pub use platform::{Platform, PlatformKind};
pub use profile::{DataMode, Direction, DirectionKey, ParamColumn, Profile, ProfileKey, SourceFormat};
pub use qc::QcFlag;
pub use series::{HeatStressDay, ReefSite, SeriesPoint};
pub use time::{TimeRange, TimeRangeError};
pub use variable::{VARIABLES, Variable, VariableKind};

#[cfg(test)]
mod tests;
