//! Built-in alerting's vocabulary: rules on stored data, subscriptions (who is told, and how), and fired
//! alerts (the history). The evaluation lives in the `alert` crate; the tables in `store`.

use chrono::{DateTime, Utc};

/// How loud an alert is; subscriptions choose a minimum. Ordered: `Info < Warning < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s {
            "info" => Severity::Info,
            "warning" => Severity::Warning,
            "critical" => Severity::Critical,
            _ => return None,
        })
    }
}

/// Which side of a threshold fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// Fires when the value is strictly greater than the threshold.
    Above,
    /// Fires when the value is strictly less than the threshold.
    Below,
}

impl Comparison {
    pub fn as_str(self) -> &'static str {
        match self {
            Comparison::Above => "above",
            Comparison::Below => "below",
        }
    }

    pub fn parse(s: &str) -> Option<Comparison> {
        Some(match s {
            "above" | ">" | "gt" => Comparison::Above,
            "below" | "<" | "lt" => Comparison::Below,
            _ => return None,
        })
    }

    /// Whether `value` is on the firing side of `threshold` (NaN never fires).
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::Above => value > threshold,
            Comparison::Below => value < threshold,
        }
    }
}

/// Whether a threshold rule looks at each platform alone or at the mean over all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    /// One alert per platform (the subject is the platform id).
    Each,
    /// One alert for the mean over every matching platform (the subject is `all`).
    Mean,
}

impl Aggregate {
    pub fn as_str(self) -> &'static str {
        match self {
            Aggregate::Each => "each",
            Aggregate::Mean => "mean",
        }
    }

    pub fn parse(s: &str) -> Option<Aggregate> {
        Some(match s {
            "each" => Aggregate::Each,
            "mean" => Aggregate::Mean,
            _ => return None,
        })
    }
}

/// What a rule watches. Times are data times (the observations' own), so evaluating the same stored data
/// twice gives the same answer.
#[derive(Debug, Clone, PartialEq)]
pub enum AlertCondition {
    /// The mean of `variable`'s observations over the last `for_seconds` of data (ending at each
    /// platform's newest observation; at least the newest one) is above/below `threshold`. Only platforms
    /// whose newest observation is within a day of the newest observation of the variable in the store
    /// take part (a buoy that stopped reporting years ago does not fire forever).
    Threshold {
        variable: String,
        /// Only this platform; every platform when `None`.
        platform: Option<String>,
        comparison: Comparison,
        threshold: f64,
        for_seconds: i64,
        aggregate: Aggregate,
    },
    /// A reef site's newest 7-day-maximum Bleaching Alert Area level is at least `min_level` (0–7); a change
    /// of level while firing is announced as a new alert (as CRW's bleaching e-mails announce level changes).
    BaaLevel { site: Option<String>, min_level: u8 },
    /// A reef site's newest DHW is above the highest DHW stored for it more than 365 days before that day
    /// (its historical maximum, as CRW's e-mails compare).
    DhwRecord { site: Option<String> },
}

impl AlertCondition {
    /// The stored name of the condition's kind.
    pub fn kind(&self) -> &'static str {
        match self {
            AlertCondition::Threshold { .. } => "threshold",
            AlertCondition::BaaLevel { .. } => "baa_level",
            AlertCondition::DhwRecord { .. } => "dhw_record",
        }
    }
}

/// A rule. Natural key: `id` (lowercase letters, digits, `_` and `-`).
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRule {
    pub id: String,
    /// A short title (`HighSST`).
    pub name: String,
    pub condition: AlertCondition,
    pub severity: Severity,
    pub enabled: bool,
}

/// Whether a rule id is acceptable: 1–64 characters of `[a-z0-9_-]`.
pub fn valid_alert_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// Where notifications go. Stored as `(kind, target)` (see [`Receiver::from_parts`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Receiver {
    /// An HTTP POST of halocline's JSON document to an `http://` or `https://` `url`; a Slack incoming
    /// webhook (`https://hooks.slack.com/...`) gets Slack's message format instead.
    Webhook { url: String },
    /// A Slack incoming webhook (or a Slack-compatible one, e.g. Mattermost): Slack's `{"text", "blocks"}`
    /// message, whatever the host.
    Slack { url: String },
    /// An e-mail to `to` through the configured SMTP server.
    Email { to: String },
}

impl Receiver {
    /// The stored kind: `webhook`, `slack` or `email`.
    pub fn kind(&self) -> &'static str {
        match self {
            Receiver::Webhook { .. } => "webhook",
            Receiver::Slack { .. } => "slack",
            Receiver::Email { .. } => "email",
        }
    }

    /// The URL or the address.
    pub fn target(&self) -> &str {
        match self {
            Receiver::Webhook { url } | Receiver::Slack { url } => url,
            Receiver::Email { to } => to,
        }
    }

    pub fn from_parts(kind: &str, target: &str) -> Option<Receiver> {
        Some(match kind {
            "webhook" => Receiver::Webhook { url: target.to_string() },
            "slack" => Receiver::Slack { url: target.to_string() },
            "email" => Receiver::Email { to: target.to_string() },
            _ => return None,
        })
    }
}

/// Who is told about which alerts. Natural key: `id`.
#[derive(Debug, Clone, PartialEq)]
pub struct Subscription {
    pub id: String,
    /// Only this rule's alerts; every rule's when `None`.
    pub rule: Option<String>,
    /// Alerts below this severity are not sent.
    pub min_severity: Severity,
    pub receiver: Receiver,
}

/// One firing of a rule for one subject (a platform, a reef site, or `all`). Natural key:
/// `(rule, subject, started_at)`. Open while `resolved_at` is `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct FiredAlert {
    pub rule: String,
    pub subject: String,
    /// What distinguishes one firing from the next for the same subject (the BAA level); empty otherwise.
    pub fingerprint: String,
    pub severity: Severity,
    /// The value that fired it (°C, °C-weeks or a BAA level).
    pub value: f64,
    pub message: String,
    /// Wall-clock times of the server that evaluated it.
    pub started_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// Why it ended (the condition cleared, the level changed, the rule was disabled).
    pub resolve_message: Option<String>,
}
