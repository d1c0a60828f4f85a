//! Alerting: rule and subscription bodies (in and out), fired alerts, an evaluation's summary.

use model::{Aggregate, AlertCondition, AlertRule, Comparison, FiredAlert, Severity};
use serde::{Deserialize, Serialize};

use super::iso_millis as iso;
use crate::ApiError;

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
    pub fn from_rule(r: &AlertRule) -> RuleBody {
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

    pub fn into_rule(self, id: String) -> Result<AlertRule, ApiError> {
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
