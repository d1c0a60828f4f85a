//! The store's one error type, for every backend. Messages are lowercase.

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database url {0:?}: use sqlite://PATH or postgres://USER@HOST:PORT/DB")]
    UnsupportedUrl(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("migration {version} failed: {message}")]
    Migration { version: i64, message: String },
    #[error("backup: {0}")]
    Backup(String),
    #[error("database read error: {0}")]
    Read(String),
}

impl StoreError {
    pub fn code(&self) -> model::ErrorCode {
        match self {
            StoreError::UnsupportedUrl(_) => model::ErrorCode::BadRequest,
            StoreError::Database(sqlx::Error::PoolTimedOut | sqlx::Error::Io(_)) => model::ErrorCode::Unavailable,
            _ => model::ErrorCode::Internal,
        }
    }

    /// A [`StoreError::Backup`] (backup and restore of either backend).
    pub(crate) fn backup(msg: impl Into<String>) -> StoreError {
        StoreError::Backup(msg.into())
    }
}
