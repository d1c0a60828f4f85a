//! Every JSON shape of the HTTP API, one file per resource: what handlers answer (`*Out`) and the JSON
//! bodies they accept (`*In`, `*Body`, `ChatRequest`, `Observation`). Domain types never serialize
//! themselves; these do. Query-parameter structs (`*Params`) stay beside their handlers, where they are
//! parsed. `wire_home_test` (in this folder) fails when a `Serialize`/`Deserialize` derive appears
//! elsewhere in the crate.

mod alerts;
mod argo;
mod auth;
mod chat;
mod error;
mod grids;
mod ops;
mod platform;
mod profile;
mod reefs;
mod science;
mod seed;
mod series;

pub use alerts::*;
pub use argo::*;
pub use auth::*;
pub use chat::*;
pub use error::*;
pub use grids::*;
pub use ops::*;
pub use platform::*;
pub use profile::*;
pub use reefs::*;
pub use science::*;
pub use seed::*;
pub use series::*;

use serde::Serialize;

/// ISO 8601 with milliseconds (`2012-01-01T00:50:00.000Z`): profiles, series, platforms, alerts.
fn iso_millis(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// ISO 8601 to the second (`2012-01-01T00:50:00Z`): accounts, grids.
fn iso_secs(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod wire_home_test;

#[derive(Serialize, utoipa::ToSchema)]
pub struct GeoPoint {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub coordinates: [f64; 2],
}
