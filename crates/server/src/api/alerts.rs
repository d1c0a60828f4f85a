//! Built-in alerting over HTTP: the fired-alert history (`GET /api/alerts`), rules and subscriptions
//! (list, PUT by id, DELETE), and `POST /api/alerts/evaluate`. [`read_routes`] and [`write_routes`] keep
//! the two kinds apart so that the write routes can be put behind a permission in one place.

use axum::Json;
use axum::Router;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use model::{Receiver, Severity, Subscription};
use serde::Deserialize;

use super::wire::{AlertOut, EvaluationOut, RuleBody, SubscriptionBody};
use crate::{ApiError, AppState, ErrorBody};

/// `GET` routes: the history, the rules and the subscriptions.
pub fn read_routes() -> Router<AppState> {
    Router::new()
        .route("/api/alerts", get(history))
        .route("/api/alerts/rules", get(list_rules))
        .route("/api/alerts/subscriptions", get(list_subscriptions))
}

/// Routes that change state: rules, subscriptions, evaluation on demand.
pub fn write_routes() -> Router<AppState> {
    Router::new()
        .route("/api/alerts/rules/{id}", put(put_rule).delete(delete_rule))
        .route("/api/alerts/subscriptions/{id}", put(put_subscription).delete(delete_subscription))
        .route("/api/alerts/evaluate", post(evaluate))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HistoryParams {
    /// `true`: only alerts still firing.
    pub open: Option<String>,
    /// At most this many (1–10000, default 100), newest first.
    pub limit: Option<String>,
}

#[utoipa::path(get, path = "/api/alerts", tag = "alerts", params(HistoryParams), responses((status = 200, body = Vec<AlertOut>), (status = 400, description = "a parameter is malformed", body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    params: Result<Query<HistoryParams>, QueryRejection>,
) -> Result<Json<Vec<AlertOut>>, ApiError> {
    let Query(p) = params.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let open = match p.open.as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(o) => return Err(ApiError::bad_request(format!("open {o:?} is not true or false"))),
    };
    let limit = match &p.limit {
        None => 100,
        Some(l) => l
            .parse()
            .ok()
            .filter(|l| (1..=10_000).contains(l))
            .ok_or_else(|| ApiError::bad_request(format!("limit {l:?} is not an integer in 1..=10000")))?,
    };
    Ok(Json(state.store.alert_events(open, limit).await?.into_iter().map(AlertOut::from).collect()))
}

#[utoipa::path(get, path = "/api/alerts/rules", tag = "alerts", responses((status = 200, body = Vec<RuleBody>)))]
pub async fn list_rules(State(state): State<AppState>) -> Result<Json<Vec<RuleBody>>, ApiError> {
    Ok(Json(state.store.alert_rules().await?.iter().map(RuleBody::from_rule).collect()))
}

/// Creates (201) or replaces (200) a rule.
#[utoipa::path(put, path = "/api/alerts/rules/{id}", tag = "alerts", params(("id" = String, Path, description = "1-64 characters of a-z, 0-9, _ and -")), request_body = RuleBody, security(("bearer" = []), ("api_key" = [])), responses((status = 200, body = RuleBody), (status = 201, body = RuleBody), (status = 400, description = "the rule is malformed", body = ErrorBody), (status = 401, description = "no or bad credentials", body = ErrorBody), (status = 403, description = "needs admin_access", body = ErrorBody)))]
pub async fn put_rule(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<Json<RuleBody>, JsonRejection>,
) -> Result<(StatusCode, Json<RuleBody>), ApiError> {
    let Json(b) = body.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let rule = b.into_rule(id)?;
    let created = state.store.put_alert_rule(&rule).await?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(RuleBody::from_rule(&rule))))
}

#[utoipa::path(delete, path = "/api/alerts/rules/{id}", tag = "alerts", params(("id" = String, Path)), security(("bearer" = []), ("api_key" = [])), responses((status = 204, description = "deleted, with the subscriptions to it"), (status = 404, body = ErrorBody), (status = 401, description = "no or bad credentials", body = ErrorBody), (status = 403, description = "needs admin_access", body = ErrorBody)))]
pub async fn delete_rule(State(state): State<AppState>, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    if state.store.delete_alert_rule(&id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!("no alert rule {id:?}")))
    }
}

fn subscription_body(s: &Subscription) -> SubscriptionBody {
    SubscriptionBody {
        id: Some(s.id.clone()),
        rule: s.rule.clone(),
        min_severity: Some(s.min_severity.as_str().into()),
        receiver: s.receiver.kind().into(),
        target: s.receiver.target().into(),
    }
}

#[utoipa::path(get, path = "/api/alerts/subscriptions", tag = "alerts", security(("bearer" = []), ("api_key" = [])), responses((status = 200, body = Vec<SubscriptionBody>), (status = 401, description = "no or bad credentials", body = ErrorBody), (status = 403, description = "needs admin_access", body = ErrorBody)))]
pub async fn list_subscriptions(State(state): State<AppState>) -> Result<Json<Vec<SubscriptionBody>>, ApiError> {
    Ok(Json(state.store.alert_subscriptions().await?.iter().map(subscription_body).collect()))
}

/// Creates (201) or replaces (200) a subscription.
#[utoipa::path(put, path = "/api/alerts/subscriptions/{id}", tag = "alerts", params(("id" = String, Path, description = "1-64 characters of a-z, 0-9, _ and -")), request_body = SubscriptionBody, security(("bearer" = []), ("api_key" = [])), responses((status = 200, body = SubscriptionBody), (status = 201, body = SubscriptionBody), (status = 400, description = "the subscription is malformed", body = ErrorBody), (status = 401, description = "no or bad credentials", body = ErrorBody), (status = 403, description = "needs admin_access", body = ErrorBody)))]
pub async fn put_subscription(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<Json<SubscriptionBody>, JsonRejection>,
) -> Result<(StatusCode, Json<SubscriptionBody>), ApiError> {
    let Json(b) = body.map_err(|e| ApiError::bad_request(e.body_text()))?;
    if b.id.as_ref().is_some_and(|i| *i != id) {
        return Err(ApiError::bad_request("the id in the body differs from the id in the path"));
    }
    let receiver = Receiver::from_parts(&b.receiver, &b.target)
        .ok_or_else(|| ApiError::bad_request(format!("receiver {:?} is not webhook or email", b.receiver)))?;
    let min_severity = match b.min_severity.as_deref() {
        None => Severity::Info,
        Some(s) => Severity::parse(s)
            .ok_or_else(|| ApiError::bad_request(format!("min_severity {s:?} is not info, warning or critical")))?,
    };
    let sub = Subscription { id, rule: b.rule, min_severity, receiver };
    alert::validate_subscription(&sub)?;
    let created = state.store.put_alert_subscription(&sub).await?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(subscription_body(&sub))))
}

#[utoipa::path(delete, path = "/api/alerts/subscriptions/{id}", tag = "alerts", params(("id" = String, Path)), security(("bearer" = []), ("api_key" = [])), responses((status = 204, description = "deleted"), (status = 404, body = ErrorBody), (status = 401, description = "no or bad credentials", body = ErrorBody), (status = 403, description = "needs admin_access", body = ErrorBody)))]
pub async fn delete_subscription(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if state.store.delete_alert_subscription(&id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!("no alert subscription {id:?}")))
    }
}

/// Evaluates every rule now (the server also does after each ingest and on its timer).
#[utoipa::path(post, path = "/api/alerts/evaluate", tag = "alerts", security(("bearer" = []), ("api_key" = [])), responses((status = 200, body = EvaluationOut), (status = 401, description = "no or bad credentials", body = ErrorBody), (status = 403, description = "needs admin_access", body = ErrorBody)))]
pub async fn evaluate(State(state): State<AppState>) -> Result<Json<EvaluationOut>, ApiError> {
    let r = state.alerts.evaluate(chrono::Utc::now()).await?;
    Ok(Json(EvaluationOut {
        rules: r.rules,
        fired: r.fired,
        deduplicated: r.deduplicated,
        resolved: r.resolved,
        notifications_sent: r.notifications_sent,
        notifications_failed: r.notifications_failed,
        errors: r.errors,
    }))
}
