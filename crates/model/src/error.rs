//! The small table of error codes every crate's error maps to; only `server` turns one into a status.

/// What kind of failure an error is, independent of the crate it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The caller asked for something malformed or contradictory.
    BadRequest,
    /// The caller did not prove who it is (missing or wrong key or token).
    Unauthorized,
    /// The caller is known but may not do this (a permission it lacks).
    Forbidden,
    /// The thing asked for does not exist.
    NotFound,
    /// The request is valid but too big to answer at once.
    TooLarge,
    /// The caller is over its rate limit.
    TooManyRequests,
    /// A dependency (store, upstream source) is not reachable now.
    Unavailable,
    /// A bug or an unexpected state on our side.
    Internal,
}

impl ErrorCode {
    /// A short stable name, used in JSON error envelopes.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::TooManyRequests => "too_many_requests",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
        }
    }
}
