//! What a notification says, for each kind of receiver: halocline's JSON document (generic webhooks), a
//! Slack incoming-webhook message (`text` plus `blocks`), and an e-mail's subject and text body. Pure
//! functions of one [`Notice`]; the transports are in `webhook.rs` and `email.rs`.

use chrono::{DateTime, SecondsFormat, Utc};
use model::{AlertRule, FiredAlert};
use serde_json::{Value, json};

/// One alert on its way to one receiver.
#[derive(Debug, Clone, Copy)]
pub struct Notice<'a> {
    pub rule: &'a AlertRule,
    pub alert: &'a FiredAlert,
    /// A link that ends the subscription (reef subscriptions made from the dashboard carry one); shown in
    /// every kind of message when present.
    pub unsubscribe: Option<&'a str>,
}

impl Notice<'_> {
    fn firing(&self) -> bool {
        self.alert.resolved_at.is_none()
    }

    /// `FIRING` or `RESOLVED`.
    fn status(&self) -> &'static str {
        if self.firing() { "FIRING" } else { "RESOLVED" }
    }

    /// The value as written in messages (`3`, `6.27`), or `none`.
    fn value_text(&self) -> String {
        let v = self.alert.value;
        if !v.is_finite() {
            "none".into()
        } else if v.fract() == 0.0 && v.abs() < 1e15 {
            format!("{v:.0}")
        } else {
            format!("{v:.2}")
        }
    }
}

fn rfc3339_millis(d: DateTime<Utc>) -> String {
    d.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn rfc3339_secs(d: DateTime<Utc>) -> String {
    d.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// halocline's webhook document (one alert per POST):
/// `{"status": "firing"|"resolved", "rule": id, "name", "severity", "subject", "value", "message",
/// "started_at", "resolved_at", "resolve_message"}` (times RFC 3339, UTC), and `"unsubscribe"` only when
/// the subscription has a link.
pub fn payload(n: &Notice) -> Value {
    let (rule, a) = (n.rule, n.alert);
    let mut doc = json!({
        "status": if n.firing() { "firing" } else { "resolved" },
        "rule": rule.id,
        "name": rule.name,
        "severity": a.severity.as_str(),
        "subject": a.subject,
        "value": if a.value.is_finite() { json!(a.value) } else { Value::Null },
        "message": a.message,
        "started_at": rfc3339_millis(a.started_at),
        "resolved_at": a.resolved_at.map(rfc3339_millis),
        "resolve_message": a.resolve_message,
    });
    if let (Some(url), Some(map)) = (n.unsubscribe, doc.as_object_mut()) {
        map.insert("unsubscribe".into(), json!(url));
    }
    doc
}

/// Slack reads `&`, `<` and `>` as markup (`<!channel>` would ping a whole channel).
fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// At most `max` characters, with an ellipsis when cut.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A Slack incoming-webhook message: `text` is the plain fallback shown in notifications; `blocks` are a
/// header (plain text, at most 150 characters), the message (mrkdwn, at most 3,000), the facts as fields,
/// and context lines for a resolve and the unsubscribe link. User text is escaped.
pub fn slack_payload(n: &Notice) -> Value {
    let (rule, a) = (n.rule, n.alert);
    let title = format!("{}: {} {}", n.status(), rule.name, a.subject);
    let text = format!("[halocline {}] {} {}: {}", n.status(), rule.name, a.subject, a.message.replace('\n', " "));
    let field = |name: &str, value: String| json!({"type": "mrkdwn", "text": format!("*{name}*\n{}", clip(&slack_escape(&value), 1900))});
    let mut blocks = vec![
        json!({"type": "header", "text": {"type": "plain_text", "text": clip(&title, 150), "emoji": false}}),
        json!({"type": "section", "text": {"type": "mrkdwn", "text": clip(&slack_escape(&a.message), 2900)}}),
        json!({"type": "section", "fields": [
            field("Severity", a.severity.as_str().to_string()),
            field("Value", n.value_text()),
            field("Rule", format!("{} ({})", rule.name, rule.id)),
            field("Started", rfc3339_secs(a.started_at)),
        ]}),
    ];
    if let Some(r) = a.resolved_at {
        let why = a.resolve_message.as_deref().unwrap_or("");
        blocks.push(json!({"type": "context", "elements": [
            {"type": "mrkdwn", "text": clip(&slack_escape(&format!("Resolved {}: {why}", rfc3339_secs(r))), 2900)}
        ]}));
    }
    if let Some(url) = n.unsubscribe {
        blocks.push(json!({"type": "context", "elements": [
            {"type": "mrkdwn", "text": format!("<{}|Unsubscribe>", slack_escape(url))}
        ]}));
    }
    json!({"text": clip(&text, 3000), "blocks": blocks})
}

/// The e-mail subject: `[halocline FIRING] <rule name> <subject>`, on one line.
pub fn email_subject(n: &Notice) -> String {
    let s = format!("[halocline {}] {} {}", n.status(), n.rule.name, n.alert.subject);
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// The e-mail text: the message, then the facts one per line, then the unsubscribe link.
pub fn email_body(n: &Notice) -> String {
    let (rule, a) = (n.rule, n.alert);
    let mut body = format!(
        "{}\n\nstatus: {}\nrule: {} ({})\nseverity: {}\nsubject: {}\nvalue: {}\nstarted: {}\n",
        a.message,
        n.status().to_lowercase(),
        rule.name,
        rule.id,
        a.severity.as_str(),
        a.subject,
        n.value_text(),
        rfc3339_secs(a.started_at)
    );
    if let Some(r) = a.resolved_at {
        body.push_str(&format!("resolved: {} ({})\n", rfc3339_secs(r), a.resolve_message.as_deref().unwrap_or("")));
    }
    if let Some(url) = n.unsubscribe {
        body.push_str(&format!("\nTo stop these e-mails: {url}\n"));
    }
    body
}
