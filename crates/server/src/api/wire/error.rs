//! The error body of the native API.

/// The JSON body of every error of the native API (documented in OpenAPI).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// `bad_request`, `unauthorized`, `forbidden`, `not_found`, `too_large`, `too_many_requests`, `unavailable`,
    /// `internal`.
    pub code: String,
    pub message: String,
}
