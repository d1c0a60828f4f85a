//! Built-in alerting for sites without Prometheus: rules evaluated on stored data (`rules`), open alerts
//! kept in the store with de-duplication and resolve messages (`Engine::evaluate`), and notifications to
//! subscribers by webhook, Slack or e-mail (`notify`). The server runs [`Engine::evaluate`] after ingests and on
//! a timer; evaluations never overlap.

mod error;
pub mod notify;
pub mod rules;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use model::{AlertRule, FiredAlert, Subscription};
use store::Store;

pub use error::AlertError;
pub use notify::{Notice, Notifier, NotifyConfig, Retry, SmtpConfig, SmtpSecurity};
pub use rules::Finding;

/// What one evaluation did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub rules: usize,
    /// New alerts (notifications sent as `firing`).
    pub fired: usize,
    /// Alerts still firing that were not announced again.
    pub deduplicated: usize,
    /// Alerts that ended (notifications sent as `resolved`).
    pub resolved: usize,
    pub notifications_sent: usize,
    pub notifications_failed: usize,
    /// Rules whose evaluation failed, with why.
    pub errors: Vec<String>,
}

/// Evaluates every rule over a store and notifies subscribers.
pub struct Engine {
    store: Arc<dyn Store>,
    /// Or why the settings are unusable (each delivery then fails with it).
    notifier: Result<notify::Notifier, String>,
    /// One evaluation at a time (after-ingest and timer triggers may coincide).
    running: tokio::sync::Mutex<()>,
}

impl Engine {
    /// Check the settings first with [`Notifier::new`] to refuse bad ones at start-up; here they only
    /// make every delivery fail.
    pub fn new(store: Arc<dyn Store>, notify: NotifyConfig) -> Engine {
        let notifier = Notifier::new(&notify).map_err(|e| {
            tracing::error!("alert notifications are off: {e}");
            e.to_string()
        });
        Engine { store, notifier, running: tokio::sync::Mutex::new(()) }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Evaluates every rule at wall-clock `now`: a finding with no open alert fires one; a finding whose
    /// open alert has the same fingerprint only refreshes it (de-duplication); a changed fingerprint (a new
    /// BAA level) resolves the old alert and fires a new one; an open alert without a finding resolves,
    /// as do the open alerts of disabled or deleted rules.
    pub async fn evaluate(&self, now: DateTime<Utc>) -> Result<Report, AlertError> {
        let _one = self.running.lock().await;
        let rules = self.store.alert_rules().await?;
        let subs = self.store.alert_subscriptions().await?;
        let mut open: HashMap<(String, String), FiredAlert> = HashMap::new();
        for a in self.store.alert_events(true, usize::MAX).await? {
            open.insert((a.rule.clone(), a.subject.clone()), a);
        }
        let mut report = Report { rules: rules.len(), ..Default::default() };
        for rule in &rules {
            let findings = if rule.enabled {
                match rules::findings(&*self.store, rule).await {
                    Ok(f) => f,
                    Err(e) => {
                        // Keep the open alerts as they are: a failed evaluation says nothing.
                        open.retain(|(r, _), _| r != &rule.id);
                        report.errors.push(format!("{}: {e}", rule.id));
                        continue;
                    }
                }
            } else {
                Vec::new()
            };
            for f in findings {
                match open.remove(&(rule.id.clone(), f.subject.clone())) {
                    Some(mut a) if a.fingerprint == f.fingerprint => {
                        a.last_seen_at = now;
                        a.value = f.value;
                        self.store.put_alert_event(&a).await?;
                        report.deduplicated += 1;
                    }
                    Some(a) => {
                        let why = format!("superseded: {}", f.message);
                        self.resolve(rule, &subs, a, now, why, &mut report).await?;
                        self.fire(rule, &subs, f, now, &mut report).await?;
                    }
                    None => self.fire(rule, &subs, f, now, &mut report).await?,
                }
            }
            let gone: Vec<(String, String)> = open.keys().filter(|(r, _)| r == &rule.id).cloned().collect();
            for key in gone {
                if let Some(a) = open.remove(&key) {
                    let why = if rule.enabled {
                        "the condition no longer holds".to_string()
                    } else {
                        "the rule was disabled".to_string()
                    };
                    self.resolve(rule, &subs, a, now, why, &mut report).await?;
                }
            }
        }
        // Open alerts of rules that no longer exist end quietly (nobody subscribes to a deleted rule).
        for (_, mut a) in open {
            a.resolved_at = Some(now);
            a.resolve_message = Some("the rule was deleted".into());
            self.store.put_alert_event(&a).await?;
            report.resolved += 1;
        }
        let still_open = self.store.alert_events(true, usize::MAX).await?;
        for rule in &rules {
            let firing = still_open.iter().filter(|a| a.rule == rule.id).count();
            metrics::gauge!("halocline_alerts_firing", "rule" => rule.id.clone()).set(firing as f64);
        }
        Ok(report)
    }

    async fn fire(
        &self,
        rule: &AlertRule,
        subs: &[Subscription],
        f: Finding,
        now: DateTime<Utc>,
        report: &mut Report,
    ) -> Result<(), AlertError> {
        let a = FiredAlert {
            rule: rule.id.clone(),
            subject: f.subject,
            fingerprint: f.fingerprint,
            severity: rule.severity,
            value: f.value,
            message: f.message,
            started_at: now,
            last_seen_at: now,
            resolved_at: None,
            resolve_message: None,
        };
        self.store.put_alert_event(&a).await?;
        report.fired += 1;
        tracing::info!(rule = %rule.id, subject = %a.subject, value = a.value, "alert firing: {}", a.message);
        self.deliver(rule, subs, &a, report).await;
        Ok(())
    }

    async fn resolve(
        &self,
        rule: &AlertRule,
        subs: &[Subscription],
        mut a: FiredAlert,
        now: DateTime<Utc>,
        why: String,
        report: &mut Report,
    ) -> Result<(), AlertError> {
        a.resolved_at = Some(now);
        a.resolve_message = Some(why);
        self.store.put_alert_event(&a).await?;
        report.resolved += 1;
        tracing::info!(rule = %rule.id, subject = %a.subject, "alert resolved: {}", a.resolve_message.as_deref().unwrap_or(""));
        self.deliver(rule, subs, &a, report).await;
        Ok(())
    }

    async fn deliver(&self, rule: &AlertRule, subs: &[Subscription], a: &FiredAlert, report: &mut Report) {
        for s in subs {
            if s.rule.as_ref().is_some_and(|r| r != &rule.id) || a.severity < s.min_severity {
                continue;
            }
            // Subscriptions with an unsubscribe link (reef subscriptions from the dashboard) fill `unsubscribe`.
            let notice = Notice { rule, alert: a, unsubscribe: None };
            let outcome = match &self.notifier {
                Ok(n) => n.send(&s.receiver, &notice).await,
                Err(why) => Err(AlertError::Delivery { target: s.id.clone(), message: why.clone() }),
            };
            let label = if outcome.is_ok() { "sent" } else { "failed" };
            metrics::counter!("halocline_alert_notifications_total", "receiver" => s.receiver.kind(), "outcome" => label)
                .increment(1);
            match outcome {
                Ok(()) => report.notifications_sent += 1,
                Err(e) => {
                    tracing::warn!(subscription = %s.id, "alert notification failed: {e}");
                    report.notifications_failed += 1;
                }
            }
        }
    }
}

/// Checks a rule given through the API: a valid id and name, a known variable, finite numbers.
pub fn validate_rule(rule: &AlertRule) -> Result<(), AlertError> {
    if !model::valid_alert_id(&rule.id) {
        return Err(AlertError::Invalid(format!("rule id {:?} must be 1-64 characters of a-z, 0-9, _ and -", rule.id)));
    }
    if rule.name.trim().is_empty() || rule.name.len() > 200 {
        return Err(AlertError::Invalid("name must be 1-200 characters".into()));
    }
    match &rule.condition {
        model::AlertCondition::Threshold { variable, threshold, for_seconds, .. } => {
            if model::Variable::lookup(variable).is_none() {
                return Err(AlertError::Invalid(format!("unknown variable {variable:?}")));
            }
            if !threshold.is_finite() {
                return Err(AlertError::Invalid("threshold must be a finite number".into()));
            }
            if !(0..=366 * 86_400).contains(for_seconds) {
                return Err(AlertError::Invalid("for_seconds must be in 0..=31622400".into()));
            }
        }
        model::AlertCondition::BaaLevel { min_level, .. } => {
            if *min_level > 7 {
                return Err(AlertError::Invalid("min_level must be a BAA level 0-7".into()));
            }
        }
        model::AlertCondition::DhwRecord { .. } => {}
    }
    Ok(())
}

/// Checks a subscription given through the API: a valid id, an `http(s)://` URL (webhook, Slack) or an
/// e-mail address.
pub fn validate_subscription(sub: &Subscription) -> Result<(), AlertError> {
    if !model::valid_alert_id(&sub.id) {
        return Err(AlertError::Invalid(format!(
            "subscription id {:?} must be 1-64 characters of a-z, 0-9, _ and -",
            sub.id
        )));
    }
    notify::check_receiver(&sub.receiver)
}

#[cfg(test)]
mod tests;
