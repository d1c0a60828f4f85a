//! Rows of the alerting tables (`alert_rules`, `alert_subscriptions`, `alert_events`) and their mapping to
//! the domain types, shared by both backends: each backend runs its own SQL and binds these tuples.

use chrono::{DateTime, Utc};
use model::{Aggregate, AlertCondition, AlertRule, Comparison, FiredAlert, Receiver, Severity, Subscription};

use crate::StoreError;

/// `alert_rules`: id, name, kind, variable, subject, comparison, threshold, for_seconds, aggregate,
/// min_level, severity, enabled (0/1).
pub(crate) type RuleRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<f64>,
    Option<i64>,
    Option<String>,
    Option<i64>,
    String,
    i64,
);

/// `alert_subscriptions`: id, rule, min_severity, receiver, target.
pub(crate) type SubscriptionRow = (String, Option<String>, String, String, String);

/// `alert_events`: rule, subject, started_at, fingerprint, severity, value, message, last_seen_at,
/// resolved_at, resolve_message (times in Unix milliseconds).
pub(crate) type EventRow = (String, String, i64, String, String, f64, String, i64, Option<i64>, Option<String>);

pub(crate) fn rule_row(r: &AlertRule) -> RuleRow {
    let (variable, subject, comparison, threshold, for_seconds, aggregate, min_level) = match &r.condition {
        AlertCondition::Threshold { variable, platform, comparison, threshold, for_seconds, aggregate } => (
            Some(variable.clone()),
            platform.clone(),
            Some(comparison.as_str().to_string()),
            Some(*threshold),
            Some(*for_seconds),
            Some(aggregate.as_str().to_string()),
            None,
        ),
        AlertCondition::BaaLevel { site, min_level } => {
            (None, site.clone(), None, None, None, None, Some(i64::from(*min_level)))
        }
        AlertCondition::DhwRecord { site } => (None, site.clone(), None, None, None, None, None),
    };
    (
        r.id.clone(),
        r.name.clone(),
        r.condition.kind().to_string(),
        variable,
        subject,
        comparison,
        threshold,
        for_seconds,
        aggregate,
        min_level,
        r.severity.as_str().to_string(),
        i64::from(r.enabled),
    )
}

fn corrupt(what: &str, id: &str) -> StoreError {
    StoreError::Corrupt(format!("alert rule {id}: {what}"))
}

pub(crate) fn rule_from_row(row: RuleRow) -> Result<AlertRule, StoreError> {
    let (
        id,
        name,
        kind,
        variable,
        subject,
        comparison,
        threshold,
        for_seconds,
        aggregate,
        min_level,
        severity,
        enabled,
    ) = row;
    let condition = match kind.as_str() {
        "threshold" => AlertCondition::Threshold {
            variable: variable.ok_or_else(|| corrupt("no variable", &id))?,
            platform: subject,
            comparison: comparison.as_deref().and_then(Comparison::parse).ok_or_else(|| corrupt("comparison", &id))?,
            threshold: threshold.ok_or_else(|| corrupt("no threshold", &id))?,
            for_seconds: for_seconds.unwrap_or(0),
            aggregate: aggregate.as_deref().and_then(Aggregate::parse).ok_or_else(|| corrupt("aggregate", &id))?,
        },
        "baa_level" => AlertCondition::BaaLevel {
            site: subject,
            min_level: min_level.and_then(|l| u8::try_from(l).ok()).ok_or_else(|| corrupt("min_level", &id))?,
        },
        "dhw_record" => AlertCondition::DhwRecord { site: subject },
        other => return Err(corrupt(&format!("unknown kind {other:?}"), &id)),
    };
    let severity = Severity::parse(&severity).ok_or_else(|| corrupt("severity", &id))?;
    Ok(AlertRule { id, name, condition, severity, enabled: enabled != 0 })
}

pub(crate) fn subscription_row(s: &Subscription) -> SubscriptionRow {
    (
        s.id.clone(),
        s.rule.clone(),
        s.min_severity.as_str().to_string(),
        s.receiver.kind().to_string(),
        s.receiver.target().to_string(),
    )
}

pub(crate) fn subscription_from_row(row: SubscriptionRow) -> Result<Subscription, StoreError> {
    let (id, rule, min_severity, kind, target) = row;
    let bad = |w: &str| StoreError::Corrupt(format!("alert subscription {id}: {w}"));
    Ok(Subscription {
        min_severity: Severity::parse(&min_severity).ok_or_else(|| bad("severity"))?,
        receiver: Receiver::from_parts(&kind, &target).ok_or_else(|| bad("receiver"))?,
        rule,
        id,
    })
}

pub(crate) fn event_row(e: &FiredAlert) -> EventRow {
    (
        e.rule.clone(),
        e.subject.clone(),
        e.started_at.timestamp_millis(),
        e.fingerprint.clone(),
        e.severity.as_str().to_string(),
        e.value,
        e.message.clone(),
        e.last_seen_at.timestamp_millis(),
        e.resolved_at.map(|t| t.timestamp_millis()),
        e.resolve_message.clone(),
    )
}

fn instant(t: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::<Utc>::from_timestamp_millis(t).ok_or_else(|| StoreError::Corrupt(format!("alert event time {t}")))
}

pub(crate) fn event_from_row(row: EventRow) -> Result<FiredAlert, StoreError> {
    let (rule, subject, started_at, fingerprint, severity, value, message, last_seen_at, resolved_at, resolve_message) =
        row;
    Ok(FiredAlert {
        severity: Severity::parse(&severity)
            .ok_or_else(|| StoreError::Corrupt(format!("alert event {rule}/{subject}: severity")))?,
        started_at: instant(started_at)?,
        last_seen_at: instant(last_seen_at)?,
        resolved_at: resolved_at.map(instant).transpose()?,
        rule,
        subject,
        fingerprint,
        value,
        message,
        resolve_message,
    })
}
