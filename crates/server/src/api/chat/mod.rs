//! `POST /api/chat` (Ocean Chat): a plain-language question → the interpretation shown back (with a
//! summary), a clarification when needed, and real results from the store through `query::ask`.
//! Follow-ups in the same `session` reuse the previous interpretation ("and at 1000 m?"); sessions live in
//! memory. `?stream=true` sends the stages as server-sent events: `interpretation`, `results`, `done`.
//! Every question is appended to the store's query history.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use nlq::{Agg, Interpretation};
use query::ask::Source;
use serde::Deserialize;

use super::wire::{ChatRequest, ChatResponse, ClarificationOut, InterpretationOut, ResultsOut, results_out};
use crate::{ApiError, AppState, ErrorBody};

/// Conversations by session id: the last interpretation of each (in memory, bounded).
#[derive(Clone, Default)]
pub struct Sessions(Arc<Mutex<HashMap<String, Interpretation>>>);

const MAX_SESSIONS: usize = 10_000;
const MAX_QUESTION: usize = 2_000;

impl Sessions {
    fn get(&self, id: &str) -> Option<Interpretation> {
        self.0.lock().ok()?.get(id).cloned()
    }

    fn put(&self, id: &str, it: &Interpretation) {
        if let Ok(mut m) = self.0.lock() {
            if m.len() >= MAX_SESSIONS && !m.contains_key(id) {
                m.clear();
            }
            m.insert(id.to_string(), it.clone());
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ChatParams {
    /// Send the stages as server-sent events (interpretation, results, done).
    pub stream: Option<bool>,
    /// For buoy questions: refresh from the live source (NDBC realtime2) within its deadline first.
    pub live: Option<bool>,
}

fn view_of(it: &Interpretation) -> &'static str {
    match it.agg {
        Agg::Profile => "profile",
        Agg::Trend | Agg::Anomaly => "timeseries",
        Agg::Mean | Agg::Median | Agg::Min | Agg::Max | Agg::Compare | Agg::Count => "table",
        Agg::List | Agg::Latest => match query::ask::source_of(it) {
            Source::Argo => "map",
            _ => "timeseries",
        },
    }
}

fn suggestions(it: &Interpretation) -> Vec<String> {
    if it.clarify.is_some() {
        return vec![
            "average SST in the Coral Sea over the last 30 days".into(),
            "Argo temperature profiles in the Tasman Sea last month".into(),
        ];
    }
    let mut s = Vec::new();
    if query::ask::source_of(it) == Source::Argo {
        s.push(
            if it.depth.is_some_and(|d| d.min == Some(1000.0)) { "and at 200 m?" } else { "and at 1000 m?" }
                .to_string(),
        );
    }
    if it.agg != Agg::Trend {
        s.push("and the trend over the past 5 years?".into());
    }
    if it.time.is_some() {
        s.push("and the same period last year?".into());
    }
    if it.agg != Agg::Latest {
        s.push("what is the latest value?".into());
    }
    s.truncate(3);
    s
}

fn api_url(it: &Interpretation) -> Option<String> {
    if it.clarify.is_some() {
        return None;
    }
    let mut q: Vec<String> = Vec::new();
    if let Some(a) = &it.region {
        let (w, s, e, n) = a.bounds();
        q.push(format!("box=%5B%5B{w:.4},{s:.4}%5D,%5B{e:.4},{n:.4}%5D%5D"));
    }
    if let Some(t) = it.time {
        q.push(format!("startDate={}T00:00:00Z", t.start));
        if let Some(e) = t.end.succ_opt() {
            q.push(format!("endDate={e}T00:00:00Z"));
        }
    }
    let path = match query::ask::source_of(it) {
        Source::Argo => {
            if let Some(d) = it.depth {
                let (a, b) = query::ask::search_depth(d);
                q.push(format!("presRange={a},{b}"));
            }
            let params: Vec<&str> = it
                .variables
                .iter()
                .filter_map(|v| match v.name() {
                    "temperature" => Some("temperature"),
                    "salinity" => Some("salinity"),
                    "oxygen" => Some("doxy"),
                    "chlorophyll" => Some("chla"),
                    "ph" => Some("ph_in_situ_total"),
                    _ => None,
                })
                .collect();
            if !params.is_empty() {
                q.push(format!("data={}", params.join(",")));
            }
            "/api/argo"
        }
        Source::Buoy => "/api/buoys",
        Source::Reef => "/api/reefs",
    };
    Some(if q.is_empty() { path.to_string() } else { format!("{path}?{}", q.join("&")) })
}

struct Asked {
    it: Interpretation,
    now: NaiveDate,
}

async fn interpret(state: &AppState, req: &ChatRequest) -> Result<Asked, ApiError> {
    let question = req.question.trim();
    if question.is_empty() {
        return Err(ApiError::bad_request("question: must not be empty"));
    }
    if question.chars().count() > MAX_QUESTION {
        return Err(ApiError::bad_request(format!("question: at most {MAX_QUESTION} characters")));
    }
    let now = match req.now.as_deref() {
        None | Some("") => Utc::now().date_naive(),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| ApiError::bad_request(format!("now: {s:?} is not a date YYYY-MM-DD")))?,
    };
    let session = req.session.as_deref().filter(|s| !s.is_empty());
    let previous = session.and_then(|s| state.chat.get(s));
    let it = nlq::parse_in_context(question, now, previous.as_ref());
    if let Some(s) = session {
        state.chat.put(s, &it);
    }
    let record = store::QueryRecord {
        asked_at: Utc::now(),
        session: session.map(str::to_string),
        question: question.to_string(),
        interpretation: serde_json::to_string(&InterpretationOut::new(&it, true)).unwrap_or_default(),
    };
    if let Err(e) = state.store.record_query(&record).await {
        tracing::warn!(error = %e, "cannot record the question in the query history");
    }
    Ok(Asked { it, now })
}

/// The results stage: the answer, or a clarification when the search is too large to run.
async fn results(state: &AppState, asked: &mut Asked) -> Result<Option<ResultsOut>, ApiError> {
    if asked.it.clarify.is_some() {
        return Ok(None);
    }
    let now = asked.now.and_hms_opt(23, 59, 59).map(|t| t.and_utc()).unwrap_or_else(Utc::now);
    match query::ask::answer(&*state.store, &asked.it, now).await {
        Ok(a) => Ok(Some(results_out(&a))),
        Err(query::QueryError::TooLarge(m)) => {
            asked.it.clarify = Some(nlq::Clarification {
                message: format!("That search is too large to run at once ({m}). Narrow the region or the time."),
                choices: vec![
                    "the same question over the last 30 days".into(),
                    "the same question for a smaller sea".into(),
                ],
            });
            Ok(None)
        }
        Err(e) => Err(ApiError::from(e)),
    }
}

fn clarification(it: &Interpretation) -> Option<ClarificationOut> {
    it.clarify.as_ref().map(|c| ClarificationOut { message: c.message.clone(), choices: c.choices.clone() })
}

/// Ask a question in plain language; the answer shows how it was understood and what the store holds.
#[utoipa::path(post, path = "/api/chat", tag = "chat", params(ChatParams), request_body = ChatRequest,
    responses((status = 200, body = ChatResponse, description = "the interpretation, a clarification or the results; with stream=true, text/event-stream events interpretation, results, done"),
              (status = 400, description = "a malformed body or parameter", body = ErrorBody)))]
pub async fn chat(
    State(state): State<AppState>,
    params: Result<Query<ChatParams>, QueryRejection>,
    body: Result<Json<ChatRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Query(params) = params.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let Json(req) = body.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let mut asked = interpret(&state, &req).await?;
    let buoys = matches!(asked.it.platform, Some(nlq::NlqPlatform::Buoy));
    let live = params.live == Some(true) && buoys;
    let data_source = super::live::refresh(&state, live, super::live::LiveTarget::Latest).await.data_source.as_str();
    if params.stream != Some(true) {
        let res = results(&state, &mut asked).await?;
        let it = &asked.it;
        return Ok(Json(ChatResponse {
            interpretation: InterpretationOut::new(it, true),
            clarification: clarification(it),
            results: res,
            data_source,
            view: view_of(it),
            suggestions: suggestions(it),
            api_url: api_url(it),
        })
        .into_response());
    }
    // Server-sent events: the interpretation first, then the results, then done.
    let first = serde_json::json!({
        "interpretation": InterpretationOut::new(&asked.it, true),
        "clarification": clarification(&asked.it),
    });
    let stream = futures_util::stream::unfold((0u8, Some(asked), state), move |(stage, asked, state)| {
        let first = first.clone();
        async move {
            match (stage, asked) {
                (0, asked) => Some((
                    Ok::<Event, Infallible>(Event::default().event("interpretation").data(first.to_string())),
                    (1, asked, state),
                )),
                (1, Some(mut asked)) => {
                    let body = match results(&state, &mut asked).await {
                        Ok(res) => serde_json::json!({
                            "results": res,
                            "clarification": clarification(&asked.it),
                            "data_source": data_source,
                            "view": view_of(&asked.it),
                            "suggestions": suggestions(&asked.it),
                            "api_url": api_url(&asked.it),
                        }),
                        Err(e) => serde_json::json!({"error": {"code": e.code.as_str(), "message": e.message}}),
                    };
                    Some((Ok(Event::default().event("results").data(body.to_string())), (2, None, state)))
                }
                (2, _) => Some((Ok(Event::default().event("done").data("{}")), (3, None, state))),
                _ => None,
            }
        }
    });
    Ok(Sse::new(stream).into_response())
}

#[cfg(test)]
mod tests;
