//! ERDDAP's error: a status and the `Error {\n    code=N;\n    message="...";\n}\n` body
//! (`EDStatic.lowSendError`), with the message prefixes `EDStatic.sendError` puts in front.

use model::ErrorCode;

use crate::json::json_string;

/// Everything that can go wrong answering an ERDDAP request. Messages are ERDDAP's own wording.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ErddapError {
    /// A malformed query: 400 `Bad Request: Query error: ...`.
    #[error("Query error: {0}")]
    Query(String),
    /// A bad request that ERDDAP does not label a query error: 400 `Bad Request: ...`.
    #[error("{0}")]
    BadRequest(String),
    /// No rows after filtering: 404.
    #[error("Your query produced no matching results. (nRows = 0)")]
    NoRows,
    /// 404 for a dataset id we do not have.
    #[error("Currently unknown datasetID={0}")]
    UnknownDataset(String),
    /// A search or list without hits: 404.
    #[error(
        "Resource not found: Your query produced no matching results. Check the spelling of the word(s) you searched for."
    )]
    NoSearchResults,
    /// Some other resource that does not exist: 404.
    #[error("Resource not found: {0}")]
    NotFound(String),
    /// The answer would be too big: 413.
    #[error("Your query produced too much data.  Try to request less data. {0}")]
    TooLarge(String),
    /// Our fault: 500.
    #[error("{0}")]
    Internal(String),
}

impl ErddapError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ErddapError::Query(_) | ErddapError::BadRequest(_) => ErrorCode::BadRequest,
            ErddapError::NoRows
            | ErddapError::UnknownDataset(_)
            | ErddapError::NoSearchResults
            | ErddapError::NotFound(_) => ErrorCode::NotFound,
            ErddapError::TooLarge(_) => ErrorCode::TooLarge,
            ErddapError::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The HTTP status ERDDAP answers with.
    pub fn status(&self) -> u16 {
        match self.code() {
            ErrorCode::BadRequest => 400,
            ErrorCode::NotFound => 404,
            ErrorCode::TooLarge => 413,
            _ => 500,
        }
    }

    /// The message with ERDDAP's status prefix (`Not Found: ...`).
    pub fn message(&self) -> String {
        let prefix = match self.status() {
            400 => "Bad Request",
            404 => "Not Found",
            413 => "Payload Too Large",
            _ => "Internal Server Error",
        };
        format!("{prefix}: {self}")
    }

    /// The full response body, byte for byte as ERDDAP writes it.
    pub fn body(&self) -> String {
        format!("Error {{\n    code={};\n    message={};\n}}\n", self.status(), json_string(&self.message()))
    }
}
