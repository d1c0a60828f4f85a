//! `?live=true`: before a "latest" answer is read from the store, the live source is asked to refresh
//! it within its deadline (`ingest::sources::live`). The answer says where its data came from
//! (`data_source`: `live_api` or `local_db`) and when it was fetched (`fetched_at`).

use ingest::sources::LiveOutcome;

use crate::AppState;

/// What a live refresh is for.
pub enum LiveTarget<'a> {
    /// One NDBC station's realtime2 files.
    Buoy(&'a str),
    /// Every configured live station (the "latest" views).
    Latest,
}

/// Refreshes `target` when `live` is asked and live sources are enabled; otherwise a `local_db` outcome.
pub async fn refresh(state: &AppState, live: bool, target: LiveTarget<'_>) -> LiveOutcome {
    if !live {
        return LiveOutcome::local(None);
    }
    let Some(sources) = &state.live else {
        return LiveOutcome::local("live sources are not enabled on this server".to_string());
    };
    match target {
        LiveTarget::Buoy(id) => sources.live_buoy(&*state.store, id).await,
        LiveTarget::Latest => sources.live_latest(&*state.store).await,
    }
}

/// `fetched_at` as the wire shows it.
pub fn fetched_at(o: &LiveOutcome) -> String {
    o.fetched_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
