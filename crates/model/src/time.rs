//! Half-open UTC time ranges `[start, end)`, as Argovis uses them.

use chrono::{DateTime, Utc};

/// `[start, end)` in UTC; `start < end` always holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeRangeError {
    #[error("time range start {start} is not before its end {end}")]
    Empty { start: String, end: String },
}

impl TimeRange {
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<TimeRange, TimeRangeError> {
        if start < end {
            Ok(TimeRange { start, end })
        } else {
            Err(TimeRangeError::Empty { start: start.to_rfc3339(), end: end.to_rfc3339() })
        }
    }

    /// Everything from the first representable instant to the last: no constraint.
    pub fn all() -> TimeRange {
        TimeRange { start: DateTime::<Utc>::MIN_UTC, end: DateTime::<Utc>::MAX_UTC }
    }

    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    /// `start <= t < end`.
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start <= t && t < self.end
    }
}
