//! The alerting tables' SQL for both backends (`AlertStore`), and their rows' mapping to the domain types.

use chrono::{DateTime, Utc};
use model::{Aggregate, AlertCondition, AlertRule, Comparison, FiredAlert, Receiver, Severity, Subscription};

use crate::error::StoreError;

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

/// `impl AlertStore for $store`: `reads` serves the lists, `writes` every write.
macro_rules! alert_store {
    ($store:ty, reads: $reads:ident, writes: $writes:ident) => {
        #[async_trait::async_trait]
        impl $crate::alerts::AlertStore for $store {
            async fn put_alert_rule(&self, rule: &model::AlertRule) -> Result<bool, $crate::error::StoreError> {
                let r = $crate::queries::alerts::rule_row(rule);
                let mut tx = self.$writes.begin().await?;
                let existed: Option<String> = sqlx::query_scalar("SELECT id FROM alert_rules WHERE id = $1")
                    .bind(&r.0)
                    .fetch_optional(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO alert_rules (id, name, kind, variable, subject, comparison, threshold, for_seconds,
                       aggregate, min_level, severity, enabled) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                     ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind,
                       variable = excluded.variable, subject = excluded.subject, comparison = excluded.comparison,
                       threshold = excluded.threshold, for_seconds = excluded.for_seconds,
                       aggregate = excluded.aggregate, min_level = excluded.min_level, severity = excluded.severity,
                       enabled = excluded.enabled",
                )
                .bind(r.0)
                .bind(r.1)
                .bind(r.2)
                .bind(r.3)
                .bind(r.4)
                .bind(r.5)
                .bind(r.6)
                .bind(r.7)
                .bind(r.8)
                .bind(r.9)
                .bind(r.10)
                .bind(r.11)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(existed.is_none())
            }

            async fn alert_rules(&self) -> Result<Vec<model::AlertRule>, $crate::error::StoreError> {
                let rows: Vec<$crate::queries::alerts::RuleRow> = sqlx::query_as(
                    "SELECT id, name, kind, variable, subject, comparison, threshold, for_seconds, aggregate,
                       min_level, severity, enabled FROM alert_rules ORDER BY id",
                )
                .fetch_all(&self.$reads)
                .await?;
                rows.into_iter().map($crate::queries::alerts::rule_from_row).collect()
            }

            async fn delete_alert_rule(&self, id: &str) -> Result<bool, $crate::error::StoreError> {
                let mut tx = self.$writes.begin().await?;
                sqlx::query("DELETE FROM alert_subscriptions WHERE rule = $1").bind(id).execute(&mut *tx).await?;
                let n = sqlx::query("DELETE FROM alert_rules WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                tx.commit().await?;
                Ok(n > 0)
            }

            async fn put_alert_subscription(
                &self,
                sub: &model::Subscription,
            ) -> Result<bool, $crate::error::StoreError> {
                let r = $crate::queries::alerts::subscription_row(sub);
                let mut tx = self.$writes.begin().await?;
                let existed: Option<String> =
                    sqlx::query_scalar("SELECT id FROM alert_subscriptions WHERE id = $1")
                        .bind(&r.0)
                        .fetch_optional(&mut *tx)
                        .await?;
                sqlx::query(
                    "INSERT INTO alert_subscriptions (id, rule, min_severity, receiver, target)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (id) DO UPDATE SET rule = excluded.rule, min_severity = excluded.min_severity,
                       receiver = excluded.receiver, target = excluded.target",
                )
                .bind(r.0)
                .bind(r.1)
                .bind(r.2)
                .bind(r.3)
                .bind(r.4)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(existed.is_none())
            }

            async fn alert_subscriptions(&self) -> Result<Vec<model::Subscription>, $crate::error::StoreError> {
                let rows: Vec<$crate::queries::alerts::SubscriptionRow> = sqlx::query_as(
                    "SELECT id, rule, min_severity, receiver, target FROM alert_subscriptions ORDER BY id",
                )
                .fetch_all(&self.$reads)
                .await?;
                rows.into_iter().map($crate::queries::alerts::subscription_from_row).collect()
            }

            async fn delete_alert_subscription(&self, id: &str) -> Result<bool, $crate::error::StoreError> {
                let n = sqlx::query("DELETE FROM alert_subscriptions WHERE id = $1")
                    .bind(id)
                    .execute(&self.$writes)
                    .await?
                    .rows_affected();
                Ok(n > 0)
            }

            async fn put_alert_event(&self, event: &model::FiredAlert) -> Result<(), $crate::error::StoreError> {
                let r = $crate::queries::alerts::event_row(event);
                sqlx::query(
                    "INSERT INTO alert_events (rule, subject, started_at, fingerprint, severity, value, message,
                       last_seen_at, resolved_at, resolve_message) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                     ON CONFLICT (rule, subject, started_at) DO UPDATE SET fingerprint = excluded.fingerprint,
                       severity = excluded.severity, value = excluded.value, message = excluded.message,
                       last_seen_at = excluded.last_seen_at, resolved_at = excluded.resolved_at,
                       resolve_message = excluded.resolve_message",
                )
                .bind(r.0)
                .bind(r.1)
                .bind(r.2)
                .bind(r.3)
                .bind(r.4)
                .bind(r.5)
                .bind(r.6)
                .bind(r.7)
                .bind(r.8)
                .bind(r.9)
                .execute(&self.$writes)
                .await?;
                Ok(())
            }

            async fn alert_events(
                &self,
                open_only: bool,
                limit: usize,
            ) -> Result<Vec<model::FiredAlert>, $crate::error::StoreError> {
                let rows: Vec<$crate::queries::alerts::EventRow> = sqlx::query_as(
                    "SELECT rule, subject, started_at, fingerprint, severity, value, message, last_seen_at,
                       resolved_at, resolve_message FROM alert_events WHERE ($1 = 0 OR resolved_at IS NULL)
                     ORDER BY started_at DESC, rule, subject LIMIT $2",
                )
                .bind(i64::from(open_only))
                .bind(i64::try_from(limit).unwrap_or(i64::MAX))
                .fetch_all(&self.$reads)
                .await?;
                rows.into_iter().map($crate::queries::alerts::event_from_row).collect()
            }
        }
    };
}
pub(crate) use alert_store;
