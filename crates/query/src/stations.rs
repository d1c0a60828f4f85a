//! Fixed platforms (buoys, stations, reef sites) found by kind, region and time: the platforms of the
//! kinds asked whose position lies in the region and whose stored data overlaps the time range.

use model::{PlatformKind, Region, TimeRange};
use store::{PlatformSummary, Store};

use crate::QueryError;

/// The stored platforms of `kinds` inside `region` (when given) with data overlapping `time` (when given).
pub async fn platforms_in(
    store: &dyn Store,
    kinds: &[PlatformKind],
    region: Option<&Region>,
    time: Option<TimeRange>,
) -> Result<Vec<PlatformSummary>, QueryError> {
    let mut out = store.platforms(None).await?;
    out.retain(|s| {
        let inside = region.is_none_or(|r| s.platform.position.is_some_and(|pt| r.contains(pt)));
        let overlaps = time.is_none_or(|t| match (s.first_time, s.last_time) {
            (Some(a), Some(b)) => a < t.end() && b >= t.start(),
            _ => false,
        });
        kinds.contains(&s.platform.kind) && inside && overlaps
    });
    Ok(out)
}
