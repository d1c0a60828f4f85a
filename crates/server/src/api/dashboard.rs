//! Routes the dashboard needs beyond the search API: the newest position of every float (the map's
//! float layer, one row per float however many profiles are stored), the current heat-stress status of
//! every reef site, and `/api/events`, a server-sent event stream announcing ingests.

use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use tokio::sync::broadcast;

use super::wire::{FloatLatestOut, GeoPoint, HeatStressDayOut, ReefStatusOut};
use crate::{ApiError, AppState};

/// The newest position of every float, one row per float (the map clusters these).
#[utoipa::path(get, path = "/api/floats/latest", tag = "argo", responses((status = 200, body = Vec<FloatLatestOut>)))]
pub async fn floats_latest(State(state): State<AppState>) -> Result<Json<Vec<FloatLatestOut>>, ApiError> {
    let rows = state.store.profile_platforms_latest().await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| FloatLatestOut {
                profile_id: model::ProfileKey {
                    platform: r.platform.clone(),
                    cycle: r.cycle,
                    direction: model::DirectionKey::A,
                }
                .id(),
                platform: r.platform,
                cycle: r.cycle,
                timestamp: r.time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                geolocation: GeoPoint { kind: "Point", coordinates: [r.position.lon, r.position.lat] },
                profiles: r.profiles,
            })
            .collect(),
    ))
}

/// Current status of every reef site: the newest stored day (SST, SSTA, HotSpot, DHW, 7-day BAA) and
/// the days at that alert level.
#[utoipa::path(get, path = "/api/reefs/status", tag = "reefs", responses((status = 200, body = Vec<ReefStatusOut>)))]
pub async fn reef_status(State(state): State<AppState>) -> Result<Json<Vec<ReefStatusOut>>, ApiError> {
    let list = query::reef_status(&*state.store).await.map_err(ApiError::from)?;
    Ok(Json(
        list.iter()
            .map(|s| ReefStatusOut {
                site: s.site.id.clone(),
                name: s.site.name.clone(),
                geolocation: GeoPoint { kind: "Point", coordinates: [s.site.position.lon, s.site.position.lat] },
                mmm: s.site.mmm,
                latest: s.latest.as_ref().map(HeatStressDayOut::from),
                days_at_level: s.days_at_level,
            })
            .collect(),
    ))
}

/// Server-sent events: `ready` once on connect, then `ingest` (an `IngestEvent` as JSON) whenever this
/// server stores new data; a comment every 15 s keeps proxies from closing the stream.
#[utoipa::path(get, path = "/api/events", tag = "service", responses((status = 200, description = "text/event-stream of `ready` and `ingest` events", content_type = "text/event-stream")))]
pub async fn events(State(state): State<AppState>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = state.events.subscribe();
    let first = Some(Event::default().event("ready").data("{}"));
    let stream = futures_util::stream::unfold((first, rx), |(first, mut rx)| async move {
        if let Some(ev) = first {
            return Some((Ok(ev), (None, rx)));
        }
        let ev = match rx.recv().await {
            Ok(e) => Event::default().event("ingest").data(serde_json::to_string(&e).unwrap_or_else(|_| "{}".into())),
            // A slow reader missed some: tell it to refresh.
            Err(broadcast::error::RecvError::Lagged(_)) => Event::default().event("ingest").data("{}"),
            Err(broadcast::error::RecvError::Closed) => return None,
        };
        Some((Ok(ev), (None, rx)))
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
