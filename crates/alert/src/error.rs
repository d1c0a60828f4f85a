//! The error type of alerting (a leaf: every other file of the crate may use it).

use store::StoreError;

/// Errors of alerting. Messages are lowercase.
#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Query(#[from] query::QueryError),
    #[error("{0}")]
    Invalid(String),
    #[error("delivery to {target} failed: {message}")]
    Delivery { target: String, message: String },
}

impl AlertError {
    pub fn code(&self) -> model::ErrorCode {
        match self {
            AlertError::Store(e) => e.code(),
            AlertError::Query(e) => e.code(),
            AlertError::Invalid(_) => model::ErrorCode::BadRequest,
            AlertError::Delivery { .. } => model::ErrorCode::Unavailable,
        }
    }
}
