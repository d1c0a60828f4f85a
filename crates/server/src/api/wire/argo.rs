//! The dashboard's float layer (`/api/floats/latest`): one float's newest positioned profile.

use serde::Serialize;

use super::GeoPoint;

/// One float's newest positioned profile.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FloatLatestOut {
    pub platform: String,
    /// Id of that profile for `/api/profiles/{id}`.
    pub profile_id: String,
    pub cycle: i32,
    pub timestamp: String,
    pub geolocation: GeoPoint,
    /// Positioned, timed profiles stored for the float.
    pub profiles: u64,
}
