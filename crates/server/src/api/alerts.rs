//! Built-in alerting over HTTP: the fired-alert history (`GET /api/alerts`), rules and subscriptions
//! (list, PUT by id, DELETE), and `POST /api/alerts/evaluate`. [`read_routes`] and [`write_routes`] keep
//! the two kinds apart so that the write routes can be put behind a permission in one place.

use axum::Json;
use axum::Router;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use model::{Aggregate, AlertCondition, AlertRule, Comparison, FiredAlert, Receiver, Severity, Subscription};
use serde::{Deserialize, Serialize};

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

impl From<alert::AlertError> for ApiError {
    fn from(e: alert::AlertError) -> ApiError {
        ApiError { code: e.code(), message: e.to_string() }
    }
}

fn iso(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A rule. `kind` is `threshold` (uses `variable`, `platform`, `comparison`, `threshold`, `for_seconds`,
/// `aggregate`), `baa_level` (`site`, `min_level`) or `dhw_record` (`site`).
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleBody {
    /// Taken from the path on PUT (may be repeated here, then it must match).
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub variable: Option<String>,
    #[serde(default)]
    pub platform: Option<String>,
    #[serde(default)]
    pub site: Option<String>,
    /// `above` (default) or `below`.
    #[serde(default)]
    pub comparison: Option<String>,
    #[serde(default)]
    pub threshold: Option<f64>,
    /// Seconds of data the mean covers (default 0: the newest observation).
    #[serde(default)]
    pub for_seconds: Option<i64>,
    /// `each` (default: one alert per platform) or `mean` (one alert for the mean over platforms).
    #[serde(default)]
    pub aggregate: Option<String>,
    /// BAA level 0–7 (default 1, Bleaching Watch).
    #[serde(default)]
    pub min_level: Option<u8>,
    /// `info`, `warning` (default) or `critical`.
    #[serde(default)]
    pub severity: Option<String>,
    #[serde(default)]
    pub enabled: Option<bool>,
}

impl RuleBody {
    fn from_rule(r: &AlertRule) -> RuleBody {
        let mut b = RuleBody {
            id: Some(r.id.clone()),
            name: r.name.clone(),
            kind: r.condition.kind().into(),
            variable: None,
            platform: None,
            site: None,
            comparison: None,
            threshold: None,
            for_seconds: None,
            aggregate: None,
            min_level: None,
            severity: Some(r.severity.as_str().into()),
            enabled: Some(r.enabled),
        };
        match &r.condition {
            AlertCondition::Threshold { variable, platform, comparison, threshold, for_seconds, aggregate } => {
                b.variable = Some(variable.clone());
                b.platform = platform.clone();
                b.comparison = Some(comparison.as_str().into());
                b.threshold = Some(*threshold);
                b.for_seconds = Some(*for_seconds);
                b.aggregate = Some(aggregate.as_str().into());
            }
            AlertCondition::BaaLevel { site, min_level } => {
                b.site = site.clone();
                b.min_level = Some(*min_level);
            }
            AlertCondition::DhwRecord { site } => b.site = site.clone(),
        }
        b
    }

    fn into_rule(self, id: String) -> Result<AlertRule, ApiError> {
        fn bad(m: impl Into<String>) -> ApiError {
            ApiError::bad_request(m)
        }
        if self.id.as_ref().is_some_and(|i| *i != id) {
            return Err(bad("the id in the body differs from the id in the path"));
        }
        let unused = |what: &str, set: bool| {
            if set { Err(bad(format!("{what} does not apply to kind {:?}", self.kind))) } else { Ok(()) }
        };
        let condition = match self.kind.as_str() {
            "threshold" => {
                unused("site", self.site.is_some())?;
                unused("min_level", self.min_level.is_some())?;
                AlertCondition::Threshold {
                    variable: self.variable.clone().ok_or_else(|| bad("a threshold rule needs a variable"))?,
                    platform: self.platform.clone(),
                    comparison: match self.comparison.as_deref() {
                        None => Comparison::Above,
                        Some(c) => Comparison::parse(c)
                            .ok_or_else(|| bad(format!("comparison {c:?} is not above or below")))?,
                    },
                    threshold: self.threshold.ok_or_else(|| bad("a threshold rule needs a threshold"))?,
                    for_seconds: self.for_seconds.unwrap_or(0),
                    aggregate: match self.aggregate.as_deref() {
                        None => Aggregate::Each,
                        Some(a) => {
                            Aggregate::parse(a).ok_or_else(|| bad(format!("aggregate {a:?} is not each or mean")))?
                        }
                    },
                }
            }
            "baa_level" | "dhw_record" => {
                for (what, set) in [
                    ("variable", self.variable.is_some()),
                    ("platform", self.platform.is_some()),
                    ("comparison", self.comparison.is_some()),
                    ("threshold", self.threshold.is_some()),
                    ("for_seconds", self.for_seconds.is_some()),
                    ("aggregate", self.aggregate.is_some()),
                ] {
                    unused(what, set)?;
                }
                if self.kind == "baa_level" {
                    AlertCondition::BaaLevel { site: self.site.clone(), min_level: self.min_level.unwrap_or(1) }
                } else {
                    unused("min_level", self.min_level.is_some())?;
                    AlertCondition::DhwRecord { site: self.site.clone() }
                }
            }
            k => return Err(bad(format!("kind {k:?} is not threshold, baa_level or dhw_record"))),
        };
        let severity = match self.severity.as_deref() {
            None => Severity::Warning,
            Some(s) => {
                Severity::parse(s).ok_or_else(|| bad(format!("severity {s:?} is not info, warning or critical")))?
            }
        };
        let rule = AlertRule { id, name: self.name, condition, severity, enabled: self.enabled.unwrap_or(true) };
        alert::validate_rule(&rule)?;
        Ok(rule)
    }
}

/// Who is told: `receiver` `webhook` (`target` an `http://` URL) or `email` (`target` an address).
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionBody {
    #[serde(default)]
    pub id: Option<String>,
    /// Only this rule's alerts (every rule's when absent).
    #[serde(default)]
    pub rule: Option<String>,
    /// `info` (default), `warning` or `critical`.
    #[serde(default)]
    pub min_severity: Option<String>,
    pub receiver: String,
    pub target: String,
}

/// One fired alert; open while `resolved_at` is null.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AlertOut {
    pub rule: String,
    pub subject: String,
    pub status: &'static str,
    pub severity: &'static str,
    pub value: Option<f64>,
    pub message: String,
    pub started_at: String,
    pub last_seen_at: String,
    pub resolved_at: Option<String>,
    pub resolve_message: Option<String>,
}

impl From<FiredAlert> for AlertOut {
    fn from(a: FiredAlert) -> AlertOut {
        AlertOut {
            status: if a.resolved_at.is_some() { "resolved" } else { "firing" },
            severity: a.severity.as_str(),
            value: a.value.is_finite().then_some(a.value),
            started_at: iso(a.started_at),
            last_seen_at: iso(a.last_seen_at),
            resolved_at: a.resolved_at.map(iso),
            rule: a.rule,
            subject: a.subject,
            message: a.message,
            resolve_message: a.resolve_message,
        }
    }
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

/// What one evaluation did.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EvaluationOut {
    pub rules: usize,
    pub fired: usize,
    pub deduplicated: usize,
    pub resolved: usize,
    pub notifications_sent: usize,
    pub notifications_failed: usize,
    pub errors: Vec<String>,
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
