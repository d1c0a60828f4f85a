//! Query execution over a [`store::Store`]: the Argo profile search (Argovis' parameter model plus
//! argopy's user modes), its cost guard, and level slicing. Parsing of HTTP parameters happens in
//! `server`; this crate takes typed queries only.

mod anomalies;
mod argo;
pub mod ask;
mod cost;
pub mod griddap;
pub mod grids;
mod ocean;
pub mod palette;
mod reefs;
mod science;
pub mod seed;
pub mod stations;
pub mod tabledap;

pub use anomalies::{SeriesAnomaly, series_anomalies};
pub use argo::{ArgoQuery, DataSpec, Items, SearchPage, SourceFilter, UserMode, VarReq, load, search, sources_of};
pub use cost::{COST_LIMIT, Cost, cost, region_area_km2};
pub use ocean::{CURRENT_WITHIN, OceanSummary, ocean_summary, source_family};
pub use reefs::{RUN_LOOKBACK_DAYS, ReefStatus, reef_status, run_at_level};
pub use science::{ForestAnomaly, ReefHealth, buoy_forest_anomalies, reef_health};

/// Why a query cannot be answered. Messages are lowercase and say what to change.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    TooLarge(String),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

impl QueryError {
    pub fn code(&self) -> model::ErrorCode {
        match self {
            QueryError::BadRequest(_) => model::ErrorCode::BadRequest,
            QueryError::NotFound(_) => model::ErrorCode::NotFound,
            QueryError::TooLarge(_) => model::ErrorCode::TooLarge,
            QueryError::Store(e) => e.code(),
        }
    }
}

#[cfg(test)]
mod tests;
